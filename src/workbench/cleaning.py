"""Parse, validate and quarantine: from mapped raw text to typed canonical tables.

Every input row ends in exactly one of two places: the clean table or the quarantine
table with a reason code. ``rows in = rows kept + rows quarantined`` holds for every
input (it is a property test). Rows are never dropped silently; returns (negative
amounts) and extreme amounts are kept and flagged, not removed.

Reason codes, checked in this order (a row gets the first that applies):

========================  ==========================================================
``customer_id_missing``   empty or blank customer id
``date_missing``          empty date cell
``date_unparseable``      a date in none of the supported forms
``amount_missing``        empty amount cell
``amount_not_numeric``    an amount that is not a number after removing currency
                          marks, thousands separators and Chinese units
``<col>_not_numeric``     the same for quantity, cost, gross_profit, sales_expense
``date_out_of_window``    a date before the case's start or after its end
``duplicate_row``         an exact copy of an earlier row (the first copy is kept)
========================  ==========================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.schema import validate_customers, validate_transactions

__all__ = [
    "CleaningResult",
    "clean_customers",
    "clean_transactions",
    "parse_amounts",
    "parse_dates",
]

_OPTIONAL_NUMERIC = ("quantity", "cost", "gross_profit", "sales_expense")
_UNITS = {"千": 1e3, "万": 1e4, "亿": 1e8}
# Y-M-D with -, /, . or 年月日 separators and an optional time of day
_YMD = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]+(?P<H>\d{1,2})[:时](?P<M>\d{2})(?:[:分](?P<S>\d{2}(?:\.\d+)?))?秒?)?$"
)
# Excel's 1900 date system counts days from 1899-12-30 (it keeps Lotus' 1900 leap bug);
# serials 20000-80000 are the years 1954-2119.
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_SERIAL_RANGE = (20_000, 80_000)


@dataclass(frozen=True)
class CleaningResult:
    """The outcome of cleaning one table.

    Attributes
    ----------
    clean : pandas.DataFrame
        Typed canonical rows, validated against :mod:`workbench.schema`.
    quarantine : pandas.DataFrame
        The rejected rows as they were read, with ``source_row`` (0-based position in
        the input), ``reason`` (a code from the module docstring) and ``detail`` (the
        offending value).
    rows_in : int
        Number of input rows; always ``len(clean) + len(quarantine)``.
    """

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    rows_in: int

    @property
    def log(self) -> pd.DataFrame:
        """Counts per outcome: ``reason``, ``rows``, ``share`` of the input, kept first."""
        counts = self.quarantine["reason"].value_counts(sort=False)
        rows = [("kept", len(self.clean))] + sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        frame = pd.DataFrame(rows, columns=["reason", "rows"])
        frame["share"] = frame["rows"] / self.rows_in if self.rows_in else np.nan
        return frame


def parse_dates(values: pd.Series, *, date_format: str | None = None) -> pd.Series:
    """Parse dates in the forms users' files contain; unparseable values become NaT.

    Parameters
    ----------
    values : pandas.Series
        Text, numbers or datetimes. Accepted without a format: ISO dates and
        timestamps (``2024-01-05``, ``2024-01-05T10:30:00Z``), ``2024/1/5``,
        ``2024.1.5``, ``2024年1月5日`` (with optional time), ``yyyymmdd`` integers,
        Excel serial day numbers (20000-80000, 1900 date system), Unix timestamps in
        seconds (10 digits) or milliseconds (13 digits), and datetime cells from Excel.
    date_format : str, optional
        A :func:`~datetime.datetime.strptime` format used *instead* of the rules above,
        for day-first or month-first files (``"%d/%m/%Y"``), which are ambiguous and
        therefore never guessed.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]``, time zone removed (converted to UTC first), same index.
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if values.empty:
        return out
    if pd.api.types.is_datetime64_any_dtype(values):
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return values.astype("datetime64[ns]")
    if values.dtype == object:  # Excel mixes datetime cells with text and numbers
        is_dt = values.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"))
    else:
        is_dt = pd.Series(False, index=values.index)
    if is_dt.any():
        out[is_dt] = pd.to_datetime(values[is_dt], errors="coerce", utc=True).dt.tz_localize(None)
    text = values[~is_dt].astype("string").str.normalize("NFKC").str.strip()
    if date_format is not None:
        out[~is_dt] = pd.to_datetime(text, format=date_format, errors="coerce")
        return out
    # the common case first, on pandas' C parser; the rules below see only the rest
    plain = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    done = plain.notna()
    if done.any():
        out[text.index[done]] = plain[done].astype("datetime64[ns]")
        if done.all():
            return out
        text = text[~done]
    numeric = pd.to_numeric(text, errors="coerce")
    digits = text.str.fullmatch(r"\d+(\.\d+)?").fillna(False)
    serial = digits & numeric.between(*_EXCEL_SERIAL_RANGE)
    ymd_int = digits & text.str.fullmatch(r"(19|20|21)\d{6}").fillna(False)
    unix_s = digits & text.str.fullmatch(r"\d{10}").fillna(False)
    unix_ms = digits & text.str.fullmatch(r"\d{13}").fillna(False)
    idx = text.index
    if serial.any():
        days = numeric[serial].astype(float)
        out[idx[serial]] = _EXCEL_EPOCH + pd.to_timedelta(days.round(6), unit="D")
    if ymd_int.any():
        out[idx[ymd_int]] = pd.to_datetime(text[ymd_int], format="%Y%m%d", errors="coerce")
    if unix_s.any():
        out[idx[unix_s]] = pd.to_datetime(numeric[unix_s], unit="s")
    if unix_ms.any():
        out[idx[unix_ms]] = pd.to_datetime(numeric[unix_ms], unit="ms")
    rest = ~(serial | ymd_int | unix_s | unix_ms) & text.notna() & (text != "")
    if rest.any():
        parts = text[rest].str.extract(_YMD)
        # years outside 1900-2199 are typos, and beyond datetime64[ns] near the ends
        matched = parts["y"].notna() & parts["y"].str.match(r"(19|20|21)\d\d").fillna(False)
        if matched.any():
            p = parts[matched].fillna({"H": "0", "M": "0", "S": "0"})
            stamp = pd.to_datetime(
                {"year": p["y"].astype(int), "month": p["m"].astype(int),
                 "day": p["d"].astype(int), "hour": p["H"].astype(int),
                 "minute": p["M"].astype(int), "second": p["S"].astype(float)},
                errors="coerce",
            )
            out[stamp.index] = stamp.astype("datetime64[ns]")
        other = text[rest][~parts["y"].notna().to_numpy()]
        other = other[other.str.match(r"(19|20|21)\d\d-\d\d-\d\d").fillna(False)]
        if not other.empty:
            iso = pd.to_datetime(other, format="ISO8601", errors="coerce", utc=True)
            out[other.index] = iso.dt.tz_localize(None).astype("datetime64[ns]")
    return out


def parse_amounts(values: pd.Series) -> pd.Series:
    """Parse money and counts written as people write them; failures become NaN.

    Parameters
    ----------
    values : pandas.Series
        Numbers or text such as ``"¥1,234.50"``, ``"￥-12"``, ``"$1,000"``,
        ``"RMB 300"``, ``"1,234元"``, ``"1.2万"`` (12,000), ``"3亿"``, ``"(12.50)"``
        (accounting negative), full-width digits.

    Returns
    -------
    pandas.Series
        float64, same index; NaN where the text is empty or not a number.

    Notes
    -----
    Text is NFKC-normalised (full-width to ASCII), currency marks (¥ $ € £, RMB, CNY,
    USD, 元) and thousands separators (``,`` and thin spaces) are removed, a trailing
    千/万/亿 multiplies by 10^3/10^4/10^8, and parentheses mean a negative amount.
    """
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    plain = pd.to_numeric(values, errors="coerce").astype(float)
    if plain.notna().all():  # plain numbers: skip the text rules (the common, large case)
        return plain
    text = values.astype("string").str.normalize("NFKC").str.strip()
    negative = text.str.fullmatch(r"\(.*\)").fillna(False)
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    text = text.str.replace(r"(?i)\b(RMB|CNY|USD|EUR)\b|[¥$€£元\s,']", "", regex=True)
    multiplier = pd.Series(1.0, index=values.index)
    for unit, factor in _UNITS.items():
        has = text.str.endswith(unit).fillna(False)
        multiplier[has] = factor
        text = text.where(~has, text.str[:-1])
    number = pd.to_numeric(text, errors="coerce").astype(float) * multiplier
    return number.where(~negative, -number)


def _is_blank(values: pd.Series) -> pd.Series:
    return values.isna() | values.astype("string").str.strip().fillna("").eq("")


def _text(values: pd.Series) -> pd.Series:
    """Stripped text with blanks as missing: CSVs are read with ``keep_default_na=False``
    (so an id "NA" stays an id), which turns an empty cell into "" rather than NaN."""
    text = values.astype("string").str.strip()
    return text.mask(text == "").astype(str)


class _Quarantine:
    """Collects reasons per row; the first reason a row gets is the one that sticks."""

    def __init__(self, index: pd.Index):
        self.reason = pd.Series(pd.NA, index=index, dtype="string")
        self.detail = pd.Series(pd.NA, index=index, dtype="string")

    def add(self, mask: pd.Series, reason: str, detail: pd.Series | None = None) -> None:
        new = mask & self.reason.isna()
        self.reason[new] = reason
        if detail is not None:
            self.detail[new] = detail[new].astype("string")

    @property
    def ok(self) -> pd.Series:
        return self.reason.isna()

    def result(self, frame: pd.DataFrame, clean: pd.DataFrame) -> CleaningResult:
        """Pair the clean rows with the rejected input rows, their reasons and details."""
        bad = ~self.ok.to_numpy()
        quarantine = frame[bad].copy()
        quarantine.insert(0, "source_row", frame.index[bad])
        quarantine["reason"] = self.reason[bad].astype(str)
        quarantine["detail"] = self.detail[bad]
        return CleaningResult(clean=clean, quarantine=quarantine.reset_index(drop=True),
                              rows_in=len(frame))


def clean_transactions(
    raw: pd.DataFrame,
    *,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    date_format: str | None = None,
    outlier_iqr: float = 3.0,
    duplicates: str = "quarantine",
) -> CleaningResult:
    """Turn mapped raw transactions into the canonical, typed, validated table.

    Parameters
    ----------
    raw : pandas.DataFrame
        Canonical column names (after :func:`workbench.io.apply_mapping`), values as
        read. Required: ``customer_id``, ``date``, ``amount``.
    start, end : date-like, optional
        The case's window, inclusive; dates outside go to quarantine. ``end`` includes
        the whole day.
    date_format : str, optional
        Passed to :func:`parse_dates` for day-first or month-first files.
    outlier_iqr : float
        Amounts above ``Q3 + outlier_iqr * IQR`` of the positive amounts are flagged
        ``is_outlier`` (Tukey's far-out fence at 3.0); they are kept.
    duplicates : {"quarantine", "keep"}
        What to do with exact copies of an earlier row. ``"keep"`` suits files without
        an order id whose identical lines are separate purchases (CDNOW); they are then
        flagged ``is_duplicate`` instead.

    Returns
    -------
    CleaningResult
        ``clean`` has the canonical columns in canonical order plus ``is_return``
        (amount < 0) and ``is_outlier``, sorted stably by customer, date and input order;
        ``order_id`` is created as the 1-based input row number when absent, and as
        ``"line-<row>"`` where it is blank (each such line its own order). Blank text in
        ``product_id`` and ``channel`` becomes missing (NaN), as in the customers table.
    """
    missing = [c for c in ("customer_id", "date", "amount") if c not in raw.columns]
    if missing:
        raise ValueError(
            f"transactions lack canonical column(s) {missing}; columns present: "
            f"{list(raw.columns)}. Map them in the case file's 'columns' section."
        )
    frame = raw.reset_index(drop=True)
    q = _Quarantine(frame.index)
    customer = frame["customer_id"].astype("string").str.strip()
    q.add(_is_blank(frame["customer_id"]), "customer_id_missing")

    dates = parse_dates(frame["date"], date_format=date_format)
    q.add(_is_blank(frame["date"]), "date_missing")
    q.add(dates.isna(), "date_unparseable", frame["date"])

    typed = {"customer_id": customer, "date": dates}
    amount = parse_amounts(frame["amount"])
    q.add(_is_blank(frame["amount"]), "amount_missing")
    q.add(amount.isna(), "amount_not_numeric", frame["amount"])
    typed["amount"] = amount
    for col in _OPTIONAL_NUMERIC:
        if col in frame.columns:
            parsed = parse_amounts(frame[col])
            q.add(parsed.isna() & ~_is_blank(frame[col]), f"{col}_not_numeric", frame[col])
            typed[col] = parsed

    if start is not None:
        q.add(dates < pd.Timestamp(start), "date_out_of_window", frame["date"])
    if end is not None:
        limit = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
        q.add(dates >= limit, "date_out_of_window", frame["date"])
    if duplicates not in {"quarantine", "keep"}:
        raise ValueError(f"duplicates={duplicates!r}; use 'quarantine' or 'keep'")
    repeated = frame.astype("string").duplicated(keep="first")
    if duplicates == "quarantine":
        q.add(repeated, "duplicate_row")

    keep = q.ok.to_numpy()
    clean = pd.DataFrame(index=frame.index[keep])
    clean["customer_id"] = typed["customer_id"][keep].astype(str)
    # without an order id every line is its own order; a blank id likewise (never one
    # big order "" that would merge unrelated purchases)
    line_ids = pd.Series(np.arange(1, len(frame) + 1).astype(str), index=frame.index)
    clean["order_id"] = (
        _text(frame["order_id"]).fillna("line-" + line_ids)[keep]
        if "order_id" in frame.columns
        else line_ids[keep]
    )
    clean["date"] = typed["date"][keep]
    clean["amount"] = typed["amount"][keep]
    for col in _OPTIONAL_NUMERIC:
        if col in typed:
            clean[col] = typed[col][keep]
    for col in ("product_id", "channel"):
        if col in frame.columns:
            clean[col] = _text(frame[col])[keep]
    if "cost" in clean.columns and "gross_profit" not in clean.columns:
        clean["gross_profit"] = clean["amount"] - clean["cost"]
    clean["is_return"] = clean["amount"] < 0
    if duplicates == "keep":
        clean["is_duplicate"] = repeated[keep].to_numpy()
    positive = clean.loc[clean["amount"] > 0, "amount"]
    if len(positive):
        q1, q3 = positive.quantile([0.25, 0.75])
        clean["is_outlier"] = clean["amount"] > q3 + outlier_iqr * (q3 - q1)
    else:
        clean["is_outlier"] = False
    clean = clean.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)
    return q.result(frame, validate_transactions(clean))


def clean_customers(raw: pd.DataFrame, *, date_format: str | None = None) -> CleaningResult:
    """Type and validate the customers table; one row per customer.

    Parameters
    ----------
    raw : pandas.DataFrame
        Canonical column names; ``customer_id`` required.
    date_format : str, optional
        Format of ``first_contact`` when it is day-first or month-first.

    Returns
    -------
    CleaningResult
        Reasons: ``customer_id_missing``, ``customer_id_duplicate`` (later rows of a
        repeated id), ``first_contact_unparseable``, ``<col>_not_numeric`` for
        ``size``, ``strategic_fit``, ``industry_growth``, ``share_of_wallet``.
    """
    if "customer_id" not in raw.columns:
        raise ValueError(
            f"customers table lacks 'customer_id'; columns present: {list(raw.columns)}"
        )
    frame = raw.reset_index(drop=True)
    q = _Quarantine(frame.index)
    ids = frame["customer_id"].astype("string").str.strip()
    q.add(_is_blank(frame["customer_id"]), "customer_id_missing")
    q.add(ids.duplicated(keep="first") & ids.notna(), "customer_id_duplicate", ids)
    clean = frame.copy()
    clean["customer_id"] = ids
    if "first_contact" in frame.columns:
        parsed = parse_dates(frame["first_contact"], date_format=date_format)
        q.add(parsed.isna() & ~_is_blank(frame["first_contact"]), "first_contact_unparseable",
              frame["first_contact"])
        clean["first_contact"] = parsed
    for col in ("size", "strategic_fit", "industry_growth", "share_of_wallet"):
        if col in frame.columns:
            parsed = parse_amounts(frame[col])
            q.add(parsed.isna() & ~_is_blank(frame[col]), f"{col}_not_numeric", frame[col])
            clean[col] = parsed
    keep = q.ok.to_numpy()
    clean = clean[keep]
    for col in clean.columns:
        if col != "customer_id" and (clean[col].dtype == object or pd.api.types.is_string_dtype(clean[col])):
            clean[col] = _text(clean[col])
    clean = clean.sort_values("customer_id", kind="stable").reset_index(drop=True)
    return q.result(frame, validate_customers(clean))
