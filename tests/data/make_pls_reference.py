"""Reference numbers for the ECSI model on mobi from two independent PLS-PM packages.

Writes tests/data/pls_reference_mobi.json with the path coefficients, outer loadings,
outer weights, R^2 (and seminr's reliability measures and HTMT) of

* seminr 0.2.1 (Python port of the R package seminr): ``composite(weights=mode_A)``
  (classic PLS-PM; ``reflective()`` would switch to consistent PLS), path weighting;
* plspm 0.5.7 (Python port of R plspm): Mode.A, Scheme.PATH, given per-column z-scores
  with ``scaled=False`` (its ``scaled=True`` divides by one pooled SD), the single CUSCO
  item renamed because plspm refuses an item named like its construct.

The reference packages are never project dependencies. Run in a throwaway venv::

    python3.11 -m venv /tmp/plsref-venv
    /tmp/plsref-venv/bin/pip install "pandas<3" seminr==0.2.1 plspm==0.5.7
    /tmp/plsref-venv/bin/python tests/data/make_pls_reference.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
MOBI = HERE.parents[1] / "data" / "raw" / "mobi" / "mobi.csv"

BLOCKS = {
    "IMAG": [f"IMAG{i}" for i in range(1, 6)],
    "CUEX": [f"CUEX{i}" for i in range(1, 4)],
    "PERQ": [f"PERQ{i}" for i in range(1, 8)],
    "PERV": [f"PERV{i}" for i in range(1, 3)],
    "CUSA": [f"CUSA{i}" for i in range(1, 4)],
    "CUSCO": ["CUSCO"],
    "CUSL": [f"CUSL{i}" for i in range(1, 4)],
}
PATHS = [("IMAG", "CUEX"), ("IMAG", "CUSA"), ("IMAG", "CUSL"), ("CUEX", "PERQ"),
         ("CUEX", "PERV"), ("CUEX", "CUSA"), ("PERQ", "PERV"), ("PERQ", "CUSA"),
         ("PERV", "CUSA"), ("CUSA", "CUSCO"), ("CUSA", "CUSL"), ("CUSCO", "CUSL")]
ENDOGENOUS = ["CUEX", "PERQ", "PERV", "CUSA", "CUSCO", "CUSL"]


def run_seminr(data: pd.DataFrame) -> dict:
    import seminr

    mm = seminr.constructs(*[seminr.composite(c, items, weights=seminr.mode_A)
                             for c, items in BLOCKS.items()])
    sm = seminr.relationships(*[seminr.paths(from_=s, to=t) for s, t in PATHS])
    model = seminr.estimate_pls(data, mm, sm, inner_weights=seminr.path_weighting,
                                stop_criterion=12)
    rel = seminr.reliability_table(model)
    ht = seminr.htmt(model)
    names = list(BLOCKS)
    return {
        "version": seminr.__version__,
        "paths": {f"{s}->{t}": model.path_coef.get(s, t) for s, t in PATHS},
        "loadings": {i: model.outer_loadings.get(i, c) for c, its in BLOCKS.items() for i in its},
        "weights": {i: model.outer_weights.get(i, c) for c, its in BLOCKS.items() for i in its},
        "r2": {c: model.r_squared.get("Rsq", c) for c in ENDOGENOUS},
        "reliability": {c: {k: rel.get(c, k) for k in ("alpha", "rhoA", "rhoC", "AVE")}
                        for c in names},
        "htmt": {f"{a}|{b}": ht.get(a, b) for i, a in enumerate(names)
                 for b in names[i + 1:]},
    }


def run_plspm(data: pd.DataFrame) -> dict:
    import plspm.config as c
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    z = (data - data.mean()) / data.std()
    z = z.rename(columns={"CUSCO": "CUSCO1"})
    structure = c.Structure()
    for s, t in PATHS:
        structure.add_path([s], [t])
    config = c.Config(structure.path(), scaled=False)
    for lv, items in BLOCKS.items():
        config.add_lv(lv, Mode.A, *[c.MV("CUSCO1" if i == "CUSCO" else i) for i in items])
    model = Plspm(z, config, Scheme.PATH, iterations=1000, tolerance=1e-12)
    outer = model.outer_model()
    inner = model.inner_summary()
    paths = model.path_coefficients()
    ren = lambda i: "CUSCO1" if i == "CUSCO" else i  # noqa: E731
    return {
        "version": "0.5.7",
        "paths": {f"{s}->{t}": float(paths.loc[t, s]) for s, t in PATHS},
        "loadings": {i: float(outer.loc[ren(i), "loading"]) for its in BLOCKS.values()
                     for i in its},
        "weights": {i: float(outer.loc[ren(i), "weight"]) for its in BLOCKS.values()
                    for i in its},
        "r2": {cst: float(inner.loc[cst, "r_squared"]) for cst in ENDOGENOUS},
    }


def main() -> None:
    data = pd.read_csv(MOBI).astype(float)
    out = {
        "source": "data/raw/mobi/mobi.csv (Tenenhaus et al. 2005), ECSI model, mode A, "
                  "path weighting, standardised items; made by tests/data/make_pls_reference.py",
        "n": len(data),
        "seminr": run_seminr(data),
        "plspm": run_plspm(data),
    }
    diff = max(abs(out["seminr"]["paths"][k] - out["plspm"]["paths"][k]) for k in out["plspm"]["paths"])
    out["max_path_difference_seminr_plspm"] = diff
    text = json.dumps(out, indent=1, sort_keys=False, default=float)
    (HERE / "pls_reference_mobi.json").write_text(text + "\n", encoding="utf-8")
    print(f"written; largest |seminr - plspm| path difference {diff:.2e}")
    print(np.array(list(out["seminr"]["paths"].values())).round(4))


if __name__ == "__main__":
    main()
