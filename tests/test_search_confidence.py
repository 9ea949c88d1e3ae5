"""Calibrated confidence: a hit that holds the query's content words, first in the ranking,
is an answer; hits for words no article holds are not (on a store of each backend)."""

from __future__ import annotations

import numpy as np
import pytest

from app.search.confidence import ANSWER_THRESHOLD, Evidence, confidence, coverage, word_weight
from app.search.postings import Postings
from app.search.request import SearchRequest
from app.store.sql import SQLStore
from tests.conftest import StoreFactory
from tools.evaluation.relevance import article_from_sections


@pytest.fixture(scope="module")
def store(module_store_factory: StoreFactory) -> SQLStore:
    opened = module_store_factory.open()
    opened.upsert_article(
        article_from_sections(
            title="Orders and delivery",
            sections=[
                ("How do I pay?", "We take cards and bank transfers; the final price is shown."),
                ("When will my parcel arrive?", "Parcels arrive within five working days."),
                ("Can I return an order?", "Returns are free within thirty days."),
            ],
        )
    )
    return opened


def hits(store: SQLStore, query: str) -> list[tuple[str | None, float]]:
    return [(h.heading, h.confidence) for h in store.search(SearchRequest(query=query)).hits]


def test_the_answer_to_a_query_whose_words_it_holds_is_confident(store: SQLStore) -> None:
    found = hits(store, "bank transfers")
    assert found[0][0] == "How do I pay?"
    assert found[0][1] >= ANSWER_THRESHOLD


def test_a_query_about_something_no_article_mentions_is_not_answered(store: SQLStore) -> None:
    """'final' is in an answer, 'cricket' and 'score' nowhere: the hit is returned (the
    ranking still shows it) but no chatbot should give it as the answer."""
    found = hits(store, "cricket final score")
    assert found, "the partial match is still listed"
    assert all(sure < ANSWER_THRESHOLD for _, sure in found)


def test_hits_below_the_best_are_less_sure(store: SQLStore) -> None:
    found = hits(store, "returns free parcels")
    assert len(found) >= 2
    assert found[0][1] > found[1][1]


def test_coverage_weighs_each_word_by_its_rarity() -> None:
    common = Postings(np.array([0, 1, 2], dtype=np.int32), np.ones(3, dtype=np.float32))
    rare = Postings(np.array([2], dtype=np.int32), np.ones(1, dtype=np.float32))
    evidence = [Evidence(word_weight(3, 10), common), Evidence(word_weight(1, 10), rare)]
    shares = coverage(evidence, [2, 0, 5])
    assert shares[0] == pytest.approx(1.0)
    assert 0.0 < shares[1] < 0.5  # the common word alone: the smaller share
    assert shares[2] == 0.0
    unknown = [Evidence(word_weight(3, 10), common), Evidence(word_weight(0, 10), None)]
    assert coverage(unknown, [0])[0] < shares[1]  # an unknown word weighs as the rarest


def test_the_curve_rises_with_coverage_and_favours_the_best_hit() -> None:
    values = [confidence(share / 10, 1.0) for share in range(11)]
    assert values == sorted(values)
    assert confidence(1.0, 1.0) > confidence(1.0, 0.8)
    assert 0.0 < confidence(0.0, 0.0) < confidence(1.0, 1.0) < 1.0


def test_a_query_of_function_words_alone_is_not_sure(store: SQLStore) -> None:
    """Nothing but 'who', 'whom', 'whose': no hit holds them, none is an answer."""
    assert all(sure < ANSWER_THRESHOLD for _, sure in hits(store, "who whom whose"))
