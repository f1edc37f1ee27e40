"""Benchmarks: timings live here and print ratios (a benchmark is not a test)."""
