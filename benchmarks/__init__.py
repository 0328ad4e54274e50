"""Scale benchmarks: ``python -m benchmarks`` (the engines' table) and one script per topic.

Not run by the test suite; each prints a markdown table for benchmarks/README.md.
"""
