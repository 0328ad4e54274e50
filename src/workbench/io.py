"""Read the user's raw files and map their columns onto the canonical tables.

CSV encodings are detected, not guessed by the user: a UTF-16 or UTF-32 byte-order mark
is honoured, then UTF-8 (with or without a byte-order mark) is tried because it is
strict, then GB18030, the superset of GBK and GB2312 that Chinese spreadsheets export.
Other encodings (Latin-1, Big5, Shift-JIS) must be named with ``encoding``. The
delimiter is sniffed among ``,`` ``;`` tab and ``|`` (never a letter), and a file with
none of them is one column. Excel (.xlsx, first or named sheet) and Parquet are read as
they are. Values are read as text so that :mod:`workbench.cleaning` sees what the user
typed ("¥1,234.50", "2024年1月5日") and can quarantine what it cannot parse.

Missing values are one explicit list, :data:`MISSING_VALUES`, applied alike to every
format after reading (pandas' own NA conversion is switched off for CSV and Excel, which
otherwise disagree): a cell whose text, stripped, NFKC-normalised and case-folded, is one
of the markers becomes missing (None). A case can extend the list per source
(``missing_values``), exempt a marker that is a real value in its data (``not_missing:
[NA]`` for a region "NA"), and declare numeric missing codes (``missing_codes: [-99]``).

Every problem reading a file is a :class:`SourceError` naming the file and what would
be right (an empty file, a damaged workbook, a text file named .xlsx or a workbook named
.csv, a missing sheet, a row with more fields than the header, a wrong declared
encoding). A header text written twice is kept twice (``"x"``, ``"x (column 4)"``), in
CSV, Excel and Parquet alike, so that :func:`apply_mapping` refuses to guess which one a
mapped column means.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from workbench.labels import label

__all__ = [
    "CANONICAL_COLUMNS",
    "MISSING_VALUES",
    "ColumnMappingError",
    "SourceError",
    "apply_mapping",
    "detect_encoding",
    "file_sha256",
    "header_names",
    "header_positions",
    "mark_missing",
    "marker_key",
    "read_table",
    "repeated_header_message",
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
            "name", "phone", "email", "industry", "region", "size", "customer_type", "first_contact",
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
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_DELIMITERS = ",;\t|"

#: Cell texts that mean "no value", compared after stripping blanks, NFKC normalisation
#: (full-width "Ｎ／Ａ" is "N/A") and case folding ("NULL", "Null" and "null" alike). The
#: empty cell is one of them. Excel's error values (#DIV/0!, #VALUE!, #REF!, ... and #N/A)
#: are markers too: a workbook's error cells are read as empty, so the same texts in a
#: CSV exported from it must be missing as well, or the two formats would disagree (an id
#: "#REF!" would be a customer). A cell that is an error is quarantined as missing.
MISSING_VALUES: tuple[str, ...] = (
    "", "NULL", "nan", "NaN", "NaT", "<NA>", "None", "NA", "N/A", "n.a.", "-", "--",
    "无", "空", "缺失", "不详",
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!",
    "#GETTING_DATA",
)


class SourceError(ValueError):
    """A file cannot be read; the message names the file and what would be right."""


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
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding
    for encoding in candidates:
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise SourceError(
        f"{Path(path).name}: the file is neither {' nor '.join(candidates)}; save it as "
        "UTF-8 (Excel: 'CSV UTF-8') or name its encoding in the case file (key "
        "'encoding', e.g. latin-1, big5, shift_jis)"
    )


def read_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    header: int | None = 0,
    missing_values: Iterable[str] = MISSING_VALUES,
    missing_codes: Iterable[float | str] = (),
    lang: str = "en",
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
        format). Default: sniffed among comma, semicolon, tab and ``|`` from the first
        64 KiB (``.tsv``: tab); a file with none of them is read as one column.
    encoding : str, optional
        Text encoding; default detected with :func:`detect_encoding`.
    header : int or None
        Header row for text and Excel files; ``None`` when the file has no header
        (columns are then named ``"0"``, ``"1"``...).
    missing_values : iterable of str
        Cell texts that mean "missing", default :data:`MISSING_VALUES`; see
        :func:`mark_missing`.
    missing_codes : iterable of number or str
        Values that mean "missing" in this file, such as -99 or 999.
    lang : {"en", "zh"}
        Language of the messages that say a file is of another kind than its name says
        (a workbook named .csv, a text file named .xlsx).

    Returns
    -------
    pandas.DataFrame
        Object/string columns exactly as in the file (Parquet keeps its types), with
        column names stripped of surrounding blanks and missing markers as None. Blank
        lines of a text file are kept as rows (of missing cells) so that row numbers
        match the file. A header text that occurs more than once keeps its name in its
        first column; the others are named ``"x (column 4)"`` (1-based, as a spreadsheet
        counts; pandas would call them ``"x.1"``), for :func:`apply_mapping` to refuse
        to choose between them when ``x`` is read. Parquet columns of one name are
        named the same way.

    Raises
    ------
    SourceError
        Naming the file and what would be right, for every file that cannot be read.
    FileNotFoundError
        When ``path`` does not exist (or is a folder).
    """
    path = Path(path)
    if path.is_dir():
        raise FileNotFoundError(f"{path}: is a folder, not a file; give the path of the file "
                                "inside it")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (looked relative to {Path.cwd()})")
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise SourceError(f"{path.name}: the file is empty (0 bytes); export the data again")
    if suffix in {".csv", ".txt", ".tsv"}:
        frame, cells = _read_text(path, sep=sep, encoding=encoding, header=header, tsv=suffix == ".tsv",
                                  lang=lang)
    elif suffix in {".xlsx", ".xlsm"}:
        frame, cells = _read_excel(path, sheet=sheet, header=header, lang=lang)
    elif suffix == ".xls":
        raise SourceError(f"{path.name}: the old Excel 97-2003 format (.xls) is not read; open "
                          "it in Excel or LibreOffice and save it as .xlsx (or CSV UTF-8)")
    elif suffix == ".parquet":
        try:
            frame, cells = _read_parquet(path)
        except Exception as exc:  # pyarrow's errors have no common base class
            raise SourceError(f"{path.name}: not a readable Parquet file ({exc})") from exc
    else:
        raise SourceError(
            f"{path.name}: unsupported file type {suffix!r}; use .csv, .txt, .tsv, .xlsx, "
            ".xlsm or .parquet"
        )
    frame.columns = _header_names([str(c) for c in frame.columns], cells)
    return mark_missing(frame, missing_values, missing_codes)


def _read_parquet(path: Path) -> tuple[pd.DataFrame, list | None]:
    """A Parquet file as pandas and, when the schema has a column name twice, the names as
    written (for :func:`_header_names`; pandas' reader refuses such a file with "Multiple
    matches for FieldRef")."""
    import pyarrow.parquet as pq

    names = pq.read_schema(path).names
    if len(set(names)) == len(names):
        return pd.read_parquet(path), None
    table = pq.ParquetFile(path).read()
    frame = table.rename_columns([f"_{i}" for i in range(len(names))]).to_pandas()
    frame.columns = names
    return frame, names


def _first_row(frame: pd.DataFrame) -> list:
    return frame.iloc[0].tolist() if len(frame) else []


_REPEAT = re.compile(r"(?P<text>.+) \(column (?P<position>\d+)\)")


def _header_names(read: list[str], cells) -> list[str]:
    """Column names stripped of blanks; a header text written more than once (``cells``, the
    header as in the file) keeps its name in its first column, the others become
    ``"text (column n)"``; names that stripping alone would make equal stay as read."""
    texts = [("" if c is None or (not isinstance(c, str) and pd.isna(c)) else str(c).strip())
             for c in cells] if cells is not None and len(cells) == len(read) else None
    if texts is None:
        names = [c.strip() for c in read]
        return names if len(set(names)) == len(names) else read
    seen: set[str] = set()
    names = []
    for position, (name, text) in enumerate(zip(read, texts, strict=True), start=1):
        repeat = bool(text) and text in seen
        seen.add(text)
        names.append(f"{text} (column {position})" if repeat else name.strip())
    return names if len(set(names)) == len(names) else read


def header_names(header: list) -> list[str]:
    """Column names for a header as written, as :func:`read_table` gives them.

    Parameters
    ----------
    header : list
        The header's cells, in file order (a Parquet schema's names, a CSV's first line).

    Returns
    -------
    list of str
        Each text stripped of blanks; a text written more than once keeps its name in
        its first column, the others become ``"text (column n)"`` (1-based), so that
        :func:`apply_mapping` refuses to choose between them and :func:`header_positions`
        finds them all.

    Examples
    --------
    >>> header_names(["id", "name", "amount", " name"])
    ['id', 'name', 'amount', 'name (column 4)']
    """
    read = [str(c) for c in header]
    return _header_names(read, list(header))


def header_positions(frame: pd.DataFrame, name: str) -> list[int]:
    """1-based positions in the file of a header text and of its repeats.

    Parameters
    ----------
    frame : pandas.DataFrame
        As read by :func:`read_table` (columns in file order, repeats named
        ``"name (column n)"``).
    name : str
        A header text.

    Returns
    -------
    list of int
        Sorted; one position (or none) when the header has ``name`` once (or not at all).

    Examples
    --------
    >>> frame = pd.DataFrame(columns=["id", "S1", "S2", "S1 (column 4)"])
    >>> header_positions(frame, "S1"), header_positions(frame, "S2")
    ([2, 4], [3])
    """
    found = [i + 1 for i, c in enumerate(frame.columns) if c == name]
    found += [int(m["position"]) for c in frame.columns
              if isinstance(c, str) and (m := _REPEAT.fullmatch(c)) and m["text"] == name]
    return sorted(found)



def _read_text(path: Path, *, sep: str | None, encoding: str | None, header: int | None,
               tsv: bool, lang: str = "en") -> tuple[pd.DataFrame, list | None]:
    """A delimited text file as text cells and its header row as written (None without a
    header); errors name the file and the line."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        key = "message_looks_like_xlsx" if head.startswith(b"PK") else "message_looks_like_xls"
        raise SourceError(label(key, lang).format(file=path.name, suffix=path.suffix))
    encoding = encoding or detect_encoding(path)
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        try:
            detected = f"; it reads as {detect_encoding(path)}, so leave 'encoding' out to detect it"
        except SourceError:
            detected = ""
        raise SourceError(
            f"{path.name}: cannot be read as {encoding} (key 'encoding'): byte "
            f"0x{exc.object[exc.start]:02x} at position {exc.start} is not {encoding}"
            f"{detected}, or name the right encoding (utf-8, gb18030, latin-1, ...)") from exc
    except LookupError as exc:
        raise SourceError(f"{path.name}: unknown encoding {encoding!r} (key 'encoding'); use "
                          "a codec name such as utf-8, gb18030 or latin-1") from exc
    if sep == "whitespace":
        kwargs = {"sep": r"\s+"}
    else:
        kwargs = {"sep": sep or ("\t" if tsv else _sniff_delimiter(text))}
    options = {"encoding": encoding, "dtype": str, "keep_default_na": False, "na_filter": False,
               "skip_blank_lines": False, **kwargs}
    try:
        frame = pd.read_csv(path, header=header, **options)
        # the header as written: pandas renames a repeated name 'x' to 'x.1'
        cells = None if header is None else _first_row(pd.read_csv(path, header=None, skiprows=header,
                                                                   nrows=1, **options))
        return frame, cells
    except pd.errors.EmptyDataError as exc:
        raise SourceError(f"{path.name}: no columns to read (the file holds only blank "
                          "lines); export the data again") from exc
    except pd.errors.ParserError as exc:
        raise SourceError(
            f"{path.name}: {exc}; a row has more fields than the header, usually a value "
            f"that contains the delimiter {kwargs['sep']!r} without quotes: quote it, or "
            "give the right delimiter with the key 'sep'") from exc


def _sniff_delimiter(text: str) -> str:
    """The delimiter among ``, ; tab |`` that splits the first lines alike; "," if none."""
    sample = text[:65536]
    if not any(d in sample for d in _DELIMITERS):
        return ","
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample.splitlines() else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        return max(counts, key=counts.get) if max(counts.values()) else ","


def _read_excel(path: Path, *, sheet: str | int | None, header: int | None,
                lang: str = "en") -> tuple[pd.DataFrame, list | None]:
    """One sheet as cells (pandas' NA conversion off) and its header row as written (None
    without a header); errors name the file and sheets."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.startswith(b"PK"):
        if _looks_like_text(head):
            raise SourceError(label("message_looks_like_csv", lang).format(file=path.name, suffix=path.suffix))
        kind = "an old .xls workbook" if head.startswith(b"\xd0\xcf\x11\xe0") else "not an Excel workbook"
        raise SourceError(f"{path.name}: is {kind} but named {path.suffix}; save it as .xlsx, "
                          "or give it the suffix it has (.csv for text)")
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(f"{path.name}: the workbook is damaged or truncated ({exc}); save "
                          "it again from Excel") from exc
    with book:
        names = book.sheet_names
        wanted = 0 if sheet is None else sheet
        if isinstance(wanted, str) and wanted not in names:
            raise SourceError(f"{path.name}: no sheet {wanted!r} (key 'sheet'); the workbook "
                              f"has {names}")
        if isinstance(wanted, int) and not 0 <= wanted < len(names):
            raise SourceError(f"{path.name}: sheet position {wanted} (key 'sheet') is beyond "
                              f"the {len(names)} sheet(s) {names}; positions start at 0")
        try:
            # Excel cells keep their types here (dates as datetimes, serials as numbers);
            # cleaning handles both, which is what users' files contain.
            frame = pd.read_excel(book, sheet_name=wanted, header=header, dtype=object,
                                  keep_default_na=False)
            # the header as written: pandas renames a repeated 'x' to 'x.1'
            cells = None if header is None else _first_row(pd.read_excel(
                book, sheet_name=wanted, header=None, skiprows=header, nrows=1, dtype=object))
            return frame, cells
        except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
            raise SourceError(f"{path.name}: the workbook is damaged or truncated ({exc}); "
                              "save it again from Excel") from exc


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("gb18030")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in head


def marker_key(value: str) -> str:
    """The form in which missing-value markers are compared: NFKC, stripped, casefolded.

    Parameters
    ----------
    value : str
        A cell's text or a marker such as ``"N/A"``.

    Returns
    -------
    str
        ``"n/a"`` for ``" Ｎ/Ａ "`` (full-width letters, spaces): the same key for every
        way of writing a marker, as :func:`mark_missing` compares them.

    Examples
    --------
    >>> marker_key(" Ｎ/Ａ ")
    'n/a'
    """
    return unicodedata.normalize("NFKC", value).strip().casefold()


def mark_missing(
    frame: pd.DataFrame,
    missing_values: Iterable[str] = MISSING_VALUES,
    missing_codes: Iterable[float | str] = (),
) -> pd.DataFrame:
    """Set every cell that means "missing" to None, the same way for every file format.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cells as read (text, numbers, datetimes, missing).
    missing_values : iterable of str
        Markers compared with each text cell after stripping blanks, NFKC normalisation
        and case folding, so "NULL", " null " and "Ｎｕｌｌ" all match "NULL". Default
        :data:`MISSING_VALUES`.
    missing_codes : iterable of number or str
        Missing codes such as -99: a cell whose number equals a code (text "-99",
        "-99.0" or the number -99) is missing.

    Returns
    -------
    pandas.DataFrame
        A copy; matched cells are None in object columns (NaN in numeric ones). Columns
        whose cells are all missing stay, so the mapping still finds them.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": ["C1", "NULL", " n/a ", "无"], "x": ["1", "-99", "", "2"]})
    >>> mark_missing(frame, missing_codes=[-99])["id"].tolist()
    ['C1', None, None, None]
    >>> mark_missing(frame, missing_codes=[-99])["x"].tolist()
    ['1', None, None, '2']
    """
    markers = {marker_key(str(m)) for m in missing_values}
    codes = [c for c in missing_codes]
    numeric_codes = pd.to_numeric(pd.Series([str(c) for c in codes], dtype=object),
                                  errors="coerce").dropna().astype(float).tolist()
    text_codes = {marker_key(str(c)) for c in codes}
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            if numeric_codes:
                out[column] = values.where(~values.isin(numeric_codes))
            continue
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue  # datetimes, booleans, categories
        is_text = values.map(lambda v: isinstance(v, str)).astype(bool)
        if not is_text.any() and not numeric_codes:
            continue
        key = values[is_text].astype(str).str.normalize("NFKC").str.strip().str.casefold()
        hit = pd.Series(False, index=values.index)
        hit[key.index] = key.isin(markers | text_codes).to_numpy()
        if numeric_codes:
            number = pd.to_numeric(values.where(~values.map(lambda v: isinstance(v, bool))),
                                   errors="coerce")
            hit |= number.isin(numeric_codes).fillna(False).astype(bool)
        if hit.any():
            out[column] = values.astype(object).where(~hit.to_numpy(), None)
    return out


def apply_mapping(
    frame: pd.DataFrame,
    mapping: Mapping[str, str],
    table: str,
    *,
    source: str = "<frame>",
    lang: str = "en",
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
    lang : {"en", "zh"}
        Language of the message about a repeated header.

    Returns
    -------
    pandas.DataFrame
        Canonical columns first in canonical order; for ``survey``, every other column
        of the file (the items) is kept after them.

    Raises
    ------
    ColumnMappingError
        When a mapped (or required) column is not in the file.
    ValueError
        When a column to be read occurs more than once in the file's header (as
        :func:`read_table` names the repeats): which one is meant would be a guess.
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
        if len(positions := header_positions(frame, user)) > 1:
            raise ValueError(repeated_header_message(
                source, canonical, user, positions, how="mapped" if canonical in mapping else "canonical",
                lang=lang))
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
        for user, item in items.items():
            if len(positions := header_positions(frame, user)) > 1:
                raise ValueError(repeated_header_message(source, item, user, positions, how="mapped",
                                                         lang=lang))
        missing = sorted(user for user in items if user not in frame.columns)
        if missing:
            raise ColumnMappingError(
                f"{source}: survey item column(s) {missing} from the case's mapping not "
                f"found; the file has columns {list(frame.columns)}"
            )
        out = out.rename(columns=items)
        canonical_cols += [c for c in out.columns if c not in canonical_cols]
    return out[canonical_cols].copy()


def repeated_header_message(source: str, canonical: str, text: str, positions: list[int], *,
                            how: str = "canonical", lang: str = "en") -> str:
    """The error for a column that the header has more than once and the case reads.

    Parameters
    ----------
    source : str
        The file's name.
    canonical : str
        What the column is read as (``amount``, a survey item ``S1``).
    text : str
        The header text written more than once.
    positions : list of int
        Its 1-based positions (:func:`header_positions`).
    how : {"mapped", "canonical", "spec_item"}
        Why the column is read: the case maps ``canonical`` to it, it has the canonical
        name, or it is an item of the survey's model spec.
    lang : {"en", "zh"}

    Returns
    -------
    str
        Naming the file, the text, every position with its spreadsheet letter and the
        key, and saying to rename one and map the one meant.

    Examples
    --------
    >>> repeated_header_message("orders.csv", "amount", "金额", [3, 4], how="mapped")[:61]
    "orders.csv: the header has '金额' 2 times, in columns 3 (C) and"
    """
    from workbench._xlsx import column_letter

    if how not in ("mapped", "canonical", "spec_item"):
        raise ValueError(f"how={how!r}; use 'mapped', 'canonical' or 'spec_item'")
    where = " and ".join(f"{p} ({column_letter(p - 1)})" for p in positions)
    if lang == "zh":
        where = "、".join(f"{p}（{column_letter(p - 1)}）" for p in positions)
    reason = label(f"message_repeated_how_{how}", lang).format(canonical=canonical)
    return label("message_repeated_header", lang).format(source=source, text=text, count=len(positions),
                                                         where=where, how=reason, canonical=canonical)
