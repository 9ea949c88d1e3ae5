"""The store's behaviour, on every backend (SQLite and PostgreSQL): upsert outcomes, lookups,
errors, paging, slug suggestions, readers during writes, the re-ingest after a parser change."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from app.api.lookup import resolve_section
from app.errors import ArticleNotFound, Gone, Moved, SectionNotFound, StoreUnavailable
from app.ingest import FileStatus, sync_folder
from app.models import Article, DroppedText
from app.parsing.rules import DropReason
from app.search.request import SearchRequest
from app.store.base import UpsertOutcome
from app.store.salvage import ChangeRow, RetiredRow, Salvage
from app.store.sql import SQLStore
from tests.conftest import SEED_FILE, StoreFactory
from tools.evaluation.relevance import article_from_sections

SECTIONS = [
    ("What’s the status of Iran-Pakistan ties?", "Both nations are eyeing energy connections."),
    ("Why is the Pakistan-Iran relationship vital?", "Tensions flared up earlier this year."),
]


def article(title: str = "Raisi visits Pakistan", **changes: object) -> Article:
    built = article_from_sections(title=title, sections=SECTIONS, lead="A short lead.")
    return built.model_copy(update=changes)


@pytest.fixture
def store(any_store: SQLStore) -> SQLStore:
    return any_store


def test_insert_then_unchanged_then_updated(store: SQLStore) -> None:
    first = article()
    assert store.upsert_article(first).outcome is UpsertOutcome.INSERTED
    assert store.upsert_article(first).outcome is UpsertOutcome.UNCHANGED
    changed = first.model_copy(update={"content_hash": "other", "lead": "A new lead."})
    assert store.upsert_article(changed).outcome is UpsertOutcome.UPDATED
    assert store.get_article(first.slug) == changed


def test_unchanged_upsert_writes_nothing(store: SQLStore) -> None:
    store.upsert_article(article())
    before = store.generation()
    store.upsert_article(article())
    assert store.generation() == before


def test_get_article_returns_exactly_what_was_upserted(store: SQLStore) -> None:
    original = article().model_copy(
        update={"dropped": [DroppedText(text="Share this", reason=DropReason.SHARE_WIDGET)]}
    )
    store.upsert_article(original)
    assert store.get_article(original.slug) == original


def test_update_replaces_all_sections(store: SQLStore) -> None:
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


def test_same_title_from_another_source_gets_a_suffixed_slug(store: SQLStore) -> None:
    first = store.upsert_article(article())
    second = store.upsert_article(article(source="elsewhere/copy.txt", content_hash="x"))
    assert first.slug == article().slug
    assert second.slug.startswith(f"{article().slug}-") and second.slug != first.slug
    assert store.get_article(second.slug).source == "elsewhere/copy.txt"
    assert store.get_article(second.slug).sections[0].url.startswith(f"/articles/{second.slug}/")


def test_renamed_title_replaces_the_old_slug(store: SQLStore) -> None:
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
    store: SQLStore, wanted: str, suggestion: str
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
    store: SQLStore, wanted: str, scoped: bool
) -> None:
    store.upsert_article(article())
    store.upsert_article(POD_ARTICLE)
    scope = POD_ARTICLE.slug if scoped else None
    assert store.suggest_section_slugs(wanted, article_slug=scope)[0] == "what-is-a-pod"
    with pytest.raises(SectionNotFound) as raised:
        store.get_section(article_slug=POD_ARTICLE.slug, section_slug=wanted)
    assert raised.value.suggestions[0] == "what-is-a-pod"


def test_section_suggestions_follow_writes_and_skip_strangers(store: SQLStore) -> None:
    store.upsert_article(article())
    assert store.suggest_section_slugs("what-is-a-pdo") == []  # nothing similar yet
    store.upsert_article(POD_ARTICLE)
    assert store.suggest_section_slugs("what-is-a-pdo")[:2] == ["what-is-a-pod", "what-is-a-node"]
    assert store.suggest_section_slugs("zzzz-qqqq") == []
    assert store.suggest_section_slugs("what-is-a-pod", article_slug="no-such-article") == []
    store.delete_article(POD_ARTICLE.slug)
    assert store.suggest_section_slugs("what-is-a-pdo") == []


def test_bare_slug_lookup_suggests_across_articles(store: SQLStore) -> None:
    store.upsert_article(article())
    store.upsert_article(POD_ARTICLE)
    for wanted in ("what-is-a-pdo", "WHAT-IS-A-POD"):
        with pytest.raises(SectionNotFound) as raised:
            asyncio.run(resolve_section(store=store, section_slug=wanted))
        assert raised.value.suggestions[0] == "what-is-a-pod"


def test_get_section_and_its_errors(store: SQLStore) -> None:
    stored = article()
    store.upsert_article(stored)
    wanted = stored.sections[1]
    assert store.get_section(article_slug=stored.slug, section_slug=wanted.slug) == wanted
    with pytest.raises(SectionNotFound) as raised:
        store.get_section(article_slug=stored.slug, section_slug="why-is-the-relationship")
    assert raised.value.suggestions[0] == wanted.slug
    with pytest.raises(ArticleNotFound):
        store.get_section(article_slug="nope", section_slug=wanted.slug)


def test_find_sections_by_slug_spans_articles(store: SQLStore) -> None:
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


def test_list_articles_is_paged_by_title_then_slug(store: SQLStore) -> None:
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


def test_delete_article(store: SQLStore) -> None:
    stored = article()
    store.upsert_article(stored)
    assert store.delete_article(stored.slug) is True
    assert store.delete_article(stored.slug) is False
    assert store.search(SearchRequest(query="Pakistan")).total == 0
    assert store.source_hashes() == {}


def test_closed_store_does_not_answer(store_factory: StoreFactory) -> None:
    opened = store_factory.open()
    opened.close()
    with pytest.raises(StoreUnavailable):
        opened.ping()


def test_readers_never_see_half_an_article(store_factory: StoreFactory) -> None:
    """While one thread rewrites an article, readers in other threads and a second store
    (another process would behave the same) always see all of its sections or none."""
    writer = store_factory.open()
    reader = store_factory.open()
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
    assert not errors
    assert seen <= {0, 20}


def test_a_store_written_by_other_code_re_ingests_on_the_next_sync(
    store_factory: StoreFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / SEED_FILE.name).write_bytes(SEED_FILE.read_bytes())
    store = store_factory.open()
    sync_folder(store=store, folder=folder)
    store.close()
    store_factory.execute("UPDATE build SET value = 'older-parser' WHERE key = 'fingerprint'")

    reopened = store_factory.open()
    assert reopened.source_hashes()[SEED_FILE.name][1] == ""  # forgotten: re-parse next time
    [report] = sync_folder(store=reopened, folder=folder).reports
    # Parsed again; the same article comes out, so only its hash is written back.
    assert report.status in {FileStatus.UPDATED, FileStatus.UNCHANGED}
    assert reopened.source_hashes()[SEED_FILE.name][1] != ""
    [report] = sync_folder(store=reopened, folder=folder).reports
    assert report.status is FileStatus.UNCHANGED


NUL = "\x00"


def test_lookups_of_keys_holding_nul_find_nothing(store: SQLStore) -> None:
    """No stored key (slug, source, URL) holds U+0000, which PostgreSQL's TEXT cannot hold:
    asking for one finds nothing, as any other unknown key."""
    stored = article()
    store.upsert_article(stored)
    with pytest.raises(ArticleNotFound):
        store.get_article(f"raisi{NUL}")
    with pytest.raises(ArticleNotFound):
        store.get_section(article_slug=f"raisi{NUL}", section_slug="x")
    with pytest.raises(SectionNotFound):
        store.get_section(article_slug=stored.slug, section_slug=f"why{NUL}")
    assert store.find_sections_by_slug(f"why{NUL}") == []
    store.check_retired_section_slug(f"why{NUL}")  # neither moved nor gone
    assert store.file_owning(f"raisi{NUL}") is None
    assert store.suggest_section_slugs("why", article_slug=f"raisi{NUL}") == []
    assert store.list_articles(limit=5, offset=0, updated_since=f"9{NUL}").total == 0
    assert store.delete_article(f"raisi{NUL}") is False
    assert store.delete_source(f"raisi{NUL}.txt") is None
    assert store.rename_source(f"raisi{NUL}.txt", "elsewhere.txt") is None
    assert store.search(SearchRequest(query=f"Pakistan{NUL}", article_slug=f"r{NUL}")).total == 0
    assert store.get_article(stored.slug) == stored


def test_text_holding_nul_is_stored(store: SQLStore, store_backend: str) -> None:
    """An article made by hand with U+0000 in its text is stored and served (the parser
    never makes one: it reads NUL bytes as binary, a NUL character reference as U+FFFD).
    SQLite keeps the NUL; PostgreSQL, whose TEXT cannot hold it, stores U+FFFD instead."""
    written = article(title="Nul", lead=f"A lead{NUL}with a NUL.")
    assert store.upsert_article(written).outcome is UpsertOutcome.INSERTED
    kept = NUL if store_backend == "sqlite" else "\ufffd"
    expected = written.model_copy(update={"lead": f"A lead{kept}with a NUL."})
    assert store.get_article(written.slug) == expected
    assert store.upsert_article(written).outcome is UpsertOutcome.UNCHANGED
    assert store.search(SearchRequest(query="lead")).hits[0].article_slug == written.slug
    assert store.delete_article(written.slug) is True


def test_a_store_whose_tables_are_gone_is_unavailable(store_factory: StoreFactory) -> None:
    """Whatever the database says when it cannot answer is StoreUnavailable (the API's 503
    problem), never a database driver's own exception (a bare 500)."""
    store = store_factory.open()
    store.upsert_article(article())
    store_factory.execute("DROP TABLE sections")
    with pytest.raises(StoreUnavailable):
        store.get_article(article().slug)
    with pytest.raises(StoreUnavailable):
        store.upsert_article(article(title="Another one", source="another.txt"))
    fresh = store_factory.open()
    with pytest.raises(StoreUnavailable):
        fresh.search(SearchRequest(query="Pakistan"))


def test_restored_history_answers_and_the_feed_numbers_on(store: SQLStore) -> None:
    """What a rebuild keeps (app/rebuild.py): first creation times, retired URLs and the
    change feed; later writes number their changes after the restored ones."""
    stored = article()
    store.upsert_article(stored)
    sections = '{"added": [], "changed": [], "removed": []}'
    salvage = Salvage(
        created_at={("file", stored.source): "2020-01-01T00:00:00.000000Z"},
        retired=[
            RetiredRow("/articles/old-name", None, f"/articles/{stored.slug}", "2021-01-01"),
            RetiredRow("/sections/was-here", "was-here", None, "2021-01-01"),
        ],
        changes=[
            ChangeRow(
                41, "2020-01-01", "created", "old-name", None, stored.source, "file", sections
            ),
            ChangeRow(
                42,
                "2021-01-01",
                "updated",
                stored.slug,
                "old-name",
                stored.source,
                "file",
                sections,
            ),
        ],
    )

    store.restore_history(salvage)

    assert store.get_stored_article(stored.slug).created_at == "2020-01-01T00:00:00.000000Z"
    with pytest.raises(Moved) as moved:
        store.get_article("old-name")
    assert moved.value.location == f"/articles/{stored.slug}"
    with pytest.raises(Gone):
        store.check_retired_section_slug("was-here")
    assert [change.cursor for change in store.changes(since=0, limit=10).items] == ["41", "42"]
    store.delete_article(stored.slug)
    [deleted] = store.changes(since=42, limit=10).items
    assert (deleted.cursor, deleted.kind) == ("43", "deleted")


def _search_slugs(store: SQLStore, query: str) -> set[str]:
    return {hit.article_slug for hit in store.search(SearchRequest(query=query)).hits}


def test_writers_share_new_terms_and_never_number_one_twice(
    store_factory: StoreFactory,
) -> None:
    """Each writing process remembers the vocabulary's ids: a term another process added
    since must be found, not inserted again under a second id."""
    first, second = store_factory.open(), store_factory.open()
    second.upsert_article(article("Warm up the second writer", source="w.md"))
    first.upsert_article(
        article_from_sections(
            title="Axolotl care", sections=[("What do axolotls eat?", "Bloodworms daily.")]
        )
    )
    second.upsert_article(
        article_from_sections(
            title="Axolotl tanks", sections=[("How big a tank for an axolotl?", "Long.")]
        )
    )
    first.upsert_article(
        article_from_sections(
            title="Axolotl water", sections=[("How cold for axolotls?", "Below 20 °C.")]
        )
    )
    expected = {"axolotl-care", "axolotl-tanks", "axolotl-water"}
    for reader in (first, second, store_factory.open()):
        assert _search_slugs(reader, "axolotl") == expected


REFUSE_QUOKKAS = {
    "sqlite": (
        "CREATE TRIGGER refuse BEFORE INSERT ON changes WHEN NEW.article_slug = 'quokka-facts'"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END",
    ),
    "postgres": (
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF NEW.article_slug = 'quokka-facts' THEN RAISE EXCEPTION 'refused'; END IF;"
        " RETURN NEW; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON changes FOR EACH ROW EXECUTE FUNCTION refuse()",
    ),
}
ALLOW_QUOKKAS = {
    "sqlite": ("DROP TRIGGER refuse",),
    "postgres": ("DROP TRIGGER refuse ON changes",),
}


def test_terms_of_a_write_rolled_back_are_written_again(
    store_factory: StoreFactory, store_backend: str
) -> None:
    """A write that fails after inserting new terms takes them back with it; the next
    write of the same words must insert them anew, not trust the ids it was given."""
    store = store_factory.open()
    store.upsert_article(article())
    quokkas = article_from_sections(
        title="Quokka facts", sections=[("Where do quokkas live?", "Rottnest Island.")]
    )
    # The store refuses the article's change record, written after its terms.
    for statement in REFUSE_QUOKKAS[store_backend]:
        store_factory.execute(statement)
    with pytest.raises(StoreUnavailable):
        store.upsert_article(quokkas)
    assert _search_slugs(store, "quokka") == set()
    for statement in ALLOW_QUOKKAS[store_backend]:
        store_factory.execute(statement)
    store.upsert_article(quokkas)
    assert _search_slugs(store, "quokka") == {"quokka-facts"}
    assert _search_slugs(store, "rottnest") == {"quokka-facts"}
