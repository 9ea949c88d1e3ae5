"""SQLiteStore on real files: upsert outcomes, lookups, errors, paging, WAL, threads."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.api.lookup import resolve_section
from app.errors import ArticleNotFound, Gone, Moved, SectionNotFound, StoreUnavailable
from app.evaluation.relevance import article_from_sections
from app.ingest import FileStatus, sync_folder
from app.models import Article, DroppedText
from app.search.request import SearchRequest
from app.store.base import UpsertOutcome, open_store
from app.store.sqlite import SQLiteStore

SECTIONS = [
    ("What’s the status of Iran-Pakistan ties?", "Both nations are eyeing energy connections."),
    ("Why is the Pakistan-Iran relationship vital?", "Tensions flared up earlier this year."),
]


def article(title: str = "Raisi visits Pakistan", **changes: object) -> Article:
    built = article_from_sections(title=title, sections=SECTIONS, lead="A short lead.")
    return built.model_copy(update=changes)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    opened = SQLiteStore(tmp_path / "store.sqlite")
    yield opened
    opened.close()


def test_insert_then_unchanged_then_updated(store: SQLiteStore) -> None:
    first = article()
    assert store.upsert_article(first).outcome is UpsertOutcome.INSERTED
    assert store.upsert_article(first).outcome is UpsertOutcome.UNCHANGED
    changed = first.model_copy(update={"content_hash": "other", "lead": "A new lead."})
    assert store.upsert_article(changed).outcome is UpsertOutcome.UPDATED
    assert store.get_article(first.slug) == changed


def test_unchanged_upsert_writes_nothing(store: SQLiteStore) -> None:
    store.upsert_article(article())
    before = store.generation()
    store.upsert_article(article())
    assert store.generation() == before


def test_get_article_returns_exactly_what_was_upserted(store: SQLiteStore) -> None:
    original = article().model_copy(
        update={"dropped": [DroppedText(text="Share this", reason="share-widget")]}
    )
    store.upsert_article(original)
    assert store.get_article(original.slug) == original


def test_update_replaces_all_sections(store: SQLiteStore) -> None:
    first = article()
    store.upsert_article(first)
    fewer = article_from_sections(
        title=first.title, sections=[("Only one?", "Single body.")], content_hash="new"
    )
    store.upsert_article(fewer)
    assert [s.slug for s in store.get_article(first.slug).sections] == ["only-one"]
    # The first heading was reworded in place: its URL moved; the second one is gone.
    with pytest.raises(Moved):
        store.get_section(article_slug=first.slug, section_slug=first.sections[0].slug)
    with pytest.raises(Gone):
        store.get_section(article_slug=first.slug, section_slug=first.sections[1].slug)
    assert store.search(SearchRequest(query="tensions")).total == 0


def test_same_title_from_another_source_gets_a_suffixed_slug(store: SQLiteStore) -> None:
    first = store.upsert_article(article())
    second = store.upsert_article(article(source="elsewhere/copy.txt", content_hash="x"))
    assert first.slug == article().slug
    assert second.slug.startswith(f"{article().slug}-") and second.slug != first.slug
    assert store.get_article(second.slug).source == "elsewhere/copy.txt"
    assert store.get_article(second.slug).sections[0].url.startswith(f"/articles/{second.slug}/")


def test_renamed_title_replaces_the_old_slug(store: SQLiteStore) -> None:
    first = article()
    store.upsert_article(first)
    renamed = article(title="Raisi in Islamabad", source=first.source)
    assert store.upsert_article(renamed).outcome is UpsertOutcome.UPDATED
    assert store.source_hashes() == {first.source: (renamed.slug, renamed.content_hash)}


@pytest.mark.parametrize(
    ("wanted", "suggestion"),
    [
        pytest.param("raisi-visits-pakistn", "raisi-visits-pakistan", id="typo"),
        pytest.param("raisi-visits", "raisi-visits-pakistan", id="truncated"),
    ],
)
def test_missing_article_suggests_nearest_slugs(
    store: SQLiteStore, wanted: str, suggestion: str
) -> None:
    store.upsert_article(article())
    with pytest.raises(ArticleNotFound) as raised:
        store.get_article(wanted)
    assert raised.value.slug == wanted
    assert store.suggest_article_slugs(wanted) == [suggestion]


POD_ARTICLE = article_from_sections(
    title="Kubernetes basics",
    sections=[
        ("What is a pod?", "The smallest deployable unit."),
        ("What is a node?", "A worker machine."),
        ("Why use containers?", "Isolation and portability."),
    ],
)


@pytest.mark.parametrize(
    "wanted",
    [
        pytest.param("what-is-a-pdo", id="transposed-letters"),
        pytest.param("WHAT-IS-A-POD", id="upper-case"),
        pytest.param("What-Is-A-Pod", id="title-case"),
        pytest.param("what-is-a-po", id="truncated"),
    ],
)
@pytest.mark.parametrize(
    "scoped", [pytest.param(False, id="any-article"), pytest.param(True, id="in-article")]
)
def test_missing_section_suggests_the_nearest_slug(
    store: SQLiteStore, wanted: str, scoped: bool
) -> None:
    store.upsert_article(article())
    store.upsert_article(POD_ARTICLE)
    scope = POD_ARTICLE.slug if scoped else None
    assert store.suggest_section_slugs(wanted, article_slug=scope)[0] == "what-is-a-pod"
    with pytest.raises(SectionNotFound) as raised:
        store.get_section(article_slug=POD_ARTICLE.slug, section_slug=wanted)
    assert raised.value.suggestions[0] == "what-is-a-pod"


def test_section_suggestions_follow_writes_and_skip_strangers(store: SQLiteStore) -> None:
    store.upsert_article(article())
    assert store.suggest_section_slugs("what-is-a-pdo") == []  # nothing similar yet
    store.upsert_article(POD_ARTICLE)
    assert store.suggest_section_slugs("what-is-a-pdo")[:2] == ["what-is-a-pod", "what-is-a-node"]
    assert store.suggest_section_slugs("zzzz-qqqq") == []
    assert store.suggest_section_slugs("what-is-a-pod", article_slug="no-such-article") == []
    store.delete_article(POD_ARTICLE.slug)
    assert store.suggest_section_slugs("what-is-a-pdo") == []


def test_bare_slug_lookup_suggests_across_articles(store: SQLiteStore) -> None:
    store.upsert_article(article())
    store.upsert_article(POD_ARTICLE)
    for wanted in ("what-is-a-pdo", "WHAT-IS-A-POD"):
        with pytest.raises(SectionNotFound) as raised:
            asyncio.run(resolve_section(store=store, section_slug=wanted))
        assert raised.value.suggestions[0] == "what-is-a-pod"


def test_get_section_and_its_errors(store: SQLiteStore) -> None:
    stored = article()
    store.upsert_article(stored)
    wanted = stored.sections[1]
    assert store.get_section(article_slug=stored.slug, section_slug=wanted.slug) == wanted
    with pytest.raises(SectionNotFound) as raised:
        store.get_section(article_slug=stored.slug, section_slug="why-is-the-relationship")
    assert raised.value.suggestions[0] == wanted.slug
    with pytest.raises(ArticleNotFound):
        store.get_section(article_slug="nope", section_slug=wanted.slug)


def test_find_sections_by_slug_spans_articles(store: SQLiteStore) -> None:
    store.upsert_article(article())
    store.upsert_article(article(title="A twin article", source="twin.txt"))
    twin_slug = article(title="A twin article").slug
    found = store.find_sections_by_slug(SECTIONS[0][0].lower().replace(" ", "-"))
    assert found == []  # not the slug: slugs are slugified headings
    slug = article().sections[0].slug
    assert {s.article_slug for s in store.find_sections_by_slug(slug)} == {
        article().slug,
        twin_slug,
    }


def test_list_articles_is_paged_by_title_then_slug(store: SQLiteStore) -> None:
    for index, title in enumerate(["Beta", "alpha", "Alpha", "Gamma"]):
        slug = f"{title.lower()}-{index}"
        store.upsert_article(article(title=title, slug=slug, source=f"{slug}.txt"))
    first = store.list_articles(limit=2, offset=0)
    second = store.list_articles(limit=2, offset=2)
    assert first.total == 4
    titles = [a.title for a in first.items + second.items]
    assert titles == ["Alpha", "Beta", "Gamma", "alpha"]
    assert first.items[0].url == f"/articles/{first.items[0].slug}"
    assert first.items[0].section_count == 2


def test_delete_article(store: SQLiteStore) -> None:
    stored = article()
    store.upsert_article(stored)
    assert store.delete_article(stored.slug) is True
    assert store.delete_article(stored.slug) is False
    assert store.search(SearchRequest(query="Pakistan")).total == 0
    assert store.source_hashes() == {}


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


def test_closed_store_does_not_answer(tmp_path: Path) -> None:
    opened = SQLiteStore(tmp_path / "store.sqlite")
    opened.close()
    with pytest.raises(StoreUnavailable):
        opened.ping()


def test_readers_never_see_half_an_article(tmp_path: Path) -> None:
    """While one thread rewrites an article, readers in other threads and a second store
    (another process would behave the same) always see all of its sections or none."""
    path = tmp_path / "store.sqlite"
    writer = SQLiteStore(path)
    reader = SQLiteStore(path)
    bodies = [(f"Question {n}?", f"shared answer word{n}") for n in range(20)]
    stop = threading.Event()
    seen: set[int] = set()
    errors: list[BaseException] = []

    def write() -> None:
        for version in range(15):
            writer.upsert_article(
                article_from_sections(
                    title="Churn", sections=bodies, content_hash=str(version), source="c.txt"
                )
            )
        stop.set()

    def read() -> None:
        try:
            while not stop.is_set():
                seen.add(reader.search(SearchRequest(query="shared answer", limit=1)).total)
        except BaseException as error:  # surfaced below, in the test thread
            errors.append(error)

    threads = [threading.Thread(target=write), *(threading.Thread(target=read) for _ in range(2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    reader.close()
    assert not errors
    assert seen <= {0, 20}


def test_a_store_written_by_other_code_re_ingests_on_the_next_sync(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    seed = Path(__file__).parents[1] / "data" / "articles" / "raisi-visit-pakistan.txt"
    (folder / seed.name).write_bytes(seed.read_bytes())
    db = tmp_path / "store.db"
    store = SQLiteStore(db)
    sync_folder(store=store, folder=folder)
    store.close()
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE build SET value = 'older-parser' WHERE key = 'fingerprint'")

    reopened = SQLiteStore(db)
    try:
        assert reopened.source_hashes()[seed.name][1] == ""  # forgotten: re-parse next time
        [report] = sync_folder(store=reopened, folder=folder).reports
        # Parsed again; the same article comes out, so only its hash is written back.
        assert report.status in {FileStatus.UPDATED, FileStatus.UNCHANGED}
        assert reopened.source_hashes()[seed.name][1] != ""
        [report] = sync_folder(store=reopened, folder=folder).reports
        assert report.status is FileStatus.UNCHANGED
    finally:
        reopened.close()
