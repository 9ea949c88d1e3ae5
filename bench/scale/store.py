"""The store of the corpus, built by `article-qa ingest` and timed against plain SQLite +
FTS5 storing the same rows; cached with those figures for the later runs."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from app.store import open_store
from bench.scale.context import Bench
from bench.scale.models import (
    IngestFigures,
)


class StoreManifest(BaseModel):
    """Beside the cache: which corpus a store was built from, by which schema, and the
    ingest figures measured while building it."""

    db: str
    corpus_key: str
    schema_version: str
    articles: int
    ingest: IngestFigures


def schema_version(db: str) -> str:
    if "://" in db:
        return db.split("://", 1)[0]
    from app.store.schema import SCHEMA_VERSION

    return f"sqlite-{SCHEMA_VERSION}"


def _stored_articles(db: str) -> int:
    store = open_store(db, create=False)
    try:
        return len(store.source_hashes())
    finally:
        store.close()


def _megabytes(path: Path) -> float:
    total = sum(
        Path(f"{path}{suffix}").stat().st_size
        for suffix in ("", "-wal")
        if Path(f"{path}{suffix}").exists()
    )
    return round(total / 1e6, 1)


def _pg_megabytes(url: str) -> float:
    """The PostgreSQL database's size; 0 (shown as n/a) when it cannot be asked."""
    try:
        import psycopg

        with psycopg.connect(url) as connection:
            row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
    except Exception:  # no driver, no rights: the size is a nicety, not a figure to fail on
        return 0.0
    return round(int(row[0]) / 1e6, 1) if row else 0.0


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def ensure_store(bench: Bench, *, fresh: bool) -> IngestFigures:
    """The store of the corpus: reused when the cache says it matches (with the ingest
    figures of the run that built it), else built by `article-qa ingest` into an empty store
    and timed against the SQLite + FTS5 baseline storing the same rows."""
    key = hashlib.sha256(bench.db.encode()).hexdigest()[:16]
    manifest_path = bench.cache / "stores" / f"{key}.json"
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    ours = False  # built by this benchmark: a SQLite file it may delete
    if manifest_path.is_file():
        cached = StoreManifest.model_validate_json(manifest_path.read_text())
        ours = cached.db == bench.db
        matches = (
            ours
            and cached.corpus_key == bench.corpus.key
            and cached.schema_version == schema_version(bench.db)
            and (not bench.is_sqlite or Path(bench.db).is_file())
        )
        if not fresh and matches and _stored_articles(bench.db) == cached.articles:
            bench.say(f"store: cached, {cached.articles:,} articles in {bench.db}")
            return cached.ingest.model_copy(update={"cached": True})
        bench.say("store: building it again (asked to, or the cached one does not match)")
    manifest_path.unlink(missing_ok=True)
    exists = not bench.is_sqlite or Path(bench.db).is_file()
    # Never empty a store this benchmark did not build: --db may name someone's real one.
    if exists and not (bench.is_sqlite and ours) and _stored_articles(bench.db):
        raise RuntimeError(
            f"the store at {bench.db} holds articles this benchmark did not put there for "
            "this corpus: give another --db, or an empty database (PostgreSQL: dropdb and "
            "createdb)"
        )
    if bench.is_sqlite:
        Path(bench.db).parent.mkdir(parents=True, exist_ok=True)
        remove_sqlite(Path(bench.db))
    figures = _measure_ingest(bench)
    manifest = StoreManifest(
        db=bench.db,
        corpus_key=bench.corpus.key,
        schema_version=schema_version(bench.db),
        articles=figures.articles,
        ingest=figures,
    )
    manifest_path.write_text(manifest.model_dump_json(indent=1))
    return figures


def _timed_process(bench: Bench, args: list[str], log: Path) -> float:
    with log.open("wb") as output:
        started = time.perf_counter()
        process = bench.children.spawn(args, output=output)
        try:
            code = process.wait()
        finally:
            bench.children.stop(process)
        seconds = time.perf_counter() - started
    if code not in (0, 1):  # 1: some file skipped, which the counts then show
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"{args[2:5]} exited with {code}; see {log}:\n{tail}")
    return seconds


def _read_all(folder: Path) -> int:
    """Read every file once, so that neither ingest pays for a cold disk cache."""
    return sum(len(path.read_bytes()) for path in folder.rglob("*.md"))


def _measure_ingest(bench: Bench) -> IngestFigures:
    articles_dir = bench.corpus.articles_dir
    bench.say(f"ingest: reading the corpus once ({_read_all(articles_dir) / 1e6:.0f} MB)")
    baseline_db = bench.cache / "stores" / f"fts5-baseline-{os.getpid()}.sqlite"
    bench.say("ingest: SQLite + FTS5 baseline storing the same rows")
    baseline_seconds = _timed_process(
        bench,
        [sys.executable, "-m", "bench.scale.fts_baseline", str(articles_dir), str(baseline_db)],
        bench.run_dir / "ingest-baseline.log",
    )
    line = (bench.run_dir / "ingest-baseline.log").read_text().strip().splitlines()[-1]
    baseline_articles = int(json.loads(line)["articles"])
    baseline_mb = _megabytes(baseline_db)
    remove_sqlite(baseline_db)
    bench.say(
        f"ingest: baseline {baseline_articles:,} articles in {baseline_seconds:.1f} s; "
        f"now `article-qa ingest` into {bench.db}"
    )
    log = bench.run_dir / "ingest.log"
    seconds = _timed_process(
        bench,
        [
            sys.executable,
            "-m",
            "app",
            "ingest",
            "--data-dir",
            bench.corpus.folder,
            "--db",
            bench.db,
            str(articles_dir),
        ],
        log,
    )
    counts = _summary_counts(log)
    ingested = counts.get("ingested", 0)
    bench.say(f"ingest: article-qa {ingested:,} articles in {seconds:.1f} s ({counts})")
    if ingested != bench.corpus.articles:
        raise RuntimeError(
            f"article-qa ingested {ingested} of {bench.corpus.articles} articles; see {log}"
        )
    per_second = ingested / seconds
    baseline_per_second = baseline_articles / baseline_seconds
    return IngestFigures(
        articles=ingested,
        sections=bench.corpus.sections,
        skipped=counts.get("skipped", 0),
        seconds=round(seconds, 2),
        per_second=round(per_second, 1),
        baseline_seconds=round(baseline_seconds, 2),
        baseline_per_second=round(baseline_per_second, 1),
        ratio=round(per_second / baseline_per_second, 4),
        store_megabytes=_megabytes(Path(bench.db)) if bench.is_sqlite else _pg_megabytes(bench.db),
        baseline_megabytes=baseline_mb,
        commit=bench.commit,
        measured_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def _summary_counts(log: Path) -> dict[str, int]:
    """The counts of ingest's last line: `summary: 3 ingested, 0 updated, ...`."""
    for line in reversed(log.read_text(errors="replace").splitlines()):
        if line.startswith("summary:"):
            counts: dict[str, int] = {}
            for part in line.removeprefix("summary:").split(","):
                number, _, name = part.strip().partition(" ")
                if number.isdigit():
                    counts[name] = int(number)
            return counts
    raise RuntimeError(f"no summary line in {log}")
