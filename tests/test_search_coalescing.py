"""Writes arriving all the time do not make every search rebuild the index view: a view that
was slow to build answers a little longer, without errors or hits that no longer exist."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.evaluation.relevance import article_from_sections
from app.models import Article
from app.search.engine import SearchEngine
from app.search.request import SearchRequest
from app.store.sqlite import SQLiteStore, _Reader


def article(title: str, heading: str, body: str) -> Article:
    return article_from_sections(
        title=title, sections=[(heading, body)], source=f"{title.lower().replace(' ', '-')}.md"
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    opened = SQLiteStore(tmp_path / "store.db")
    opened.upsert_article(article("Solar power", "How do panels work?", "Photovoltaic cells."))
    yield opened
    opened.close()


def pretend_slow(engine: SearchEngine, seconds: float) -> None:
    """As if the current view had taken `seconds` to build, just now."""
    snapshot = engine._snapshot
    assert snapshot is not None
    engine._snapshot = dataclasses.replace(snapshot, build_seconds=seconds)


def total(store: SQLiteStore, query: str) -> int:
    return store.search(SearchRequest(query=query)).total


def test_a_quick_view_is_rebuilt_after_every_write(store: SQLiteStore) -> None:
    assert total(store, "wind") == 0
    store.upsert_article(article("Wind power", "How do turbines work?", "Wind turns blades."))
    assert total(store, "wind") == 1


def test_a_slow_view_keeps_answering_for_a_while(store: SQLiteStore) -> None:
    assert total(store, "photovoltaic") == 1
    pretend_slow(store._engine, 60.0)
    store.upsert_article(article("Wind power", "How do turbines work?", "Wind turns blades."))
    store.delete_article("solar-power")

    # The old view answers: new documents are unknown to it, deleted ones are left out.
    assert total(store, "wind") == 0
    results = store.search(SearchRequest(query="photovoltaic"))
    assert results.hits == [] and results.total == 0

    pretend_slow(store._engine, 0.0)
    assert total(store, "wind") == 1
    assert total(store, "photovoltaic") == 0


def test_new_documents_never_reach_an_old_view(store: SQLiteStore) -> None:
    store.search(SearchRequest(query="panels"))
    pretend_slow(store._engine, 60.0)
    for number in range(5):
        store.upsert_article(
            article(f"Panels {number}", "Which panels are best?", f"Panels of kind {number}.")
        )
    with store._read() as connection:
        snapshot = store._engine.snapshot(_Reader(connection))
        assert snapshot.max_id < max(
            doc_id for (doc_id,) in connection.execute("SELECT id FROM sections")
        )
    assert total(store, "panels") == 1


def test_an_older_reader_never_fills_a_newer_view_with_its_postings(
    store: SQLiteStore, tmp_path: Path
) -> None:
    older = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
    try:
        older.execute("BEGIN")
        older.execute("SELECT count(*) FROM sections").fetchone()  # its snapshot starts here
        store.upsert_article(article("More solar", "Are panels cheap?", "Photovoltaic prices."))
        assert total(store, "panels") == 2  # builds the view of the newer generation
        pretend_slow(store._engine, 60.0)  # which the older reader may then use
        seen = store._engine.search(_Reader(older), SearchRequest(query="photovoltaic"))
        assert seen.total == 1  # the older transaction sees one document
        older.execute("COMMIT")
    finally:
        older.close()
    assert total(store, "photovoltaic") == 2
