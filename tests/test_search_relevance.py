"""Relevance on judged queries: the seed article always, the shared corpus where present;
on both backends, which must rank every query alike."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from app.search.request import SearchRequest
from app.store.sql import SQLStore
from tests.conftest import BACKENDS, store_factory_for
from tests.parsing.corpus import skip_or_fail_without
from tools.evaluation.queries import KINDS, load_our_queries, load_queries
from tools.evaluation.relevance import (
    CORPUS_DIR,
    EXTRA_CORPUS_DIR,
    SEED_DIR,
    RelevanceReport,
    evaluate,
    heading_matches,
    load_store,
    source_files,
)

MIN_MRR_AT_10 = 0.85
MIN_RECALL_AT_3 = 0.9
# The whole harness (our queries and corpus-extra's, over the seed, the fixtures and both
# corpora): floors at the figures measured, raised as the search improves.
HARNESS_FLOORS = {"MRR@10": 0.93, "recall@3": 0.97, "no-answer silent": 0.7, "answered": 0.85}
KIND_FLOORS = {"paraphrase": 0.75, "typo": 0.9, "non-english": 0.9}
LANGUAGE_FLOOR = 0.9
# Czech: Snowball's light stemmer leaves "vlastního" and "vlastní" apart, so one heading
# variant of six ranks second (0.83). Known, and reported.
BELOW_THE_LANGUAGE_FLOOR = {"cs": 0.8}


@dataclass(frozen=True)
class Loaded:
    """The harness's articles in one store, and the report of its queries there."""

    store: SQLStore
    report: RelevanceReport


# (backend, with the shared corpus?) -> the loaded store
Harness = Callable[[str, bool], Loaded]


@pytest.fixture(scope="module")
def harness(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Harness]:
    """Loads the harness's articles into a store of a backend on first use, for the module."""
    loaded: dict[tuple[str, bool], Loaded] = {}
    with contextlib.ExitStack() as stack:

        def get(backend: str, corpus: bool) -> Loaded:
            if (backend, corpus) not in loaded:
                if corpus:
                    skip_or_fail_without(CORPUS_DIR)
                    skip_or_fail_without(EXTRA_CORPUS_DIR)
                folder = tmp_path_factory.mktemp(backend)
                factory = stack.enter_context(store_factory_for(backend, request, folder))
                store = factory.open()
                files = source_files() if corpus else source_files(corpus_dirs=())
                problems = load_store(files, store)
                assert problems == [], problems
                loaded[backend, corpus] = Loaded(store, evaluate(store, load_queries()))
            return loaded[backend, corpus]

        yield get


def test_queries_file_covers_every_kind_and_names_languages() -> None:
    queries = load_our_queries()
    assert len(queries) >= 60
    assert {q.kind for q in queries} == set(KINDS)
    assert all(len(q.language) == 2 for q in queries)
    assert len({q.id for q in queries}) == len(queries)


def test_every_language_of_the_harness_has_five_queries() -> None:
    skip_or_fail_without(EXTRA_CORPUS_DIR)
    queries = load_queries()
    assert len({q.id for q in queries}) == len(queries)
    for language in {q.language for q in queries}:
        assert sum(1 for q in queries if q.language == language) >= 5, language


@pytest.mark.parametrize("backend", BACKENDS)
def test_seed_queries(harness: Harness, backend: str) -> None:
    seed_report = harness(backend, False).report
    assert len(seed_report.answerable) >= 15
    assert seed_report.mrr_at_10 >= MIN_MRR_AT_10, seed_report.summary()
    assert seed_report.recall_at(3) >= MIN_RECALL_AT_3, seed_report.summary()


@pytest.mark.parametrize("backend", BACKENDS)
def test_corpus_queries(harness: Harness, backend: str) -> None:
    corpus_report = harness(backend, True).report
    assert not corpus_report.skipped, corpus_report.summary()
    assert corpus_report.mrr_at_10 >= MIN_MRR_AT_10, corpus_report.summary()
    assert corpus_report.recall_at(3) >= MIN_RECALL_AT_3, corpus_report.summary()
    ours = corpus_report.part(origin="ours")
    assert ours.no_answer_rate >= 0.5, ours.summary()


@pytest.mark.parametrize("backend", BACKENDS)
def test_harness_figures(harness: Harness, backend: str) -> None:
    """Ours and corpus-extra's queries together: overall, per kind and per language."""
    report = harness(backend, True).report
    measured = figures(report)
    for name, floor in HARNESS_FLOORS.items():
        assert measured[name] >= floor, (name, report.summary())
    kinds = report.by_kind()
    for kind, floor in KIND_FLOORS.items():
        assert kinds[kind].mrr_at_10 >= floor, (kind, report.summary())
    for language, part in report.by_language().items():
        if part.answerable:
            floor = BELOW_THE_LANGUAGE_FLOOR.get(language, LANGUAGE_FLOOR)
            assert part.mrr_at_10 >= floor, (language, report.summary())


def figures(report: RelevanceReport) -> dict[str, float]:
    return {
        "MRR@10": report.mrr_at_10,
        "recall@1": report.recall_at(1),
        "recall@3": report.recall_at(3),
        "nDCG@10": report.ndcg_at_10,
        "no-answer silent": report.no_answer_rate,
        "answered": report.answered_rate,
    }


@pytest.mark.parametrize("corpus", [False, True], ids=["seed", "corpus"])
def test_both_backends_rank_every_query_alike(harness: Harness, corpus: bool) -> None:
    """The same figures, and for every judged query the same page of results: hits in the
    same order with the same scores, snippets and highlights, the same total and
    corrections, and the same next page."""
    sqlite, postgres = harness("sqlite", corpus), harness("postgres", corpus)
    assert figures(postgres.report) == figures(sqlite.report), postgres.report.summary()
    assert postgres.report.outcomes == sqlite.report.outcomes
    assert postgres.report.skipped == sqlite.report.skipped
    for query in load_queries():
        request = SearchRequest(query=query.query, limit=10)
        first = sqlite.store.search(request)
        assert postgres.store.search(request) == first, query.id
        if first.next_cursor is not None:
            following = SearchRequest(query=query.query, limit=10, cursor=first.next_cursor)
            assert postgres.store.search(following) == sqlite.store.search(following), query.id


@pytest.mark.parametrize(
    ("judged", "returned", "expected"),
    [
        pytest.param("What is DevOps?", "What is DevOps?", True, id="equal"),
        pytest.param("What\u00a0is  DevOps?", "what is devops?", True, id="spacing-and-case"),
        pytest.param(
            "Sie sind in Uganda in Ostafrika geboren worden.",
            "Sie sind in Uganda in Ostafrika geboren worden. Was bedeutet es?",
            True,
            id="long-prefix",
        ),
        pytest.param("What", "What is DevOps?", False, id="short-prefix"),
        pytest.param("What is DevOps?", None, False, id="lead"),
        pytest.param(None, None, True, id="lead-wanted"),
        pytest.param("What’s the agenda?", "What's the agenda?", True, id="quotes"),
        pytest.param("How do I setup my account?", "How do I set up my account?", True, id="fuzzy"),
    ],
)
def test_heading_matches(judged: str | None, returned: str | None, expected: bool) -> None:
    assert heading_matches(judged, returned) is expected


def test_seed_dir_is_the_served_data() -> None:
    assert (SEED_DIR / "raisi-visit-pakistan.txt").is_file()
