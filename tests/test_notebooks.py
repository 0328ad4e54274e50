"""Every notebook runs end to end on every bundled case that lists it.

This is what ``make report`` does, rendered into a temporary folder; a notebook that
fails, or a figure that draws a Chinese label without a glyph, fails the suite.
"""

import json

import nbformat
import pytest

from workbench.cases import list_cases, load_case
from workbench.reports import render_report

CASES = list_cases()


def test_every_notebook_belongs_to_a_case(root):
    used = {nb for name in CASES for nb in load_case(name).notebooks}
    present = {p.stem for p in (root / "notebooks").glob("*.ipynb")}
    assert present <= used, f"notebooks in no case's suite: {sorted(present - used)}"


@pytest.mark.notebook
@pytest.mark.parametrize("name", CASES)
def test_case_renders_every_notebook(name, tmp_path):
    case = load_case(name)
    folder = render_report(case, reports_dir=tmp_path, progress=False, log=lambda _: None)
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics) == set(case.notebooks)
    for notebook in case.notebooks:
        nb = nbformat.read(folder / f"{notebook}.ipynb", as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                text = output.get("text", "") + json.dumps(output.get("data", {}))
                assert "missing from font" not in text, f"{notebook}: tofu in a figure"
                assert output.get("output_type") != "error", f"{notebook}: {output.get('evalue')}"
        assert (folder / f"{notebook}.html").stat().st_size > 0
    assert (folder / "manifest.json").is_file()
