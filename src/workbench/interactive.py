"""Where a notebook run by hand writes: a git-ignored scratch folder per case and period.

papermill hands every notebook of a render its report folder as ``output_dir``. Opened
in JupyterLab and run with its defaults, a notebook has ``output_dir = None`` and its
:class:`~workbench.recorder.Recorder` writes into ``scratch/<case>/<period>/`` of the
workspace instead (the checkout's ``scratch/`` is in ``.gitignore``), so hand runs never
leave tables, figures or metrics among the notebooks, cases never mix, and a notebook
that reads another notebook's tables of the same period (or the previous period's, from
``../<previous>/``) finds them where the render would have put them.
"""

from __future__ import annotations

import os
from pathlib import Path

from workbench import resources

__all__ = ["ENV", "SCRATCH", "scratch_folder"]

#: The scratch folder's name in the workspace.
SCRATCH = "scratch"
#: Environment variable that puts the scratch folder elsewhere (tests, shared machines).
ENV = "WORKBENCH_SCRATCH"


def scratch_folder(case: str, period: str) -> Path:
    """``<workspace>/scratch/<case>/<period>/``: where interactive runs of a case write.

    Parameters
    ----------
    case : str
        The case's name (``"cdnow"``).
    period : str
        The period's label (``"1998-06"``).

    Returns
    -------
    pathlib.Path
        Under :data:`ENV` when that is set, else under the workspace's ``scratch/``.
        Not created here; the :class:`~workbench.recorder.Recorder` creates it.
    """
    for part, what in ((case, "case"), (period, "period")):
        if not part or "/" in str(part) or str(part) in (".", ".."):
            raise ValueError(f"scratch_folder: {what} {part!r} must be a plain name such as "
                             f"'cdnow' or '1998-06'")
    root = Path(os.environ[ENV]) if os.environ.get(ENV) else resources.workspace() / SCRATCH
    return root / str(case) / str(period)
