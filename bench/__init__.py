"""Benchmarks for refmanager (not part of the test run): ``python -m bench.run --help``."""
