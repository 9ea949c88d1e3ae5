"""The in-memory inverted index agrees with its documents after any mix of additions,
deletions and merges of its tail (app/search/inverted.py)."""

from __future__ import annotations

import numpy as np
import pytest

from app.search.inverted import DocumentTerms, InvertedIndex, encode_terms

Blobs = dict[int, bytes]


def documents(rng: np.random.Generator, first: int, count: int, terms: int) -> Blobs:
    blobs: Blobs = {}
    for doc in range(first, first + count):
        chosen = rng.choice(terms, size=int(rng.integers(1, min(20, terms))), replace=False)
        blobs[doc] = encode_terms([(int(t), int(rng.integers(1, 1000))) for t in chosen])
    return blobs


def batch(blobs: Blobs) -> DocumentTerms:
    ids = sorted(blobs)
    return DocumentTerms.decode(ids, [blobs[doc] for doc in ids])


def expected_postings(live: Blobs) -> dict[int, list[tuple[int, int]]]:
    found: dict[int, list[tuple[int, int]]] = {}
    for doc in sorted(live):
        for term, tf in np.frombuffer(live[doc], dtype="<i4").reshape(-1, 2).tolist():
            found.setdefault(term, []).append((doc, tf))
    return found


def assert_agrees(index: InvertedIndex, live: Blobs, terms: int) -> None:
    expected = expected_postings(live)
    for term in range(terms + 5):
        docs, tfs = index.postings(term)
        assert list(zip(docs.tolist(), tfs.tolist(), strict=True)) == expected.get(term, [])
        assert index.document_frequency(term) == len(expected.get(term, []))


@pytest.mark.parametrize("seed", range(5))
def test_postings_follow_additions_deletions_and_merges(seed: int) -> None:
    rng = np.random.default_rng(seed)
    live = documents(rng, 1, 200, 40)
    index = InvertedIndex.build(batch(live), max_id=200)
    next_id, terms = 201, 40
    for step in range(25):
        terms += 3  # new words keep arriving
        added = documents(rng, next_id, int(rng.integers(0, 25)), terms)
        next_id += len(added)
        victims = [int(d) for d in rng.choice(sorted(live), size=min(6, len(live)), replace=False)]
        removed = {doc: live.pop(doc) for doc in victims}
        live.update(added)
        index = index.with_changes(batch(added), batch(removed), max_id=next_id - 1)
        if step % 4 == 3:
            index = index.merged()
            assert index.tail_length == 0
        assert_agrees(index, live, terms)


def test_a_version_in_use_never_changes() -> None:
    rng = np.random.default_rng(9)
    live = documents(rng, 1, 50, 10)
    before = InvertedIndex.build(batch(live), max_id=50)
    snapshot = {term: before.postings(term)[0].tolist() for term in range(10)}
    after = before.with_changes(batch(documents(rng, 51, 10, 10)), batch({1: live[1]}), max_id=60)
    after.merged()
    assert {term: before.postings(term)[0].tolist() for term in range(10)} == snapshot
    assert all(1 not in after.postings(term)[0].tolist() for term in range(10))


def test_a_background_merge_is_rebased_onto_the_newest_version() -> None:
    rng = np.random.default_rng(4)
    live = documents(rng, 1, 100, 30)
    base = InvertedIndex.build(batch(live), max_id=100)
    extra = documents(rng, 101, 20, 30)
    live.update(extra)
    grown = base.with_changes(batch(extra), batch({}), max_id=120)
    merged = grown.merged()  # as the background thread would, from `grown`
    later = documents(rng, 121, 10, 35)
    gone = {5: live.pop(5)}
    live.update(later)
    newest = grown.with_changes(batch(later), batch(gone), max_id=130)
    rebased = newest.rebased(grown, merged)
    assert rebased is not None and rebased.tail_length == len(batch(later).docs)
    assert_agrees(rebased, live, 35)
    assert base.with_changes(batch({}), batch({}), max_id=100).rebased(grown, merged) is None
