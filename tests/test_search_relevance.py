"""Relevance on judged queries: the seed article always, the shared corpus where present."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.evaluation.relevance import (
    CORPUS_DIR,
    SEED_DIR,
    RelevanceReport,
    evaluate,
    heading_matches,
    load_queries,
    load_store,
    source_files,
)
from app.store.sqlite import SQLiteStore
from tests.parsing.corpus import skip_or_fail_without

MIN_MRR_AT_10 = 0.85
MIN_RECALL_AT_3 = 0.9


@pytest.fixture(scope="module")
def seed_report() -> Iterator[RelevanceReport]:
    store = SQLiteStore(Path(":memory:"))
    try:
        assert load_store(source_files(corpus_dir=Path("/nonexistent")), store) == []
        yield evaluate(store, load_queries())
    finally:
        store.close()


@pytest.fixture(scope="module")
def corpus_report() -> Iterator[RelevanceReport]:
    skip_or_fail_without(CORPUS_DIR)
    store = SQLiteStore(Path(":memory:"))
    try:
        problems = load_store(source_files(), store)
        assert not problems, problems
        yield evaluate(store, load_queries())
    finally:
        store.close()


def test_queries_file_covers_every_kind() -> None:
    queries = load_queries()
    kinds = {q.kind for q in queries}
    assert len(queries) >= 60
    assert {"keyword", "paraphrase", "heading-variant", "entity-number", "phrase"} <= kinds
    assert {"non-english", "misspelled", "no-answer"} <= kinds
    assert len({q.id for q in queries}) == len(queries)


def test_seed_queries(seed_report: RelevanceReport) -> None:
    assert len(seed_report.answerable) >= 15
    assert seed_report.mrr_at_10 >= MIN_MRR_AT_10, seed_report.summary()
    assert seed_report.recall_at(3) >= MIN_RECALL_AT_3, seed_report.summary()


def test_corpus_queries(corpus_report: RelevanceReport) -> None:
    assert not corpus_report.skipped, corpus_report.summary()
    assert corpus_report.mrr_at_10 >= MIN_MRR_AT_10, corpus_report.summary()
    assert corpus_report.recall_at(3) >= MIN_RECALL_AT_3, corpus_report.summary()
    assert corpus_report.no_answer_rate >= 0.8, corpus_report.summary()


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
    ],
)
def test_heading_matches(judged: str, returned: str | None, expected: bool) -> None:
    assert heading_matches(judged, returned) is expected


def test_seed_dir_is_the_served_data() -> None:
    assert (SEED_DIR / "raisi-visit-pakistan.txt").is_file()
