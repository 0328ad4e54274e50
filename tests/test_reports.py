"""The report command: renders, refuses to overwrite, fails loudly and keeps the evidence."""

import json
import subprocess
import sys
import textwrap

import nbformat
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


def test_report_renders_refuses_to_overwrite_and_rerenders_with_force(project):
    case, out = str(project / "cases" / "tiny.yaml"), str(project / "reports")
    done = cli("report", "--case", case, "--reports-dir", out, "--quiet")
    assert done.returncode == 0, done.stderr
    folder = project / "reports" / "tiny" / "2024-03"
    for name in ("00_data_overview.ipynb", "00_data_overview.html", "metrics.json",
                 "manifest.json", "tables/tables.xlsx", "tables/cleaning_log.csv",
                 "figures/period_activity.png"):
        assert (folder / name).is_file(), name
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == "2024-03" and manifest["analysis_date"] == "2024-03-31"
    assert len(manifest["inputs"]["transactions"]["sha256"]) == 64
    assert "00_data_overview" in manifest["timings_seconds"]
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["00_data_overview"]
    assert metrics["rows_in"] == 32 and metrics["rows_quarantined"] == 2
    assert metrics["customers"] == 5 and metrics["revenue"] == pytest.approx(
        sum(2 * (100 * c + m + 0.5) for c in range(1, 6) for m in (1, 2, 3)))
    html = (folder / "00_data_overview.html").read_text(encoding="utf-8")
    assert "from workbench.cases import load_case" not in html  # management version: no code
    tables_before = (folder / "tables" / "period_summary.csv").read_bytes()
    metrics_before = (folder / "metrics.json").read_bytes()

    again = cli("report", "--case", case, "--reports-dir", out, "--quiet")
    assert again.returncode == 3 and "--force" in again.stderr

    forced = cli("report", "--case", case, "--reports-dir", out, "--quiet", "--force")
    assert forced.returncode == 0, forced.stderr
    assert (folder / "tables" / "period_summary.csv").read_bytes() == tables_before
    assert (folder / "metrics.json").read_bytes() == metrics_before  # deterministic


def test_a_failing_notebook_exits_nonzero_names_the_cell_and_is_kept(project):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('case = "x"\nperiod = None\noutput_dir = "."',
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("1 / 0")]
    (project / "notebooks").mkdir()
    nbformat.write(nb, project / "notebooks" / "00_data_overview.ipynb")
    out = project / "reports"
    failed = cli("report", "--case", str(project / "cases" / "tiny.yaml"), "--reports-dir",
                 str(out), "--quiet")
    assert failed.returncode == 1
    assert "notebook 00_data_overview failed in cell" in failed.stderr
    assert "ZeroDivisionError" in failed.stderr
    folder = out / "tiny" / "2024-03"
    assert (folder / "00_data_overview.ipynb").is_file()  # kept for inspection
    assert not (folder / "manifest.json").exists()  # so a rerun needs no --force


def test_cases_and_validate_commands(project):
    listed = cli("cases")
    assert listed.returncode == 0 and "cdnow" in listed.stdout
    checked = cli("validate", "--case", str(project / "cases" / "tiny.yaml"))
    assert checked.returncode == 0 and "date_unparseable" in checked.stdout
    bad = cli("validate", "--case", "nope")
    assert bad.returncode == 1 and "no case named" in bad.stderr
