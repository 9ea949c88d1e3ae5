"""The store's logic, written once for every SQL backend (SQLite and PostgreSQL).

A backend gives transactions (`_read`, `_write`) over a `Transaction`: statements with `?`
placeholders in the SQL both databases accept. Writers hold one transaction per article,
so readers see either the old article or the new one, never a mix; the same transaction
settles shared slugs, retires the URLs the old version served, appends to the change feed
and logs what the in-memory index views of every process must change (app/search/index.py).
Each body is stored once, in `sections`; the article row keeps the rest of the Article
("skeleton") and the Article is put together again when read.
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import astuple, dataclass, field
from typing import Any, Protocol, TypeVar

from app.errors import (
    ArticleNotFound,
    Gone,
    Moved,
    SectionNotFound,
    SourceConflict,
    StoreDamaged,
    StoreReadOnly,
    StoreUnavailable,
)
from app.models import (
    Article,
    ArticlePage,
    ArticleSummary,
    Change,
    ChangePage,
    Origin,
    SearchResults,
    Section,
    StoredArticle,
)
from app.parsing.body_markdown import markdown_of_plain
from app.parsing.sections import section_url
from app.parsing.slugs import SlugMode, path_segment
from app.search.documents import (
    SearchDocument,
    article_url,
    decompress_stream,
    search_documents,
)
from app.search.engine import SearchEngine
from app.search.index import ArticleRow, DocumentColumns, HitRow, RemovedRow, TermColumns
from app.search.inverted import encode_terms
from app.search.request import SearchRequest
from app.search.suggest import SlugIndex, closest
from app.store.base import PendingWrite, Precondition, RawSource, Upserted, UpsertOutcome
from app.store.history import (
    reslugged,
    retired_urls,
    section_changes,
    served_urls,
    utc_now,
)
from app.store.identity import claim_key, suffixed_slug
from app.store.salvage import Salvage

_CHUNK = 500
# The log of removed documents (what index views in other processes must drop) is cut back
# to its newer half past this many rows; a view older than what is left is read whole.
REMOVED_LOG_ROWS = 200_000
# Suggestions asked of a slug index beyond those wanted, in case some are gone since.
SUGGESTION_SPARE = 3
_DOCUMENT_SLICE = 10_000
# Term ids a writing process remembers (about 100 bytes each): the vocabulary of a large
# store fits; past it, further terms are looked up each time.
TERM_ID_CACHE_SIZE = 2_000_000

_Item = TypeVar("_Item")


def chunks(items: Sequence[_Item], size: int = _CHUNK) -> Iterator[Sequence[_Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Cursor(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Transaction(Protocol):
    """One open transaction of a backend; `generation` is the store generation a write
    transaction commits as (the one before plus one), and the current one for a read."""

    @property
    def generation(self) -> int: ...

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...


@dataclass(frozen=True, slots=True)
class _Record:
    """One stored article's row, before its skeleton is filled in."""

    id: int
    slug: str
    base_slug: str
    source: str
    origin: str
    content_hash: str
    skeleton: str
    created_at: str
    updated_at: str


_RECORD = (
    "SELECT id, slug, base_slug, source, origin, content_hash, skeleton, created_at,"
    " updated_at FROM articles"
)


def skeleton_of(article: Article, *, lead_indexed: bool) -> str:
    """The article's JSON without what its sections rows hold (the sections, and the lead
    when it has a row of its own)."""
    data = article.model_dump(mode="json", exclude={"sections"})
    if lead_indexed:
        data["lead"] = ""
        data["lead_markdown"] = ""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def article_from(skeleton: str, rows: Iterable[Sequence[Any]]) -> Article:
    """Put an article together again from its skeleton and its sections rows (the columns
    of _SECTION_FIELDS, by position; position 0 is the lead)."""
    data = json.loads(skeleton)
    sections = []
    for row in rows:
        if row[1] == 0:
            data["lead"] = row[6]
            data["lead_markdown"] = _stored_markdown(row[9], row[6])
        else:
            sections.append(_section_values(data["slug"], row))
    data["sections"] = sections
    return Article.model_validate(data)


def _stored(article: Article, created_at: str, updated_at: str) -> StoredArticle:
    return StoredArticle(**dict(article), created_at=created_at, updated_at=updated_at)


def allocate_ids(tx: Transaction, table: str, count: int) -> int:
    """The first of `count` new ids for `table`; ids are never reused, so an index view built
    before a write can tell the rows written after it (and a deleted row's id never comes
    back meaning something else)."""
    key = f"next_id:{table}"
    row = tx.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    above = tx.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
    first = max(int(row[0]) if row else 0, int(above))
    set_meta(tx, key, first + count)
    return first


@dataclass(slots=True)
class _WriteScratch:
    """What one write transaction keeps in memory while it runs.

    - `terms_synced`: the terms committed by others were read (SQLStore._sync_term_ids);
    - `term_ids`: terms known to exist for as long as the transaction does (read from the
      store, or inserted by an article whose savepoint was released);
    - `new_term_ids`: terms inserted by the article being written, kept or forgotten with
      its savepoint;
    - `next_ids`: the next id of each table ids were allocated in, written to `meta` once,
      before the commit (an id handed out in a savepoint rolled back is skipped, never
      given again)."""

    terms_synced: bool = False
    term_ids: dict[str, int] = field(default_factory=dict)
    new_term_ids: dict[str, int] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)

    def article_written(self, *, kept: bool) -> None:
        if kept:
            self.term_ids.update(self.new_term_ids)
        self.new_term_ids.clear()


def set_meta(tx: Transaction, key: str, value: int) -> None:
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def read_generation(tx: Transaction) -> int:
    row = tx.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def _existing(tx: Transaction, table: str, slugs: Sequence[str]) -> list[str]:
    """The slugs a row of `table` still has, in the order given."""
    if not slugs:
        return []
    marks = ",".join("?" * len(slugs))
    found = {
        str(slug)
        for (slug,) in tx.execute(f"SELECT slug FROM {table} WHERE slug IN ({marks})", slugs)
    }
    return [slug for slug in slugs if slug in found]


def _taken_by_other(taken: Callable[[str], bool], own: str) -> Callable[[str], bool]:
    """`taken`, except that an article's own slug is free for it."""
    return lambda slug: slug != own and taken(slug)


class SQLStore(ABC):
    """`Store` over any backend that provides the two kinds of transaction."""

    read_only: bool = False
    slugs: SlugMode = "ascii"  # the slug mode articles are parsed in (app/fingerprint.py)
    # Errors that are the store's, not one article's: they abort a whole batch.
    _fatal_errors: tuple[type[Exception], ...] = (StoreDamaged, StoreReadOnly, StoreUnavailable)

    def __init__(self) -> None:
        self._engine = SearchEngine()
        self._section_slugs = SlugIndex()
        self._section_slugs_seen = 0  # the highest section id indexed
        self._article_slugs = SlugIndex()
        self._article_slugs_seen = -1  # the generation indexed
        self._slug_lock = threading.Lock()
        # Term ids known to be committed (terms are never deleted nor renumbered), and those
        # read by the running write transaction, kept once it commits (see _term_ids).
        self._term_id_cache: dict[str, int] = {}
        self._term_ids_below = 0  # every committed term with a lower id is in the cache
        self._term_ids_complete = True  # False once the vocabulary outgrew the cache
        self._scratch: tuple[Transaction | None, _WriteScratch] = (None, _WriteScratch())

    @abstractmethod
    def _read(self, *, snapshot: bool = True) -> AbstractContextManager[Transaction]:
        """A read transaction: every query inside sees the same committed state. Without
        `snapshot`, for a single statement (which sees one state by itself), the backend may
        skip the transaction."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[Transaction]:
        """A write transaction, serialised with every other writer of the store (in any
        process); the backend bumps the generation at commit when anything changed."""

    def _after_restoring_changes(self, tx: Transaction) -> None:  # noqa: ARG002
        """Backend hook: the change feed's numbering continues after restored rows."""
        return None

    # The rest of the Store protocol is the backend's (so that any SQLStore is a Store).
    @abstractmethod
    def check_integrity(self, *, full: bool) -> str | None: ...

    @abstractmethod
    def ping(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    # -- writes ------------------------------------------------------------------------

    def upsert_article(
        self,
        article: Article,
        *,
        raw: RawSource | None = None,
        precondition: Precondition | None = None,
    ) -> Upserted:
        """Insert, replace or leave alone one article, atomically with its sections, index,
        slug settlement, retired URLs and change record.

        A file's article is identified by (origin, source) and gets its slug by the rule of
        app/store/identity.py; an HTTP article (origin "http") is identified by its slug.
        `precondition` runs inside the write transaction with the stored version (or None):
        it aborts the write by raising, or returns a newer version of the same source to
        write instead (read while the store is locked, so nothing can come in between).
        """
        documents = search_documents(article)
        with self._write() as tx:
            existing = self._existing(tx, article)
            if precondition is not None:
                newer = precondition(self._stored_record(tx, existing) if existing else None)
                if newer is not None:
                    article, documents = newer, search_documents(newer)
            return self._upsert(tx, article, documents, raw, existing)

    def upsert_batch(self, items: Sequence[PendingWrite]) -> list[Upserted | Exception]:
        """Several upserts in one transaction (bulk ingest: one commit for many); each
        article is still all or nothing, in a savepoint of its own: one that fails is rolled
        back alone and its error returned in its place. Failures of the store itself abort
        the whole batch."""
        prepared = [
            (item.article, item.documents or search_documents(item.article), item.precondition)
            for item in items
        ]
        results: list[Upserted | Exception] = []
        with self._write() as tx:
            for article, documents, precondition in prepared:
                tx.execute("SAVEPOINT article")
                try:
                    existing = self._existing(tx, article)
                    if precondition is not None:
                        newer = precondition(
                            self._stored_record(tx, existing) if existing else None
                        )
                        if newer is not None:
                            article, documents = newer, search_documents(newer)
                    results.append(self._upsert(tx, article, documents, None, existing))
                except Exception as error:
                    if isinstance(error, self._fatal_errors):
                        raise
                    tx.execute("ROLLBACK TO SAVEPOINT article")
                    self._write_scratch(tx).article_written(kept=False)
                    results.append(error)
                else:
                    self._write_scratch(tx).article_written(kept=True)
                tx.execute("RELEASE SAVEPOINT article")
        return results

    def _existing(self, tx: Transaction, article: Article) -> _Record | None:
        """The stored version of the article's source: by slug for an HTTP article (the URL
        names it), by path for a file."""
        if article.origin == "http":
            return self._record(tx, "slug = ?", (article.slug,))
        return self._record(tx, "origin = 'file' AND source = ?", (article.source,))

    def _upsert(
        self,
        tx: Transaction,
        article: Article,
        documents: list[SearchDocument],
        raw: RawSource | None,
        existing: _Record | None,
    ) -> Upserted:
        """Write `article`, whose stored version (by _existing) is `existing`."""
        if article.origin == "http" and existing is not None and existing.origin == "file":
            raise SourceConflict(article.slug, existing.source)
        base = article.slug
        unchanged = existing is not None and existing.content_hash == article.content_hash
        if existing is not None and unchanged and existing.base_slug == base:
            return Upserted(
                UpsertOutcome.UNCHANGED, existing.slug, self._stored_record(tx, existing)
            )
        now = utc_now()
        old = self._article_of(tx, existing) if existing else None
        if existing is not None and old is not None:
            same = reslugged(article, existing.slug)
            # Same sections under a new title slug (a new slug rule) is a move, not this.
            unmoved = existing.base_slug == base
            if unmoved and same == old.model_copy(update={"content_hash": article.content_hash}):
                return self._new_bytes_same_article(tx, existing, old, same, raw, now)
            self._delete_rows(tx, existing.id)
        slug = self._claim(tx, base, article.source, article.origin, now)
        final = reslugged(article, slug) if slug != article.slug else article
        created_at = existing.created_at if existing else now
        self._insert(tx, final, documents, base, created_at, now)
        if raw is not None:
            tx.execute(
                "INSERT INTO raw_sources (article_id, media_type, data)"
                " SELECT id, ?, ? FROM articles WHERE slug = ?",
                (raw.media_type, raw.data, slug),
            )
        self._record_history(tx, old, final, now)
        if existing is not None and existing.base_slug != base:
            self._settle(tx, existing.base_slug, now)
        outcome = UpsertOutcome.UPDATED if existing else UpsertOutcome.INSERTED
        return Upserted(outcome, slug, _stored(final, created_at, now))

    def _new_bytes_same_article(
        self,
        tx: Transaction,
        existing: _Record,
        previous: Article,
        article: Article,
        raw: RawSource | None,
        now: str,
    ) -> Upserted:
        """The source parses to the article already stored: nothing to re-index. After a
        parser upgrade (same bytes) only the forgotten hash is written back; new bytes (line
        ends, markup that changes nothing) are an update of the hash and the kept bytes."""
        if raw is not None:
            tx.execute(
                "UPDATE raw_sources SET media_type = ?, data = ? WHERE article_id = ?",
                (raw.media_type, raw.data, existing.id),
            )
        lead_indexed = bool(previous.lead.strip())
        if previous.content_hash == article.content_hash:
            tx.execute(
                "UPDATE articles SET content_hash = ? WHERE id = ?",
                (article.content_hash, existing.id),
            )
            stored = _stored(previous, existing.created_at, existing.updated_at)
            return Upserted(UpsertOutcome.UNCHANGED, existing.slug, stored)
        tx.execute(
            "UPDATE articles SET content_hash = ?, skeleton = ?, updated_at = ? WHERE id = ?",
            (
                article.content_hash,
                skeleton_of(article, lead_indexed=lead_indexed),
                now,
                existing.id,
            ),
        )
        self._record_history(tx, previous, article, now)
        return Upserted(
            UpsertOutcome.UPDATED, existing.slug, _stored(article, existing.created_at, now)
        )

    def _claim(self, tx: Transaction, base: str, source: str, origin: Origin, now: str) -> str:
        """The slug a new version gets; rivals for the same title slug move as the rule
        says (app/store/identity.py)."""
        if origin == "http":
            holder = self._record(tx, "slug = ?", (base,))
            if holder is not None:
                raise SourceConflict(base, holder.source)
            return base
        return self._settle(tx, base, now, newcomer=source) or base

    def _settle(
        self, tx: Transaction, base: str, now: str, *, newcomer: str | None = None
    ) -> str | None:
        """Give `base` to the first claim among the files whose title slug it is, suffixed
        slugs to the others (moving stored ones whose slug must change); return the
        newcomer's slug."""
        rivals = tx.execute(
            "SELECT id, slug, source FROM articles WHERE base_slug = ? AND origin = 'file'",
            (base,),
        ).fetchall()
        holder = tx.execute(
            "SELECT origin, base_slug FROM articles WHERE slug = ?", (base,)
        ).fetchone()
        blocked = holder is not None and (holder[0] != "file" or holder[1] != base)
        claims = [str(source) for _, _, source in rivals]
        if newcomer is not None:
            claims.append(newcomer)
        winner = None if blocked or not claims else min(claims, key=claim_key)

        def taken(slug: str) -> bool:
            return self._record(tx, "slug = ?", (slug,)) is not None

        # Whoever leaves the bare slug moves first, so the winner finds it free.
        for article_id, current, source in sorted(rivals, key=lambda row: row[2] == winner):
            if source == winner:
                wanted = base
            else:
                wanted = suffixed_slug(base, source, taken=_taken_by_other(taken, current))
            if wanted != current:
                self._move(tx, int(article_id), wanted, now)
        if newcomer is None:
            return None
        return base if newcomer == winner else suffixed_slug(base, newcomer, taken=taken)

    def _move(self, tx: Transaction, article_id: int, slug: str, now: str) -> None:
        """Give a stored article another slug: its URLs move, its index stays."""
        record = self._record(tx, "id = ?", (article_id,))
        assert record is not None
        old = self._article_of(tx, record)
        new = reslugged(old, slug)
        tx.execute(
            "UPDATE articles SET slug = ?, skeleton = ?, updated_at = ?, generation = ?"
            " WHERE id = ?",
            (
                slug,
                skeleton_of(new, lead_indexed=bool(new.lead.strip())),
                now,
                tx.generation,
                article_id,
            ),
        )
        tx.executemany(
            "UPDATE sections SET url = ? WHERE article_id = ? AND position = ?",
            [(section.url, article_id, section.position) for section in new.sections],
        )
        tx.execute(
            "UPDATE sections SET url = ? WHERE article_id = ? AND position = 0",
            (article_url(slug), article_id),
        )
        self._record_history(tx, old, new, now)

    def _record_history(
        self, tx: Transaction, old: Article | None, new: Article | None, now: str
    ) -> None:
        """Retire the URLs `old` served and `new` does not (one hop, however long the chain),
        revive those `new` serves, and append the change to the feed."""
        if old is not None:
            for retired in retired_urls(old, new):
                tx.execute(
                    "UPDATE retired_urls SET target = ? WHERE target = ?",
                    (retired.target, retired.path),
                )
                tx.execute(
                    "INSERT INTO retired_urls (path, section_slug, target, retired_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET"
                    " section_slug = excluded.section_slug, target = excluded.target,"
                    " retired_at = excluded.retired_at",
                    (retired.path, retired.section_slug, retired.target, now),
                )
        if new is not None:
            paths = served_urls(new)
            for chunk in chunks(paths):
                marks = ",".join("?" * len(chunk))
                tx.execute(f"DELETE FROM retired_urls WHERE path IN ({marks})", chunk)
        current = new or old
        assert current is not None
        changes = section_changes(old, new)
        kind = "created" if old is None else "deleted" if new is None else "updated"
        tx.execute(
            "INSERT INTO changes (at, kind, article_slug, previous_slug, source, origin, sections)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                now,
                kind,
                current.slug,
                old.slug if old is not None and new is not None and old.slug != new.slug else None,
                current.source,
                current.origin,
                json.dumps(
                    {
                        "added": changes.added,
                        "changed": changes.changed,
                        "removed": changes.removed,
                    }
                ),
            ),
        )

    def _insert(
        self,
        tx: Transaction,
        article: Article,
        documents: list[SearchDocument],
        base_slug: str,
        created_at: str,
        updated_at: str,
    ) -> None:
        surfaces: dict[str, str] = {}
        for document in documents:
            for term, word in document.surfaces.items():
                surfaces.setdefault(term, word)
        article_id = self._allocate_ids(tx, "articles", 1)
        lead_indexed = any(doc.position == 0 for doc in documents)
        tx.execute(
            "INSERT INTO articles (id, slug, base_slug, source, origin, title, language,"
            " content_hash, section_count, skeleton, created_at, updated_at, generation)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                article.slug,
                base_slug,
                article.source,
                article.origin,
                article.title,
                article.language,
                article.content_hash,
                len(article.sections),
                skeleton_of(article, lead_indexed=lead_indexed),
                created_at,
                updated_at,
                tx.generation,
            ),
        )
        term_ids = self._term_ids(
            tx, {t for d in documents for t in d.packed_frequencies}, surfaces
        )
        # The documents were analysed before the slug was settled: URLs come from `article`.
        sections = {section.position: section for section in article.sections}
        first_doc_id = self._allocate_ids(tx, "sections", len(documents))
        rows = []
        for doc_id, doc in enumerate(documents, start=first_doc_id):
            section = sections.get(doc.position)
            packed = doc.packed_frequencies
            ids = map(term_ids.__getitem__, packed)
            terms = encode_terms(zip(ids, packed.values(), strict=True))
            rows.append(
                (
                    doc_id,
                    article_id,
                    doc.position,
                    section.slug if section else None,
                    doc.heading,
                    int(doc.is_question),
                    section.level if section else 0,
                    section.parent_slug if section else None,
                    section.word_count if section else 0,
                    section.url if section else article_url(article.slug),
                    doc.body,
                    doc.heading_length,
                    doc.title_length,
                    doc.body_length,
                    terms,
                    doc.compressed_stream,
                    _markdown_column(
                        section.body_markdown if section else article.lead_markdown, doc.body
                    ),
                )
            )
        tx.executemany(
            "INSERT INTO sections (id, article_id, position, slug, heading, is_question,"
            " level, parent_slug, word_count, url, body, heading_length, title_length,"
            " body_length, terms, stream, markdown)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _term_ids(
        self, tx: Transaction, terms: set[str], surfaces: dict[str, str]
    ) -> dict[str, int]:
        """The id of every term, inserting the terms the index does not know yet.

        A writing process keeps the vocabulary's ids in memory (terms are never deleted
        nor renumbered): read whole at its first write, then only the terms committed
        since, once per transaction (_sync_term_ids). A term found neither there nor among
        those this transaction inserted is new. Past TERM_ID_CACHE_SIZE terms, the rest
        are looked up in the store."""
        scratch = self._write_scratch(tx)
        if not scratch.terms_synced:
            self._sync_term_ids(tx, scratch)
        ids: dict[str, int] = {}
        rest = terms
        for known in (self._term_id_cache, scratch.term_ids):
            found = known.keys() & rest
            # map and zip: the lookups run in C (an article has hundreds of terms)
            ids.update(zip(found, map(known.__getitem__, found), strict=True))
            rest = rest - found
        missing = sorted(rest)
        if missing and not self._term_ids_complete:
            stored = self._known_term_ids(tx, missing)
            scratch.term_ids.update(stored)
            ids.update(stored)
            missing = [term for term in missing if term not in stored]
        if missing:
            first = self._allocate_ids(tx, "terms", len(missing))
            new = {term: term_id for term_id, term in enumerate(missing, start=first)}
            tx.executemany(
                "INSERT INTO terms (id, term, surface) VALUES (?, ?, ?)",
                [(term_id, term, surfaces.get(term, term)) for term, term_id in new.items()],
            )
            scratch.new_term_ids.update(new)
            ids.update(new)
        return ids

    def _sync_term_ids(self, tx: Transaction, scratch: _WriteScratch) -> None:
        """The terms committed since this process last read them (all of them at first)."""
        scratch.terms_synced = True
        if not self._term_ids_complete:
            return
        room = TERM_ID_CACHE_SIZE - len(self._term_id_cache)
        rows = tx.execute(
            "SELECT term, id FROM terms WHERE id >= ? ORDER BY id LIMIT ?",
            (self._term_ids_below, room + 1),
        ).fetchall()
        if len(rows) > room:  # too many to keep: look the others up in the store
            self._term_ids_complete = False
            rows = rows[:room]
        scratch.term_ids.update(rows)

    def _before_commit(self, tx: Transaction) -> None:
        """Backend hook, just before `tx` commits: the next ids it allocated are saved."""
        writing, scratch = self._scratch
        if writing is tx:
            for table, next_id in scratch.next_ids.items():
                set_meta(tx, f"next_id:{table}", next_id)

    def _after_commit(self, tx: Transaction) -> None:
        """Backend hook, after `tx` committed: the term ids it knew are now known for good."""
        writing, scratch = self._scratch
        self._scratch = (None, _WriteScratch())
        if writing is not tx or not scratch.terms_synced:
            return
        scratch.article_written(kept=True)
        self._term_id_cache.update(scratch.term_ids)
        if self._term_ids_complete:
            # Every term below this id is known; a rolled-back insert's id is never reused.
            self._term_ids_below = max(
                self._term_ids_below,
                scratch.next_ids.get("terms", 0),
                max(scratch.term_ids.values(), default=-1) + 1,
            )

    def _write_scratch(self, tx: Transaction) -> _WriteScratch:
        """What the running write transaction `tx` keeps (writes are serialised)."""
        writing, scratch = self._scratch
        if writing is not tx:  # a new transaction: what an earlier one kept may be undone
            scratch = _WriteScratch()
            self._scratch = (tx, scratch)
        return scratch

    def _allocate_ids(self, tx: Transaction, table: str, count: int) -> int:
        """allocate_ids, reading the store only on a transaction's first call per table
        (_before_commit saves where the transaction got to)."""
        next_ids = self._write_scratch(tx).next_ids
        first = next_ids.get(table)
        if first is None:
            first = allocate_ids(tx, table, count)
        next_ids[table] = first + count
        return first

    @staticmethod
    def _known_term_ids(tx: Transaction, terms: Sequence[str]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for chunk in chunks(terms):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT term, id FROM terms WHERE term IN ({marks})"
            ids.update(tx.execute(query, chunk).fetchall())
        return ids

    def _delete_rows(self, tx: Transaction, article_id: int) -> None:
        """Remove an article's rows, logging its documents for the index views."""
        tx.execute(
            "INSERT INTO removed_documents (doc_id, generation, terms)"
            " SELECT id, ?, terms FROM sections WHERE article_id = ?",
            (tx.generation, article_id),
        )
        tx.execute("DELETE FROM sections WHERE article_id = ?", (article_id,))
        tx.execute("DELETE FROM raw_sources WHERE article_id = ?", (article_id,))
        tx.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        self._trim_removed_log(tx)

    def _trim_removed_log(self, tx: Transaction) -> None:
        count = tx.execute("SELECT count(*) FROM removed_documents").fetchone()[0]
        if int(count) <= REMOVED_LOG_ROWS:
            return
        # Keep the newer half; views older than what is left read the whole index again.
        cut = tx.execute(
            "SELECT generation FROM removed_documents ORDER BY generation DESC LIMIT 1 OFFSET ?",
            (REMOVED_LOG_ROWS // 2,),
        ).fetchone()[0]
        tx.execute("DELETE FROM removed_documents WHERE generation <= ?", (cut,))
        set_meta(tx, "removed_floor", int(cut))

    def delete_article(self, slug: str, *, precondition: Precondition | None = None) -> bool:
        """Delete the article at `slug`, leaving a tombstone (410) and a change record."""
        with self._write() as tx:
            record = self._record(tx, "slug = ?", (slug,))
            if precondition is not None:
                precondition(self._stored_record(tx, record) if record else None)
            if record is None:
                return False
            self._remove(tx, record)
            return True

    def delete_source(self, source: str, *, precondition: Precondition | None = None) -> str | None:
        """Delete the article read from the file `source`; return its slug, or None."""
        with self._write() as tx:
            record = self._record(tx, "origin = 'file' AND source = ?", (source,))
            if precondition is not None:
                precondition(self._stored_record(tx, record) if record else None)
            if record is None:
                return None
            self._remove(tx, record)
            return record.slug

    def rename_source(
        self, old: str, new: str, *, precondition: Precondition | None = None
    ) -> str | None:
        """A file moved within the folder: its article keeps its content and URLs, unless
        the move changes which file keeps a shared slug (app/store/identity.py). Returns the
        slug it is served under, or None when there was nothing to move."""
        with self._write() as tx:
            record = self._record(tx, "origin = 'file' AND source = ?", (old,))
            if precondition is not None:
                precondition(self._stored_record(tx, record) if record else None)
            taken = self._record(tx, "origin = 'file' AND source = ?", (new,))
            if record is None or taken is not None:
                return None
            now = utc_now()
            before = self._article_of(tx, record)
            after = before.model_copy(update={"source": new})
            tx.execute(
                "UPDATE articles SET source = ?, skeleton = ?, updated_at = ?, generation = ?"
                " WHERE id = ?",
                (
                    new,
                    skeleton_of(after, lead_indexed=bool(after.lead.strip())),
                    now,
                    tx.generation,
                    record.id,
                ),
            )
            self._record_history(tx, before, after, now)
            self._settle(tx, record.base_slug, now)
            moved = self._record(tx, "origin = 'file' AND source = ?", (new,))
            return moved.slug if moved else None

    def _remove(self, tx: Transaction, record: _Record) -> None:
        now = utc_now()
        old = self._article_of(tx, record)
        self._delete_rows(tx, record.id)
        self._record_history(tx, old, None, now)
        self._settle(tx, record.base_slug, now)

    def _record(
        self, tx: Transaction, where: str, parameters: tuple[object, ...]
    ) -> _Record | None:
        row = tx.execute(f"{_RECORD} WHERE {where}", parameters).fetchone()
        return _Record(*row) if row is not None else None

    def _article_of(self, tx: Transaction, record: _Record) -> Article:
        rows = tx.execute(
            f"SELECT {_SECTION_COLUMNS} FROM sections WHERE article_id = ? ORDER BY position",
            (record.id,),
        )
        return article_from(record.skeleton, rows)

    def _stored_record(self, tx: Transaction, record: _Record) -> StoredArticle:
        return _stored(self._article_of(tx, record), record.created_at, record.updated_at)

    # -- reads -------------------------------------------------------------------------

    def suggest_article_slugs(self, slug: str, *, limit: int = 3) -> list[str]:
        """Existing article slugs nearest to `slug` (case ignored), best first, from a
        trigram index that grows with the articles written: bounded work per call."""
        with self._read() as tx, self._slug_lock:
            index = self._article_slugs
            index.add(
                str(found)
                for (found,) in tx.execute(
                    "SELECT slug FROM articles WHERE generation > ?",
                    (self._article_slugs_seen,),
                )
            )
            self._article_slugs_seen = tx.generation
            nearest = index.nearest(slug, limit=limit + SUGGESTION_SPARE, cutoff=0.5)
            return _existing(tx, "articles", nearest)[:limit]

    def get_article(self, slug: str) -> Article:
        return self.get_stored_article(slug).parsed()

    def get_stored_article(self, slug: str) -> StoredArticle:
        """The article with its timestamps; Moved or Gone for a URL served once."""
        with self._read() as tx:
            record = self._record(tx, "slug = ?", (slug,))
            if record is None:
                self._raise_if_retired(tx, article_url(slug), "article")
                raise ArticleNotFound(slug)  # suggest_article_slugs says what was meant
            return self._stored_record(tx, record)

    def _raise_if_retired(self, tx: Transaction, path: str, what: str) -> None:
        row = tx.execute("SELECT target FROM retired_urls WHERE path = ?", (path,)).fetchone()
        if row is None:
            return
        if row[0] is None:
            raise Gone(path, what)
        raise Moved(path, row[0])

    def list_articles(
        self, *, limit: int, offset: int, updated_since: str | None = None
    ) -> ArticlePage:
        """A page of articles by title; only those updated at or after `updated_since` (an
        ISO 8601 UTC timestamp as the store writes them) when given."""
        where, parameters = (
            ("WHERE updated_at >= ?", (updated_since,)) if updated_since else ("", ())
        )
        with self._read() as tx:
            total = tx.execute(f"SELECT count(*) FROM articles {where}", parameters).fetchone()[0]
            rows = tx.execute(
                "SELECT slug, title, language, section_count, origin, created_at, updated_at"
                f" FROM articles {where} ORDER BY title, slug LIMIT ? OFFSET ?",
                (*parameters, limit, offset),
            ).fetchall()
        items = [
            ArticleSummary(
                slug=slug,
                title=title,
                language=language,
                section_count=count,
                url=article_url(slug),
                origin=origin,
                created_at=created_at,
                updated_at=updated_at,
            )
            for slug, title, language, count, origin, created_at, updated_at in rows
        ]
        return ArticlePage(items=items, total=int(total), limit=limit, offset=offset)

    def get_section(self, *, article_slug: str, section_slug: str) -> Section:
        # The common case in one statement, which sees one state without a transaction
        # (on PostgreSQL a transaction costs two more round trips to the server).
        with self._read(snapshot=False) as tx:
            row = tx.execute(
                f"SELECT {_SECTION_COLUMNS_OF_S} FROM sections s"
                " JOIN articles a ON a.id = s.article_id WHERE a.slug = ? AND s.slug = ?",
                (article_slug, section_slug),
            ).fetchone()
        if row is not None:
            return _section(article_slug, row)
        with self._read() as tx:
            article = tx.execute(
                "SELECT id FROM articles WHERE slug = ?", (article_slug,)
            ).fetchone()
            if article is None:
                self._raise_if_retired(tx, section_url(article_slug, section_slug), "section")
                self._raise_if_retired(tx, article_url(article_slug), "article")
                raise ArticleNotFound(article_slug)
            row = tx.execute(
                f"SELECT {_SECTION_COLUMNS} FROM sections WHERE article_id = ? AND slug = ?",
                (article[0], section_slug),
            ).fetchone()
            if row is None:
                self._raise_if_retired(tx, section_url(article_slug, section_slug), "section")
                suggestions = self._article_slug_suggestions(tx, article[0], section_slug)
                raise SectionNotFound(section_slug, article_slug, suggestions)
        return _section(article_slug, row)

    def file_owning(self, slug: str) -> str | None:
        """The source path of the file whose article holds `slug`, if a file's does."""
        with self._read() as tx:
            row = tx.execute(
                "SELECT source FROM articles WHERE slug = ? AND origin = 'file'", (slug,)
            ).fetchone()
        return str(row[0]) if row else None

    def check_retired_section_slug(self, section_slug: str) -> None:
        """For a bare section slug no article has: Moved when every URL it had moved to one
        place, Gone when they are all gone; nothing when it never existed or is ambiguous."""
        with self._read() as tx:
            targets = {
                target
                for (target,) in tx.execute(
                    "SELECT target FROM retired_urls WHERE section_slug = ?", (section_slug,)
                )
            }
        path = f"/sections/{path_segment(section_slug)}"
        if targets == {None}:
            raise Gone(path, "section")
        if len(targets) == 1:
            (target,) = targets
            assert target is not None
            raise Moved(path, target)

    def changes(self, *, since: int, limit: int) -> ChangePage:
        """Committed changes after the cursor `since` (0: from the beginning), oldest first."""
        with self._read() as tx:
            rows = tx.execute(
                "SELECT seq, at, kind, article_slug, previous_slug, source, origin, sections"
                " FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
                (since, limit + 1),
            ).fetchall()
        more = len(rows) > limit
        items = [
            Change(
                cursor=str(seq),
                kind=kind,
                article_slug=slug,
                previous_slug=previous,
                source=source,
                origin=origin,
                at=at,
                url=article_url(slug),
                sections_added=sections["added"],
                sections_changed=sections["changed"],
                sections_removed=sections["removed"],
            )
            for seq, at, kind, slug, previous, source, origin, sections in (
                (*row[:7], json.loads(row[7])) for row in rows[:limit]
            )
        ]
        last = items[-1].cursor if items else str(since)
        return ChangePage(items=items, next=last, more=more)

    def stored_articles(self) -> Iterator[StoredArticle]:
        """Every stored article with its timestamps, by slug (read in pages)."""
        after = ""
        while True:
            with self._read() as tx:
                records = [
                    _Record(*row)
                    for row in tx.execute(
                        f"{_RECORD} WHERE slug > ? ORDER BY slug LIMIT 200", (after,)
                    ).fetchall()
                ]
                page = [self._stored_record(tx, record) for record in records]
            if not page:
                return
            yield from page
            after = records[-1].slug

    def restore_history(self, salvage: Salvage) -> None:
        """After a rebuild: each source's first creation time, the retired URLs (but those
        served again) and the change feed of the store this one replaces. The rebuild's own
        writes leave no trace in the feed: clients polling it see no change for content that
        did not change."""
        with self._write() as tx:
            tx.executemany(
                "UPDATE articles SET created_at = ? WHERE origin = ? AND source = ?",
                [(at, origin, source) for (origin, source), at in salvage.created_at.items()],
            )
            served = {path for (path,) in tx.execute("SELECT url FROM sections")}
            tx.executemany(
                "INSERT INTO retired_urls (path, section_slug, target, retired_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET"
                " section_slug = excluded.section_slug, target = excluded.target,"
                " retired_at = excluded.retired_at",
                [
                    (row.path, row.section_slug, row.target, row.retired_at)
                    for row in salvage.retired
                    if row.path not in served
                ],
            )
            if salvage.changes:
                tx.execute("DELETE FROM changes")
                tx.executemany(
                    "INSERT INTO changes (seq, at, kind, article_slug, previous_slug, source,"
                    " origin, sections) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [astuple(change) for change in salvage.changes],
                )
                self._after_restoring_changes(tx)

    def raw_sources(self, *, stale_only: bool = True) -> list[tuple[str, RawSource]]:
        """The kept bytes of HTTP-written articles (slug, raw), to re-parse after an upgrade;
        only those whose content hash was cleared by a change of parser when `stale_only`."""
        stale = " AND a.content_hash = ''" if stale_only else ""
        with self._read() as tx:
            rows = tx.execute(
                "SELECT a.slug, r.media_type, r.data FROM raw_sources r"
                f" JOIN articles a ON a.id = r.article_id WHERE a.origin = 'http'{stale}"
                " ORDER BY a.slug"
            ).fetchall()
        return [(slug, RawSource(bytes(data), media_type)) for slug, media_type, data in rows]

    def suggest_section_slugs(
        self, slug: str, *, article_slug: str | None = None, limit: int = 3
    ) -> list[str]:
        """Existing section slugs nearest to `slug` (case ignored), best first.

        Within one article the closest few are always offered; across the whole store only
        similar ones, from a trigram index built once per generation.
        """
        with self._read() as tx:
            if article_slug is not None:
                row = tx.execute(
                    "SELECT id FROM articles WHERE slug = ?", (article_slug,)
                ).fetchone()
                if row is None:
                    return []
                return self._article_slug_suggestions(tx, row[0], slug, limit)
            return self._section_suggestions(tx, slug, limit)

    def _article_slug_suggestions(
        self, tx: Transaction, article_id: int, wanted: str, limit: int = 3
    ) -> list[str]:
        slugs = [
            slug
            for (slug,) in tx.execute(
                "SELECT slug FROM sections WHERE article_id = ? AND slug IS NOT NULL"
                " ORDER BY position",
                (article_id,),
            )
        ]
        return closest(wanted, slugs, limit=limit, cutoff=0.0)

    def _section_suggestions(self, tx: Transaction, slug: str, limit: int) -> list[str]:
        """Section slugs across the store nearest to `slug`, from a trigram index that
        grows with the sections written (ids only grow: new rows are those above the last
        seen); suggestions whose sections are gone since are left out."""
        with self._slug_lock:
            index = self._section_slugs
            rows = tx.execute(
                "SELECT id, slug FROM sections WHERE id > ? AND slug IS NOT NULL ORDER BY id",
                (self._section_slugs_seen,),
            ).fetchall()
            if rows:
                index.add(str(found) for _, found in rows)
                self._section_slugs_seen = int(rows[-1][0])
            nearest = index.nearest(slug, limit=limit + SUGGESTION_SPARE)
            return _existing(tx, "sections", nearest)[:limit]

    def find_sections_by_slug(self, section_slug: str) -> list[Section]:
        with self._read() as tx:
            rows = tx.execute(
                f"SELECT a.slug, {_SECTION_COLUMNS_OF_S} FROM sections s"
                " JOIN articles a ON a.id = s.article_id WHERE s.slug = ? ORDER BY a.slug",
                (section_slug,),
            ).fetchall()
        return [_section(row[0], row[1:]) for row in rows]

    def source_hashes(self) -> dict[str, tuple[str, str]]:
        with self._read() as tx:
            rows = tx.execute(
                "SELECT source, slug, content_hash FROM articles WHERE origin = 'file'"
            ).fetchall()
        return {source: (slug, content_hash) for source, slug, content_hash in rows}

    def search(self, request: SearchRequest) -> SearchResults:
        with self._read() as tx:
            return self._engine.search(IndexRows(tx), request)

    def warm_up(self) -> None:
        """Read the search index view now (at start-up, in the background), so that the
        first searches do not wait for it."""
        with self._read() as tx:
            self._engine.snapshot(IndexRows(tx))

    def generation(self) -> int:
        """Changes with every committed write: a cache key for anything derived from the store."""
        with self._read() as tx:
            return tx.generation


_SECTION_FIELDS = (
    "slug",
    "position",
    "heading",
    "is_question",
    "level",
    "parent_slug",
    "body",
    "word_count",
    "url",
    "markdown",
)
_SECTION_COLUMNS = ", ".join(_SECTION_FIELDS)
_SECTION_COLUMNS_OF_S = ", ".join(f"s.{name}" for name in _SECTION_FIELDS)


def _section_values(article_slug: str, row: Sequence[Any]) -> dict[str, Any]:
    values = dict(zip(_SECTION_FIELDS, row, strict=True))
    values["body_markdown"] = _stored_markdown(values.pop("markdown"), values["body"])
    values["is_question"] = bool(values["is_question"])
    values["article_slug"] = article_slug
    return values


def _markdown_column(markdown: str, body: str) -> str | None:
    """What the `markdown` column keeps: NULL when the Markdown is the plain body itself
    (text without markup or Markdown characters, most of it), so a body is stored once."""
    return None if markdown == body else markdown


def _stored_markdown(column: str | None, body: str) -> str:
    """A body's Markdown from its column: NULL is the body itself; '' (a row from before
    schema 4, until the next sync parses it again) the Markdown of its plain text."""
    if column is None:
        return body
    return column or markdown_of_plain(body)


def _section(article_slug: str, row: Sequence[Any]) -> Section:
    return Section.model_validate(_section_values(article_slug, row))


class IndexRows:
    """The engine's view of the index (app/search/index.py), inside one read transaction."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def generation(self) -> int:
        return self._tx.generation

    def documents(self, *, after: int) -> Iterator[DocumentColumns]:
        cursor = self._tx.execute(
            "SELECT id, article_id, is_question, heading_length, title_length, body_length,"
            " terms FROM sections WHERE id > ? ORDER BY id",
            (after,),
        )
        # In slices: a whole store's rows as Python objects at once would take far more
        # memory than the arrays they become.
        while rows := cursor.fetchmany(_DOCUMENT_SLICE):
            yield DocumentColumns.from_rows(rows)

    def removed(self, *, since: int) -> Sequence[RemovedRow] | None:
        floor = self._tx.execute("SELECT value FROM meta WHERE key = 'removed_floor'").fetchone()
        if floor is not None and int(floor[0]) > since:
            return None
        return [
            RemovedRow(int(doc_id), bytes(terms))
            for doc_id, terms in self._tx.execute(
                "SELECT doc_id, terms FROM removed_documents WHERE generation > ? ORDER BY doc_id",
                (since,),
            )
        ]

    def articles(self, *, since: int) -> Iterable[ArticleRow]:
        for row in self._tx.execute(
            "SELECT id, slug, title, language, updated_at FROM articles WHERE generation > ?",
            (since,),
        ):
            yield ArticleRow(row[0], row[1], row[2], row[3], str(row[4]))

    def vocabulary(self, *, after: int) -> TermColumns:
        rows = self._tx.execute(
            "SELECT id, term, surface FROM terms WHERE id > ? ORDER BY id", (after,)
        ).fetchall()
        if not rows:
            return TermColumns([], [], [])
        ids, terms, surfaces = zip(*rows, strict=True)
        return TermColumns(list(ids), list(terms), list(surfaces))

    def streams(self, doc_ids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in chunks(doc_ids):
            marks = ",".join("?" * len(chunk))
            found.update(
                (doc_id, decompress_stream(bytes(stream)))
                for doc_id, stream in self._tx.execute(
                    f"SELECT id, stream FROM sections WHERE id IN ({marks})", tuple(chunk)
                )
            )
        return found

    def last_document(self) -> int:
        return int(self._tx.execute("SELECT coalesce(max(id), 0) FROM sections").fetchone()[0])

    def hits(self, doc_ids: Sequence[int]) -> dict[int, HitRow]:
        found: dict[int, HitRow] = {}
        for chunk in chunks(doc_ids):
            marks = ",".join("?" * len(chunk))
            rows = self._tx.execute(
                "SELECT id, article_id, slug, heading, is_question, url, body FROM sections"
                f" WHERE id IN ({marks})",
                tuple(chunk),
            ).fetchall()
            for doc_id, article_id, slug, heading, is_question, url, body in rows:
                found[doc_id] = HitRow(
                    doc_id, article_id, slug, heading, bool(is_question), url, body
                )
        return found
