"""Reference numbers for PLS path models on mobi from two independent PLS-PM packages.

Writes tests/data/pls_reference_mobi.json with the path coefficients, outer loadings,
outer weights and R^2 of three models on the 250 x 24 mobi survey, each estimated by

* seminr 0.2.1 (Python port of the R package seminr): ``composite(weights=mode_A)``
  (classic PLS-PM; ``reflective()`` would switch to consistent PLS) or
  ``composite(weights=mode_B)``, path weighting;
* plspm 0.5.7 (Python port of R plspm): Mode.A or Mode.B, Scheme.PATH, given per-column
  z-scores with ``scaled=False`` (its ``scaled=True`` divides by one pooled SD), the
  single CUSCO item renamed because plspm refuses an item named like its construct.
  plspm scales its scores to unit variance with divisor n (seminr and the workbench use
  n - 1), so its outer weights are sqrt(n / (n - 1)) times theirs; they are stored as
  plspm gives them and the tests apply the factor.

The models (top-level keys of the JSON):

* ``seminr``, ``plspm``: the ECSI model of Tenenhaus et al. (2005), all blocks mode A
  (seminr also gives its reliability measures and HTMT);
* ``mode_b``: the same ECSI model with IMAG and PERQ formative (mode B), the rest mode A;
* ``acsi``: the ACSI model of workbench/specs/acsi.yaml (ECSI without IMAG), mode A.

The reference packages are never project dependencies. Run in a throwaway venv::

    python3.11 -m venv /tmp/plsref-venv
    /tmp/plsref-venv/bin/pip install "pandas<3" seminr==0.2.1 plspm==0.5.7
    /tmp/plsref-venv/bin/python tests/data/make_pls_reference.py

Reruns reproduce the numbers to the last bit or two: the mode-A numbers of the first
version of this file and those of a rerun with numpy 2.4.6 / pandas 2.3.3 / scipy 1.17.1
differ by at most 6e-16.
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
#: the formative blocks of the mode-B variant
MODE_B = ("IMAG", "PERQ")
#: ACSI (workbench/specs/acsi.yaml): the ECSI model without corporate image
ACSI_BLOCKS = {c: items for c, items in BLOCKS.items() if c != "IMAG"}
ACSI_PATHS = [(s, t) for s, t in PATHS if "IMAG" not in (s, t)]


def _endogenous(blocks, paths) -> list[str]:
    targets = {t for _, t in paths}
    return [c for c in blocks if c in targets]


def run_seminr(data: pd.DataFrame, blocks=BLOCKS, paths=PATHS, mode_b=(),
               quality: bool = True) -> dict:
    import seminr

    mm = seminr.constructs(*[
        seminr.composite(c, items, weights=seminr.mode_B if c in mode_b else seminr.mode_A)
        for c, items in blocks.items()])
    sm = seminr.relationships(*[seminr.paths(from_=s, to=t) for s, t in paths])
    model = seminr.estimate_pls(data, mm, sm, inner_weights=seminr.path_weighting,
                                stop_criterion=12)
    out = {
        "version": seminr.__version__,
        "paths": {f"{s}->{t}": model.path_coef.get(s, t) for s, t in paths},
        "loadings": {i: model.outer_loadings.get(i, c) for c, its in blocks.items() for i in its},
        "weights": {i: model.outer_weights.get(i, c) for c, its in blocks.items() for i in its},
        "r2": {c: model.r_squared.get("Rsq", c) for c in _endogenous(blocks, paths)},
    }
    if quality:
        rel = seminr.reliability_table(model)
        ht = seminr.htmt(model)
        names = list(blocks)
        out["reliability"] = {c: {k: rel.get(c, k) for k in ("alpha", "rhoA", "rhoC", "AVE")}
                              for c in names}
        out["htmt"] = {f"{a}|{b}": ht.get(a, b) for i, a in enumerate(names)
                       for b in names[i + 1:]}
    return out


def run_plspm(data: pd.DataFrame, blocks=BLOCKS, paths=PATHS, mode_b=()) -> dict:
    import plspm.config as c
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    z = (data - data.mean()) / data.std()
    z = z.rename(columns={"CUSCO": "CUSCO1"})
    structure = c.Structure()
    for s, t in paths:
        structure.add_path([s], [t])
    config = c.Config(structure.path(), scaled=False)
    for lv, items in blocks.items():
        config.add_lv(lv, Mode.B if lv in mode_b else Mode.A,
                      *[c.MV("CUSCO1" if i == "CUSCO" else i) for i in items])
    model = Plspm(z, config, Scheme.PATH, iterations=1000, tolerance=1e-12)
    outer = model.outer_model()
    inner = model.inner_summary()
    coef = model.path_coefficients()
    ren = lambda i: "CUSCO1" if i == "CUSCO" else i  # noqa: E731
    return {
        "version": "0.5.7",
        "paths": {f"{s}->{t}": float(coef.loc[t, s]) for s, t in paths},
        "loadings": {i: float(outer.loc[ren(i), "loading"]) for its in blocks.values()
                     for i in its},
        "weights": {i: float(outer.loc[ren(i), "weight"]) for its in blocks.values()
                    for i in its},
        "r2": {cst: float(inner.loc[cst, "r_squared"]) for cst in _endogenous(blocks, paths)},
    }


def _max_path_difference(a: dict, b: dict) -> float:
    return max(abs(a["paths"][k] - b["paths"][k]) for k in b["paths"])


def main() -> None:
    data = pd.read_csv(MOBI).astype(float)
    out = {
        "source": "data/raw/mobi/mobi.csv (Tenenhaus et al. 2005), ECSI model, mode A, "
                  "path weighting, standardised items; made by tests/data/make_pls_reference.py",
        "n": len(data),
        "seminr": run_seminr(data),
        "plspm": run_plspm(data),
    }
    out["max_path_difference_seminr_plspm"] = _max_path_difference(out["seminr"], out["plspm"])
    variants = {
        "mode_b": ("ECSI model with IMAG and PERQ in mode B (formative), the other blocks "
                   "mode A, path weighting, standardised items", BLOCKS, PATHS, MODE_B),
        "acsi": ("ACSI model of workbench/specs/acsi.yaml (ECSI without IMAG), mode A, "
                 "path weighting, standardised items", ACSI_BLOCKS, ACSI_PATHS, ()),
    }
    for key, (text, blocks, paths, mode_b) in variants.items():
        seminr_out = run_seminr(data, blocks, paths, mode_b, quality=False)
        plspm_out = run_plspm(data, blocks, paths, mode_b)
        out[key] = {"model": text, "mode_b": list(mode_b), "seminr": seminr_out,
                    "plspm": plspm_out,
                    "max_path_difference_seminr_plspm": _max_path_difference(seminr_out,
                                                                              plspm_out)}
    text = json.dumps(out, indent=1, sort_keys=False, default=float)
    (HERE / "pls_reference_mobi.json").write_text(text + "\n", encoding="utf-8")
    for key in ("", *variants):
        part = out[key] if key else out
        print(f"{key or 'mode_a'}: largest |seminr - plspm| path difference "
              f"{part['max_path_difference_seminr_plspm']:.2e}")
    print(np.array(list(out["seminr"]["paths"].values())).round(4))


if __name__ == "__main__":
    main()
