"""The summary page of a period: key figures, main charts and who to act on, first in a report.

Built after every notebook of the period has run, from what they recorded: the key
figures from ``metrics.json`` (and the previous period's, when that report exists, for
the change), the main charts from ``figures/``, and the action lists from the
per-customer tables in ``tables/`` (key-account scores, ABC classes, lifecycle stages,
P(alive), the valuable-but-dissatisfied list, the optimal sales-expense plan). Customers
are named as the customer master names them: a name column is pseudonymised when the
case is loaded (:mod:`workbench.privacy`) unless the case keeps it, so the page never
shows more than the other outputs do. Whatever a case cannot show (no survey, no sales
expense, no industry ...) is left out with one line saying why.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.formatting import format_value, money_unit, table_html
from workbench.labels import label
from workbench.navigation import nav_bar, page_title, standalone_page

__all__ = ["KEY_FIGURES", "MAIN_CHARTS", "action_lists", "key_figures", "write_summary"]

#: Key figures of the BG/NBD model: shown with its holdout verdict when it failed
#: (:meth:`workbench.clv.HoldoutValidation.reliable`)
_BGNBD_FIGURES = ("clv_total_12m", "p_alive_mean")

#: (notebook, metric, label key, kind) of the key figures, in page order
KEY_FIGURES: tuple[tuple[str, str, str, str], ...] = (
    ("01_customer_value", "abc_class_a_customer_share", "kf_a_customers", "share"),
    ("01_customer_value", "abc_class_a_value_share", "kf_a_value", "share"),
    ("01_customer_value", "clv_total_12m", "kf_clv_total", "money"),
    ("01_customer_value", "p_alive_mean", "kf_p_alive", "share"),
    ("04_lifecycle_churn", "share_churned", "kf_share_churned", "share"),
    ("04_lifecycle_churn", "retention_rate", "kf_retention", "share"),
    ("03_satisfaction_loyalty", "csi", "kf_csi", "number"),
    ("03_satisfaction_loyalty", "nps", "kf_nps", "number"),
    ("05_resource_allocation", "uplift_optimal_pct", "kf_uplift", "share"),
    ("06_funnel", "deals_won_in_period", "kf_deals_won", "count"),
    ("06_funnel", "win_rate_closed", "kf_win_rate", "share"),
    ("06_funnel", "pipeline_weighted_value", "kf_pipeline", "money"),
    ("06_funnel", "acquisition_to_retention", "kf_acq_ret", "number"),
)
#: figures shown on the summary when the report has them, in order
MAIN_CHARTS = ("period_activity", "pareto_lorenz", "value_matrix", "stage_value_curve", "ipma",
               "plan_gross_profit", "funnel")
_TOP = 10


def _money(text: str, unit: str, lang: str) -> str:
    """An amount with its unit: ``$4,924`` in English for a symbol, ``4,924 元`` otherwise."""
    if not unit:
        return text
    if lang == "en" and unit in ("$", "€", "£"):
        return f"-{unit}{text[1:]}" if text.startswith("-") else f"{unit}{text}"
    return f"{text} {unit}"


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / "tables" / f"{name}.csv"
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype={"customer_id": str, "period": str}, encoding="utf-8-sig")


def _previous_metrics(folder: Path, previous: str | None) -> dict:
    if not previous:
        return {}
    path = folder.parent / previous / "metrics.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _change(now: float, before: float | None, kind: str, lang: str) -> str:
    if before is None or now is None:
        return ""
    if kind == "share":
        diff = (now - before) * 100
        text = f"{diff:+.1f} " + ("个百分点" if lang == "zh" else "pp")
    elif before:
        text = f"{(now - before) / abs(before):+.1%}"
    else:
        return ""
    return label("kf_change", lang).format(change=text)


def key_figures(folder: Path, metrics: Mapping[str, Mapping[str, Any]], *, lang: str, currency: str,
                previous: str | None = None) -> list[dict[str, str]]:
    """The key figures of a period with units and, where known, the change.

    Parameters
    ----------
    folder : pathlib.Path
        The period's folder (``tables/period_summary.csv`` gives the period's revenue,
        customers and orders, and those of the period before).
    metrics : mapping
        ``metrics.json``: notebook -> metric -> value.
    lang : {"zh", "en"}
    currency : str
        ISO code; money figures carry its unit.
    previous : str, optional
        The previous period's name; its ``../<previous>/metrics.json`` gives changes.

    Returns
    -------
    list of dict
        ``{"label", "value", "change"}`` as display text, in :data:`KEY_FIGURES` order after
        the period's revenue, customers and orders.
    """
    unit = money_unit(currency, lang)
    out = []
    periods = _read(folder, "period_summary")
    if periods is not None and len(periods):
        last = periods.iloc[-1]
        before = periods.iloc[-2] if len(periods) > 1 else None
        for column, key, kind in (("revenue", "kf_revenue", "money"), ("customers", "kf_customers", "count"),
                                  ("orders", "kf_orders", "count"), ("new_customers", "kf_new_customers", "count")):
            if column not in periods:
                continue
            value = float(last[column])
            text = format_value(value, kind, lang=lang, decimals=0)
            out.append({"label": label(key, lang).format(period=last["period"]),
                        "value": _money(text, unit, lang) if kind == "money" else text,
                        "change": _change(value, None if before is None else float(before[column]), kind, lang)})
    earlier = _previous_metrics(folder, previous)
    for notebook, metric, key, kind in KEY_FIGURES:
        value = metrics.get(notebook, {}).get(metric)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if metric == "uplift_optimal_pct":
            value = float(value)
        text = format_value(float(value), kind, lang=lang, decimals=1 if kind in ("share", "number") else 0)
        if kind == "money":
            text = _money(text, unit, lang)
        if metric == "acquisition_to_retention":
            text = f"{float(value):.1f} ×"
        before = earlier.get(notebook, {}).get(metric)
        change = _change(float(value), before if isinstance(before, (int, float)) else None, kind, lang)
        if metric in _BGNBD_FIGURES and metrics.get(notebook, {}).get("bgnbd_holdout_reliable") is False:
            error = metrics[notebook].get("holdout_total_error_pct")  # the model's figures carry its verdict
            error = float(error) if error is not None else float("nan")
            change = label("kf_bgnbd_unreliable", lang).format(error=error)
        out.append({"label": label(key, lang), "value": text, "change": change})
    return out


def _customers(folder: Path) -> pd.DataFrame | None:
    """customer_id with name and industry when the case has them (notebook 01's indicators)."""
    indicators = _read(folder, "customer_indicators")
    if indicators is None:
        return None
    return indicators[[c for c in ("customer_id", "name", "industry") if c in indicators]]


def _with_who(frame: pd.DataFrame, who: pd.DataFrame | None) -> pd.DataFrame:
    if who is None or len(who.columns) == 1:
        return frame
    merged = frame.merge(who, on="customer_id", how="left")
    first = ["customer_id", *[c for c in ("name", "industry") if c in merged]]
    return merged[first + [c for c in merged.columns if c not in first]]


def action_lists(folder: Path, *, lang: str, notebooks: Sequence[str]) -> list[tuple[str, pd.DataFrame | None, str]]:
    """Who to act on: (list key, table or None, note) per action list.

    Parameters
    ----------
    folder : pathlib.Path
        The period's folder.
    lang : {"zh", "en"}
        Language of the recommended actions.
    notebooks : sequence of str
        The notebooks of the report; a list whose notebook was not run says so.

    Returns
    -------
    list of (str, pandas.DataFrame or None, str)
        The table has English column names and codes (shown through
        :func:`workbench.formatting.table_html`), at most ten customers, an ``action``
        column; when the case cannot give the list, None and the one-line reason.
    """
    who = _customers(folder)
    lists: list[tuple[str, pd.DataFrame | None, str]] = []
    stages = _read(folder, "customer_stages")
    indicators = _read(folder, "customer_indicators")
    value_col = ("recent_gross_profit" if indicators is not None and "recent_gross_profit" in indicators
                 and indicators["recent_gross_profit"].notna().any() else "recent_revenue")

    scores = _read(folder, "key_account_scores")
    if scores is None:
        lists.append(("key_accounts", None, label("why_no_value", lang)))
    else:
        top = scores[scores["key_account"].astype(bool)].sort_values("rank")[["customer_id", "rank", "score"]]
        if indicators is not None:
            top = top.merge(indicators[["customer_id", value_col]], on="customer_id", how="left")
        if stages is not None:  # a churned key account is a win-back case: listed under the risk of leaving
            top = top.merge(stages[["customer_id", "stage"]], on="customer_id", how="left")
            top = top[top["stage"] != "churned"]
        top = top.head(_TOP)
        declining = top.get("stage", pd.Series(index=top.index, dtype=object)).isin(["decline", "churned"])
        top["action"] = [label("act_key_declining" if d else "act_key", lang) for d in declining]
        lists.append(("key_accounts", _with_who(top, who), ""))

    abc = _read(folder, "abc_classes")
    clv = _read(folder, "customer_lifetime_value")
    if abc is None or (stages is None and clv is None):
        lists.append(("at_risk", None, label("why_no_risk", lang)))
    else:
        risk = abc.loc[abc["abc_class"] == "A", ["customer_id", "value"]]
        if stages is not None:
            risk = risk.merge(stages[["customer_id", "stage", "recency_days"]], on="customer_id", how="left")
        if clv is not None:
            risk = risk.merge(clv[["customer_id", "p_alive"]], on="customer_id", how="left")
        leaving = pd.Series(False, index=risk.index)
        if "stage" in risk:
            leaving |= risk["stage"].isin(["decline", "churned"])
        if "p_alive" in risk:
            leaving |= risk["p_alive"] < 0.5
        risk = risk[leaving].sort_values(["value", "customer_id"], ascending=[False, True]).head(_TOP)
        risk["action"] = [label("act_winback" if s == "churned" else "act_risk", lang)
                          for s in risk.get("stage", pd.Series(index=risk.index, dtype=object))]
        lists.append(("at_risk", _with_who(risk, who), "" if len(risk) else label("none_at_risk", lang)))

    unhappy = _read(folder, "valuable_dissatisfied")
    if "03_satisfaction_loyalty" not in notebooks:
        lists.append(("dissatisfied", None, label("why_no_survey", lang)))
    elif unhappy is None:
        lists.append(("dissatisfied", None, label("why_survey_unlinked", lang)))
    else:
        unhappy = unhappy.sort_values(["gap", "customer_id"], ascending=[False, True]).head(_TOP)
        unhappy = unhappy[[c for c in ("customer_id", "value_class", "satisfaction", "gap") if c in unhappy]]
        unhappy["action"] = label("act_dissatisfied", lang)
        note = "" if len(unhappy) else label("none_dissatisfied", lang)
        lists.append(("dissatisfied", _with_who(unhappy, who), note))

    plan = _read(folder, "plan")
    if "05_resource_allocation" not in notebooks or plan is None:
        lists.append(("reallocation", None, label("why_no_expense", lang)))
    else:
        plan = plan.sort_values(["change", "customer_id"], kind="stable")
        moves = pd.concat([plan.tail(_TOP // 2).iloc[::-1], plan.head(_TOP // 2)])
        moves = moves[["customer_id", "quadrant", "current_spend", "planned_spend", "change", "marginal_return"]]
        moves["action"] = [label("act_raise" if c > 0 else "act_cut", lang).format(
            amount=format_value(abs(c), "money", decimals=0)) for c in moves["change"]]
        lists.append(("reallocation", _with_who(moves.drop(columns=[]), who), ""))
    return lists


def _funnel(metrics: Mapping[str, Any], lang: str, currency: str) -> list[tuple[str, str]]:
    m = metrics.get("06_funnel", {})
    unit = money_unit(currency, lang)
    rows = []
    for key, metric, kind in (("fn_leads", "leads", "count"), ("fn_won", "deals_won", "count"),
                              ("fn_open", "deals_open", "count"), ("fn_win_rate", "win_rate_closed", "share"),
                              ("fn_p_win", "p_win_new_lead", "share"),
                              ("fn_pipeline", "pipeline_weighted_value", "money"),
                              ("fn_acquisition", "acquisition_cost", "money"),
                              ("fn_retention", "retention_cost", "money")):
        value = m.get(metric)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            text = format_value(value if kind != "count" else int(value), kind, lang=lang,
                                decimals=1 if kind == "share" else 0)
            rows.append((label(key, lang), _money(text, unit, lang) if kind == "money" else text))
    return rows


def write_summary(folder: Path, *, case: Any, period: str, as_of: str, notebooks: Sequence[str],
                  failed: Sequence[str], metrics: Mapping[str, Any]) -> Path:
    """Write ``summary.html`` of a period.

    Parameters
    ----------
    folder : pathlib.Path
        The period's folder, after every notebook ran.
    case : workbench.cases.Case
        Language, currency, title, and the period before this one.
    period, as_of : str
    notebooks : sequence of str
        The report's notebooks, in order.
    failed : sequence of str
        Notebooks that failed: named at the top of the page.
    metrics : mapping
        ``metrics.json``.

    Returns
    -------
    pathlib.Path
        The page written.
    """
    lang, currency = case.language, case.currency
    title = case.title or case.name
    try:
        previous = str(case.period(period) - 1)
    except Exception:  # noqa: BLE001 - the period before the case's start: no comparison
        previous = None
    parts = [f"<h1>{html.escape(label('nav_summary', lang))} · {html.escape(title)} · {html.escape(period)}</h1>",
             f"<p>{html.escape(label('analysis_date_line', lang).format(date=as_of))}</p>"]
    if failed:
        names = "、".join(label(f"nb_{n}", lang) for n in failed) if lang == "zh" else ", ".join(
            label(f"nb_{n}", lang) for n in failed)
        parts.append(f'<p class="wb-failed">{html.escape(label("summary_failed", lang).format(names=names))}</p>')
    cards = key_figures(folder, metrics, lang=lang, currency=currency, previous=previous)
    parts.append(f"<h2>{html.escape(label('sum_key_figures', lang))}</h2><div class=\"wb-cards\">")
    for card in cards:
        change = f'<div class="wb-d">{html.escape(card["change"])}</div>' if card["change"] else ""
        parts.append(f'<div class="wb-card"><div class="wb-k">{html.escape(card["label"])}</div>'
                     f'<div class="wb-v">{html.escape(card["value"])}</div>{change}</div>')
    parts.append("</div>")
    parts.append(f"<h2>{html.escape(label('sum_actions', lang))}</h2>")
    for key, table, note in action_lists(folder, lang=lang, notebooks=notebooks):
        parts.append(f"<h3>{html.escape(label(f'list_{key}', lang))}</h3>")
        if table is None:
            parts.append(f'<p class="wb-missing">{html.escape(note)}</p>')
            continue
        parts.append(f"<p>{html.escape(label(f'list_{key}_why', lang))}</p>")
        if len(table):
            parts.append(table_html(table, lang=lang, currency=currency))
        if note:
            parts.append(f'<p class="wb-missing">{html.escape(note)}</p>')
    parts.append(f"<h3>{html.escape(label('list_funnel', lang))}</h3>")
    funnel = _funnel(metrics, lang, currency)
    if funnel:
        parts.append('<div class="wb-cards">' + "".join(
            f'<div class="wb-card"><div class="wb-k">{html.escape(k)}</div>'
            f'<div class="wb-v">{html.escape(v)}</div></div>' for k, v in funnel) + "</div>")
    else:
        parts.append(f'<p class="wb-missing">{html.escape(label("why_no_funnel", lang))}</p>')
    charts = [name for name in MAIN_CHARTS if (folder / "figures" / f"{name}.png").is_file()]
    if charts:
        parts.append(f"<h2>{html.escape(label('sum_charts', lang))}</h2><div class=\"wb-figs\">")
        parts += [f'<figure><figcaption>{html.escape(label(f"chart_{name}", lang))}</figcaption>'
                  f'<img src="figures/{name}.png" alt="{html.escape(label(f"chart_{name}", lang))}"></figure>'
                  for name in charts]
        parts.append("</div>")
    nav = nav_bar(notebooks=notebooks, current="summary", lang=lang, case_title=title, period=period, failed=failed)
    target = folder / "summary.html"
    target.write_text(standalone_page(title=page_title(title, period, label("nav_summary", lang)), lang=lang,
                                      nav=nav, body="\n".join(parts)), encoding="utf-8")
    return target
