"""Read the user's raw files and map their columns onto the canonical tables.

CSV encodings are detected, not guessed by the user: UTF-8 (with or without a byte-order
mark) is tried first because it is strict, then GB18030, the superset of GBK and GB2312
that Chinese spreadsheets export. Excel (.xlsx, first or named sheet) and Parquet are
read as they are. Values are read as text so that :mod:`workbench.cleaning` sees what the
user typed ("¥1,234.50", "2024年1月5日") and can quarantine what it cannot parse.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

__all__ = [
    "CANONICAL_COLUMNS",
    "ColumnMappingError",
    "apply_mapping",
    "detect_encoding",
    "file_sha256",
    "read_table",
    "replace_dir",
    "scratch_dir",
]

#: Canonical columns per table; the first entries of each are required.
CANONICAL_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "transactions": {
        "required": ("customer_id", "date", "amount"),
        "optional": (
            "order_id", "quantity", "cost", "gross_profit", "product_id", "channel",
            "sales_expense",
        ),
    },
    "customers": {
        "required": ("customer_id",),
        "optional": (
            "name", "industry", "region", "size", "customer_type", "first_contact",
            "account_manager", "strategic_fit", "industry_growth", "share_of_wallet",
            "churn_reason",
        ),
    },
    "survey": {"required": ("respondent_id",), "optional": ("customer_id",)},
    "opportunities": {
        "required": ("opportunity_id", "stage", "stage_date"),
        "optional": (
            "customer_id", "created", "expected_value", "sales_expense", "owner", "industry",
            "channel", "money", "authority", "need", "lost_reason",
        ),
    },
}

_ENCODINGS = ("utf-8-sig", "gb18030")


class ColumnMappingError(KeyError):
    """A mapped column is missing from the file; the message lists what exists."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0])


def scratch_dir(parent: str | Path, prefix: str) -> Path:
    """A new, empty folder in ``parent`` to write into before renaming it into place.

    Like :func:`tempfile.mkdtemp` (unique, created atomically), but with the permissions
    an ordinary ``mkdir`` would give under the process umask rather than 0700, so the
    folder it becomes (a report, generated data) is as readable as its neighbours.

    Parameters
    ----------
    parent : path-like
        Existing folder; the scratch folder is created inside it (same file system, so
        the final rename is atomic).
    prefix : str
        Start of the folder's name, e.g. ``".2024.rendering-"`` (hidden while it is
        being written).

    Returns
    -------
    pathlib.Path
    """
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    path.chmod(0o777 & ~_umask())
    return path


def _umask() -> int:
    """The process umask, read without changing it where the system tells it (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    umask = os.umask(0)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(umask)
    return umask


def replace_dir(scratch: Path, target: Path) -> None:
    """Move a finished scratch folder to ``target``, replacing what is there.

    The old folder is renamed aside first and deleted only after the new one is in
    place; if that last rename fails the old folder is put back and the error raised.
    Between the two renames ``target`` is briefly absent, so readers should not race a
    replacement; two writers of identical content are safe (see the callers).

    Parameters
    ----------
    scratch : pathlib.Path
        A folder made by :func:`scratch_dir` beside ``target``.
    target : pathlib.Path
        The folder to create or replace.

    Returns
    -------
    None
    """
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.replaced-{scratch.name}")
        target.rename(old)
    try:
        scratch.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def file_sha256(path: str | Path) -> str:
    """SHA-256 checksum of a file's bytes, for the input checksums in report manifests.

    Parameters
    ----------
    path : path-like
        Any file; read in 1 MiB chunks, so its size does not matter.

    Returns
    -------
    str
        64 lower-case hexadecimal digits, as ``sha256sum`` prints them.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_encoding(path: str | Path, candidates: tuple[str, ...] = _ENCODINGS) -> str:
    """The first encoding in ``candidates`` that decodes the whole file.

    Parameters
    ----------
    path : path-like
    candidates : tuple of str
        Tried in order. The default tries strict UTF-8 (a BOM is accepted and removed)
        and then GB18030, which decodes every GBK and GB2312 file.

    Returns
    -------
    str
        ``"utf-8-sig"`` or ``"gb18030"`` with the defaults.

    Notes
    -----
    A GBK file is almost never valid UTF-8 (its lead bytes 0x81-0xFE are followed by
    bytes that UTF-8 forbids), so trying the strict decoder first is reliable; the
    reverse order would accept UTF-8 text as mojibake.
    """
    raw = Path(path).read_bytes()
    for encoding in candidates:
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ValueError(
        f"{path}: the file is neither {' nor '.join(candidates)}; save it as UTF-8 "
        "(Excel: 'CSV UTF-8') or pass encoding= explicitly"
    )


def read_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    header: int | None = 0,
) -> pd.DataFrame:
    """Read a CSV/TXT, Excel or Parquet file with every column as text.

    Parameters
    ----------
    path : path-like
        ``.csv``, ``.txt``/``.tsv`` (delimited), ``.xlsx``/``.xlsm`` or ``.parquet``.
    sheet : str or int, optional
        Excel sheet name or 0-based position; default the first sheet.
    sep : str, optional
        Delimiter for text files; ``"whitespace"`` splits on runs of blanks (the CDNOW
        format). Default: sniffed by pandas' python engine (comma, tab, semicolon...).
    encoding : str, optional
        Text encoding; default detected with :func:`detect_encoding`.
    header : int or None
        Header row for text and Excel files; ``None`` when the file has no header
        (columns are then named ``"0"``, ``"1"``...).

    Returns
    -------
    pandas.DataFrame
        Object/string columns exactly as in the file (Parquet keeps its types), with
        column names stripped of surrounding blanks.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (looked relative to {Path.cwd()})")
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt", ".tsv"}:
        encoding = encoding or detect_encoding(path)
        if sep == "whitespace":
            kwargs = {"sep": r"\s+"}
        elif sep is None:
            kwargs = {"sep": "\t" if suffix == ".tsv" else None, "engine": "python"}
        else:
            kwargs = {"sep": sep}
        frame = pd.read_csv(
            path, encoding=encoding, dtype=str, keep_default_na=False, header=header, **kwargs
        )
    elif suffix in {".xlsx", ".xlsm"}:
        # Excel cells keep their types here (dates as datetimes, serials as numbers);
        # cleaning handles both, which is what users' files contain.
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=header,
                              dtype=object)
    elif suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        raise ValueError(
            f"{path}: unsupported file type {suffix!r}; use .csv, .txt, .tsv, .xlsx, "
            ".xlsm or .parquet"
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def apply_mapping(
    frame: pd.DataFrame,
    mapping: Mapping[str, str],
    table: str,
    *,
    source: str = "<frame>",
) -> pd.DataFrame:
    """Rename the user's columns to canonical names and keep only mapped columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        As read by :func:`read_table`.
    mapping : mapping of str to str
        Canonical name -> the user's column name, e.g. ``{"amount": "销售额"}``.
        Canonical columns not mentioned are looked up under their own name.
    table : {"transactions", "customers", "survey"}
        Which canonical table; its required columns must all be found.
    source : str
        The file name, for error messages.

    Returns
    -------
    pandas.DataFrame
        Canonical columns first in canonical order; for ``survey``, every other column
        of the file (the items) is kept after them.
    """
    if table not in CANONICAL_COLUMNS:
        raise ValueError(f"unknown table {table!r}; use one of {sorted(CANONICAL_COLUMNS)}")
    spec = CANONICAL_COLUMNS[table]
    known = set(spec["required"]) | set(spec["optional"])
    unknown = sorted(set(mapping) - known)
    if unknown and table != "survey":
        raise ValueError(
            f"{source}: mapping for table '{table}' names unknown canonical column(s) "
            f"{unknown}; allowed: {sorted(known)}"
        )
    renames: dict[str, str] = {}
    for canonical in (*spec["required"], *spec["optional"]):
        user = mapping.get(canonical, canonical)
        if user in frame.columns:
            renames[user] = canonical
        elif canonical in spec["required"] or canonical in mapping:
            tried = f"'{user}'" + (" (from the case's column mapping)" if canonical in mapping else "")
            raise ColumnMappingError(
                f"{source}: canonical column '{canonical}' of table '{table}' not found; "
                f"looked for {tried}; the file has columns {list(frame.columns)}"
            )
    out = frame.rename(columns=renames)
    canonical_cols = [c for c in (*spec["required"], *spec["optional"]) if c in out.columns]
    if table == "survey":
        # item columns may be renamed too (e.g. "满意度1" -> "CUSA1"); all are kept
        items = {user: item for item, user in mapping.items() if item not in known}
        missing = sorted(user for user in items if user not in frame.columns)
        if missing:
            raise ColumnMappingError(
                f"{source}: survey item column(s) {missing} from the case's mapping not "
                f"found; the file has columns {list(frame.columns)}"
            )
        out = out.rename(columns=items)
        extra = [c for c in out.columns if c not in canonical_cols]
        return out[canonical_cols + extra].copy()
    return out[canonical_cols].copy()
