"""The command line: one clear line per error (no traceback without --debug), and a
validate that prints examples with row numbers, writes the quarantine and fails on a
source that keeps nothing."""

import re
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from workbench import cli

CASE = """\
    name: shop
    language: en
    granularity: M
    start: 2024-01-01
    default_period: 2024-03
    sources:
      transactions:
        path: ../data/orders.csv
        columns: {customer_id: cust, date: day, amount: value, order_id: order}
    notebooks: [00_data_overview]
"""


def run(*args):
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "cases").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00_data_overview.ipynb").write_text("{}")
    (tmp_path / "cases" / "shop.yaml").write_text(textwrap.dedent(CASE), encoding="utf-8")
    return tmp_path


def orders(project, text):
    (project / "data" / "orders.csv").write_text(text, encoding="utf-8")
    return str(project / "cases" / "shop.yaml")


def test_validate_prints_examples_rows_and_next_steps_and_writes_the_quarantine(project):
    case = orders(project, "order,cust,day,value\nO1,A,2024-01-05,10\nO2,B,16/01/2024,5\n"
                           "O3,NULL,2024-01-07,3\nO4,C,2024-02-01,N/A\nO5,C,2031-01-01,4\n"
                           "O1,A,2024-01-05,12\nO6,D,2024-03-01,1\n")
    done = run("validate", "--case", case)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "date_unparseable: 1 row(s), e.g. row 3: '16/01/2024'" in out
    assert "set date_format: '%d/%m/%Y'" in out
    assert "customer_id_missing: 1 row(s), e.g. row 4" in out
    assert "date_in_future" in out and "order_id_conflict: 2 row(s)" in out
    written = project / "data" / "processed" / "shop" / "quarantine.csv"
    assert str(written) in out
    table = pd.read_csv(written, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["source", "file", "row", "reason", "detail", "values"]
    assert set(table["file"]) == {"orders.csv"}  # a name, not a machine path
    assert table.set_index("row").loc["5", "reason"] == "amount_missing"
    assert '"value": null' in table.set_index("row").loc["5", "values"]
    assert table.set_index("row").loc["2", "detail"].startswith("order 'O1' is also on row 7")


def test_validate_exits_nonzero_when_a_source_keeps_nothing(project):
    done = run("validate", "--case", orders(project, "order,cust,day,value\nO1,A,2024-01-05,\n"))
    assert done.returncode == 1
    assert "keep no row" in done.stderr and "Traceback" not in done.stderr


def survey(project, text):
    """The project's case with a survey source (ids in column 'id') and a 1-5 model spec."""
    (project / "data" / "survey.csv").write_text(text, encoding="utf-8")
    (project / "cases" / "tiny_spec.yaml").write_text(
        "{name: tiny, scale: {min: 1, max: 5}, paths: [[SAT, LOY]], constructs: "
        "{SAT: {items: [S1, S2], mode: A}, LOY: {items: [L1, L2], mode: A}}}", encoding="utf-8")
    case = project / "cases" / "shop.yaml"
    case.write_text(textwrap.dedent(CASE).replace(
        "sources:\n", "sources:\n  survey:\n    path: ../data/survey.csv\n    columns: {respondent_id: id}\n")
        + "parameters:\n  satisfaction: {spec: tiny_spec.yaml}\n", encoding="utf-8")
    orders(project, "order,cust,day,value\nO1,A,2024-01-05,10\n")
    return str(case)


def test_validate_writes_survey_answer_problems_to_the_quarantine(project):
    done = run("validate", "--case", survey(project, "id,S1,S2,L1,L2\nR1,3.5,4,4,2\nR1,1,1,1,1\n"
                                                     "R2,2,4,5,Agree\nR3,2,3,4,5\n"))
    assert done.returncode == 0, done.stderr  # R3 passes
    table = pd.read_csv(project / "data" / "processed" / "shop" / "quarantine.csv", encoding="utf-8-sig",
                        dtype=str, keep_default_na=False).set_index("row")
    assert table.loc["3", "reason"] == "respondent_id_duplicate"  # the id check's row, once
    answers = table[table["source"] == "survey_answers"]
    assert answers["file"].tolist() == ["survey.csv", "survey.csv"]
    assert answers.loc["2", ["reason", "detail"]].tolist() == ["not_on_scale_step", "S1='3.5'"]
    assert answers.loc["4", ["reason", "detail"]].tolist() == ["non_numeric_answer", "L2='Agree'"]
    assert '"id": "R2"' in answers.loc["4", "values"] and '"L2": "Agree"' in answers.loc["4", "values"]
    assert "quarantine.csv" in done.stdout


def test_validate_exits_nonzero_when_no_respondent_passes_the_answer_checks(project):
    done = run("validate", "--case", survey(project, "id,S1,S2,L1,L2\nR1,3.5,4,4,2\nR2,0,4,4,4\n"))
    assert done.returncode == 1
    assert "no survey respondent passes the answer checks" in done.stderr
    assert "tiny_spec.yaml" in done.stderr and "parameters.satisfaction.spec" in done.stderr
    assert "Traceback" not in done.stderr
    table = pd.read_csv(project / "data" / "processed" / "shop" / "quarantine.csv", encoding="utf-8-sig")
    assert table["reason"].tolist() == ["not_on_scale_step", "out_of_scale"]


def test_errors_are_one_line_without_traceback_and_with_it_under_debug(project):
    case = orders(project, "")
    done = run("validate", "--case", case)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "workbench validate: orders.csv: the file is empty (0 bytes); " \
                                  "export the data again"
    debug = run("--debug", "validate", "--case", case)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_reports_dir_that_is_a_file_is_refused(project):
    (project / "afile").write_text("x")
    done = run("report", "--case", orders(project, "order,cust,day,value\nO1,A,2024-01-05,1\n"),
               "--reports-dir", str(project / "afile"))
    assert done.returncode == 2 and "is a file" in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_is_one_line(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cases", interrupted)
    assert cli.main(["cases"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted" in err


def test_an_unexpected_error_is_one_line_that_asks_for_debug(monkeypatch, capsys):
    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "_cases", broken)
    assert cli.main(["cases"]) == 1
    err = capsys.readouterr().err
    assert "unexpected ZeroDivisionError" in err and "--debug" in err and "Traceback" not in err
    with pytest.raises(ZeroDivisionError):
        cli.main(["--debug", "cases"])


def test_a_folder_given_to_case_is_named_and_a_case_file_asked_for(project):
    done = run("validate", "--case", str(project / "cases"))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert str(project / "cases") in done.stderr and "is a folder, not a case file" in done.stderr
    assert "(.yaml)" in done.stderr and "shop.yaml" in done.stderr


ENGINE_CASE = """\
    name: shop_{engine}
    language: en
    granularity: M
    start: 2024-01-01
    default_period: 2024-03
    engine: {engine}
    sources:
      transactions:
        path: ../data/orders.csv
        date_format: '%d/%m/%Y'
        columns: {{customer_id: cust, date: day, amount: value, order_id: order}}
      customers:
        path: ../data/customers.csv
        columns: {{customer_id: id, industry: sector}}
    notebooks: [00_data_overview]
"""

#: A missing id (row 4), an unparseable date (row 3), a conflicting copy of order O1 (rows
#: 2 and 5) and a customer Z the customer master does not have (row 7).
BAD_ORDERS = ("order,cust,day,value\nO1,A,05/01/2024,10\nO2,B,16/13/2024,5\nO3,,07/01/2024,3\n"
              "O1,A,05/01/2024,12\nO4,C,01/02/2024,4\nO5,Z,02/02/2024,6\nO6,D,03/02/2024,7\n")


def engine_cases(project, text):
    """The same orders and customer master as a pandas and a DuckDB case."""
    (project / "data" / "orders.csv").write_text(text, encoding="utf-8")
    (project / "data" / "customers.csv").write_text("id,sector\nA,retail\nB,food\nC,tech\nD,food\n",
                                                    encoding="utf-8")
    paths = {}
    for engine in ("pandas", "duckdb"):
        paths[engine] = project / "cases" / f"shop_{engine}.yaml"
        paths[engine].write_text(textwrap.dedent(ENGINE_CASE.format(engine=engine)), encoding="utf-8")
    return paths


def report_part(out):
    """validate's report without the first line (case, period, engine) and the file's path."""
    return [line for line in out.splitlines()[1:] if "quarantine.csv" not in line]


def test_validate_an_engine_case_prints_what_a_pandas_case_prints_and_writes_the_quarantine(project):
    paths = engine_cases(project, BAD_ORDERS)
    done = run("validate", "--case", str(paths["duckdb"]))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("case shop_duckdb, period 2024-03, analysis date 2024-03-31, engine duckdb\n")
    assert re.search(r"transactions\s+orders\.csv\s+7\s+3\s+4\s+0\s+3", out)  # rows in, kept, quarantined
    assert re.search(r"customers\s+customers\.csv\s+4\s+4\s+0", out)
    assert "transactions: date_unparseable: 1 row(s), e.g. row 3: '16/13/2024'" in out
    assert "transactions: customer_id_missing: 1 row(s), e.g. row 4\n" in out
    assert ("transactions: order_id_conflict: 2 row(s), e.g. row 2: \"order 'O1' is also on row 5 with "
            "another amount\"; row 5:") in out
    assert "next step: give the date format with the key 'date_format'" in out
    assert "transactions -> customers: 2 of 3 ids (66.7%)" in out
    assert "only 2 of 3 ids match (66.7%); not found, e.g. Z; the other side has, e.g. A, B" in out
    written = project / "data" / "processed" / "shop_duckdb" / "quarantine.csv"
    assert f"Every quarantined row, with its file, row number, values and reason: {written}" in out
    table = pd.read_csv(written, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["source", "file", "row", "reason", "detail", "values"]
    assert table["row"].tolist() == ["2", "3", "4", "5"]
    assert table["reason"].tolist() == ["order_id_conflict", "date_unparseable", "customer_id_missing",
                                        "order_id_conflict"]
    assert table.loc[2, "values"] == '{"cust": null, "day": "07/01/2024", "value": 3, "order": "O3"}'
    assert not [p.name for p in written.parent.iterdir() if p.name != "quarantine.csv"]  # no scratch left
    # the same data as a pandas case: the same report, line for line, and the same quarantine rows
    expected = run("validate", "--case", str(paths["pandas"]))
    assert expected.returncode == 0, expected.stderr
    assert report_part(out) == report_part(expected.stdout)
    pandas_table = pd.read_csv(project / "data" / "processed" / "shop_pandas" / "quarantine.csv",
                               encoding="utf-8-sig", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(pandas_table.drop(columns="values"), table.drop(columns="values"))


def test_validate_an_engine_case_exits_nonzero_when_a_source_keeps_nothing(project):
    paths = engine_cases(project, "order,cust,day,value\nO1,,05/01/2024,10\nO2,NULL,06/01/2024,5\n")
    done = run("validate", "--case", str(paths["duckdb"]))
    assert done.returncode == 1
    assert "keep no row" in done.stderr and "Traceback" not in done.stderr
    assert "source 'transactions' keeps no row" in done.stdout
    assert "transactions: customer_id_missing: 2 row(s), e.g. row 2; row 3" in done.stdout
    expected = run("validate", "--case", str(paths["pandas"]))
    assert expected.returncode == 1 and report_part(done.stdout) == report_part(expected.stdout)


def test_validate_says_when_an_engine_case_writes_its_quarantine_as_parquet(project, monkeypatch, capsys):
    """Above a spreadsheet's rows (here: above 1) the quarantine is Parquet, and the message says so."""
    import functools

    from workbench import quality

    paths = engine_cases(project, BAD_ORDERS)
    monkeypatch.setattr(quality, "write_quarantine", functools.partial(quality.write_quarantine, csv_rows=1))
    assert cli.main(["validate", "--case", str(paths["duckdb"])]) == 0
    out = capsys.readouterr().out
    written = project / "data" / "processed" / "shop_duckdb" / "quarantine.parquet"
    assert "The quarantine has 4 rows, more than a spreadsheet opens" in out and str(written) in out
    assert "written as Parquet, with the columns of quarantine.csv" in out
    table = pd.read_parquet(written)
    assert list(table.columns) == ["source", "file", "row", "reason", "detail", "values"]
    assert table["row"].tolist() == [2, 3, 4, 5] and not (written.parent / "quarantine.csv").exists()
    assert cli.main(["validate", "--case", str(paths["duckdb"]), "--lang", "zh"]) == 0
    assert "已写为 Parquet 文件" in capsys.readouterr().out


def test_the_validate_report_speaks_the_case_language(tmp_path):
    """A Chinese case's validate report: headings, row references, warnings and next steps in
    Chinese; reason codes stay codes (the README lists them)."""
    from workbench.cases import load_case
    from workbench.quality import validation_report

    (tmp_path / "orders.csv").write_text("order,cust,day,value\nO1,A,2024-01-05,10\nO2,B,16/01/2024,5\n"
                                         "O3,C,2024-02-01,-50\nO4,C,2024-02-01,N/A\n", encoding="utf-8")
    (tmp_path / "shop.yaml").write_text(
        "{name: shop, language: zh, granularity: M, start: 2024-01-01, default_period: 2024-03,"
        " notebooks: [00_data_overview], sources: {transactions: {path: orders.csv,"
        " columns: {customer_id: cust, date: day, amount: value, order_id: order}}}}", encoding="utf-8")
    loaded = load_case(tmp_path / "shop.yaml").load()
    text = validation_report(loaded, lang="zh").to_text()
    assert text.startswith("数据来源（读入行数 = 保留 + 隔离）：")
    assert "transactions：date_unparseable：1 行，例如 第 3 行：'16/01/2024'" in text
    assert "下一步：" in text and "警告：" in text and "位客户的退货多于购买" in text
    english = validation_report(loaded, lang="en").to_text()
    assert "transactions: date_unparseable: 1 row(s), e.g. row 3: '16/01/2024'" in english
