"""Periodic series, the render lock, stale scratch folders and the load cache."""

import json
import subprocess
import sys
import textwrap
import threading
import time

import nbformat
import pandas as pd
import pytest

from workbench import cache
from workbench.cases import load_case
from workbench.lock import RenderLockedError, clean_stale_scratch, render_lock
from workbench.series import ABSENT, NEW, compare_periods, parse_periods, previous_period
from workbench.value import abc_classes, value_indicators

CASE = """\
    name: tiny
    language: en
    currency: EUR
    granularity: M
    start: 2024-01-01
    end: 2024-03-31
    default_period: 2024-03
    sources:
      transactions:
        path: ../data/orders.csv
        columns: {customer_id: cust, date: day, amount: value}
    notebooks: [01_customer_value]
"""

NOTEBOOK = """\
from workbench.cases import load_case
from workbench.recorder import Recorder
from workbench.value import abc_classes, value_indicators
data = load_case(case).load(period)
rec = Recorder(output_dir, notebook="01_customer_value", lang=data.lang)
indicators = value_indicators(data.transactions, data.as_of)
rec.table("abc_classes", abc_classes(indicators))
rec.metric("customers", len(indicators))
rec.metric("revenue", float(data.transactions["amount"].sum()))
"""


def cli(*args):
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args],
                          capture_output=True, text=True, timeout=900)


@pytest.fixture
def project(tmp_path):
    """Twelve customers over three months whose ABC classes move; C10 arrives in February, C11 in March, C12 never."""
    (tmp_path / "cases").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "cases" / "tiny.yaml").write_text(textwrap.dedent(CASE), encoding="utf-8")
    rows = ["cust,day,value"]
    for month in (1, 2, 3):
        for c in range(1, 13):
            if c >= 10 and month < 2 + (c - 10):
                continue
            amount = (c * 37 + month * 101 * (c % 4)) % 500 + 10 + (400 if c == month * 3 else 0)
            rows.append(f"C{c:02d},2024-{month:02d}-{(c % 27) + 1:02d},{amount}")
    (tmp_path / "data" / "orders.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('case = "x"\nperiod = None\noutput_dir = "."',
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(NOTEBOOK)]
    nbformat.write(nb, tmp_path / "notebooks" / "01_customer_value.ipynb")
    return tmp_path


def _abc(case, period):
    data = case.load(period)
    return abc_classes(value_indicators(data.transactions, data.as_of))[["customer_id", "abc_class"]]


def test_a_series_renders_in_order_and_its_migration_matches_a_direct_computation(project):
    case_file, out = project / "cases" / "tiny.yaml", project / "reports"
    stale = out / "tiny" / ".2024-02.rendering-killed"  # what a kill -9 leaves behind
    stale.mkdir(parents=True)
    (stale / "00_data_overview.ipynb").write_text("{}")
    done = cli("report", "--case", str(case_file), "--periods", "2024-01..2024-03",
               "--reports-dir", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    assert not stale.exists()
    assert [p.name for p in sorted((out / "tiny").iterdir()) if not p.name.startswith(".")] == [
        "2024-01", "2024-02", "2024-03", "index.html"]  # the case's index lists the periods
    periods_page = (out / "tiny" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{p}/index.html"' in periods_page for p in ("2024-01", "2024-02", "2024-03"))
    assert not (out / "tiny" / "2024-01" / "tables" / "changes_migration_abc_class.csv").exists()

    case = load_case(case_file)
    before, now = _abc(case, "2024-02"), _abc(case, "2024-03")
    joined = before.merge(now, on="customer_id", how="outer", suffixes=("_before", "_now"))
    expected = pd.crosstab(joined["abc_class_before"].astype(object).fillna(NEW),
                           joined["abc_class_now"].astype(object).fillna(ABSENT))
    assert NEW in expected.index  # C11 arrives in March: the table must show new customers
    assert (joined["abc_class_before"].dropna() != joined.dropna()["abc_class_now"]).any()
    got = pd.read_csv(out / "tiny" / "2024-03" / "tables" / "changes_migration_abc_class.csv",
                      index_col="class_before")
    assert got.index[-1] == NEW and got.columns[-1] == ABSENT  # migration_matrix's layout
    got.columns.name = expected.columns.name
    got.index.name = expected.index.name
    expected = expected.reindex(index=got.index, columns=got.columns, fill_value=0)  # empty classes: 0
    assert expected.to_numpy().sum() == len(joined)  # every customer of either period, once
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)

    assignments = pd.read_csv(out / "tiny" / "2024-03" / "tables" / "customer_assignments.csv",
                              dtype={"customer_id": str})
    assert list(assignments.columns) == ["customer_id", "abc_class"]
    assert assignments.set_index("customer_id")["abc_class"].to_dict() == now.set_index(
        "customer_id")["abc_class"].to_dict()
    metrics = pd.read_csv(out / "tiny" / "2024-03" / "tables" / "changes_key_metrics.csv")
    customers = metrics.set_index("metric").loc["customers"]
    assert (customers["value_before"], customers["value_now"], customers["difference"]) == (10, 11, 1)
    again = cli("report", "--case", str(case_file), "--periods", "2024-02..2024-03",
                "--reports-dir", str(out), "--quiet")  # a rerun renders only what is missing
    assert again.returncode == 0 and again.stdout.count("was rendered before; kept") == 2
    # every notebook of a render shares one load: one cache entry per period
    entries = sorted(p.name for p in (out / ".cache").glob("*.pkl"))
    assert [e.split("-")[1] + "-" + e.split("-")[2] for e in entries] == ["2024-01", "2024-02", "2024-03"]


def test_a_second_render_of_the_same_period_refuses_while_the_first_runs(project):
    case_file, out = project / "cases" / "tiny.yaml", project / "reports"
    with render_lock(out / "tiny" / "2024-03"):
        done = cli("report", "--case", str(case_file), "--reports-dir", str(out), "--quiet")
    assert done.returncode == 4
    assert "tiny 2024-03 is being rendered by process" in done.stderr and "--wait" in done.stderr
    assert not (out / "tiny" / "2024-03").exists()


def test_the_lock_waits_is_released_by_a_killed_process_and_spares_live_scratch(tmp_path):
    folder = tmp_path / "case" / "2024"
    release = threading.Event()

    def hold():
        with render_lock(folder):
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.3)
    with pytest.raises(RenderLockedError, match="after waiting 0.5 s"):
        with render_lock(folder, wait=0.5, poll=0.1):
            pass
    live = tmp_path / "case" / ".2024.rendering-live"
    live.mkdir()
    assert clean_stale_scratch(tmp_path / "case") == []  # its render holds the lock
    threading.Timer(0.3, release.set).start()
    with render_lock(folder, wait=5, poll=0.1):
        pass
    holder.join()
    assert clean_stale_scratch(tmp_path / "case") == [live] and not live.exists()
    # a process killed while holding the lock leaves nothing that blocks the next render
    code = f"from workbench.lock import render_lock\nrender_lock({str(folder)!r}).__enter__()\n" \
           "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    subprocess.run([sys.executable, "-c", code], timeout=120)
    with render_lock(folder):
        pass


def test_the_load_cache_is_used_and_invalidated_by_the_case_file_and_the_inputs(project, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(project / "cache"))
    case_file = project / "cases" / "tiny.yaml"
    first = load_case(case_file).load("2024-02")
    assert len(list((project / "cache").glob("*.pkl"))) == 1
    import workbench.io

    def no_reading(*args, **kwargs):
        raise AssertionError("the cached load read the raw file again")

    with monkeypatch.context() as m:
        m.setattr(workbench.io, "read_table", no_reading)
        again = load_case(case_file).load("2024-02")
        pd.testing.assert_frame_equal(again.transactions, first.transactions)
        assert again.cleaning_log.equals(first.cleaning_log) and again.case.path == case_file
        case_file.write_text(case_file.read_text() + "# a comment changes the key\n")
        with pytest.raises(AssertionError, match="read the raw file again"):
            load_case(case_file).load("2024-02")
    key = cache.cache_key(load_case(case_file), "2024-02")
    with (project / "data" / "orders.csv").open("a") as handle:
        handle.write("C01,2024-02-11,5\n")
    assert cache.cache_key(load_case(case_file), "2024-02") != key
    changed = load_case(case_file).load("2024-02")
    assert len(changed.transactions) == len(first.transactions) + 1
    assert len(list((project / "cache").glob("*.pkl"))) == 1  # older entries of the period go
    monkeypatch.delenv(cache.ENV)
    assert cache.lookup(load_case(case_file), "2024-02") is None  # no variable, no cache


def test_periods_parse_and_compare_without_a_previous_report(project, tmp_path):
    case = load_case(project / "cases" / "tiny.yaml")
    assert parse_periods(case, "2024-01..2024-03") == ["2024-01", "2024-02", "2024-03"]
    assert parse_periods(case, "2024-03, 2024-01") == ["2024-01", "2024-03"]
    with pytest.raises(ValueError, match="ends .* before it starts"):
        parse_periods(case, "2024-03..2024-01")
    with pytest.raises(ValueError, match="not a M period"):
        parse_periods(case, "2024..2024-03")
    assert previous_period(case, "2024-02") == "2024-01" and previous_period(case, "2024-01") is None
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "metrics.json").write_text(json.dumps({"x": {"m": 2, "flag": True}}))
    (tmp_path / "b" / "metrics.json").write_text(json.dumps({"x": {"m": 3, "flag": False}}))
    tables = compare_periods(tmp_path / "a", tmp_path / "b")
    assert list(tables) == ["changes_key_metrics"]
    assert tables["changes_key_metrics"].to_dict("records") == [
        {"notebook": "x", "metric": "m", "value_before": 2.0, "value_now": 3.0, "difference": 1.0,
         "relative_difference": 0.5}]


def test_several_cases_render_side_by_side_with_the_worst_status(project):
    import argparse

    from workbench.cli import _report_in_parallel

    cases = project / "cases"
    (cases / "other.yaml").write_text((cases / "tiny.yaml").read_text().replace("name: tiny", "name: other"))
    (cases / "broken.yaml").write_text((cases / "tiny.yaml").read_text().replace(
        "name: tiny", "name: broken").replace("orders.csv", "missing.csv"))
    out = project / "reports"
    args = argparse.Namespace(force=False, notebooks=None, reports_dir=str(out), wait=0)
    assert _report_in_parallel([str(cases / "tiny.yaml"), str(cases / "other.yaml")], args, 2) == 0
    assert (out / "tiny" / "2024-03" / "manifest.json").is_file()
    assert (out / "other" / "2024-03" / "manifest.json").is_file()
    # rendered before (3) and broken (1): the worst wins
    assert _report_in_parallel([str(cases / "tiny.yaml"), str(cases / "other.yaml")], args, 2) == 3
    assert _report_in_parallel([str(cases / "tiny.yaml"), str(cases / "broken.yaml")], args, 2) == 1
