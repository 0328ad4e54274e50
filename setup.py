"""Build hook: the wheel carries the bundled cases, notebooks and raw data.

They live at the top of the repository, where researchers edit them and where the case
files' relative paths (``../data/raw/...``) point. ``build_py`` copies them, in the same
layout, into ``workbench/_bundled/`` of the wheel, where :mod:`workbench.resources` finds
them in an installed package. An editable install copies nothing: the package then runs
from the checkout and reads the checkout's own files. Everything else is in
pyproject.toml; MANIFEST.in puts the same folders into the sdist.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: folder -> glob patterns of the files copied to ``workbench/_bundled/<folder>/``
BUNDLED = {"cases": ["*.yaml"], "notebooks": ["*.ipynb"], "data/raw": ["**/*"]}


def bundled_files() -> list[Path]:
    """The bundled files, relative to the project root; hidden files left out."""
    found = {path.relative_to(ROOT) for folder, patterns in BUNDLED.items()
             for pattern in patterns for path in (ROOT / folder).glob(pattern) if path.is_file()}
    return sorted(p for p in found if not any(part.startswith(".") for part in p.parts))


class BuildPyWithBundled(build_py):
    """``build_py`` that also copies :func:`bundled_files` into ``workbench/_bundled/``."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for relative in bundled_files():
            target = Path(self.build_lib, "workbench", "_bundled", relative)
            self.mkpath(str(target.parent))
            self.copy_file(str(ROOT / relative), str(target), preserve_mode=False)


setup(cmdclass={"build_py": BuildPyWithBundled})
