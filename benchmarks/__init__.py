"""Benchmarks (``make bench``): timings and peak memory against reference tools."""
