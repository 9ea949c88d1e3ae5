"""The in-memory view of the index for one generation of the store: document stats,
vocabulary, the inverted index, and scored posting lists cached on first use.

The first view is read whole from the store; every later one is the one before with the
store's delta applied (documents written and removed since, articles changed, new terms),
never a rebuild, so writes arriving all the time cost each process a small read each.
Views share what only grows (the vocabulary, article rows, per-document arrays): a view
never reads past its own highest document or term id, so what is appended later is
invisible to it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from app.search import bitsets
from app.search.analysis import primary_language
from app.search.inverted import DocumentTerms, InvertedIndex
from app.search.postings import DENSE_DENSITY, EMPTY_POSTINGS, Postings
from app.search.scoring import DEFAULT_PARAMS, FieldLengths, idf, impacts
from app.search.vocabulary import Vocabulary

# Memory the scored-postings cache may hold per process (ids, impacts, ranked copy, bitset):
# what a common word costs to score again is small next to the index itself.
CACHE_BYTES = 48 << 20
MAX_CACHED_FILTERS = 256
# A view read whole merges its tail from this many postings on (see build_snapshot).
BUILD_MERGE_POSTINGS = 4 << 20


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
class DocumentColumns:
    """A batch of documents (ids ascending) as columns, with their postings."""

    ids: npt.NDArray[np.int64]
    article_ids: npt.NDArray[np.int64]
    is_question: npt.NDArray[np.bool_]
    heading_lengths: npt.NDArray[np.float64]
    title_lengths: npt.NDArray[np.float64]
    body_lengths: npt.NDArray[np.float64]
    terms: DocumentTerms

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]]) -> DocumentColumns:
        """From (id, article id, is question, heading, title and body lengths, encoded
        terms) rows, as the store reads them."""
        if not rows:
            return cls.empty()
        columns = list(zip(*rows, strict=True))
        ids = np.array(columns[0], dtype=np.int64)
        return cls(
            ids=ids,
            article_ids=np.array(columns[1], dtype=np.int64),
            is_question=np.array(columns[2], dtype=np.bool_),
            heading_lengths=np.array(columns[3], dtype=np.float64),
            title_lengths=np.array(columns[4], dtype=np.float64),
            body_lengths=np.array(columns[5], dtype=np.float64),
            terms=DocumentTerms.decode(ids, [bytes(blob) for blob in columns[6]]),
        )

    @classmethod
    def concat(cls, parts: Sequence[DocumentColumns]) -> DocumentColumns:
        parts = [part for part in parts if len(part)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls(
            ids=np.concatenate([part.ids for part in parts]),
            article_ids=np.concatenate([part.article_ids for part in parts]),
            is_question=np.concatenate([part.is_question for part in parts]),
            heading_lengths=np.concatenate([part.heading_lengths for part in parts]),
            title_lengths=np.concatenate([part.title_lengths for part in parts]),
            body_lengths=np.concatenate([part.body_lengths for part in parts]),
            terms=DocumentTerms.concat([part.terms for part in parts]),
        )

    @classmethod
    def empty(cls) -> DocumentColumns:
        none = np.zeros(0, dtype=np.int64)
        lengths = np.zeros(0, dtype=np.float64)
        return cls(
            none,
            none,
            np.zeros(0, dtype=np.bool_),
            lengths,
            lengths,
            lengths,
            DocumentTerms.empty(),
        )


@dataclass(frozen=True, slots=True)
class RemovedRow:
    """A document deleted from the store, with the terms it had."""

    doc_id: int
    terms: bytes


@dataclass(frozen=True, slots=True)
class ArticleRow:
    article_id: int
    slug: str
    title: str
    language: str
    updated_at: str = ""  # ISO 8601, UTC: orders hits for sort=updated


@dataclass(frozen=True, slots=True)
class TermColumns:
    """New terms: ids, the terms, and a readable word for each."""

    ids: list[int]
    terms: list[str]
    surfaces: list[str]


class IndexReader(Protocol):
    """Read access the engine needs; every call sees the same committed state."""

    def generation(self) -> int: ...

    def documents(self, *, after: int) -> Iterator[DocumentColumns]:
        """Documents with an id above `after`, ids ascending, in slices."""
        ...

    def removed(self, *, since: int) -> Sequence[RemovedRow] | None:
        """Documents deleted by writes after generation `since`; None when the store no
        longer keeps its log that far back (then the view is read whole again)."""
        ...

    def articles(self, *, since: int) -> Iterable[ArticleRow]:
        """Articles written or changed after generation `since` (every one for -1)."""
        ...

    def vocabulary(self, *, after: int) -> TermColumns:
        """Terms with an id above `after`."""
        ...

    def streams(self, doc_ids: Sequence[int]) -> dict[int, str]:
        """The analysed token stream of each document, for phrase checks."""
        ...

    def last_document(self) -> int:
        """The highest document id there is (0: none)."""
        ...

    def hits(self, doc_ids: Sequence[int]) -> dict[int, HitRow]: ...


@dataclass
class _DocumentArrays:
    """Per-document stats indexed by id, with room to grow; shared by views (see module)."""

    heading: npt.NDArray[np.float64]
    title: npt.NDArray[np.float64]
    body: npt.NDArray[np.float64]
    question: npt.NDArray[np.bool_]
    boosts: npt.NDArray[np.float64]
    article_of: npt.NDArray[np.int64]

    @classmethod
    def sized(cls, capacity: int) -> _DocumentArrays:
        return cls(
            heading=np.zeros(capacity, dtype=np.float64),
            title=np.zeros(capacity, dtype=np.float64),
            body=np.zeros(capacity, dtype=np.float64),
            question=np.zeros(capacity, dtype=np.bool_),
            boosts=np.ones(capacity, dtype=np.float64),
            article_of=np.zeros(capacity, dtype=np.int64),
        )

    def with_room(self, max_id: int) -> _DocumentArrays:
        """These arrays, or copies with room for ids up to max_id (doubling)."""
        if max_id < len(self.heading):
            return self
        grown = _DocumentArrays.sized(max(max_id + 1, 2 * len(self.heading)))
        for name in ("heading", "title", "body", "question", "boosts", "article_of"):
            getattr(grown, name)[: len(self.heading)] = getattr(self, name)
        return grown

    def write(self, documents: DocumentColumns) -> None:
        ids = documents.ids
        self.heading[ids] = documents.heading_lengths
        self.title[ids] = documents.title_lengths
        self.body[ids] = documents.body_lengths
        self.question[ids] = documents.is_question
        self.boosts[ids] = np.where(documents.is_question, DEFAULT_PARAMS.question_boost, 1.0)
        self.article_of[ids] = documents.article_ids


@dataclass
class _Totals:
    """Live documents and their summed field lengths (for BM25's averages)."""

    count: int = 0
    heading: float = 0.0
    title: float = 0.0
    body: float = 0.0
    # Live documents per primary language. Queries are analysed in the languages of the
    # documents there are, so a view kept up to date drops a language with its last
    # document, as a view read whole would (its article rows only grow: they cannot say).
    languages: Counter[str] = field(default_factory=Counter)

    def copy(self) -> _Totals:
        return _Totals(self.count, self.heading, self.title, self.body, Counter(self.languages))

    def live_languages(self) -> frozenset[str]:
        return frozenset(language for language, count in self.languages.items() if count > 0)


@dataclass
class Snapshot:
    """Everything needed to plan and rank queries for one generation of the index."""

    generation: int
    max_id: int
    max_term_id: int
    totals: _Totals
    arrays: _DocumentArrays
    articles: dict[int, ArticleRow]
    terms: Vocabulary
    index: InvertedIndex
    all_docs: int
    languages: frozenset[str] = field(init=False)  # of the live documents (see _Totals)
    lengths: FieldLengths = field(init=False)
    _cache: OrderedDict[tuple[object, ...], Postings] = field(default_factory=OrderedDict)
    _cached_bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _filters: dict[tuple[str, str], int] = field(default_factory=dict)
    built_at: float = 0.0  # time.monotonic() when the view was complete
    build_seconds: float = 0.0

    def __post_init__(self) -> None:
        self.languages = self.totals.live_languages()
        count = self.totals.count
        self.lengths = FieldLengths(
            heading=self.arrays.heading,
            title=self.arrays.title,
            body=self.arrays.body,
            average_heading=self.totals.heading / count if count else 1.0,
            average_title=self.totals.title / count if count else 1.0,
            average_body=self.totals.body / count if count else 1.0,
        )

    @property
    def document_count(self) -> int:
        return self.totals.count

    @property
    def question(self) -> npt.NDArray[np.bool_]:
        return self.arrays.question

    @property
    def boosts(self) -> npt.NDArray[np.float64]:
        return self.arrays.boosts

    @property
    def article_of(self) -> npt.NDArray[np.int64]:
        return self.arrays.article_of

    @property
    def surfaces(self) -> dict[str, str]:
        return self.terms.surfaces

    def article_language(self, article_id: int) -> str:
        """The primary language of an article ('und' when unknown)."""
        article = self.articles.get(article_id)
        return primary_language(article.language if article else None)

    def term_id(self, term: str) -> int | None:
        """The term's id when a live document of this view holds it."""
        term_id = self.terms.ids.get(term)
        if term_id is None or term_id > self.max_term_id:
            return None
        return term_id if self.index.document_frequency(term_id) > 0 else None

    def has_term(self, term: str) -> bool:
        return self.term_id(term) is not None

    def sorted_terms(self) -> list[str]:
        return self.terms.sorted_terms()

    def typo_index(self) -> TypoLookup:
        return TypoLookup(self)

    def document_frequency(self, term: str) -> int:
        term_id = self.term_id(term)
        return self.index.document_frequency(term_id) if term_id is not None else 0

    def _cost(self, postings: Postings) -> int:
        """Bytes an entry may grow to: ids and impacts, its bitset, and the dense impacts of
        a common word."""
        dense = 4 * self.max_id if len(postings) * DENSE_DENSITY >= self.max_id else 0
        return 8 * len(postings) + self.max_id // 8 + dense + 200

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

    def term_postings(self, term: str, *, heading_only: bool, scale: float = 1.0) -> Postings:
        """Scored postings of one indexed term (EMPTY if no live document holds it), with
        every impact multiplied by `scale`."""
        term_id = self.term_id(term)
        if term_id is None:
            return EMPTY_POSTINGS

        def build() -> Postings:
            docs, tfs = self.index.postings(term_id)
            scored_docs, scores = impacts(
                docs,
                tfs,
                term_idf=idf(self.index.document_frequency(term_id), self.document_count),
                lengths=self.lengths,
                heading_only=heading_only,
            )
            if scale != 1.0:
                scores = (scores * scale).astype(np.float32)
            return Postings(scored_docs, scores)

        return self.cached(("term", term_id, heading_only, scale), build)

    def filter_bits(self, kind: str, value: str) -> int:
        """Documents of one article, one language or one question-ness, as a bitset."""
        key = (kind, value)
        cached = self._filters.get(key)
        if cached is not None:
            return cached
        article_of = self.article_of[: self.max_id + 1]
        if kind == "article":
            wanted = [aid for aid, article in self.articles.items() if article.slug == value]
            chosen = np.isin(article_of, wanted)
        elif kind == "language":
            language = primary_language(value)
            wanted = [
                aid
                for aid, article in self.articles.items()
                if primary_language(article.language) == language
            ]
            chosen = np.isin(article_of, wanted)
        else:
            chosen = self.question[: self.max_id + 1] == (value == "1")
        bits = bitsets.from_array(np.flatnonzero(chosen).astype(np.int32), self.max_id)
        bits &= self.all_docs
        with self._lock:
            # Filter values come from requests: bound what arbitrary strings can pin in memory.
            if len(self._filters) >= MAX_CACHED_FILTERS:
                self._filters.clear()
            self._filters[key] = bits
        return bits

    def updated(self, reader: IndexReader) -> Snapshot | None:
        """This view with the store's changes since applied (None: they cannot be read as
        a delta, read the whole view again)."""
        started = time.monotonic()
        generation = reader.generation()
        removed = reader.removed(since=self.generation)
        if removed is None:
            return None
        added = DocumentColumns.concat(list(reader.documents(after=self.max_id)))
        max_id = max(self.max_id, int(added.ids[-1]) if len(added) else 0)
        arrays = self.arrays.with_room(max_id)
        totals = self.totals.copy()
        # The articles of added documents first: their rows say the documents' language.
        changed = list(reader.articles(since=self.generation))
        articles = self.articles
        if any(articles.get(row.article_id, row) != row for row in changed):
            # An article given another slug: the views before (readers in older transactions
            # may still use them) keep the row they had; rows only added are shared.
            articles = dict(articles)
        articles.update((row.article_id, row) for row in changed)
        if len(added):
            arrays.write(added)
            _count(totals, added.ids, arrays, articles, sign=1)
        known_removed = [
            row for row in removed if row.doc_id <= self.max_id and self.index.alive[row.doc_id]
        ]
        if known_removed:
            gone_ids = np.array([row.doc_id for row in known_removed], dtype=np.int64)
            _count(totals, gone_ids, arrays, articles, sign=-1)
        max_term_id = self.terms.add(reader.vocabulary(after=self.max_term_id))
        index = self.index.with_changes(added.terms, _terms_of(removed), max_id=max_id)
        all_docs = self.all_docs
        if len(added):
            all_docs |= bitsets.from_array(added.ids.astype(np.int32), max_id)
        if known_removed:
            gone = bitsets.from_sorted((row.doc_id for row in known_removed), max_id)
            all_docs &= ~gone
        return Snapshot(
            generation=generation,
            max_id=max_id,
            max_term_id=max_term_id,
            totals=totals,
            arrays=arrays,
            articles=articles,
            terms=self.terms,
            index=index,
            all_docs=all_docs,
            built_at=time.monotonic(),
            build_seconds=time.monotonic() - started,
        )


class TypoLookup:
    """The shared typo index, limited to the terms a view's live documents hold."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    def nearest(
        self, word: str, max_edits: int, *, swaps_only: bool = False, stems: bool = False
    ) -> list[str]:
        """Terms whose words (or, with `stems`, the terms themselves) are nearest to `word`."""
        snapshot = self._snapshot
        vocabulary = snapshot.terms
        typos = (
            vocabulary.stem_typo_index(snapshot.document_frequency)
            if stems
            else vocabulary.typo_index(snapshot.document_frequency)
        )
        found = typos.nearest(word, max_edits, swaps_only=swaps_only)
        return [term for term in found if snapshot.has_term(term)]


def _count(
    totals: _Totals,
    ids: npt.NDArray[np.int64],
    arrays: _DocumentArrays,
    articles: Mapping[int, ArticleRow],
    *,
    sign: int,
) -> None:
    totals.count += sign * len(ids)
    totals.heading += sign * float(arrays.heading[ids].sum())
    totals.title += sign * float(arrays.title[ids].sum())
    totals.body += sign * float(arrays.body[ids].sum())
    article_ids, documents = np.unique(arrays.article_of[ids], return_counts=True)
    for article_id, count in zip(article_ids.tolist(), documents.tolist(), strict=True):
        totals.languages[primary_language(articles[article_id].language)] += sign * count


def _terms_of(rows: Sequence[RemovedRow]) -> DocumentTerms:
    if not rows:
        return DocumentTerms.empty()
    return DocumentTerms.decode([row.doc_id for row in rows], [row.terms for row in rows])


def build_snapshot(reader: IndexReader) -> Snapshot:
    """Read the whole view of the current generation, a slice of documents at a time
    (merging as it goes: the whole store's postings are never in memory twice)."""
    started = time.monotonic()
    generation = reader.generation()
    arrays = _DocumentArrays.sized(1)
    articles = {row.article_id: row for row in reader.articles(since=-1)}
    totals = _Totals()
    index = InvertedIndex.build(DocumentTerms.empty(), max_id=0)
    max_id = 0
    all_ids: list[npt.NDArray[np.int64]] = []
    for part in reader.documents(after=0):
        max_id = int(part.ids[-1])
        arrays = arrays.with_room(max_id)
        arrays.write(part)
        _count(totals, part.ids, arrays, articles, sign=1)
        index = index.with_changes(part.terms, DocumentTerms.empty(), max_id=max_id)
        # Merging each time the tail outgrows the base copies each posting about twice.
        if index.tail_length > max(BUILD_MERGE_POSTINGS, len(index.base_docs)):
            index = index.merged()
        all_ids.append(part.ids)
    if index.tail_length:
        index = index.merged()
    terms = Vocabulary()
    max_term_id = terms.add(reader.vocabulary(after=0))
    ids = np.concatenate(all_ids).astype(np.int32) if all_ids else np.zeros(0, dtype=np.int32)
    return Snapshot(
        generation=generation,
        max_id=max_id,
        max_term_id=max_term_id,
        totals=totals,
        arrays=arrays,
        articles=articles,
        terms=terms,
        index=index,
        all_docs=bitsets.from_array(ids, max_id),
        built_at=time.monotonic(),
        build_seconds=time.monotonic() - started,
    )
