"""Benchmarks for l2graph: a synthetic graph generator and a suite that times every stage.

Run ``make bench`` (``python -m benchmarks.run --sizes 10000 100000 1000000``); see
``docs/benchmarks.md`` for the latest figures.
"""
