"""`article-qa export`, `ingest BACKUP` and `rebuild`: the store made again from its sources,
with the articles written over HTTP, creation times and slug history kept."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.ingest import http_article
from app.store import RawSource, Store, open_store
from tests.conftest import SEED_FILE, SEED_SLUG

REWORDED = "whats-the-ebrahim-raisi-plan-for-the-trip"
FAQ = "# Returns\n\n## Can I get my money back?\n\nYes, within 30 days.\n"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir whose store holds the seed (from its file) and one HTTP article, with
    some history: the seed's first heading was reworded once."""
    data = tmp_path / "data"
    (data / "articles").mkdir(parents=True)
    seed = data / "articles" / SEED_FILE.name
    original = SEED_FILE.read_text(encoding="utf-8")
    seed.write_text(original.replace("agenda of the trip", "plan for the trip"), "utf-8")
    assert main(["ingest", "--data-dir", str(data)]) == 0
    seed.write_text(original, encoding="utf-8")
    assert main(["ingest", "--data-dir", str(data)]) == 0
    store = open_store(data / "article-qa.db")
    try:
        parsed = http_article(slug="returns", data=FAQ.encode(), media_type="text/markdown")
        store.upsert_article(parsed.article, raw=RawSource(FAQ.encode(), "text/markdown"))
    finally:
        store.close()
    return data


def opened(data: Path) -> Store:
    return open_store(data / "article-qa.db")


def snapshot(data: Path) -> dict[str, tuple[str, str, str]]:
    store = opened(data)
    try:
        return {a.slug: (a.source, a.origin, a.created_at) for a in store.stored_articles()}
    finally:
        store.close()


def test_export_writes_every_article_with_its_bytes(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--data-dir", str(data_dir)]) == 0

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["slug"] for line in lines] == [
        "returns",
        "why-is-irans-president-ebrahim-raisi-visiting-pakistan-in-2024",
    ]
    assert all(line["format"] == "article-qa-backup/1" and line["data_base64"] for line in lines)
    assert lines[0]["origin"] == "http" and lines[0]["media_type"] == "text/markdown"


def test_rebuild_from_the_folder_and_a_backup(data_dir: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.jsonl"
    assert main(["export", "--data-dir", str(data_dir), "--output", str(backup)]) == 0
    before = snapshot(data_dir)
    # The store is lost: only the folder and the backup are left.
    (data_dir / "article-qa.db").write_bytes(b"this is not a database" * 100)

    assert main(["rebuild", "--data-dir", str(data_dir), "--from", str(backup)]) == 1

    assert snapshot(data_dir) == before  # the old store's history is lost, so exit code 1


def test_rebuild_keeps_history_of_a_readable_store(data_dir: Path) -> None:
    before = snapshot(data_dir)
    store = opened(data_dir)
    try:
        feed = store.changes(since=0, limit=100)
    finally:
        store.close()

    assert main(["rebuild", "--data-dir", str(data_dir)]) == 0

    assert snapshot(data_dir) == before
    store = opened(data_dir)
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


def test_ingest_restores_a_backup_into_an_empty_store(data_dir: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.jsonl"
    assert main(["export", "--data-dir", str(data_dir), "--output", str(backup)]) == 0
    empty = tmp_path / "empty.db"

    assert main(["ingest", str(backup), "--db", str(empty)]) == 0

    store = open_store(empty)
    try:
        assert {a.slug for a in store.stored_articles()} == set(snapshot(data_dir))
        assert store.get_stored_article("returns").created_at == snapshot(data_dir)["returns"][2]
    finally:
        store.close()


def test_a_broken_backup_line_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    backup = tmp_path / "broken.jsonl"
    backup.write_text('{"format": "article-qa-backup/1"}\n', encoding="utf-8")

    assert main(["ingest", str(backup), "--db", str(tmp_path / "s.db")]) == 1

    assert "line 1" in capsys.readouterr().err


def test_rebuild_never_replays_the_old_write_ahead_log(data_dir: Path) -> None:
    db = data_dir / "article-qa.db"
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

    assert main(["rebuild", "--data-dir", str(data_dir)]) == 0

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        titles = [title for (title,) in connection.execute("SELECT title FROM articles")]
    assert not any(title.endswith("49") for title in titles)
