"""Top-k documents of a candidate set under a sum of per-term impacts, exactly and cheaply.

Every path is vectorised numpy and exact; which one runs depends on the sizes involved:

- few candidates in long lists: look each candidate up in each list (binary search);
- candidates about as many as the postings: merge the lists (one sort) and sum per document;
- many candidates in long lists (common words): prune in two passes. First the
  highest-impact candidates of each list are scored; the k-th best of them is a score
  (theta) the true top k must reach. A document reaching theta must get, from at least one
  list, that list's share of theta (the shares sum to theta); those documents are prefixes
  of the impact-ordered lists, and only they are scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.search import bitsets
from app.search.postings import DocIds, Postings, Scores

Mask = npt.NDArray[np.bool_]

# Above this many candidates and postings, pruning beats scoring every candidate.
PRUNE_CANDIDATES = 2000
PRUNE_POSTINGS = 20_000
# Binary searches (candidates x lists) against one merge of all postings: the merge's sort
# costs about this many searches per posting.
SEARCHES_PER_POSTING = 0.5
# Documents taken from the head of each list to seed theta; grows while too few are candidates.
SEED_DEPTH = 64
SEED_GROWTH = 4
# Float32 impacts against float64 sums: thresholds give way by this much, never too little.
THRESHOLD_SLACK = 1e-6


@dataclass(frozen=True, slots=True)
class Weighted:
    postings: Postings
    weight: float


def scores_of(docs: DocIds, lists: Sequence[Weighted], boosts: Scores) -> Scores:
    """The boosted score of each document (ids ascending), by binary search in each list."""
    total = np.zeros(len(docs), dtype=np.float64)
    for item in lists:
        total += item.weight * item.postings.impacts_of(docs)
    return total * boosts[docs]


def merged_scores(lists: Sequence[Weighted], inside: Mask, boosts: Scores) -> tuple[DocIds, Scores]:
    """Every listed document that is a candidate, with its boosted score, by one merge.

    A stable sort keeps each document's contributions in list order, so the sums are the
    same floats `scores_of` adds up.
    """
    docs = np.concatenate([item.postings.docs for item in lists])
    contributions = np.concatenate(
        [item.weight * item.postings.impacts.astype(np.float64) for item in lists]
    )
    order = np.argsort(docs, kind="stable")
    docs, contributions = docs[order], contributions[order]
    first = np.empty(len(docs), dtype=bool)
    first[:1] = True
    np.not_equal(docs[1:], docs[:-1], out=first[1:])
    (starts,) = first.nonzero()
    sums = np.add.reduceat(contributions, starts) if len(starts) else contributions
    docs = docs[starts]
    keep = inside[docs]
    docs = docs[keep]
    return docs, sums[keep] * boosts[docs]


def best(docs: DocIds, scores: Scores, k: int) -> list[tuple[float, int]]:
    """The k best (score, doc), best first; ties go to lower ids."""
    if len(docs) > k:
        # Everything tied with the k-th score stays in, so ties are broken by id below.
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:k]
    return [(float(scores[i]), int(docs[i])) for i in order]


def _distinct_candidates(heads: list[DocIds], inside: Mask) -> DocIds:
    """The distinct documents of `heads` that are candidates, ascending."""
    docs = np.concatenate(heads)
    # Most head documents are no candidates: dropping them first leaves less to sort.
    docs = np.sort(docs[inside[docs]])
    if len(docs) > 1:
        # Sorting and dropping repeats is several times faster than np.unique's hashing here.
        distinct = np.empty(len(docs), dtype=bool)
        distinct[0] = True
        np.not_equal(docs[1:], docs[:-1], out=distinct[1:])
        docs = docs[distinct]
    return docs


def _shares(budget: float, lists: Sequence[Weighted]) -> list[float]:
    """Per-list shares of `budget` (weighted score) that gather the fewest documents.

    Lists whose whole contribution is small (stop words on headings) are best left out
    entirely (MaxScore): their maximum is spent from the budget and the rest is shared by
    the other lists in proportion to their maxima. A share of infinity gathers nothing.
    """
    ceilings = [item.weight * item.postings.max_impact for item in lists]
    order = sorted(range(len(lists)), key=ceilings.__getitem__)
    best_cost: int | None = None
    best_shares: list[float] = []
    spent = 0.0
    for dropped in range(len(lists)):
        remaining = budget - spent
        essential = order[dropped:]
        total = sum(ceilings[i] for i in essential)
        if remaining <= 0 or total <= 0:
            break
        shares = [float("inf")] * len(lists)
        cost = 0
        for i in essential:
            shares[i] = remaining * ceilings[i] / total * (1.0 - THRESHOLD_SLACK)
            cost += lists[i].postings.head_length(shares[i] / lists[i].weight)
        if best_cost is None or cost < best_cost:
            best_cost, best_shares = cost, shares
        spent += ceilings[order[dropped]]
    return best_shares


def _pruned(
    inside: Mask, k: int, lists: Sequence[Weighted], boosts: Scores, max_boost: float
) -> list[tuple[float, int]] | None:
    """Exact top k of a large candidate set, or None when seeding finds too few candidates."""
    longest = max(len(item.postings) for item in lists)
    depth = SEED_DEPTH
    while True:
        seeds = _distinct_candidates([item.postings.top(depth) for item in lists], inside)
        if len(seeds) >= k or depth >= longest:
            break
        depth *= SEED_GROWTH
    if len(seeds) < k:
        return None
    seed_scores = scores_of(seeds, lists, boosts)
    theta = float(np.partition(seed_scores, len(seeds) - k)[len(seeds) - k])
    if theta <= 0.0:
        return None
    # Boosts multiply the raw sum: a document below theta / max_boost raw cannot reach theta.
    shares = _shares(theta / max_boost, lists)
    if not shares:
        return None
    heads = [
        item.postings.head(share / item.weight)
        for item, share in zip(lists, shares, strict=True)
        if share != float("inf")
    ]
    gathered = _distinct_candidates([*heads, seeds], inside)
    return best(gathered, scores_of(gathered, lists, boosts), k)


def top_k(
    candidates: int,
    k: int,
    lists: Sequence[Weighted],
    *,
    boosts: Scores,
    max_boost: float,
) -> list[tuple[float, int]]:
    """The k best (score, doc) of the candidate set, best first; ties go to lower ids."""
    if k <= 0 or not candidates:
        return []
    lists = [item for item in lists if len(item.postings) and item.weight > 0]
    count = candidates.bit_count()
    postings = sum(len(item.postings) for item in lists)
    if count * len(lists) < SEARCHES_PER_POSTING * postings and count <= PRUNE_CANDIDATES:
        docs = bitsets.member_array(candidates)
        return best(docs, scores_of(docs, lists, boosts), k)
    inside = bitsets.mask(candidates, len(boosts))
    if count > PRUNE_CANDIDATES and postings > PRUNE_POSTINGS:
        found = _pruned(inside, k, lists, boosts, max_boost)
        if found is not None:
            return found
    if lists:
        docs, scores = merged_scores(lists, inside, boosts)
    else:
        docs, scores = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
    found = best(docs, scores, k)
    if len(found) < min(k, count):
        # Candidates no list scores (score 0) come last, lowest ids first.
        inside[docs] = False
        (rest,) = inside.nonzero()
        found += [(0.0, int(doc)) for doc in rest[: k - len(found)]]
    return found
