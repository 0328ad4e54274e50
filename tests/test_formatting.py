"""The one formatting layer of report tables (workbench.formatting)."""

import re

import numpy as np
import pandas as pd
import pytest

from workbench.formatting import ReportTable, column_kind, format_value, p_text, table_html
from workbench.recorder import Recorder


def cells(html):
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html)]


def test_money_shares_counts_dates_missing_and_booleans():
    frame = pd.DataFrame({"year": [2023, 2024], "customers": [1234, 56], "revenue": [62451370.4, np.nan],
                          "win_rate": [0.154, 0.2], "first_purchase": pd.to_datetime(["2024-01-02", None]),
                          "key_account": [True, False], "stage": ["stability", "decline"]})
    shown = cells(table_html(frame, lang="zh", currency="CNY"))
    assert shown == ["年份", "客户数", "销售额（元）", "赢单率", "首次购买日期", "重点客户", "生命周期阶段",
                     "2023", "1,234", "62,451,370", "15.4%", "2024-01-02", "是", "稳定期",
                     "2024", "56", "—", "20.0%", "—", "否", "退化期"]


def test_english_money_header_and_a_default_index_is_not_shown():
    html = table_html(pd.DataFrame({"clv": [1.5e7, 2.0]}, index=[5, 9]), lang="en", currency="USD")
    assert cells(html) == ["Customer lifetime value ($)", "15,000,000", "2"]
    named = table_html(pd.DataFrame({"customers": [3]}, index=pd.Index(["A"], name="abc_class")), lang="en")
    assert cells(named) == ["ABC class", "Customers", "A", "3"]  # a named index is a column


def test_a_long_table_shows_its_top_rows_and_links_the_file():
    frame = pd.DataFrame({"customer_id": [f"{i:05d}" for i in range(100)], "orders": range(100)})
    html = table_html(frame, lang="en", name="customer_totals")
    assert html.count("<tr>") == 1 + 20
    assert 'href="tables/customer_totals.csv"' in html and "100" in html
    assert "00007" in html  # ids keep their leading zeros


def test_a_share_named_column_beyond_one_is_a_plain_number():
    assert column_kind("share_of_wallet", pd.Series([35.0, 80.0])) == "number"
    assert column_kind("spend_change", pd.Series([-0.9, 0.6])) == "share"
    assert format_value(-593900.04, column_kind("change", pd.Series([15629.7, -593900.04])), decimals=0) == "-593,900"
    assert format_value(float("inf"), "number") == "∞"
    assert p_text(6.6e-36) == "p < 0.001"


def test_the_recorder_returns_a_table_that_shows_through_the_layer(tmp_path):
    rec = Recorder(tmp_path, notebook="t", lang="zh", currency="CNY")
    shown = rec.table("x", pd.DataFrame({"revenue": [1e8, 2.5e6], "stage": ["churned", "decline"]}))
    assert isinstance(shown, ReportTable) and isinstance(shown.head(1), ReportTable)
    html = shown.head(1)._repr_html_()
    assert "100,000,000" in html and "流失" in html
    assert (tmp_path / "tables" / "x.csv").read_text(encoding="utf-8-sig").startswith("revenue,stage\n")
    with pytest.raises(ValueError, match="kinds"):
        table_html(pd.DataFrame({"a": [1]}), kinds={"a": "money!"})


def test_a_section_that_cannot_run_says_why_and_a_bug_still_fails(tmp_path, capsys):
    rec = Recorder(tmp_path, notebook="t", lang="en")
    with rec.section("matrix"):
        raise ValueError("value_matrix: no potential indicator")
    with rec.section("after", needs="matrix"):
        undefined_name  # noqa: B018, F821 - the skipped section's variables do not exist
    out = capsys.readouterr().out
    assert "cannot be computed on these data" in out and "no potential indicator" in out
    assert "it needs matrix" in out
    with pytest.raises(ZeroDivisionError), rec.section("bug"):
        1 / 0  # noqa: B018



def test_a_figure_begun_in_a_section_that_cannot_run_is_not_shown_empty(tmp_path):
    import matplotlib.pyplot as plt

    plt.close("all")
    rec = Recorder(tmp_path, notebook="t", lang="en")
    kept = plt.figure()
    with rec.section("distribution"):
        plt.subplots()  # a plot function that made its axes, then found the data missing
        raise ValueError("needs the transactions row by row")
    assert plt.get_fignums() == [kept.number]  # the empty frame is closed, the earlier figure stays
    plt.close("all")


def test_a_stage_column_reads_churned_as_a_stage_and_whole_days_stay_whole():
    frame = pd.DataFrame({"stage": ["churned", "decline"], "segment": ["churned", "growing"],
                          "recency_days": [48.0, 91.0], "mean_gap_days": [12.5, 30.25]})
    shown = cells(table_html(frame, lang="en"))
    assert shown[4:] == ["Churned", "Churned customers", "48", "12.5",
                         "Decline", "Growing customers", "91", "30.2"]
    assert cells(table_html(frame[["stage"]], lang="zh"))[1:] == ["流失", "退化期"]


def test_a_value_that_rounds_to_zero_keeps_the_columns_digits_without_a_sign():
    assert [format_value(v, "number", decimals=3) for v in (-0.0004, 0.0, -0.0126)] == ["0.000", "0.000", "-0.013"]
    assert format_value(-0.0, "number", decimals=0) == "0"


def test_the_abc_summarys_smallest_and_largest_customer_values_are_money():
    """min_value/max_value come from abc_summary only: the class's smallest and largest customer value."""
    frame = pd.DataFrame({"abc_class": ["A", "B"], "value": [9000.0, 950.75],
                          "min_value": [9000.0, 250.25], "max_value": [9000.0, 700.5]})
    shown = cells(table_html(frame, lang="zh", currency="CNY"))
    assert shown[:4] == ["ABC 类别", "价值（元）", "最小值（元）", "最大值（元）"]
    assert shown[4:] == ["A 类", "9,000", "9,000", "9,000", "B 类", "951", "250", "700"]
    assert column_kind("min_value", frame["min_value"]) == "money"
    assert column_kind("fill_value", pd.Series([0.0, 365.0])) != "money"  # a feature's fill, not money


def test_ids_short_words_and_numbers_stay_on_one_line_and_sentences_wrap():
    frame = pd.DataFrame({"customer_id": ["C0161"], "industry": ["机械OEM"], "revenue": [1196214.0],
                          "next_step": ["补全客户编号，或检查 columns.customer_id 的映射，然后重新运行验证"]})
    page = table_html(frame, lang="zh", currency="CNY")
    cells = dict(re.findall(r'<td( class="wb-nw")? style="[^"]*">([^<]*)</td>', page)[i][::-1] for i in range(4))
    assert cells["C0161"] and cells["机械OEM"] and cells["1,196,214"]
    assert not cells[frame.loc[0, "next_step"]]
    assert '<th class="wb-nw" style="text-align:left">客户编号</th>' in page


def test_a_recorded_index_is_a_row_label_column_without_a_made_up_header(tmp_path):
    """A correlation matrix recorded with its index: the row labels have no header, not the
    label of a column called "index" (指数（0-100）), and the CSV keeps the index."""
    rec = Recorder(tmp_path, notebook="t", lang="zh")
    matrix = pd.DataFrame({"IMAG": [0.689, 0.497], "CUEX": [np.nan, 0.69]}, index=["IMAG", "CUEX"])
    html = rec.table("fornell_larcker", matrix, index=True)._repr_html_()
    assert cells(html)[:3] == ["", "企业形象", "顾客预期"]
    assert "指数" not in html
    assert (tmp_path / "tables" / "fornell_larcker.csv").read_text(encoding="utf-8-sig").startswith(",IMAG,CUEX\n")


def test_numbers_held_as_objects_are_formatted_as_numbers():
    """A stage without customers gives None among the means: the column is still money."""
    frame = pd.DataFrame({"stage": ["exploration", "formation"],
                          "mean_spend_per_period": pd.Series([None, 414551.2], dtype=object)})
    html = table_html(frame, lang="zh", currency="CNY")
    assert cells(html) == ["生命周期阶段", "每期平均消费（均值）（元）", "考察期", "—", "形成期", "414,551"]
    assert '<td class="wb-nw" style="text-align:right">414,551</td>' in html


def test_a_segment_column_names_all_customers_beside_cohorts():
    """Survival by acquisition cohort: the pooled row's code is translated though the cohorts
    (1997-01, ...) are not codes."""
    from workbench.formatting import code_labels

    shown = code_labels("segment", pd.Series(["all", "1997-01", "1997-02"]), "en").tolist()
    assert shown == ["All customers", "1997-01", "1997-02"]
