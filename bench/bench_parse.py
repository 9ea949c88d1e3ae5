"""Parser throughput per format on the real corpus (and the seed), on one core.

Run: `python -m bench.bench_parse [--seconds 3]`. Reads ../shared/corpus/files when present.
Figures are articles per CPU second of the one benchmark process (the parser is
single-threaded): the best and the median of ten rounds.
Targets (issue 3): HTML >= 20 pages/s, plain text >= 1,000 articles/s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from pathlib import Path

from app.models import SourceFormat
from app.parsing import parse_article
from app.parsing.formats import format_from_name

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "data" / "articles", ROOT.parent / "shared" / "corpus" / "files"]


def load_inputs() -> dict[SourceFormat, list[tuple[str, bytes]]]:
    inputs: dict[SourceFormat, list[tuple[str, bytes]]] = defaultdict(list)
    for folder in SOURCES:
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            fmt = format_from_name(path.name)
            if fmt is not None:
                inputs[fmt].append((path.name, path.read_bytes()))
    return inputs


def throughput(
    files: list[tuple[str, bytes]], seconds: float, rounds: int = 10
) -> tuple[float, float, float]:
    """(best, median) articles per CPU second and best MB per CPU second over `rounds`
    rounds cycling through `files`, sharing `seconds` between them.

    CPU time of this one process, so other jobs on the machine do not count; the best round
    is the figure least disturbed by a shared machine, as timeit reports its minimum."""
    for name, data in files:  # warm up caches and lazy imports
        parse_article(data, source=name)
    rates: list[tuple[float, float]] = []
    for _ in range(rounds):
        count = size = 0
        start = time.process_time()
        while time.process_time() - start < seconds / rounds:
            for name, data in files:
                parse_article(data, source=name)
                count += 1
                size += len(data)
        elapsed = time.process_time() - start
        rates.append((count / elapsed, size / elapsed / 1e6))
    best, megabytes = max(rates)
    return best, statistics.median(rate for rate, _ in rates), megabytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    print(f"{'format':<10} {'files':>5} {'best/s':>8} {'median/s':>9} {'MB/s':>6}")
    for fmt, files in sorted(load_inputs().items()):
        best, median, megabytes = throughput(files, args.seconds)
        print(f"{fmt:<10} {len(files):>5} {best:>8.1f} {median:>9.1f} {megabytes:>6.2f}")


if __name__ == "__main__":
    main()
