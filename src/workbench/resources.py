"""Where the bundled files are, and where generated files go, checkout or installed.

The bundled cases, notebooks and raw data live at the top of the repository
(``cases/``, ``notebooks/``, ``data/raw/``), where researchers edit them. A wheel carries
copies of them in ``workbench/_bundled/`` with the same layout (``setup.py`` copies them
at build time), so the paths inside a case file (``../data/raw/cdnow/...``) resolve the
same way in both. The package therefore runs in one of two places:

* a **source checkout** (an editable install, or ``src/`` on the path): the package is
  ``<root>/src/workbench`` beside a ``pyproject.toml`` naming ``crm-workbench``; the
  bundled files are the checkout's own, and reports and generated data go into the
  checkout (``reports/``, ``data/processed/``) as before;
* an **installed wheel**: the bundled files are the read-only copies in the package,
  and reports and generated data go into the current directory.

That place is the *workspace* (:func:`workspace`). The model specs are package data of
their own (``workbench/specs/``) in both.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

__all__ = ["DISTRIBUTION", "bundled", "is_bundled", "processed_dir", "source_checkout",
           "spec_names", "workspace"]

#: The distribution name (``pip install crm-workbench``).
DISTRIBUTION = "crm-workbench"

_PACKAGE = Path(__file__).resolve().parent
#: The copies in a wheel; absent in a source checkout.
_PACKAGED = _PACKAGE / "_bundled"


@functools.cache
def source_checkout() -> Path | None:
    """The root of the source checkout the package runs from, or None when installed.

    Returns
    -------
    pathlib.Path or None
        ``<root>`` when this package is ``<root>/src/workbench`` and ``<root>/pyproject.toml``
        names the ``crm-workbench`` project (and the package holds no bundled copies, as a
        wheel's does); otherwise None.
    """
    src = _PACKAGE.parent
    project = src.parent / "pyproject.toml"
    if _PACKAGED.is_dir() or src.name != "src" or not project.is_file():
        return None
    try:
        name = tomllib.loads(project.read_text(encoding="utf-8"))["project"]["name"]
    except (tomllib.TOMLDecodeError, KeyError, OSError):
        return None
    return src.parent if name == DISTRIBUTION else None


def bundled(*parts: str) -> Path:
    """A bundled file or folder: ``bundled("cases")``, ``bundled("data", "raw")``.

    Parameters
    ----------
    *parts : str
        Path components below the repository root (checkout) or ``workbench/_bundled``
        (installed), which have the same layout.

    Returns
    -------
    pathlib.Path
        Absolute; it need not exist (a loader says what is missing).
    """
    root = source_checkout()
    return (root if root is not None else _PACKAGED).joinpath(*parts)


def is_bundled(path: str | Path) -> bool:
    """Whether ``path`` lies in the installed package's read-only bundled copies."""
    return Path(path).resolve().is_relative_to(_PACKAGED)


def workspace() -> Path:
    """Where reports and generated data go by default.

    Returns
    -------
    pathlib.Path
        The source checkout's root when running from one, else the current directory.
    """
    root = source_checkout()
    return root if root is not None else Path.cwd()


def processed_dir(case_folder: str | Path) -> Path:
    """The ``data/processed`` folder for the generated sources of a case file in ``case_folder``.

    Parameters
    ----------
    case_folder : path-like
        The folder holding the case file.

    Returns
    -------
    pathlib.Path
        ``<case_folder>/../data/processed`` (beside the case's own ``data/``, as in the
        repository's layout), or ``<workspace>/data/processed`` for the bundled cases of
        an installed package, whose folder is read-only.
    """
    if is_bundled(case_folder):
        return workspace() / "data" / "processed"
    return (Path(case_folder) / ".." / "data" / "processed").resolve()


def spec_names() -> list[str]:
    """The bundled survey-model specs (``workbench/specs/*.yaml``), by name, sorted."""
    return sorted(p.stem for p in (_PACKAGE / "specs").glob("*.yaml"))
