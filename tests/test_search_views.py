"""The in-memory index views (app/search/index.py), on both backends: a view brought up to
date write after write from the store's delta answers every query exactly as a view read
whole from the same database, without rebuilding its inverted index; and so does one
whose tail was merged, or whose delta is no longer in the store's log."""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from app.models import Article, SearchResults
from app.search import inverted
from app.search.index import Snapshot
from app.search.request import SearchRequest
from app.store import sql
from app.store.sql import IndexRows, SQLStore
from tests.conftest import StoreFactory
from tools.evaluation.relevance import article_from_sections

# Words the random articles are made of (a few languages, shared stems, phrases to find).
WORDS = {
    "en": "pipeline gas border trade energy talks visit minister ceasefire fragile holds "
    "sanctions port railway corridor piping pipes tariff election market",
    "de": "Beziehungen Grenze Handel Gespräche Besuch Minister Pipeline Energie Zoll",
    "fr": "frontière commerce énergie visite ministre gazoduc élection marché tarif",
}
TITLES = (
    "Border trade talks",
    "Energy corridor",
    "Gas pipeline",
    "Was wissen wir",
    "Questions sur le gazoduc",
)
QUESTIONS = ("What is new?", "Why now?", "Wie geht es weiter?", "Qui paie?", "Background")


def requests(slugs: list[str]) -> list[SearchRequest]:
    """Every kind of query, and filters by the articles there are now."""
    queries = [
        "pipeline",
        "gas pipeline",
        "border trade talks",
        '"fragile ceasefire"',
        '"ceasefire holds"',
        "pip*",
        "minist*",
        "pipline",  # a typo: corrected
        "ministre",
        "Beziehung",
        "gas -pipeline",
        "energy OR énergie",
        "why",
        "nothing-matches-this",
    ]
    built = [SearchRequest(query=query, limit=50) for query in queries]
    built += [
        SearchRequest(query="pipeline", limit=3, offset=2),
        SearchRequest(query="energy", language="de"),
        SearchRequest(query="pipeline", language="fr"),
        SearchRequest(query="pipeline", is_question=True, limit=50),
        SearchRequest(query="pipeline", is_question=False, limit=50),
    ]
    built += [SearchRequest(query="pipeline", article_slug=slug) for slug in slugs[:4]]
    return built


def same_answers(changed: SQLStore, fresh: SQLStore) -> None:
    """`changed` (a view kept up to date) answers like `fresh` (a view read whole)."""
    slugs = sorted(slug for slug, _ in fresh.source_hashes().values())
    for request in requests(slugs):
        assert changed.search(request) == fresh.search(request), request


@dataclass
class Writer:
    """Random-ish writes of every kind, through one store."""

    store: SQLStore
    rng: random.Random
    sources: dict[str, str] = field(default_factory=dict)  # source -> title
    made: int = 0

    @classmethod
    def started(cls, store: SQLStore, *, seed: int, articles: int) -> Writer:
        """A writer of random-ish writes seeded with `seed`, once it created `articles`."""
        writer = cls(store, random.Random(seed))
        for _ in range(articles):
            writer.create()
        return writer

    def article(self, source: str, title: str) -> Article:
        self.made += 1
        language = self.rng.choice(sorted(WORDS))
        words = WORDS[language].split()
        sections = [
            (
                self.rng.choice(QUESTIONS) + f" {self.made}-{position}",
                " ".join(self.rng.choices(words, k=self.rng.randint(3, 30))),
            )
            for position in range(self.rng.randint(1, 5))
        ]
        return article_from_sections(
            title=title,
            sections=sections,
            lead=" ".join(self.rng.choices(words, k=self.rng.randint(0, 12))),
            language=language,
            source=source,
            content_hash=f"version-{self.made}",
        )

    def step(self) -> str:
        """One write, chosen at random among those the sources allow; says which."""
        kinds: list[Callable[[], None]] = [self.create]
        if self.sources:
            kinds += [self.update, self.retitle, self.rename, self.delete, self.same_again]
        kind = self.rng.choice(kinds)
        kind()
        return kind.__name__

    def create(self) -> None:
        source = f"doc-{self.made}.txt"
        self.sources[source] = self.rng.choice(TITLES)  # shared titles: suffixed slugs
        self.store.upsert_article(self.article(source, self.sources[source]))

    def update(self) -> None:
        source = self.rng.choice(sorted(self.sources))
        self.store.upsert_article(self.article(source, self.sources[source]))

    def retitle(self) -> None:
        source = self.rng.choice(sorted(self.sources))
        self.sources[source] = self.rng.choice(TITLES) + f" {self.made}"
        self.store.upsert_article(self.article(source, self.sources[source]))

    def rename(self) -> None:
        old = self.rng.choice(sorted(self.sources))
        new = f"moved/{self.made}-{old}"
        self.made += 1
        assert self.store.rename_source(old, new) is not None
        self.sources[new] = self.sources.pop(old)

    def delete(self) -> None:
        source = self.rng.choice(sorted(self.sources))
        assert self.store.delete_source(source) is not None
        del self.sources[source]

    def same_again(self) -> None:
        """An upsert of an article as it is stored: nothing to index again."""
        source = self.rng.choice(sorted(self.sources))
        stored = {src: slug for src, (slug, _) in self.store.source_hashes().items()}
        self.store.upsert_article(self.store.get_article(stored[source]))


def view(store: SQLStore) -> Snapshot:
    """The store's current view (after a search brought it up to date)."""
    snapshot = store._engine._snapshot
    assert snapshot is not None
    return snapshot


def refresh(store: SQLStore) -> Snapshot:
    store.search(SearchRequest(query="pipeline"))
    return view(store)


def refresh_and_merge(store: SQLStore) -> Snapshot:
    """The view after a search, once a merge it started in the background is done."""
    refresh(store)
    store._engine.wait_for_merge()
    return view(store)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_view_kept_up_to_date_answers_as_one_read_whole(
    store_factory: StoreFactory, seed: int
) -> None:
    writer = Writer.started(store_factory.open(), seed=seed, articles=4)
    store = writer.store
    before = refresh(store)
    done: list[str] = []
    for step in range(1, 61):
        done.append(writer.step())
        after = refresh(store)
        # A delta applied, not a rebuild: the inverted index's base is the one before.
        assert after.index.base_docs is before.index.base_docs, done
        assert after.generation >= before.generation
        before = after
        if step % 20 == 0:
            same_answers(store, store_factory.open())
    assert {"create", "update", "retitle", "rename", "delete", "same_again"} <= set(done)
    assert view(store).index.tail_length > 0


def test_a_merged_tail_answers_the_same(
    store_factory: StoreFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inverted, "MIN_TAIL_TO_MERGE", 4)
    writer = Writer.started(store_factory.open(), seed=7, articles=4)
    store = writer.store
    base = refresh_and_merge(store).index.base_docs
    merges = 0
    for _ in range(40):
        writer.step()
        after = refresh_and_merge(store)
        if after.index.base_docs is not base:
            merges += 1
            assert after.index.tail_length == 0  # nothing was written during the merge
        base = after.index.base_docs
        same_answers(store, store_factory.open())
    assert merges >= 5


def test_a_view_older_than_the_removed_log_is_read_whole(
    store_factory: StoreFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql, "REMOVED_LOG_ROWS", 6)
    writer = Writer.started(store_factory.open(), seed=11, articles=6)
    store = writer.store
    old = store_factory.open()
    stale = refresh(old)
    for _ in range(30):
        writer.step()
        refresh(store)  # the writer's own view follows every write
    for _ in range(3):  # deletes enough to cut the log back past `old`'s generation
        writer.create()
        writer.delete()
    with old._read() as tx:
        assert IndexRows(tx).removed(since=stale.generation) is None

    same_answers(old, store_factory.open())
    assert view(old).index.base_docs is not stale.index.base_docs  # read whole again
    same_answers(store, store_factory.open())


def elsewhere(store: SQLStore, request: SearchRequest) -> SearchResults:
    """A search by another request: in another thread, in a transaction of its own."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(store.search, request).result()


def test_a_reader_in_an_older_transaction_sees_that_state_whole(
    store_factory: StoreFactory,
) -> None:
    """A search inside a read transaction that began before several writes answers from
    that transaction's state (the view of its generation), however far the process's view
    has moved on since (requests in other threads); never part of an article, and then
    with a total that counts what its pages hold."""
    writer = store_factory.open()
    reader = store_factory.open()
    bodies = [(f"Question {n}?", f"shared answer word{n}") for n in range(20)]
    asked = [SearchRequest(query="shared answer", limit=limit) for limit in (1, 50)]

    def churn(version: int) -> None:
        writer.upsert_article(
            article_from_sections(
                title="Churn", sections=bodies, content_hash=str(version), source="c.txt"
            )
        )

    churn(0)
    before = [reader.search(request) for request in asked]
    assert [results.total for results in before] == [20, 20]
    with reader._read() as tx:
        rows = IndexRows(tx)
        pinned = rows.generation()  # the transaction's state is fixed from here
        for version in range(1, 3):
            churn(version)
            assert elsewhere(reader, asked[0]).total == 20
        assert view(reader).generation > pinned
        # The view of its generation, kept for such readers.
        assert [reader._engine.search(rows, request) for request in asked] == before
        for version in range(3, 12):  # ... and no longer kept once many more came
            churn(version)
            elsewhere(reader, asked[0])
        for request in asked:
            during = reader._engine.search(rows, request)
            assert during.total in (0, 20)
            assert len(during.hits) == min(during.total, request.limit)
            assert (during.next_cursor is None) == (during.total <= request.limit)
    assert reader.search(asked[0]).total == 20


def test_a_reader_in_an_older_transaction_sees_slugs_as_they_were(
    store_factory: StoreFactory,
) -> None:
    """An article that moved to another slug (a file with the same title and fewer folders
    took the bare one) is shown at its old slug, with its old URLs, to a reader whose
    transaction began before the move, even once another request saw the move."""
    writer = store_factory.open()
    reader = store_factory.open()
    moving = article_from_sections(
        title="FAQ", sections=[("Why?", "shared answer")], source="deep/er/FAQ.txt"
    )
    writer.upsert_article(moving)
    asked = SearchRequest(query="shared answer")
    before = reader.search(asked)
    assert [(hit.article_slug, hit.url) for hit in before.hits] == [
        ("faq", "/articles/faq/sections/why")
    ]
    with reader._read() as tx:
        rows = IndexRows(tx)
        rows.generation()  # the transaction's state is fixed from here
        newcomer = article_from_sections(
            title="FAQ", sections=[("How?", "other words")], source="FAQ.txt"
        )
        writer.upsert_article(newcomer)
        [moved] = elsewhere(reader, asked).hits
        assert moved.article_slug != "faq" and moved.url.startswith(
            f"/articles/{moved.article_slug}/"
        )
        assert reader._engine.search(rows, asked) == before
