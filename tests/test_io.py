"""Reading users' files: encodings, Excel with Chinese headers, Parquet, column mapping."""

import openpyxl
import pandas as pd
import pytest

from workbench.cleaning import clean_transactions
from workbench.io import (
    MISSING_VALUES,
    ColumnMappingError,
    SourceError,
    apply_mapping,
    detect_encoding,
    header_names,
    header_positions,
    read_table,
    repeated_header_message,
)

ROWS = "客户编号,日期,销售额\nC001,2024年1月5日,\"￥1,234.50\"\nC002,2024/1/6,1.2万\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_encodings_are_detected(tmp_path, encoding, expected):
    path = tmp_path / "orders.csv"
    path.write_bytes(ROWS.encode(encoding))
    assert detect_encoding(path) == expected
    frame = read_table(path)
    assert list(frame.columns) == ["客户编号", "日期", "销售额"]  # no BOM left in the name
    assert frame.loc[1, "销售额"] == "1.2万"


def test_gbk_file_maps_and_cleans_end_to_end(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(ROWS.encode("gbk"))
    mapped = apply_mapping(read_table(path), {"customer_id": "客户编号", "date": "日期",
                                              "amount": "销售额"}, "transactions")
    clean = clean_transactions(mapped).clean
    assert clean["amount"].tolist() == [1234.5, 12000.0]
    assert clean["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-05", "2024-01-06"]


def test_xlsx_with_chinese_headers_and_excel_serial_dates(tmp_path):
    path = tmp_path / "订单.xlsx"
    # 45296 is 2024-01-05 in Excel's 1900 date system
    pd.DataFrame({"客户": ["C1", "C2"], "下单日期": [45296, 45297], "金额": [100, "2,000"]}).to_excel(
        path, sheet_name="明细", index=False)
    raw = read_table(path, sheet="明细")
    mapped = apply_mapping(raw, {"customer_id": "客户", "date": "下单日期", "amount": "金额"},
                           "transactions", source=path.name)
    clean = clean_transactions(mapped).clean
    assert clean["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-05", "2024-01-06"]
    assert clean["amount"].tolist() == [100.0, 2000.0]


def test_parquet_is_read(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"customer_id": ["a"], "date": ["2024-01-01"], "amount": [1.0]}).to_parquet(path)
    assert read_table(path).shape == (1, 3)


def test_missing_column_error_names_file_column_mapping_and_what_exists(tmp_path):
    frame = pd.DataFrame({"客户编号": ["C1"], "日期": ["2024-01-01"]})
    with pytest.raises(ColumnMappingError) as err:
        apply_mapping(frame, {"customer_id": "客户编号", "date": "日期", "amount": "销售金额"},
                      "transactions", source="orders.csv")
    message = str(err.value)
    for part in ("orders.csv", "'amount'", "'销售金额'", "客户编号", "日期"):
        assert part in message


def test_unknown_canonical_name_in_mapping_is_rejected():
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match="unknown canonical column.*revenue"):
        apply_mapping(frame, {"customer_id": "a", "revenue": "a"}, "transactions")


def test_unsupported_suffix_and_missing_file(tmp_path):
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ValueError, match="unsupported file type"):
        read_table(tmp_path / "x.json")
    with pytest.raises(FileNotFoundError):
        read_table(tmp_path / "nope.csv")


def test_survey_items_can_be_renamed_and_are_all_kept():
    frame = pd.DataFrame({"编号": ["1"], "满意1": ["5"], "其他": ["x"]})
    out = apply_mapping(frame, {"respondent_id": "编号", "CUSA1": "满意1"}, "survey")
    assert list(out.columns) == ["respondent_id", "CUSA1", "其他"]


def _with_float_ids(path, ids):
    """Rewrite integer cells as '1001.0', as Java (Apache POI) exporters write them; the
    reader then returns floats, which is how numeric ids arrive from many ERP systems."""
    import zipfile

    src = zipfile.ZipFile(path)
    parts = {name: src.read(name) for name in src.namelist()}
    src.close()
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    for i in ids:
        sheet = sheet.replace(f"<v>{i}</v>", f"<v>{i}.0</v>")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode("utf-8")
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)


def test_xlsx_blank_date_cells_and_numeric_ids(tmp_path):
    path = tmp_path / "orders.xlsx"
    pd.DataFrame({"客户": [1001, 1002, 1003], "日期": ["2024-01-05", None, "2024-01-07"],
                  "金额": [10, 20, 30]}).to_excel(path, index=False)
    _with_float_ids(path, (1001, 1002, 1003))
    raw = read_table(path)
    assert raw["客户"].tolist() == [1001.0, 1002.0, 1003.0]  # floats, as the exporter left them
    assert pd.isna(raw.loc[1, "日期"])  # an empty Excel cell is missing, not ""
    mapped = apply_mapping(raw, {"customer_id": "客户", "date": "日期", "amount": "金额"},
                           "transactions", source=path.name)
    result = clean_transactions(mapped)
    assert result.clean["customer_id"].tolist() == ["1001", "1003"]
    assert result.quarantine["reason"].tolist() == ["date_missing"]


EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!",
                "#GETTING_DATA")


@pytest.mark.parametrize("error", EXCEL_ERRORS)
def test_excel_error_values_are_missing_alike_in_csv_and_xlsx(tmp_path, error):
    assert error in MISSING_VALUES
    rows = [["客户", "日期", "金额"], [error, "2024-01-05", 1], ["A", "2024-01-05", error],
            ["B", error, 3], ["C", "2024-01-05", 4]]
    (tmp_path / "orders.csv").write_text("\n".join(",".join(map(str, r)) for r in rows) + "\n",
                                         encoding="utf-8")
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)  # the first seven are written as error cells
    book.save(tmp_path / "orders.xlsx")
    outcomes = []
    for name in ("orders.csv", "orders.xlsx"):
        mapped = apply_mapping(read_table(tmp_path / name), {"customer_id": "客户", "date": "日期",
                                                             "amount": "金额"}, "transactions", source=name)
        result = clean_transactions(mapped)
        outcomes.append((result.clean["customer_id"].tolist(), result.quarantine["reason"].tolist()))
    assert outcomes[0] == outcomes[1] == (["C"], ["customer_id_missing", "amount_missing", "date_missing"])


def test_a_repeated_header_is_refused_with_both_positions(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text("编号,满意1,满意1,其他,其他\n1,5,4,x,y\n", encoding="utf-8")
    raw = read_table(path)
    assert list(raw.columns) == ["编号", "满意1", "满意1 (column 3)", "其他", "其他 (column 5)"] and not raw.attrs
    with pytest.raises(ValueError) as err:
        apply_mapping(raw, {"respondent_id": "编号", "CUSA1": "满意1"}, "survey", source=path.name)
    for part in ("survey.csv", "'满意1' 2 times", "columns 2 (B) and 3 (C)", "columns.CUSA1", "rename one"):
        assert part in str(err.value)
    orders = tmp_path / "orders.csv"
    orders.write_text("客户,备注,日期,金额,备注\nA,x,2024-01-05,10,y\n", encoding="utf-8")
    out = apply_mapping(read_table(orders), {"customer_id": "客户", "date": "日期", "amount": "金额"},
                        "transactions")  # 备注 is not read: no error
    assert list(out.columns) == ["customer_id", "date", "amount"] and not out.attrs


def test_a_workbook_named_csv_and_a_csv_named_xlsx_say_what_they_look_like(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["客户", "金额"])
    book.save(tmp_path / "orders.csv")
    with pytest.raises(SourceError, match=r"orders\.csv: looks like an Excel workbook \(\.xlsx\) but is named "
                                          r"\.csv; rename it to \.xlsx"):
        read_table(tmp_path / "orders.csv")
    with pytest.raises(SourceError, match=r"orders\.csv：看起来是 Excel 工作簿"):
        read_table(tmp_path / "orders.csv", lang="zh")
    (tmp_path / "orders.xlsx").write_text("客户,金额\nA,1\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"orders\.xlsx: looks like a text file \(CSV\), not an Excel workbook, "
                                          r"but is named \.xlsx; give it the suffix \.csv"):
        read_table(tmp_path / "orders.xlsx")


def test_a_parquet_file_with_a_repeated_column_name_is_read_and_the_repeat_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = [pa.array(["C1"]), pa.array(["2024-01-05"]), pa.array(["10"]), pa.array(["99"]), pa.array(["x"])]
    pq.write_table(pa.Table.from_arrays(columns, names=["cid", "day", "amount", "amount", "note"]),
                   tmp_path / "orders.parquet")
    raw = read_table(tmp_path / "orders.parquet")
    assert list(raw.columns) == ["cid", "day", "amount", "amount (column 4)", "note"]
    assert raw.iloc[0].tolist() == ["C1", "2024-01-05", "10", "99", "x"] and not raw.attrs
    with pytest.raises(ValueError) as err:
        apply_mapping(raw, {"customer_id": "cid", "date": "day"}, "transactions", source="orders.parquet")
    for part in ("orders.parquet", "'amount' 2 times", "columns 3 (C) and 4 (D)", "'amount' is read from the "
                 "column of that name", "rename one"):
        assert part in str(err.value)


def test_header_names_and_positions_as_read_table_gives_them():
    assert header_names(["id", "S1", " S1", "S2", "S1"]) == ["id", "S1", "S1 (column 3)", "S2", "S1 (column 5)"]
    frame = pd.DataFrame(columns=header_names(["id", "S1", " S1", "S2", "S1"]))
    assert header_positions(frame, "S1") == [2, 3, 5] and header_positions(frame, "S2") == [4]
    assert header_positions(frame, "S3") == []
    message = repeated_header_message("s.csv", "S1", "S1", [2, 3], how="spec_item")
    assert "columns 2 (B) and 3 (C)" in message and "model spec" in message
    with pytest.raises(ValueError, match="how='other'"):
        repeated_header_message("s.csv", "S1", "S1", [2, 3], how="other")
