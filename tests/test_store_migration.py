"""A store written by the release before schema 2 opens, migrates forward and loses nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.errors import StoreUnavailable
from app.ingest import FileStatus, sync_folder
from app.parsing.body_markdown import plain_text
from app.search.request import SearchRequest
from app.store import open_store
from app.store.schema import SCHEMA_VERSION
from tests.conftest import (
    SEED_FILE,
    SEED_SLUG,
    TWIN_FILE_NAME,
    TWIN_SLUG,
    TWIN_TEXT,
    StoreFactory,
)
from tools.evaluation.relevance import article_from_sections

# Made by `article-qa ingest` of commit 9184ccb (schema 1) from the seed at the top of
# articles/ and the twin in articles/explainers/.
SCHEMA_1_STORE = Path(__file__).parent / "fixtures" / "store-schema-1.db"


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    copy = tmp_path / "store.db"
    shutil.copy(SCHEMA_1_STORE, copy)
    return copy


def schema_version(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    return int(row[0])


def test_the_fixture_is_a_schema_1_store() -> None:
    assert schema_version(SCHEMA_1_STORE) == 1


def test_opening_migrates_without_losing_articles(old_store: Path) -> None:
    store = open_store(old_store)
    try:
        assert schema_version(old_store) == SCHEMA_VERSION
        page = store.list_articles(limit=10, offset=0)
        assert {item.slug for item in page.items} == {SEED_SLUG, TWIN_SLUG}
        assert all(item.origin == "file" and item.created_at for item in page.items)
        article = store.get_stored_article(SEED_SLUG)
        assert article.origin == "file" and article.sections
        assert store.search(SearchRequest(query="gas pipeline")).total > 0
        # The feed starts with what the store held.
        feed = store.changes(since=0, limit=10)
        assert {(c.kind, c.article_slug) for c in feed.items} == {
            ("created", SEED_SLUG),
            ("created", TWIN_SLUG),
        }
    finally:
        store.close()


def test_a_migrated_store_syncs_to_the_same_slugs(old_store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "explainers").mkdir(parents=True)
    shutil.copy(SEED_FILE, folder / SEED_FILE.name)
    (folder / "explainers" / TWIN_FILE_NAME).write_text(TWIN_TEXT, encoding="utf-8")
    store = open_store(old_store)
    try:
        created = {i.slug: i.created_at for i in store.list_articles(limit=10, offset=0).items}
        summary = sync_folder(store=store, folder=folder)
        assert summary.ok
        # Schema 1 knew the nested file by its name alone: the same article, moved in place.
        reasons = {report.slug: report.reason for report in summary.reports}
        assert reasons[TWIN_SLUG] == f"renamed from {TWIN_FILE_NAME}"
        kinds = [change.kind for change in store.changes(since=0, limit=20).items]
        assert "deleted" not in kinds
        after = {i.slug: i.created_at for i in store.list_articles(limit=10, offset=0).items}
        assert after == created
        assert store.source_hashes().keys() == {
            SEED_FILE.name,
            f"explainers/{TWIN_FILE_NAME}",
        }
        assert {slug for slug, _ in store.source_hashes().values()} == {SEED_SLUG, TWIN_SLUG}
        again = sync_folder(store=store, folder=folder)
        assert {report.status for report in again.reports} == {FileStatus.UNCHANGED}
    finally:
        store.close()


def test_migrating_twice_is_a_no_op(old_store: Path) -> None:
    open_store(old_store).close()
    store = open_store(old_store)
    try:
        assert len(store.changes(since=0, limit=10).items) == 2
    finally:
        store.close()


def test_a_store_from_a_newer_release_is_refused(old_store: Path) -> None:
    open_store(old_store).close()
    with sqlite3.connect(old_store) as connection:
        connection.execute("UPDATE meta SET value = 99 WHERE key = 'schema'")
    with pytest.raises(StoreUnavailable, match="newer"):
        open_store(old_store)


def test_a_schema_3_store_gains_markdown_and_reads_its_bodies_as_before(
    store_factory: StoreFactory, tmp_path: Path
) -> None:
    """Schema 3 (before bodies had a Markdown form) -> 4 on both backends: the old rows read
    the Markdown of their plain text (its Markdown characters escaped) until the next sync
    parses them again; then the Markdown is the parser's."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "faq.md").write_text(
        "# Returns\n\n## Can I get my money back?\n\nYes, within **30 days**.\n",
        encoding="utf-8",
    )
    store = store_factory.open()
    sync_folder(store=store, folder=folder)
    store.close()
    as_schema_3(store_factory)

    store = store_factory.open()
    [section] = store.get_article("returns").sections
    assert (section.body, section.body_markdown) == ("Yes, within 30 days.", "Yes, within 30 days.")
    assert [r.status for r in sync_folder(store=store, folder=folder).reports] == [
        FileStatus.UPDATED
    ]
    [section] = store.get_article("returns").sections
    assert section.body_markdown == "Yes, within **30 days**."


def test_a_schema_3_body_reads_as_its_escaped_text(store_factory: StoreFactory) -> None:
    store = store_factory.open()
    store.upsert_article(
        article_from_sections(title="Notes", sections=[("Why?", "Use a*b*c or [x] <y>.")])
    )
    store.close()
    as_schema_3(store_factory)

    store = store_factory.open()
    [section] = store.get_article("notes").sections
    assert section.body == "Use a*b*c or [x] <y>."
    assert plain_text(section.body_markdown) == section.body
    assert section.body_markdown == r"Use a\*b\*c or \[x\] \<y\>."


def as_schema_3(store_factory: StoreFactory) -> None:
    """The store as schema 3 left it, written by the code before (another fingerprint)."""
    store_factory.execute("ALTER TABLE sections DROP COLUMN markdown")
    store_factory.execute("UPDATE meta SET value = 3 WHERE key = 'schema'")
    store_factory.execute("UPDATE build SET value = 'schema-3-code' WHERE key = 'fingerprint'")
