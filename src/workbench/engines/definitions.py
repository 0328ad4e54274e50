"""The transaction-to-customer aggregates, written once as SQL and compiled per engine.

Every aggregate is one SQL text in DuckDB's dialect, built from the parameters of the
call and from what the engine knows about its transactions (:class:`TransactionStats`:
whether returns exist, the first and last day). DuckDB runs the text as written;
:func:`to_dialect` transpiles it with sqlglot for Spark (or any dialect sqlglot
writes). Each text reads one view, ``transactions``, with the canonical columns of
:mod:`workbench.schema` (``customer_id`` VARCHAR, ``date`` DATE or TIMESTAMP, ``amount``
DOUBLE; optional ``is_return``, ``order_id``, ``gross_profit``, ``cost``,
``product_id``), and the customer aggregates one view ``customers``.

Why SQL transpiled with sqlglot rather than Ibis
------------------------------------------------
Both were weighed against five criteria (benchmarks/README.md, "Engines"):

* speed against the best hand-written DuckDB query: the DuckDB text *is* that query
  (``arg_min`` after day totals, two hash aggregations), so the DuckDB path cannot fall
  behind it; Ibis writes its own SQL and adds a compile step per call;
* dependency weight: sqlglot is one pure-Python package without dependencies (and is
  what Ibis itself compiles through); ibis-framework 12 adds six packages, and its
  ``pyspark`` extra pins ``pyspark<4.1`` (this project uses pyspark 4.x, the version
  that supports Java 17 and 21 alike);
* pandas-3 compatibility: nothing here converts through pandas except the final Arrow
  table, which the engine converts itself with explicit dtypes;
* result parity: one text per aggregate, the DuckDB and Spark results tested equal to
  each other and to :mod:`workbench.features` (``tests/test_engines*.py``);
* readability: an analyst reads and runs the SQL (:meth:`Engine.sql` prints it for
  any engine), and the BG/NBD rules sit in one query beside their formulas.

Conventions are those of :mod:`workbench.features`: whole days (time of day ignored,
UTC for time-zone-aware timestamps), windows include both end days, a *purchase* is a
row that is not a return (``amount >= 0`` and not ``is_return``), returns are netted
into money but never count as purchases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench._periods import _day as day_number  # noqa: F401  (engines call defs.day_number)
from workbench._periods import _iso as iso

__all__ = [
    "AGGREGATES",
    "TransactionStats",
    "abc_totals_sql",
    "account_totals_sql",
    "bgnbd_summary_sql",
    "churn_counts_sql",
    "cohort_counts_sql",
    "customer_features_sql",
    "period_number",
    "period_spend_sql",
    "to_dialect",
]

#: The aggregates every engine runs, by name (the methods of :class:`Engine`).
AGGREGATES = ("customer_features", "bgnbd_summary", "period_spend", "churn_counts", "cohort_counts", "abc_totals",
              "account_totals")

#: The group of rows without a key in :func:`abc_totals_sql` (as in workbench.value).
MISSING_KEY = "(missing)"

_PERIODS = ("W", "M", "Q", "Y")


@dataclass(frozen=True)
class TransactionStats:
    """What one pass over the transactions told the engine.

    Attributes
    ----------
    rows : int
        Rows in the source.
    first_day, last_day : int or None
        Day numbers (days since 1970-01-01) of the earliest and latest ``date``.
    has_returns : bool
        Whether any row is a return (``amount < 0`` or ``is_return``); without returns
        the BG/NBD summary takes the faster plan.
    columns : tuple of str
        The canonical columns the ``transactions`` view has.
    """

    rows: int
    first_day: int | None
    last_day: int | None
    has_returns: bool
    columns: tuple[str, ...]


# ----------------------------------------------------------------------------------
# small pieces
# ----------------------------------------------------------------------------------


def _date(day: int) -> str:
    return f"DATE '{iso(day)}'"


def _double(x: float) -> str:
    # a bare 7.0 is a DECIMAL literal in Spark: division would round to its scale
    return f"CAST({float(x)!r} AS DOUBLE)"


def period_number(day: int, period: str) -> int:
    """The calendar period of a day number, counted from 1970 as workbench.features does.

    Months since 1970-01 for ``"M"``, quarters for ``"Q"``, years for ``"Y"`` and ISO
    weeks (Monday to Sunday; 1970-01-01 was a Thursday) for ``"W"``.

    Examples
    --------
    >>> period_number(day_number("1997-09-30", "d"), "M"), period_number(0, "W")
    (332, 0)
    """
    if period == "W":
        return (int(day) + 3) // 7
    month = int(np.datetime64(iso(day), "M").astype(np.int64))
    return {"M": month, "Q": month // 3, "Y": month // 12}[period]


def _period_sql(period: str, d: str = "d") -> str:
    """SQL for :func:`period_number` of a DATE expression ``d`` (floor division, so dates
    before 1970 land in the right period too)."""
    month = f"((YEAR({d}) - 1970) * 12 + MONTH({d}) - 1)"
    if period == "W":
        return f"CAST(FLOOR((DATE_DIFF('day', DATE '1970-01-01', {d}) + 3) / 7) AS BIGINT)"
    if period == "M":
        return f"CAST({month} AS BIGINT)"
    if period == "Q":
        return f"CAST(FLOOR({month} / 3) AS BIGINT)"
    return f"CAST(YEAR({d}) - 1970 AS BIGINT)"


def _check_choice(value, allowed, name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not supported; use one of {list(allowed)}")


def _ret(stats: TransactionStats) -> str:
    return "(amount < 0 OR is_return)" if "is_return" in stats.columns else "(amount < 0)"


def _window(stats: TransactionStats, start_day: int | None, end_day: int | None) -> str:
    """A WHERE clause for ``start <= date <= end`` without the bounds the data respect
    (a filter costs a pass over every row)."""
    parts = []
    if end_day is not None and (stats.last_day is None or stats.last_day > end_day):
        parts.append(f"CAST(date AS DATE) <= {_date(end_day)}")
    if start_day is not None and (stats.first_day is None or stats.first_day < start_day):
        parts.append(f"CAST(date AS DATE) >= {_date(start_day)}")
    return ("WHERE " + " AND ".join(parts)) if parts else ""


def _profit(stats: TransactionStats) -> str | None:
    if "gross_profit" in stats.columns:
        return "gross_profit"
    if "cost" in stats.columns:
        return "(amount - cost)"
    return None


def _known_sum(expr: str | None) -> str:
    """Sum of ``expr``, NULL (NaN) when a row lacks it (NULL or NaN), as numpy sums NaN."""
    if expr is None:
        return "CAST(NULL AS DOUBLE)"
    return (f"CASE WHEN COUNT(*) FILTER (WHERE {expr} IS NULL OR isnan({expr})) = 0 "
            f"THEN fsum({expr}) END")


# ----------------------------------------------------------------------------------
# the aggregates
# ----------------------------------------------------------------------------------


def bgnbd_summary_sql(stats: TransactionStats, cal_day: int, obs_day: int | None, start_day: int | None,
                      unit: float) -> str:
    r"""The BG/NBD summary of :func:`workbench.features.bgnbd_summary` as one query.

    Day totals per (customer, day) first, then per customer: the first purchase day
    :math:`d_0`, the last calibration purchase day :math:`d_x`, the repeat purchase days
    :math:`x`, and the repeat spend :math:`\sum_{d_0 < d \le c} s(d)` (``arg_min``
    picks the first day's total). Output columns: ``customer_id``, ``frequency``,
    ``recency``, ``T``, ``monetary_value`` and, with ``obs_day``, ``frequency_holdout``
    and ``duration_holdout``; sorted by ``customer_id``.

    Three plans of one definition, chosen from ``stats`` as the pandas path chooses: no
    returns and no holdout (the hand-written query measured in ../shared/BENCHMARKS.md),
    no returns with a holdout (FILTER clauses), and returns (a return-only day is not a
    purchase day, so the first purchase day is found first and joined back).
    """
    end_day = cal_day if obs_day is None else obs_day
    where = _window(stats, start_day, end_day)
    cal = _date(cal_day)
    u = _double(unit)
    if not stats.has_returns:
        days = f"SELECT customer_id, CAST(date AS DATE) AS d, fsum(amount) AS s FROM transactions {where} " \
               "GROUP BY customer_id, CAST(date AS DATE)"
        if obs_day is None:
            per = """per AS (
            SELECT customer_id, MIN(d) AS f, MAX(d) AS l, COUNT(*) - 1 AS x,
                   fsum(s) - arg_min(s, d) AS rs, 0 AS xh
            FROM days GROUP BY customer_id
        )"""
        else:
            per = f"""per AS (
            SELECT customer_id, MIN(d) AS f,
                   MAX(d) FILTER (WHERE d <= {cal}) AS l,
                   COUNT(*) FILTER (WHERE d <= {cal}) - 1 AS x,
                   fsum(s) FILTER (WHERE d <= {cal}) - arg_min(s, d) AS rs,
                   COUNT(*) FILTER (WHERE d > {cal}) AS xh
            FROM days GROUP BY customer_id
        )"""
    else:
        days = (f"SELECT customer_id, CAST(date AS DATE) AS d, fsum(amount) AS s, "
                f"bool_or(NOT {_ret(stats)}) AS buy FROM transactions {where} "
                "GROUP BY customer_id, CAST(date AS DATE)")
        in_cal = "" if obs_day is None else f" AND d <= {cal}"
        per = f"""firsts AS (
            SELECT customer_id, MIN(d) AS f FROM days WHERE buy GROUP BY customer_id
            HAVING MIN(d) <= {cal}
        ),
        per AS (
            SELECT days.customer_id, any_value(firsts.f) AS f,
                   MAX(d) FILTER (WHERE buy{in_cal}) AS l,
                   COUNT(*) FILTER (WHERE buy{in_cal}) - 1 AS x,
                   COALESCE(fsum(s) FILTER (WHERE d > firsts.f{in_cal}), 0) AS rs,
                   COUNT(*) FILTER (WHERE buy AND d > {cal}) AS xh
            FROM days JOIN firsts ON days.customer_id = firsts.customer_id GROUP BY days.customer_id
        )"""
    holdout = "" if obs_day is None else (
        f",\n               CAST(xh AS DOUBLE) AS frequency_holdout,"
        f"\n               {_double((obs_day - cal_day) / unit)} AS duration_holdout")
    late = "" if obs_day is None else f"WHERE f <= {cal}"
    return f"""
        WITH days AS ({days}),
        {per}
        SELECT CAST(customer_id AS VARCHAR) AS customer_id,
               CAST(x AS DOUBLE) AS frequency,
               DATE_DIFF('day', f, l) / {u} AS recency,
               DATE_DIFF('day', f, {cal}) / {u} AS T,
               CASE WHEN x > 0 THEN rs / x ELSE {_double(0)} END AS monetary_value{holdout}
        FROM per {late}
        ORDER BY customer_id"""


def customer_features_sql(stats: TransactionStats, as_of_day: int, start_day: int | None, frequency: str,
                          period: str) -> str:
    r"""The 13 columns of :func:`workbench.features.customer_features` as one query.

    One hash aggregation per customer over the window's rows. The spend trend
    :math:`\hat\beta = \sum_k (k - \bar k) y_k / (n (n^2 - 1) / 12)` is written with
    :math:`p' = p - p_{as\_of}` (a small number, so no precision is lost) as
    :math:`\sum_{p \ge p_0} (p' - p_0'/2)\, a`, summed over rows: for
    :math:`k = p - p_0` and :math:`n = p_{as\_of} - p_0 + 1`,
    :math:`k - \bar k = p' - p_0'/2`. Rows before the first purchase period (returns
    only) leave the fit; they are subtracted by a second, small aggregation over return
    rows, present only when the data have returns.
    """
    _check_choice(frequency, ("orders", "days"), "frequency")
    _check_choice(period, _PERIODS, "period")
    where = _window(stats, start_day, as_of_day)
    ret = _ret(stats)
    asof_p = period_number(as_of_day, period)
    p = _period_sql(period)
    if frequency == "days":
        freq = "COUNT(DISTINCT d) FILTER (WHERE NOT ret)"
    elif "order_id" in stats.columns:
        freq = "COUNT(DISTINCT order_id) FILTER (WHERE NOT ret)"
    else:
        freq = "COUNT(*) FILTER (WHERE NOT ret)"
    profit = _profit(stats)
    rows = (f"SELECT customer_id, CAST(date AS DATE) AS d, amount, {ret} AS ret"
            f"{', order_id' if 'order_id' in stats.columns and frequency == 'orders' else ''}"
            f"{', ' + profit + ' AS gp' if profit else ''} FROM transactions {where}")
    rows_p = f"SELECT *, {p} - {asof_p} AS pp FROM ({rows}) AS r0"
    if stats.has_returns:
        # returns dated before the customer's first purchase period: out of the trend
        pre = f"""pre AS (
            SELECT r.customer_id, fsum(r.amount) AS a0, fsum(r.pp * r.amount) AS pa0
            FROM ({rows_p}) AS r JOIN c ON r.customer_id = c.customer_id
            WHERE r.ret AND r.pp < c.fp GROUP BY r.customer_id
        ),
        cc AS (
            SELECT c.*, COALESCE(pre.a0, 0) AS a0, COALESCE(pre.pa0, 0) AS pa0
            FROM c LEFT JOIN pre ON c.customer_id = pre.customer_id
        )"""
    else:
        pre = "cc AS (SELECT *, 0 AS a0, 0 AS pa0 FROM c)"
    n = f"CAST({-1} * fp + 1 AS DOUBLE)"  # periods from the first purchase's to as_of's: 1 - fp'
    sxx = f"({n} * ({n} * {n} - 1) / 12)"
    sxy = "((spa - pa0) - fp * (total - a0) / 2)"
    return f"""
        WITH c AS (
            SELECT customer_id,
                   MIN(d) FILTER (WHERE NOT ret) AS first_d,
                   MAX(d) FILTER (WHERE NOT ret) AS last_d,
                   {freq} AS frequency,
                   fsum(amount) AS total,
                   {_known_sum('gp' if profit else None)} AS gp,
                   COUNT(DISTINCT pp) FILTER (WHERE NOT ret) AS active,
                   MIN(pp) FILTER (WHERE NOT ret) AS fp,
                   fsum(pp * amount) AS spa,
                   COUNT(*) FILTER (WHERE ret) AS n_returns
            FROM ({rows_p}) AS r GROUP BY customer_id
        ),
        {pre}
        SELECT CAST(customer_id AS VARCHAR) AS customer_id,
               first_d AS first_purchase,
               last_d AS last_purchase,
               CAST(DATE_DIFF('day', last_d, {_date(as_of_day)}) AS DOUBLE) AS recency_days,
               CAST(DATE_DIFF('day', first_d, {_date(as_of_day)}) AS DOUBLE) AS tenure_days,
               CAST(frequency AS BIGINT) AS frequency,
               CAST(total AS DOUBLE) AS monetary_total,
               CASE WHEN frequency > 0 THEN total / frequency END AS monetary_mean,
               CAST(gp AS DOUBLE) AS gross_profit,
               CASE WHEN total > 0 THEN gp / total END AS margin_rate,
               CAST(active AS BIGINT) AS active_periods,
               CASE WHEN active >= 2 AND fp < 0 THEN {sxy} / {sxx} END AS spend_trend,
               CAST(n_returns AS BIGINT) AS n_returns
        FROM cc
        ORDER BY customer_id"""


def period_spend_sql(stats: TransactionStats, start_day: int | None, end_day: int | None, period: str) -> str:
    """Net spend, purchase rows and return rows per (customer, calendar period).

    What lifecycle stages (per-period spend from the first purchase period), cohorts
    (first purchase period, purchase periods, revenue) and churn rates (purchase
    periods) read from transactions. Output: ``customer_id``, ``period_number``
    (:func:`period_number`), ``spend`` (net amount, returns included), ``purchases``
    (rows that are not returns), ``returns``; one row per cell with any row, sorted by
    customer and period.
    """
    _check_choice(period, _PERIODS, "period")
    where = _window(stats, start_day, end_day)
    return f"""
        WITH r AS (
            SELECT customer_id, {_period_sql(period, 'CAST(date AS DATE)')} AS period_number, amount,
                   {_ret(stats)} AS ret
            FROM transactions {where}
        )
        SELECT CAST(customer_id AS VARCHAR) AS customer_id, period_number,
               CAST(fsum(amount) AS DOUBLE) AS spend,
               CAST(COUNT(*) FILTER (WHERE NOT ret) AS BIGINT) AS purchases,
               CAST(COUNT(*) FILTER (WHERE ret) AS BIGINT) AS returns
        FROM r GROUP BY customer_id, period_number
        ORDER BY customer_id, period_number"""


def _purchases_only(stats: TransactionStats, where: str) -> str:
    """``where`` (a WHERE clause or "") narrowed to the rows that are not returns."""
    if not stats.has_returns:
        return where
    return f"{where} AND NOT {_ret(stats)}" if where else f"WHERE NOT {_ret(stats)}"


def churn_counts_sql(stats: TransactionStats, start_day: int | None, end_day: int | None, period: str) -> str:
    r"""Active, new and retained customers per calendar period: the counts of churn rates.

    The purchase periods are the distinct (customer, period) pairs with a row that is
    not a return; per pair, the customer's previous purchase period :math:`q` (``LAG``
    over the customer's periods in order). Per period :math:`t`: ``active`` = the pairs
    in it, ``new`` = those without a previous purchase period (the customer's first),
    ``retained`` = those with :math:`q = t - 1`. Output: ``period_number``
    (:func:`period_number`), ``active``, ``new``, ``retained``; one row per period with
    a purchase, in order. :func:`workbench.lifecycle.churn_rates` fills the periods
    without a purchase and derives the rest (churned, reactivated, the rate) from these
    few rows, so one row per customer and period never leaves the engine.

    Examples
    --------
    >>> stats = TransactionStats(rows=3, first_day=0, last_day=40, has_returns=False,
    ...                          columns=("customer_id", "date", "amount"))
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE VIEW transactions AS SELECT * FROM (VALUES ('a', DATE '1970-01-05', 1.0), "
    ...                 "('a', DATE '1970-02-05', 2.0), ('b', DATE '1970-02-01', 3.0)) t(customer_id, date, amount)")
    >>> con.sql(churn_counts_sql(stats, None, None, "M")).fetchall()  # January: a new; February: a kept, b new
    [(0, 1, 1, 0), (1, 2, 1, 1)]
    """
    _check_choice(period, _PERIODS, "period")
    where = _purchases_only(stats, _window(stats, start_day, end_day))
    return f"""
        WITH cells AS (
            SELECT DISTINCT customer_id, {_period_sql(period, 'CAST(date AS DATE)')} AS period_number
            FROM transactions {where}
        ),
        lagged AS (
            SELECT period_number,
                   LAG(period_number) OVER (PARTITION BY customer_id ORDER BY period_number) AS previous
            FROM cells
        )
        SELECT period_number,
               CAST(COUNT(*) AS BIGINT) AS active,
               CAST(COUNT(*) FILTER (WHERE previous IS NULL) AS BIGINT) AS new,
               CAST(COUNT(*) FILTER (WHERE previous = period_number - 1) AS BIGINT) AS retained
        FROM lagged GROUP BY period_number
        ORDER BY period_number"""


def cohort_counts_sql(stats: TransactionStats, start_day: int | None, end_day: int | None, period: str) -> str:
    r"""Customers and net revenue per acquisition cohort and periods since: the cohort table.

    Per (customer, period) with a row: net spend and whether a row is a purchase (not a
    return); the customer's cohort :math:`p_0` is the first period with a purchase
    (``MIN`` over the customer's cells, a window), so a customer who only returned
    goods has none. Per (cohort, :math:`k = p - p_0 \ge 0`): ``customers`` = cells with
    a purchase, ``revenue`` = their customers' net spend in the period (returns
    included). Cells before :math:`p_0` and customers without a purchase are left out,
    as in :func:`workbench.lifecycle.cohort_table`, which turns these rows (cohorts x
    periods, a triangle) into the table; the cohort sizes are the ``customers`` at
    :math:`k = 0`. Output ``cohort``, ``periods_since``, ``customers``, ``revenue``,
    sorted by the first two.

    Examples
    --------
    >>> stats = TransactionStats(rows=4, first_day=0, last_day=70, has_returns=True,
    ...                          columns=("customer_id", "date", "amount"))
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE VIEW transactions AS SELECT * FROM (VALUES ('a', DATE '1970-01-05', 10.0), "
    ...                 "('a', DATE '1970-03-05', -4.0), ('b', DATE '1970-01-20', 3.0), "
    ...                 "('b', DATE '1970-02-01', 5.0)) t(customer_id, date, amount)")
    >>> con.sql(cohort_counts_sql(stats, None, None, "M")).fetchall()  # a's March: a return only
    [(0, 0, 2, 13.0), (0, 1, 1, 5.0), (0, 2, 0, -4.0)]
    """
    _check_choice(period, _PERIODS, "period")
    where = _window(stats, start_day, end_day)
    return f"""
        WITH r AS (
            SELECT customer_id, {_period_sql(period, 'CAST(date AS DATE)')} AS period_number, amount,
                   {_ret(stats)} AS ret
            FROM transactions {where}
        ),
        cells AS (
            SELECT customer_id, period_number, fsum(amount) AS spend,
                   COUNT(*) FILTER (WHERE NOT ret) AS purchases
            FROM r GROUP BY customer_id, period_number
        ),
        cohorts AS (
            SELECT period_number, spend, purchases,
                   MIN(CASE WHEN purchases > 0 THEN period_number END) OVER (PARTITION BY customer_id) AS cohort
            FROM cells
        )
        SELECT cohort, period_number - cohort AS periods_since,
               CAST(COUNT(*) FILTER (WHERE purchases > 0) AS BIGINT) AS customers,
               CAST(fsum(spend) AS DOUBLE) AS revenue
        FROM cohorts WHERE period_number >= cohort
        GROUP BY cohort, period_number - cohort
        ORDER BY cohort, periods_since"""


def abc_totals_sql(stats: TransactionStats, by: str, start_day: int | None, end_day: int | None) -> str:
    """Sales and gross profit per customer (or product), the inputs of ABC analysis.

    As :func:`workbench.value.customer_ratios` / ``product_ratios`` total them: ``sales``
    net of returns, ``gross_profit`` from ``gross_profit`` or ``amount - cost`` (NaN for
    a key with a row lacking it, or without either column); rows without a key form the
    group ``"(missing)"``, so no sales are dropped; ``rows`` counts the rows. Sorted by
    key.
    """
    _check_choice(by, ("customer_id", "product_id"), "by")
    if by not in stats.columns:
        raise ValueError(f"abc_totals: by={by!r}, but the transactions have no {by!r} column "
                         f"(columns: {list(stats.columns)}); map one in the source's columns")
    where = _window(stats, start_day, end_day)
    profit = _profit(stats)
    gp = f", {profit} AS gp" if profit else ""
    return f"""
        WITH r AS (
            SELECT COALESCE(CAST({by} AS VARCHAR), '{MISSING_KEY}') AS k, amount{gp}
            FROM transactions {where}
        )
        SELECT k AS {by}, CAST(fsum(amount) AS DOUBLE) AS sales,
               CAST({_known_sum('gp' if profit else None)} AS DOUBLE) AS gross_profit,
               CAST(COUNT(*) AS BIGINT) AS "rows"
        FROM r GROUP BY k
        ORDER BY k"""


def account_totals_sql(stats: TransactionStats, by: str, start_day: int | None, end_day: int | None) -> str:
    """Customers and net sales per customer class (the subtotals of the account table).

    Sales per customer in the window, joined with the ``customers`` view's ``by``
    column; one row per class ``cls`` with ``customers`` and ``sales``, and a row with a
    NULL class counting the customers without one (the engine refuses them as
    :func:`workbench.value.account_analysis` does). Classes in descending order of sales,
    ties by class.
    """
    where = _window(stats, start_day, end_day)
    return f"""
        WITH s AS (
            SELECT customer_id, fsum(amount) AS sales FROM transactions {where} GROUP BY customer_id
        ),
        t AS (
            SELECT CAST(c.cls AS VARCHAR) AS cls, CAST(COUNT(*) AS BIGINT) AS customers,
                   CAST(fsum(s.sales) AS DOUBLE) AS class_sales
            FROM s LEFT JOIN (SELECT customer_id, {by} AS cls FROM customers) AS c
                 ON s.customer_id = c.customer_id
            GROUP BY c.cls
        )
        SELECT cls, customers, class_sales AS sales FROM t
        ORDER BY class_sales DESC, cls"""


def stats_sql(columns: tuple[str, ...]) -> str:
    """Rows, missing required values, the date range and whether returns exist."""
    ret = "(amount < 0 OR is_return)" if "is_return" in columns else "(amount < 0)"
    return f"""
        SELECT CAST(COUNT(*) AS BIGINT) AS n_rows,
               CAST(COUNT(*) - COUNT(customer_id) AS BIGINT) AS missing_customer_id,
               CAST(COUNT(*) - COUNT(date) AS BIGINT) AS missing_date,
               CAST(COUNT(*) FILTER (WHERE amount IS NULL OR isnan(amount)) AS BIGINT) AS missing_amount,
               MIN(CAST(date AS DATE)) AS first_day, MAX(CAST(date AS DATE)) AS last_day,
               COALESCE(bool_or({ret}), false) AS has_returns
        FROM transactions"""


def to_dialect(sql: str, dialect: str) -> str:
    """The DuckDB text of an aggregate in another SQL dialect (``"spark"``, ...).

    Parameters
    ----------
    sql : str
        A query in DuckDB's dialect, as the ``*_sql`` functions return.
    dialect : str
        A sqlglot dialect name; ``"duckdb"`` returns ``sql`` unchanged.

    Returns
    -------
    str
        The transpiled query (``arg_min`` becomes ``MIN_BY``, ``DATE_DIFF('day', a, b)``
        becomes ``DATEDIFF(DAY, a, b)``, ``DATE '...'`` a cast, ...).

    Examples
    --------
    >>> to_dialect("SELECT arg_min(s, d) FROM days", "spark")
    'SELECT MIN_BY(s, d) FROM days'
    """
    if dialect == "duckdb":
        return sql
    import sqlglot
    from sqlglot import exp

    def plain_sum(node):  # DuckDB's compensated fsum: a SUM elsewhere
        if isinstance(node, exp.Anonymous) and node.name.lower() == "fsum":
            return exp.Sum(this=node.expressions[0])
        return node

    tree = sqlglot.parse_one(sql, read="duckdb").transform(plain_sum)
    return tree.sql(dialect=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)
