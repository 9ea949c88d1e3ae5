"""Benchmarks: run by ./scripts/bench, never by the test suite."""
