"""Parse, validate and quarantine: from mapped raw text to typed canonical tables.

Every input row ends in exactly one of two places: the clean table or the quarantine
table with a reason code. ``rows in = rows kept + rows quarantined`` holds for every
input (it is a property test). Rows are never dropped silently; returns (negative
amounts) and extreme amounts are kept and flagged, not removed. A blank cell is one
that is empty, only blanks, or missing as read (None, NaN, ``pd.NA``, NaT: Excel and
Parquet give those where a CSV gives "").

Reason codes for transactions, checked in this order (a row gets the first that
applies). :data:`TRANSACTION_REASONS` holds the same list for other engines to mirror.

=========================  =========================================================
``blank_row``              every cell of the row is blank (an empty line, ``,,,``)
``customer_id_missing``    blank customer id (a missing marker such as ``NULL`` or
                           ``无`` counts as blank: see :data:`workbench.io.MISSING_VALUES`)
``date_missing``           blank date cell
``date_unparseable``       a date in none of the supported forms, or beyond the years
                           1677-2262 that datetime64[ns] holds
``amount_missing``         blank amount cell
``amount_not_numeric``     an amount that is not a number after removing currency
                           marks, thousands separators and Chinese units, including
                           an ambiguous comma ("12,34": see :func:`parse_amounts`)
``amount_not_finite``      an amount that parses to infinity ("inf", "1e400")
``<col>_not_numeric``      the same for quantity, cost, gross_profit, sales_expense,
                           where blank cells are allowed and stay missing
``<col>_not_finite``       the same
``date_in_future``         a date after the day of the run (``today``): no purchase
                           can have happened yet; checked whether or not ``end`` is set
``date_out_of_window``     a date before the case's start or after its end
``duplicate_row``          a copy of an earlier row once values are normalised
                           (blanks trimmed, numbers and dates parsed, so " 12.50"
                           and "12.5" are equal); the first copy is kept
``order_id_conflict``      a row whose order id is shared with another row that
                           disagrees: a different customer or calendar day (an order
                           has one customer and one date), or, for the same order
                           line (order id, and product id when mapped), any other
                           value. ``detail`` names the other row. With
                           ``conflicts="quarantine"`` every row of the disagreement
                           is quarantined; ``"keep_first"``/``"keep_last"`` keep the
                           first/last row of the order (of the line) and quarantine
                           the rows that disagree with it
=========================  =========================================================

Dates are calendar dates as written: ``2024-05-16T00:30:00+08:00`` is 16 May (the
offset is not applied), unless a ``time_zone`` is given, in which case times with an
offset (and Unix timestamps, which are instants) are converted to that zone first and
times without one are taken as already in it.

For customers see :func:`clean_customers`, for survey respondents
:func:`clean_respondents`. Ids (customer, order, product, respondent) are text; a
number that is a whole number, as Excel and Parquet often store ids (1001.0), becomes
"1001", so the same customer read from a CSV and an Excel file joins.

Reason codes for opportunities (:func:`clean_opportunities`, one row per stage entered).
Row reasons first, in this order; the other rows of an opportunity with such a row get
``opportunity_has_bad_row`` (its history would have a gap). Then the reasons that
quarantine every row of an opportunity:

==============================  ====================================================
``opportunity_id_missing``      blank opportunity id (this row only)
``stage_missing``               blank stage
``stage_unknown``               a stage not in the case's stages nor the won/lost
                                stage (``parameters.funnel.stages``)
``stage_date_missing``          blank stage date
``stage_date_unparseable``      as for transaction dates
``created_unparseable``         a created date that is not a date
``<col>_not_numeric``           expected_value, sales_expense: not a number
``<col>_not_finite``            the same, infinite
``<col>_negative``              the same, below 0
``<col>_not_valid``             money, authority, need: neither yes/no nor a number
``<col>_out_of_range``          the same, a number outside 0-5
``stage_date_out_of_window``    a stage dated after the case's end
``duplicate_row``               an exact copy of an earlier row (this row only)
``opportunity_has_bad_row``     another row of the opportunity was quarantined
``stage_repeated``              the opportunity entered the same stage twice
``closed_twice``                more than one won/lost row (won twice, won and lost)
``stage_dates_out_of_order``    a stage dated before a stage earlier in the funnel,
                                or the created date after the first stage
``customer_id_conflict``        rows name different customers
``won_without_customer_id``     won, but no row names the customer
``won_without_order``           won, but the customer has no order on or after the
                                won date (wins in the last ``order_grace_days`` of
                                the orders are not checked)
==============================  ====================================================
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench._periods import _zone
from workbench.schema import CUSTOMER_RANGES, validate_customers, validate_transactions

__all__ = [
    "CONFLICT_RULES",
    "CUSTOMER_REASONS",
    "RESPONDENT_REASONS",
    "TRANSACTION_REASONS",
    "CleaningResult",
    "clean_customers",
    "clean_opportunities",
    "clean_respondents",
    "clean_transactions",
    "parse_amounts",
    "parse_dates",
]

_OPTIONAL_NUMERIC = ("quantity", "cost", "gross_profit", "sales_expense")

#: Transaction reason codes in the order they are checked (``<col>`` stands for each of
#: quantity, cost, gross_profit, sales_expense).
TRANSACTION_REASONS: tuple[str, ...] = (
    "blank_row", "customer_id_missing", "date_missing", "date_unparseable", "amount_missing",
    "amount_not_numeric", "amount_not_finite", "<col>_not_numeric", "<col>_not_finite",
    "date_in_future", "date_out_of_window", "duplicate_row", "order_id_conflict",
)
#: Customer reason codes in order (``<col>``: size, strategic_fit, industry_growth,
#: share_of_wallet).
CUSTOMER_REASONS: tuple[str, ...] = (
    "blank_row", "customer_id_missing", "customer_id_duplicate", "first_contact_unparseable",
    "first_contact_in_future", "<col>_not_numeric", "<col>_not_finite", "<col>_out_of_range",
)
#: Survey respondent reason codes in order (the answers are checked by
#: :func:`workbench.satisfaction.clean_survey`).
RESPONDENT_REASONS: tuple[str, ...] = ("blank_row", "respondent_id_missing",
                                       "respondent_id_duplicate")
#: What :func:`clean_transactions` does with rows of one order id that disagree.
CONFLICT_RULES = ("quarantine", "keep_first", "keep_last")
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
        the input), ``row`` (the row number in the file: ``source_row + first_row``),
        ``reason`` (a code from the module docstring) and ``detail`` (the offending
        value, or for a conflict the other row).
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


def parse_dates(values: pd.Series, *, date_format: str | None = None,
                time_zone: str | None = None) -> pd.Series:
    """Parse dates in the forms users' files contain; unparseable values become NaT.

    Parameters
    ----------
    values : pandas.Series
        Text, numbers or datetimes. Accepted without a format: ISO dates and
        timestamps (``2024-01-05``, ``2024-01-05T10:30:00``, with an optional UTC
        offset ``Z``, ``+08:00``, ``+0800``), ``2024/1/5``, ``2024.1.5``,
        ``2024年1月5日`` (with optional time), ``yyyymmdd`` integers, Excel serial day
        numbers (20000-80000, 1900 date system), Unix timestamps in seconds (10 digits)
        or milliseconds (13 digits), and datetime cells from Excel. Blank cells (empty
        text, None, NaN, ``pd.NA``) are allowed and give NaT.
    date_format : str, optional
        A :func:`~datetime.datetime.strptime` format used *instead* of the rules above,
        for day-first or month-first files (``"%d/%m/%Y"``), which are ambiguous and
        therefore never guessed. A UTC offset after the time is read separately, so
        the format needs no ``%z``.
    time_zone : str, optional
        An IANA zone (``"Asia/Shanghai"``). Without it a date is the calendar date and
        time as written, whatever the offset (``2024-05-16T00:30:00+08:00`` is
        2024-05-16 00:30) and Unix timestamps are read in UTC. With it, times that
        carry an offset, time-zone-aware cells and Unix timestamps are converted to
        the zone; times without an offset are taken as already in it.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]`` without time zone (local wall-clock time), same index.
        Dates outside the years 1677-2262, which datetime64[ns] cannot hold, are NaT.

    Examples
    --------
    >>> s = pd.Series(["2024-05-16T00:30:00+08:00", "2024-05-15T23:00:00Z"])
    >>> parse_dates(s).dt.strftime("%Y-%m-%d %H:%M").tolist()
    ['2024-05-16 00:30', '2024-05-15 23:00']
    >>> parse_dates(s, time_zone="Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M").tolist()
    ['2024-05-16 00:30', '2024-05-16 07:00']
    """
    zone = _zone(time_zone)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if values.empty:
        return out
    if pd.api.types.is_datetime64_any_dtype(values):
        return _as_ns(_wall_clock(values, zone))
    # blanks stay NaT; every mask below then sees text only, never a missing value
    values = values[~_is_blank(values).to_numpy()]
    if values.dtype == object:  # Excel mixes datetime cells with text and numbers
        is_dt = values.map(lambda v: isinstance(v, (dt.date, np.datetime64))).astype(bool)
    else:
        is_dt = pd.Series(False, index=values.index)
    if is_dt.any():
        cells = values[is_dt]
        aware = cells.map(lambda v: isinstance(v, dt.datetime) and v.tzinfo is not None).astype(bool)
        stamps = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
        if (~aware).any():
            stamps[~aware] = _as_ns(pd.to_datetime(cells[~aware], errors="coerce"))
        if aware.any():
            stamps[aware] = [_as_ns(_wall_clock(pd.Series([pd.Timestamp(v)]), zone)).iloc[0]
                             for v in cells[aware]]
        out[stamps.index] = stamps
    text = values[~is_dt].astype("string").str.normalize("NFKC").str.strip()
    if text.empty:
        return out
    # a UTC offset after a time of day is split off; the wall-clock time is parsed below
    parts = text.str.extract(_OFFSET)
    offset_minutes = pd.Series(np.nan, index=text.index)
    has_offset = parts["body"].notna().to_numpy()
    if has_offset.any():
        text = text.where(~has_offset, parts["body"])
        offset_minutes[has_offset] = [_offset_minutes(v) for v in parts["tz"][has_offset]]
    parsed, unix = _parse_text(text, date_format)
    if zone is not None:
        instant = has_offset | unix.to_numpy()
        if instant.any():
            utc = parsed[instant] - pd.to_timedelta(offset_minutes[instant].fillna(0), unit="min")
            local = utc.dt.tz_localize("UTC").dt.tz_convert(zone).dt.tz_localize(None)
            parsed[instant] = _as_ns(local)
    out[parsed.index] = parsed
    return out


# "<date> <time>" followed by an offset: Z, UTC, GMT, +08:00, +0800, +08 (also after "UTC")
_OFFSET = re.compile(
    r"^(?P<body>.*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*"
    r"(?P<tz>Z|(?:UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}(?::?\d{2})?)$",
    re.IGNORECASE,
)


def _offset_minutes(text: str) -> float:
    """Minutes east of UTC of an offset text: "Z" 0, "+08:00" 480, "-0530" -330."""
    sign = re.search(r"[+-]", text)
    if sign is None:
        return 0.0
    digits = re.sub(r"\D", "", text[sign.start():])
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    return (1 if sign.group() == "+" else -1) * (60.0 * hours + minutes)


def _wall_clock(stamps: pd.Series, zone: zoneinfo.ZoneInfo | None) -> pd.Series:
    """Naive local times: aware ones converted to ``zone`` if given, else as stored."""
    if getattr(stamps.dt, "tz", None) is None:
        return stamps
    if zone is not None:
        stamps = stamps.dt.tz_convert(zone)
    return stamps.dt.tz_localize(None)


def _parse_text(text: pd.Series, date_format: str | None) -> tuple[pd.Series, pd.Series]:
    """Naive datetimes from text without offsets, and a mask of the Unix timestamps."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    unix = pd.Series(False, index=text.index)
    if date_format is not None:
        out[text.index] = _as_ns(pd.to_datetime(text, format=date_format, errors="coerce"))
        return out, unix
    # the common case first, on pandas' C parser; the rules below see only the rest
    plain = _as_ns(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))
    done = plain.notna()
    if done.any():
        out[text.index[done]] = plain[done]
        if done.all():
            return out, unix
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
    unix[idx[unix_s | unix_ms]] = True
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
            iso = pd.to_datetime(other, format="ISO8601", errors="coerce")
            out[other.index] = _as_ns(iso)
    return out, unix


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
    """Ids as NFKC-normalised, stripped text; a whole-number float (1001.0) becomes "1001".

    NFKC makes full-width letters and digits (``Ｋ１`` from a Chinese input method)
    the ASCII ones, so ``Ｋ1`` in one table joins ``K1`` in another; the engine path
    normalises the same way (:mod:`workbench.engines.cleaning`).
    """
    if values.dtype == object or pd.api.types.is_float_dtype(values):
        values = values.map(
            lambda v: str(int(v)) if isinstance(v, float | np.floating) and np.isfinite(v)
            and float(v).is_integer() else v)
    return values.astype("string").str.normalize("NFKC").str.strip()


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


def _blank_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is blank (an empty line of a text file, ``,,,``)."""
    if frame.shape[1] == 0:
        return pd.Series(True, index=frame.index)
    return pd.concat([_is_blank(frame[c]) for c in frame.columns], axis=1).all(axis=1)


def _today(today: str | pd.Timestamp | None) -> pd.Timestamp:
    """The day of the run (midnight), or the given day: the limit of possible dates."""
    return (pd.Timestamp.today() if today is None else pd.Timestamp(today)).normalize()


class _Quarantine:
    """Collects reasons per row; the first reason a row gets is the one that sticks."""

    def __init__(self, index: pd.Index, first_row: int = 2):
        self.reason = pd.Series(pd.NA, index=index, dtype="string")
        self.detail = pd.Series(pd.NA, index=index, dtype="string")
        self.first_row = first_row

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
        quarantine.insert(1, "row", frame.index[bad] + self.first_row)
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
    conflicts: str = "quarantine",
    time_zone: str | None = None,
    today: str | pd.Timestamp | None = None,
    first_row: int = 2,
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
        What to do with copies of an earlier row (compared after normalisation).
        ``"keep"`` suits files without an order id whose identical lines are separate
        purchases (CDNOW); they are then flagged ``is_duplicate`` instead.
    conflicts : {"quarantine", "keep_first", "keep_last"}
        What to do with rows of one order id that disagree (``order_id_conflict`` in
        the module docstring): quarantine them all, or keep the first (last) row of
        the order and quarantine those that disagree with it.
    time_zone : str, optional
        IANA zone the dates are converted to; see :func:`parse_dates`.
    today : date-like, optional
        The day of the run; later dates are ``date_in_future``. Default: today.
    first_row : int
        The file's row number of the first data row, for ``row`` in the quarantine and
        the row numbers in details (2 for a file whose header is row 1).

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
    if duplicates not in {"quarantine", "keep"}:
        raise ValueError(f"duplicates={duplicates!r}; use 'quarantine' or 'keep'")
    if conflicts not in CONFLICT_RULES:
        raise ValueError(f"conflicts={conflicts!r}; use one of {list(CONFLICT_RULES)}")
    frame = raw.reset_index(drop=True)
    q = _Quarantine(frame.index, first_row)
    q.add(_blank_rows(frame), "blank_row")
    customer = _ids(frame["customer_id"])
    q.add(_is_blank(frame["customer_id"]), "customer_id_missing")

    dates = parse_dates(frame["date"], date_format=date_format, time_zone=time_zone)
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

    q.add(dates >= _today(today) + pd.Timedelta(days=1), "date_in_future", frame["date"])
    if start is not None:
        q.add(dates < pd.Timestamp(start), "date_out_of_window", frame["date"])
    if end is not None:
        limit = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
        q.add(dates >= limit, "date_out_of_window", frame["date"])
    normal = _normalised(frame, typed)
    repeated = normal.duplicated(keep="first")
    if duplicates == "quarantine":
        q.add(repeated, "duplicate_row")
    if "order_id" in frame.columns:
        _order_conflicts(normal, q, conflicts)

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


def _normalised(frame: pd.DataFrame, typed: dict[str, pd.Series]) -> pd.DataFrame:
    """The rows as values, for comparing them: parsed where parsed, else trimmed text.

    Blank cells of every kind are one missing value, so " 12.50" equals "12.5" and a
    date written two ways is one date.
    """
    columns = {}
    for col in frame.columns:
        if col in typed:
            columns[col] = typed[col]
        else:
            text = _ids(frame[col])
            columns[col] = text.mask(_is_blank(frame[col]).to_numpy())
    return pd.DataFrame(columns, index=frame.index)


def _order_conflicts(normal: pd.DataFrame, q: _Quarantine, rule: str) -> None:
    """Quarantine rows of one order id that disagree (see ``order_id_conflict``).

    Two rows of an order disagree when their customer or calendar day differ, or when
    they are the same line (same product, when ``product_id`` is mapped) with any
    other value different. The reference row of an order (a line) is its first row,
    its last under ``keep_last``; only rows still in play (not quarantined for an
    earlier reason) take part.
    """
    alive = q.ok.to_numpy() & normal["order_id"].notna().to_numpy()
    if not alive.any():
        return
    rows = normal[alive]
    order = rows["order_id"].astype(str)
    header = pd.DataFrame({"customer_id": rows["customer_id"], "day": rows["date"].dt.normalize()})
    line = order + ("\x1f" + rows["product_id"].fillna("").astype(str)
                    if "product_id" in rows.columns else "")
    pick = "last" if rule == "keep_last" else "first"
    position = pd.Series(np.arange(len(rows)), index=rows.index)
    order_ref = position.groupby(order.to_numpy()).transform(pick).to_numpy()
    line_ref = position.groupby(line.to_numpy()).transform(pick).to_numpy()
    header_diff = _differs(header, order_ref)
    line_diff = _differs(rows, line_ref)
    conflict = header_diff.any(axis=1).to_numpy() | line_diff.any(axis=1).to_numpy()
    if not conflict.any():
        return
    labels = rows.index.to_numpy()
    ref_pos = np.where(header_diff.any(axis=1).to_numpy(), order_ref, line_ref)
    fields = header_diff.rename(columns={"day": "date"}).join(
        line_diff.drop(columns=["customer_id", "date"]), how="left")
    # the same day at another time of day is a conflict of the line: name its field too
    # (the header compares calendar days only, so "date" was missing from the detail)
    same_header = ~header_diff.any(axis=1)
    for col in ("customer_id", "date"):
        fields[col] = fields[col] | (line_diff[col] & same_header)
    mark = pd.Series(False, index=normal.index)
    detail = pd.Series(pd.NA, index=normal.index, dtype="string")
    for pos in np.flatnonzero(conflict):
        other = labels[ref_pos[pos]]
        diff = [c for c in fields.columns if fields.iat[pos, fields.columns.get_loc(c)]]
        kept = "" if rule == "quarantine" else f"; row {other + q.first_row} is kept ({rule})"
        mark[labels[pos]] = True
        detail[labels[pos]] = (f"order {order.iat[pos]!r} is also on row {other + q.first_row} "
                               f"with another {', '.join(diff)}{kept}")
        if rule == "quarantine" and not mark[other]:
            mark[other] = True
            detail[other] = (f"order {order.iat[pos]!r} is also on row "
                             f"{labels[pos] + q.first_row} with another {', '.join(diff)}")
    q.add(mark, "order_id_conflict", detail)


def _differs(frame: pd.DataFrame, ref: np.ndarray) -> pd.DataFrame:
    """Cell-wise: differs from the reference row (two missing values are equal)."""
    other = frame.iloc[ref].set_axis(frame.index)
    same = (frame == other) | (frame.isna() & other.isna())
    return ~same.fillna(False).astype(bool)


def clean_customers(raw: pd.DataFrame, *, date_format: str | None = None,
                    today: str | pd.Timestamp | None = None, first_row: int = 2) -> CleaningResult:
    """Type and validate the customers table; one row per customer.

    Parameters
    ----------
    raw : pandas.DataFrame
        Canonical column names; ``customer_id`` required.
    date_format : str, optional
        Format of ``first_contact`` when it is day-first or month-first.
    today : date-like, optional
        The day of the run; a later ``first_contact`` is ``first_contact_in_future``.
    first_row : int
        The file's row number of the first data row (see :func:`clean_transactions`).

    Returns
    -------
    CleaningResult
        ``clean`` keeps every column, numeric ones as float, ``first_contact`` as
        datetime64[ns], blank text as missing; sorted by ``customer_id``. Reasons, in
        this order (:data:`CUSTOMER_REASONS`): ``blank_row``, ``customer_id_missing``,
        ``customer_id_duplicate`` (later rows of a repeated id),
        ``first_contact_unparseable``, ``first_contact_in_future``, then for each of ``size``,
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
    q = _Quarantine(frame.index, first_row)
    q.add(_blank_rows(frame), "blank_row")
    ids = _unique_key(frame, "customer_id", q)
    clean = frame.copy()
    clean["customer_id"] = ids
    if "first_contact" in frame.columns:
        parsed = parse_dates(frame["first_contact"], date_format=date_format)
        q.add(parsed.isna() & ~_is_blank(frame["first_contact"]), "first_contact_unparseable",
              frame["first_contact"])
        q.add(parsed >= _today(today) + pd.Timedelta(days=1), "first_contact_in_future",
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


def clean_respondents(raw: pd.DataFrame, *, first_row: int = 2) -> CleaningResult:
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
        read, input order. Reasons: ``blank_row``, ``respondent_id_missing`` (blank id),
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
    q = _Quarantine(frame.index, first_row)
    q.add(_blank_rows(frame), "blank_row")
    ids = _unique_key(frame, "respondent_id", q)
    clean = frame.copy()
    clean["respondent_id"] = ids.astype(str)
    if "customer_id" in clean.columns:
        clean["customer_id"] = _text(clean["customer_id"])
    return q.result(frame, clean[q.ok.to_numpy()].reset_index(drop=True))


# ======================================================================================
# opportunities (issue 15): the sales funnel, one row per stage an opportunity entered
# ======================================================================================

_MAN_ANSWERS = ("money", "authority", "need")
#: Yes/no words accepted as MAN answers (after NFKC and lower-casing); numbers are read
#: as numbers (0/1 yes-no, or 1-5 ratings).
_YES_NO = {
    "yes": 1.0, "y": 1.0, "true": 1.0, "是": 1.0, "有": 1.0, "具备": 1.0, "满足": 1.0,
    "no": 0.0, "n": 0.0, "false": 0.0, "否": 0.0, "无": 0.0, "没有": 0.0, "不具备": 0.0,
    "不满足": 0.0,
}


def clean_opportunities(
    raw: pd.DataFrame,
    *,
    stages: tuple[str, ...] | list[str],
    won_stage: str = "closed_won",
    lost_stage: str = "closed_lost",
    orders: pd.DataFrame | None = None,
    order_grace_days: int = 90,
    end: str | pd.Timestamp | None = None,
    date_format: str | None = None,
) -> CleaningResult:
    """Type and check an opportunities table: one row per stage an opportunity entered.

    Parameters
    ----------
    raw : pandas.DataFrame
        Canonical columns (after :func:`workbench.io.apply_mapping`). Required:
        ``opportunity_id``, ``stage`` (a name from ``stages``, ``won_stage`` or
        ``lost_stage``, matched ignoring case and surrounding blanks) and ``stage_date``
        (when the stage was entered). Optional: ``customer_id`` (the customer or
        prospect), ``created``, ``expected_value`` (the deal's value in the case's
        currency), ``sales_expense`` (spent on the opportunity in that stage),
        ``owner``, ``industry``, ``channel``, ``money``, ``authority``, ``need`` (MAN
        answers: yes/no, 是/否, 0/1, or ratings 1-5) and ``lost_reason``.
    stages : sequence of str
        The open stages in funnel order (:class:`workbench.funnel.FunnelParameters`).
    won_stage, lost_stage : str
        The stages that close an opportunity.
    orders : pandas.DataFrame, optional
        Clean transactions (``customer_id``, ``date``); with them every won opportunity
        must be followed by an order of its customer on or after the won date.
    order_grace_days : int, default 90
        Wins within this many days before the last order date in ``orders`` are not
        checked: their first order may not have arrived yet.
    end : date-like, optional
        The case's last day; stages dated after it are quarantined. Dates before the
        case's start are kept: a CRM's history may begin earlier than its orders.
    date_format : str, optional
        Format of ``stage_date`` and ``created`` when day- or month-first.

    Returns
    -------
    CleaningResult
        ``clean`` has the canonical columns (:data:`workbench.schema.OPPORTUNITIES`)
        sorted by ``opportunity_id``, stage date and funnel order. Per opportunity,
        ``created`` is the given date or else the first stage date, and a blank
        ``customer_id`` is filled from the opportunity's other rows. The row-level
        reasons and the reasons that quarantine every row of an opportunity are listed
        in this module's docstring.

    Examples
    --------
    >>> raw = pd.DataFrame({"opportunity_id": ["O1", "O1", "O2", "O2"],
    ...                     "stage": ["lead", "Closed_Won", "lead", "proposal"],
    ...                     "stage_date": ["2024-01-05", "2024-03-01", "2024-02-01", "2024-01-01"]})
    >>> result = clean_opportunities(raw, stages=["lead", "proposal"])
    >>> result.clean[["opportunity_id", "stage"]].values.tolist()
    [['O1', 'lead'], ['O1', 'closed_won']]
    >>> result.quarantine[["source_row", "reason"]].values.tolist()
    [[2, 'stage_dates_out_of_order'], [3, 'stage_dates_out_of_order']]
    """
    from workbench.schema import validate_opportunities

    missing = [c for c in ("opportunity_id", "stage", "stage_date") if c not in raw.columns]
    if missing:
        raise ValueError(
            f"opportunities lack canonical column(s) {missing}; columns present: "
            f"{list(raw.columns)}. Map them in the case file's 'columns' section."
        )
    stages = tuple(stages)
    canonical = {s.casefold(): s for s in (*stages, won_stage, lost_stage)}
    if len(canonical) != len(stages) + 2:
        raise ValueError(f"stages {list(stages)}, won_stage {won_stage!r} and lost_stage "
                         f"{lost_stage!r} must be distinct names (ignoring case)")
    rank_of = {s: i for i, s in enumerate(stages)} | {won_stage: len(stages), lost_stage: len(stages)}
    frame = raw.reset_index(drop=True)
    q = _Quarantine(frame.index)

    opp = _ids(frame["opportunity_id"])
    q.add(_is_blank(frame["opportunity_id"]), "opportunity_id_missing")
    text = frame["stage"].astype("string").str.normalize("NFKC").str.strip()
    stage = text.str.casefold().map(canonical)
    q.add(_is_blank(frame["stage"]), "stage_missing")
    q.add(stage.isna(), "stage_unknown", frame["stage"])
    dates = parse_dates(frame["stage_date"], date_format=date_format)
    q.add(_is_blank(frame["stage_date"]), "stage_date_missing")
    q.add(dates.isna(), "stage_date_unparseable", frame["stage_date"])
    typed: dict[str, pd.Series] = {}
    if "created" in frame.columns:
        typed["created"] = parse_dates(frame["created"], date_format=date_format)
        q.add(typed["created"].isna() & ~_is_blank(frame["created"]), "created_unparseable",
              frame["created"])
    for col in ("expected_value", "sales_expense"):
        if col in frame.columns:
            parsed = parse_amounts(frame[col])
            q.add(parsed.isna() & ~_is_blank(frame[col]), f"{col}_not_numeric", frame[col])
            q.add(np.isinf(parsed), f"{col}_not_finite", frame[col])
            q.add(parsed < 0, f"{col}_negative", frame[col])
            typed[col] = parsed
    for col in _MAN_ANSWERS:
        if col in frame.columns:
            parsed = _man_answers(frame[col])
            q.add(parsed.isna() & ~_is_blank(frame[col]), f"{col}_not_valid", frame[col])
            q.add((parsed < 0) | (parsed > 5), f"{col}_out_of_range", frame[col])
            typed[col] = parsed
    if end is not None:
        limit = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
        q.add(dates >= limit, "stage_date_out_of_window", frame["stage_date"])
    q.add(frame.astype("string").duplicated(keep="first"), "duplicate_row")

    # a bad row leaves a gap in its opportunity's history, so the whole opportunity goes
    first_bad = pd.DataFrame({"opp": opp, "reason": q.reason})
    first_bad = first_bad[first_bad["reason"].notna()
                          & ~first_bad["reason"].isin(["duplicate_row", "opportunity_id_missing"])]
    first_bad = first_bad[~first_bad["opp"].duplicated()]
    note = pd.Series([f"row {i}: {r}" for i, r in zip(first_bad.index, first_bad["reason"], strict=True)],
                     index=first_bad["opp"].to_numpy(), dtype="string")
    q.add(opp.isin(note.index), "opportunity_has_bad_row", opp.map(note))

    customer = _text(frame["customer_id"]) if "customer_id" in frame.columns else None
    ok = q.ok.to_numpy()
    rows = pd.DataFrame({"opp": opp[ok], "stage": stage[ok], "date": dates[ok],
                         "rank": stage[ok].map(rank_of).astype(np.int64)})
    if "created" in typed:
        rows["created"] = typed["created"][ok]
    if customer is not None:
        rows["customer_id"] = customer[ok]
    for reason, bad in _opportunity_problems(rows, stages, won_stage, lost_stage, orders,
                                             order_grace_days):
        q.add(opp.isin(bad.index), reason, opp.map(bad))

    keep = q.ok.to_numpy()
    clean = pd.DataFrame({"opportunity_id": opp[keep].astype(str), "stage": stage[keep].astype(str),
                          "stage_date": dates[keep]})
    first_date = clean.groupby("opportunity_id")["stage_date"].transform("min")
    if "created" in typed:
        given = typed["created"][keep].groupby(clean["opportunity_id"]).transform("min")
        clean["created"] = given.fillna(first_date)
    else:
        clean["created"] = first_date
    if customer is not None:
        clean["customer_id"] = customer[keep].groupby(clean["opportunity_id"]).transform("first")
    for col in ("expected_value", "sales_expense"):
        if col in typed:
            clean[col] = typed[col][keep]
    for col in ("owner", "industry", "channel", "lost_reason"):
        if col in frame.columns:
            clean[col] = _text(frame[col])[keep]
    for col in _MAN_ANSWERS:
        if col in typed:
            clean[col] = typed[col][keep]
    clean["_rank"] = clean["stage"].map(rank_of)
    clean = (clean.sort_values(["opportunity_id", "stage_date", "_rank"], kind="stable")
             .drop(columns="_rank").reset_index(drop=True))
    return q.result(frame, validate_opportunities(clean))


def _man_answers(values: pd.Series) -> pd.Series:
    """MAN answers as numbers: yes/no words 1/0, numbers as they are, the rest NaN."""
    text = values.astype("string").str.normalize("NFKC").str.strip().str.lower()
    words = text.map(_YES_NO).astype(float)
    return words.fillna(pd.to_numeric(text, errors="coerce").astype(float))


def _opportunity_problems(rows, stages, won_stage, lost_stage, orders, grace_days):
    """(reason, Series opportunity -> detail) in the order the reasons are checked."""
    if rows.empty:
        return []
    out = []
    repeated = rows[rows.duplicated(["opp", "stage"], keep=False) & (rows["rank"] < len(stages))]
    out.append(("stage_repeated", repeated.groupby("opp")["stage"].first().astype("string")))

    closed = rows[rows["rank"] == len(stages)]
    many = closed[closed["opp"].duplicated(keep=False)]
    out.append(("closed_twice", _details(many, lambda g: "; ".join(
        f"{s} {d.date()}" for s, d in zip(g["stage"], g["date"], strict=True)))))

    # along the funnel order the dates never fall; created is on or before the first stage
    ordered = rows.sort_values(["opp", "rank", "date"], kind="stable")
    previous = ordered.groupby("opp")["date"].cummax().groupby(ordered["opp"]).shift()
    back = ordered[ordered["date"] < previous]
    out.append(("stage_dates_out_of_order", _details(
        back, lambda g: f"{g['stage'].iloc[0]} {g['date'].iloc[0].date()} before an earlier stage")))
    if "created" in rows:
        late = rows.groupby("opp").agg(created=("created", "min"), first=("date", "min"))
        late = late[late["created"] > late["first"]]
        pairs = zip(late["created"], late["first"], strict=True)
        out.append(("stage_dates_out_of_order", pd.Series(
            [f"created {c.date()} after the first stage {f.date()}" for c, f in pairs],
            index=late.index, dtype="string")))

    if "customer_id" in rows:
        named = rows.dropna(subset=["customer_id"])
        several = named.groupby("opp")["customer_id"].transform("nunique") > 1
        out.append(("customer_id_conflict", _details(
            named[several], lambda g: ", ".join(sorted(set(g["customer_id"]))))))
        won = rows[rows["stage"] == won_stage].drop_duplicates("opp").set_index("opp")["date"]
        known = rows.dropna(subset=["customer_id"]).groupby("opp")["customer_id"].first()
        nameless = won.index.difference(known.index)
        out.append(("won_without_customer_id",
                    pd.Series("won, no customer_id on any row", index=nameless, dtype="string")))
        if orders is not None and len(orders):
            last_order = orders.groupby("customer_id")["date"].max()
            checked = won[won <= orders["date"].max() - pd.Timedelta(days=grace_days)]
            checked = checked[checked.index.isin(known.index)]
            customer_of = known.loc[checked.index]
            latest = customer_of.map(last_order)
            lacking = checked.index[~(latest >= checked).to_numpy()]
            out.append(("won_without_order", pd.Series(
                [f"{won_stage} {checked[o].date()}; customer {customer_of[o]} has no order on or after it"
                 for o in lacking], index=lacking, dtype="string")))
    return out


def _details(rows: pd.DataFrame, describe) -> pd.Series:
    """Opportunity -> ``describe(its rows)``, as text (empty when there are no rows)."""
    groups = rows.groupby("opp", sort=True)
    return pd.Series({opp: describe(g) for opp, g in groups}, dtype="string")
