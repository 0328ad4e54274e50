"""Compare two report trees: metrics.json and every table CSV, byte for byte.

A refactoring must not change a number. Render the bundled cases before and after
(``workbench report --all --force --reports-dir DIR``) and run::

    python tools/compare_reports.py BEFORE_DIR AFTER_DIR

Exit status 0 when every ``metrics.json`` and ``tables/*.csv`` (and the per-notebook
``metrics/*.json``) is identical in both trees, 1 otherwise; the differing and missing
files are listed. Timings, manifests, HTML and notebooks are not compared: they
legitimately differ between renders.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

PATTERNS = ("*/*/metrics.json", "*/*/metrics/*.json", "*/*/tables/*.csv")


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for pattern in PATTERNS
        for p in sorted(root.glob(pattern))
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    before, after = (_digests(Path(a)) for a in argv)
    if not before:
        print(f"no metrics or tables under {argv[0]}")
        return 2
    only_before = sorted(set(before) - set(after))
    only_after = sorted(set(after) - set(before))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    for title, names in (("missing after", only_before), ("new after", only_after), ("changed", changed)):
        for name in names:
            print(f"{title}: {name}")
    same = len(set(before) & set(after)) - len(changed)
    print(f"{same} of {len(before)} files identical; {len(changed)} changed, "
          f"{len(only_before)} missing, {len(only_after)} new")
    return 0 if not (changed or only_before or only_after) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
