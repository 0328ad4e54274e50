"""pyproject.toml is the source of truth; environment.yml must list the same packages."""

import json
import re
import subprocess
import tomllib

import yaml


def _spec(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*(#.*)?$", requirement)
    name, spec = match.group(1), match.group(2).replace(" ", "")
    return re.sub(r"[-_.]+", "-", name).lower(), spec


def test_environment_yml_mirrors_pyproject(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    test_extra = dict(_spec(r) for r in project["optional-dependencies"]["test"])
    wanted = dict(_spec(r) for r in project["dependencies"])
    for extra in project["optional-dependencies"].values():  # test, lab, spark, ...
        wanted |= dict(_spec(r) for r in extra)
    env = yaml.safe_load((root / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"], "environment.yml must use conda-forge only"
    listed, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip = dep["pip"]
            listed.update(_spec(r) for r in pip if not r.startswith("-e"))
        else:
            listed.update([_spec(dep)])
    assert "-e ." in [r.split("#")[0].strip() for r in pip], (
        "environment.yml must install the package itself: '-e .' in its pip section")
    assert "python" in listed and "pip" in listed
    listed.pop("python"), listed.pop("pip")
    missing_tests = sorted(set(test_extra) - set(listed))
    assert not missing_tests, f"the 'test' extra's {missing_tests} are not in environment.yml"
    assert listed == wanted


def test_notebooks_are_stored_without_outputs(root):
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        dirty = [i for i, c in enumerate(nb["cells"])
                 if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
        assert not dirty, f"{path.name}: cells {dirty} carry outputs; run nbstripout on it"
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"


def test_ci_runs_the_readme_test_command(root):
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make report" in readme
    assert subprocess.run(["grep", "-qx", "make test", str(root / ".ci" / "run")]).returncode == 0


def test_code_passes_the_linter(root):
    """ruff with the rules of pyproject.toml ([tool.ruff]) over the package, tests and benchmarks."""
    import shutil
    import sys
    from pathlib import Path

    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is in the test extra; reinstall with pip install -e '.[test]'"
    result = subprocess.run([ruff, "check", "--no-cache", "src", "tests", "benchmarks"], cwd=root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_notebook_kernel_registers(tmp_path):
    """What `make lab` does before starting JupyterLab: a 'CRM workbench' kernel that runs
    this environment's Python (so notebooks import the installed package)."""
    import sys

    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(tmp_path),
                    "--name", "crm-workbench", "--display-name", "CRM workbench"],
                   check=True, capture_output=True)
    spec = json.loads((tmp_path / "share" / "jupyter" / "kernels" / "crm-workbench" / "kernel.json")
                      .read_text(encoding="utf-8"))
    assert spec["display_name"] == "CRM workbench"
    assert spec["argv"][0] == sys.executable
