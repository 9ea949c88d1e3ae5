"""Search under a steady wrk load while another process keeps ingesting new articles, and
how soon the server shows each write."""

from __future__ import annotations

import http.client
import json
import os
import queue
import random
import shutil
import sqlite3
import string
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from app.store import open_store
from bench.scale import servers
from bench.scale.context import Bench
from bench.scale.models import (
    Latencies,
    LiveFigures,
    MemorySnapshot,
)
from bench.scale.procs import wait_idle
from bench.scale.store import remove_sqlite
from bench.scale.wrk import WrkRun, write_script


@contextmanager
def _live_store(bench: Bench) -> Iterator[str]:
    """Where the live writes go: a copy of a SQLite store (the cached one stays as the corpus
    made it); a PostgreSQL store itself, its new articles deleted afterwards."""
    if not bench.is_sqlite:
        yield bench.db
        return
    copy = bench.cache / "stores" / f"live-{os.getpid()}.sqlite"
    remove_sqlite(copy)
    source = sqlite3.connect(f"file:{bench.db}?mode=ro", uri=True)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    try:
        yield str(copy)
    finally:
        remove_sqlite(copy)


@dataclass
class Commit:
    source: str
    slug: str | None
    marker: str
    ok: bool
    committed: float  # CLOCK_MONOTONIC
    write_ms: float


class Prober:
    """Reads the writer's commits as they come and, one at a time, times how long the
    server takes to show the newest one: its article, then a search of its marker word."""

    def __init__(self, port: int, stream: IO[bytes]) -> None:
        self.port = port
        self.stream = stream
        self.commits: list[Commit] = []
        self.article_ms: list[float] = []
        self.search_ms: list[float] = []
        self.unseen = 0
        self.stopping = threading.Event()
        self.fresh: queue.Queue[Commit] = queue.Queue()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.threads = [
            threading.Thread(target=self._read, daemon=True),
            threading.Thread(target=self._probe, daemon=True),
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _read(self) -> None:
        for raw in self.stream:
            try:
                line: dict[str, Any] = json.loads(raw)
            except ValueError:
                continue
            commit = Commit(
                source=str(line["source"]),
                slug=line["slug"],
                marker=str(line["marker"]),
                ok=bool(line["ok"]),
                committed=float(line["committed"]),
                write_ms=float(line["write_ms"]),
            )
            self.commits.append(commit)
            if commit.ok and commit.slug:
                self.fresh.put(commit)

    def _probe(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    commit = self.fresh.get(timeout=0.1)
                except queue.Empty:
                    continue
                while not self.fresh.empty():  # only the newest: no backlog to chase
                    commit = self.fresh.get_nowait()
                self._time_one(commit)
        finally:
            self.connection.close()

    def _poll(self, path: str, seen: Callable[[bytes], bool]) -> float | None:
        """Ask every 2 ms until `seen` says yes: the CLOCK_MONOTONIC time it did, or None."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.connection.request("GET", path, headers={"Accept": "application/json"})
                response = self.connection.getresponse()
                body = response.read()
                if response.status == 200 and seen(body):
                    return time.monotonic()
            except (OSError, http.client.HTTPException):
                # A dropped keep-alive connection (the server's 5 s idle timeout): reconnect.
                self.connection.close()
            time.sleep(0.002)
        return None

    def _time_one(self, commit: Commit) -> None:
        slug = str(commit.slug)

        def found_in(body: bytes) -> bool:
            hits: list[dict[str, Any]] = json.loads(body)["hits"]
            return any(hit["article_slug"] == slug for hit in hits)

        shown = self._poll(f"/articles/{quote(slug)}", lambda _body: True)
        found = self._poll(f"/search?q={quote(commit.marker)}&limit=5", found_in)
        if shown is None or found is None:
            self.unseen += 1
            return
        self.article_ms.append((shown - commit.committed) * 1000)
        self.search_ms.append((found - commit.committed) * 1000)


def live(
    bench: Bench, *, seconds: float, connections: int, write_rate: float
) -> tuple[LiveFigures, MemorySnapshot]:
    run = "".join(random.Random().choice(string.ascii_lowercase) for _ in range(6))
    queries = [q for trio in zip(*bench.classes().values(), strict=False) for q in trio]
    script = write_script(
        bench.run_dir / "lua", "live-search", [f"/search?q={quote(q)}" for q in queries]
    )
    folder = bench.cache / "live" / run
    with _live_store(bench) as db:
        try:
            with servers.article_qa(
                bench.children,
                "live-article-qa",
                db=db,
                data_dir=Path(bench.corpus.folder),
                options=bench.server,
            ) as server:
                wait_idle(server.process.pid)
                if bench.warmup > 0:
                    bench.wrk(server.port, script, bench.warmup, connections)
                idle = bench.wrk(server.port, script, seconds, connections)
                bench.say(
                    f"live: search alone {idle.per_second:,.0f} req/s, p50 {idle.p50_ms:.2f} ms,"
                    f" p99 {idle.p99_ms:.2f} ms; starting the writer"
                )
                figures = _under_writes(
                    bench, server, db, folder, run, script, idle, seconds, connections, write_rate
                )
                memory = server.memory("after live writes")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            if not bench.is_sqlite:
                _delete_live_articles(db, run)
    return figures, memory


def _under_writes(
    bench: Bench,
    server: servers.Server,
    db: str,
    folder: Path,
    run: str,
    script: Path,
    idle: WrkRun,
    seconds: float,
    connections: int,
    write_rate: float,
) -> LiveFigures:
    """The load of `idle` again while the writer runs, and what the prober saw."""
    args = [
        sys.executable,
        "-m",
        "bench.scale.writer",
        "--db",
        db,
        "--folder",
        str(folder),
        "--run",
        run,
        "--seed",
        str(bench.corpus.seed),
        "--rate",
        str(write_rate),
    ]
    # The writer is not pinned: it takes whatever CPU it can get, as a real ingest would.
    with (bench.run_dir / "live-writer.log").open("wb") as errors:
        writer = bench.children.spawn(args, output=errors, stdout=subprocess.PIPE)
        assert writer.stdout is not None
        prober = Prober(server.port, writer.stdout)
        prober.start()
        try:
            deadline = time.monotonic() + 120
            while not prober.commits and time.monotonic() < deadline:
                if writer.poll() is not None:
                    raise RuntimeError(f"the writer exited with {writer.returncode}")
                time.sleep(0.05)
            window_start = time.monotonic()
            during = bench.wrk(server.port, script, seconds, connections)
            window_end = time.monotonic()
        finally:
            bench.children.stop(writer)
            prober.stop()
    landed = [c for c in prober.commits if window_start <= c.committed <= window_end]
    bench.say(
        f"live: during the ingest {during.per_second:,.0f} req/s, p50 {during.p50_ms:.2f} ms, "
        f"p99 {during.p99_ms:.2f} ms; {len(landed)} writes landed"
    )
    return LiveFigures(
        seconds=seconds,
        connections=connections,
        idle=idle,
        during=during,
        writes=sum(c.ok for c in landed),
        writes_per_second=round(sum(c.ok for c in landed) / (window_end - window_start), 2),
        failed_writes=sum(not c.ok for c in landed),
        write_ms=Latencies.of([c.write_ms for c in landed]),
        visible_article=Latencies.of(prober.article_ms),
        visible_search=Latencies.of(prober.search_ms),
        unseen=prober.unseen,
    )


def _delete_live_articles(db: str, run: str) -> None:
    store = open_store(db, create=False)
    try:
        for source in list(store.source_hashes()):
            if source.startswith(f"live-{run}-"):
                store.delete_source(source)
    finally:
        store.close()
