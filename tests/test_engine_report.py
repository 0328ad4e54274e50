"""A whole report rendered by `workbench report` for an engine case (engine: duckdb) equals
the same data rendered as a pandas case: every key figure both pages record (counts
exact, money to 1e-9), the sections the engine cannot run skipped with their reason, and
the source read and cleaned once for the render's four notebooks."""

import json
import math
import os
import pickle
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

NOTEBOOKS = ("00_data_overview", "01_customer_value", "02_segmentation", "04_lifecycle_churn")

#: Sections whose method needs the transactions row by row, which an engine case keeps in
#: the engine: the order-value histogram, and the product and customer ratios of the
#: account analysis.
ROW_LEVEL = {
    "00_data_overview": {"order_value_distribution"},
    "01_customer_value": {"account_analysis"},
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, root):
    """The first 300 CDNOW customers as Parquet (with a cost and a product per row, so that
    the gross-profit paths run), rendered as a pandas and as a duckdb case."""
    tmp_path = tmp_path_factory.mktemp("engine_report")
    raw = pd.read_csv(root / "data" / "raw" / "cdnow" / "CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str})
    raw = raw[raw["customer_id"].isin(sorted(raw["customer_id"].unique())[:300])]
    raw = raw.assign(date=pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
                     cost=(raw["dollar_value"] * 0.6).round(2), product="P" + (raw["number_of_cds"] % 4).astype(str))
    raw.to_parquet(tmp_path / "orders.parquet", index=False)
    (tmp_path / "cases").mkdir()
    commands = {}
    for engine in ("pandas", "duckdb"):
        (tmp_path / "cases" / f"shop_{engine}.yaml").write_text(textwrap.dedent(f"""\
            name: shop_{engine}
            language: en
            currency: USD
            granularity: M
            start: 1997-01-01
            end: 1998-06-30
            default_period: 1998-06
            engine: {engine}
            sources:
              transactions:
                path: ../orders.parquet
                duplicates: keep
                columns: {{customer_id: customer_id, date: date, amount: dollar_value, quantity: number_of_cds,
                          cost: cost, product_id: product}}
            notebooks: [{", ".join(NOTEBOOKS)}]
        """), encoding="utf-8")
        commands[engine] = subprocess.Popen(  # the two renders side by side: the test's time is one render
            [sys.executable, "-m", "workbench.cli", "report", "--case", str(tmp_path / "cases" / f"shop_{engine}.yaml"),
             "--reports-dir", str(tmp_path / "reports"), "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "MPLBACKEND": "Agg"})
    results = {engine: (*p.communicate(timeout=600), p.returncode) for engine, p in commands.items()}
    for engine, (out, err, code) in results.items():
        assert code == 0, f"{engine}: {out[-2000:]}\n{err[-2000:]}"
    metrics = {engine: {nb: json.loads((tmp_path / "reports" / f"shop_{engine}" / "1998-06" / "metrics" /
                                        f"{nb}.json").read_text(encoding="utf-8")) for nb in NOTEBOOKS}
               for engine in results}
    return metrics, results["duckdb"][1], tmp_path


def test_every_key_figure_of_an_engine_case_equals_the_pandas_case(rendered):
    metrics, _, _ = rendered
    compared = 0
    for nb in NOTEBOOKS:
        pandas_side, engine_side = metrics["pandas"][nb], metrics["duckdb"][nb]
        assert set(engine_side.get("sections_skipped", {})) == ROW_LEVEL.get(nb, set()), nb
        assert "sections_skipped" not in pandas_side, nb
        for key, value in engine_side.items():
            if key == "sections_skipped":
                continue
            expected = pandas_side[key]
            if isinstance(value, float) or isinstance(expected, float):
                assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-9), (nb, key, value, expected)
            else:
                assert value == expected, (nb, key)
            compared += 1
        if not ROW_LEVEL.get(nb):  # a notebook that skips nothing records every key figure
            assert set(pandas_side) == set(engine_side), nb
    assert compared > 80
    key = metrics["duckdb"]
    assert key["00_data_overview"]["rows_in"] == key["00_data_overview"]["rows_kept"] + \
        key["00_data_overview"]["rows_quarantined"]
    for figure in ("customers", "revenue", "abc_gini", "bgnbd_r", "clv_total_12m", "k"):
        assert any(figure in m for m in key.values()), figure


def test_skipped_sections_say_why_in_the_case_language(rendered):
    metrics, _, _ = rendered
    reason = metrics["duckdb"]["01_customer_value"]["sections_skipped"]["account_analysis"]
    assert "product_ratios needs the transactions row by row" in reason and "duckdb" in reason
    _, _, tmp_path = rendered
    notebook = json.loads((tmp_path / "reports" / "shop_duckdb" / "1998-06" / "00_data_overview.ipynb").read_text())
    cell = next(c for c in notebook["cells"] if "order_value_distribution" in "".join(c["source"]))
    images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 1  # orders per customer only: no empty frame where the order values were left out


def test_the_source_is_cleaned_once_per_render_with_progress_on_stderr(rendered):
    _, stderr, tmp_path = rendered
    progress = [line for line in stderr.splitlines() if line.startswith("[workbench] duckdb")]
    assert sum("done, cleaning" in line for line in progress) == 1
    assert sum("load_data (cached)" in line for line in progress) == len(NOTEBOOKS) - 1
    assert any("read, transactions" in line and "rows" in line for line in progress)
    assert (tmp_path / "reports" / "shop_duckdb" / "1998-06" / "quarantine.parquet").is_file()
    entries = list((tmp_path / "reports" / ".cache").glob("shop_duckdb-1998-06-*.engine"))
    assert len(entries) == 1 and (entries[0] / "transactions.parquet").is_file()
    # each set of customer features was computed once for the render: as many runs as kept
    # results (02 and 04 ask for the features as of the analysis date again, and read them)
    # per-customer frames are kept as Parquet, the rest (small results, objects) as pickles
    folder = entries[0] / "aggregates"
    stored = [pickle.loads(p.read_bytes()) for p in folder.glob("*.pkl")] + \
        [pd.read_parquet(p) for p in folder.glob("*.parquet")]
    assert any(folder.glob("*.parquet"))
    features = [s for s in stored if isinstance(s, pd.DataFrame) and "spend_trend" in s]
    assert sum("done, customer_features" in line for line in progress) == len(features) >= 4
