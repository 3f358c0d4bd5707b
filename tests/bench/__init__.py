"""Benchmarks run by `make bench`; they print ratios, they are not tests."""
