"""Tables as a sales director reads them: labels in the report's language, money with
thousands separators, shares in percent, yes/no for flags."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.labels import label, translate_codes

__all__ = ["for_display"]


def _is_share(name: str) -> bool:
    return "share" in name or name.endswith("_pct") or name == "spend_change"


def for_display(frame: pd.DataFrame, lang: str = "en", *, digits: int = 3, money_from: float = 1000.0):
    """A styled copy of a result table for a report: translated, formatted, no index.

    Parameters
    ----------
    frame : pandas.DataFrame
        A result with the package's English column names and codes (record it with
        :meth:`workbench.recorder.Recorder.table` first: the file keeps full precision).
    lang : {"zh", "en"}
        Report language (:func:`workbench.labels.translate_codes`).
    digits : int, default 3
        Decimals of other numbers (ratios, coefficients).
    money_from : float, default 1000
        A float column whose largest absolute value reaches this is money: whole units
        with thousands separators (66,606,495, not 6.660650e+07).

    Returns
    -------
    pandas.io.formats.style.Styler
        Columns named ``*share*``, ``*_pct`` or ``spend_change`` in percent with one
        decimal; True/False as yes/no in ``lang``; missing values empty; the index
        hidden.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"plan": ["current", "optimal"], "spend": [66606495.4, 1200.0],
    ...                       "gp_share": [0.0391, 0.5], "agrees": [True, None]})
    >>> print(for_display(table, "zh").to_string())
    方案 销售费用合计 毛利占比 与策略一致
    当前方案 66,606,495 3.9% 是
    优化方案 1,200 50.0% 
    <BLANKLINE>
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"for_display: expected a DataFrame, got {type(frame).__name__}")
    shown = translate_codes(frame.reset_index(drop=True), lang)
    if shown.columns.duplicated().any():  # two codes with one label: keep them apart
        shown.columns = [f"{c} ({o})" if dup else c for c, o, dup in
                         zip(shown.columns, frame.columns, shown.columns.duplicated(keep=False), strict=True)]
    yes, no = label("yes", lang), label("no", lang)
    formats = {}
    for name, column in zip(frame.columns, shown.columns, strict=True):
        values = frame[name]
        distinct = pd.unique(values.dropna()) if values.dtype == object else ()
        if pd.api.types.is_bool_dtype(values) or (len(distinct) and all(isinstance(v, (bool, np.bool_))
                                                                         for v in distinct)):
            formats[column] = lambda v, y=yes, n=no: "" if pd.isna(v) else (y if v else n)
        elif pd.api.types.is_float_dtype(values):
            finite = values.to_numpy(dtype=float)
            finite = finite[np.isfinite(finite)]
            if _is_share(str(name)):
                formats[column] = "{:.1%}"
            elif finite.size and np.abs(finite).max() >= money_from:
                formats[column] = "{:,.0f}"
            else:
                formats[column] = f"{{:.{digits}f}}"
    return shown.style.format(formats, na_rep="").hide(axis="index")
