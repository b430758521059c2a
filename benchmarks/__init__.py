"""Benchmarks (`make bench`): how the pipeline's cost grows with transaction-level data."""
