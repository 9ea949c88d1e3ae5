"""An in-memory view of the stored index for one generation: document stats, vocabulary,
and scored posting lists loaded on first use and cached.

A store bumps its generation on every write; the engine drops the view when the number
changes, so the cache can never mix two versions of the index.
"""

from __future__ import annotations

import bisect
import math
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from app.search import bitsets
from app.search.analysis import primary_language
from app.search.scoring import FieldLengths, idf, impacts
from app.search.typos import TypoIndex

# Memory the scored-postings cache may hold per process (ids, impacts, level bitsets).
CACHE_BYTES = 1 << 30
# Lists this long get impact-level bitsets (see Postings.levels); shorter ones never need them.
LEVELED_MIN_LENGTH = 1000
IMPACT_LEVELS = 12
IMPACT_RATIO = 0.75


@dataclass(frozen=True, slots=True)
class HitRow:
    """What a hit shows: stored once per searchable document (a section or a lead)."""

    doc_id: int
    article_slug: str
    article_title: str
    language: str
    section_slug: str | None
    heading: str | None
    is_question: bool
    url: str
    body: str


@dataclass(frozen=True, slots=True)
class DocumentRow:
    doc_id: int
    article_id: int
    is_question: bool
    heading_length: int
    title_length: int
    body_length: int


@dataclass(frozen=True, slots=True)
class ArticleRow:
    article_id: int
    slug: str
    language: str


@dataclass(frozen=True, slots=True)
class TermRow:
    term_id: int
    term: str
    document_frequency: int
    surface: str


class IndexReader(Protocol):
    """Read access the engine needs; every call sees the same committed state."""

    def generation(self) -> int: ...

    def documents(self) -> Iterable[DocumentRow]: ...

    def articles(self) -> Iterable[ArticleRow]: ...

    def vocabulary(self) -> Iterable[TermRow]: ...

    def postings(self, term_id: int) -> tuple[Sequence[int], Sequence[int]]:
        """(document ids ascending, packed field frequencies) of one term."""
        ...

    def streams(self, doc_ids: Sequence[int]) -> dict[int, str]:
        """The analysed token stream of each document, for phrase checks."""
        ...

    def hits(self, doc_ids: Sequence[int]) -> dict[int, HitRow]: ...


class Postings:
    """One term's (or a merged group's) documents with their score contributions."""

    __slots__ = ("_bits", "_levels", "_ranked", "docs", "impacts", "max_impact")

    def __init__(self, docs: array[int], scores: array[float]) -> None:
        self.docs = docs
        self.impacts = scores
        self.max_impact = max(scores, default=0.0)
        self._ranked: tuple[array[int], array[float]] | None = None
        self._bits: int | None = None
        self._levels: tuple[list[float], list[int]] | None = None

    def __len__(self) -> int:
        return len(self.docs)

    def impact(self, doc: int) -> float:
        docs = self.docs
        i = bisect.bisect_left(docs, doc)
        if i < len(docs) and docs[i] == doc:
            return self.impacts[i]
        return 0.0

    def ranked(self) -> tuple[array[int], array[float]]:
        """Documents by descending impact, for top-k with early termination."""
        if self._ranked is None:
            scores = self.impacts
            order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
            self._ranked = (
                array("i", [self.docs[i] for i in order]),
                array("f", [scores[i] for i in order]),
            )
        return self._ranked

    def levels(self, max_id: int) -> tuple[list[float], list[int]]:
        """Documents bucketed by impact: (upper bound of each level, bitset of each level).

        Level q holds impacts in (max * RATIO**(q+1), max * RATIO**q]; the last level holds
        everything below. Ranking ANDs these bitsets (fast, in C) to find the few documents
        that can still reach the top k, instead of walking long, flat posting lists.
        """
        if self._levels is None:
            top = self.max_impact
            buckets: list[list[int]] = [[] for _ in range(IMPACT_LEVELS)]
            scale = 1.0 / math.log(1.0 / IMPACT_RATIO)
            last = IMPACT_LEVELS - 1
            for doc, impact in zip(self.docs, self.impacts, strict=True):
                level = int(math.log(top / impact) * scale) if impact > 0 else last
                buckets[min(level, last)].append(doc)
            uppers = [top * IMPACT_RATIO**q for q in range(IMPACT_LEVELS)]
            self._levels = (uppers, [bitsets.from_sorted(b, max_id) for b in buckets])
        return self._levels

    def bits(self, max_id: int) -> int:
        if self._bits is None:
            self._bits = bitsets.from_sorted(self.docs, max_id)
        return self._bits


EMPTY_POSTINGS = Postings(array("i"), array("f"))


def merge_max(parts: Sequence[Postings]) -> Postings:
    """A group of alternative terms (typo candidates, prefix expansions): best impact wins."""
    parts = [part for part in parts if len(part)]
    if not parts:
        return EMPTY_POSTINGS
    if len(parts) == 1:
        return parts[0]
    best: dict[int, float] = {}
    for part in parts:
        for doc, score in zip(part.docs, part.impacts, strict=True):
            if score > best.get(doc, 0.0):
                best[doc] = score
    docs = sorted(best)
    return Postings(array("i", docs), array("f", [best[d] for d in docs]))


@dataclass
class Snapshot:
    """Everything needed to plan and rank queries for one generation of the index."""

    generation: int
    document_count: int
    max_id: int
    lengths: FieldLengths
    question: bytearray
    article_of: array[int]
    article_slugs: dict[int, str]
    article_languages: dict[int, str]
    vocabulary: dict[str, tuple[int, int]]
    surfaces: dict[str, str]
    all_docs: int
    languages: frozenset[str]
    _cache: OrderedDict[tuple[object, ...], Postings] = field(default_factory=OrderedDict)
    _cached_bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _filters: dict[tuple[str, str], int] = field(default_factory=dict)
    _sorted_terms: list[str] | None = None
    _typos: TypoIndex | None = None

    def is_question(self, doc: int) -> bool:
        return doc < len(self.question) and bool(self.question[doc])

    def sorted_terms(self) -> list[str]:
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self.vocabulary)
        return self._sorted_terms

    def typo_index(self) -> TypoIndex:
        if self._typos is None:
            self._typos = TypoIndex(
                (self.surfaces.get(term, term), term, df)
                for term, (_, df) in self.vocabulary.items()
            )
        return self._typos

    def document_frequency(self, term: str) -> int:
        entry = self.vocabulary.get(term)
        return entry[1] if entry else 0

    def _cost(self, postings: Postings) -> int:
        """Bytes an entry may grow to: ids and impacts twice (ranked copy), level bitsets."""
        levels = IMPACT_LEVELS * (self.max_id // 8) if len(postings) >= LEVELED_MIN_LENGTH else 0
        return 16 * len(postings) + levels + 200

    def cached(self, key: tuple[object, ...], build: Callable[[], Postings]) -> Postings:
        """LRU cache of scored postings, bounded by an estimate of the bytes held."""
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        value = build()
        with self._lock:
            if key not in self._cache:
                self._cache[key] = value
                self._cached_bytes += self._cost(value)
                while self._cached_bytes > CACHE_BYTES and len(self._cache) > 1:
                    _, old = self._cache.popitem(last=False)
                    self._cached_bytes -= self._cost(old)
        return value

    def term_postings(self, reader: IndexReader, term: str, *, heading_only: bool) -> Postings:
        """Scored postings of one indexed term (EMPTY if the term is not in the vocabulary)."""
        entry = self.vocabulary.get(term)
        if entry is None:
            return EMPTY_POSTINGS
        term_id, df = entry

        def build() -> Postings:
            docs, tfs = reader.postings(term_id)
            scored_docs, scores = impacts(
                docs,
                tfs,
                term_idf=idf(df, self.document_count),
                lengths=self.lengths,
                heading_only=heading_only,
            )
            return Postings(scored_docs, scores)

        return self.cached(("term", term_id, heading_only), build)

    def filter_bits(self, kind: str, value: str) -> int:
        """Documents of one article, one language or one question-ness, as a bitset."""
        key = (kind, value)
        cached = self._filters.get(key)
        if cached is not None:
            return cached
        article_of = self.article_of
        if kind == "article":
            wanted = {aid for aid, slug in self.article_slugs.items() if slug == value}
            docs: Iterable[int] = (
                d for d in bitsets.members(self.all_docs) if article_of[d] in wanted
            )
        elif kind == "language":
            lang = primary_language(value)
            wanted = {
                aid
                for aid, language in self.article_languages.items()
                if primary_language(language) == lang
            }
            docs = (d for d in bitsets.members(self.all_docs) if article_of[d] in wanted)
        else:
            flag = value == "1"
            docs = (d for d in bitsets.members(self.all_docs) if self.is_question(d) == flag)
        bits = bitsets.from_sorted(docs, self.max_id)
        with self._lock:
            self._filters[key] = bits
        return bits


def build_snapshot(reader: IndexReader) -> Snapshot:
    """Read document stats, articles and vocabulary of the current generation."""
    generation = reader.generation()
    rows = list(reader.documents())
    max_id = max((row.doc_id for row in rows), default=0)
    heading = array("l", bytes(8 * (max_id + 1)))
    title = array("l", bytes(8 * (max_id + 1)))
    body = array("l", bytes(8 * (max_id + 1)))
    article_of = array("l", bytes(8 * (max_id + 1)))
    question = bytearray(max_id + 1)
    for row in rows:
        heading[row.doc_id] = row.heading_length
        title[row.doc_id] = row.title_length
        body[row.doc_id] = row.body_length
        article_of[row.doc_id] = row.article_id
        question[row.doc_id] = row.is_question
    count = len(rows)
    lengths = FieldLengths(
        heading=heading,
        title=title,
        body=body,
        average_heading=sum(r.heading_length for r in rows) / count if count else 1.0,
        average_title=sum(r.title_length for r in rows) / count if count else 1.0,
        average_body=sum(r.body_length for r in rows) / count if count else 1.0,
    )
    articles = list(reader.articles())
    vocabulary: dict[str, tuple[int, int]] = {}
    surfaces: dict[str, str] = {}
    for term in reader.vocabulary():
        vocabulary[term.term] = (term.term_id, term.document_frequency)
        if term.surface != term.term:
            surfaces[term.term] = term.surface
    return Snapshot(
        generation=generation,
        document_count=count,
        max_id=max_id,
        lengths=lengths,
        question=question,
        article_of=article_of,
        article_slugs={a.article_id: a.slug for a in articles},
        article_languages={a.article_id: a.language for a in articles},
        vocabulary=vocabulary,
        surfaces=surfaces,
        all_docs=bitsets.from_sorted((r.doc_id for r in rows), max_id),
        languages=frozenset(primary_language(a.language) for a in articles),
    )
