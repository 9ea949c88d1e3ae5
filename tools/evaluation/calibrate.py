"""Fit the confidence curve of search hits, and check it on queries it was not fitted on.

Every hit in the top 5 of every judged query is one example: its coverage (see
app/search/confidence.py) and whether it answers the query (1 for a relevant hit, 0 for any
other, and for every hit of a query no article answers). A logistic curve is fitted on our
own queries (`ours`) by Newton's method and then measured on corpus-extra's, which it never
saw: the calibration table (predicted against observed, per band), the share of no-answer
queries left with no hit at or above the answer threshold, and the share of answerable
queries whose first relevant hit reaches it.

    python -m tools.evaluation.calibrate
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from unittest.mock import patch

import numpy as np

from app.search import confidence as confidence_module
from app.search import engine
from app.store import open_store
from tools.evaluation.queries import QuerySet, RelevanceQuery, load_queries
from tools.evaluation.relevance import (
    QueryOutcome,
    RelevanceReport,
    evaluate,
    load_store,
    source_files,
)

TOP = 5
BANDS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


@dataclass(frozen=True, slots=True)
class Example:
    share: float
    relative_score: float
    answers: int
    origin: QuerySet

    @property
    def features(self) -> tuple[float, float, float]:
        return confidence_module.features(self.share, self.relative_score)


def raw_report(queries: Sequence[RelevanceQuery]) -> RelevanceReport:
    """The harness run with hits carrying their raw coverage as `confidence`."""
    store = open_store(":memory:")
    try:
        load_store(source_files(), store)
        with patch.object(engine, "confidence", lambda share, _relative_score: share):
            return evaluate(store, queries)
    finally:
        store.close()


def examples(report: RelevanceReport) -> Iterator[Example]:
    for outcome in report.outcomes:
        best = outcome.scores[0] if outcome.scores else 0.0
        hits = zip(outcome.gains, outcome.confidences, outcome.scores, strict=True)
        for gain, share, score in list(hits)[:TOP]:
            relative = score / best if best > 0 else 0.0
            yield Example(share, relative, gain, outcome.query.origin)


# Weights of coverage, of being the best-scored hit, of both together; the intercept.
Curve = tuple[float, float, float, float]


def fit(examples: Sequence[Example]) -> Curve:
    """Logistic regression of `answers` on the features (Newton's method, a little L2)."""
    design = np.array([[*e.features, 1.0] for e in examples])
    labels = np.array([float(e.answers) for e in examples])
    weights = np.zeros(design.shape[1])
    for _ in range(100):
        predicted = 1.0 / (1.0 + np.exp(-design @ weights))
        gradient = design.T @ (predicted - labels) + 1e-3 * weights
        hessian = (design.T * (predicted * (1 - predicted))) @ design + 1e-3 * np.eye(4)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-9:
            break
    return float(weights[0]), float(weights[1]), float(weights[2]), float(weights[3])


def predict(curve: Curve, share: float, relative_score: float) -> float:
    *weights, intercept = curve
    inputs = confidence_module.features(share, relative_score)
    logit = sum(w * x for w, x in zip(weights, inputs, strict=True)) + intercept
    return float(1.0 / (1.0 + np.exp(-logit)))


def calibration_table(examples: Sequence[Example], curve: Curve) -> list[str]:
    predicted = np.array([predict(curve, e.share, e.relative_score) for e in examples])
    observed = np.array([float(e.answers) for e in examples])
    lines = ["  predicted band   hits  mean predicted  observed"]
    for low, high in itertools.pairwise(BANDS):
        chosen = (predicted >= low) & (predicted < high)
        if chosen.any():
            lines.append(
                f"  {low:.1f}-{min(high, 1.0):.1f}        {int(chosen.sum()):5}"
                f"  {predicted[chosen].mean():14.2f}  {observed[chosen].mean():8.2f}"
            )
    return lines


def decisions(report: RelevanceReport, curve: Curve, origin: QuerySet) -> str:
    """What a chatbot answering only at or above the threshold would do on one set."""
    threshold = confidence_module.ANSWER_THRESHOLD

    def sure(outcome: QueryOutcome, at: int) -> bool:
        best = outcome.scores[0]
        relative = outcome.scores[at] / best if best > 0 else 0.0
        return predict(curve, outcome.confidences[at], relative) >= threshold

    part = report.part(origin=origin)
    silent = sum(
        1 for o in part.no_answer if not any(sure(o, at) for at in range(len(o.confidences)))
    )
    answered = sum(1 for o in part.answerable if o.rank is not None and sure(o, o.rank - 1))
    return (
        f"  {origin}: no-answer queries with no sure hit {silent}/{len(part.no_answer)};"
        f" answerable queries whose first relevant hit is sure {answered}/{len(part.answerable)}"
    )


ORIGINS: tuple[QuerySet, ...] = ("ours", "corpus-extra")


def main() -> None:
    report = raw_report(load_queries())
    found = list(examples(report))
    for origin in ORIGINS:
        chosen = [e for e in found if e.origin == origin]
        print(f"{origin}: {len(chosen)} hits, {sum(e.answers for e in chosen)} relevant")
    fitted = fit([e for e in found if e.origin == "ours"])
    in_use: Curve = (
        confidence_module.COVERAGE,
        confidence_module.TOP,
        confidence_module.COVERAGE_AT_TOP,
        confidence_module.INTERCEPT,
    )
    names = ("COVERAGE", "TOP", "COVERAGE_AT_TOP", "INTERCEPT")
    for label, curve in (("fitted on ours", fitted), ("in use", in_use)):
        weights = ", ".join(f"{n} = {w:.2f}" for n, w in zip(names, curve, strict=True))
        print(f"{label:15} {weights}")
    for origin in ORIGINS:
        print(f"calibration on {origin} (the curve in use):")
        for line in calibration_table([e for e in found if e.origin == origin], in_use):
            print(line)
        print(decisions(report, in_use, origin))


if __name__ == "__main__":
    main()
