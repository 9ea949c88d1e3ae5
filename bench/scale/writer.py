"""The continuous writer of the live phase: a separate process that writes fresh generated
articles into a folder and ingests each through the library (app.ingest.ingest_paths) into the
store the server is serving, until SIGTERM.

`python -m bench.scale.writer --db DB --folder DIR --run RUN [--seed N] [--rate R]`

After each commit it prints one JSON line: the article's slug, the unique marker word its lead
carries (searchable, in no dictionary), and the CLOCK_MONOTONIC time of the commit (the same
clock in every process of the machine), so the harness can time when the server shows it.
"""

from __future__ import annotations

import argparse
import json
import signal
import string
import sys
import time
from pathlib import Path
from types import FrameType

from app.ingest import FileStatus, ingest_paths
from app.store import open_store
from bench.scale.corpus import SECTIONS_PER_ARTICLE, ArticleMaker, article_rng, load_vocabulary

_stopping = False


def _stop(_signum: int, _frame: FrameType | None) -> None:
    global _stopping
    _stopping = True  # the write in progress finishes; the loop ends after it


def letters(number: int) -> str:
    """A number as lower-case letters: markers must be words the search tokenizes whole."""
    text = ""
    while True:
        number, digit = divmod(number, 26)
        text = string.ascii_lowercase[digit] + text
        if number == 0:
            return text


def marker(run: str, number: int) -> str:
    return f"qzx{run}q{letters(number)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--run", required=True, help="lower-case letters naming this run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=0, help="articles/s; 0: as fast as it can")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    maker = ArticleMaker(load_vocabulary(args.seed))
    args.folder.mkdir(parents=True, exist_ok=True)
    store = open_store(args.db, create=False)
    started = time.monotonic()
    number = 0
    try:
        while not _stopping:
            if args.rate > 0:
                time.sleep(max(0.0, started + number / args.rate - time.monotonic()))
            rng = article_rng(args.seed + 1_000_003, number)  # not the corpus's articles
            word = marker(args.run, number)
            article = maker.article(rng, rng.randint(*SECTIONS_PER_ARTICLE), marker=word)
            path = args.folder / f"live-{args.run}-{number:06d}.md"
            path.write_text(article.markdown, encoding="utf-8")
            begun = time.monotonic()
            summary = ingest_paths(store=store, paths=[path], root=args.folder)
            committed = time.monotonic()
            report = summary.reports[0]
            line = {
                "number": number,
                "source": path.name,  # relative to the root: the stored source
                "slug": report.slug,
                "marker": word,
                "ok": report.status is FileStatus.INGESTED,
                "reason": report.reason,
                "committed": committed,
                "write_ms": round((committed - begun) * 1000, 3),
            }
            print(json.dumps(line), flush=True)
            number += 1
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
