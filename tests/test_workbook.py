"""The report workbook: report order, the case's language, formats, ids as text, dates."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from workbench.cases import load_case
from workbench.recorder import Recorder
from workbench.value import abc_classes, value_indicators
from workbench.workbook import column_kind, read_table, sheet_title, write_workbook


def _two_notebooks(folder):
    """Tables recorded by two notebooks, in an order the alphabet would not give."""
    first = Recorder(folder, notebook="00_data_overview", lang="zh")
    first.table("sources", pd.DataFrame({"table": ["transactions"], "rows_in": [1200], "kept": [1190]}))
    first.table("period_summary", pd.DataFrame({
        "period": ["2024-01", "2024-02"], "revenue": [1234567.5, 2345678.25],
        "customers": [10, 12], "new_customers": [10, 2]}))
    second = Recorder(folder, notebook="01_customer_value", lang="zh")
    second.table("value_matrix", pd.DataFrame({
        "customer_id": ["007", "010"], "quadrant": ["key_account", "growing"],
        "value_share": [0.61, 0.39], "first_purchase": pd.to_datetime(["2024-01-03", "2024-02-17"]),
        "is_return": [True, False]}))
    params = pd.DataFrame({"estimate": [0.2516, 4.7889]},
                          index=pd.Index(["r", "alpha"], name="parameter"))
    second.table("bgnbd_parameters", params, index=True)


def test_sheets_in_report_order_in_the_case_language_with_formats(tmp_path):
    _two_notebooks(tmp_path)
    target = write_workbook(tmp_path, lang="zh", currency="CNY",
                            notebooks=["00_data_overview", "01_customer_value"], title="N 公司 · 2024")
    book = openpyxl.load_workbook(target)
    assert book.properties.title == "N 公司 · 2024"
    assert book.sheetnames == ["目录", "数据来源", "各期汇总", "客户价值矩阵", "BG-NBD参数"]
    contents = book["目录"]
    assert [c.value for c in contents[1]][:5] == ["序号", "工作表", "表格文件", "分析报告", "行数"]
    assert [c.value for c in contents[3]][1:5] == ["各期汇总", "period_summary.csv", "数据概览", 2]
    assert contents["B3"].hyperlink.location == "'各期汇总'!A1"

    summary = book["各期汇总"]
    assert [c.value for c in summary[1]] == ["期间", "销售额", "客户数", "新客户数"]
    assert summary.freeze_panes == "A2"
    assert summary["A2"].value == "2024-01"  # a period label stays text
    assert summary["B2"].value == 1234567.5 and summary["B2"].number_format == '"¥"#,##0.00'
    assert summary["C2"].number_format == "#,##0"

    matrix = book["客户价值矩阵"]
    assert matrix["A2"].value == "007" and matrix["A2"].data_type == "s"  # ids stay text
    assert matrix["B2"].value == "重点客户"  # code value in the case's language
    assert matrix["C2"].number_format == "0.0%" and matrix["C2"].value == pytest.approx(0.61)
    assert matrix["D3"].value == dt.datetime(2024, 2, 17)
    assert matrix["D3"].number_format == "yyyy-mm-dd"
    assert matrix["E2"].value == "是" and matrix["E3"].value == "否"

    params = book["BG-NBD参数"]
    assert [c.value for c in params["A"]] == ["参数", "r", "alpha"]  # parameter names kept


def test_cdnow_ids_keep_their_leading_zeros_from_raw_file_to_workbook(tmp_path):
    data = load_case("cdnow").load()
    indicators = value_indicators(data.transactions, data.as_of)
    abc = abc_classes(indicators)
    assert "07592" in set(abc["customer_id"])  # the loaded data keep them
    rec = Recorder(tmp_path, notebook="01_customer_value", lang="en")
    rec.table("abc_classes", abc)
    assert "07592" in set(read_table(tmp_path / "tables" / "abc_classes.csv")["customer_id"])
    book = openpyxl.load_workbook(write_workbook(tmp_path, lang="en", currency="USD",
                                                 notebooks=["01_customer_value"]), read_only=True)
    ids = [row[0] for row in book["ABC classes"].iter_rows(min_row=2, values_only=True)]
    assert "07592" in ids and "00001" in ids and all(isinstance(i, str) for i in ids)
    assert len(ids) == len(abc) == 23570


def test_column_kinds_and_titles():
    assert column_kind("revenue", pd.Series([1.5, 2.0])) == "currency"
    assert column_kind("p_value", pd.Series([0.01, 0.2])) == "statistic"
    assert column_kind("value_share", pd.Series([0.1, 0.9])) == "percent"
    assert column_kind("churn_rate", pd.Series([12.0, 40.0])) == "integer"  # not a fraction
    assert column_kind("3", pd.Series([0.5, 0.25]), table="cohort_retention") == "percent"
    assert column_kind("customer_id", pd.Series(["07592"])) == "text"
    assert column_kind("year", pd.Series([2021, 2024])) == "year"  # shown 2024, not 2,024
    assert column_kind("period", pd.Series([2021, 2024])) == "year"
    assert column_kind("mean_spend_per_period", pd.Series([414551.2, 2.0])) == "currency"
    assert sheet_title("segment_migration_shares", "zh") == "客户群迁移占比"
    assert sheet_title("segments_by_industry", "zh") == "客户群 · 行业"
    assert len(sheet_title("a_very_long_table_name_that_no_title_covers_at_all", "en")) <= 31
    with pytest.raises(ValueError, match="language"):
        sheet_title("sources", "fr")


def test_no_tables_no_workbook(tmp_path):
    (tmp_path / "tables").mkdir()
    assert write_workbook(tmp_path) is None


def test_an_impossible_date_keeps_its_column_text(tmp_path):
    Recorder(tmp_path, notebook="00_data_overview").table(
        "quarantine", pd.DataFrame({"date": ["2024-01-03", "2024-02-30"], "reason": ["x", "y"]}))
    assert list(read_table(tmp_path / "tables" / "quarantine.csv")["date"]) == ["2024-01-03", "2024-02-30"]
    book = openpyxl.load_workbook(write_workbook(tmp_path, notebooks=["00_data_overview"]))
    assert book["Quarantined rows"]["A3"].value == "2024-02-30"


def test_awkward_values_make_a_valid_and_reproducible_file(tmp_path):
    rec = Recorder(tmp_path, notebook="00_data_overview")
    rec.table("sources", pd.DataFrame({
        "file": ["a&b<c>.csv", "tab\there", "bell\x07", None],
        "rows_in": [1.5, float("inf"), float("-inf"), float("nan")],
        "first_contact": pd.to_datetime(["2024-01-03 10:30", None, "2024-02-01 00:00", "2024-03-01 08:00"])}))
    first = write_workbook(tmp_path, notebooks=["00_data_overview"], target=tmp_path / "a.xlsx")
    second = write_workbook(tmp_path, notebooks=["00_data_overview"], target=tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()
    sheet = openpyxl.load_workbook(first)["Sources"]
    assert [sheet.cell(r, 1).value for r in range(2, 6)] == ["a&b<c>.csv", "tab\there", "bell", None]
    assert [sheet.cell(r, 2).value for r in range(2, 6)] == [1.5, "∞", "-∞", None]
    assert sheet["C2"].value == dt.datetime(2024, 1, 3, 10, 30) and sheet["C3"].value is None
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"


def test_a_table_longer_than_a_sheet_is_cut_and_read_only_as_far_as_the_cut(tmp_path, monkeypatch):
    import workbench.workbook as workbook

    rec = Recorder(tmp_path, notebook="01_customer_value")
    rec.table("abc_classes", pd.DataFrame({"customer_id": [f"{i:03d}" for i in range(12)],
                                           "value": [float(i) for i in range(12)]}))
    head = read_table(tmp_path / "tables" / "abc_classes.csv", nrows=3)
    assert list(head["customer_id"]) == ["000", "001", "002"] and list(head["value"]) == [0.0, 1.0, 2.0]
    monkeypatch.setattr(workbook, "_EXCEL_ROWS", 6)  # a sheet of 5 rows under its header
    read = []
    monkeypatch.setattr(workbook, "read_table", lambda path, nrows=None: read.append(nrows) or read_table(path, nrows))
    book = openpyxl.load_workbook(write_workbook(tmp_path, notebooks=["01_customer_value"]))
    assert read == [6]
    sheet = book["ABC classes"]
    assert sheet.max_row == 6 and sheet["A6"].value == "004"
    assert "the first 5 rows" in book.worksheets[0]["G2"].value


def test_years_read_as_years(tmp_path):
    """A year column is 2024 in Excel, not 2,024 (the thousands format of counts)."""
    rec = Recorder(tmp_path, notebook="05_resource_allocation", lang="zh")
    rec.table("input_output_overall", pd.DataFrame({"year": [2023, 2024], "customers": [1000, 1234]}))
    book = openpyxl.load_workbook(write_workbook(tmp_path, lang="zh", notebooks=["05_resource_allocation"]))
    sheet = book[sheet_title("input_output_overall", "zh")]
    assert sheet["A2"].value == 2023 and sheet["A2"].number_format == "0"
    assert sheet["B3"].value == 1234 and sheet["B3"].number_format == "#,##0"
