"""Checks and orderings the value modules share: columns, numbers, one row per customer by id."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench._validation import _require_columns

# ----------------------------------------------------------------------------------
# validation helpers
# ----------------------------------------------------------------------------------


def _check_frame(frame, columns: Sequence[str], where: str) -> None:
    _require_columns(frame, columns, where,
                     "a customer-features frame comes from workbench.features.customer_features")
    if len(frame) == 0:
        raise ValueError(f"{where}: the frame has no rows; there is nothing to classify")
    if "customer_id" in columns:
        ids = frame["customer_id"]
        if ids.isna().any():
            raise ValueError(f"{where}: column 'customer_id' has {int(ids.isna().sum())} missing value(s)")
        # duplicated ids are caught by _ids_order, which sorts them next to each other


def _numeric(frame: pd.DataFrame, column: str, where: str, *, allow_nan: bool = False) -> np.ndarray:
    series = frame[column]
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise TypeError(f"{where}: column {column!r} has dtype {series.dtype}, expected numbers")
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    if not allow_nan and np.isnan(values).any():
        raise ValueError(
            f"{where}: column {column!r} has {int(np.isnan(values).sum()):,} missing value(s) "
            f"out of {len(values):,}; fill or remove them explicitly first"
        )
    if np.isinf(values).any():
        raise ValueError(f"{where}: column {column!r} has {int(np.isinf(values).sum())} infinite value(s)")
    return values


def _choice(value, allowed, name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not one of {list(allowed)}")


def _ids_order(frame: pd.DataFrame, where: str) -> np.ndarray:
    """Positions that sort the frame by customer_id as strings; raises on duplicated ids.

    Sorting a million string ids costs seconds in numpy (object comparisons), so the
    order comes from Arrow, and a frame already sorted by id (as customer_features
    returns it) is recognised in one vectorised comparison.
    """
    ids = frame["customer_id"]
    if not pd.api.types.is_string_dtype(ids.dtype) or ids.dtype == object:
        ids = ids.astype("str")
    arr = pa.array(ids.array) if hasattr(ids.array, "__arrow_array__") else pa.array(ids.to_numpy(dtype=object))
    if len(arr) < 2:
        return np.arange(len(arr))
    if pc.all(pc.greater_equal(arr[1:], arr[:-1])).as_py():
        order, ordered = np.arange(len(arr)), arr
    else:
        order = pc.sort_indices(arr).to_numpy()
        ordered = arr.take(order)
    same = pc.equal(ordered[1:], ordered[:-1])
    if pc.any(same).as_py():
        n_dup = pc.sum(same).as_py()
        example = ordered[int(pc.index(same, True).as_py())].as_py()
        raise ValueError(
            f"{where}: column 'customer_id' has {n_dup:,} duplicated id(s), e.g. {example!r}; "
            "expected one row per customer"
        )
    return order


def _in_id_order(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """The frame sorted by customer_id with a fresh index (no copy when already sorted)."""
    order = _ids_order(frame, where)
    if len(order) and (order[0] == 0 and (np.diff(order) == 1).all()):
        return frame.reset_index(drop=True)
    return frame.iloc[order].reset_index(drop=True)


def _rank_desc(values: np.ndarray, id_order: np.ndarray) -> np.ndarray:
    """1-based rank, largest value first, ties by id ascending (``id_order`` sorts by id)."""
    order = id_order[np.argsort(-values[id_order], kind="stable")]
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(1, len(values) + 1)
    return rank
