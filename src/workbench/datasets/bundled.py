"""The bundled real data: the CDNOW purchase log and the ECSI mobi survey, in the canonical schema."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench import resources

__all__ = [
    "RAW_DIR",
    "load_cdnow",
    "load_mobi",
    "raw_path",
]


#: Folder of the bundled raw data: ``data/raw`` of the source checkout, or the installed
#: package's copy (:func:`workbench.resources.bundled`).
RAW_DIR = resources.bundled("data", "raw")

_CDNOW_FILES = {"master": "CDNOW_master.txt", "sample": "CDNOW_sample.txt"}


def raw_path(*parts: str) -> Path:
    """Path of a bundled raw file, with a clear error when the data folder is absent.

    Parameters
    ----------
    *parts : str
        Path components below ``data/raw``, e.g. ``("cdnow", "CDNOW_master.txt")``.

    Returns
    -------
    pathlib.Path
        The absolute path, which exists.

    Raises
    ------
    FileNotFoundError
        When the file is absent (a checkout or an installation without the bundled
        raw data, e.g. a build that left them out).

    References
    ----------
    No external reference; the files and their provenance and checksums are listed in
    ``data/raw/README.md`` (checked by ``tests/test_datasets.py``).
    """
    path = RAW_DIR.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(
            f"bundled data file {path} is missing; it ships in data/raw/ of the source "
            "checkout and in the installed package (see data/raw/README.md for its provenance)"
        )
    return path


def load_cdnow(kind: str = "master") -> pd.DataFrame:
    """CDNOW purchases, January 1997 to June 1998, as canonical transactions.

    Parameters
    ----------
    kind : {"master", "sample"}
        ``"master"``: all 23,570 customers of the 1997-Q1 cohort (69,659 purchase
        lines). ``"sample"``: the 1/10 sample of 2,357 customers used by Fader, Hardie
        & Lee (2005a, 2005b); ``customer_id`` is then the sample's own id (1..2357).

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (str), ``order_id`` (str, one per purchase line),
        ``date`` (datetime64[ns]), ``amount`` (float, US dollars), ``quantity``
        (int, number of CDs), ``is_return`` (bool, always False: CDNOW has no
        returns). Sorted by customer, date and file order.

    Notes
    -----
    Several lines of one customer on one day are separate purchase lines in the file;
    the BG/NBD literature counts purchase *days*, which :mod:`workbench.features`
    handles.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers"
    the easy way. Marketing Science, 24(2), 275-284.
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using iso-value
    curves for customer base analysis. Journal of Marketing Research, 42(4), 415-430.
    """
    if kind not in _CDNOW_FILES:
        raise ValueError(f"kind={kind!r} is not a CDNOW file; use one of {sorted(_CDNOW_FILES)}")
    path = raw_path("cdnow", _CDNOW_FILES[kind])
    if kind == "master":
        names = ["customer_id", "date", "quantity", "amount"]
        raw = pd.read_csv(path, sep=r"\s+", header=0, names=names, dtype={"customer_id": str})
    else:
        names = ["master_id", "customer_id", "date", "quantity", "amount"]
        raw = pd.read_csv(path, sep=r"\s+", header=None, names=names, dtype={"customer_id": str})
    frame = pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype(str).str.lstrip("0"),
            "order_id": [f"{kind}-{i:06d}" for i in range(1, len(raw) + 1)],
            "date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d").astype("datetime64[ns]"),
            "amount": raw["amount"].astype(float),
            "quantity": raw["quantity"].astype(np.int64),
        }
    )
    frame["is_return"] = frame["amount"] < 0
    return frame.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)


def load_mobi() -> pd.DataFrame:
    """The ECSI mobile-phone survey "mobi": 250 respondents, 24 items on a 1-10 scale.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id`` (str, "R001".."R250") followed by the 24 items CUEX1-3,
        CUSA1-3, CUSCO, CUSL1-3, IMAG1-5, PERQ1-7, PERV1-2 as float.

    References
    ----------
    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path
    modeling. Computational Statistics & Data Analysis, 48(1), 159-205.
    """
    items = pd.read_csv(raw_path("mobi", "mobi.csv")).astype(float)
    ids = pd.Series([f"R{i:03d}" for i in range(1, len(items) + 1)], name="respondent_id")
    return pd.concat([ids, items], axis=1)
