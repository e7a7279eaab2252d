"""Benchmarks: scripts run by hand (bench_*.py), never collected by pytest."""
