"""Search latency with 100,000 synthetic sections, against a plain FTS5 AND baseline.

Run: `python -m bench.bench_search [--sections 100000] [--queries 1000] [--rounds 5]`. The
corpus is generated (seed sentences recombined with Zipf-distributed pseudo-words), built once
and cached under the system temp directory; the numbers are in-process, snippets included.
Both engines answer the same queries in one run, taking turns in blocks, and each query's
time is its median over the rounds; the report gives p50/p99 per query class with the ratio
to the baseline, the memory held, and the cost of the first (cold) pass.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import random
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app.models import Article
from app.search.request import SearchRequest
from app.store.sqlite import SQLiteStore
from tools.evaluation.relevance import article_from_sections

SEED = Path(__file__).resolve().parent.parent / "data" / "articles" / "raisi-visit-pakistan.txt"
SECTIONS_PER_ARTICLE = 10
# Part of the cached file's name: bump it whenever the store's schema changes.
INDEX_VERSION = 1
# Queries an engine answers in a row before the other takes its turn.
BLOCK = 50
_SYLLABLES = tuple(
    re.findall(
        r"\w+",
        "ka ri to ma ne lo su vi da pe ra mo ti sa no be lu ga fi ko ze ha ju wi xa qui tre"
        " bra sto pla gri vel mon tar dun sel ric pol fen gor lan mir",
    )
)
_QUESTIONS = ("What is", "Why does", "How do", "When will", "Who runs", "Where are", "Which")


def seed_sentences() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    sentences = re.split(r"(?<=[.?!])\s+", re.sub(r"\s+", " ", text))
    return [s for s in sentences if 6 <= len(s.split()) <= 60]


def pseudo_words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Corpus:
    """Sentences of the seed plus Zipf-distributed sentences of seed words and pseudo-words."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = seed_sentences()
        seed_words = sorted(
            {w.lower() for s in self.sentences for w in re.findall(r"[A-Za-z]+", s)}
        )
        self.vocabulary = seed_words + pseudo_words(rng, 40_000)
        rng.shuffle(self.vocabulary)
        weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(self.vocabulary))]
        total = sum(weights)
        self.cumulative: list[float] = []
        running = 0.0
        for weight in weights:
            running += weight / total
            self.cumulative.append(running)

    def words(self, n: int) -> list[str]:
        return self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=n)

    def sentence(self) -> str:
        if self.rng.random() < 0.4:
            return self.rng.choice(self.sentences)
        words = self.words(self.rng.randint(8, 22))
        return " ".join(words).capitalize() + "."

    def article(self, number: int) -> Article:
        sections = [
            (
                f"{self.rng.choice(_QUESTIONS)} {' '.join(self.words(4))}?",
                " ".join(self.sentence() for _ in range(self.rng.randint(4, 9))),
            )
            for _ in range(SECTIONS_PER_ARTICLE)
        ]
        return article_from_sections(
            title=" ".join(self.words(6)).capitalize(),
            sections=sections,
            lead=self.sentence(),
            slug=f"bench-article-{number}",
            content_hash=hashlib.sha256(f"{number}".encode()).hexdigest(),
        )


def build(path: Path, articles: int, rng_seed: int) -> Corpus:
    corpus = Corpus(random.Random(rng_seed))
    if path.exists():
        return corpus
    partial = path.with_suffix(".partial")
    for stale in path.parent.glob(partial.name + "*"):
        stale.unlink()
    store = SQLiteStore(partial)
    fts = sqlite3.connect(path.with_suffix(".fts.partial"))
    fts.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(heading, title, body, tokenize='porter unicode61')"
    )
    started = time.perf_counter()
    for number in range(articles):
        article = corpus.article(number)
        store.upsert_article(article)
        fts.executemany(
            "INSERT INTO docs (heading, title, body) VALUES (?, ?, ?)",
            [("", article.title, article.lead)]
            + [(s.heading, article.title, s.body) for s in article.sections],
        )
        if number % 1000 == 999:
            fts.commit()
            print(f"  indexed {number + 1} articles in {time.perf_counter() - started:.0f} s")
    fts.commit()
    fts.close()
    store.close()
    path.with_suffix(".fts.partial").rename(path.with_suffix(".fts"))
    partial.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    return corpus


def cached_corpus(cache: Path, *, sections: int, seed: int) -> tuple[Path, Corpus]:
    """The store of about `sections` generated sections, built once and kept in `cache`."""
    articles = max(1, sections // (SECTIONS_PER_ARTICLE + 1))
    path = cache / f"bench-{articles}-{seed}-v{INDEX_VERSION}.sqlite"
    cache.mkdir(parents=True, exist_ok=True)
    print(f"corpus: {articles} articles x {SECTIONS_PER_ARTICLE} sections + leads -> {path}")
    started = time.perf_counter()
    corpus = build(path, articles, seed)
    print(f"index ready in {time.perf_counter() - started:.1f} s (0 when cached)")
    return path, corpus


def queries(corpus: Corpus, count: int, rng: random.Random) -> list[str]:
    """2-3 word queries: common words only, mixed, and rarer words."""
    common = corpus.vocabulary[:60]
    middle = corpus.vocabulary[60:3000]
    result: list[str] = []
    for i in range(count):
        n = rng.choice((2, 3))
        pool = (common, middle, corpus.vocabulary[:3000])[i % 3]
        result.append(" ".join(rng.sample(pool, n)))
    return result


KINDS = ("common", "middle", "mixed")


def kind_of(index: int) -> str:
    """The query class of the index-th generated query (see `queries`)."""
    return KINDS[index % 3]


def timed(run: Callable[[str], object], item: str) -> float:
    started = time.perf_counter()
    run(item)
    return (time.perf_counter() - started) * 1000


def measure_alternating(
    engines: dict[str, Callable[[str], object]], items: list[str], rounds: int
) -> dict[str, list[float]]:
    """Per engine, each query's median time over `rounds` rounds.

    The engines take turns block by block (a block keeps one engine's caches warm, as a
    server running only it would), so a slow spell of a shared machine hits all of them
    alike and the ratios stay honest; the median over rounds drops one-off stalls.
    """
    samples: dict[str, list[list[float]]] = {name: [[] for _ in items] for name in engines}
    for _ in range(rounds):
        for first in range(0, len(items), BLOCK):
            for name, run in engines.items():
                for index in range(first, min(first + BLOCK, len(items))):
                    samples[name][index].append(timed(run, items[index]))
    return {
        name: [statistics.median(times) for times in per_query]
        for name, per_query in samples.items()
    }


def percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def fts_query(words: str) -> str:
    return " AND ".join(f'"{w}"' for w in words.split())


def memory_mb() -> str:
    """Private (anonymous) and file-backed resident memory of this process, from Linux."""
    fields: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024
    if not fields:
        return "unknown"
    return (
        f"private {fields.get('RssAnon', 0):.0f} MB, file-backed {fields.get('RssFile', 0):.0f} MB"
        f" (peak total {fields.get('VmHWM', 0):.0f} MB)"
    )


def report(timings: dict[str, list[float]], baseline: str) -> None:
    print(f"{'':44} {'p50 ms':>8} {'p99 ms':>8} {'p50 x':>7} {'p99 x':>7}")
    for kind in (None, *KINDS):
        chosen = {
            name: [t for i, t in enumerate(values) if kind is None or kind_of(i) == kind]
            for name, values in timings.items()
        }
        base_p50, base_p99 = percentiles(chosen[baseline])
        for name, values in chosen.items():
            p50, p99 = percentiles(values)
            label = f"{name} [{kind or 'all'}]"
            print(f"{label:44} {p50:8.3f} {p99:8.3f} {p50 / base_p50:7.2f} {p99 / base_p99:7.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sections", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "article-qa-bench"
    )
    args = parser.parse_args(argv)
    path, corpus = cached_corpus(args.cache, sections=args.sections, seed=args.seed)
    items = queries(corpus, args.queries, random.Random(args.seed + 1))

    store = SQLiteStore(path)
    fts = sqlite3.connect(path.with_suffix(".fts"))
    documents = fts.execute("SELECT count(*) FROM docs").fetchone()[0]
    print(f"documents: {documents}; memory before searching: {memory_mb()}")

    def ours(query: str) -> object:
        return store.search(SearchRequest(query=query, limit=10))

    def baseline(query: str) -> object:
        return fts.execute(
            "SELECT rowid, snippet(docs, 2, '<mark>', '</mark>', '…', 24) FROM docs"
            " WHERE docs MATCH ? ORDER BY bm25(docs, 3.0, 1.5, 1.0) LIMIT 10",
            (fts_query(query),),
        ).fetchall()

    started = time.perf_counter()
    ours("warm up")
    print(
        f"first query (loads document stats and vocabulary): {time.perf_counter() - started:.2f} s"
    )
    started = time.perf_counter()
    cold = [timed(ours, item) for item in items]
    print(f"cold pass (loads postings): {time.perf_counter() - started:.1f} s total")
    print(f"memory after the cold pass: {memory_mb()}")
    names: dict[str, Callable[[str], object]] = {
        "fts5 AND + bm25 + snippet": baseline,
        "article-qa (warm)": ours,
    }
    timings = measure_alternating(names, items, args.rounds)
    timings["article-qa (cold first pass)"] = cold
    report(timings, baseline="fts5 AND + bm25 + snippet")
    store.close()
    fts.close()


if __name__ == "__main__":
    main()
