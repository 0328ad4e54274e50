"""Bootstrap of the ECSI model on mobi: workbench vs the seminr Python port, one run.

    python benchmarks/bench_pls.py [--seminr-python /tmp/plsref-venv/bin/python]

Times the bootstrap only (the fit is excluded), median of 3 runs each: the workbench at
5000 resamples (with and without the BCa jackknife) and seminr 0.2.1 at 1000 resamples
with 2 processes. seminr is never a project dependency: it runs in a throwaway venv
(see tests/data/make_pls_reference.py) through a subprocess; without it, its rows are
skipped. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from workbench.datasets import load_mobi  # noqa: E402
from workbench.satisfaction import pls_path_model  # noqa: E402

SEMINR = r"""
import sys, time, pandas as pd, seminr
data = pd.read_csv(sys.argv[1]).astype(float)
blocks = {"IMAG": 5, "CUEX": 3, "PERQ": 7, "PERV": 2, "CUSA": 3, "CUSL": 3}
mm = seminr.constructs(*[seminr.composite(c, seminr.multi_items(c, range(1, k + 1)),
                         weights=seminr.mode_A) for c, k in blocks.items()],
                       seminr.composite("CUSCO", seminr.single_item("CUSCO"), weights=seminr.mode_A))
paths = [("IMAG", "CUEX"), ("IMAG", "CUSA"), ("IMAG", "CUSL"), ("CUEX", "PERQ"), ("CUEX", "PERV"),
         ("CUEX", "CUSA"), ("PERQ", "PERV"), ("PERQ", "CUSA"), ("PERV", "CUSA"), ("CUSA", "CUSCO"),
         ("CUSA", "CUSL"), ("CUSCO", "CUSL")]
sm = seminr.relationships(*[seminr.paths(from_=s, to=t) for s, t in paths])
model = seminr.estimate_pls(data, mm, sm)
if __name__ == "__main__":
    t = time.perf_counter()
    seminr.bootstrap_model(model, nboot=int(sys.argv[2]), seed=1, cores=int(sys.argv[3]))
    print(time.perf_counter() - t)
"""


def median_time(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seminr-python", default="/tmp/plsref-venv/bin/python")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    mobi = load_mobi()
    model = pls_path_model(mobi, "ecsi_mobi")
    rows = []
    for n, bca in ((5000, False), (5000, True), (1000, False)):
        sec = median_time(lambda n=n, bca=bca: model.bootstrap(n_resamples=n, random_state=1, bca=bca), args.repeat)
        rows.append((f"workbench (batched numpy{', + BCa jackknife' if bca else ''})", n, 1, sec))
    ours_1000 = rows[-1][3]
    if Path(args.seminr_python).exists():
        csv = ROOT / "data" / "raw" / "mobi" / "mobi.csv"
        with tempfile.TemporaryDirectory() as tmp:  # spawned workers re-import the script
            script = Path(tmp) / "seminr_bootstrap.py"
            script.write_text(SEMINR)
            for cores in (2,):
                times = [float(subprocess.run([args.seminr_python, str(script), str(csv), "1000",
                                               str(cores)], capture_output=True, text=True,
                                              check=True).stdout.split()[-1])
                         for _ in range(args.repeat)]
                rows.append(("seminr 0.2.1 (Python port)", 1000, cores, statistics.median(times)))
    print("| package | resamples | processes | seconds (median of %d) |" % args.repeat)
    print("|---|---|---|---|")
    for name, n, procs, sec in rows:
        print(f"| {name} | {n} | {procs} | {sec:.2f} |")
    seminr_rows = [r for r in rows if r[0].startswith("seminr")]
    if seminr_rows:
        s = seminr_rows[0][3]
        per_resample = s / 1000
        print(f"\nseminr per resample {per_resample * 1000:.1f} ms; workbench "
              f"{rows[0][3] / 5000 * 1000:.2f} ms (5000, no BCa): "
              f"{per_resample / (rows[0][3] / 5000):.0f}x; at 1000 resamples "
              f"{s / ours_1000:.0f}x")


if __name__ == "__main__":
    main()
