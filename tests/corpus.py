"""A corpus of bad and awkward inputs and case files, each with its expected outcome.

Every entry writes its files (CSV in several encodings, workbooks, Parquet, case YAML)
into a fresh folder from code, so there are no hand-edited binary fixtures, and states
what must happen, one of:

* ``Fails``: a clear error, whose message must contain the given parts (the file, the
  key or column, and what is allowed);
* ``Outcome``: rows kept and quarantined per reason (rows in = kept + quarantined is
  always checked), warnings of the validation report, and a ``check`` of values for a
  documented correct reading.

``tests/test_corpus.py`` runs each entry as a test. To look at the files, run
``python tests/corpus.py OUT_DIR``: every entry is written to ``OUT_DIR/<entry id>/``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import yaml

#: The injected day of the run: dates after it are in the future.
TODAY = "2026-06-30"
TX = {"customer_id": "客户", "date": "日期", "amount": "金额"}
HEADER = "客户,日期,金额"


@dataclass
class Fails:
    """A clear error: raised by ``stage`` ("case": reading the case file, "load":
    reading the data), its message containing every part."""

    stage: str
    parts: tuple[str, ...]


@dataclass
class Outcome:
    """Rows kept per source, rows per (source, reason), warnings, and a value check."""

    kept: dict[str, int] = field(default_factory=dict)
    reasons: dict[tuple[str, str], int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    check: Callable[[Any], None] | None = None
    ok: bool = True  # False: validate must exit non-zero (a source keeps nothing)


@dataclass
class Entry:
    id: str
    what: str
    build: Callable[[Path], dict]  # writes files into data/, returns the case's keys
    expect: Fails | Outcome


def csv(folder: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    (folder / name).write_bytes(text.encode(encoding))
    return f"../data/{name}"


def xlsx(folder: Path, name: str, sheets: dict[str, list[list]]) -> str:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(folder / name)
    return f"../data/{name}"


def tx_source(path: str, **keys) -> dict:
    return {"transactions": {"path": path, "columns": dict(TX), **keys}}


def orders(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def write_case(root: Path, keys: dict) -> Path:
    """A case file ``cases/mine.yaml`` from the entry's keys on top of a plain default."""
    body = {"name": "mine", "language": "en", "granularity": "M", "start": "2024-01-01",
            "end": "2024-12-31", "default_period": "2024-12", "notebooks": ["00_data_overview"]}
    body.update(keys)
    for key in [k for k, v in body.items() if v is None]:
        del body[key]
    (root / "cases").mkdir(exist_ok=True)
    path = root / "cases" / "mine.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def survey_spec(root: Path, items=("S1", "S2", "L1", "L2"), scale=(1, 5)) -> str:
    spec = {"name": "tiny", "scale": {"min": scale[0], "max": scale[1]},
            "constructs": {"SAT": {"items": list(items[:2]), "mode": "A"},
                           "LOY": {"items": list(items[2:]), "mode": "A"}},
            "paths": [["SAT", "LOY"]]}
    (root / "cases").mkdir(exist_ok=True)
    (root / "cases" / "tiny_spec.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return "tiny_spec.yaml"


def survey_case(root: Path, data: Path, text: str, columns=None, **keys) -> dict:
    path = csv(data, "survey.csv", text)
    return {"sources": {"survey": {"path": path, "columns": columns or {"respondent_id": "id"},
                                   **keys}},
            "parameters": {"satisfaction": {"spec": survey_spec(root)}},
            "end": None, "start": "2024-01-01", "default_period": "2024-12"}


def _values(loaded, column="amount"):
    return loaded.transactions[column].tolist()


def _dates(loaded):
    return loaded.transactions["date"].dt.strftime("%Y-%m-%d %H:%M").tolist()


ENTRIES: list[Entry] = []


def entry(id: str, what: str, expect):
    def register(build):
        ENTRIES.append(Entry(id, what, build, expect))
        return build
    return register


# -- encodings -------------------------------------------------------------------------
ROWS_ZH = orders("张三,2024-01-05,10", "李四,2024-02-05,20")


def _names(loaded):
    assert sorted(loaded.transactions["customer_id"]) == ["张三", "李四"]


for enc in ("gbk", "gb18030", "utf-16", "utf-8-sig"):
    entry(f"encoding_{enc}", f"a {enc} CSV with Chinese headers and values is detected",
          Outcome(kept={"transactions": 2}, check=_names))(
        lambda d, enc=enc: {"sources": tx_source(csv(d, "orders.csv", ROWS_ZH, enc))})


@entry("encoding_latin1_declared", "Latin-1 is read when the case names it",
       Outcome(kept={"transactions": 1},
               check=lambda x: _assert(x.transactions["customer_id"].tolist() == ["Café Müller"])))
def _(d):
    return {"sources": {"transactions": {
        "path": csv(d, "orders.csv", "kunde,datum,betrag\nCafé Müller,2024-01-05,10\n", "latin-1"),
        "encoding": "latin-1", "columns": {"customer_id": "kunde", "date": "datum",
                                           "amount": "betrag"}}}}


@entry("encoding_latin1_undetected", "a Latin-1 file that is neither UTF-8 nor GB18030 asks "
       "for the key 'encoding'", Fails("load", ("orders.csv", "'encoding'", "latin-1")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "客户,日期,金额\nCafé,2024-01-05,10\nÿ,2024-01-05,1\n"
                                     .replace("客户", "kunde").replace("日期", "datum")
                                     .replace("金额", "betrag"), "latin-1"),
                                 columns={"customer_id": "kunde", "date": "datum",
                                          "amount": "betrag"})}


@entry("encoding_declared_wrong", "a GBK file declared UTF-8 names the file, the key and the "
       "detected encoding", Fails("load", ("orders.csv", "utf-8", "'encoding'", "gb18030")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", ROWS_ZH, "gbk"), encoding="utf-8")}


# -- file structure --------------------------------------------------------------------
@entry("empty_file", "a 0-byte CSV", Fails("load", ("orders.csv", "empty", "0 bytes")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", ""))}


@entry("blank_lines_only", "a CSV of blank lines", Fails("load", ("orders.csv", "blank lines")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "\n\n\n"))}


@entry("header_only", "a header without rows keeps nothing: validate fails",
       Outcome(kept={"transactions": 0}, ok=False, warnings=("keeps no row",)))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", HEADER + "\n"))}


@entry("one_column", "a one-column file is one column (never split on a letter); the "
       "mapping error lists it", Fails("load", ("orders.csv", "'date'", "['客户']")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "客户\nabc\nabd\n"))}


@entry("ragged_row", "a row with more fields than the header names the file and the line",
       Fails("load", ("orders.csv", "line 3", "'sep'")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("A,2024-01-05,10", "B,2024-01-06,1,234")))}


@entry("short_row", "a row with fewer fields has missing cells: quarantined, not shifted",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "amount_missing"): 1}))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("A,2024-01-05,10", "B,2024-01-06")))}


@entry("mixed_line_endings", "\\r\\n, \\n and \\r in one file, and a blank line (counted as "
       "blank_row so row numbers match the file)",
       Outcome(kept={"transactions": 3}, reasons={("transactions", "blank_row"): 1},
               check=lambda x: _assert(sorted(_values(x)) == [1.0, 2.0, 3.0])))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", HEADER + "\r\nA,2024-01-05,1\nB,2024-01-06,2\r"
                                     "C,2024-01-07,3\n\n"))}


@entry("semicolon_delimited", "a semicolon file is sniffed",
       Outcome(kept={"transactions": 2}, check=lambda x: _assert(sorted(_values(x)) == [10.0, 20.0])))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "客户;日期;金额\nA;2024-01-05;10\nB;2024-01-06;20\n"))}


@entry("tab_delimited_txt", "a tab-separated .txt is sniffed",
       Outcome(kept={"transactions": 2}))
def _(d):
    return {"sources": tx_source(csv(d, "orders.txt", "客户\t日期\t金额\nA\t2024-01-05\t10\nB\t2024-01-06\t2\n"))}


@entry("csv_named_xlsx", "a CSV named .xlsx says it is text",
       Fails("load", ("orders.xlsx", "text file", ".csv")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.xlsx", ROWS_ZH))}


@entry("truncated_xlsx", "a workbook cut in half", Fails("load", ("orders.xlsx", "damaged or truncated")))
def _(d):
    xlsx(d, "full.xlsx", {"明细": [["客户", "日期", "金额"], ["A", "2024-01-05", 10]]})
    data = (d / "full.xlsx").read_bytes()
    (d / "orders.xlsx").write_bytes(data[: len(data) // 2])
    return {"sources": tx_source("../data/orders.xlsx")}


@entry("old_xls", "an Excel 97-2003 file asks to be saved as .xlsx",
       Fails("load", ("orders.xls", ".xlsx")))
def _(d):
    (d / "orders.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return {"sources": tx_source("../data/orders.xls")}


@entry("path_is_a_folder", "a folder given as the path is called a folder",
       Fails("case", ("sources.transactions.path", "is a folder")))
def _(d):
    (d / "orders").mkdir()
    return {"sources": tx_source("../data/orders")}


@entry("path_missing", "a file that is not there", Fails("case", ("sources.transactions.path",
                                                                   "does not exist")))
def _(d):
    return {"sources": tx_source("../data/nope.csv")}


@entry("unsupported_suffix", "a .json file", Fails("load", ("orders.json", ".csv", ".xlsx")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.json", "{}"))}


@entry("parquet_with_markers", "Parquet strings get the same missing markers as CSV",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "customer_id_missing"): 2,
                                                   ("transactions", "amount_missing"): 1}))
def _(d):
    pd.DataFrame({"客户": ["A", "NULL", "无", "B"], "日期": ["2024-01-05"] * 4,
                  "金额": ["10", "1", "2", "N/A"]}).to_parquet(d / "orders.parquet")
    return {"sources": tx_source("../data/orders.parquet")}


# -- Excel -----------------------------------------------------------------------------
@entry("excel_title_row", "a title row above the header: the mapping error says to set header",
       Fails("load", ("orders.xlsx", "'header'", "Unnamed")))
def _(d):
    path = xlsx(d, "orders.xlsx", {"明细": [["2024 年销售明细", None, None], ["客户", "日期", "金额"],
                                            ["A", "2024-01-05", 10]]})
    return {"sources": tx_source(path)}


@entry("excel_two_row_header", "a two-row (merged) header read with header: 1",
       Outcome(kept={"transactions": 2}, check=lambda x: _assert(sorted(_values(x)) == [10.0, 20.0])))
def _(d):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["订单信息", None, "金额信息"])
    sheet.append(["客户", "日期", "金额"])
    sheet.append(["A", "2024-01-05", 10])
    sheet.append(["B", "2024-02-05", 20])
    sheet.merge_cells("A1:B1")
    book.save(d / "orders.xlsx")
    return {"sources": tx_source("../data/orders.xlsx", header=1)}


@entry("excel_several_sheets_wrong_default", "the data are on the second sheet: the error "
       "lists the sheets and the key", Fails("load", ("orders.xlsx", "'sheet'", "明细")))
def _(d):
    path = xlsx(d, "orders.xlsx", {"说明": [["本文件说明"], ["见明细"]],
                                  "明细": [["客户", "日期", "金额"], ["A", "2024-01-05", 10]]})
    return {"sources": tx_source(path)}


@entry("excel_several_sheets_named", "the sheet named in the case is read",
       Outcome(kept={"transactions": 1}))
def _(d):
    path = xlsx(d, "orders.xlsx", {"说明": [["本文件说明"]],
                                  "明细": [["客户", "日期", "金额"], ["A", "2024-01-05", 10]]})
    return {"sources": tx_source(path, sheet="明细")}


@entry("excel_missing_sheet", "a sheet name that is not in the workbook",
       Fails("load", ("orders.xlsx", "'sheet'", "'明细'", "['Sheet1']")))
def _(d):
    path = xlsx(d, "orders.xlsx", {"Sheet1": [["客户", "日期", "金额"], ["A", "2024-01-05", 10]]})
    return {"sources": tx_source(path, sheet="明细")}


@entry("excel_sheet_position_beyond", "sheet 3 of a one-sheet workbook",
       Fails("load", ("orders.xlsx", "'sheet'", "positions start at 0")))
def _(d):
    path = xlsx(d, "orders.xlsx", {"Sheet1": [["客户", "日期", "金额"], ["A", "2024-01-05", 10]]})
    return {"sources": tx_source(path, sheet=3)}


#: The cells of the two entries below: markers and Excel error values (openpyxl writes
#: #REF!, #VALUE!, #DIV/0! as error cells) in the id, amount and date columns.
_MARKER_ROWS = [["A", "2024-01-05", "10"], ["NULL", "2024-01-05", "1"], ["-", "2024-01-05", "1"],
                ["无", "2024-01-05", "1"], ["#REF!", "2024-01-05", "1"], ["#VALUE!", "2024-01-05", "1"],
                ["B", "2024-01-05", "N/A"], ["C", "2024-01-05", "#N/A"], ["D", "2024-01-05", "#DIV/0!"],
                ["E", "#VALUE!", "3"], ["F", "2024-01-05", "#SPILL!"]]
_MARKER_OUTCOME = Outcome(kept={"transactions": 1},
                          reasons={("transactions", "customer_id_missing"): 5,
                                   ("transactions", "amount_missing"): 4,
                                   ("transactions", "date_missing"): 1})


@entry("excel_markers_match_csv", "NULL, N/A, #N/A, -, 无 and error cells (#REF!, #VALUE!, #DIV/0!) "
       "in a workbook get the reasons they get in a CSV", _MARKER_OUTCOME)
def _(d):
    rows = [[float(v) if v.isdigit() else v for v in row] for row in _MARKER_ROWS]
    return {"sources": tx_source(xlsx(d, "orders.xlsx", {"S": [["客户", "日期", "金额"], *rows]}))}


@entry("csv_markers_match_excel", "the same cells in a CSV: an id #REF! is missing, not a customer",
       _MARKER_OUTCOME)
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(*(",".join(row) for row in _MARKER_ROWS))))}


@entry("csv_header_repeats_mapped_column", "金额 twice in the header: pandas would read the first and "
       "call the other 金额.1; the error names both positions",
       Fails("load", ("orders.csv", "'金额' 2 times", "columns 3 (C) and 4 (D)", "columns.amount", "rename one")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "客户,日期,金额,金额\nA,2024-01-05,10,99\n"))}


@entry("excel_header_repeats_canonical_column", "an unmapped canonical column (channel) twice in a "
       "workbook's header, one with a trailing blank",
       Fails("load", ("orders.xlsx", "'channel' 2 times", "columns 2 (B) and 5 (E)", "rename one")))
def _(d):
    path = xlsx(d, "orders.xlsx", {"S": [["客户", "channel", "日期", "金额", "channel "],
                                        ["A", "web", "2024-01-05", 10, "shop"]]})
    return {"sources": tx_source(path)}


@entry("header_repeats_unread_column", "a column the case does not read may occur twice",
       Outcome(kept={"transactions": 1}, check=lambda x: _assert(_values(x) == [10.0])))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "客户,备注,日期,金额,备注\nA,x,2024-01-05,10,y\n"))}


@entry("parquet_header_repeats_mapped_column", "a Parquet file with two columns named 金额: pandas' "
       "reader refused it with 'Multiple matches for FieldRef'; now the repeated-header error",
       Fails("load", ("orders.parquet", "'金额' 2 times", "columns 3 (C) and 4 (D)", "columns.amount",
                      "rename one")))
def _(d):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_arrays([pa.array(["A"]), pa.array(["2024-01-05"]), pa.array(["10"]),
                                         pa.array(["99"])], names=["客户", "日期", "金额", "金额"]),
                   d / "orders.parquet")
    return {"sources": tx_source("../data/orders.parquet")}


@entry("parquet_header_repeats_unread_column", "a Parquet column the case does not read may occur twice",
       Outcome(kept={"transactions": 1}, check=lambda x: _assert(_values(x) == [10.0])))
def _(d):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_arrays([pa.array(["A"]), pa.array(["x"]), pa.array(["2024-01-05"]),
                                         pa.array(["10"]), pa.array(["y"])],
                                        names=["客户", "备注", "日期", "金额", "备注"]), d / "orders.parquet")
    return {"sources": tx_source("../data/orders.parquet")}


@entry("xlsx_named_csv", "a workbook saved with the suffix .csv says it looks like Excel",
       Fails("load", ("orders.csv", "looks like an Excel workbook", ".xlsx")))
def _(d):
    xlsx(d, "orders.csv", {"S": [["客户", "日期", "金额"], ["A", "2024-01-05", 10]]})
    return {"sources": tx_source("../data/orders.csv")}


@entry("colon_delimited_one_column", "a file separated by ':' reads as one column: the mapping "
       "error says to set sep", Fails("load", ("orders.csv", "one column", "'sep'", "sep: ':'")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "客户:日期:金额\nA:2024-01-05:10\n"))}


@entry("full_width_ids_join", "Ｋ1 (full-width, from a Chinese input method) in the orders and K1 in "
       "the master are one customer: ids are NFKC-normalised when read",
       Outcome(kept={"transactions": 2, "customers": 2},
               check=lambda x: _assert(_join_rate(x) == 1.0
                                       and sorted(x.transactions["customer_id"]) == ["K1", "K2"])))
def _(d):
    return {"sources": {**tx_source(csv(d, "orders.csv", orders("Ｋ1,2024-01-05,1", "K2,2024-01-05,2"))),
                        "customers": {"path": csv(d, "customers.csv", "客户,行业\nK1,power\nＫ２,oem\n"),
                                      "columns": {"customer_id": "客户", "industry": "行业"}}}}


@entry("placeholder_ids", "nan, None, null, NA, N/A as customer ids are missing, not customers",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "customer_id_missing"): 5}))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-01-05,10", "nan,2024-01-05,1", "None,2024-01-05,1", "null,2024-01-05,1",
        "NA,2024-01-05,1", " N/A ,2024-01-05,1")))}


@entry("excel_datetime_and_serial_cells", "datetime cells and serial numbers in a workbook",
       Outcome(kept={"transactions": 2},
               check=lambda x: _assert(sorted(_dates(x)) == ["2024-01-05 00:00", "2024-03-01 00:00"])))
def _(d):
    import datetime as dt
    path = xlsx(d, "orders.xlsx", {"S": [["客户", "日期", "金额"], ["A", dt.datetime(2024, 1, 5), 10],
                                        ["B", 45352, 20]]})
    return {"sources": tx_source(path)}


# -- missing values and codes ----------------------------------------------------------
@entry("missing_values_extended", "a case adds its own marker ('未知')",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "customer_id_missing"): 1}))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("A,2024-01-05,10", "未知,2024-01-05,1")),
                                 missing_values=["未知"])}


@entry("not_missing_region_na", "a region 'NA' (North America) kept with not_missing",
       Outcome(kept={"transactions": 1, "customers": 2},
               check=lambda x: _assert(sorted(x.customers["region"].tolist()) == ["EU", "NA"])))
def _(d):
    return {"sources": {
        **tx_source(csv(d, "orders.csv", orders("A,2024-01-05,10"))),
        "customers": {"path": csv(d, "customers.csv", "客户,地区\nA,NA\nB,EU\n"),
                      "columns": {"customer_id": "客户", "region": "地区"}, "not_missing": ["NA"]}}}


@entry("missing_codes_amount", "missing_codes: [-99] makes an amount -99 missing, not a return",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "amount_missing"): 1},
               check=lambda x: _assert(x.transactions["is_return"].sum() == 0)))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("A,2024-01-05,10", "B,2024-01-05,-99")),
                                 missing_codes=[-99])}


# -- dates -----------------------------------------------------------------------------
@entry("utc_offset_first_day", "+08:00 times are the calendar date as written, the window's "
       "first day included", Outcome(kept={"transactions": 3},
                                     check=lambda x: _assert(sorted(_dates(x)) == [
                                         "2024-01-01 00:30", "2024-05-16 00:30", "2024-05-16 23:59"])))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-01-01T00:30:00+08:00,1", "A,2024-05-16T00:30:00+08:00,2",
        "B,2024-05-16 23:59:00+0800,3")))}


@entry("utc_offset_month_totals", "month totals do not move with the offset",
       Outcome(kept={"transactions": 2}, check=lambda x: _assert(
           x.transactions.groupby(x.transactions["date"].dt.month)["amount"].sum().to_dict()
           == {6: 30.0})))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-06-01T00:10:00+08:00,10", "B,2024-06-30T23:50:00-05:00,20")))}


@entry("time_zone_named", "time_zone: Asia/Shanghai converts Z and -05:00 times and Unix "
       "timestamps; times without an offset are local",
       Outcome(kept={"transactions": 4}, check=lambda x: _assert(sorted(_dates(x)) == [
           "2024-05-16 00:30", "2024-05-16 07:00", "2024-05-16 08:00", "2024-05-16 12:00"])))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-05-15T23:00:00Z,1", "B,2024-05-16 00:30,2", "C,2024-05-15T23:00:00-05:00,3",
        "D,1715817600,4")), time_zone="Asia/Shanghai")}


@entry("unix_timestamps_utc", "Unix timestamps without time_zone are read in UTC",
       Outcome(kept={"transactions": 1}, check=lambda x: _assert(_dates(x) == ["2024-05-16 00:00"])))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("A,1715817600,4")))}


@entry("day_first_without_format", "16/05/2024 is quarantined; the next step names the format",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "date_unparseable"): 2},
               check=lambda x: _assert("'%d/%m/%Y'" in _next_steps(x))))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-01-05,1", "B,16/05/2024,2", "C,31/12/2024,3")))}


@entry("day_first_with_format", "the same with date_format: '%d/%m/%Y'",
       Outcome(kept={"transactions": 2},
               check=lambda x: _assert(sorted(_dates(x)) == ["2024-05-16 00:00", "2024-12-31 00:00"])))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("B,16/05/2024,2", "C,31/12/2024,3")),
                                 date_format="%d/%m/%Y")}


@entry("future_dates_without_end", "without end, dates after the day of the run are "
       "date_in_future, not 'left for later periods'",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "date_in_future"): 1},
               check=lambda x: _assert(x.rows_after_period == 0)))
def _(d):
    return {"end": None, "sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-01-05,1", "B,2031-01-05,2")))}


@entry("future_dates_period_2031", "a --period in 2031 finds no sales from 2031",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "date_in_future"): 1},
               check=lambda x: _assert(len(x.transactions) == 1)))
def _(d):
    return {"end": None, "default_period": "2031-01", "sources": tx_source(csv(
        d, "orders.csv", orders("A,2024-01-05,1", "B,2031-01-05,2")))}


@entry("dates_after_end", "with end, dates after it (but not after today) are out of window",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "date_out_of_window"): 1}))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("A,2024-01-05,1", "B,2025-03-05,2")))}


@entry("chinese_and_compact_dates", "2024年1月5日, 2024/1/5, 20240105 and an Excel serial in text",
       Outcome(kept={"transactions": 4}, check=lambda x: _assert(set(_dates(x)) == {"2024-01-05 00:00"})))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024年1月5日,1", "B,2024/1/5,2", "C,20240105,3", "D,45296,4")))}


# -- duplicates and conflicts ----------------------------------------------------------
def _revenue(total):
    return lambda x: _assert(abs(x.transactions["amount"].sum() - total) < 1e-9)


@entry("duplicate_exact", "an exact copy is quarantined once",
       Outcome(kept={"transactions": 2}, reasons={("transactions", "duplicate_row"): 1},
               check=_revenue(30.0)))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-01-05,10", "A,2024-01-05,10", "B,2024-01-06,20")))}


@entry("duplicate_blanks_and_number_forms", "copies differing in blanks, 12.5 vs 12.50 vs "
       "¥12.50 and 2024-01-05 vs 2024/1/5 are copies",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "duplicate_row"): 3},
               check=_revenue(12.5)))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "订单,客户,日期,金额\nO1,A,2024-01-05,12.5\n"
                                     "O1, A ,2024-01-05,12.50\nO1,A,2024/1/5,¥12.50\nO1 ,A,2024-01-05, 12.5\n"),
                                 columns={**TX, "order_id": "订单"})}


@entry("order_conflict_amount", "one order id with two amounts: both quarantined, each "
       "pointing at the other row; revenue excludes both",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "order_id_conflict"): 2},
               check=lambda x: (_revenue(5.0)(x), _assert(
                   sorted(x.quarantine["transactions"]["detail"].str.extract(r"row (\d+)")[0])
                   == ["2", "3"]))))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "订单,客户,日期,金额\nO1,A,2024-01-05,100\n"
                                     "O1,A,2024-01-05,116\nO2,B,2024-01-06,5\n"),
                                 columns={**TX, "order_id": "订单"})}


@entry("order_conflict_keep_last", "conflicts: keep_last keeps the corrected re-export",
       Outcome(kept={"transactions": 2}, reasons={("transactions", "order_id_conflict"): 1},
               check=_revenue(121.0)))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "订单,客户,日期,金额\nO1,A,2024-01-05,100\n"
                                     "O1,A,2024-01-05,116\nO2,B,2024-01-06,5\n"),
                                 columns={**TX, "order_id": "订单"}, conflicts="keep_last")}


@entry("order_conflict_keep_first", "conflicts: keep_first keeps the first row",
       Outcome(kept={"transactions": 2}, reasons={("transactions", "order_id_conflict"): 1},
               check=_revenue(105.0)))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "订单,客户,日期,金额\nO1,A,2024-01-05,100\n"
                                     "O1,A,2024-01-06,116\nO2,B,2024-01-06,5\n"),
                                 columns={**TX, "order_id": "订单"}, conflicts="keep_first")}


@entry("order_conflict_customer", "one order id for two customers is a conflict even with "
       "different products", Outcome(kept={"transactions": 0},
                                     reasons={("transactions", "order_id_conflict"): 2}, ok=False))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "订单,客户,日期,金额,产品\nO1,A,2024-01-05,100,P1\n"
                                     "O1,B,2024-01-05,50,P2\n"),
                                 columns={**TX, "order_id": "订单", "product_id": "产品"})}


@entry("order_conflict_time_of_day", "one order at 10:00 and at 11:00 of one day: both quarantined, "
       "the detail names the field (date)",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "order_id_conflict"): 2},
               check=lambda x: _assert(list(x.quarantine["transactions"]["detail"]) == [
                   "order 'O1' is also on row 3 with another date",
                   "order 'O1' is also on row 2 with another date"])))
def _(d):
    return {"sources": {"transactions": {
        "path": csv(d, "orders.csv", "单号,客户,日期,金额\nO1,A,2024-01-05 10:00,5\nO1,A,2024-01-05 11:00,5\n"
                                     "O2,B,2024-01-06,3\n"),
        "columns": {**TX, "order_id": "单号"}}}}


@entry("order_lines_with_products", "an order with several product lines is not a conflict",
       Outcome(kept={"transactions": 3}, check=_revenue(175.0)))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "订单,客户,日期,金额,产品\nO1,A,2024-01-05,100,P1\n"
                                     "O1,A,2024-01-05,50,P2\nO2,A,2024-02-05,25,P1\n"),
                                 columns={**TX, "order_id": "订单", "product_id": "产品"})}


@entry("duplicates_keep_without_order_id", "duplicates: keep (CDNOW) keeps identical lines "
       "and flags them", Outcome(kept={"transactions": 3}, check=lambda x: (
           _revenue(30.0)(x), _assert(int(x.transactions["is_duplicate"].sum()) == 1))))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-01-05,10", "A,2024-01-05, 10", "B,2024-01-06,10")), duplicates="keep")}


# -- amounts ---------------------------------------------------------------------------
@entry("amount_forms", "currency marks, thousands separators, 万 and accounting negatives",
       Outcome(kept={"transactions": 4}, check=lambda x: _assert(
           sorted(_values(x)) == [-12.5, 1234.5, 3000.0, 12000.0])))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        'A,2024-01-05,"¥1,234.50"', "A,2024-01-06,1.2万", "A,2024-01-07,(12.50)",
        "A,2024-01-08,RMB 3000")))}


@entry("amount_decimal_comma", "a decimal comma is ambiguous and quarantined with its value",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "amount_not_numeric"): 1},
               check=lambda x: _assert(x.quarantine["transactions"]["detail"].tolist() == ["12,34"])))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders('A,2024-01-05,"12,34"', "B,2024-01-05,1")))}


@entry("amount_text_and_inf", "text and infinite amounts",
       Outcome(kept={"transactions": 1}, reasons={("transactions", "amount_not_numeric"): 1,
                                                   ("transactions", "amount_not_finite"): 1}))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-01-05,十元", "B,2024-01-05,inf", "C,2024-01-05,3")))}


@entry("amount_huge_finite", "1e308 is finite, so it is kept (and is_outlier), but validate warns "
       "with its row number: no sale is that large",
       Outcome(kept={"transactions": 6}, warnings=("1 amount(s) of 1e+15 or more", "row 3: '1e308'"),
               check=lambda x: _assert(x.transactions["is_outlier"].sum() == 1)))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("A,2024-01-05,10", "B,2024-01-06,1e308",
                                                             *(f"C,2024-01-07,{v}" for v in (11, 12, 13, 14)))))}


@entry("wrong_column_types", "dates in the amount column and amounts in the date column",
       Outcome(kept={"transactions": 0}, reasons={("transactions", "date_unparseable"): 2}, ok=False))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("A,10,2024-01-05", "B,20,2024-01-06")))}


@entry("returns_larger_than_purchase", "a return larger than the purchase is kept, and the "
       "report says so", Outcome(kept={"transactions": 2}, warnings=("returned more than they bought",),
                                 check=_revenue(-50.0)))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("A,2024-01-05,100", "A,2024-01-20,-150")))}


# -- small data ------------------------------------------------------------------------
@entry("one_customer", "one customer, three purchases",
       Outcome(kept={"transactions": 3}, check=lambda x: _assert(x.transactions["customer_id"].nunique() == 1)))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-01-05,1", "A,2024-03-05,2", "A,2024-06-05,3")))}


@entry("one_day", "every purchase on one day", Outcome(
    kept={"transactions": 3}, check=lambda x: _assert(x.transactions["date"].nunique() == 1)))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-06-05,1", "B,2024-06-05,2", "C,2024-06-05,3")))}


@entry("one_row", "a single purchase", Outcome(kept={"transactions": 1}))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("A,2024-06-05,1")))}


@entry("first_month_of_case", "the first month of a case as the period",
       Outcome(kept={"transactions": 2}, check=lambda x: _assert(
           len(x.transactions) == 1 and x.rows_after_period == 1)))
def _(d):
    return {"default_period": "2024-01", "sources": tx_source(csv(d, "orders.csv", orders(
        "A,2024-01-05,1", "B,2024-02-05,2")))}


@entry("constant_columns", "every amount equal and one channel: kept, no outliers",
       Outcome(kept={"transactions": 3}, check=lambda x: _assert(not x.transactions["is_outlier"].any())))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", "客户,日期,金额,渠道\nA,2024-01-05,5,web\n"
                                     "B,2024-02-05,5,web\nC,2024-03-05,5,web\n"),
                                 columns={**TX, "channel": "渠道"})}


@entry("every_row_quarantined", "a file whose rows all fail keeps nothing: validate exits non-zero",
       Outcome(kept={"transactions": 0}, reasons={("transactions", "amount_missing"): 2}, ok=False))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", orders("A,2024-01-05,", "B,2024-01-05,NULL")))}


# -- joins -----------------------------------------------------------------------------
@entry("join_leading_zeros", "Excel ids 1, 2 against a master with 00001: match rate 0 and a "
       "hint about leading zeros", Outcome(kept={"transactions": 2, "customers": 2},
                                          warnings=("leading zeros", "00001"),
                                          check=lambda x: _assert(_join_rate(x) == 0.0)))
def _(d):
    path = xlsx(d, "orders.xlsx", {"S": [["客户", "日期", "金额"], [1, "2024-01-05", 10],
                                        [2, "2024-01-06", 20]]})
    return {"sources": {**tx_source(path), "customers": {
        "path": csv(d, "customers.csv", "客户,行业\n00001,power\n00002,oem\n"),
        "columns": {"customer_id": "客户", "industry": "行业"}}}}


@entry("join_full_match", "ids that match give a rate of 1 and no warning",
       Outcome(kept={"transactions": 2, "customers": 2}, check=lambda x: _assert(_join_rate(x) == 1.0)))
def _(d):
    return {"sources": {**tx_source(csv(d, "orders.csv", orders("C1,2024-01-05,1", "C2,2024-01-05,1"))),
                        "customers": {"path": csv(d, "customers.csv", "客户,行业\nC1,power\nC2,oem\n"),
                                      "columns": {"customer_id": "客户", "industry": "行业"}}}}


@entry("join_case_differs", "c1 against C1: a hint about case",
       Outcome(kept={"transactions": 2, "customers": 2}, warnings=("upper/lower case",)))
def _(d):
    return {"sources": {**tx_source(csv(d, "orders.csv", orders("c1,2024-01-05,1", "c2,2024-01-05,1"))),
                        "customers": {"path": csv(d, "customers.csv", "客户,行业\nC1,power\nC2,oem\n"),
                                      "columns": {"customer_id": "客户", "industry": "行业"}}}}


@entry("join_expense_table", "an auxiliary expense table is joined to the customers too",
       Outcome(kept={"transactions": 1, "customers": 1}, warnings=("expense -> customers",)))
def _(d):
    return {"sources": {**tx_source(csv(d, "orders.csv", orders("C1,2024-01-05,1"))),
                        "customers": {"path": csv(d, "customers.csv", "客户\nC1\n"),
                                      "columns": {"customer_id": "客户"}},
                        "expense": {"path": csv(d, "expense.csv", "customer_id,sales_expense\nX9,100\n"),
                                    "table": "auxiliary"}}}


@entry("customers_duplicate_ids", "a customer twice in the master",
       Outcome(kept={"transactions": 1, "customers": 1},
               reasons={("customers", "customer_id_duplicate"): 1}))
def _(d):
    return {"sources": {**tx_source(csv(d, "orders.csv", orders("C1,2024-01-05,1"))),
                        "customers": {"path": csv(d, "customers.csv", "客户,行业\nC1,power\nC1,oem\n"),
                                      "columns": {"customer_id": "客户", "industry": "行业"}}}}


@entry("customers_out_of_range", "a share of wallet of 48 (per cent, not a fraction)",
       Outcome(kept={"transactions": 1, "customers": 1},
               reasons={("customers", "share_of_wallet_out_of_range"): 1}))
def _(d):
    return {"sources": {**tx_source(csv(d, "orders.csv", orders("C1,2024-01-05,1"))),
                        "customers": {"path": csv(d, "customers.csv", "客户,钱包份额\nC1,0.48\nC2,48\n"),
                                      "columns": {"customer_id": "客户", "share_of_wallet": "钱包份额"}}}}


# -- personal data ---------------------------------------------------------------------
PEOPLE = ("客户,姓名,手机,邮箱,行业\nC1,王小明,13800138000,wang@example.cn,power\n"
          "C2,李丽,13912345678,li@example.cn,oem\n")


def _no_clear_personal_data(loaded):
    text = loaded.customers.to_csv()
    for raw in ("王小明", "13800138000", "wang@example.cn"):
        assert raw not in text, raw
    assert loaded.customers["name"].str.startswith("name-").all()
    assert loaded.customers["phone"].str.startswith("phone-").all()


@entry("personal_data_pseudonymised", "mapped names, phones and e-mails become pseudonyms",
       Outcome(kept={"transactions": 1, "customers": 2}, check=_no_clear_personal_data))
def _(d):
    return {"sources": {**tx_source(csv(d, "orders.csv", orders("C1,2024-01-05,1"))),
                        "customers": {"path": csv(d, "customers.csv", PEOPLE),
                                      "columns": {"customer_id": "客户", "name": "姓名", "phone": "手机",
                                                  "email": "邮箱", "industry": "行业"}}}}


@entry("personal_data_kept_on_request", "keep_personal_data: [name] keeps names in clear",
       Outcome(kept={"transactions": 1, "customers": 2},
               check=lambda x: _assert("王小明" in x.customers["name"].tolist())))
def _(d):
    return {"sources": {**tx_source(csv(d, "orders.csv", orders("C1,2024-01-05,1"))),
                        "customers": {"path": csv(d, "customers.csv", PEOPLE), "keep_personal_data": ["name"],
                                      "columns": {"customer_id": "客户", "name": "姓名", "industry": "行业"}}}}


@entry("personal_data_unmapped_detected", "unmapped phone and e-mail columns are not read, "
       "and validate says so", Outcome(kept={"transactions": 1, "customers": 2},
                                       warnings=("'手机'", "'邮箱'", "not read"),
                                       check=lambda x: _assert("手机" not in x.customers.columns)))
def _(d):
    return {"sources": {**tx_source(csv(d, "orders.csv", orders("C1,2024-01-05,1"))),
                        "customers": {"path": csv(d, "customers.csv", PEOPLE),
                                      "columns": {"customer_id": "客户", "industry": "行业"}}}}


@entry("personal_data_auxiliary", "a phone column of an auxiliary table is pseudonymised",
       Outcome(kept={"transactions": 1}, warnings=("'contact'", "pseudonymised"),
               check=lambda x: _assert(x.tables["visits"]["contact"].str.startswith("phone-").all())))
def _(d):
    return {"sources": {**tx_source(csv(d, "orders.csv", orders("C1,2024-01-05,1"))),
                        "visits": {"path": csv(d, "visits.csv", "customer_id,contact\nC1,13800138000\n"),
                                   "table": "auxiliary"}}}


PHONE_IDS = ("13800138000", "13912345678")


def _ids_pseudonymised(loaded):
    from workbench.quality import validation_report

    for table in ("transactions", "customers"):
        text = loaded.tables[table].to_csv()
        assert not any(phone in text for phone in PHONE_IDS), table
        assert loaded.tables[table]["customer_id"].str.startswith("id-").all(), table
    quarantined = loaded.quarantine["transactions"]
    assert quarantined["customer_id"].str.startswith("id-").all()
    assert set(loaded.transactions["customer_id"]) <= set(loaded.customers["customer_id"])
    assert _join_rate(loaded) == 1.0
    managers = loaded.customers["account_manager"]
    assert managers.str.startswith("name-").all() and managers.nunique() == 1  # one rep, one pseudonym
    assert "张经理" not in validation_report(loaded).to_text()


@entry("personal_ids_phone_numbers", "customer ids that are mobile numbers and a mapped account "
       "manager (a sales rep's name) become pseudonyms: the same id the same pseudonym in every "
       "table, so the join holds; rows in = kept + quarantined",
       Outcome(kept={"transactions": 2, "customers": 2}, reasons={("transactions", "amount_missing"): 1},
               warnings=("customer_id looks like personal data (phone)",), check=_ids_pseudonymised))
def _(d):
    return {"sources": {
        **tx_source(csv(d, "orders.csv", orders("13800138000,2024-01-05,1", "13912345678,2024-01-06,2",
                                                "13912345678,2024-01-07,"))),
        "customers": {"path": csv(d, "customers.csv", "客户,经理,行业\n13800138000,张经理,power\n"
                                                      "13912345678,张经理,oem\n"),
                      "columns": {"customer_id": "客户", "account_manager": "经理", "industry": "行业"}}}}


@entry("personal_ids_kept_on_request", "keep_personal_data: [customer_id] on every source keeps "
       "phone-number ids in clear", Outcome(
           kept={"transactions": 1, "customers": 1},
           check=lambda x: _assert(list(x.transactions["customer_id"]) == ["13800138000"]
                                   and _join_rate(x) == 1.0)))
def _(d):
    return {"sources": {
        **tx_source(csv(d, "orders.csv", orders("13800138000,2024-01-05,1")), keep_personal_data=["customer_id"]),
        "customers": {"path": csv(d, "customers.csv", "客户,行业\n13800138000,power\n"),
                      "keep_personal_data": ["customer_id"], "columns": {"customer_id": "客户", "industry": "行业"}}}}


# -- surveys ---------------------------------------------------------------------------
SURVEY = "id,S1,S2,L1,L2,电话\n"


@entry("survey_unmapped_phone_not_an_item", "a phone column of the survey is neither an item "
       "nor in the survey table", Outcome(kept={"survey": 2}, warnings=("'电话'", "not read"),
                                          check=lambda x: _assert(list(x.survey.columns) == [
                                              "respondent_id", "S1", "S2", "L1", "L2"])))
def _(d):
    return survey_case(d.parent, d, SURVEY + "R1,4,5,4,3,13800138000\nR2,2,3,3,4,13912345678\n")


@entry("survey_header_repeats_spec_item", "S1, an item of the model spec read under its own name "
       "(not mapped), twice in the header: which one is the answer is unclear",
       Fails("load", ("survey.csv", "'S1' 2 times", "columns 2 (B) and 6 (F)",
                      "parameters.satisfaction.spec", "rename one")))
def _(d):
    return survey_case(d.parent, d, "id,S1,S2,L1,L2,S1\nR1,4,5,4,3,2\nR2,2,3,3,4,5\n")


@entry("survey_text_answers", "answers written as text ('非常满意') are non_numeric_answer",
       Outcome(kept={"survey": 2}, reasons={("survey_answers", "non_numeric_answer"): 1}))
def _(d):
    return survey_case(d.parent, d, "id,S1,S2,L1,L2\nR1,非常满意,5,4,3\nR2,2,3,3,4\n")


@entry("survey_out_of_scale", "an answer 7 on a 1-5 scale",
       Outcome(kept={"survey": 2}, reasons={("survey_answers", "out_of_scale"): 1}))
def _(d):
    return survey_case(d.parent, d, "id,S1,S2,L1,L2\nR1,7,5,4,3\nR2,2,3,3,4\n")


@entry("survey_missing_code", "missing_codes: [-99] make -99 a missing answer, not out of scale",
       Outcome(kept={"survey": 2}, reasons={("survey_answers", "missing_answers"): 1}))
def _(d):
    return survey_case(d.parent, d, "id,S1,S2,L1,L2\nR1,-99,5,4,3\nR2,2,3,3,4\n", missing_codes=[-99])


@entry("survey_all_missing_item", "an item nobody answered is named",
       Outcome(kept={"survey": 2}, reasons={("survey_answers", "missing_answers"): 2},
               warnings=("'L2' has no answer", "no respondent passes"), ok=False))
def _(d):
    return survey_case(d.parent, d, "id,S1,S2,L1,L2\nR1,4,5,4,\nR2,2,3,3,NA\n")


@entry("survey_without_spec_or_items", "a survey with neither a spec nor mapped items",
       Fails("load", ("survey.csv", "parameters.satisfaction.spec", "columns")))
def _(d):
    keys = survey_case(d.parent, d, "id,S1\nR1,4\n")
    keys["parameters"] = {}
    return keys


@entry("survey_respondents_repeated", "a respondent id twice and a blank one",
       Outcome(kept={"survey": 1}, reasons={("survey", "respondent_id_duplicate"): 1,
                                            ("survey", "respondent_id_missing"): 1}))
def _(d):
    return survey_case(d.parent, d, "id,S1,S2,L1,L2\nR1,4,5,4,3\nR1,2,3,3,4\n,1,2,3,4\n")


# -- case files ------------------------------------------------------------------------
@entry("case_unknown_source_key", "a misspelt source key lists the allowed ones",
       Fails("case", ("sources.transactions", "['dates_format']", "date_format")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", ROWS_ZH), dates_format="%d/%m/%Y")}


@entry("case_bad_conflicts_rule", "conflicts: newest", Fails(
    "case", ("sources.transactions.conflicts", "keep_last")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", ROWS_ZH), conflicts="newest")}


@entry("case_bad_time_zone", "time_zone: CST", Fails("case", ("time_zone", "Asia/Shanghai")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", ROWS_ZH), time_zone="China Time")}


@entry("case_missing_codes_not_a_list", "missing_codes: -99 (not a list)",
       Fails("case", ("missing_codes", "[-99, 999]")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", ROWS_ZH), missing_codes=-99)}


@entry("case_mapping_names_absent_column", "a mapped column the file lacks names the file, "
       "the canonical column and the columns that exist",
       Fails("load", ("orders.csv", "'amount'", "'销售额'", "['客户', '日期', '金额']")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", ROWS_ZH), columns={**TX, "amount": "销售额"})}


@entry("case_week_period_as_month", "granularity: W with default_period 2024-03: pandas read it as "
       "the week of March 1st; now an error naming the key and the week's form",
       Fails("case", ("mine.yaml", "default_period", "'2024-03'", "granularity", "2024-W10")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", ROWS_ZH)), "granularity": "W", "default_period": "2024-03"}


@entry("case_week_period_iso", "granularity: W with an ISO week 2024-W02 (Monday 8 to Sunday 14 "
       "January): the orders up to its Sunday are analysed",
       Outcome(kept={"transactions": 2}, check=lambda x: _assert(
           str(x.as_of.date()) == "2024-01-14" and x.period == "2024-01-08/2024-01-14")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", ROWS_ZH)), "granularity": "W",
            "default_period": "2024-W02"}


@entry("case_keep_personal_data_bad", "keep_personal_data: yes please",
       Fails("case", ("keep_personal_data", "name", "phone")))
def _(d):
    return {"sources": tx_source(csv(d, "orders.csv", ROWS_ZH), keep_personal_data="yes please")}


# -- helpers used by the checks -------------------------------------------------------
def _assert(condition: bool) -> None:
    if not condition:
        raise AssertionError("the documented reading does not hold")


def _join_rate(loaded) -> float:
    from workbench.quality import join_match_rates

    return float(join_match_rates(loaded)["match_rate"].iloc[0])


def _next_steps(loaded) -> str:
    from workbench.quality import validation_report

    return " ".join(validation_report(loaded).problems["next_step"])


def build(item: Entry, root: Path) -> Path:
    """Write an entry's files and case file under ``root``; returns the case file."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "notebooks").mkdir(exist_ok=True)
    (root / "notebooks" / "00_data_overview.ipynb").write_text("{}")
    return write_case(root, item.build(root / "data"))


if __name__ == "__main__":  # python tests/corpus.py OUT_DIR
    out = Path(sys.argv[1])
    for item in ENTRIES:
        build(item, out / item.id)
    print(f"{len(ENTRIES)} entries written to {out}")
