"""How sure a hit answers the query: a calibrated probability from what of the query the
hit holds.

The main evidence is coverage: the share of the query's content words (stop words aside, each
weighted by its IDF) that the hit's section holds, in its heading, body or the article's
title. A word the index does not hold at all (and could not correct) weighs as the rarest
word there is: a query about "cricket" over articles that never say it is not answered by
a section that says "final". The second is whether the hit is the best-scored one: of several
hits that hold every word, the first is the likeliest answer. Both go through a
logistic curve fitted on our own judged queries (`python -m tools.evaluation.calibrate`
prints the fit) and checked on queries written by others, which it never saw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.search.postings import Postings
from app.search.scoring import idf

# Logistic fit of P(the hit answers the query) on its coverage c, whether it is the best-scored
# hit (t, 1 or 0) and both together: 1 / (1 + exp(-(COVERAGE*c + TOP*t + COVERAGE_AT_TOP*c*t
# + INTERCEPT))). Fitted by tools/evaluation/calibrate.py on our own queries only.
COVERAGE = 3.85
TOP = 2.57
COVERAGE_AT_TOP = 2.84
INTERCEPT = -5.39
# Scores this close to the best tie with it (float sums of the same impacts).
TOP_RATIO = 0.999
# At or above this, a hit is an answer; below it a chatbot should say it has none.
ANSWER_THRESHOLD = 0.5


def features(share: float, relative_score: float) -> tuple[float, float, float]:
    """The curve's inputs: coverage, best-scored or not, and the two together."""
    top = 1.0 if relative_score >= TOP_RATIO else 0.0
    return share, top, share * top


@dataclass(frozen=True, slots=True)
class Evidence:
    """One content word of the query: its weight, and the postings that hold it."""

    weight: float
    postings: Postings | None  # None: the index does not hold the word


def word_weight(document_frequency: int, document_count: int) -> float:
    """IDF of a query word; a word no document holds weighs as the rarest."""
    return idf(document_frequency, max(document_count, 1))


def coverage(evidence: Sequence[Evidence], docs: Sequence[int]) -> list[float]:
    """For each document, the weighted share of the query's content words it holds."""
    total = sum(item.weight for item in evidence)
    if not docs:
        return []
    if total <= 0:
        return [1.0] * len(docs)  # nothing to cover: a query of stop words or a filter
    ids = np.asarray(docs, dtype=np.int32)
    order = np.argsort(ids, kind="stable")
    held = np.zeros(len(ids), dtype=np.float64)
    for item in evidence:
        if item.postings is None or not len(item.postings):
            continue
        found = item.postings.impacts_of(ids[order]) > 0
        held[order] += item.weight * found
    return [float(value) / total for value in held]


def confidence(share: float, relative_score: float) -> float:
    """P(the hit answers the query), from its coverage and its score / the best score."""
    coverage_, top, both = features(share, relative_score)
    logit = COVERAGE * coverage_ + TOP * top + COVERAGE_AT_TOP * both + INTERCEPT
    return 1.0 / (1.0 + math.exp(-logit))
