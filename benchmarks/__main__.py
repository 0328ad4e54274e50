"""``python -m benchmarks``: the engines at 1M, 10M (and 100M) rows in one table."""

from benchmarks.engines import main

main()
