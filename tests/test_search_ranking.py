"""Top-k ranking: every path (lookup, merge, pruning) returns exactly the brute-force top k."""

from __future__ import annotations

import numpy as np
import pytest

from app.search import bitsets
from app.search.postings import Postings, merge_max
from app.search.ranking import Weighted, top_k

DOCUMENTS = 60_000
QUESTION_BOOST = 1.02


def random_postings(rng: np.random.Generator, size: int, *, ties: bool = False) -> Postings:
    docs = np.sort(rng.choice(DOCUMENTS, size=size, replace=False)).astype(np.int32)
    impacts = rng.gamma(2.0, 0.5, size=size).astype(np.float32)
    if ties:
        # Few distinct impacts: ties decided by document id must come out right too.
        impacts = (np.round(impacts * 2) / 2).astype(np.float32)
    return Postings(docs, impacts)


def brute_force(
    candidates: int, k: int, lists: list[Weighted], boosts: np.ndarray
) -> list[tuple[float, int]]:
    """Score every candidate from dense arrays, sort everything: slow, simple, certain."""
    members = np.array(list(bitsets.members(candidates)), dtype=np.int64)
    totals = np.zeros(len(members))
    for item in lists:
        dense = np.zeros(DOCUMENTS + 1)
        dense[item.postings.docs] = item.postings.impacts
        totals += item.weight * dense[members]
    scored = sorted(
        zip((totals * boosts[members]).tolist(), members.tolist(), strict=True),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return scored[:k]


@pytest.mark.parametrize(
    ("sizes", "weights", "candidate_share", "k", "ties"),
    [
        pytest.param((300, 200), (1.0, 1.0), 1.0, 10, False, id="small-lookup"),
        pytest.param((3000, 2500, 800), (1.0, 0.35, 0.5), 1.0, 10, False, id="merge"),
        pytest.param((30_000, 25_000), (1.0, 1.0), 1.0, 10, False, id="pruned-two-words"),
        pytest.param((40_000, 20_000, 35_000), (1.0, 1.0, 0.35), 0.5, 20, False, id="pruned-3"),
        pytest.param((30_000, 30_000), (1.0, 1.0), 0.3, 10, True, id="pruned-with-ties"),
        pytest.param((30_000, 500), (1.0, 1.0), 0.02, 10, False, id="rare-candidates"),
        pytest.param((5000,), (1.0,), 1.0, 100, True, id="one-list-deep-page"),
    ],
)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_top_k_equals_brute_force(
    sizes: tuple[int, ...],
    weights: tuple[float, ...],
    candidate_share: float,
    k: int,
    ties: bool,
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    lists = [
        Weighted(random_postings(rng, size, ties=ties), weight)
        for size, weight in zip(sizes, weights, strict=True)
    ]
    union = 0
    for item in lists:
        union |= item.postings.bits(DOCUMENTS)
    keep = bitsets.from_array(
        np.flatnonzero(rng.random(DOCUMENTS) < candidate_share).astype(np.int32), DOCUMENTS
    )
    candidates = union & keep
    boosts = np.where(rng.random(DOCUMENTS + 1) < 0.3, QUESTION_BOOST, 1.0)
    found = top_k(candidates, k, lists, boosts=boosts, max_boost=QUESTION_BOOST)
    assert found == brute_force(candidates, k, lists, boosts)


def test_candidates_no_list_holds_come_last_by_id() -> None:
    rng = np.random.default_rng(7)
    listed = random_postings(rng, 50)
    extra = bitsets.from_array(np.array([5, 3, 1], dtype=np.int32), DOCUMENTS)
    candidates = listed.bits(DOCUMENTS) | extra
    boosts = np.ones(DOCUMENTS + 1)
    found = top_k(candidates, 60, [Weighted(listed, 1.0)], boosts=boosts, max_boost=1.0)
    assert [doc for _, doc in found[-3:]] == [1, 3, 5]
    assert all(score == 0.0 for score, _ in found[-3:])


def test_merge_max_keeps_the_best_impact_per_document() -> None:
    first = Postings(np.array([1, 4, 9], np.int32), np.array([0.5, 2.0, 1.0], np.float32))
    second = Postings(np.array([4, 5, 9], np.int32), np.array([1.0, 3.0, 1.5], np.float32))
    merged = merge_max([first, second])
    assert merged.docs.tolist() == [1, 4, 5, 9]
    assert merged.impacts.tolist() == [0.5, 2.0, 3.0, 1.5]
