"""BM25F: one saturation over field-weighted, length-normalised term frequencies.

Postings store the three frequencies packed in one int (see `pack_tf`), so the index
holds one row per (term, document) and the weights can be tuned without re-indexing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

TF_BITS = 10
TF_MAX = (1 << TF_BITS) - 1


def pack_tf(heading: int, title: int, body: int) -> int:
    """Pack the three field frequencies (each capped) into one int."""
    return min(heading, TF_MAX) | min(title, TF_MAX) << TF_BITS | min(body, TF_MAX) << (2 * TF_BITS)


@dataclass(frozen=True, slots=True)
class Bm25Params:
    """Field weights (heading > title > body) and BM25 constants."""

    k1: float = 1.2
    heading_weight: float = 3.0
    title_weight: float = 1.5
    body_weight: float = 1.0
    heading_b: float = 0.5
    title_b: float = 0.5
    body_b: float = 0.75
    # A question heading wins a near tie: the unit this service exists to serve.
    question_boost: float = 1.02


DEFAULT_PARAMS = Bm25Params()


def idf(document_frequency: int, document_count: int) -> float:
    return math.log(1.0 + (document_count - document_frequency + 0.5) / (document_frequency + 0.5))


@dataclass(frozen=True, slots=True)
class FieldLengths:
    """Per-document field lengths (indexed by document id) and their averages."""

    heading: npt.NDArray[np.float64]
    title: npt.NDArray[np.float64]
    body: npt.NDArray[np.float64]
    average_heading: float
    average_title: float
    average_body: float


def impacts(
    docs: npt.NDArray[np.int32],
    packed_tfs: npt.NDArray[np.int64],
    *,
    term_idf: float,
    lengths: FieldLengths,
    params: Bm25Params | None = None,
    heading_only: bool = False,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """Each document's score contribution for one term; heading_only drops other fields."""
    p = params or DEFAULT_PARAMS
    h = (packed_tfs & TF_MAX).astype(np.float64)
    if heading_only:
        keep = h > 0
        docs, h = docs[keep], h[keep]
        weighted = (
            p.heading_weight
            * h
            / _norm(lengths.heading[docs], p.heading_b, lengths.average_heading)
        )
    else:
        t = (packed_tfs >> TF_BITS & TF_MAX).astype(np.float64)
        b = (packed_tfs >> (2 * TF_BITS)).astype(np.float64)
        # w * tf / (1 - b + b * len / avg) per field; a zero frequency adds exactly zero.
        weighted = (
            p.heading_weight
            * h
            / _norm(lengths.heading[docs], p.heading_b, lengths.average_heading)
            + p.title_weight * t / _norm(lengths.title[docs], p.title_b, lengths.average_title)
            + p.body_weight * b / _norm(lengths.body[docs], p.body_b, lengths.average_body)
        )
    scale = term_idf * (p.k1 + 1.0)
    # 4-byte ids and impacts: half the memory of the defaults, precision to spare.
    scores = (scale * weighted / (p.k1 + weighted)).astype(np.float32)
    return docs.astype(np.int32, copy=False), scores


def _norm(
    field_lengths: npt.NDArray[np.float64], b: float, average: float
) -> npt.NDArray[np.float64]:
    return (1.0 - b) + (b / max(average, 1e-9)) * field_lengths
