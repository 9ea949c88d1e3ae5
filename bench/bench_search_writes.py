"""Search latency while another process keeps writing: view rebuilds with and without coalescing.

Run: `python -m bench.bench_search_writes [--sections 100000] [--seconds 20] [--pairs 2]`.
Not a test (pytest never runs it).

The 100,000-section store of bench/bench_search.py (built once and cached under the system
temp directory) is copied to a temp folder, so the cache stays untouched. A reader
`SQLiteStore` of this process answers a fixed list of 2-3 word queries (made as
bench_search makes them, limit 10) back to back from one thread, while a separate process,
`python -m app ingest --db COPY FOLDER`, keeps rewriting ~300 small generated articles (the
real scenario: a CLI ingest into a store a server reads). The writer runs a copy of the
app package taken at start, so edits to the tree during a run cannot change or break it.
Every committed article bumps the store's generation; what this measures is what that costs
the searches:

* coalescing OFF: `app.search.engine.REBUILD_SPACING = 0.0`, so every generation change
  rebuilds the in-memory view (the old behaviour);
* coalescing ON: the engine's defaults (an old view answers for a while after a rebuild).

The two take turns (OFF, ON, OFF, ON, ...) to spread a shared machine's noise over both. Per
configuration it reports searches done, mean / p50 / p99 / max latency, view rebuilds (how
often the engine's `_snapshot` object changed; with one reader thread each rebuild is paid
by one search, so the p50 flips between "fast" and "a rebuild" as the share of rebuilding
searches crosses one half: the mean is the steadier figure), the mean time of one rebuild,
writes committed during the window (generations), short pages (fewer hits than
min(limit, total): hits dropped because their documents are gone), duplicate hits and reader
exceptions; first, the same searches without writes.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import app.search.engine as engine_module
from app.search.index import Snapshot
from app.search.request import SearchRequest
from app.store.sqlite import SQLiteStore
from bench.bench_search import (
    Corpus,
    cached_corpus,
    percentiles,
    queries,
)

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_SPACING = engine_module.REBUILD_SPACING
# Versions of the written files: the writer copies them in turn into the one folder it
# ingests (a file is known by its path), so every file changes at every run.
VERSIONS = 4
SECTIONS_PER_WRITTEN_ARTICLE = 4
LIMIT = 10
FIRST_WRITE_TIMEOUT = 60.0


@dataclass
class Window:
    """What one configuration saw during one measuring window."""

    name: str
    latencies: list[float] = field(default_factory=list)
    rebuilds: int = 0
    build_seconds: list[float] = field(default_factory=list)
    writes: int = 0
    short_pages: int = 0
    duplicate_hits: int = 0
    errors: list[str] = field(default_factory=list)


def written_article(corpus: Corpus, number: int, version: int) -> str:
    """A small question-headed Markdown article; its title (so its slug) is the same in
    every version, its text changes."""
    title_rng = random.Random(number)
    title = " ".join(title_rng.choice(corpus.vocabulary[:3000]) for _ in range(3))
    corpus.rng = random.Random(f"{number}-{version}")
    sections = "".join(
        f"## What is {' '.join(corpus.words(3))}?\n\n"
        + " ".join(corpus.sentence() for _ in range(corpus.rng.randint(2, 4)))
        + "\n\n"
        for _ in range(SECTIONS_PER_WRITTEN_ARTICLE)
    )
    lead = f"{corpus.sentence()} Version {version}."
    return f"# Writer article {number:03d} {title}\n\n{lead}\n\n{sections}"


def write_versions(corpus: Corpus, root: Path, articles: int) -> list[Path]:
    """VERSIONS folders holding the same file names, each file's text different in each
    (they are copied to the ingested folder, never ingested where they are)."""
    folders: list[Path] = []
    for version in range(VERSIONS):
        folder = root / f"v{version}"
        folder.mkdir(parents=True)
        for number in range(articles):
            text = written_article(corpus, number, version)
            (folder / f"a-{number:03d}.md").write_text(text, encoding="utf-8")
        folders.append(folder)
    return folders


def ingest_command(db: Path, folder: Path) -> list[str]:
    return [sys.executable, "-m", "app", "ingest", "--db", str(db), str(folder)]


def put_version(version: Path, live: Path) -> None:
    """Make the ingested folder hold one version of the files."""
    live.mkdir(exist_ok=True)
    for path in sorted(version.iterdir()):
        shutil.copyfile(path, live / path.name)


def freeze_code(target: Path) -> Path:
    """A copy of the app package for the writer processes to run (`python -m app` in it)."""
    shutil.copytree(PROJECT / "app", target / "app", ignore=shutil.ignore_patterns("__pycache__"))
    return target


def log_tail(log: Path, chars: int = 1500) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return text[-chars:] or "(empty)"


class Writer:
    """Puts the next version of the files in `live` and runs `python -m app ingest` on it,
    one process after the other, until stopped (the running process is terminated)."""

    def __init__(
        self, db: Path, folders: list[Path], live: Path, log: Path, start: int, code: Path
    ) -> None:
        self._db = db
        self._code = code
        self._live = live
        self._folders = folders
        self._log = log
        self._next = start
        self._stop = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="writer", daemon=True)
        self.failures: list[str] = []
        self.runs = 0

    @property
    def next_version(self) -> int:
        return self._next

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            folder = self._folders[self._next % len(self._folders)]
            put_version(folder, self._live)
            # A run cut short still moves on: the next one finds every file changed.
            self._next += 1
            with self._log.open("ab") as log, self._lock:
                if self._stop.is_set():
                    return
                process = subprocess.Popen(
                    ingest_command(self._db, self._live),
                    cwd=self._code,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
                self._process = process
            code = process.wait()
            with self._lock:
                self._process = None
                if self._stop.is_set():
                    return
            self.runs += 1
            if code != 0:
                self.failures.append(f"ingest of {folder.name} exited with {code}")

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            process = self._process
            if process is not None:
                process.terminate()
        self._thread.join()
        if process is not None:
            process.wait()


def search_once(store: SQLiteStore, query: str, window: Window | None) -> float:
    started = time.perf_counter()
    try:
        results = store.search(SearchRequest(query=query, limit=LIMIT))
    except Exception as error:
        if window is not None:
            window.errors.append(f"{type(error).__name__}: {error}")
        return (time.perf_counter() - started) * 1000
    elapsed = (time.perf_counter() - started) * 1000
    if window is not None:
        if len(results.hits) < min(results.limit, results.total):
            window.short_pages += 1
        if len({hit.url for hit in results.hits}) != len(results.hits):
            window.duplicate_hits += 1
    return elapsed


def current_view(store: SQLiteStore) -> Snapshot | None:
    return store._engine._snapshot


def warm(store: SQLiteStore, items: list[str]) -> None:
    """A view of the current generation and its postings loaded, as a running server has."""
    engine_module.REBUILD_SPACING = 0.0
    for item in items:
        search_once(store, item, None)


def measure(store: SQLiteStore, items: list[str], seconds: float, window: Window) -> None:
    """Search back to back for `seconds`, noting latencies and view changes."""
    view = current_view(store)
    deadline = time.perf_counter() + seconds
    index = 0
    while time.perf_counter() < deadline:
        window.latencies.append(search_once(store, items[index % len(items)], window))
        index += 1
        now = current_view(store)
        if now is not view and now is not None:
            window.rebuilds += 1
            window.build_seconds.append(now.build_seconds)
        view = now


def run_window(
    *,
    name: str,
    spacing: float,
    store: SQLiteStore,
    items: list[str],
    seconds: float,
    db: Path,
    folders: list[Path],
    live: Path,
    log: Path,
    start: int,
    code: Path,
) -> tuple[Window, int]:
    """One configuration's window: warm up, start the writer, wait for its first commit,
    search for `seconds`, stop the writer. Returns the window and the next version."""
    window = Window(name)
    warm(store, items)
    engine_module.REBUILD_SPACING = spacing
    before = store.generation()
    writer = Writer(db, folders, live, log, start, code)
    writer.start()
    waited = time.perf_counter()
    while store.generation() == before:
        if time.perf_counter() - waited > FIRST_WRITE_TIMEOUT:
            writer.stop()
            raise RuntimeError(
                f"no write committed within {FIRST_WRITE_TIMEOUT:.0f} s"
                f" ({'; '.join(writer.failures) or 'no ingest failed'});"
                f" ingest stderr:\n{log_tail(log)}"
            )
        time.sleep(0.01)
    first = store.generation()
    try:
        measure(store, items, seconds, window)
    finally:
        last = store.generation()
        writer.stop()
    window.writes = last - first
    window.errors.extend(writer.failures)
    return window, writer.next_version


def copy_store(source: Path, target: Path) -> None:
    """A copy of the cached store (its WAL too, if one was left), opened by nothing."""
    shutil.copyfile(source, target)
    wal = Path(f"{source}-wal")
    if wal.exists() and wal.stat().st_size:
        shutil.copyfile(wal, Path(f"{target}-wal"))


def row(window: Window) -> str:
    p50, p99 = percentiles(window.latencies)
    mean_build = statistics.fmean(window.build_seconds) if window.build_seconds else 0.0
    return (
        f"{window.name:<10} {len(window.latencies):>8} {statistics.fmean(window.latencies):>8.1f}"
        f" {p50:>8.1f} {p99:>8.1f}"
        f" {max(window.latencies):>8.1f} {window.rebuilds:>8} {mean_build:>8.2f}"
        f" {window.writes:>7} {window.short_pages:>6} {window.duplicate_hits:>4}"
        f" {len(window.errors):>6}"
    )


HEADER = (
    f"{'config':<10} {'searches':>8} {'mean ms':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    f" {'rebuilds':>8} {'build s':>8} {'writes':>7} {'short':>6} {'dup':>4} {'errors':>6}"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sections", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0, help="per measuring window")
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--pairs", type=int, default=2, help="OFF/ON pairs of windows")
    parser.add_argument("--articles", type=int, default=300, help="files the writer rewrites")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "article-qa-bench"
    )
    args = parser.parse_args(argv)
    cached, corpus = cached_corpus(args.cache, sections=args.sections, seed=args.seed)
    items = queries(corpus, args.queries, random.Random(args.seed + 1))

    with tempfile.TemporaryDirectory(prefix="bench-search-writes-") as workdir:
        work = Path(workdir)
        db = work / "store.sqlite"
        started = time.perf_counter()
        copy_store(cached, db)
        print(
            f"copied the store ({db.stat().st_size / 1e6:.0f} MB) in"
            f" {time.perf_counter() - started:.1f} s"
        )
        folders = write_versions(corpus, work / "articles", args.articles)
        code = freeze_code(work / "code")
        log = work / "ingest.log"
        # The written articles exist before measuring: every window's writes are updates.
        started = time.perf_counter()
        live = work / "live"
        put_version(folders[-1], live)
        with log.open("ab") as stderr:
            first = subprocess.run(
                ingest_command(db, live), cwd=code, stdout=subprocess.DEVNULL, stderr=stderr
            )
        if first.returncode != 0:
            raise RuntimeError(f"the first ingest failed; ingest stderr:\n{log_tail(log)}")
        print(f"first ingest of {args.articles} articles: {time.perf_counter() - started:.1f} s")

        store = SQLiteStore(db)
        try:
            documents = store._connection().execute("SELECT count(*) FROM sections").fetchone()
            print(f"documents in the copy: {documents[0]}")
            warm(store, items)
            baseline = Window("no writes")
            engine_module.REBUILD_SPACING = DEFAULT_SPACING
            measure(store, items, args.baseline_seconds, baseline)
            windows: list[Window] = []
            version = 0
            for pair in range(args.pairs):
                for name, spacing in (("OFF", 0.0), ("ON", DEFAULT_SPACING)):
                    window, version = run_window(
                        name=f"{name} #{pair + 1}",
                        spacing=spacing,
                        store=store,
                        items=items,
                        seconds=args.seconds,
                        db=db,
                        folders=folders,
                        live=live,
                        log=log,
                        start=version,
                        code=code,
                    )
                    windows.append(window)
                    print(row(window), flush=True)
                    for error in sorted(set(window.errors))[:5]:
                        print(f"  error: {error}")
                    if window.errors:
                        print(f"  ingest stderr: {log_tail(log, 500)}")
        finally:
            engine_module.REBUILD_SPACING = DEFAULT_SPACING
            store.close()
        if log.exists() and log.stat().st_size:
            print(f"ingest stderr (last 500 chars): {log_tail(log, 500)}")

    base_p50, base_p99 = percentiles(baseline.latencies)
    print(
        f"\nbaseline, no writes: {len(baseline.latencies)} searches, p50 {base_p50:.1f} ms,"
        f" p99 {base_p99:.1f} ms, max {max(baseline.latencies):.1f} ms"
    )
    print(
        f"writes: `python -m app ingest` rewriting {args.articles} articles in turn;"
        f" default REBUILD_SPACING {DEFAULT_SPACING},"
        f" COALESCE_FLOOR_SECONDS {engine_module.COALESCE_FLOOR_SECONDS}"
    )
    print(HEADER)
    for window in windows:
        print(row(window))
    for name in ("OFF", "ON"):
        merged = Window(f"{name} all")
        for window in windows:
            if window.name.split()[0] == name:
                merged.latencies += window.latencies
                merged.rebuilds += window.rebuilds
                merged.build_seconds += window.build_seconds
                merged.writes += window.writes
                merged.short_pages += window.short_pages
                merged.duplicate_hits += window.duplicate_hits
                merged.errors += window.errors
        print(row(merged))


if __name__ == "__main__":
    main()
