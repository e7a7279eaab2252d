"""CLI start-up: CPU per command (user + system, the process and its children), median of N runs.

Run:  .venv/bin/python -m tests.benchmarks.bench_cli [--runs 7]

Prints `python -c pass` as the floor, then `turnus --help`, `users list`, `tasks` and `case show` on a
SQLite database set up by `turnus demo` in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def cpu_of(args: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    runs = ap.parse_args().runs
    turnus = [sys.executable, "-m", "web.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TURNUS_DATABASE_URL": f"sqlite:///{Path(tmp) / 'turnus.db'}"}
        subprocess.run([*turnus, "demo"], env=env, check=True, capture_output=True)
        case = subprocess.run([*turnus, "start", "netvaerksturnus", "--as", "emma", "--data",
                               '{"theme_title": "T", "problem_description": "P", "local_relevance": "L", '
                               '"expected_product": "E", "network_type": "laering", "scope": "small", '
                               '"urgency": "low", "manager": "lars"}'],
                              env=env, check=True, capture_output=True, text=True).stdout.strip()
        commands = {
            "python -c pass (floor)": [sys.executable, "-c", "pass"],
            "turnus --help": [*turnus, "--help"],
            "turnus users list": [*turnus, "users", "list"],
            "turnus tasks --as sara": [*turnus, "tasks", "--as", "sara"],
            "turnus case show CASE": [*turnus, "case", "show", case],
        }
        print(f"load average {os.getloadavg()[0]:.2f}; median CPU of {runs} runs")
        for name, args in commands.items():
            figures = [cpu_of(args, env) for _ in range(runs)]
            print(f"  {name:28} {statistics.median(figures) * 1000:6.0f} ms CPU")


if __name__ == "__main__":
    main()
