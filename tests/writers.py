"""A file that keeps changing, several real `article-qa ingest` processes racing to store it,
and a reader polling the real server: does the served version ever go backwards?

Shared by tests/test_concurrent_writers.py (one run) and bench/bench_writers.py (many runs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import free_port, http_get, running_server

SLUG = "a-file-that-keeps-changing"
# Enough text that a parse takes a while: the window in which a slower writer holds an
# older version while a faster one stores a newer one.
SECTIONS = 30
FILLER = " ".join(f"word{number}" for number in range(40))


def article_text(version: int) -> str:
    """Version `version`: every section names it, so a mix of two versions shows."""
    sections = "".join(
        f"## Which version is part {part}?\n\n{FILLER}.\n\n"
        f"Part {part} belongs to version {version:06d}.\n\n"
        for part in range(1, SECTIONS + 1)
    )
    return f"# A file that keeps changing\n\nVersion {version:06d} of the file.\n\n{sections}"


def write_atomically(path: Path, text: str) -> None:
    """As editors and deploy tools do: write aside, then rename over the file."""
    aside = path.with_name(f".{path.name}.tmp")
    aside.write_text(text, encoding="utf-8")
    os.replace(aside, path)


def versions_in(article: dict[str, object]) -> set[int]:
    found: set[int] = set()
    for section in article["sections"]:  # type: ignore[attr-defined]
        found.add(int(str(section["body"]).rsplit(" ", 1)[1].rstrip(".")))
    return found


@dataclass
class Outcome:
    """What the reader saw: versions in order, and reads that mixed two versions."""

    seen: list[int] = field(default_factory=list)
    mixed: int = 0
    ingests: int = 0
    failed_ingests: int = 0
    last_written: int = 0
    final: int | None = None

    @property
    def regressions(self) -> int:
        return sum(
            1 for before, after in zip(self.seen, self.seen[1:], strict=False) if after < before
        )


def run_scenario(
    workdir: Path, *, writers: int = 4, seconds: float = 6.0, db: str | None = None
) -> Outcome:
    """`writers` threads each run `article-qa ingest FILE` again and again for `seconds`
    while the file changes every few milliseconds and a reader polls GET /articles/{slug};
    on the store at `db` (a SQLite path or a postgresql:// URL) when given."""
    data_dir = workdir / "data"
    articles = data_dir / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    path = articles / "churn.md"
    write_atomically(path, article_text(0))
    outcome = Outcome()
    store = ["--db", db] if db else []
    cli = [sys.executable, "-m", "app", "ingest", str(path), "--data-dir", str(data_dir), *store]
    subprocess.run(cli, check=True, capture_output=True)
    stop = threading.Event()
    lock = threading.Lock()

    def edit() -> None:
        version = 0
        while not stop.is_set():
            version += 1
            write_atomically(path, article_text(version))
            outcome.last_written = version
            time.sleep(0.01)

    def ingest() -> None:
        # One real process each, running the CLI's ingest in a loop until the end.
        loop = [sys.executable, "-m", "tests.ingest_loop", str(seconds), *cli[3:]]
        done = subprocess.run(loop, capture_output=True, text=True, check=True)
        succeeded, failed = (int(n) for n in done.stdout.split()[-2:])
        with lock:
            outcome.ingests += succeeded
            outcome.failed_ingests += failed

    port = free_port()
    serve = ["-m", "app", "serve", "--port", str(port), "--data-dir", str(data_dir), *store]
    with running_server(
        [*serve, "--no-sync", "--no-watch", "--log-level", "warning"], port=port
    ) as base:
        threads = [threading.Thread(target=edit)]
        threads += [threading.Thread(target=ingest) for _ in range(writers)]
        for thread in threads:
            thread.start()
        # Read for as long as the ingest processes run, however slowly they start.
        while any(thread.is_alive() for thread in threads[1:]):
            status, _, body = http_get(f"{base}/articles/{SLUG}")
            if status == 200:
                versions = versions_in(json.loads(body))
                outcome.mixed += len(versions) > 1
                outcome.seen.append(max(versions))
            time.sleep(0.01)
        stop.set()
        for thread in threads:
            thread.join()
        # The file is still now: one more ingest must store its last version.
        subprocess.run(cli, check=True, capture_output=True)
        status, _, body = http_get(f"{base}/articles/{SLUG}")
        outcome.final = max(versions_in(json.loads(body))) if status == 200 else None
    return outcome
