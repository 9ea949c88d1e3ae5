"""Top-k documents of a candidate set under a sum of per-term impacts.

Small candidate sets are scored exhaustively. Large ones use the threshold algorithm over
impact-ordered lists: walk every list from its best impact down and stop as soon as the
k-th best score beats anything an unseen document could still reach. That is what keeps
queries of common words fast: they stop after a few dozen documents, not 50,000.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.search import bitsets
from app.search.index import Postings

# Below this many candidates, scoring every one is cheaper than walking ranked lists.
EXHAUSTIVE_LIMIT = 1500
# Hard stop for the walk: bounded work whatever the data; beyond it the best found so far wins.
MAX_WALK = 60_000


@dataclass(frozen=True, slots=True)
class Weighted:
    postings: Postings
    weight: float


Boost = Callable[[int], float]


def _score(doc: int, lists: Sequence[Weighted]) -> float:
    return sum(item.weight * item.postings.impact(doc) for item in lists)


def _exhaustive(
    candidates: int, count: int, k: int, lists: Sequence[Weighted], boost: Boost, max_boost: float
) -> list[tuple[float, int]]:
    scores = dict.fromkeys(bitsets.members(candidates), 0.0)
    for item in lists:
        postings, weight = item.postings, item.weight
        # Walk the shorter side: the term's postings, or the candidates with a binary search.
        if len(postings) < 4 * count:
            for doc, impact in zip(postings.docs, postings.impacts, strict=True):
                if doc in scores:
                    scores[doc] += weight * impact
        else:
            for doc in scores:
                scores[doc] += weight * postings.impact(doc)
    # Only documents within reach of the k-th raw score can enter the top k once boosted.
    raw = heapq.nlargest(k, scores.values())
    floor = raw[-1] / max_boost if raw else 0.0
    boosted = [(score * boost(doc), doc) for doc, score in scores.items() if score >= floor]
    return heapq.nlargest(k, boosted, key=lambda pair: (pair[0], -pair[1]))


def _threshold_walk(
    candidates: int, k: int, lists: Sequence[Weighted], boost: Boost, max_boost: float
) -> list[tuple[float, int]]:
    packed = bitsets.to_bytes(candidates)
    ranked = [(item.postings.ranked(), item.weight) for item in lists if len(item.postings)]
    heap: list[tuple[float, int]] = []
    seen: set[int] = set()
    depth = 0
    longest = max((len(docs) for (docs, _), _ in ranked), default=0)
    while depth < longest and len(seen) < MAX_WALK:
        threshold = 0.0
        for (docs, scores), weight in ranked:
            if depth < len(docs):
                threshold += weight * scores[depth]
        if len(heap) >= k and heap[0][0] >= threshold * max_boost:
            break
        for (docs, _), _ in ranked:
            if depth >= len(docs):
                continue
            doc = docs[depth]
            if doc in seen:
                continue
            seen.add(doc)
            if not bitsets.contains(packed, doc):
                continue
            entry = (_score(doc, lists) * boost(doc), -doc)
            if len(heap) < k:
                heapq.heappush(heap, entry)
            elif entry > heap[0]:
                heapq.heapreplace(heap, entry)
        depth += 1
    return [(score, -neg) for score, neg in sorted(heap, reverse=True)]


MAX_COMBINATIONS = 4000
# Stop once nothing unseen can beat the k-th score by more than this fraction.
SCORE_SLACK = 0.0
MAX_LEVEL_LISTS = 4


def _level_walk(
    candidates: int,
    k: int,
    lists: Sequence[Weighted],
    boost: Boost,
    max_boost: float,
    max_id: int,
) -> list[tuple[float, int]] | None:
    """Exact top-k by impact levels: visit level combinations by their best possible score.

    Each combination is one AND of a few bitsets (microseconds); only its documents are
    scored exactly, and the walk stops when no remaining combination can beat the k-th
    score. None when the combination space is too large (the caller falls back).
    """
    options: list[tuple[list[float], list[int]]] = []
    for item in lists:
        uppers, level_bits = item.postings.levels(max_id)
        absent = candidates & ~item.postings.bits(max_id)
        options.append(([u * item.weight for u in uppers] + [0.0], [*level_bits, absent]))
    start = (0,) * len(options)

    def bound(combination: tuple[int, ...]) -> float:
        return max_boost * sum(options[i][0][q] for i, q in enumerate(combination))

    frontier: list[tuple[float, tuple[int, ...]]] = [(-bound(start), start)]
    queued = {start}
    best: list[tuple[float, int]] = []
    scored: set[int] = set()
    popped = 0
    while frontier:
        negative_bound, combination = heapq.heappop(frontier)
        if len(best) >= k and best[0][0] * (1.0 + SCORE_SLACK) >= -negative_bound:
            break
        popped += 1
        if popped > MAX_COMBINATIONS:
            return None
        docs = candidates
        for i, q in enumerate(combination):
            docs &= options[i][1][q]
            if not docs:
                break
        if docs:
            for doc in bitsets.members(docs):
                if doc in scored:
                    continue
                scored.add(doc)
                entry = (_score(doc, lists) * boost(doc), -doc)
                if len(best) < k:
                    heapq.heappush(best, entry)
                elif entry > best[0]:
                    heapq.heapreplace(best, entry)
        for i in range(len(combination)):
            if combination[i] + 1 < len(options[i][0]):
                successor = (*combination[:i], combination[i] + 1, *combination[i + 1 :])
                if successor not in queued:
                    queued.add(successor)
                    heapq.heappush(frontier, (-bound(successor), successor))
    return [(score, -negative) for score, negative in sorted(best, reverse=True)]


def top_k(
    candidates: int,
    k: int,
    lists: Sequence[Weighted],
    *,
    boost: Boost,
    max_boost: float,
    max_id: int,
) -> list[tuple[float, int]]:
    """The k best (score, doc) of the candidate set, best first; ties go to lower ids."""
    if k <= 0 or not candidates:
        return []
    count = candidates.bit_count()
    if count <= max(EXHAUSTIVE_LIMIT, 4 * k) or not lists:
        return _exhaustive(candidates, count, k, lists, boost, max_boost)
    if len(lists) <= MAX_LEVEL_LISTS:
        leveled = _level_walk(candidates, k, lists, boost, max_boost, max_id)
        if leveled is not None:
            return leveled
    found = _threshold_walk(candidates, k, lists, boost, max_boost)
    if len(found) < min(k, count):
        # Candidates no scored list reaches (or a walk cut short): score them all instead.
        return _exhaustive(candidates, count, k, lists, boost, max_boost)
    return found
