"""BM25F: one saturation over field-weighted, length-normalised term frequencies.

Postings store the three frequencies packed in one int (see `pack_tf`), so the index
holds one row per (term, document) and the weights can be tuned without re-indexing.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

TF_BITS = 10
TF_MAX = (1 << TF_BITS) - 1


def pack_tf(heading: int, title: int, body: int) -> int:
    """Pack the three field frequencies (each capped) into one int."""
    return min(heading, TF_MAX) | min(title, TF_MAX) << TF_BITS | min(body, TF_MAX) << (2 * TF_BITS)


def unpack_tf(packed: int) -> tuple[int, int, int]:
    return packed & TF_MAX, packed >> TF_BITS & TF_MAX, packed >> (2 * TF_BITS)


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

    heading: Sequence[int]
    title: Sequence[int]
    body: Sequence[int]
    average_heading: float
    average_title: float
    average_body: float


def impacts(
    docs: Sequence[int],
    packed_tfs: Sequence[int],
    *,
    term_idf: float,
    lengths: FieldLengths,
    params: Bm25Params | None = None,
    heading_only: bool = False,
) -> tuple[array[int], array[float]]:
    """Each document's score contribution for one term; heading_only drops other fields."""
    p = params or DEFAULT_PARAMS
    # w * tf / (1 - b + b * len / avg), written as w * tf / (c + k * len) with c, k per field.
    ch, kh = 1.0 - p.heading_b, p.heading_b / max(lengths.average_heading, 1e-9)
    ct, kt = 1.0 - p.title_b, p.title_b / max(lengths.average_title, 1e-9)
    cb, kb = 1.0 - p.body_b, p.body_b / max(lengths.average_body, 1e-9)
    wh, wt, wb = p.heading_weight, p.title_weight, p.body_weight
    k1 = p.k1
    scale = term_idf * (k1 + 1.0)
    hl, tl, bl = lengths.heading, lengths.title, lengths.body
    # 4-byte ids and impacts: half the memory of the defaults, precision to spare.
    out_docs: array[int] = array("i")
    out_impacts: array[float] = array("f")
    for doc, packed in zip(docs, packed_tfs, strict=True):
        h = packed & TF_MAX
        if heading_only:
            if not h:
                continue
            t = b = 0
        else:
            t = packed >> TF_BITS & TF_MAX
            b = packed >> (2 * TF_BITS)
        weighted = 0.0
        if h:
            weighted += wh * h / (ch + kh * hl[doc])
        if t:
            weighted += wt * t / (ct + kt * tl[doc])
        if b:
            weighted += wb * b / (cb + kb * bl[doc])
        out_docs.append(doc)
        out_impacts.append(scale * weighted / (k1 + weighted))
    return out_docs, out_impacts
