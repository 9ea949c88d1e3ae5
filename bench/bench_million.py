"""In-process figures at a million sections: reading the index view, memory, warm search
latency per query class, and how soon a write by another process is searchable.

Run: `python -m bench.bench_million SOURCE.sqlite [--copies 10]`. The store is SOURCE (the
100k-section store `bench_scale` builds) copied `--copies` times into one file, each copy
with its own ids, slugs and sources: 1M sections from a real generated corpus in under a
minute, where ingesting 200,000 articles would take most of an hour. The vocabulary is the
source's, so posting lists are `--copies` times longer than the source's.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.memory import keep_memory_flat
from app.search.request import SearchRequest
from app.store.base import Store, open_store

WORDS = Path("/usr/share/dict/words")


def replicate(source: Path, target: Path, copies: int) -> int:
    """`copies` copies of the source store's articles and sections in one file."""
    shutil.copy(source, target)
    connection = sqlite3.connect(target, isolation_level=None)
    connection.execute("PRAGMA journal_mode = OFF")
    article_top = int(connection.execute("SELECT max(id) FROM articles").fetchone()[0])
    section_top = int(connection.execute("SELECT max(id) FROM sections").fetchone()[0])
    connection.execute("BEGIN")
    for copy in range(1, copies):
        connection.execute(
            "INSERT INTO articles (id, slug, base_slug, source, origin, title, language,"
            " content_hash, section_count, created_at, updated_at, generation, skeleton)"
            f" SELECT id + {copy * article_top}, slug || '-c{copy}', base_slug || '-c{copy}',"
            f" source || '-c{copy}', origin, title, language, content_hash, section_count,"
            " created_at, updated_at, generation, skeleton FROM articles"
            f" WHERE id <= {article_top}"
        )
        connection.execute(
            "INSERT INTO sections (id, article_id, position, slug, heading, is_question,"
            " level, parent_slug, word_count, url, body, heading_length, title_length,"
            f" body_length, terms, stream) SELECT id + {copy * section_top},"
            f" article_id + {copy * article_top}, position, slug, heading, is_question, level,"
            f" parent_slug, word_count, url || '-c{copy}', body, heading_length, title_length,"
            f" body_length, terms, stream FROM sections WHERE id <= {section_top}"
        )
    for table, top in (("articles", article_top), ("sections", section_top)):
        connection.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (f"next_id:{table}", top * copies + 1),
        )
    connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
    connection.execute("COMMIT")
    count = int(connection.execute("SELECT count(*) FROM sections").fetchone()[0])
    connection.close()
    return count


def private_and_rss_mb() -> tuple[float, float]:
    fields: dict[str, float] = {}
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                fields[parts[0].rstrip(":")] = int(parts[1]) / 1024
    private = fields.get("Private_Clean", 0.0) + fields.get("Private_Dirty", 0.0)
    return private, fields.get("Rss", 0.0)


def query_classes(rng: random.Random) -> dict[str, list[str]]:
    words = [w for w in WORDS.read_text(encoding="utf-8").split() if w.isalpha() and w.islower()]

    def typo(word: str) -> str:
        at = rng.randrange(1, len(word) - 2)
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]

    return {
        "common": ["the " + rng.choice(words[:300]) for _ in range(200)],
        "rare": [rng.choice(words[5000:40000]) for _ in range(200)],
        "typo": [typo(rng.choice([w for w in words[300:3000] if len(w) >= 6])) for _ in range(200)],
    }


def warm_latencies(store: Store, queries: list[str], rounds: int = 3) -> list[float]:
    for query in queries:
        store.search(SearchRequest(query=query))
    found: list[float] = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            store.search(SearchRequest(query=query))
            found.append((time.perf_counter() - started) * 1000)
    return sorted(found)


def visibility_ms(store: Store, db: Path, folder: Path, probes: int = 5) -> list[float]:
    """Write an article with `article-qa ingest` in another process, then search for it
    here until it is found."""
    delays: list[float] = []
    for number in range(probes):
        token = f"zqxprobe{number}x{time.time_ns()}"
        path = folder / f"probe-{number}.md"
        path.write_text(f"# Probe {token}\n\n## What is {token}?\n\nThe probe {token}.\n")
        command = [sys.executable, "-m", "app", "ingest", str(path), "--db", str(db)]
        subprocess.run(command, check=True, capture_output=True)
        committed = time.perf_counter()
        while store.search(SearchRequest(query=token)).total == 0:
            time.sleep(0.001)
        delays.append((time.perf_counter() - committed) * 1000)
    return delays


def print_profile(store: Store, queries: list[str]) -> None:
    """The functions the warm common-word searches spend their time in (cumulative)."""
    profile = cProfile.Profile()
    profile.enable()
    for query in queries:
        store.search(SearchRequest(query=query))
    profile.disable()
    print(f"profile of {len(queries)} warm common-word searches:")
    pstats.Stats(profile).sort_stats("tottime").print_stats(15)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path, help="a SQLite store (bench_scale's 100k store)")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument(
        "--profile", action="store_true", help="print where the common-word searches spend"
    )
    args = parser.parse_args(argv)
    keep_memory_flat()  # as `serve` does
    with tempfile.TemporaryDirectory(prefix="article-qa-million-") as scratch:
        db = Path(scratch) / "million.sqlite"
        started = time.perf_counter()
        documents = replicate(args.source, db, args.copies)
        print(f"{documents:,} documents in {time.perf_counter() - started:.0f} s")
        store = open_store(db)
        started = time.perf_counter()
        store.warm_up()
        print(f"index view read in {time.perf_counter() - started:.1f} s")
        private, rss = private_and_rss_mb()
        print(f"private / RSS after the view: {private:.0f} / {rss:.0f} MB")
        for name, queries in query_classes(random.Random(11)).items():
            lat = warm_latencies(store, queries)
            p50, p99 = lat[len(lat) // 2], lat[int(len(lat) * 0.99)]
            print(f"warm {name:6} p50 {p50:.2f} ms  p99 {p99:.2f} ms  max {lat[-1]:.2f} ms")
        private, rss = private_and_rss_mb()
        print(f"private / RSS after the searches: {private:.0f} / {rss:.0f} MB")
        if args.profile:
            print_profile(store, query_classes(random.Random(11))["common"])
        delays = visibility_ms(store, db, Path(scratch))
        print("a write by another process searchable here after (ms):", end=" ")
        print(", ".join(f"{delay:.1f}" for delay in delays))
        store.close()


if __name__ == "__main__":
    main()
