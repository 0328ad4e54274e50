"""Figures from analysis results: seaborn/matplotlib helpers that return Axes.

Plot functions take a result object or a tidy frame (they never recompute the analysis),
accept ``ax=None``, never call ``plt.show()`` and never change global state beyond
registering the bundled CJK font once.
"""

from workbench.plotting.base import CJK_FONT_FAMILY, new_figure, use_cjk_font

__all__ = ["CJK_FONT_FAMILY", "new_figure", "use_cjk_font"]
