"""Checks of inputs the analysis functions share: frames, columns, choices, transactions.

Private to the package (the leading underscore): a module that checks that it got a
DataFrame with certain columns, that an option is one of the allowed values, or that
transactions are canonical imports the check from here, so each check and its message
is written once. Every message starts with where the check failed (the function and
argument), says what was found and what would be right.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: The columns every canonical transactions frame has (see :mod:`workbench.schema`).
_REQUIRED = ("customer_id", "date", "amount")


def _check_dataframe(frame, where: str) -> None:
    """Raise a TypeError unless ``frame`` is a pandas DataFrame.

    Transactions kept in an engine raise a ValueError saying that ``where`` needs the rows
    (as :func:`_check_transactions`), which a report section shows as its reason.
    """
    needs_rows = getattr(type(frame), "needs_rows", None)
    if callable(needs_rows):
        raise ValueError(frame.needs_rows(where))
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{where}: expected a pandas DataFrame, got {type(frame).__name__}")


def _require_columns(frame, columns: Iterable[str], where: str, hint: str | None = None) -> None:
    """Raise unless ``frame`` is a DataFrame holding every one of ``columns``.

    The message names the missing columns, all the needed ones, ``hint`` (where a frame
    with these columns comes from) and the columns present.
    """
    _check_dataframe(frame, where)
    columns = list(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        advice = f"; {hint}" if hint else ""
        raise ValueError(f"{where}: missing column(s) {missing}; it needs column(s) {columns}{advice} "
                         f"(columns present: {list(frame.columns)})")


def _require_result(result, attribute: str, where: str, producer: str):
    """Return ``result`` unless it lacks ``attribute``: a TypeError naming the result that is
    needed (``producer``, the function returning it) and what was passed.

    Plots take an analysis' result object (e.g. a ``ValueMatrix``), which keeps the
    settings that ``DataFrame.attrs`` used to carry and that ``merge`` or ``concat`` drop.
    """
    if not hasattr(result, attribute):
        raise TypeError(f"{where}: pass the result of {producer}(), got {type(result).__name__}"
                        + (" (a frame: pass the result object, not its table)" if isinstance(result, pd.DataFrame)
                           else ""))
    return result


def _check_choice(value, allowed, name: str) -> None:
    """Raise unless ``value`` is one of ``allowed`` (``name`` is the argument's name)."""
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not supported; use one of {list(allowed)}")


def _check_transactions(transactions: pd.DataFrame, where: str) -> None:
    """Raise unless ``transactions`` is a canonical frame: customer_id, date, amount, no gaps.

    Transactions kept in an engine (an engine case's, which say what needs them row by row
    through ``needs_rows``) raise a ValueError with that message: a report section shows
    it as the reason the section is left out.
    """
    needs_rows = getattr(type(transactions), "needs_rows", None)
    if callable(needs_rows):
        raise ValueError(transactions.needs_rows(where))
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError(f"{where}: transactions must be a pandas DataFrame, got {type(transactions).__name__}")
    missing = [c for c in _REQUIRED if c not in transactions.columns]
    if missing:
        raise ValueError(
            f"{where}: transactions lack column(s) {missing}; the canonical transactions "
            f"frame has customer_id, date, amount (columns present: {list(transactions.columns)}); "
            "run workbench.cleaning.clean_transactions first"
        )
    if not pd.api.types.is_datetime64_any_dtype(transactions["date"]):
        raise TypeError(
            f"{where}: column 'date' has dtype {transactions['date'].dtype}, expected datetime64; "
            "parse it with workbench.cleaning.parse_dates"
        )
    if not pd.api.types.is_numeric_dtype(transactions["amount"]):
        raise TypeError(f"{where}: column 'amount' has dtype {transactions['amount'].dtype}, expected float")
    for col in ("customer_id", "date", "amount"):
        n_missing = int(transactions[col].isna().sum())
        if n_missing:
            raise ValueError(
                f"{where}: column '{col}' has {n_missing:,} missing value(s) out of "
                f"{len(transactions):,} rows; clean them (workbench.cleaning quarantines them)"
            )
