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

__all__ = ["FAST_CSV_ROWS", "Recorder", "write_csv"]

_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")


#: Tables with at least this many rows are written by :func:`write_csv`'s Arrow path.
FAST_CSV_ROWS = 100_000

#: Rows pandas formats at a time for a table of n columns (``pandas.io.formats.csvs``):
#: a datetime column is written as dates only when every value of the chunk is a midnight.
_PANDAS_CHUNK_CELLS = 100_000


def _minimal_quoting() -> tuple[str, ...]:
    """The characters that make this Python's csv module quote a field (QUOTE_MINIMAL,
    a newline as line end): asked of the module itself (3.11 leaves a carriage return unquoted)."""
    import csv
    import io

    found = []
    for char in (",", '"', "\n", "\r"):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([f"a{char}b", "c"])
        if buffer.getvalue().startswith('"'):
            found.append(char)
    return tuple(found)


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False, fast_rows: int | None = None) -> Path:
    r"""Write ``frame`` as :meth:`pandas.DataFrame.to_csv` does for a report table, faster when large.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : path-like
    index : bool
        Write the index as a column too (always through pandas).
    fast_rows : int, optional
        From how many rows the Arrow path is taken; default :data:`FAST_CSV_ROWS`.

    Returns
    -------
    pathlib.Path
        ``path``: UTF-8 with a byte-order mark, ``
`` line ends, the pandas defaults
        otherwise (``na_rep=""``, minimal quoting, floats as numpy's shortest repr).

    Notes
    -----
    pandas formats every cell as a Python string and hands the rows to the csv module
    one by one: about 5 s per million rows of 13 columns, minutes for the report's
    10M-customer tables. For a table of at least ``fast_rows`` rows, without the index
    and with one level of column names, the cells are formatted a column at a time as
    pandas formats them (integers and text by Arrow; floats as numpy's ``astype(str)``,
    which is what pandas calls: by Arrow between 1e-3 and 1e9, where its shortest digits
    read the same once a whole number gets its ``.0``, else by ``repr``, which equals
    numpy's text for float64; other dtypes, dates among them, by pandas' own
    ``get_values_for_csv`` over pandas' own chunks of rows, so a datetime column is
    written with or without its times exactly where pandas writes it so), quoted where
    the csv module quotes (a delimiter, quote or line end in the field; quotes
    doubled; a row of one empty field as ``""``), and the rows joined by Arrow. The
    bytes are the same as ``to_csv``'s (tested on ids with leading zeros, dates, times,
    NaN, booleans, Chinese text, floats, quotes and line ends).

    No external reference; checked byte for byte against ``to_csv`` in
    ``tests/test_reports.py``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> frame = pd.DataFrame({"customer_id": ["007", "中文"], "x": [0.1, float("nan")]})
    >>> write_csv(frame, path, fast_rows=1).read_bytes() == frame.to_csv(
    ...     index=False, encoding="utf-8-sig", lineterminator="\n").encode("utf-8-sig")
    True
    """
    path = Path(path)
    limit = FAST_CSV_ROWS if fast_rows is None else fast_rows
    try:  # pandas' own cell formatting (pandas >= 2.1), for the dtypes formatted as pandas does
        from pandas.core.indexes.base import get_values_for_csv  # noqa: F401
    except ImportError:  # pragma: no cover - another pandas: its own writer
        limit = None
    if limit is None or index or len(frame) < limit or isinstance(frame.columns, pd.MultiIndex) \
            or len(frame.columns) == 0:
        frame.to_csv(path, index=index, encoding="utf-8-sig", lineterminator="\n")
        return path
    import pyarrow as pa
    import pyarrow.compute as pc

    header = frame.iloc[:0].to_csv(index=False, lineterminator="\n")  # the header line, as pandas writes it
    quoting = _minimal_quoting()
    needs = "[" + "".join({"\n": "\\n", "\r": "\\r"}.get(c, c) for c in quoting) + "]"
    ncols = len(frame.columns)
    step = (_PANDAS_CHUNK_CELLS // ncols) or 1
    rows = step * max(1, 500_000 // step)  # a whole number of pandas' chunks
    numeric = [isinstance(d, np.dtype) and d.kind in "biuf" for d in frame.dtypes]
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("wb") as handle:
        handle.write(header.encode("utf-8-sig"))
        for start in range(0, len(frame), rows):
            part = frame.iloc[start:start + rows]
            cells = [_csv_cells(part.iloc[:, j], step, pa, pc) for j in range(ncols)]
            cells = [c if numeric[j] else  # a number's text has no comma, quote or line end
                     pc.if_else(pc.match_substring_regex(c, needs),
                                pc.binary_join_element_wise('"', pc.replace_substring(c, '"', '""'), '"', ""), c)
                     for j, c in enumerate(cells)]
            if ncols == 1:  # the csv module writes a row of one empty field as ""
                cells[0] = pc.if_else(pc.equal(pc.binary_length(cells[0]), 0), '""', cells[0])
            cells[-1] = pc.binary_join_element_wise(cells[-1], "\n", "")
            lines = pc.binary_join_element_wise(*cells, ",")
            if isinstance(lines, pa.ChunkedArray):  # a text column held in several Arrow chunks
                lines = lines.combine_chunks()
            if lines.null_count:  # pragma: no cover - every cell is filled above
                raise AssertionError("write_csv: a cell was left empty")
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset:lines.offset + len(lines) + 1]
            handle.write(memoryview(lines.buffers()[2])[offsets[0]:offsets[-1]])
    partial.replace(path)
    return path


#: Magnitudes where Arrow writes a float64 positionally, as numpy and Python do
#: (numpy and ``repr`` turn to exponents below 1e-4 and from 1e16, Arrow from 1e10 up
#: and below about 1e-6); zero is written positionally by all.
_POSITIONAL = (1e-3, 1e9)


def _float_text(numbers: np.ndarray, pa, pc):
    """float64 values as numpy's ``astype(str)`` writes them (what ``to_csv`` calls), fast.

    Arrow's cast gives the same shortest round-trip digits ten times faster than numpy's
    Dragon4 (and five times faster than ``repr``), but writes ``13`` for ``13.0`` and
    uses exponents from 1e10: so Arrow for finite values in :data:`_POSITIONAL` (and
    zeros), with ``.0`` added to whole numbers, and ``repr`` (the same text as numpy's
    for float64) for the rest (NaN is blanked by the caller)."""
    text = pc.cast(pa.array(numbers), pa.string())
    whole = pc.invert(pc.match_substring_regex(text, r"[.eEna]"))  # "13", "-0": no point, no exponent
    text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    size = np.abs(numbers)
    with np.errstate(invalid="ignore"):
        other = ~(((size >= _POSITIONAL[0]) & (size < _POSITIONAL[1])) | (numbers == 0))
    if other.any():
        rest = pa.array(list(map(repr, numbers[other].tolist())), type=pa.string())
        text = pc.replace_with_mask(text, pa.array(other), rest)
    return text


def _csv_cells(column: pd.Series, step: int, pa, pc):
    """One column's cells as pandas writes them (``na_rep=""``), as an Arrow string array."""
    values = column.array
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return pc.cast(pa.array(column.to_numpy()), pa.string())
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        numbers = column.to_numpy()
        missing = np.isnan(numbers)
        if dtype != np.float64:  # numpy's shortest digits of a float32 are not a float64's
            return pc.if_else(pa.array(missing), "", pa.array(numbers.astype(str), type=pa.string()))
        return pc.if_else(pa.array(missing), "", _float_text(numbers, pa, pc))
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return pc.if_else(pa.array(column.to_numpy()), "True", "False")
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return pc.fill_null(pc.cast(pa.array(values), pa.string()), "")
    from pandas.core.indexes.base import get_values_for_csv  # what to_csv calls, chunk by chunk

    if isinstance(dtype, np.dtype):  # a block's values, as to_csv hands them over
        values = column.to_numpy()
    out = []
    for start in range(0, len(column), step):
        chunk = get_values_for_csv(values[start:start + step], date_format=None, na_rep="")
        out.extend(x if isinstance(x, str) else "" if x is None else str(x) for x in chunk)
    return pa.array(out, type=pa.string())


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
        write_csv(frame, self.output_dir / "tables" / f"{name}.csv", index=index)
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
        import matplotlib.pyplot as plt

        open_before = set(plt.get_fignums())
        try:
            yield self
        except Exception as exc:
            if missing:
                reason = label("section_needs", self.lang).format(sections=", ".join(missing))
            elif isinstance(exc, ValueError):
                reason = str(exc)
            else:
                raise
            for number in set(plt.get_fignums()) - open_before:  # a figure begun before the error:
                plt.close(number)  # not shown as an empty frame under the reason
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
