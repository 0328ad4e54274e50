"""What a report notebook keeps: tables, figures and key metrics, written as it runs.

A notebook makes one :class:`Recorder` and hands it every table, figure and key figure
it wants in the report. Files go under the report folder (``tables/<name>.csv``,
``figures/<name>.png``, ``metrics/<notebook>.json``); :mod:`workbench.reports` later
merges the metrics into ``metrics.json`` and the tables into one XLSX workbook.
Writing is deterministic: the same results give byte-identical files.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.labels import translate_codes

__all__ = ["Recorder"]

_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")


def _figure_text(fig: Any) -> str:
    """Every visible text of a figure, one per line, tick labels included."""
    from matplotlib.text import Text

    fig.draw_without_rendering()  # tick labels exist only once the figure is laid out
    texts = (t.get_text() for t in fig.findobj(Text) if t.get_visible())
    return "\n".join(t for t in texts if t.strip())


def _plain(value: Any) -> Any:
    """A JSON-ready version of numpy/pandas scalars; NaN and inf become None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else round(value, 10)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp, pd.Period)):
        return str(value.date() if isinstance(value, pd.Timestamp) else value)
    return value


class Recorder:
    """Collect a notebook's outputs into a report folder.

    Parameters
    ----------
    output_dir : path-like or None
        The report folder, ``reports/<case>/<period>/``; created if needed. None (a
        notebook run by hand with its defaults): the case's scratch folder,
        ``scratch/<case>/<period>/`` of the workspace (:mod:`workbench.interactive`).
    notebook : str
        The notebook's name, used as the namespace of its metrics and table names.
    lang : {"zh", "en"}
        Language of displayed column names (files keep the stable English names).
    data : LoadedCase, optional
        The loaded case; names the scratch folder when ``output_dir`` is None.

    Examples
    --------
    >>> rec = Recorder("out", notebook="00_data_overview", lang="zh")  # doctest: +SKIP
    >>> rec.table("revenue_by_period", frame)  # doctest: +SKIP
    >>> rec.metric("customers", 23570)  # doctest: +SKIP
    """

    def __init__(self, output_dir: str | Path | None = ".", *, notebook: str, lang: str = "en",
                 data: Any = None):
        if output_dir is None:
            if data is None:
                raise ValueError(f"Recorder for {notebook}: output_dir=None writes into the case's "
                                 "scratch folder, which needs data=<the loaded case>; or give "
                                 "output_dir, the report folder")
            from workbench.interactive import scratch_folder

            output_dir = scratch_folder(data.case.name, data.period)
        self.output_dir = Path(output_dir)
        self.notebook = notebook
        self.lang = lang
        self._metrics: dict[str, Any] = {}
        self._tables: list[str] = []  # in the order recorded: the workbook's sheet order
        for sub in ("tables", "figures", "metrics"):
            (self.output_dir / sub).mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _check(name: str) -> None:
        if not _NAME.match(name):
            raise ValueError(f"output name {name!r} may use only letters, digits, '_' and '-'")

    def table(self, name: str, frame: pd.DataFrame, *, index: bool = False) -> pd.DataFrame:
        """Write a table to ``tables/<name>.csv`` and return it ready for display.

        Parameters
        ----------
        name : str
            File name without extension; letters, digits, ``_`` and ``-``. It also
            names the sheet in the report's ``tables.xlsx`` (first 31 characters).
        frame : pandas.DataFrame
            Written with its stable English column names, UTF-8 with a byte-order mark
            (so Excel shows Chinese) and ``\\n`` line ends.
        index : bool
            Write the index as a column too.

        Returns
        -------
        pandas.DataFrame
            A copy for display: column names, and the values of code columns (stages,
            classes, segments, reasons), in the recorder's language
            (:func:`workbench.labels.translate_codes`); the file keeps the codes.
        """
        self._check(name)
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"table {name!r}: expected a DataFrame, got {type(frame).__name__}")
        frame.to_csv(self.output_dir / "tables" / f"{name}.csv", index=index,
                     encoding="utf-8-sig", lineterminator="\n")
        self._list_table(name)
        return translate_codes(frame, self.lang)

    def _list_table(self, name: str) -> None:
        """Keep ``tables/recorded/<notebook>.json``: this notebook's tables in recorded order."""
        if name in self._tables:
            return
        self._tables.append(name)
        listing = self.output_dir / "tables" / "recorded"
        listing.mkdir(exist_ok=True)
        (listing / f"{self.notebook}.json").write_text(
            json.dumps({"notebook": self.notebook, "tables": self._tables}, indent=1) + "\n",
            encoding="utf-8")

    def figure(self, name: str, figure: Any) -> Any:
        """Save a figure to ``figures/<name>.png`` and return it.

        Parameters
        ----------
        name : str
            File name without extension; letters, digits, ``_`` and ``-``.
        figure : matplotlib.figure.Figure or matplotlib.axes.Axes
            An Axes is saved through its figure. Written at 110 dpi without the
            software stamp, so identical figures give identical bytes; the PNG's
            ``Description`` holds every text of the figure (titles, labels, ticks,
            legends), so the words of a figure can be searched and checked.

        Returns
        -------
        matplotlib.figure.Figure
            The figure saved, so a notebook cell ending with this call shows it.
        """
        self._check(name)
        fig = getattr(figure, "figure", figure) if not hasattr(figure, "savefig") else figure
        fig.savefig(self.output_dir / "figures" / f"{name}.png", dpi=110,
                    metadata={"Software": None, "Description": _figure_text(fig)})
        return fig

    def metric(self, name: str, value: Any) -> Any:
        """Record a key figure in ``metrics/<notebook>.json`` (rewritten at each call).

        Parameters
        ----------
        name : str
            Key in the notebook's metrics; letters, digits, ``_`` and ``-``. Recording a
            name again replaces its value.
        value : number, str, bool, date, or a small dict or list of them
            Stored as JSON: numpy scalars as plain numbers, floats rounded to 10
            decimals, NaN and inf as null, timestamps as ``YYYY-MM-DD``. Units are the
            caller's (currency amounts in the case's currency).

        Returns
        -------
        any
            ``value`` unchanged.
        """
        self._check(name)
        self._metrics[name] = _plain(value)
        path = self.output_dir / "metrics" / f"{self.notebook}.json"
        path.write_text(json.dumps(self._metrics, ensure_ascii=False, indent=2, sort_keys=True)
                        + "\n", encoding="utf-8")
        return value

    def metrics(self, values: dict[str, Any]) -> None:
        """Record several key figures at once, as :meth:`metric` does for each.

        Parameters
        ----------
        values : dict of str to any
            Metric name -> value.

        Returns
        -------
        None
        """
        for key, value in values.items():
            self.metric(key, value)
