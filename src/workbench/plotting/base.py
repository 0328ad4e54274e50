"""Font set-up and figure helpers shared by all plot modules."""

from __future__ import annotations

import logging
from functools import cache
from importlib.resources import files

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.ticker import PercentFormatter

__all__ = ["CJK_FONT_FAMILY", "compact_money", "count_axis", "money_axis", "new_figure", "share_axis",
           "use_cjk_font"]

#: The family name of Noto Sans CJK SC as matplotlib reads it from the bundled file.
CJK_FONT_FAMILY = "Noto Sans CJK SC"
# Noto Sans CJK SC ships in the mplfonts wheel under the SIL Open Font License; SimHei
# ships there too but its licence is unclear, so it is deliberately not used.
_CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"


class _OneWeightFilter(logging.Filter):
    """Drop matplotlib's "Failed to find font weight bold for <CJK family>" warning.

    The bundled CJK font has one weight, so bold text is drawn in the regular weight:
    expected, and not worth a warning box on every report page that uses bold.
    """

    def __init__(self, family: str):
        super().__init__()
        self.family = family

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("Failed to find font weight" in message and self.family in message)


@cache
def use_cjk_font() -> str:
    """Register Noto Sans CJK SC with matplotlib and put it first in the sans-serif list.

    Called by every plot helper, so Chinese labels render without tofu boxes. It
    touches ``rcParams['font.sans-serif']`` and ``rcParams['axes.unicode_minus']``
    only (the CJK font has no U+2212 minus sign), once per process, and silences
    matplotlib's warning that the font has no bold weight (bold is drawn regular).

    Returns
    -------
    str
        The registered family name.

    References
    ----------
    No external reference; Noto Sans CJK SC (SIL Open Font License) as shipped in the
    ``mplfonts`` wheel. ``tests/test_plotting_fonts.py`` renders Chinese labels with it.
    """
    path = files("mplfonts").joinpath("fonts", _CJK_FONT_FILE)
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    sans = [f for f in matplotlib.rcParams["font.sans-serif"] if f != family]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, *sans]
    matplotlib.rcParams["axes.unicode_minus"] = False
    logging.getLogger("matplotlib.font_manager").addFilter(_OneWeightFilter(family))
    return family


def new_figure(ax=None, figsize=(7.0, 4.5)):
    """Return ``(fig, ax)``: the given Axes and its figure, or a new figure and Axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
    figsize : tuple of float
        Inches, used only when a new figure is made.

    Returns
    -------
    (matplotlib.figure.Figure, matplotlib.axes.Axes)
        A new figure uses the constrained layout; the CJK font is registered first
        (:func:`use_cjk_font`).

    References
    ----------
    No external reference; the ``ax=None`` convention of seaborn's axes-level functions.
    """
    use_cjk_font()
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def compact_money(value: float, lang: str = "en") -> str:
    """An amount for an axis tick: ``12亿``/``350万`` in Chinese, ``1.2bn``/``350k`` in English.

    Parameters
    ----------
    value : float
    lang : {"zh", "en"}

    Returns
    -------
    str
        Never scientific notation (matplotlib's default offset ``1e9`` is not read as money).

    Examples
    --------
    >>> compact_money(1.2e9, "zh"), compact_money(3.5e6, "en"), compact_money(750, "en")
    ('12亿', '3.5m', '750')
    """
    steps = ((1e8, "亿"), (1e4, "万")) if lang == "zh" else ((1e9, "bn"), (1e6, "m"), (1e3, "k"))
    for size, unit in steps:
        if abs(value) >= size:
            return f"{value / size:,.4g}{unit}"
    return f"{value:,.4g}"


def money_axis(axis, lang: str = "en") -> None:
    """Format an axis (``ax.yaxis``) of amounts with :func:`compact_money` ticks.

    Parameters
    ----------
    axis : matplotlib.axis.Axis
    lang : {"zh", "en"}

    Returns
    -------
    None
    """
    _tick_text(axis, lambda v: compact_money(v, lang))


def _tick_text(axis, text) -> None:
    """Major ticks as ``text(value)``; on a log axis no minor tick labels (matplotlib's
    would print 2x10^1, 3x10^1 beside the plain major ones)."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: text(v)))
    if axis.get_scale() == "log":
        axis.set_minor_formatter(NullFormatter())


def count_axis(axis) -> None:
    """Format an axis of counts (customers, orders) with thousands separators: 12,000, not
    12000; on a log axis plain numbers (1, 10, 100), not powers of ten.

    Parameters
    ----------
    axis : matplotlib.axis.Axis

    Returns
    -------
    None

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> count_axis(ax.yaxis)
    >>> ax.yaxis.get_major_formatter()(12000, 0), ax.yaxis.get_major_formatter()(2.5, 0)
    ('12,000', '2.5')
    >>> plt.close(fig)
    """
    _tick_text(axis, lambda v: f"{v:,.0f}" if float(v).is_integer() else f"{v:,.4g}")


def share_axis(axis) -> None:
    """Format an axis of shares (0.4) as percent ticks (40%), as the bars' labels read, with
    the fewest decimals that tell the ticks apart exactly: 0%, 1%, 2% on a 0-5 % axis (not
    1.0%), 2.5%, 5.0%, 7.5% where the steps need them.

    Parameters
    ----------
    axis : matplotlib.axis.Axis
        ``ax.xaxis``, ``ax.yaxis`` or a twin's.

    Returns
    -------
    None

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> share_axis(ax.yaxis)
    >>> ax.yaxis.get_major_formatter().format_ticks([0.0, 0.01, 0.02])
    ['0%', '1%', '2%']
    >>> ax.yaxis.get_major_formatter().format_ticks([0.0, 0.025, 0.05])
    ['0.0%', '2.5%', '5.0%']
    >>> plt.close(fig)
    """
    axis.set_major_formatter(_ShareFormatter(1.0, decimals=0))


class _ShareFormatter(PercentFormatter):
    """Percent ticks with as many decimals as the tick values need (at most 3)."""

    def format_ticks(self, values):
        percent = np.asarray(values, dtype=float) * 100
        self.decimals = next((d for d in range(3) if np.allclose(percent, np.round(percent, d), atol=1e-9)), 3)
        return super().format_ticks(values)
