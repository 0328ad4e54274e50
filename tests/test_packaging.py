"""Packaging: declared dependencies, stripped notebooks, and a wheel that works anywhere.

pyproject.toml is the source of truth; environment.yml must list the same packages.
"""

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
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
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is in the test extra; reinstall with pip install -e '.[test]'"
    result = subprocess.run([ruff, "check", "--no-cache", "src", "tests", "benchmarks", "setup.py"], cwd=root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_notebook_kernel_registers(tmp_path):
    """What `make lab` does before starting JupyterLab: a 'CRM workbench' kernel that runs
    this environment's Python (so notebooks import the installed package)."""
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(tmp_path),
                    "--name", "crm-workbench", "--display-name", "CRM workbench"],
                   check=True, capture_output=True)
    spec = json.loads((tmp_path / "share" / "jupyter" / "kernels" / "crm-workbench" / "kernel.json")
                      .read_text(encoding="utf-8"))
    assert spec["display_name"] == "CRM workbench"
    assert spec["argv"][0] == sys.executable


# --- imports: every third-party package the package or a notebook imports is declared ----

#: Packages only the tests use (reference implementations); the package must not import them.
TEST_ONLY = {"pingouin", "kneed"}


def _imported_modules(source: str, *, top_level_only: bool = False) -> set[str]:
    """Top-level names of every module imported anywhere in the code, also inside functions
    (only at the module's top level with ``top_level_only``)."""
    names = set()
    tree = ast.parse(source)
    for node in (tree.body if top_level_only else ast.walk(tree)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _notebook_code(path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def test_every_imported_package_is_declared_and_none_only_the_tests_use(root):
    """A package is a dependency, or belongs to an optional extra (spark, ...) and is then
    imported only inside the functions that need it, so the package imports without it."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    declared = {_spec(r)[0] for r in project["dependencies"]}
    optional = {_spec(r)[0] for extra, reqs in project["optional-dependencies"].items()
                if extra not in ("test", "lab") for r in reqs}
    distributions = importlib.metadata.packages_distributions()
    sources = {p: p.read_text(encoding="utf-8") for p in sorted((root / "src" / "workbench").rglob("*.py"))}
    sources |= {p: _notebook_code(p) for p in sorted((root / "notebooks").glob("*.ipynb"))}
    undeclared, eager = {}, {}
    for path, source in sources.items():
        top_level = _imported_modules(source, top_level_only=True)
        for module in _imported_modules(source) - set(sys.stdlib_module_names) - {"workbench", "__future__"}:
            dists = {_spec(d)[0] for d in distributions.get(module, [module])}
            if dists & declared:
                continue
            if dists & optional and module not in top_level and path.suffix != ".ipynb":
                continue
            where = eager if dists & optional else undeclared
            where.setdefault(module, []).append(path.relative_to(root).as_posix())
    assert not undeclared, f"imported but not in pyproject's dependencies: {undeclared}"
    assert not eager, f"packages of an optional extra imported at module level: {eager}"
    assert not TEST_ONLY & declared, f"{TEST_ONLY & declared} belong in the 'test' extra only"
    assert TEST_ONLY <= {_spec(r)[0] for r in project["optional-dependencies"]["test"]}


def test_no_path_assumes_the_source_layout(root):
    """Only workbench.resources places files relative to the package (and works installed too)."""
    offenders = [f"{p.relative_to(root)}:{i}" for p in sorted((root / "src" / "workbench").rglob("*.py"))
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if ("__file__" in line and p.name != "resources.py") or "parents[" in line]
    assert not offenders, f"paths relative to the source tree: {offenders}; use workbench.resources"


def test_pre_commit_runs_ruff_and_nbstripout(root):
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"].removesuffix("-check"): repo for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks["ruff"]["repo"] == "https://github.com/astral-sh/ruff-pre-commit"
    assert hooks["nbstripout"]["repo"] == "https://github.com/kynan/nbstripout"
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    minimum = dict(_spec(r) for r in project["optional-dependencies"]["test"])
    for name in ("ruff", "nbstripout"):  # the hooks run at least the versions the tests use
        pinned = tuple(int(x) for x in hooks[name]["rev"].lstrip("v").split("."))
        wanted = tuple(int(x) for x in minimum[name].removeprefix(">=").split("."))
        assert pinned >= wanted, (name, hooks[name]["rev"], minimum[name])


# --- the wheel, and a non-editable install used from another directory --------------------

#: what an sdist is made from; the wheel is then built from the sdist, as `pip install` from
#: an index would
PROJECT_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "src", "cases", "notebooks",
                 "data/raw")


@pytest.fixture(scope="module")
def wheel(root, tmp_path_factory):
    tree = tmp_path_factory.mktemp("project")
    for name in PROJECT_FILES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, tree / name)
    run = {"capture_output": True, "text": True, "check": True}
    sdist = subprocess.run([sys.executable, "-c", "from setuptools import build_meta as b; "
                            "print(b.build_sdist('sdist'))"], cwd=tree, **run).stdout.split()[-1]
    unpacked = tmp_path_factory.mktemp("sdist")
    with tarfile.open(tree / "sdist" / sdist) as tar:
        tar.extractall(unpacked, filter="data")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(next(unpacked.iterdir()))], **run)
    return next(out.glob("crm_workbench-*.whl"))


def test_the_wheel_holds_every_module_and_the_bundled_files(root, wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = zf.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    modules = {f"workbench/{p.relative_to(root / 'src' / 'workbench').as_posix()}"
               for p in (root / "src" / "workbench").rglob("*.py")}
    assert modules <= names, sorted(modules - names)
    specs = {f"workbench/specs/{p.name}" for p in (root / "src" / "workbench" / "specs").glob("*.yaml")}
    bundled = {f"workbench/_bundled/{p.relative_to(root).as_posix()}"
               for folder, pattern in (("cases", "*.yaml"), ("notebooks", "*.ipynb"), ("data/raw", "**/*"))
               for p in (root / folder).glob(pattern) if p.is_file()}
    assert {"workbench/_bundled/data/raw/cdnow/CDNOW_master.txt", "workbench/_bundled/cases/cdnow.yaml",
            "workbench/_bundled/notebooks/00_data_overview.ipynb"} <= bundled
    assert specs | bundled <= names, sorted((specs | bundled) - names)
    assert "ncompany = workbench.datasets:make_ncompany" in entry_points
    assert not (root / "src" / "workbench" / "_bundled").exists(), "the copies belong in the wheel only"


def test_an_installed_wheel_renders_a_report_from_another_directory(wheel, tmp_path):
    """`pip install` (not editable) into a fresh environment, then the command from elsewhere.

    The fresh venv sees this environment's third-party packages through a .pth file (no
    download), not its editable workbench: a .pth in a folder so added is not read."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    here = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    (Path(site) / "_test_deps.pth").write_text("\n".join(sorted(here)) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                    str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # the shared packages' data files (nbconvert's HTML templates) are in this environment's prefix
    env |= {"MPLBACKEND": "Agg", "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}

    def workbench(*args):
        done = subprocess.run([str(venv / "bin" / "workbench"), *args], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    where = subprocess.run([str(python), "-c", "import workbench; print(workbench.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(site), where  # the installed copy, not the checkout
    assert "cdnow" in workbench("cases")
    # a generated source goes into the current directory, not into the installed package
    assert "survey model spec ncompany_ecsi" in workbench("validate", "--case", "ncompany")
    assert (elsewhere / "data" / "processed" / "ncompany" / "transactions.csv").is_file()
    workbench("report", "--case", "mobi", "--quiet")
    folder = elsewhere / "reports" / "mobi" / "2005"
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics) == {"00_data_overview", "03_satisfaction_loyalty"}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["case_file"].startswith(site) and "numpy" in manifest["packages"]
    assert not list((Path(site) / "workbench").rglob("processed")), "nothing written into the package"
