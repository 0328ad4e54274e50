"""The command line: one clear line per error (no traceback without --debug), and a
validate that prints examples with row numbers, writes the quarantine and fails on a
source that keeps nothing."""

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
