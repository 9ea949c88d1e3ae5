"""An in-memory view of the stored index for one generation: document stats, vocabulary,
and scored posting lists loaded on first use and cached.

A store bumps its generation on every write; the engine replaces the view when the number
changes (soon after, for a view slow to build: see engine.REBUILD_SPACING). Postings are
cached only when read at the view's own generation, so the cache never mixes two versions
of the index; a reader at another generation computes its postings afresh.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from app.search import bitsets
from app.search.analysis import primary_language
from app.search.postings import DENSE_DENSITY, EMPTY_POSTINGS, DocIds, Postings
from app.search.scoring import DEFAULT_PARAMS, FieldLengths, idf, impacts
from app.search.typos import TypoIndex

# Memory the scored-postings cache may hold per process (ids, impacts, ranked copy, bitset).
CACHE_BYTES = 1 << 30
MAX_CACHED_FILTERS = 256


@dataclass(frozen=True, slots=True)
class HitRow:
    """What a hit shows of its document (a section or a lead); the article comes from the
    snapshot, so fetching a page of hits touches one table."""

    doc_id: int
    article_id: int
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
    title: str
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

    def postings(self, term_id: int) -> tuple[DocIds, npt.NDArray[np.int64]]:
        """(document ids ascending, packed field frequencies) of one term."""
        ...

    def streams(self, doc_ids: Sequence[int]) -> dict[int, str]:
        """The analysed token stream of each document, for phrase checks."""
        ...

    def hits(self, doc_ids: Sequence[int]) -> dict[int, HitRow]: ...


@dataclass
class Snapshot:
    """Everything needed to plan and rank queries for one generation of the index."""

    generation: int
    document_count: int
    max_id: int
    lengths: FieldLengths
    question: npt.NDArray[np.bool_]
    boosts: npt.NDArray[np.float64]
    article_of: npt.NDArray[np.int64]
    articles: dict[int, ArticleRow]
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
    built_at: float = 0.0  # time.monotonic() when the view was complete
    build_seconds: float = 0.0

    def article_language(self, article_id: int) -> str:
        """The primary language of an article ('und' when unknown)."""
        article = self.articles.get(article_id)
        return primary_language(article.language if article else None)

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
        """Bytes an entry may grow to: ids and impacts twice (ranked copy), its bitset, and
        the dense impacts of a common word."""
        dense = 4 * self.max_id if len(postings) * DENSE_DENSITY >= self.max_id else 0
        return 16 * len(postings) + self.max_id // 8 + dense + 200

    def cached(
        self, key: tuple[object, ...], build: Callable[[], Postings], *, keep: bool = True
    ) -> Postings:
        """LRU cache of scored postings, bounded by an estimate of the bytes held; with
        `keep` False (a reader at another generation) the value is built and not kept."""
        if not keep:
            return build()
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

    def term_postings(
        self,
        reader: IndexReader,
        term: str,
        *,
        heading_only: bool,
        scale: float = 1.0,
        keep: bool = True,
    ) -> Postings:
        """Scored postings of one indexed term (EMPTY if the term is not in the vocabulary),
        with every impact multiplied by `scale`."""
        entry = self.vocabulary.get(term)
        if entry is None:
            return EMPTY_POSTINGS
        term_id, df = entry

        def build() -> Postings:
            docs, tfs = reader.postings(term_id)
            if len(docs) and docs[-1] > self.max_id:
                # Documents written after this view was built (an older view still answers
                # while writes arrive): it has no lengths for them yet.
                known = int(np.searchsorted(docs, self.max_id, side="right"))
                docs, tfs = docs[:known], tfs[:known]
            scored_docs, scores = impacts(
                docs,
                tfs,
                term_idf=idf(df, self.document_count),
                lengths=self.lengths,
                heading_only=heading_only,
            )
            if scale != 1.0:
                scores = (scores * scale).astype(np.float32)
            return Postings(scored_docs, scores)

        return self.cached(("term", term_id, heading_only, scale), build, keep=keep)

    def filter_bits(self, kind: str, value: str) -> int:
        """Documents of one article, one language or one question-ness, as a bitset."""
        key = (kind, value)
        cached = self._filters.get(key)
        if cached is not None:
            return cached
        if kind == "article":
            wanted = [aid for aid, article in self.articles.items() if article.slug == value]
            chosen = np.isin(self.article_of, wanted)
        elif kind == "language":
            language = primary_language(value)
            wanted = [
                aid
                for aid, article in self.articles.items()
                if primary_language(article.language) == language
            ]
            chosen = np.isin(self.article_of, wanted)
        else:
            chosen = self.question == (value == "1")
        bits = bitsets.from_array(np.flatnonzero(chosen).astype(np.int32), self.max_id)
        bits &= self.all_docs
        with self._lock:
            # Filter values come from requests: bound what arbitrary strings can pin in memory.
            if len(self._filters) >= MAX_CACHED_FILTERS:
                self._filters.clear()
            self._filters[key] = bits
        return bits


def build_snapshot(reader: IndexReader) -> Snapshot:
    """Read document stats, articles and vocabulary of the current generation."""
    started = time.monotonic()
    generation = reader.generation()
    rows = list(reader.documents())
    max_id = max((row.doc_id for row in rows), default=0)
    ids = np.array([row.doc_id for row in rows], dtype=np.int64)

    def column(values: Iterable[int]) -> npt.NDArray[np.int64]:
        dense = np.zeros(max_id + 1, dtype=np.int64)
        dense[ids] = np.fromiter(values, dtype=np.int64, count=len(rows))
        return dense

    heading = column(row.heading_length for row in rows)
    title = column(row.title_length for row in rows)
    body = column(row.body_length for row in rows)
    question = column(int(row.is_question) for row in rows)
    count = len(rows)
    lengths = FieldLengths(
        heading=heading.astype(np.float64),
        title=title.astype(np.float64),
        body=body.astype(np.float64),
        average_heading=float(heading.sum()) / count if count else 1.0,
        average_title=float(title.sum()) / count if count else 1.0,
        average_body=float(body.sum()) / count if count else 1.0,
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
        question=question > 0,
        boosts=np.where(question > 0, DEFAULT_PARAMS.question_boost, 1.0),
        article_of=column(row.article_id for row in rows),
        articles={a.article_id: a for a in articles},
        vocabulary=vocabulary,
        surfaces=surfaces,
        all_docs=bitsets.from_array(ids.astype(np.int32), max_id),
        languages=frozenset(primary_language(a.language) for a in articles),
        built_at=time.monotonic(),
        build_seconds=time.monotonic() - started,
    )
