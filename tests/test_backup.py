"""`article-qa export`, `ingest BACKUP` and `rebuild`: the store made again from its sources,
with the articles written over HTTP, creation times and slug history kept. Export and
restore run on both backends; `rebuild` makes a SQLite file again, so only on SQLite."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.ingest import http_article
from app.store import RawSource, open_store
from tests.conftest import SEED_FILE, SEED_SLUG, StoreFactory

REWORDED = "whats-the-ebrahim-raisi-plan-for-the-trip"
FAQ = "# Returns\n\n## Can I get my money back?\n\nYes, within 30 days.\n"


# `rebuild` makes a SQLite file again: its tests run on that backend alone.
sqlite_only = pytest.mark.parametrize("store_backend", ["sqlite"])


@pytest.fixture
def db(store_factory: StoreFactory) -> str:
    """The store of each backend in turn, named to every command with --db."""
    return store_factory.location


@pytest.fixture
def data_dir(tmp_path: Path, db: str) -> Path:
    """A data dir whose store holds the seed (from its file) and one HTTP article, with
    some history: the seed's first heading was reworded once."""
    data = tmp_path / "data"
    (data / "articles").mkdir(parents=True)
    seed = data / "articles" / SEED_FILE.name
    original = SEED_FILE.read_text(encoding="utf-8")
    seed.write_text(original.replace("agenda of the trip", "plan for the trip"), "utf-8")
    assert main(["ingest", "--data-dir", str(data), "--db", db]) == 0
    seed.write_text(original, encoding="utf-8")
    assert main(["ingest", "--data-dir", str(data), "--db", db]) == 0
    store = open_store(db)
    try:
        parsed = http_article(slug="returns", data=FAQ.encode(), media_type="text/markdown")
        store.upsert_article(parsed.article, raw=RawSource(FAQ.encode(), "text/markdown"))
    finally:
        store.close()
    return data


def snapshot(db: str) -> dict[str, tuple[str, str, str]]:
    store = open_store(db)
    try:
        return {a.slug: (a.source, a.origin, a.created_at) for a in store.stored_articles()}
    finally:
        store.close()


def test_export_writes_every_article_with_its_bytes(
    data_dir: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--data-dir", str(data_dir), "--db", db]) == 0

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["slug"] for line in lines] == [
        "returns",
        "why-is-irans-president-ebrahim-raisi-visiting-pakistan-in-2024",
    ]
    assert all(line["format"] == "article-qa-backup/1" and line["data_base64"] for line in lines)
    assert lines[0]["origin"] == "http" and lines[0]["media_type"] == "text/markdown"


@sqlite_only
def test_rebuild_from_the_folder_and_a_backup(data_dir: Path, db: str, tmp_path: Path) -> None:
    backup = tmp_path / "backup.jsonl"
    assert main(["export", "--data-dir", str(data_dir), "--db", db, "--output", str(backup)]) == 0
    before = snapshot(db)
    # The store is lost: only the folder and the backup are left.
    Path(db).write_bytes(b"this is not a database" * 100)

    assert main(["rebuild", "--data-dir", str(data_dir), "--db", db, "--from", str(backup)]) == 1

    assert snapshot(db) == before  # the old store's history is lost, so exit code 1


@sqlite_only
def test_rebuild_keeps_history_of_a_readable_store(data_dir: Path, db: str) -> None:
    before = snapshot(db)
    store = open_store(db)
    try:
        feed = store.changes(since=0, limit=100)
    finally:
        store.close()

    assert main(["rebuild", "--data-dir", str(data_dir), "--db", db]) == 0

    assert snapshot(db) == before
    store = open_store(db)
    try:
        assert store.changes(since=0, limit=100) == feed  # pollers see nothing new
        assert store.get_article("returns").origin == "http"
        with pytest.raises(Exception, match="moved"):
            store.get_section(
                article_slug=SEED_SLUG, section_slug="whats-the-ebrahim-raisi-plan-for-the-trip"
            )
        assert store.check_integrity(full=True) is None
    finally:
        store.close()


def test_ingest_restores_a_backup_into_an_empty_store(
    data_dir: Path, db: str, store_factory: StoreFactory, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.jsonl"
    assert main(["export", "--data-dir", str(data_dir), "--db", db, "--output", str(backup)]) == 0
    empty = store_factory.new_location()

    assert main(["ingest", str(backup), "--db", empty]) == 0

    restored = snapshot(empty)
    assert set(restored) == set(snapshot(db))
    assert restored["returns"] == snapshot(db)["returns"]  # created_at kept


def test_a_broken_backup_line_is_named(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "broken.jsonl"
    backup.write_text('{"format": "article-qa-backup/1"}\n', encoding="utf-8")

    assert main(["ingest", str(backup), "--db", db]) == 1

    assert "line 1" in capsys.readouterr().err


@sqlite_only
def test_rebuild_never_replays_the_old_write_ahead_log(data_dir: Path, db: str) -> None:
    # A writer killed mid-way leaves a write-ahead log beside the old file; replayed onto
    # the new file, its pages would corrupt it.
    crash = (
        "import os, sqlite3\n"
        f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "for n in range(50):\n"
        "    c.execute('UPDATE articles SET title = title || ?', (str(n),))\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", crash], check=True)
    assert Path(f"{db}-wal").stat().st_size > 0

    assert main(["rebuild", "--data-dir", str(data_dir), "--db", db]) == 0

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        titles = [title for (title,) in connection.execute("SELECT title FROM articles")]
    assert not any(title.endswith("49") for title in titles)
