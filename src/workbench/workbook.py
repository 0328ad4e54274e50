"""The report's Excel workbook: every table of a period as a readable sheet.

:func:`write_workbook` turns the ``tables/*.csv`` of a report folder into
``tables/tables.xlsx``: a contents sheet first, then one sheet per table in report order
(the case's notebooks in order, each notebook's tables in the order it recorded them),
sheet names, headers and code values in the case's language, number formats by column
kind (thousands separators, the case's currency, percentages), identifiers kept as text
(CDNOW's customer ``07592`` stays ``07592``), dates as Excel dates, and a frozen header
row with a filter. The CSV files stay the stable, machine-readable record; the workbook
is the readable copy of them.

The file is written column by column with vectorised string operations
(:mod:`workbench._xlsx`), not cell by cell: CDNOW's 213,000 table rows (two million
cells) took about a minute through openpyxl and half a minute through XlsxWriter on the
busy development machine, and take seconds here (``benchmarks/README.md``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import _xlsx
from workbench.formatting import code_labels
from workbench.formatting import column_kind as shown_kind
from workbench.labels import LABELS, column_label, label

__all__ = ["SHEET_TITLES", "column_kind", "read_table", "recorded_tables", "sheet_title",
           "write_workbook"]

#: Where :class:`workbench.recorder.Recorder` lists the tables a notebook recorded, in order.
RECORDED_DIR = "recorded"

#: Excel's last row; a longer table is cut there and the contents sheet says so.
_EXCEL_ROWS = 1_048_576

#: table name -> sheet title per language (at most 31 characters: Excel's limit).
SHEET_TITLES: dict[str, dict[str, str]] = {
    # 00 data overview
    "sources": {"zh": "数据来源", "en": "Sources"},
    "cleaning_log": {"zh": "清洗日志", "en": "Cleaning log"},
    "quarantine_summary": {"zh": "隔离汇总", "en": "Quarantine summary"},
    "quarantine": {"zh": "隔离行", "en": "Quarantined rows"},
    "join_match_rates": {"zh": "关联匹配率", "en": "Join match rates"},
    "period_summary": {"zh": "各期汇总", "en": "Period summary"},
    "survey_items": {"zh": "问卷题项", "en": "Survey items"},
    "customers_by_industry": {"zh": "各行业客户", "en": "Customers by industry"},
    "data_checks": {"zh": "数据检查", "en": "Data checks"},
    # 01 customer value
    "customer_indicators": {"zh": "客户指标", "en": "Customer indicators"},
    "abc_classes": {"zh": "ABC分类", "en": "ABC classes"},
    "abc_summary": {"zh": "ABC汇总", "en": "ABC summary"},
    "rfm_scores": {"zh": "RFM评分", "en": "RFM scores"},
    "rfm_segments": {"zh": "RFM客户群", "en": "RFM segments"},
    "rfm_eight_classes": {"zh": "RFM八类客户", "en": "RFM eight classes"},
    "rfm_eight_class_summary": {"zh": "RFM八类汇总", "en": "RFM eight-class summary"},
    "value_matrix": {"zh": "客户价值矩阵", "en": "Value matrix"},
    "value_matrix_quadrants": {"zh": "价值矩阵象限", "en": "Value-matrix quadrants"},
    "key_account_weights": {"zh": "重点客户指标权重", "en": "Key-account weights"},
    "key_account_scores": {"zh": "重点客户评分", "en": "Key-account scores"},
    "key_accounts_top": {"zh": "重点客户前列", "en": "Top key accounts"},
    "account_analysis": {"zh": "客户分析表", "en": "Account analysis"},
    "account_analysis_subtotals": {"zh": "客户分析表小计", "en": "Account analysis subtotals"},
    "product_ratios": {"zh": "商品比率", "en": "Product ratios"},
    "customer_ratios": {"zh": "客户比率", "en": "Customer ratios"},
    "clv_retention_sensitivity": {"zh": "CLV保持率敏感性", "en": "CLV retention sensitivity"},
    "bgnbd_parameters": {"zh": "BG-NBD参数", "en": "BG-NBD parameters"},
    "gamma_gamma_parameters": {"zh": "Gamma-Gamma参数", "en": "Gamma-Gamma parameters"},
    "holdout_by_frequency": {"zh": "验证期按频次", "en": "Holdout by frequency"},
    "holdout_tracking": {"zh": "验证期跟踪", "en": "Holdout tracking"},
    "customer_lifetime_value": {"zh": "客户终生价值", "en": "Customer lifetime value"},
    "customer_lifetime_value_top": {"zh": "终生价值前列", "en": "Top lifetime values"},
    # 02 segmentation
    "transforms": {"zh": "变量变换", "en": "Transforms"},
    "k_selection": {"zh": "聚类数选择", "en": "Choice of k"},
    "segment_profile": {"zh": "客户群画像", "en": "Segment profile"},
    "anova": {"zh": "方差分析", "en": "ANOVA"},
    "segment_assignments": {"zh": "客户群归属", "en": "Segment assignments"},
    "segment_migration": {"zh": "客户群迁移", "en": "Segment migration"},
    "segment_migration_shares": {"zh": "客户群迁移占比", "en": "Segment migration shares"},
    "segments_vs_truth": {"zh": "客户群与真实对比", "en": "Segments vs truth"},
    "segments_by": {"zh": "客户群", "en": "Segments"},
    "segment_profile_by": {"zh": "客户群画像", "en": "Segment profile"},
    "segment_assignments_by": {"zh": "客户群归属", "en": "Segment assignments"},
    # 03 satisfaction and loyalty
    "model_spec": {"zh": "模型设定", "en": "Model specification"},
    "survey_cleaning_log": {"zh": "问卷清洗日志", "en": "Survey cleaning log"},
    "survey_quarantine": {"zh": "问卷隔离行", "en": "Survey quarantine"},
    "item_statistics": {"zh": "题项统计", "en": "Item statistics"},
    "path_coefficients": {"zh": "路径系数", "en": "Path coefficients"},
    "r_squared": {"zh": "决定系数R2", "en": "R squared"},
    "total_effects": {"zh": "总效应", "en": "Total effects"},
    "effects": {"zh": "效应分解", "en": "Effects"},
    "outer_loadings": {"zh": "外部载荷", "en": "Outer loadings"},
    "outer_weights": {"zh": "外部权重", "en": "Outer weights"},
    "cross_loadings": {"zh": "交叉载荷", "en": "Cross loadings"},
    "reliability": {"zh": "信度与效度", "en": "Reliability"},
    "fornell_larcker": {"zh": "Fornell-Larcker准则", "en": "Fornell-Larcker"},
    "htmt": {"zh": "HTMT", "en": "HTMT"},
    "kmo_bartlett": {"zh": "KMO与Bartlett检验", "en": "KMO and Bartlett"},
    "cfa_fit": {"zh": "CFA拟合", "en": "CFA fit"},
    "cfa_loadings": {"zh": "CFA载荷", "en": "CFA loadings"},
    "satisfaction_index": {"zh": "满意度指数", "en": "Satisfaction index"},
    "ipma": {"zh": "重要性-绩效分析", "en": "Importance-performance"},
    "jones_sasser": {"zh": "满意度-忠诚度矩阵", "en": "Jones-Sasser matrix"},
    "nonlinearity_models": {"zh": "非线性模型", "en": "Nonlinearity models"},
    "nonlinearity_tests": {"zh": "非线性检验", "en": "Nonlinearity tests"},
    "nps": {"zh": "净推荐值", "en": "Net promoter score"},
    "satisfaction_by_value_class": {"zh": "各价值类满意度", "en": "Satisfaction by value class"},
    "satisfaction_by_industry": {"zh": "各行业满意度", "en": "Satisfaction by industry"},
    "satisfaction_by_kmeans_segment": {"zh": "各客户群满意度", "en": "Satisfaction by segment"},
    "valuable_dissatisfied": {"zh": "高价值不满意客户", "en": "Valuable, dissatisfied"},
    # 04 lifecycle and churn
    "stage_rules": {"zh": "阶段规则", "en": "Stage rules"},
    "customer_stages": {"zh": "客户生命周期阶段", "en": "Customer stages"},
    "stage_value_curve": {"zh": "阶段价值曲线", "en": "Stage value curve"},
    "stages_vs_truth": {"zh": "阶段与真实对比", "en": "Stages vs truth"},
    "migration_counts": {"zh": "阶段迁移人数", "en": "Stage migration counts"},
    "migration_shares": {"zh": "阶段迁移占比", "en": "Stage migration shares"},
    "top20_fallen": {"zh": "前20%中衰退客户", "en": "Fallen top-20% customers"},
    "cohort_retention": {"zh": "同期群保持率", "en": "Cohort retention"},
    "cohort_revenue_retention": {"zh": "同期群销售额保持率", "en": "Cohort revenue retention"},
    "cohort_sizes": {"zh": "同期群规模", "en": "Cohort sizes"},
    "churn_rates": {"zh": "流失率", "en": "Churn rates"},
    "survival_summary": {"zh": "生存分析汇总", "en": "Survival summary"},
    "survival_curves": {"zh": "生存曲线", "en": "Survival curves"},
    "churn_reason_groups": {"zh": "流失原因类别", "en": "Churn reason groups"},
    "churn_reasons": {"zh": "流失原因", "en": "Churn reasons"},
    "retention_economics": {"zh": "客户保持经济性", "en": "Retention economics"},
    # 05 resource allocation
    "customer_classes": {"zh": "客户类别", "en": "Customer classes"},
    "input_output": {"zh": "投入产出", "en": "Input and output"},
    "input_output_overall": {"zh": "投入产出总体", "en": "Input and output, overall"},
    "expense_vs_profit_shares": {"zh": "费用与毛利占比", "en": "Expense vs profit shares"},
    "gp_per_expense_by_year": {"zh": "各组逐年投入产出比", "en": "Input-output ratio by year"},
    "response_estimates": {"zh": "响应函数估计", "en": "Response estimates"},
    "response_estimates_shown": {"zh": "响应函数估计（展示）", "en": "Response estimates shown"},
    "response_excluded_rows": {"zh": "响应估计排除行", "en": "Response excluded rows"},
    "response_robustness": {"zh": "响应稳健性", "en": "Response robustness"},
    "response_by_quadrant": {"zh": "各象限响应", "en": "Response by quadrant"},
    "elasticities_vs_truth": {"zh": "弹性与真实对比", "en": "Elasticities vs truth"},
    "plan": {"zh": "费用分配方案", "en": "Allocation plan"},
    "plan_settings": {"zh": "方案设定", "en": "Plan settings"},
    "plan_bounds_by_quadrant": {"zh": "各象限方案界限", "en": "Plan bounds by quadrant"},
    "plan_comparison": {"zh": "方案对比", "en": "Plan comparison"},
    "plan_comparison_by_quadrant": {"zh": "各象限方案对比", "en": "Plan comparison by quadrant"},
    "plan_largest_changes": {"zh": "方案最大变动", "en": "Largest plan changes"},
    "plan_movement": {"zh": "方案变动", "en": "Plan movement"},
    "plans_vs_truth": {"zh": "方案与真实对比", "en": "Plans vs truth"},
    "budget_curve": {"zh": "预算曲线", "en": "Budget curve"},
    "strategy_by_quadrant": {"zh": "各象限策略", "en": "Strategy by quadrant"},
    "acquisition_vs_retention": {"zh": "获取与保持", "en": "Acquisition vs retention"},
    "clv_minus_acquisition": {"zh": "CLV减获取成本", "en": "CLV minus acquisition"},
    # 06 funnel
    "opportunity_summary": {"zh": "商机汇总", "en": "Opportunity summary"},
    "stage_conversion": {"zh": "阶段转化", "en": "Stage conversion"},
    "stage_conversion_by": {"zh": "阶段转化", "en": "Stage conversion"},
    "conversion_by": {"zh": "转化", "en": "Conversion"},
    "win_rates_by": {"zh": "赢单率", "en": "Win rates"},
    "man_win_rates": {"zh": "MAN赢单率", "en": "MAN win rates"},
    "conversion_vs_truth": {"zh": "转化与真实对比", "en": "Conversion vs truth"},
    "p_win_vs_truth": {"zh": "赢单概率与真实对比", "en": "Win probability vs truth"},
    "time_in_stage": {"zh": "阶段停留时间", "en": "Time in stage"},
    "time_in_stage_curves": {"zh": "阶段停留曲线", "en": "Time-in-stage curves"},
    "time_in_stage_vs_truth": {"zh": "停留时间与真实对比", "en": "Time in stage vs truth"},
    "pipeline_by_stage": {"zh": "各阶段管道", "en": "Pipeline by stage"},
    "pipeline_opportunities": {"zh": "管道商机", "en": "Pipeline opportunities"},
    "acquisition_cost": {"zh": "获客成本", "en": "Acquisition cost"},
    "lost_reason_groups": {"zh": "丢单原因类别", "en": "Lost reason groups"},
    "lost_reasons": {"zh": "丢单原因", "en": "Lost reasons"},
    # series (workbench.series): per-customer assignments and the change since last period
    "customer_assignments": {"zh": "客户归类", "en": "Customer assignments"},
    "changes_key_metrics": {"zh": "关键指标变化", "en": "Key metric changes"},
    "changes_key_accounts": {"zh": "重点客户增减", "en": "Key accounts new and lost"},
    "changes_migration": {"zh": "归类迁移", "en": "Class migration"},
}

_CONTENTS = {"zh": "目录", "en": "Contents"}
_CONTENTS_HEADERS = {
    "zh": ["序号", "工作表", "表格文件", "分析报告", "行数", "列数", "说明"],
    "en": ["No.", "Sheet", "Table file", "Notebook", "Rows", "Columns", "Note"],
}
_CUT = {"zh": "表格超过 Excel 的行数上限，只写入前 {n:,} 行；完整数据见 CSV 文件",
        "en": "longer than an Excel sheet: the first {n:,} rows; the CSV file has them all"}

_ID_COLUMNS = re.compile(r"^(id|.*_id|code)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")
_CURRENCY_WORDS = {"amount", "revenue", "value", "clv", "profit", "spend", "cost", "costs",
                   "monetary", "price", "budget", "expense", "expenses", "gain", "sales",
                   "margin", "income", "ltv", "cac"}
_PERCENT_WORDS = {"share", "shares", "rate", "rates", "pct", "percent", "retention"}
_NOT_MONEY = {"share", "shares", "rate", "rates", "ratio", "p", "days", "count", "n",
              "weight", "weights", "elasticity", "corr", "rank", "score", "index", "r2",
              "pct", "percent", "t", "z", "log"}
#: a ratio to money is not money: gp_per_expense (revenue_per_customer and spend_per_period are)
_PER_MONEY = re.compile(r"_per_(expense|expenses|cost|costs)$")
_SYMBOLS = {"USD": "$", "CNY": "¥", "RMB": "¥", "EUR": "€", "GBP": "£", "JPY": "¥"}


def sheet_title(name: str, lang: str) -> str:
    """The sheet title of table ``name`` in ``lang`` (at most 31 characters).

    Parameters
    ----------
    name : str
        The table's file name without ``.csv``, e.g. ``"abc_classes"`` or
        ``"segments_by_industry"`` (a ``<table>_by_<column>`` name is titled
        ``<table title> · <column label>``).
    lang : {"zh", "en"}

    Returns
    -------
    str
        A curated title from :data:`SHEET_TITLES` or :data:`workbench.labels.LABELS`;
        else the name with underscores as spaces.
    """
    label("", lang)  # validates lang
    if name in SHEET_TITLES:
        title = SHEET_TITLES[name][lang]
    elif name.startswith("changes_migration_"):
        title = f"{SHEET_TITLES['changes_migration'][lang]} · {label(name[18:], lang)}"
    elif "_by_" in name and name.split("_by_")[0] + "_by" in SHEET_TITLES:
        head, by = name.split("_by_", 1)
        title = f"{SHEET_TITLES[head + '_by'][lang]} · {label(by, lang)}"
    elif name in LABELS:
        title = LABELS[name][lang]
    else:
        title = name.replace("_", " ").capitalize()
    return _sheet_safe(title)


def _sheet_safe(title: str) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "-", title).strip("'") or "-"
    return title[:31].rstrip(" ·-")


def recorded_tables(folder: str | Path, notebooks: Sequence[str]) -> list[tuple[str, str | None]]:
    """The tables of a report folder in report order, with the notebook that recorded each.

    Parameters
    ----------
    folder : path-like
        The report folder (holds ``tables/``).
    notebooks : sequence of str
        The case's notebooks in report order.

    Returns
    -------
    list of (str, str or None)
        ``(table name, notebook)`` for every ``tables/*.csv``: the notebooks in the given
        order, each one's tables in the order it recorded them (``tables/recorded/
        <notebook>.json``, written by :class:`~workbench.recorder.Recorder`); tables no
        notebook listed follow, in the order they were written (file time), with notebook
        ``None``.
    """
    tables = Path(folder) / "tables"
    present = {p.stem: p for p in tables.glob("*.csv")}
    order: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for notebook in notebooks:
        listing = tables / RECORDED_DIR / f"{notebook}.json"
        if not listing.is_file():
            continue
        for name in json.loads(listing.read_text(encoding="utf-8")).get("tables", []):
            if name in present and name not in seen:
                order.append((name, notebook))
                seen.add(name)
    rest = sorted((p for n, p in present.items() if n not in seen),
                  key=lambda p: (p.stat().st_mtime_ns, p.name))
    return order + [(p.stem, None) for p in rest]


def read_table(path: str | Path, nrows: int | None = None) -> pd.DataFrame:
    """Read a report CSV with its values as they were meant: ids as text, dates as dates.

    ``pandas.read_csv`` on its own turns CDNOW's customer id ``07592`` into the number
    7592 and dates into text. Here identifier columns (``id``, ``code`` and names ending
    in ``_id``) and any integer-looking column with a leading zero stay text, and a text
    column whose every value is a valid ISO date (``YYYY-MM-DD``, optionally with a time)
    becomes a datetime column; one impossible date (quarantined rows keep them) leaves
    the column text.

    Parameters
    ----------
    path : path-like
        A UTF-8 CSV (a byte-order mark is allowed), as :class:`Recorder` writes them.
    nrows : int, optional
        Read only the first ``nrows`` rows (the kinds of the columns are then those of
        these rows). Default: all.

    Returns
    -------
    pandas.DataFrame
    """
    path = Path(path)
    frame = pd.read_csv(path, encoding="utf-8-sig", nrows=nrows)
    columns = list(frame.columns)
    # read as text again only what pandas may have mangled: ids and whole-number columns
    suspects = [j for j, c in enumerate(columns) if _ID_COLUMNS.match(str(c))
                or pd.api.types.is_integer_dtype(frame.iloc[:, j])]
    if suspects:
        text = pd.read_csv(path, encoding="utf-8-sig", usecols=suspects, dtype=str,
                           keep_default_na=False, na_values=[""], nrows=nrows)
        for j, col in zip(suspects, text.columns, strict=True):
            raw = text[col]
            if _ID_COLUMNS.match(str(col)) or raw.str.match(r"^-?0\d").any():
                frame.isetitem(j, raw.astype(object))
    for j in range(len(columns)):
        values = frame.iloc[:, j]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        raw = values.dropna()
        if not len(raw) or not isinstance(raw.iloc[0], str) or not _DATE.match(raw.iloc[0]):
            continue
        if raw.astype(str).str.match(_DATE).all():
            dates = pd.to_datetime(values, format="ISO8601", errors="coerce")
            if dates.notna().sum() == len(raw):  # a quarantined "2024-02-30" keeps all text
                frame.isetitem(j, dates)
    return frame


def _words(name: str) -> set[str]:
    return set(re.split(r"[^a-z0-9]+", str(name).lower())) - {""}


def column_kind(name: str, values: pd.Series, table: str = "") -> str:
    """How a column is shown: its kind, from its name, its values and its table.

    Parameters
    ----------
    name : str
        The column's stable English name.
    values : pandas.Series
        The column as :func:`read_table` reads it.
    table : str
        The table's name; a table called ``..._shares`` or ``..._retention`` holds
        shares in columns without a telling name (cohort periods ``0``, ``1``, ...).

    Returns
    -------
    {"text", "date", "bool", "year", "integer", "currency", "percent", "number", "statistic"}
        ``year``: a year column (no thousands separator); ``currency``: money (amounts,
        revenue, value, profit, cost, CLV, ...);
        ``percent``: shares and rates between -1 and 1; ``integer``: whole numbers
        (counts, days); ``number``: other values beyond ±1 (ratios, means: two
        decimals); ``statistic``: values within ±1 (coefficients, loadings, p-values:
        four decimals).
    """
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    if not pd.api.types.is_numeric_dtype(values):
        distinct = pd.unique(values.dropna())
        if len(distinct) and all(isinstance(v, (bool, np.bool_)) for v in distinct):
            return "bool"
        return "text"
    if shown_kind(str(name), values) == "year":  # 2024, not 2,024 (the pages' rule for year columns)
        return "year"
    words = _words(name)
    finite = values[np.isfinite(values.astype(float))]
    within_one = bool(len(finite)) and bool((finite.abs() <= 1.0000001).all())
    table_words = _words(table)
    if within_one and (words & _PERCENT_WORDS or (
            str(name).isdigit() and table_words & {"shares", "retention"})):
        return "percent"
    if words & _CURRENCY_WORDS and not words & _NOT_MONEY and not _PER_MONEY.search(str(name)):
        return "currency"
    if pd.api.types.is_integer_dtype(values) or (
            len(finite) and bool((finite == np.round(finite)).all()) and finite.abs().max() >= 1):
        return "integer"
    if len(finite) and finite.abs().max() > 1:  # ratios, means: 8.33; coefficients and p-values keep four
        return "number"
    return "statistic"


def _currency_format(currency: str) -> str:
    code = (currency or "").upper()
    if not code:
        return "#,##0.00"
    symbol = _SYMBOLS.get(code)
    return f'"{symbol}"#,##0.00' if symbol else f'#,##0.00 "{code}"'


def _header(column: str, lang: str) -> str:
    """A column's header: :func:`workbench.labels.column_label`; an English case's
    unlabelled snake_case names read as words (``adj_r2`` -> ``Adj r2``)."""
    text = column_label(column, lang)
    if text == column and lang == "en" and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", column):
        return column.replace("_", " ").capitalize()
    return text


def _display(frame: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, list[str]]:
    """Code values in ``lang`` (ids and numbers untouched) and translated headers."""
    shown = frame.set_axis(range(frame.shape[1]), axis=1)
    headers = ["" if re.match(r"^Unnamed: \d+$", str(c)) else _header(str(c), lang)
               for c in frame.columns]
    return shown, headers


def _sheet(name: str, frame: pd.DataFrame, table: str, *, lang: str) -> _xlsx.Sheet:
    """One table as a sheet: typed columns with their style, headers and widths."""
    shown, headers = _display(frame, lang)
    yes, no = label("yes", lang), label("no", lang)
    columns, widths = [], []
    for j, col in enumerate(frame.columns):
        values = frame[col]
        kind = column_kind(col, values, table)
        width = len(headers[j]) + sum(1 for ch in headers[j] if ord(ch) > 0x2E80)  # CJK: double width
        if kind == "bool":
            cells = values.astype(object).map({True: yes, False: no})
            column = _xlsx.Column(cells, text=True)
        elif kind == "text":
            column = _xlsx.Column(code_labels(str(col), shown.iloc[:, j].astype(object), lang), text=True)
        elif kind == "date":
            present = values.dropna()
            style = "date" if (present.dt.normalize() == present).all() else "datetime"
            column = _xlsx.Column(_xlsx.excel_dates(values), style=style)
            width = max(width, 10 if style == "date" else 16)
        else:
            column = _xlsx.Column(values.astype(float), style=kind)
            width = max(width, 12 if kind != "integer" else 9)
        if column.text:
            sample = column.values.iloc[:300].dropna().astype(str)
            wide = sample.map(lambda v: len(v) + sum(1 for ch in v if ord(ch) > 0x2E80))
            width = max([width, *wide.tolist()])
        columns.append(column)
        widths.append(min(max(width, 6) + 2, 60))
    return _xlsx.Sheet(name, headers, columns, widths)


def write_workbook(folder: str | Path, *, lang: str = "en", currency: str = "",
                   notebooks: Sequence[str] = (), log: Callable[[str], None] | None = None,
                   target: str | Path | None = None, title: str | None = None) -> Path | None:
    """Write every ``tables/*.csv`` of a report folder into one readable workbook.

    Parameters
    ----------
    folder : path-like
        The report folder, ``reports/<case>/<period>/``.
    lang : {"zh", "en"}
        The case's language: sheet names, headers, code values, yes/no.
    currency : str
        ISO 4217 code of the case's amounts (``USD``, ``CNY``); money columns are shown
        with its symbol. Empty: plain numbers with thousands separators.
    notebooks : sequence of str
        The notebooks in report order (:func:`recorded_tables`).
    log : callable, optional
        Receives a progress line when writing starts, one per table of 10,000 rows or
        more, and one when the file is written (with the time it took, in seconds).
    target : path-like, optional
        Default ``<folder>/tables/tables.xlsx``.
    title : str, optional
        The document title Excel shows (File > Info), e.g. ``"N 公司 · 2024"``; default
        ``"<case folder> <period folder>"`` from the folder's path.

    Returns
    -------
    pathlib.Path or None
        The workbook; None when the folder has no tables.

    Notes
    -----
    The contents sheet lists every sheet with a link to it, the CSV file it copies, the
    notebook that recorded it and its size. Cell values are the CSV's values (Excel shows
    them through number formats; nothing is rounded in the file). Missing values are
    empty cells, infinities the text ``∞``.
    """
    label("", lang)  # validates lang
    folder = Path(folder)
    order = recorded_tables(folder, notebooks)
    if not order:
        return None
    target = Path(target) if target is not None else folder / "tables" / "tables.xlsx"
    started = time.perf_counter()
    # a sheet holds at most _EXCEL_ROWS - 1 rows: read one more (to tell a cut table), not
    # the whole CSV (a table per customer of 10M customers is gigabytes as a frame)
    frames = [(name, notebook, read_table(folder / "tables" / f"{name}.csv", nrows=_EXCEL_ROWS))
              for name, notebook in order]
    total = sum(min(len(f), _EXCEL_ROWS - 1) for _, _, f in frames)
    if log:
        log(f"workbook {target.name}: {len(frames)} tables, {total:,} rows")
    used = {_CONTENTS[lang].lower()}
    sheets, rows = [], []
    for k, (name, notebook, frame) in enumerate(frames, 1):
        sheet = sheet_title(name, lang)
        n = 1
        while sheet.lower() in used:
            n += 1
            sheet = f"{sheet_title(name, lang)[:26]} ({n})"
        used.add(sheet.lower())
        note = ""
        if len(frame) >= _EXCEL_ROWS:
            frame = frame.iloc[:_EXCEL_ROWS - 1]
            note = _CUT[lang].format(n=len(frame))
        if log and len(frame) >= 10_000:
            log(f"  [{k}/{len(frames)}] {name}: {len(frame):,} rows")
        sheets.append(_sheet(sheet, frame, name, lang=lang))
        recorded_by = label(f"nb_{notebook}", lang) if f"nb_{notebook}" in LABELS else (notebook or "")
        rows.append((k, sheet, f"{name}.csv", recorded_by, len(frame), frame.shape[1], note or None))
    listing = pd.DataFrame(rows, columns=range(7))
    text = [1, 2, 3, 6]
    contents = _xlsx.Sheet(
        _CONTENTS[lang], _CONTENTS_HEADERS[lang],
        [_xlsx.Column(listing[j].astype(object) if j in text else listing[j].astype(float),
                      style="integer" if j not in text else "default", text=j in text)
         for j in range(7)],
        [6, 32, 34, 22, 10, 8, 40], autofilter=False,
        links={(i, 1): sheet for i, sheet in enumerate(listing[1], 1)})
    formats = {"integer": "#,##0", "year": "0", "currency": _currency_format(currency), "percent": "0.0%",
               "number": "#,##0.00", "statistic": "0.0000", "date": "yyyy-mm-dd",
               "datetime": "yyyy-mm-dd hh:mm"}
    title = f"{folder.parent.name} {folder.name}" if title is None else title
    _xlsx.write(target, [contents, *sheets], formats, title=title)
    if log:
        log(f"workbook {target.name} written in {time.perf_counter() - started:.1f} s")
    return target
