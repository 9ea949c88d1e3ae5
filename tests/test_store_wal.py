"""The write-ahead log stays bounded while readers never stop reading (a served store)."""

from __future__ import annotations

import threading
from pathlib import Path

from app.search.request import SearchRequest
from app.store.sqlite import SQLiteStore
from tools.evaluation.relevance import article_from_sections

LIMIT = 256 * 1024


def test_the_log_is_emptied_under_steady_reads(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    writer = SQLiteStore(db, wal_limit_bytes=LIMIT)
    reader = SQLiteStore(db)  # as a server process would read it
    stop = threading.Event()
    biggest = 0

    def read() -> None:
        while not stop.is_set():
            reader.search(SearchRequest(query="bounded log"))
            reader.list_articles(limit=5, offset=0)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for number in range(300):
            body = f"Version {number} of a bounded log. " * 40
            writer.upsert_article(
                article_from_sections(
                    title="A bounded log",
                    sections=[("What does the log hold?", body)],
                    content_hash=str(number),
                    source="log.md",
                )
            )
            biggest = max(biggest, Path(f"{db}-wal").stat().st_size)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        reader.close()
        writer.close()
    # Without the checkpoint the log grows past 4 MB here; with it, it stays near the limit.
    assert biggest < 4 * LIMIT
