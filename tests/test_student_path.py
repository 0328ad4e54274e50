"""The README's student path names real notebooks and covers the thesis case's whole suite."""

import re

from workbench.cases import load_case


def test_the_student_path_walks_every_notebook_of_the_thesis_case(root):
    text = (root / "README.md").read_text(encoding="utf-8")
    section = text.split("## The thesis, step by step (a student path)", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(\d\d_[a-z_]+)`", section))
    present = {p.stem for p in (root / "notebooks").glob("*.ipynb")}
    assert named <= present, f"the path names notebooks that do not exist: {sorted(named - present)}"
    case = load_case("ncompany")
    assert set(case.notebooks) <= named, f"notebooks of the case missing from the path: {set(case.notebooks) - named}"
    assert case.language == "zh"
    assert "--case ncompany" in section
