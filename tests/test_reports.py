"""The report command: renders, refuses to overwrite, fails loudly and keeps the evidence."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from importlib.metadata import version

import nbformat
import openpyxl
import pytest

CASE = """\
    name: tiny
    language: zh
    granularity: M
    start: 2024-01-01
    default_period: 2024-03
    sources:
      transactions:
        path: ../data/orders.csv
        columns: {customer_id: 客户编号, date: 日期, amount: 销售额}
    notebooks: [00_data_overview]
"""


def cli(*args):
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args],
                          capture_output=True, text=True, timeout=600)


def write_notebook(project, *code, markdown_first=False):
    """A user's own 00_data_overview in project/notebooks (found before the bundled one)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = ([nbformat.v4.new_markdown_cell("# Mine")] if markdown_first else []) + [
        nbformat.v4.new_code_cell('case = "x"\nperiod = None\noutput_dir = "."',
                                  metadata={"tags": ["parameters"]}),
        *[nbformat.v4.new_code_cell(c) for c in code]]
    (project / "notebooks").mkdir(exist_ok=True)
    nbformat.write(nb, project / "notebooks" / "00_data_overview.ipynb")


@pytest.fixture
def project(tmp_path, root):
    """A user's own case in its own folder, with a GBK CSV and Chinese headers."""
    (tmp_path / "cases").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "cases" / "tiny.yaml").write_text(textwrap.dedent(CASE), encoding="utf-8")
    rows = ["客户编号,日期,销售额"] + [
        f"C{c},2024年{m}月{d}日,\"￥{100 * c + m:,}.50\"" for c in range(1, 6) for m in (1, 2, 3)
        for d in (3, 17)] + [",2024-01-01,5", "C9,2024-02-30,5"]
    (tmp_path / "data" / "orders.csv").write_bytes("\n".join(rows).encode("gbk"))
    return tmp_path


def test_report_renders_refuses_to_overwrite_and_rerenders_with_force(project, root):
    case, out = str(project / "cases" / "tiny.yaml"), str(project / "reports")
    done = cli("report", "--case", case, "--reports-dir", out, "--quiet")
    assert done.returncode == 0, done.stderr
    folder = project / "reports" / "tiny" / "2024-03"
    for name in ("00_data_overview.ipynb", "00_data_overview.html", "metrics.json",
                 "manifest.json", "tables/tables.xlsx", "tables/cleaning_log.csv",
                 "figures/period_activity.png"):
        assert (folder / name).is_file(), name
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == "2024-03" and manifest["as_of"] == "2024-03-31"
    assert len(manifest["inputs"]["transactions"]["sha256"]) == 64
    assert "00_data_overview" in manifest["timings_seconds"]
    # every parameter as it took effect, defaults included, and every package that shapes a result
    assert manifest["parameters"]["value"]["abc_cuts"] == [0.8, 0.95]
    assert manifest["parameters"]["lifecycle"]["churn_horizon"] is None
    declared = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert len(manifest["packages"]) == len(declared)
    for name in ("numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "duckdb", "pyarrow", "pandera",
                 "matplotlib", "seaborn", "mplfonts"):
        assert manifest["packages"][name] == version(name)
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["00_data_overview"]
    assert metrics["rows_in"] == 32 and metrics["rows_quarantined"] == 2
    assert metrics["customers"] == 5 and metrics["revenue"] == pytest.approx(
        sum(2 * (100 * c + m + 0.5) for c in range(1, 6) for m in (1, 2, 3)))
    book = openpyxl.load_workbook(folder / "tables" / "tables.xlsx", read_only=True)
    assert book.properties.title == "tiny · 2024-03"  # not the scratch folder it was written in
    html = (folder / "00_data_overview.html").read_text(encoding="utf-8")
    assert "from workbench.cases import load_case" not in html  # management version: no code
    tables_before = (folder / "tables" / "period_summary.csv").read_bytes()
    metrics_before = (folder / "metrics.json").read_bytes()

    assert "without encryption" not in done.stderr  # the kernel's TCP warning is gone
    # written in a scratch folder and renamed, yet as readable as a plain mkdir makes it
    umask = os.umask(0)
    os.umask(umask)
    assert folder.stat().st_mode & 0o777 == 0o777 & ~umask

    again = cli("report", "--case", case, "--reports-dir", out, "--quiet")
    assert again.returncode == 3 and "--force" in again.stderr

    forced = cli("report", "--case", case, "--reports-dir", out, "--quiet", "--force")
    assert forced.returncode == 0, forced.stderr
    assert (folder / "tables" / "period_summary.csv").read_bytes() == tables_before
    assert (folder / "metrics.json").read_bytes() == metrics_before  # deterministic
    manifest_before = (folder / "manifest.json").read_bytes()

    # a forced re-render that fails leaves the good report as it was
    write_notebook(project, "1 / 0")
    broken = cli("report", "--case", case, "--reports-dir", out, "--quiet", "--force")
    assert broken.returncode == 1 and "ZeroDivisionError" in broken.stderr
    assert (folder / "manifest.json").read_bytes() == manifest_before
    assert (folder / "metrics.json").read_bytes() == metrics_before
    failed = folder.with_name("2024-03.failed")
    assert str(failed / "00_data_overview.ipynb") in broken.stderr
    assert (failed / "00_data_overview.ipynb").is_file()
    assert sorted(p.name for p in folder.parent.iterdir()) == ["2024-03", "2024-03.failed", "index.html"]

    # once the notebook is mended, the next forced render replaces the report and the
    # evidence of the failure goes
    shutil.rmtree(project / "notebooks")  # back to the bundled notebook
    mended = cli("report", "--case", case, "--reports-dir", out, "--quiet", "--force")
    assert mended.returncode == 0, mended.stderr
    assert sorted(p.name for p in folder.parent.iterdir()) == ["2024-03", "index.html"]


def test_a_failing_notebook_exits_nonzero_names_the_cell_and_is_kept(project):
    write_notebook(project, "x = 1", "1 / 0", markdown_first=True)
    out = project / "reports"
    failed = cli("report", "--case", str(project / "cases" / "tiny.yaml"), "--reports-dir",
                 str(out), "--quiet")
    assert failed.returncode == 1
    # the 4th of the file's 4 cells, although papermill's copy has a parameters cell more
    source = project / "notebooks" / "00_data_overview.ipynb"
    assert f"notebook 00_data_overview failed in cell 4 of 4 of {source}" in failed.stderr
    assert "which starts '1 / 0'" in failed.stderr
    assert "ZeroDivisionError" in failed.stderr and "Traceback" not in failed.stderr
    kept = out / "tiny" / "2024-03.failed" / "00_data_overview.ipynb"
    assert kept.is_file() and str(kept) in failed.stderr  # kept for inspection
    assert not (out / "tiny" / "2024-03").exists()  # so a rerun needs no --force
    # no scratch left; the case's index lists the failed render
    assert sorted(p.name for p in (out / "tiny").iterdir()) == ["2024-03.failed", "index.html"]


def test_a_dead_kernel_or_an_unreadable_notebook_is_a_clear_error(project):
    case, out = str(project / "cases" / "tiny.yaml"), str(project / "reports")
    write_notebook(project, "import os\nos._exit(1)", "x = 2")
    died = cli("report", "--case", case, "--reports-dir", out, "--quiet")
    assert died.returncode == 1 and "Traceback" not in died.stderr
    assert "notebook 00_data_overview failed: the kernel died while running cell 2 of 3" in died.stderr
    assert "which starts 'import os'" in died.stderr

    (project / "notebooks" / "00_data_overview.ipynb").write_text("not json", encoding="utf-8")
    unreadable = cli("report", "--case", case, "--reports-dir", out, "--quiet")
    assert unreadable.returncode == 1 and "Traceback" not in unreadable.stderr
    assert "notebook 00_data_overview failed:" in unreadable.stderr
    assert "cannot be read as a Jupyter notebook" in unreadable.stderr


def test_a_folder_without_manifest_is_not_wiped_without_force(project):
    folder = project / "reports" / "tiny" / "2024-03"
    (folder / "tables").mkdir(parents=True)
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    refused = cli("report", "--case", str(project / "cases" / "tiny.yaml"), "--reports-dir",
                  str(project / "reports"), "--quiet")
    assert refused.returncode == 3
    assert "exists but has no manifest.json" in refused.stderr
    assert "notes.txt, tables/" in refused.stderr and "--force" in refused.stderr
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_all_with_a_period_is_an_error():
    refused = cli("report", "--all", "--period", "1998-06")
    assert refused.returncode == 2
    assert "--period 1998-06 cannot apply to --all: a period belongs to one case" in refused.stderr


def test_cases_and_validate_commands(project):
    listed = cli("cases")
    assert listed.returncode == 0 and "cdnow" in listed.stdout
    checked = cli("validate", "--case", str(project / "cases" / "tiny.yaml"))
    assert checked.returncode == 0 and "date_unparseable" in checked.stdout
    bad = cli("validate", "--case", "nope")
    assert bad.returncode == 1 and "no case named" in bad.stderr


SMALL = """\
    name: small
    language: en
    currency: EUR
    granularity: M
    start: 2024-01-01
    end: 2024-12-31
    default_period: 2024-01
    sources:
      transactions:
        path: ../data/orders.csv
        columns: {customer_id: customer_id, date: date, amount: amount}
    notebooks: [00_data_overview, 01_customer_value, 02_segmentation, 04_lifecycle_churn]
"""


def test_sections_that_cannot_run_say_why_and_a_failed_notebook_stops_no_other(tmp_path):
    """30 customers over one year, reported for its first month: the value matrix has no
    potential indicator and a retention rate needs two periods, so those sections say why
    and the rest renders; a broken notebook (the user's own 02) fails alone."""
    (tmp_path / "cases").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "cases" / "small.yaml").write_text(textwrap.dedent(SMALL), encoding="utf-8")
    rows = ["customer_id,date,amount"] + [
        f"K{c:03d},2024-{(c * 7 + k * 5) % 12 + 1:02d}-{(c * 3 + k * 11) % 28 + 1:02d},"
        f"{20 + (c * 37 + k * 53) % 880}.50" for c in range(1, 31) for k in range(1 + c % 7)]
    (tmp_path / "data" / "orders.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('case = "x"\nperiod = None\noutput_dir = "."',
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise RuntimeError('a bug in my own notebook')")]
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "02_segmentation.ipynb")
    done = cli("report", "--case", str(tmp_path / "cases" / "small.yaml"), "--reports-dir",
               str(tmp_path / "reports"), "--quiet")
    assert done.returncode == 1
    assert "1 of 4 notebooks failed (02_segmentation)" in done.stderr
    assert "a bug in my own notebook" in done.stderr
    kept = tmp_path / "reports" / "small" / "2024-01.failed"
    manifest = json.loads((kept / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["failed_notebooks"] == ["02_segmentation"]
    metrics = json.loads((kept / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics) == {"00_data_overview", "01_customer_value", "04_lifecycle_churn"}
    assert "value_matrix" in metrics["01_customer_value"]["sections_skipped"]
    assert "retention_economics" in metrics["04_lifecycle_churn"]["sections_skipped"]
    for name in ("00_data_overview", "01_customer_value", "04_lifecycle_churn"):
        nb = nbformat.read(kept / f"{name}.ipynb", as_version=4)
        assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"], name
        page = (kept / f"{name}.html").read_text(encoding="utf-8")
        assert "Traceback" not in page and "did not finish" not in page, name
    assert "This section cannot be computed on these data" in (kept / "01_customer_value.html").read_text(
        encoding="utf-8")
    broken = (kept / "02_segmentation.html").read_text(encoding="utf-8")
    assert "This report did not finish" in broken and "a bug in my own notebook" in broken
    assert "Traceback" not in broken
    index = (kept / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{n}.html"' in index for n in manifest["notebooks"]) and "did not finish" in index
    assert "Segmentation" in (kept / "summary.html").read_text(encoding="utf-8").split("did not finish")[1][:200]


def _report_like_table(n: int, seed: int = 0):
    """What the notebooks record, and the cases to_csv treats apart: ids with leading zeros,
    dates (one pandas chunk with a time of day), NaN, booleans, Chinese text, floats of
    every size, text with commas, quotes and line ends, categories, objects, Int64."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    dates = pd.Series(pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"))
    times = dates.copy()
    times.iloc[n - 5] += pd.Timedelta(hours=3, minutes=7)
    floats = rng.normal(0, 1, n) * 10.0 ** rng.integers(-20, 20, n)
    floats[rng.random(n) < 0.1] = np.nan
    floats[:8] = [0.0, -0.0, np.inf, -np.inf, 1e16, 100.0, 0.1 + 0.2, 5e-324]
    text = pd.Series(rng.choice(["北京", "上海 客户", 'say "hi"', "a,b", "line\nbreak", "cr\rx", "", " pad"], n),
                     dtype="str").where(rng.random(n) > 0.1)
    ids = pd.Series([f"{i:07d}" for i in rng.integers(0, 10**6, n)], dtype="str")
    ids = pd.concat([ids.iloc[: n // 3], ids.iloc[n // 3:]], ignore_index=True)  # held in two Arrow chunks
    return pd.DataFrame({
        "customer_id": ids,
        "first_purchase": dates.where(rng.random(n) > 0.05), "last_seen": times,
        "spend_trend": floats, "monetary_total": rng.lognormal(3, 0.8, n).round(2),
        "frequency": rng.integers(-5, 10**9, n), "is_key_account": rng.random(n) > 0.5, "name": text,
        "abc_class": pd.Categorical(rng.choice(["A", "B", "C,D"], n)),
        "mixed": pd.Series([[1, "a", 2.5, None, True][i % 5] for i in range(n)], dtype=object),
        "orders": pd.array([None if i % 7 == 0 else i for i in range(n)], dtype="Int64"),
        "share": rng.random(n).astype("float32"),
    })


@pytest.mark.parametrize("columns", [None, ["customer_id"], ["name"], ["spend_trend"], ["last_seen", "name"]])
def test_large_tables_are_written_byte_for_byte_as_pandas_writes_them(tmp_path, columns):
    from workbench.recorder import write_csv

    frame = _report_like_table(23_456)
    frame = frame if columns is None else frame[columns]
    expected = frame.to_csv(index=False, encoding="utf-8-sig", lineterminator="\n").encode("utf-8-sig")
    assert write_csv(frame, tmp_path / "fast.csv", fast_rows=1).read_bytes() == expected
    if columns is None:  # the cases are there
        assert all(part in expected for part in (b"\n00", "北京".encode(), b"2024-01", b'"say ""hi"""', b",True,",
                                                 b"03:07:00", b"-0.0,", b"inf", b",,"))


def test_the_recorder_writes_large_tables_by_the_fast_path_with_the_same_bytes(tmp_path, monkeypatch):
    import pandas as pd

    from workbench import recorder

    frame = _report_like_table(1_200, seed=1)
    monkeypatch.setattr(recorder, "FAST_CSV_ROWS", 1_000)
    calls = []
    real = recorder._csv_cells
    monkeypatch.setattr(recorder, "_csv_cells", lambda *a: calls.append(1) or real(*a))
    rec = recorder.Recorder(tmp_path, notebook="t", lang="zh")
    rec.table("big", frame)
    rec.table("small", frame.head(999))
    rec.table("indexed", frame.set_index("customer_id"), index=True)  # the index: pandas writes it
    assert len(calls) == frame.shape[1]  # only "big" took the Arrow path
    for name, table, index in (("big", frame, False), ("small", frame.head(999), False),
                               ("indexed", frame.set_index("customer_id"), True)):
        expected = table.to_csv(index=index, encoding="utf-8-sig", lineterminator="\n").encode("utf-8-sig")
        assert (tmp_path / "tables" / f"{name}.csv").read_bytes() == expected, name
    # (a carriage return in a text is left unquoted by Python 3.11's csv module, as pandas writes it)
    back = pd.read_csv(tmp_path / "tables" / "big.csv", dtype={"customer_id": "str"}, encoding="utf-8-sig",
                       usecols=["customer_id", "monetary_total"], lineterminator="\n")
    assert back["customer_id"].str.len().eq(7).all() and len(back) == len(frame)


def test_the_summarys_bgnbd_figures_carry_a_failed_holdout_verdict(tmp_path):
    from workbench.summary import key_figures

    metrics = {"01_customer_value": {"clv_total_12m": 502774985.97, "p_alive_mean": 0.313,
                                     "abc_class_a_customer_share": 0.65, "holdout_total_error_pct": 286.48,
                                     "bgnbd_holdout_reliable": False}}
    cards = {c["label"]: c for c in key_figures(tmp_path, metrics, lang="en", currency="USD")}
    clv = cards["Customer lifetime value, next 12 months"]
    assert clv["value"] == "$502,774,986" and clv["change"] == "BG/NBD holdout error +286 %: not reliable"
    assert cards["Mean probability a customer is still active"]["change"] == clv["change"]
    assert not cards["A customers, share of customers"]["change"]  # not the model's figure
    from workbench.labels import label  # notebook 01's line for the same verdict, in both languages

    assert "+286 %" in label("msg_bgnbd_unreliable", "en").format(error=286.48)
    assert "+286%" in label("msg_bgnbd_unreliable", "zh").format(error=286.48)
    metrics["01_customer_value"]["bgnbd_holdout_reliable"] = True
    zh = key_figures(tmp_path, metrics, lang="zh", currency="CNY")
    assert not any("BG/NBD" in c["change"] for c in zh)
