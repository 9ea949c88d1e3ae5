"""Concurrent writers: the scenario of tests/test_concurrent_writers.py, many times.

`python -m bench.bench_writers [--runs N] [--seconds S]` prints, per run and in all, the
versions served, regressions (a version older than one served before), mixed reads and
whether the last version stayed.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.writers import run_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    regressions = mixed = ingests = reads = lost = 0
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as workdir:
            outcome = run_scenario(Path(workdir), writers=args.writers, seconds=args.seconds)
        regressions += outcome.regressions
        mixed += outcome.mixed
        ingests += outcome.ingests
        reads += len(outcome.seen)
        lost += outcome.final != outcome.last_written
        print(
            f"run {run:3d}: {outcome.ingests} ingests, {len(outcome.seen)} reads, "
            f"{len(set(outcome.seen))} versions served, {outcome.regressions} regressions, "
            f"{outcome.mixed} mixed, last version kept: {outcome.final == outcome.last_written}",
            flush=True,
        )
    print(
        f"all {args.runs} runs: {ingests} ingests by {args.writers} processes a run, "
        f"{reads} reads, "
        f"{regressions} regressions, {mixed} mixed reads, {lost} runs lost the last version"
    )


if __name__ == "__main__":
    main()
