"""Parse, validate and quarantine: from mapped raw text to typed canonical tables.

Every input row ends in exactly one of two places: the clean table or the quarantine
table with a reason code. ``rows in = rows kept + rows quarantined`` holds for every
input (it is a property test). Rows are never dropped silently; returns (negative
amounts) and extreme amounts are kept and flagged, not removed. A blank cell is one
that is empty, only blanks, or missing as read (None, NaN, ``pd.NA``, NaT: Excel and
Parquet give those where a CSV gives "").

Reason codes for transactions, checked in this order (a row gets the first that
applies):

========================  ==========================================================
``customer_id_missing``   blank customer id
``date_missing``          blank date cell
``date_unparseable``      a date in none of the supported forms, or beyond the years
                          1677-2262 that datetime64[ns] holds
``amount_missing``        blank amount cell
``amount_not_numeric``    an amount that is not a number after removing currency
                          marks, thousands separators and Chinese units, including
                          an ambiguous comma ("12,34": see :func:`parse_amounts`)
``amount_not_finite``     an amount that parses to infinity ("inf", "1e400")
``<col>_not_numeric``     the same for quantity, cost, gross_profit, sales_expense,
                          where blank cells are allowed and stay missing
``<col>_not_finite``      the same
``date_out_of_window``    a date before the case's start or after its end
``duplicate_row``         an exact copy of an earlier row (the first copy is kept)
========================  ==========================================================

For customers see :func:`clean_customers`, for survey respondents
:func:`clean_respondents`. Ids (customer, order, product, respondent) are text; a
number that is a whole number, as Excel and Parquet often store ids (1001.0), becomes
"1001", so the same customer read from a CSV and an Excel file joins.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.schema import CUSTOMER_RANGES, validate_customers, validate_transactions

__all__ = [
    "CleaningResult",
    "clean_customers",
    "clean_respondents",
    "clean_transactions",
    "parse_amounts",
    "parse_dates",
]

_OPTIONAL_NUMERIC = ("quantity", "cost", "gross_profit", "sales_expense")
_UNITS = {"千": 1e3, "万": 1e4, "亿": 1e8}
# Thousands separators: a comma, apostrophe (1'234) or blank (thin spaces become blanks
# under NFKC), each followed by exactly three digits, one kind per number.
_GROUPED = tuple(rf"[+-]?\d{{1,3}}(?:{sep}\d{{3}})+(?:\.\d+)?" for sep in (",", "'", " "))
_CURRENCY = r"(?i)\s*(?:RMB|CNY|USD|EUR|[¥$€£元])\s*"
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
        Blank cells (empty text, None, NaN, ``pd.NA``) are allowed and give NaT.
    date_format : str, optional
        A :func:`~datetime.datetime.strptime` format used *instead* of the rules above,
        for day-first or month-first files (``"%d/%m/%Y"``), which are ambiguous and
        therefore never guessed.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]``, time zone removed (converted to UTC first), same index.
        Dates outside the years 1677-2262, which datetime64[ns] cannot hold, are NaT.
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if values.empty:
        return out
    if pd.api.types.is_datetime64_any_dtype(values):
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return _as_ns(values)
    # blanks stay NaT; every mask below then sees text only, never a missing value
    values = values[~_is_blank(values).to_numpy()]
    if values.dtype == object:  # Excel mixes datetime cells with text and numbers
        is_dt = values.map(lambda v: isinstance(v, (dt.date, np.datetime64))).astype(bool)
    else:
        is_dt = pd.Series(False, index=values.index)
    if is_dt.any():
        stamps = pd.to_datetime(values[is_dt], errors="coerce", utc=True).dt.tz_localize(None)
        out[stamps.index] = _as_ns(stamps)
    text = values[~is_dt].astype("string").str.normalize("NFKC").str.strip()
    if text.empty:
        return out
    if date_format is not None:
        out[text.index] = _as_ns(pd.to_datetime(text, format=date_format, errors="coerce"))
        return out
    # the common case first, on pandas' C parser; the rules below see only the rest
    plain = _as_ns(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))
    done = plain.notna()
    if done.any():
        out[text.index[done]] = plain[done]
        if done.all():
            return out
        text = text[~done]
    numeric = pd.to_numeric(text, errors="coerce")
    digits = _matches(text, r"\d+(\.\d+)?")
    serial = digits & numeric.between(*_EXCEL_SERIAL_RANGE)
    ymd_int = digits & _matches(text, r"(19|20|21)\d{6}")
    unix_s = digits & _matches(text, r"\d{10}")
    unix_ms = digits & _matches(text, r"\d{13}")
    idx = text.index
    if serial.any():
        days = numeric[serial].astype(float)
        out[idx[serial]] = _EXCEL_EPOCH + pd.to_timedelta(days.round(6), unit="D")
    if ymd_int.any():
        out[idx[ymd_int]] = _as_ns(pd.to_datetime(text[ymd_int], format="%Y%m%d", errors="coerce"))
    if unix_s.any():
        out[idx[unix_s]] = _as_ns(pd.to_datetime(numeric[unix_s], unit="s", errors="coerce"))
    if unix_ms.any():
        out[idx[unix_ms]] = _as_ns(pd.to_datetime(numeric[unix_ms], unit="ms", errors="coerce"))
    rest = ~(serial | ymd_int | unix_s | unix_ms)
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
            out[stamp.index] = _as_ns(stamp)
        other = text[rest][~parts["y"].notna().to_numpy()]
        other = other[_matches(other, r"(19|20|21)\d\d-\d\d-\d\d.*")]
        if not other.empty:
            iso = pd.to_datetime(other, format="ISO8601", errors="coerce", utc=True)
            out[other.index] = _as_ns(iso.dt.tz_localize(None))
    return out


def _as_ns(stamps: pd.Series) -> pd.Series:
    """``datetime64[ns]``, NaT where a date lies outside the years that type holds."""
    inside = stamps.between(pd.Timestamp.min, pd.Timestamp.max)
    return stamps.where(inside).astype("datetime64[ns]")


def _matches(text: pd.Series, pattern: str) -> pd.Series:
    """Plain-bool full match, False where the text is missing."""
    return text.str.fullmatch(pattern).fillna(False).astype(bool)


def parse_amounts(values: pd.Series) -> pd.Series:
    """Parse money and counts written as people write them; failures become NaN.

    Parameters
    ----------
    values : pandas.Series
        Numbers or text such as ``"¥1,234.50"``, ``"￥-12"``, ``"−5"`` (Unicode minus),
        ``"$1,000"``, ``"RMB 300"``, ``"1,234元"``, ``"1.2万"`` (12,000), ``"3亿"``,
        ``"(12.50)"`` (accounting negative), full-width digits. Blank cells (empty
        text, None, NaN, ``pd.NA``) give NaN.

    Returns
    -------
    pandas.Series
        float64, same index; NaN where the text is blank or not a number. Infinite
        values ("inf", or "1e400", which overflows float64) are returned as ±inf for
        the caller to reject.

    Notes
    -----
    Text is NFKC-normalised (full-width to ASCII), the minus sign U+2212 becomes "-",
    currency marks (¥ $ € £, RMB, CNY, USD, EUR, 元) are removed, a trailing 千/万/亿
    multiplies by 10^3/10^4/10^8, and parentheses mean a negative amount.

    Thousands separators are ``,``, ``'`` or a blank (thin and no-break spaces
    included), and only where every one of them is followed by exactly three digits:
    ``"1,234"`` and ``"1,234,567.5"`` are numbers, but ``"12,34"`` (a decimal comma,
    or a typo) and ``"1,2345"`` are ambiguous and become NaN rather than a silent
    1234. Files with decimal commas need converting before they are read.
    """
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    plain = pd.to_numeric(values, errors="coerce").astype(float)
    if plain.notna().all():  # plain numbers: skip the text rules (the common, large case)
        return plain
    text = values.astype("string").str.normalize("NFKC").str.replace("\u2212", "-").str.strip()
    negative = _matches(text, r"\(.*\)")
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    text = text.str.replace(_CURRENCY, "", regex=True).str.strip()
    multiplier = pd.Series(1.0, index=values.index)
    for unit, factor in _UNITS.items():
        has = text.str.endswith(unit).fillna(False).astype(bool)
        multiplier[has] = factor
        text = text.where(~has, text.str[:-1].str.strip())
    grouped = np.logical_or.reduce([_matches(text, pattern) for pattern in _GROUPED])
    text = text.where(~grouped, text.str.replace(r"[,' ]", "", regex=True))
    number = pd.to_numeric(text, errors="coerce").astype(float) * multiplier
    return number.where(~negative, -number)


def _is_blank(values: pd.Series) -> pd.Series:
    """Plain-bool mask of blank cells: missing as read, empty, or only blanks."""
    text = values.astype("string").str.strip()
    return (values.isna() | text.isna() | text.eq("")).fillna(True).astype(bool)


def _ids(values: pd.Series) -> pd.Series:
    """Ids as stripped text; a whole-number float (1001.0) becomes "1001"."""
    if values.dtype == object or pd.api.types.is_float_dtype(values):
        values = values.map(
            lambda v: str(int(v)) if isinstance(v, float | np.floating) and np.isfinite(v)
            and float(v).is_integer() else v)
    return values.astype("string").str.strip()


def _text(values: pd.Series) -> pd.Series:
    """Stripped text with blanks as missing: CSVs are read with ``keep_default_na=False``
    (so an id "NA" stays an id), which turns an empty cell into "" rather than NaN."""
    text = _ids(values)
    return text.mask(text == "").astype(str)


def _unique_key(frame: pd.DataFrame, column: str, q: _Quarantine) -> pd.Series:
    """The key column as ids; blank ones are ``<column>_missing``, repeats after the first
    ``<column>_duplicate``."""
    ids = _ids(frame[column])
    q.add(_is_blank(frame[column]), f"{column}_missing")
    q.add(ids.duplicated(keep="first") & ids.notna(), f"{column}_duplicate", ids)
    return ids


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
    customer = _ids(frame["customer_id"])
    q.add(_is_blank(frame["customer_id"]), "customer_id_missing")

    dates = parse_dates(frame["date"], date_format=date_format)
    q.add(_is_blank(frame["date"]), "date_missing")
    q.add(dates.isna(), "date_unparseable", frame["date"])

    typed = {"customer_id": customer, "date": dates}
    amount = parse_amounts(frame["amount"])
    q.add(_is_blank(frame["amount"]), "amount_missing")
    q.add(amount.isna(), "amount_not_numeric", frame["amount"])
    q.add(np.isinf(amount), "amount_not_finite", frame["amount"])
    typed["amount"] = amount
    for col in _OPTIONAL_NUMERIC:
        if col in frame.columns:
            parsed = parse_amounts(frame[col])
            q.add(parsed.isna() & ~_is_blank(frame[col]), f"{col}_not_numeric", frame[col])
            q.add(np.isinf(parsed), f"{col}_not_finite", frame[col])
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
        ``clean`` keeps every column, numeric ones as float, ``first_contact`` as
        datetime64[ns], blank text as missing; sorted by ``customer_id``. Reasons, in
        this order: ``customer_id_missing``, ``customer_id_duplicate`` (later rows of a
        repeated id), ``first_contact_unparseable``, then for each of ``size``,
        ``strategic_fit``, ``industry_growth`` and ``share_of_wallet``
        ``<col>_not_numeric``, ``<col>_not_finite`` and ``<col>_out_of_range`` (outside
        :data:`workbench.schema.CUSTOMER_RANGES`: size >= 0, strategic fit 1-5, share
        of wallet 0-1). Blank cells are allowed everywhere but in ``customer_id``.
    """
    if "customer_id" not in raw.columns:
        raise ValueError(
            f"customers table lacks 'customer_id'; columns present: {list(raw.columns)}"
        )
    frame = raw.reset_index(drop=True)
    q = _Quarantine(frame.index)
    ids = _unique_key(frame, "customer_id", q)
    clean = frame.copy()
    clean["customer_id"] = ids
    if "first_contact" in frame.columns:
        parsed = parse_dates(frame["first_contact"], date_format=date_format)
        q.add(parsed.isna() & ~_is_blank(frame["first_contact"]), "first_contact_unparseable",
              frame["first_contact"])
        clean["first_contact"] = parsed
    for col, (low, high) in CUSTOMER_RANGES.items():
        if col in frame.columns:
            parsed = parse_amounts(frame[col])
            q.add(parsed.isna() & ~_is_blank(frame[col]), f"{col}_not_numeric", frame[col])
            q.add(np.isinf(parsed), f"{col}_not_finite", frame[col])
            outside = pd.Series(False, index=frame.index)
            if low is not None:
                outside |= parsed < low
            if high is not None:
                outside |= parsed > high
            q.add(outside, f"{col}_out_of_range", frame[col])
            clean[col] = parsed
    keep = q.ok.to_numpy()
    clean = clean[keep]
    for col in clean.columns:
        if col != "customer_id" and (clean[col].dtype == object or pd.api.types.is_string_dtype(clean[col])):
            clean[col] = _text(clean[col])
    clean = clean.sort_values("customer_id", kind="stable").reset_index(drop=True)
    return q.result(frame, validate_customers(clean))


def clean_respondents(raw: pd.DataFrame) -> CleaningResult:
    """Check a survey's respondent ids; one row per respondent, answers untouched.

    Parameters
    ----------
    raw : pandas.DataFrame
        Canonical survey columns (after :func:`workbench.io.apply_mapping`):
        ``respondent_id`` required, ``customer_id`` optional, then the items.

    Returns
    -------
    CleaningResult
        ``clean`` has ``respondent_id`` (and ``customer_id``) as text, the items as
        read, input order. Reasons: ``respondent_id_missing`` (blank id),
        ``respondent_id_duplicate`` (later rows of a repeated id).

    Notes
    -----
    The answers are checked against the model spec (scale, missing answers,
    straight-lining) by :func:`workbench.satisfaction.clean_survey`, which knows the
    items; this function only makes sure each kept row is one identifiable respondent.
    """
    if "respondent_id" not in raw.columns:
        raise ValueError(
            f"survey lacks 'respondent_id'; columns present: {list(raw.columns)}. Map it "
            "in the case file's 'columns' section, or write respondent_id: '@row' to "
            "number the rows"
        )
    frame = raw.reset_index(drop=True)
    q = _Quarantine(frame.index)
    ids = _unique_key(frame, "respondent_id", q)
    clean = frame.copy()
    clean["respondent_id"] = ids.astype(str)
    if "customer_id" in clean.columns:
        clean["customer_id"] = _text(clean["customer_id"])
    return q.result(frame, clean[q.ok.to_numpy()].reset_index(drop=True))
