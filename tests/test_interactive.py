"""Researcher workflow: notebooks run by hand write into scratch/, name the project kernel."""

import json
import re

import papermill
import pytest

from workbench.interactive import ENV, scratch_folder
from workbench.recorder import Recorder


def test_notebooks_default_to_the_scratch_folder_and_name_the_project_kernel(root):
    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "crm-workbench", path.name
        parameters = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
        assert re.search(r"^output_dir = None\b", "".join(parameters["source"]), re.M), path.name
        assert "data=data)" in "".join("".join(c["source"]) for c in nb["cells"]), path.name
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    assert "--name crm-workbench" in makefile and "--allow-root" in makefile
    assert "scratch/" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()


@pytest.mark.notebook
def test_a_notebook_run_by_hand_writes_into_the_case_scratch_folder(root, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, str(tmp_path / "scratch"))
    before = sorted(p.name for p in (root / "notebooks").iterdir())
    papermill.execute_notebook(  # no parameters: the notebook's defaults, run from notebooks/
        str(root / "notebooks" / "00_data_overview.ipynb"), str(tmp_path / "run.ipynb"),
        kernel_name="python3", cwd=str(root / "notebooks"), progress_bar=False)
    assert sorted(p.name for p in (root / "notebooks").iterdir()) == before
    folder = tmp_path / "scratch" / "cdnow" / "1998-06"
    assert (folder / "tables" / "sources.csv").is_file()
    assert (folder / "metrics" / "00_data_overview.json").is_file()


def test_the_scratch_folder_needs_the_loaded_case(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="data=<the loaded case>"):
        Recorder(None, notebook="00_data_overview")
    monkeypatch.setenv(ENV, str(tmp_path))
    assert scratch_folder("cdnow", "1998-06") == tmp_path / "cdnow" / "1998-06"
    with pytest.raises(ValueError, match="plain name"):
        scratch_folder("../x", "1998-06")
