"""Parser throughput per format on the real corpus (and the seed), on one core.

Run: `python -m bench.bench_parse [--seconds 3]`. Reads ../shared/corpus/files when present.
Figures are per CPU second of the one benchmark process (the parser is single-threaded).
Targets (issue 3): HTML >= 20 pages/s, plain text >= 1,000 articles/s.
"""

from __future__ import annotations

import argparse
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


def throughput(files: list[tuple[str, bytes]], seconds: float) -> tuple[float, float]:
    """(articles per CPU second, MB per CPU second), cycling over `files` for `seconds`.

    CPU time of this one process, so other jobs on the machine do not skew the figure."""
    for name, data in files:  # warm up caches and lazy imports
        parse_article(data, source=name)
    count = size = 0
    start = time.process_time()
    while time.process_time() - start < seconds:
        for name, data in files:
            parse_article(data, source=name)
            count += 1
            size += len(data)
    elapsed = time.process_time() - start
    return count / elapsed, size / elapsed / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    print(f"{'format':<10} {'files':>5} {'articles/s':>11} {'MB/s':>6}")
    for fmt, files in sorted(load_inputs().items()):
        per_second, megabytes = throughput(files, args.seconds)
        print(f"{fmt:<10} {len(files):>5} {per_second:>11.1f} {megabytes:>6.2f}")


if __name__ == "__main__":
    main()
