"""What only the SQLite store has: a file made in WAL mode, private in-memory stores, paths.
The behaviour both backends share is tested on both in tests/test_store.py."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from app.errors import StoreUnavailable
from app.search.request import SearchRequest
from app.store.base import open_store
from app.store.sqlite import SQLiteStore
from tests.test_store import article


def test_file_in_missing_directory_is_created_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "store.sqlite"
    opened = open_store(path)
    try:
        opened.upsert_article(article())
        opened.ping()
    finally:
        opened.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_memory_store_works_across_threads() -> None:
    opened = SQLiteStore(Path(":memory:"))
    try:
        opened.upsert_article(article())
        results: list[int] = []
        thread = threading.Thread(
            target=lambda: results.append(opened.search(SearchRequest(query="Iran")).total)
        )
        thread.start()
        thread.join()
        assert results == [2]
    finally:
        opened.close()


def test_unopenable_path_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreUnavailable):
        SQLiteStore(blocker / "store.sqlite")
