"""The search engine every store shares: plan a query, rank, page and build snippets.

A store provides an `IndexReader` bound to one read transaction; the engine keeps the
in-memory view of the index for the reader's generation and answers `SearchRequest`s.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import Counter, OrderedDict

import numpy as np

from app.models import SearchResults
from app.search import bitsets
from app.search.analysis import primary_language
from app.search.confidence import Evidence, confidence, coverage, word_weight
from app.search.cursor import MAX_OFFSET, decode_cursor, encode_cursor, request_binding
from app.search.index import ArticleRow, HitRow, IndexReader, Snapshot, build_snapshot
from app.search.inverted import InvertedIndex
from app.search.plan import (
    COMPOUND_PART_WEIGHT,
    SYNONYM_WEIGHT,
    Phrase,
    Plan,
    Requirement,
    Unit,
    build_plan,
)
from app.search.postings import EMPTY_POSTINGS, Postings, merge_max
from app.search.query import MAX_QUERY_CHARS, parse_query
from app.search.ranking import Weighted, scores_of, top_k
from app.search.request import SearchRequest
from app.search.scoring import DEFAULT_PARAMS
from app.search.settings import DEFAULT_SEARCH_SETTINGS, SearchSettings, check_tags
from app.search.snippets import Highlighter, SnippetStyle, make_snippet

MAX_LIMIT = 100
logger = logging.getLogger("app.search")

MAX_CACHED_PLANS = 4096
MAX_PHRASE_CHECKS = 20_000
# A view of another generation than the reader's (another thread moved it on) may rank
# documents the reader cannot see; deeper pages than this are not checked for them.
MAX_STALE_RANKED = 1000
# Views of the last few generations, for readers whose transaction began before the newest.
KEPT_VIEWS = 4


class SearchEngine:
    """Ranked full-text search over whatever index an `IndexReader` exposes."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._recent: OrderedDict[int, Snapshot] = OrderedDict()
        self._merging: threading.Thread | None = None
        self._lock = threading.Lock()
        # Popular queries repeat: their analysis, typo and prefix lookups are done once.
        self._plans: OrderedDict[tuple[int, str, frozenset[str], str], Plan] = OrderedDict()
        self._plans_lock = threading.Lock()

    def snapshot(self, reader: IndexReader, generation: int | None = None) -> Snapshot:
        """The in-memory view for the reader's generation: the current one brought up to
        date with the store's delta (read whole the first time, or when the delta is no
        longer available). A view already ahead of the reader is used as it is."""
        generation = reader.generation() if generation is None else generation
        current = self._snapshot
        if current is not None and current.generation == generation:
            return current
        with self._lock:
            current = self._snapshot
            if current is not None and current.generation > generation:
                # Another thread moved the view on: a reader still in an older transaction
                # gets the view of its own generation while it is kept.
                return self._recent.get(generation, current)
            if current is None:
                current = build_snapshot(reader)
            elif current.generation < generation:
                current = current.updated(reader) or build_snapshot(reader)
            self._snapshot = current
            self._recent[current.generation] = current
            while len(self._recent) > KEPT_VIEWS:
                self._recent.popitem(last=False)
            if current.index.needs_merge() and self._merging is None:
                self._merging = threading.Thread(
                    target=self._merge, args=(current.index,), name="index-merge", daemon=True
                )
                self._merging.start()
        return current

    def _merge(self, before: InvertedIndex) -> None:
        """Fold the tail into the base away from the searches (numpy's sorts and copies
        leave the GIL to them), then move the newest view onto the merged base."""
        try:
            merged = before.merged()
            with self._lock:
                current = self._snapshot
                if current is not None:
                    rebased = current.index.rebased(before, merged)
                    if rebased is not None:
                        # The same postings, laid out anew: the view's caches stay valid.
                        current.index = rebased
        except Exception:
            logger.exception("merging the index tail failed; the next write tries again")
        finally:
            self._merging = None

    def wait_for_merge(self) -> None:
        """Until a background merge (if any) is done; for tests and benchmarks."""
        merging = self._merging
        if merging is not None:
            merging.join()

    def plan(
        self,
        snapshot: Snapshot,
        query: str,
        languages: frozenset[str],
        settings: SearchSettings = DEFAULT_SEARCH_SETTINGS,
    ) -> Plan:
        """The plan of a query against one generation, from a small LRU cache."""
        # Only the first MAX_QUERY_CHARS count (see parse_query): long strings stay out of keys.
        query = query[:MAX_QUERY_CHARS]
        key = (snapshot.generation, query, languages, settings.key)
        with self._plans_lock:
            cached = self._plans.get(key)
            if cached is not None:
                self._plans.move_to_end(key)
                return cached
        # Plans are never changed once built, so one object can serve concurrent searches.
        plan = build_plan(parse_query(query), snapshot, languages, settings)
        with self._plans_lock:
            self._plans[key] = plan
            while len(self._plans) > MAX_CACHED_PLANS:
                self._plans.popitem(last=False)
        return plan

    def search(self, reader: IndexReader, request: SearchRequest) -> SearchResults:
        limit = min(max(request.limit, 1), MAX_LIMIT)
        offset = min(max(request.offset, 0), MAX_OFFSET)
        binding = request_binding(request)
        if request.cursor:
            # The API rejects foreign cursors (422); here one simply falls back to the offset.
            with contextlib.suppress(ValueError):
                offset = decode_cursor(request.cursor, binding=binding)
        generation = reader.generation()
        snapshot = self.snapshot(reader, generation)
        # An older view may rank documents deleted since: rank a few more, drop the dead.
        stale = snapshot.generation != generation and offset + limit <= MAX_STALE_RANKED
        languages = (
            frozenset({primary_language(request.language)})
            if request.language
            else snapshot.languages or frozenset({"und"})
        )
        plan = self.plan(snapshot, request.query, languages, request.settings)
        run = _Run(reader, snapshot, plan)
        # A view ahead of the reader's transaction (whose own view is no longer kept) holds
        # documents written since, which the reader cannot see: only those up to its highest
        # id are candidates. Ids grow in commit order, so each of them was there for the
        # reader too; those deleted since are missing from the view, so an article changed
        # since is left out whole, never in part, and the total counts what the pages hold.
        visible = reader.last_document() if snapshot.generation != generation else None
        candidates = run.candidates(request, visible)
        total = candidates.union.bit_count()
        facets = run.facets(candidates.union, request.facets) if request.facets else {}
        need = offset + limit + (limit if stale else 0)
        lists = run.weighted_lists()
        max_boost = DEFAULT_PARAMS.question_boost
        if request.sort == "updated":
            ranked = run.by_updated(candidates.union, need, lists)
        else:
            ranked = top_k(candidates.all, need, lists, boosts=snapshot.boosts, max_boost=max_boost)
        if len(ranked) < need and request.sort == "relevance":
            partial = candidates.union & ~candidates.all
            ranked += top_k(
                partial, need - len(ranked), lists, boosts=snapshot.boosts, max_boost=max_boost
            )
        if stale:
            rows = reader.hits([doc for _, doc in ranked]) if ranked else {}
            live = [hit for hit in ranked if _alive(hit[1], rows, snapshot)]
            total = max(total - (len(ranked) - len(live)), len(live))
            page = live[offset : offset + limit]
        else:
            page = ranked[offset : offset + limit]
            rows = reader.hits([doc for _, doc in page]) if page else {}
        highlighter = Highlighter(run.highlight_weights())
        style = snippet_style(request)
        shown = [(score, doc) for score, doc in page if _alive(doc, rows, snapshot)]
        shares = coverage(run.evidence(), [doc for _, doc in shown])
        best = ranked[0][0] if ranked else 0.0
        hits = [
            _hit(
                rows[doc],
                snapshot.articles[rows[doc].article_id],
                score,
                confidence(share, score / best if best > 0 else 0.0),
                highlighter,
                style,
            )
            for (score, doc), share in zip(shown, shares, strict=True)
        ]
        next_offset = offset + limit
        # One validation of plain values for the whole page (hits included) is cheaper than
        # one per hit (see _hit).
        return SearchResults.model_validate(
            {
                "query": request.query,
                "total": total,
                "limit": limit,
                "offset": offset,
                "corrections": plan.corrections,
                "next_cursor": encode_cursor(next_offset, binding)
                if next_offset < total and next_offset <= MAX_OFFSET
                else None,
                "facets": facets,
                "hits": hits,
            }
        )


def snippet_style(request: SearchRequest) -> SnippetStyle:
    """The request's highlight tags and snippet length, else its settings' defaults."""
    defaults = request.settings.highlight
    pre = request.highlight_pre or defaults.pre_tag
    post = request.highlight_post or defaults.post_tag
    # The API refuses a pair that does not match (422); here the defaults stand in.
    try:
        check_tags(pre, post)
    except ValueError:
        pre, post = defaults.pre_tag, defaults.post_tag
    return SnippetStyle(pre, post, request.crop_length or defaults.crop_length)


def _alive(doc: int, rows: dict[int, HitRow], snapshot: Snapshot) -> bool:
    """The document is still in the store, in an article the view knows."""
    row = rows.get(doc)
    return row is not None and row.article_id in snapshot.articles


class _Candidates:
    def __init__(self, union: int, every: int) -> None:
        self.union = union
        self.all = every


class _Run:
    """One query against one snapshot: postings, candidate sets, phrase checks."""

    def __init__(self, reader: IndexReader, snapshot: Snapshot, plan: Plan) -> None:
        self.reader = reader
        self.snapshot = snapshot
        self.plan = plan

    def postings(self, unit: Unit) -> Postings:
        snapshot = self.snapshot
        parts = [
            snapshot.term_postings(term, heading_only=unit.heading_only) for term in unit.terms
        ]
        parts += [
            snapshot.term_postings(term, heading_only=unit.heading_only, scale=COMPOUND_PART_WEIGHT)
            for term in unit.parts
        ]
        parts += [
            snapshot.term_postings(term, heading_only=unit.heading_only, scale=SYNONYM_WEIGHT)
            for term in unit.synonyms
        ]
        if not parts:
            return EMPTY_POSTINGS
        if len(parts) == 1:
            return parts[0]
        key: tuple[object, ...] = (
            "group",
            unit.heading_only,
            *sorted(unit.terms),
            "parts",
            *sorted(unit.parts),
        )
        if unit.synonyms:
            key += ("synonyms", *sorted(unit.synonyms))
        return snapshot.cached(key, lambda: merge_max(parts))

    def bits(self, requirement: Requirement) -> int:
        if isinstance(requirement, Unit):
            return self.postings(requirement).bits(self.snapshot.max_id)
        return self.phrase_bits(requirement)

    def phrase_bits(self, phrase: Phrase) -> int:
        units = [u for u in phrase.units if not u.stop_word] or phrase.units
        candidates = self.snapshot.all_docs
        for unit in units:
            candidates &= self.postings(unit).bits(self.snapshot.max_id)
            if not candidates:
                return 0
        docs: list[int] = []
        for doc in bitsets.members(candidates):
            if len(docs) >= MAX_PHRASE_CHECKS:
                break
            docs.append(doc)
        streams = self.reader.streams(docs)
        needles = {language: f" {' '.join(terms)} " for language, terms in phrase.variants.items()}
        snapshot = self.snapshot
        matched: list[int] = []
        for doc in docs:
            stream = streams.get(doc, "")
            language = snapshot.article_language(int(snapshot.article_of[doc]))
            needle = needles.get(language)
            if (needle is not None and needle in stream) or (
                needle is None and any(n in stream for n in needles.values())
            ):
                matched.append(doc)
        return bitsets.from_sorted(matched, snapshot.max_id)

    def candidates(self, request: SearchRequest, visible: int | None = None) -> _Candidates:
        """Documents matching every requirement, and those matching any; only ids up to
        `visible` when given."""
        snapshot = self.snapshot
        allowed = snapshot.all_docs
        if visible is not None:
            allowed &= (1 << (visible + 1)) - 1
        if request.article_slug is not None:
            allowed &= snapshot.filter_bits("article", request.article_slug)
        if request.language:
            allowed &= snapshot.filter_bits("language", request.language)
        if request.is_question is not None:
            allowed &= snapshot.filter_bits("question", "1" if request.is_question else "0")
        for requirement in self.plan.excluded:
            allowed &= ~self.bits(requirement)
        if not self.plan.required or not allowed:
            return _Candidates(0, 0)
        union = 0
        every = allowed
        for requirement in self.plan.required:
            bits = self.bits(requirement) & allowed
            union |= bits
            every &= bits
        return _Candidates(union, every)

    def weighted_lists(self) -> list[Weighted]:
        lists: list[Weighted] = []
        for unit in self.plan.scoring:
            postings = self.postings(unit)
            if len(postings):
                lists.append(Weighted(postings, unit.weight))
        return lists

    def evidence(self) -> list[Evidence]:
        """The query's content words (stop words aside, unless it has nothing else), each
        with its weight and postings."""
        every: list[Unit] = []
        for requirement in self.plan.required:
            every.extend(requirement.units if isinstance(requirement, Phrase) else [requirement])
        units = [unit for unit in every if not unit.stop_word] or every
        snapshot = self.snapshot
        count = snapshot.document_count
        evidence = []
        for unit in units:
            # A word whose synonym a section holds is covered there (postings include them).
            alternatives = (*unit.terms, *unit.parts, *unit.synonyms)
            if not alternatives:
                evidence.append(Evidence(word_weight(0, count), None))
                continue
            frequency = max(snapshot.document_frequency(t) for t in alternatives)
            evidence.append(Evidence(word_weight(frequency, count), self.postings(unit)))
        return evidence

    def by_updated(self, matches: int, k: int, lists: list[Weighted]) -> list[tuple[float, int]]:
        """The k first matches, most recently updated article first, then by score, then
        by id: (score, doc) as top_k gives them."""
        if not matches or k <= 0:
            return []
        snapshot = self.snapshot
        docs = bitsets.member_array(matches)
        scores = scores_of(docs, lists, snapshot.boosts)
        articles, inverse = np.unique(snapshot.article_of[docs], return_inverse=True)
        stamps = [
            row.updated_at if (row := snapshot.articles.get(a)) is not None else ""
            for a in articles.tolist()
        ]
        # The rank of each article's timestamp, newest highest; then each document's.
        order = sorted(range(len(stamps)), key=stamps.__getitem__)
        recency = np.empty(len(stamps), dtype=np.int64)
        recency[order] = np.arange(len(stamps))
        chosen = np.lexsort((docs, -scores, -recency[inverse]))[:k]
        return [(float(scores[i]), int(docs[i])) for i in chosen]

    def facets(self, matches: int, names: tuple[str, ...]) -> dict[str, dict[str, int]]:
        """Counts of the matching documents per language, article or question-ness."""
        snapshot = self.snapshot
        docs = bitsets.member_array(matches) if matches else np.zeros(0, dtype=np.int32)
        articles, per_article = np.unique(snapshot.article_of[docs], return_counts=True)
        counted: dict[str, dict[str, int]] = {}
        for name in names:
            counts: Counter[str] = Counter()
            if name == "is_question":
                asks = int(snapshot.question[docs].sum())
                counts.update({"true": asks, "false": len(docs) - asks})
            else:
                for article_id, count in zip(articles.tolist(), per_article.tolist(), strict=True):
                    row = snapshot.articles.get(article_id)
                    if row is not None:
                        counts[row.slug if name == "article" else row.language] += count
            # Most first, then by value: the same matches always give the same object.
            counted[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        return counted

    def highlight_weights(self) -> dict[str, float]:
        """Content words (and compounds) are highlighted; stop words only score."""
        weights: dict[str, float] = {}
        for unit in self.plan.scoring:
            if unit.heading_only:
                continue
            for term in unit.terms:
                weights[term] = max(weights.get(term, 0.0), min(unit.weight, 1.0))
            for term in unit.synonyms:
                weight = min(unit.weight, 1.0) * SYNONYM_WEIGHT
                weights[term] = max(weights.get(term, 0.0), weight)
        return weights


def _hit(
    row: HitRow,
    article: ArticleRow,
    score: float,
    sure: float,
    highlighter: Highlighter,
    style: SnippetStyle,
) -> dict[str, object]:
    """A hit as the plain values of a SearchHit, validated with its page of results."""
    snippet = make_snippet(
        heading=row.heading,
        body=row.body,
        language=article.language,
        highlighter=highlighter,
        width=style.crop_length,
        tags=(style.pre_tag, style.post_tag),
    )
    # Validation from plain values (in pydantic's core) is the cheapest way to build a hit:
    # cheaper than model instances per highlight, and than model_construct's Python loop.
    return {
        "article_slug": article.slug,
        "article_title": article.title,
        "section_slug": row.section_slug,
        "heading": row.heading,
        "is_question": row.is_question,
        "language": article.language,
        "url": row.url,
        "score": round(score, 6),
        "confidence": round(sure, 3),
        "snippet": snippet.html,
        "text": snippet.text,
        "highlights": [{"start": s, "end": e} for s, e in snippet.highlights],
    }
