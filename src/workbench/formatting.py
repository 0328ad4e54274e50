"""How a report shows a table: one formatting layer for every notebook.

A notebook records a result with :meth:`workbench.recorder.Recorder.table`; the file
keeps full precision and the stable English names, and what the page shows is a
:class:`ReportTable`, whose HTML is made here: headers and code values in the case's
language (:func:`workbench.labels.translate_codes`), thousands separators, money in
whole units of the case's currency (named in the header), shares in percent, dates as
``YYYY-MM-DD``, digits by the kind of column, never scientific notation, no index
column, missing values as "—", booleans as words, and a long table cut to its top rows
with a link to the full CSV.

The kind of a column is read from its English name (:func:`column_kind`), with its
values as a check: a column named like a share whose values leave [-1.5, 1.5] is shown
as a plain number, not as 150 %.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from workbench.labels import (
    LABELS,
    is_translatable,
    label,
    translate_codes,
    translate_columns,
    translate_text,
)

__all__ = ["MAX_ROWS", "ReportTable", "code_labels", "column_kind", "format_value", "money_unit", "p_text",
           "table_html"]

#: a table longer than this shows its first :data:`SHOWN_ROWS` rows and a link to the file
MAX_ROWS = 25
SHOWN_ROWS = 20

_SHARE = re.compile(r"(^|_)(share|shares|rate|rates|pct|conversion|probability|p_alive|p_win|p_reach|"
                    r"retention|churn_rate|win_rate|coverage|agreement|accuracy|gini|uplift_pct)(_|$)|"
                    r"_share$|^share_|_rate$|_pct$")
_MONEY = re.compile(r"(^|_)(revenue|amount|gross_profit|profit|gp|clv|spend|expense|expenses|cost|costs|"
                    r"monetary|budget|value|sales|margin|price|pipeline|spent|uplift)(_|$)")
_NOT_MONEY = re.compile(r"(_per_expense|_per_cost|ratio|elasticity|share|rate|pct|score|rank|count|_n$|"
                        r"customers|orders|days|p_value|corr|weight|z$|index|multiple|_to_|norm|^fill_value$|"
                        r"^(important|general|without)_)")
_DAYS = re.compile(r"(^|_)(days|recency|tenure|horizon|age)(_|$)")
_P_VALUE = re.compile(r"^p$|p_value|_p$|^p_(anova|kruskal)$")
_COUNT = re.compile(r"(^|_)(n|count|customers|orders|rows|respondents|items|deals|opportunities|entered|"
                    r"advanced|visits|quantity|k)(_|$)")

_YEAR = re.compile(r"(^|(?<!_per)_)(year|years|period)$")  # not spend_per_period
_BOUND = re.compile(r"^(ci_lower|ci_upper|ci_low|ci_high|lower|upper|estimate|truth)$")
_KINDS = {"bool", "date", "year", "text", "count", "money", "share", "p_value", "days", "number"}


def _within_one(values: pd.Series) -> bool:
    finite = values.to_numpy(dtype=float, na_value=np.nan) if pd.api.types.is_numeric_dtype(values) else np.array([])
    finite = finite[np.isfinite(finite)]
    return bool(finite.size) and bool(((finite >= 0) & (finite <= 1)).all())


_CURRENCY = {"CNY": {"zh": "元", "en": "CNY"}, "USD": {"zh": "美元", "en": "$"},
             "EUR": {"zh": "欧元", "en": "€"}, "GBP": {"zh": "英镑", "en": "£"}}


def money_unit(currency: str | None, lang: str) -> str:
    """The unit shown after a money header: ``元`` for CNY in Chinese, ``$`` for USD in English.

    Parameters
    ----------
    currency : str or None
        ISO 4217 code of the case (``Case.currency``); None gives ``""``.
    lang : {"zh", "en"}

    Returns
    -------
    str
    """
    if not currency:
        return ""
    return _CURRENCY.get(currency.upper(), {}).get(lang, currency.upper())


def p_text(p: float) -> str:
    """A p-value for a sentence: ``p < 0.001`` or ``p = 0.012``, never scientific notation.

    Parameters
    ----------
    p : float

    Returns
    -------
    str

    Examples
    --------
    >>> p_text(6.6e-36), p_text(0.0123)
    ('p < 0.001', 'p = 0.012')
    """
    return "p < 0.001" if 0 <= p < 0.001 else f"p = {p:.3f}"


def column_kind(name: str, values: pd.Series) -> str:
    """The kind of a result column, from its English name and its values.

    Parameters
    ----------
    name : str
        The stable English column name (``recent_revenue``, ``win_rate``, ...).
    values : pandas.Series

    Returns
    -------
    str
        One of ``"bool"``, ``"date"``, ``"year"`` (no thousands separator), ``"text"``,
        ``"count"``, ``"money"``, ``"share"``,
        ``"p_value"``, ``"days"``, ``"number"``.

    Examples
    --------
    >>> import pandas as pd
    >>> column_kind("win_rate", pd.Series([0.2, 0.31]))
    'share'
    >>> column_kind("recent_revenue", pd.Series([1.5e7, 2.0]))
    'money'
    >>> column_kind("share_of_wallet", pd.Series([35.0, 80.0]))  # percent points already
    'number'
    """
    key = str(name).lower()
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    if not pd.api.types.is_numeric_dtype(values):
        distinct = pd.unique(values.dropna())
        if len(distinct) and all(isinstance(v, (bool, np.bool_)) for v in distinct):
            return "bool"
        if len(distinct) and all(isinstance(v, (pd.Timestamp, np.datetime64)) for v in distinct):
            return "date"
        return "text"
    finite = values.to_numpy(dtype=float, na_value=np.nan)
    finite = finite[np.isfinite(finite)]
    if _YEAR.search(key):
        return "year"
    if _P_VALUE.search(key):
        return "p_value"
    small = not finite.size or np.abs(finite).max() <= 1.5
    if small and (_SHARE.search(key) or (finite.size and "change" in key and _MONEY.search(key))):
        return "share"  # a relative change of money (spend_change per quadrant) is a share too
    if _MONEY.search(key) and not _NOT_MONEY.search(key):
        return "money"
    if _DAYS.search(key):
        return "days"
    if pd.api.types.is_integer_dtype(values) or _COUNT.search(key):
        return "count" if (not finite.size or np.allclose(finite, np.round(finite))) else "number"
    return "number"


def _decimals(kind: str, values: pd.Series) -> int:
    finite = values.to_numpy(dtype=float, na_value=np.nan) if pd.api.types.is_numeric_dtype(values) else np.array([])
    finite = finite[np.isfinite(finite)]
    largest = float(np.abs(finite).max()) if finite.size else 0.0
    if kind == "count":
        return 0
    if kind == "money":  # by the typical amount: a column of thresholds (26.99, 77.87, 13,991.41) keeps cents
        return 2 if finite.size and float(np.median(np.abs(finite))) < 100 else 0
    if kind == "days":  # whole days (recency 48, not 48.0) stay whole
        whole = not finite.size or np.allclose(finite, np.round(finite))
        return 0 if largest >= 100 or whole else 1
    if largest >= 1000 or (finite.size and np.allclose(finite, np.round(finite))):
        return 0
    if largest >= 100:
        return 1
    # 3.62 mean purchases, not 3.622; coefficients, loadings and R² up to 1 keep three
    return 2 if largest > 1 else 3


def format_value(value: Any, kind: str, *, lang: str = "en", decimals: int = 2) -> str:
    """One cell as text: missing as "—", booleans as words, no scientific notation.

    Parameters
    ----------
    value : any
    kind : str
        As returned by :func:`column_kind`.
    lang : {"zh", "en"}
        Language of booleans (是/否, yes/no).
    decimals : int
        Decimals of numbers (shares: of the percentage).

    Returns
    -------
    str

    Examples
    --------
    >>> format_value(62451370.4, "money", decimals=0)
    '62,451,370'
    >>> format_value(0.154, "share", decimals=1)
    '15.4%'
    >>> format_value(float("nan"), "number"), format_value(True, "bool", lang="zh")
    ('—', '是')
    """
    if value is None or (not isinstance(value, (str, list, tuple, dict)) and pd.isna(value)):
        return "—"
    if kind == "bool" or isinstance(value, (bool, np.bool_)):
        return label("yes" if bool(value) else "no", lang)
    if isinstance(value, pd.Timestamp) or kind == "date":
        stamp = pd.Timestamp(value)
        return str(stamp.date()) if stamp == stamp.normalize() else stamp.strftime("%Y-%m-%d %H:%M")
    if kind == "year" and isinstance(value, (int, np.integer, float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (int, np.integer)) and kind not in ("share", "p_value"):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if kind == "share":
            return f"{value:.{decimals}%}"
        if kind == "p_value":
            return "<0.001" if 0 <= value < 0.001 else f"{value:.3f}"
        text = f"{value:,.{decimals}f}"
        # a value that rounds to zero shows as zero in the column's digits, without a sign
        return text[1:] if text.startswith("-") and not text.strip("-0.,") else text
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return str(value)


#: columns whose values name a source table: looked up as ``source_<value>`` first
_TABLE_COLUMNS = {"table", "source"}
#: columns whose code values are translated even when most of their values are not codes
_MIXED_COLUMNS = {"item", "detail", "hint", "segment"}
#: columns whose one-letter or generic codes are looked up under a prefix: a PLS block's mode ``A``
_PREFIXED_COLUMNS = {"mode": "mode_"}
#: lifecycle-stage columns: ``churned`` is the stage "Churned" there, not the segment "Churned customers"
_STAGE_COLUMN = re.compile(r"(^|_)stage(_|$)")
#: a survey item's code as the questionnaire names it: IMAG1, CUSCO, S1
_ITEM_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_NEVER_CODES = re.compile(r"(^|_)(id|examples)$|_name$")


def code_labels(column: str, values: pd.Series, lang: str) -> pd.Series:
    """A text column's code values in ``lang``, as report tables and the workbook show them.

    Unlike :func:`workbench.labels.translate_codes`, a column is translated when at least
    half of its distinct values are codes (a subtotal row's ``total`` does not keep the
    customer types in English); ids, ``*_name`` and free-text columns are never touched (a
    bare ``name`` column follows the rule: segment names are codes, people's names are not). A
    ``table``/``source`` column names source tables (``source_<code>`` labels), a stage
    column lifecycle stages (``stage_<code>``), a ``mode`` column measurement modes
    (``mode_A``). The fixed sentences of the analysis modules (a survey-cleaning detail,
    a transform's reason, a join) are shown through :func:`workbench.labels.translate_text`.

    Parameters
    ----------
    column : str
        The column's English name.
    values : pandas.Series
    lang : {"zh", "en"}

    Returns
    -------
    pandas.Series
        ``values`` itself when the column is not a code column, else a new object Series.

    Examples
    --------
    >>> code_labels("stage", pd.Series(["churned", "decline"]), "zh").tolist()
    ['流失', '退化期']
    >>> code_labels("customer_id", pd.Series(["churned"]), "zh").tolist()
    ['churned']
    >>> code_labels("kmeans_segment", pd.Series(["important_value_2", "general_winback"]), "zh").tolist()
    ['重要价值客户 (2)', '一般挽留客户']
    >>> code_labels("item", pd.Series(["CUSCO", "IMAG1"]), "zh").tolist()  # CUSCO is also a construct
    ['CUSCO', 'IMAG1']
    >>> code_labels("mode", pd.Series(["A", "B"]), "zh").tolist()
    ['A 模式（反映型）', 'B 模式（形成型）']
    >>> code_labels("detail", pd.Series(["scale 1-7", "C0001, C0002"]), "zh").tolist()
    ['量表 1-7', 'C0001, C0002']
    """
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values
    if _NEVER_CODES.search(str(column)):
        return values
    prefix = ("source_" if str(column) in _TABLE_COLUMNS
              else "stage_" if _STAGE_COLUMN.search(str(column))
              else _PREFIXED_COLUMNS.get(str(column), ""))
    distinct = [v for v in pd.unique(values.dropna()) if isinstance(v, str)]
    known = [v for v in distinct if f"{prefix}{v}" in LABELS or is_translatable(v)]
    if not distinct or (len(known) * 2 < len(distinct) and str(column) not in _MIXED_COLUMNS):
        return values

    def one(v):
        if not isinstance(v, str):
            return v
        if str(column) == "item" and _ITEM_CODE.match(v):  # a survey item (CUSCO) keeps its code,
            return v                                       # though a construct of that name has a label
        return label(f"{prefix}{v}", lang) if f"{prefix}{v}" in LABELS else translate_text(v, lang)
    return values.map(one).astype(object)


def _translate_values(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every column of ``frame`` through :func:`code_labels`."""
    out = frame.copy()
    for i, column in enumerate(out.columns):
        values = out.iloc[:, i]
        shown = code_labels(str(column), values, lang)
        if shown is not values:
            out.isetitem(i, shown)
    return out


def _cell(value: Any, kind: str, lang: str, decimals: int) -> str:
    if isinstance(value, str):
        return value
    return format_value(value, kind, lang=lang, decimals=decimals)


#: headers and text cells up to this many characters are not broken across lines
_NOWRAP_HEADER = 8
_NOWRAP_TEXT = 24


def table_html(frame: pd.DataFrame, *, lang: str = "en", currency: str | None = None,
               name: str | None = None, rows: int | None = None, kinds: dict[str, str] | None = None,
               max_rows: int = MAX_ROWS, shown_rows: int = SHOWN_ROWS) -> str:
    """A result table as report HTML.

    Parameters
    ----------
    frame : pandas.DataFrame
        English column names and codes, as the analysis modules return them. A named or
        non-default index becomes the first column; a default integer index is dropped.
    lang : {"zh", "en"}
    currency : str, optional
        ISO code of the case's currency; money headers end in its unit.
    name : str, optional
        The recorded table's name: a cut table links ``tables/<name>.csv``.
    rows : int, optional
        Rows of the recorded table (default ``len(frame)``), for the pointer line.
    kinds : dict of str to str, optional
        Kinds given by the caller, by English column name, over :func:`column_kind`.
    max_rows, shown_rows : int
        A table with more than ``max_rows`` rows shows its first ``shown_rows``.

    Returns
    -------
    str
        ``<div class="wb-table">`` with a ``<table>``, numbers right-aligned.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"table_html: expected a DataFrame, got {type(frame).__name__}")
    plain = pd.DataFrame(frame)
    if isinstance(plain.columns, pd.MultiIndex):
        plain.columns = [" ".join(str(p) for p in c if str(p)) for c in plain.columns]
    default_index = isinstance(plain.index, pd.RangeIndex) or (
        plain.index.name is None and pd.api.types.is_integer_dtype(plain.index)
        and not isinstance(plain.index, pd.MultiIndex))
    if not default_index:
        names = [n if n is not None else "" for n in plain.index.names]
        plain.index = plain.index.set_names([n or f"level_{i}" for i, n in enumerate(names)])
        plain = plain.reset_index()
        plain = plain.rename(columns={c: "" for c in plain.columns if str(c).startswith("level_")})
    plain = plain.reset_index(drop=True)
    for i in range(plain.shape[1]):  # numbers held as objects (a None among them) are numbers
        column = plain.iloc[:, i]
        held = column.dropna()
        if column.dtype == object and len(held) and all(
                isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
                for v in held):
            plain.isetitem(i, pd.to_numeric(column))
    total = len(plain) if rows is None else rows
    cut = len(plain) > max_rows
    body = plain.head(shown_rows) if cut else plain
    given = kinds or {}
    unknown = sorted(set(given.values()) - _KINDS)
    if unknown:
        raise ValueError(f"table_html: kinds {unknown} unknown; use {sorted(_KINDS)}")
    kinds = [given.get(str(c)) or column_kind(str(c), plain.iloc[:, i]) for i, c in enumerate(plain.columns)]
    if "share" in kinds:  # the interval and estimate of a rate are rates too
        for i, c in enumerate(plain.columns):
            if _BOUND.search(str(c)) and kinds[i] == "number" and _within_one(plain.iloc[:, i]):
                kinds[i] = "share"
    digits = [_decimals(k, plain.iloc[:, i]) for i, k in enumerate(kinds)]
    digits = [1 if k == "share" else d for k, d in zip(kinds, digits, strict=True)]
    shown = translate_columns(_translate_values(body, lang), lang)
    unit = money_unit(currency, lang)
    headers = []
    for column, kind in zip(shown.columns, kinds, strict=True):
        text = str(column)
        if kind == "money" and unit:
            text = f"{text}（{unit}）" if lang == "zh" else f"{text} ({unit})"
        headers.append(text)
    numeric = {"count", "money", "share", "p_value", "days", "number"}
    # short headers, numbers and short words stay on one line (an id or "机械OEM" broken
    # in two reads as two values); long headers and sentences wrap
    def nowrap(text: str, limit: int) -> str:
        return ' class="wb-nw"' if len(text) <= limit else ""

    head = "".join(f'<th{nowrap(h, _NOWRAP_HEADER)} style="text-align:{"right" if k in numeric else "left"}">'
                   f'{html.escape(h)}</th>' for h, k in zip(headers, kinds, strict=True))
    lines = []
    for r in range(len(shown)):
        cells = []
        for i, kind in enumerate(kinds):
            text = _cell(shown.iat[r, i], kind, lang, digits[i])
            align = "right" if kind in numeric else "left"
            limit = 10**9 if kind in numeric else _NOWRAP_TEXT
            cells.append(f'<td{nowrap(text, limit)} style="text-align:{align}">{html.escape(text)}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    if not lines:  # an empty result says so, rather than a bare header
        lines.append(f'<tr><td colspan="{max(len(kinds), 1)}">{html.escape(label("table_empty", lang))}</td></tr>')
    out = [f'<div class="wb-table"><table class="dataframe"><thead><tr>{head}</tr></thead>',
           "<tbody>" + "".join(lines) + "</tbody></table>"]
    if cut or total > len(body):
        where = f'<a href="tables/{html.escape(name)}.csv">tables/{html.escape(name)}.csv</a>' if name else ""
        text = label("table_cut_note", lang).format(shown=len(body), rows=total, file=where)
        out.append(f'<p class="wb-table-note">{text}</p>')
    out.append("</div>")
    return "".join(out)


class ReportTable(pd.DataFrame):
    """A DataFrame as a recorded table is shown: its HTML comes from :func:`table_html`.

    Everything else is a plain DataFrame (``.head()``, column selection and ``.round()``
    keep the formatting; the text repr is pandas'). Made by
    :meth:`workbench.recorder.Recorder.table`; holds the English names and codes, which
    are translated only when the table is displayed.
    """

    _metadata = ["_wb_format"]

    @property
    def _constructor(self):
        return ReportTable

    def _repr_html_(self) -> str:
        options = dict(getattr(self, "_wb_format", None) or {})
        return table_html(pd.DataFrame(self), **options)

    def to_frame_shown(self) -> pd.DataFrame:
        """The displayed frame: translated names and codes, as a plain DataFrame.

        Returns
        -------
        pandas.DataFrame
        """
        options = dict(getattr(self, "_wb_format", None) or {})
        return translate_codes(pd.DataFrame(self), options.get("lang", "en"))

    @classmethod
    def of(cls, frame: pd.DataFrame, **options: Any) -> ReportTable:
        """Wrap ``frame`` (not copied more than pandas does) with the :func:`table_html` options.

        Parameters
        ----------
        frame : pandas.DataFrame
        **options
            ``lang``, ``currency``, ``name``, ``rows``: see :func:`table_html`.

        Returns
        -------
        ReportTable
        """
        out = cls(frame.copy())
        out._wb_format = options
        return out
