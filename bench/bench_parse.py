"""Parser and indexing-analysis cost, on one core: the real corpus and generated Markdown.

Run: `python -m bench.bench_parse [--seconds 3] [--generated 200] [--rounds 7]`.

Two reports:

1. Parser throughput per format on the real corpus (../shared/corpus/files when present) and
   the seed: articles per CPU second of the one benchmark process (the parser is
   single-threaded), the best and the median of ten rounds. Targets (issue 3): HTML >= 20
   pages/s, plain text >= 1,000 articles/s.
2. Milliseconds per article of `parse_article` and of `search_documents` (the analysis that
   indexing does: tokens, folding, stemming, term frequencies, streams), the best of
   `--rounds` rounds, on generated Markdown articles and on every real page (both corpora
   and data/articles). Generated articles are like an ingest of many small articles:
   /usr/share/dict/words (Debian: wamerican) lower-case alphabetic words drawn with Zipf
   weights 1/(rank+1)^1.05 (rank: the word's place in the file), a `# Title`, a 40-word lead,
   then five `## What is <4 words>?` sections of 100 words each. The same seed gives the
   same articles; each round reads a new batch of them (the first batch warms up), so rare
   words are new to the analysis caches as in a real ingest. Real pages repeat each round.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from app.models import SourceFormat
from app.parsing import parse_article
from app.parsing.formats import format_from_name
from app.search.documents import search_documents

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SOURCES = [ROOT / "data" / "articles", SHARED / "corpus" / "files"]
REAL_SOURCES = [*SOURCES, SHARED / "corpus-extra" / "files"]
WORDS_FILE = Path("/usr/share/dict/words")
ZIPF_EXPONENT = 1.05
LEAD_WORDS = 40
SECTIONS = 5
SECTION_WORDS = 100
QUESTION_WORDS = 4

Source = tuple[str, bytes]  # (file name, bytes)
T = TypeVar("T")


def load_files(folders: Sequence[Path]) -> list[Source]:
    files: list[Source] = []
    for folder in folders:
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if format_from_name(path.name) is not None:
                files.append((path.name, path.read_bytes()))
    return files


def load_inputs() -> dict[SourceFormat, list[Source]]:
    inputs: dict[SourceFormat, list[Source]] = defaultdict(list)
    for name, data in load_files(SOURCES):
        fmt = format_from_name(name)
        if fmt is not None:
            inputs[fmt].append((name, data))
    return inputs


def generated_markdown(count: int, seed: int = 1) -> list[Source]:
    """`count` Markdown articles of Zipf-drawn dictionary words (see the module docstring)."""
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    words = [w.strip() for w in lines if w.strip().isalpha() and w.strip().islower()]
    weights = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(words))]
    rng = random.Random(seed)

    def draw(k: int) -> str:
        return " ".join(rng.choices(words, weights, k=k))

    articles: list[Source] = []
    for number in range(count):
        parts = [f"# {draw(5).capitalize()} {number}\n\n{draw(LEAD_WORDS)}.\n"]
        for _ in range(SECTIONS):
            parts.append(f"\n## What is {draw(QUESTION_WORDS)}?\n\n{draw(SECTION_WORDS)}.\n")
        articles.append((f"a{number:06d}.md", "".join(parts).encode()))
    return articles


def throughput(files: list[Source], seconds: float, rounds: int = 10) -> tuple[float, float, float]:
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


def best_ms_per_item(batches: Sequence[Sequence[T]], work: Callable[[T], object]) -> float:
    """The best CPU milliseconds per item over the batches after the first (a warm-up)."""
    best = float("inf")
    for number, batch in enumerate(batches):
        start = time.process_time()
        for item in batch:
            work(item)
        if number:
            best = min(best, (time.process_time() - start) * 1000 / max(len(batch), 1))
    return best


def per_article(name: str, batches: Sequence[list[Source]]) -> None:
    """Parse and analysis cost per article, each batch parsed, then analysed, in turn."""
    parse_ms = best_ms_per_item(batches, lambda f: parse_article(f[1], source=f[0]))
    articles = [[parse_article(data, source=src).article for src, data in b] for b in batches]
    analysis_ms = best_ms_per_item(articles, search_documents)
    print(f"{name:<22} {len(batches[0]):>5} {parse_ms:>9.3f} {analysis_ms:>12.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--generated", type=int, default=200, help="generated articles")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the ms/article runs")
    parser.add_argument(
        "--only-per-article", action="store_true", help="skip the per-format throughput table"
    )
    args = parser.parse_args()
    if not args.only_per_article:
        print(f"{'format':<10} {'files':>5} {'best/s':>8} {'median/s':>9} {'MB/s':>6}")
        for fmt, files in sorted(load_inputs().items()):
            best, median, megabytes = throughput(files, args.seconds)
            print(f"{fmt:<10} {len(files):>5} {best:>8.1f} {median:>9.1f} {megabytes:>6.2f}")
        print()
    print(f"{'ms per article':<22} {'files':>5} {'parse':>9} {'analysis':>12}")
    if WORDS_FILE.is_file() and args.generated > 0:
        # A new batch each round, as an ingest sees new articles: their rare words are new.
        generated = generated_markdown(args.generated * (args.rounds + 1))
        size = args.generated
        per_article(
            "generated markdown",
            [generated[start : start + size] for start in range(0, len(generated), size)],
        )
    real = load_files(REAL_SOURCES)
    if real:
        per_article("real pages", [real] * (args.rounds + 1))


if __name__ == "__main__":
    main()
