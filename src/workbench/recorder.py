"""What a report notebook keeps: tables, figures and key metrics, written as it runs.

A notebook makes one :class:`Recorder` and hands it every table, figure and key figure
it wants in the report. Files go under the report folder (``tables/<name>.csv``,
``figures/<name>.png``, ``metrics/<notebook>.json``); :mod:`workbench.reports` later
merges the metrics into ``metrics.json`` and the tables into one XLSX workbook.
Writing is deterministic: the same results give byte-identical files.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.formatting import ReportTable
from workbench.labels import label

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


def _show_once(path: Path, name: str, fig: Any) -> None:
    """Display the PNG at ``path`` in a running Jupyter kernel and close ``fig``."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook stack
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):  # a script or a plain IPython prompt
        return
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    display(Image(data=path.read_bytes(), format="png"), metadata={"workbench": {"figure": name}})
    plt.close(fig)


def _say(text: str) -> None:
    """One line for the reader: an HTML paragraph in a kernel, else printed."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover
        get_ipython = None
    if get_ipython is not None and getattr(get_ipython(), "kernel", None) is not None:
        import html

        display(HTML(f'<p class="wb-missing">{html.escape(text)}</p>'))
    else:
        print(text)


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
    currency : str, optional
        ISO code of the case's currency (``data.case.currency``): displayed money
        columns name it in their header.
    data : LoadedCase, optional
        The loaded case; names the scratch folder when ``output_dir`` is None.

    Examples
    --------
    >>> rec = Recorder("out", notebook="00_data_overview", lang="zh")  # doctest: +SKIP
    >>> rec.table("revenue_by_period", frame)  # doctest: +SKIP
    >>> rec.metric("customers", 23570)  # doctest: +SKIP
    """

    def __init__(self, output_dir: str | Path | None = ".", *, notebook: str, lang: str = "en",
                 currency: str | None = None, data: Any = None):
        if output_dir is None:
            if data is None:
                raise ValueError(f"Recorder for {notebook}: output_dir=None writes into the case's "
                                 "scratch folder, which needs data=<the loaded case>; or give "
                                 "output_dir, the report folder")
            from workbench.interactive import scratch_folder

            output_dir = scratch_folder(data.case.name, data.period)
        if currency is None and data is not None:
            currency = getattr(data.case, "currency", None)
        self.output_dir = Path(output_dir)
        self.notebook = notebook
        self.lang = lang
        self.currency = currency
        self._metrics: dict[str, Any] = {}
        self._tables: list[str] = []  # in the order recorded: the workbook's sheet order
        self._skipped: dict[str, str] = {}
        for sub in ("tables", "figures", "metrics"):
            (self.output_dir / sub).mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _check(name: str) -> None:
        if not _NAME.match(name):
            raise ValueError(f"output name {name!r} may use only letters, digits, '_' and '-'")

    def table(self, name: str, frame: pd.DataFrame, *, index: bool = False,
              kinds: dict[str, str] | None = None) -> pd.DataFrame:
        r"""Write a table to ``tables/<name>.csv`` and return it ready for display.

        Parameters
        ----------
        name : str
            File name without extension; letters, digits, ``_`` and ``-``. It also
            names the sheet in the report's ``tables.xlsx`` (first 31 characters).
        frame : pandas.DataFrame
            Written with its stable English column names, UTF-8 with a byte-order mark
            (so Excel shows Chinese) and ``\n`` line ends.
        index : bool
            Write the index as a column too.
        kinds : dict of str to str, optional
            Display kind of columns whose English name does not say it (a pivot's stage
            columns holding rates: ``{"lead": "share"}``); see
            :func:`workbench.formatting.column_kind` for the kinds.

        Returns
        -------
        workbench.formatting.ReportTable
            A copy for display, still with the English names and codes; shown in a
            notebook it reads as the report formats every table
            (:func:`workbench.formatting.table_html`): names and code values in the
            recorder's language, numbers by column kind, no index column, a long table
            cut to its top rows with a link to the CSV. The file keeps the codes.
        """
        self._check(name)
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"table {name!r}: expected a DataFrame, got {type(frame).__name__}")
        frame.to_csv(self.output_dir / "tables" / f"{name}.csv", index=index,
                     encoding="utf-8-sig", lineterminator="\n")
        self._list_table(name)
        # the index is shown by the formatting layer (a row-label column; an unnamed one has no
        # header, where reset_index would have named it "index" and the labels read that as 指数)
        return ReportTable.of(frame, lang=self.lang, currency=self.currency, name=name,
                              rows=len(frame), kinds=kinds)

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

    def figure(self, name: str, figure: Any) -> None:
        """Save a figure to ``figures/<name>.png``, show it once in the notebook, close it.

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
        None
            Inside a Jupyter kernel the saved PNG itself is displayed (output metadata
            ``{"workbench": {"figure": name}}``) and the figure is closed, so it appears
            exactly once whatever the matplotlib backend (``MPLBACKEND=Agg`` shows no
            figure by itself; the inline backend would show an open figure again at the
            end of the cell). Nothing is returned, so a cell ending with this call does
            not show the figure a second time. Outside a kernel the figure stays open.
        """
        self._check(name)
        fig = getattr(figure, "figure", figure) if not hasattr(figure, "savefig") else figure
        path = self.output_dir / "figures" / f"{name}.png"
        fig.savefig(path, dpi=110, metadata={"Software": None, "Description": _figure_text(fig)})
        _show_once(path, name, fig)

    @contextlib.contextmanager
    def section(self, name: str, *, needs: tuple[str, ...] | str = ()):
        """Run a report section; if its method cannot run on these data, say why and go on.

        Parameters
        ----------
        name : str
            The section's key (letters, digits, ``_``, ``-``), recorded in the metric
            ``sections_skipped`` with the reason when the section cannot run.
        needs : str or tuple of str
            Sections whose results this one uses: when one of them was skipped, any
            error here is put down to it (its variables do not exist).

        Returns
        -------
        contextlib.AbstractContextManager
            Use as ``with rec.section("value_matrix"): ...``. A ``ValueError`` raised in
            the block (how the analysis functions say that data cannot support a method:
            too few customers, one period, no potential indicator ...) ends the block;
            the page shows one line in the report language with the reason, and the
            notebook continues. Any other error propagates: it is a bug, not the data.
        """
        self._check(name)
        needs = (needs,) if isinstance(needs, str) else tuple(needs)
        missing = [n for n in needs if n in self._skipped]
        try:
            yield self
        except Exception as exc:
            if missing:
                reason = label("section_needs", self.lang).format(sections=", ".join(missing))
            elif isinstance(exc, ValueError):
                reason = str(exc)
            else:
                raise
            self._skipped[name] = reason
            self.metric("sections_skipped", dict(self._skipped))
            _say(label("section_skipped", self.lang).format(reason=reason))

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
