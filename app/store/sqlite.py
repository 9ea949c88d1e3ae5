"""The embedded store: one SQLite file (WAL) with articles, sections and an inverted index.

Writers hold one transaction per article, so readers in other threads or processes see
either the old article or the new one, never a mix; the same transaction settles shared
slugs, retires the URLs the old version served and appends to the change feed. The index
tables (terms, postings) are read by the shared search engine through `_Reader`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import astuple, dataclass
from itertools import chain
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from app.errors import (
    ArticleNotFound,
    ArticleQAError,
    Gone,
    Moved,
    SectionNotFound,
    SourceConflict,
    StoreDamaged,
    StoreReadOnly,
    StoreUnavailable,
)
from app.fingerprint import index_fingerprint
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
from app.parsing.sections import section_url
from app.search.documents import SearchDocument, article_url, search_documents
from app.search.engine import SearchEngine
from app.search.index import ArticleRow, DocumentRow, HitRow, TermRow
from app.search.postings import DocIds
from app.search.request import SearchRequest
from app.search.suggest import SlugIndex, closest
from app.store.base import Precondition, RawSource, Upserted, UpsertOutcome
from app.store.history import (
    reslugged,
    retired_urls,
    section_changes,
    served_urls,
    utc_now,
)
from app.store.identity import claim_key, suffixed_slug
from app.store.salvage import Salvage
from app.store.schema import SCHEMA_VERSION, migrate

_CHUNK = 500
# The write-ahead log is emptied once it passes this size (see _bound_wal).
WAL_LIMIT_BYTES = 64 << 20
CHECKPOINT_WAIT_MS = 1000
BUSY_TIMEOUT_MS = 30_000
MMAP_BYTES = 1 << 30


_Item = TypeVar("_Item")


def _chunks(items: Sequence[_Item], size: int = _CHUNK) -> Iterator[Sequence[_Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _term_ids_of(connection: sqlite3.Connection, terms: Sequence[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in _chunks(terms):
        marks = ",".join("?" * len(chunk))
        query = f"SELECT term, id FROM terms WHERE term IN ({marks})"
        ids.update(connection.execute(query, chunk).fetchall())
    return ids


@dataclass(frozen=True, slots=True)
class _Record:
    """One stored article's row, before its JSON is parsed."""

    id: int
    slug: str
    base_slug: str
    source: str
    origin: str
    content_hash: str
    json: str
    created_at: str
    updated_at: str

    def article(self) -> Article:
        return Article.model_validate_json(self.json)

    def stored(self) -> StoredArticle:
        return _stored(self.json, self.created_at, self.updated_at)


# SQLite's result codes for a corrupt file and for a file that is not a database.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


def _is_corruption(error: sqlite3.DatabaseError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    return "malformed" in str(error) or "not a database" in str(error)


def _read_only_uri(uri: str) -> str:
    """How to open a store file read-only. A WAL store needs its shared-memory file, which a
    read-only folder cannot hold: then the file is read as immutable, a snapshot that
    changes no more (what a shipped, prebuilt index is)."""
    read_only = f"{uri}?mode=ro"
    try:
        with closing(sqlite3.connect(read_only, uri=True)) as probe:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        return f"{uri}?mode=ro&immutable=1"
    return read_only


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _has_content(path: Path) -> bool:
    return _size(path) > 0


def _not_writable(path: Path) -> bool:
    """True for an existing store file (or folder) this process may not write; WAL mode
    also needs to create files beside it."""
    if not path.exists():
        return False
    return not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)


def _check_schema_readable(connection: sqlite3.Connection, path: Path) -> None:
    """A read-only store must already be at this release's schema: it cannot be migrated."""
    row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    found = int(row[0]) if row else 0
    if found != SCHEMA_VERSION:
        raise StoreUnavailable(
            f"the read-only store at {path} has schema version {found}, this article-qa "
            f"serves version {SCHEMA_VERSION}: open it once where it can be written to migrate"
        )


def _allocate_ids(connection: sqlite3.Connection, table: str, count: int) -> int:
    """The first of `count` new ids for `table`; ids are never reused, so an index view built
    before a write can tell the rows written after it (and a deleted row's id never comes
    back meaning something else)."""
    key = f"next_id:{table}"
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    above = connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
    first = max(int(row[0]) if row else 0, int(above))
    connection.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, first + count)
    )
    return first


def _taken_by_other(taken: Callable[[str], bool], own: str) -> Callable[[str], bool]:
    """`taken`, except that an article's own slug is free for it."""
    return lambda slug: slug != own and taken(slug)


def _stored(article_json: str, created_at: str, updated_at: str) -> StoredArticle:
    article = Article.model_validate_json(article_json)
    return StoredArticle(**dict(article), created_at=created_at, updated_at=updated_at)


class SQLiteStore:
    """`Store` on one SQLite file; ':memory:' gives a private in-memory database."""

    def __init__(self, path: Path, *, wal_limit_bytes: int = WAL_LIMIT_BYTES) -> None:
        self.path = path
        self._memory = str(path) == ":memory:"
        if self._memory:
            self._uri = f"file:article-qa-{uuid.uuid4().hex}?mode=memory&cache=shared"
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreUnavailable(f"Cannot create {path.parent}: {error}") from error
            self._uri = path.resolve().as_uri()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._checkers: list[sqlite3.Connection] = []
        self._wal = Path(f"{path}-wal")
        self._wal_limit = wal_limit_bytes
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._closed = False
        self._engine = SearchEngine()
        self._slugs: tuple[int, SlugIndex] | None = None
        self._article_slugs: tuple[int, SlugIndex] | None = None
        self._slug_lock = threading.Lock()
        # A store file this process may not write (a prebuilt index shipped read-only) is
        # served as it is: no migration, no sync, no writes.
        self.read_only = not self._memory and _not_writable(path)
        self.damage: str | None = None
        if self.read_only:
            self._uri = _read_only_uri(self._uri)
        try:
            connection = self._connection()
            if self.read_only:
                _check_schema_readable(connection, path)
            else:
                with self._write_lock:
                    migrate(connection)
                    self._forget_hashes_of_other_builds(connection)
        except sqlite3.DatabaseError as error:
            if _is_corruption(error):
                raise StoreDamaged(f"{path}: {error}") from error
            raise StoreUnavailable(f"Cannot open the store at {path}: {error}") from error
        self.check_integrity(full=False)

    @staticmethod
    def _forget_hashes_of_other_builds(connection: sqlite3.Connection) -> None:
        """Articles parsed and indexed by other code keep answering, but lose their content
        hash, so the next ingest of their files re-parses and re-indexes them."""
        current = index_fingerprint()
        row = connection.execute("SELECT value FROM build WHERE key = 'fingerprint'").fetchone()
        if row is not None and row[0] == current:
            return
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE articles SET content_hash = ''")
        connection.execute(
            "INSERT OR REPLACE INTO build (key, value) VALUES ('fingerprint', ?)", (current,)
        )
        connection.execute("COMMIT")

    # -- connections -------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread: sqlite3 connections must not be shared across threads."""
        if self._closed:
            raise StoreUnavailable("The store is closed.")
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        connection = sqlite3.connect(
            self._uri, uri=True, isolation_level=None, timeout=30.0, check_same_thread=False
        )
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not self._memory and not self.read_only:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            # Reading hits and postings through a memory map skips a read() per page: it
            # halves the time to fetch a page of hits (address space only, not resident memory).
            connection.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        self._local.connection = connection
        with self._connections_lock:
            self._connections.append(connection)
        return connection

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed state."""
        if self.damage is not None:
            raise StoreDamaged(self.damage)
        connection = self._connection()
        try:
            connection.execute("BEGIN")
            try:
                yield connection
            finally:
                connection.execute("COMMIT")
        except sqlite3.Error as error:
            raise self._failure(error) from error

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; it bumps the index generation when the index changed."""
        if self.read_only:
            raise StoreReadOnly(str(self.path))
        if self.damage is not None:
            raise StoreDamaged(self.damage)
        connection = self._connection()
        with self._write_lock:
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise self._failure(error) from error
            try:
                changes_before = connection.total_changes
                yield connection
                if connection.total_changes != changes_before:
                    connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                connection.execute("COMMIT")
                self._bound_wal(connection)
            except sqlite3.Error as error:
                with suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
                failure = self._failure(error)
                if not isinstance(failure, StoreDamaged):
                    # A failed write (a full disk, an I/O error) may have hurt the file.
                    with suppress(ArticleQAError):
                        self.check_integrity(full=False)
                raise failure from error
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def _bound_wal(self, connection: sqlite3.Connection) -> None:
        """Keep the write-ahead log from growing without end. SQLite's own checkpoints copy
        the log into the store but only start it over when no reader is using it, which
        under steady reads never happens: past the limit, this checkpoint waits for the
        readers of older versions to finish (reads take milliseconds) and empties it."""
        if self._memory or _size(self._wal) <= self._wal_limit:
            return
        # A long reader (the background integrity check) must not hold a write up for long.
        connection.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        try:
            with suppress(sqlite3.Error):  # busy: the next write tries again
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _failure(self, error: sqlite3.Error) -> ArticleQAError:
        """The library error for an SQLite one: a corrupt file is damage (lasting: every
        later call says so too), anything else the store being unavailable for now."""
        if isinstance(error, sqlite3.DatabaseError) and _is_corruption(error):
            self.damage = str(error)
            return StoreDamaged(self.damage)
        return StoreUnavailable(f"The store cannot answer: {error}")

    def check_integrity(self, *, full: bool) -> str | None:
        """Look for damage; record and return it (None: none found). The cheap check reads
        the header and compares the file's length with the pages it should hold; the full
        one is SQLite's quick_check, which reads every page (seconds on a large store). Both
        run on a connection of their own, which close() interrupts: a check in a background
        thread never has its connection closed under it."""
        if self._memory:
            return None
        checker = self._open_checker()
        if checker is None:
            return self.damage  # closed: no verdict
        try:
            found = self._find_damage(checker, full=full)
        except sqlite3.DatabaseError as error:
            if self._closed:
                return self.damage  # interrupted by close(): no verdict
            if not _is_corruption(error):
                raise self._failure(error) from error
            found = str(error)
        except OSError as error:
            raise StoreUnavailable(f"Cannot read {self.path}: {error}") from error
        finally:
            with self._connections_lock:
                self._checkers.remove(checker)
            checker.close()
        if found is not None:
            self.damage = found
        return self.damage

    def _open_checker(self) -> sqlite3.Connection | None:
        checker = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
        with self._connections_lock:
            if self._closed:
                checker.close()
                return None
            self._checkers.append(checker)
        return checker

    def _find_damage(self, checker: sqlite3.Connection, *, full: bool) -> str | None:
        page_size = checker.execute("PRAGMA page_size").fetchone()[0]
        pages = checker.execute("PRAGMA page_count").fetchone()[0]
        size = self.path.stat().st_size
        # In WAL mode the newest pages may still be in the -wal file, not the main one.
        if size % page_size or (size < page_size * pages and not _has_content(self._wal)):
            return f"the file does not hold its {pages} pages: it was truncated"
        if full:
            problems = [row[0] for row in checker.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                return "; ".join(problems)
        return None

    def close(self) -> None:
        # A connection must not be closed while another thread uses it: a running check is
        # interrupted (and closes its own connection), and a write in progress (a watcher
        # that did not stop in time) is waited for.
        with self._connections_lock:
            self._closed = True
            for checker in self._checkers:
                checker.interrupt()
        with self._write_lock, self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()

    def ping(self) -> None:
        if self.damage is not None:
            raise StoreDamaged(self.damage)
        try:
            self._connection().execute("SELECT value FROM meta WHERE key = 'generation'")
        except sqlite3.Error as error:
            raise self._failure(error) from error

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
        with self._write() as connection:
            if precondition is not None:
                existing = self._existing(connection, article)
                newer = precondition(existing.stored() if existing else None)
                if newer is not None:
                    article, documents = newer, search_documents(newer)
            return self._upsert(connection, article, documents, raw)

    def _existing(self, connection: sqlite3.Connection, article: Article) -> _Record | None:
        """The stored version of the article's source: by slug for an HTTP article (the URL
        names it), by path for a file."""
        if article.origin == "http":
            return self._record(connection, "slug = ?", (article.slug,))
        return self._record(connection, "origin = 'file' AND source = ?", (article.source,))

    def _upsert(
        self,
        connection: sqlite3.Connection,
        article: Article,
        documents: list[SearchDocument],
        raw: RawSource | None,
    ) -> Upserted:
        existing = self._existing(connection, article)
        if article.origin == "http" and existing is not None and existing.origin == "file":
            raise SourceConflict(article.slug, existing.source)
        surfaces: dict[str, str] = {}
        for document in documents:
            for term, word in document.surfaces.items():
                surfaces.setdefault(term, word)
        base = article.slug
        unchanged = existing is not None and existing.content_hash == article.content_hash
        if existing is not None and unchanged and existing.base_slug == base:
            return Upserted(UpsertOutcome.UNCHANGED, existing.slug, existing.stored())
        now = utc_now()
        old = existing.article() if existing else None
        if existing is not None and old is not None:
            same = reslugged(article, existing.slug)
            if same == old.model_copy(update={"content_hash": article.content_hash}):
                return self._new_bytes_same_article(connection, existing, same, raw, now)
            self._delete_rows(connection, existing.id)
        slug = self._claim(connection, base, article.source, article.origin, now)
        final = reslugged(article, slug) if slug != article.slug else article
        created_at = existing.created_at if existing else now
        self._insert(connection, final, documents, surfaces, base, created_at, now)
        if raw is not None:
            connection.execute(
                "INSERT INTO raw_sources (article_id, media_type, data)"
                " SELECT id, ?, ? FROM articles WHERE slug = ?",
                (raw.media_type, raw.data, slug),
            )
        self._record_history(connection, old, final, now)
        if existing is not None and existing.base_slug != base:
            self._settle(connection, existing.base_slug, now)
        outcome = UpsertOutcome.UPDATED if existing else UpsertOutcome.INSERTED
        stored = StoredArticle(**dict(final), created_at=created_at, updated_at=now)
        return Upserted(outcome, slug, stored)

    def _new_bytes_same_article(
        self,
        connection: sqlite3.Connection,
        existing: _Record,
        article: Article,
        raw: RawSource | None,
        now: str,
    ) -> Upserted:
        """The source parses to the article already stored: nothing to re-index. After a
        parser upgrade (same bytes) only the forgotten hash is written back; new bytes (line
        ends, markup that changes nothing) are an update of the hash and the kept bytes."""
        if raw is not None:
            connection.execute(
                "UPDATE raw_sources SET media_type = ?, data = ? WHERE article_id = ?",
                (raw.media_type, raw.data, existing.id),
            )
        previous = existing.article()
        if previous.content_hash == article.content_hash:
            connection.execute(
                "UPDATE articles SET content_hash = ? WHERE id = ?",
                (article.content_hash, existing.id),
            )
            return Upserted(UpsertOutcome.UNCHANGED, existing.slug, existing.stored())
        connection.execute(
            "UPDATE articles SET content_hash = ?, json = ?, updated_at = ? WHERE id = ?",
            (article.content_hash, article.model_dump_json(), now, existing.id),
        )
        self._record_history(connection, previous, article, now)
        stored = StoredArticle(**dict(article), created_at=existing.created_at, updated_at=now)
        return Upserted(UpsertOutcome.UPDATED, existing.slug, stored)

    def _claim(
        self, connection: sqlite3.Connection, base: str, source: str, origin: Origin, now: str
    ) -> str:
        """The slug a new version gets; rivals for the same title slug move as the rule
        says (app/store/identity.py)."""
        if origin == "http":
            holder = self._record(connection, "slug = ?", (base,))
            if holder is not None:
                raise SourceConflict(base, holder.source)
            return base
        return self._settle(connection, base, now, newcomer=source) or base

    def _settle(
        self, connection: sqlite3.Connection, base: str, now: str, *, newcomer: str | None = None
    ) -> str | None:
        """Give `base` to the first claim among the files whose title slug it is, suffixed
        slugs to the others (moving stored ones whose slug must change); return the
        newcomer's slug."""
        rivals = connection.execute(
            "SELECT id, slug, source FROM articles WHERE base_slug = ? AND origin = 'file'",
            (base,),
        ).fetchall()
        holder = connection.execute(
            "SELECT origin, base_slug FROM articles WHERE slug = ?", (base,)
        ).fetchone()
        blocked = holder is not None and (holder[0] != "file" or holder[1] != base)
        claims = [str(source) for _, _, source in rivals]
        if newcomer is not None:
            claims.append(newcomer)
        winner = None if blocked or not claims else min(claims, key=claim_key)

        def taken(slug: str) -> bool:
            return self._record(connection, "slug = ?", (slug,)) is not None

        # Whoever leaves the bare slug moves first, so the winner finds it free.
        for article_id, current, source in sorted(rivals, key=lambda row: row[2] == winner):
            if source == winner:
                wanted = base
            else:
                wanted = suffixed_slug(base, source, taken=_taken_by_other(taken, current))
            if wanted != current:
                self._move(connection, article_id, wanted, now)
        if newcomer is None:
            return None
        return base if newcomer == winner else suffixed_slug(base, newcomer, taken=taken)

    def _move(self, connection: sqlite3.Connection, article_id: int, slug: str, now: str) -> None:
        """Give a stored article another slug: its URLs move, its index stays."""
        row = connection.execute("SELECT json FROM articles WHERE id = ?", (article_id,)).fetchone()
        old = Article.model_validate_json(row[0])
        new = reslugged(old, slug)
        connection.execute(
            "UPDATE articles SET slug = ?, json = ?, updated_at = ? WHERE id = ?",
            (slug, new.model_dump_json(), now, article_id),
        )
        connection.executemany(
            "UPDATE sections SET url = ?, json = ? WHERE article_id = ? AND position = ?",
            [
                (section.url, section.model_dump_json(), article_id, section.position)
                for section in new.sections
            ],
        )
        connection.execute(
            "UPDATE sections SET url = ? WHERE article_id = ? AND position = 0",
            (article_url(slug), article_id),
        )
        self._record_history(connection, old, new, now)

    def _record_history(
        self, connection: sqlite3.Connection, old: Article | None, new: Article | None, now: str
    ) -> None:
        """Retire the URLs `old` served and `new` does not (one hop, however long the chain),
        revive those `new` serves, and append the change to the feed."""
        if old is not None:
            for retired in retired_urls(old, new):
                connection.execute(
                    "UPDATE retired_urls SET target = ? WHERE target = ?",
                    (retired.target, retired.path),
                )
                connection.execute(
                    "INSERT OR REPLACE INTO retired_urls (path, section_slug, target, retired_at)"
                    " VALUES (?, ?, ?, ?)",
                    (retired.path, retired.section_slug, retired.target, now),
                )
        if new is not None:
            paths = served_urls(new)
            for chunk in _chunks(paths):
                marks = ",".join("?" * len(chunk))
                connection.execute(f"DELETE FROM retired_urls WHERE path IN ({marks})", chunk)
        current = new or old
        assert current is not None
        changes = section_changes(old, new)
        kind = "created" if old is None else "deleted" if new is None else "updated"
        connection.execute(
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
        connection: sqlite3.Connection,
        article: Article,
        documents: list[SearchDocument],
        surfaces: dict[str, str],
        base_slug: str,
        created_at: str,
        updated_at: str,
    ) -> None:
        article_id = _allocate_ids(connection, "articles", 1)
        connection.execute(
            "INSERT INTO articles (id, slug, base_slug, source, origin, title, language,"
            " content_hash, section_count, json, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                article.model_dump_json(),
                created_at,
                updated_at,
            ),
        )
        term_ids = self._term_ids(
            connection, {t for d in documents for t in d.packed_frequencies}, surfaces
        )
        # The documents were analysed before the slug was settled: URLs come from `article`.
        sections = {section.position: section for section in article.sections}
        document_frequency: dict[int, int] = {}
        postings: list[tuple[int, int, int]] = []
        first_doc_id = _allocate_ids(connection, "sections", len(documents))
        for doc_id, doc in enumerate(documents, start=first_doc_id):
            ids = array("l", sorted(term_ids[t] for t in doc.packed_frequencies))
            section = sections.get(doc.position)
            connection.execute(
                "INSERT INTO sections (id, article_id, position, slug, heading, is_question,"
                " url, body, json, heading_length, title_length, body_length, term_ids, stream)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc_id,
                    article_id,
                    doc.position,
                    section.slug if section else None,
                    doc.heading,
                    int(doc.is_question),
                    section.url if section else article_url(article.slug),
                    doc.body,
                    section.model_dump_json() if section else None,
                    doc.heading_length,
                    doc.title_length,
                    doc.body_length,
                    ids.tobytes(),
                    doc.stream,
                ),
            )
            for term, packed in doc.packed_frequencies.items():
                term_id = term_ids[term]
                postings.append((term_id, doc_id, packed))
                document_frequency[term_id] = document_frequency.get(term_id, 0) + 1
        connection.executemany(
            "INSERT INTO postings (term_id, doc_id, tf) VALUES (?, ?, ?)", postings
        )
        connection.executemany(
            "UPDATE terms SET df = df + ? WHERE id = ?",
            [(count, term_id) for term_id, count in document_frequency.items()],
        )

    def _term_ids(
        self, connection: sqlite3.Connection, terms: set[str], surfaces: dict[str, str]
    ) -> dict[str, int]:
        """The id of every term, inserting the terms the index does not know yet."""
        ordered = sorted(terms)
        ids = _term_ids_of(connection, ordered)
        missing = [term for term in ordered if term not in ids]
        first = _allocate_ids(connection, "terms", len(missing))
        connection.executemany(
            "INSERT INTO terms (id, term, df, surface) VALUES (?, ?, 0, ?)",
            [
                (term_id, term, surfaces.get(term, term))
                for term_id, term in enumerate(missing, start=first)
            ],
        )
        ids.update(_term_ids_of(connection, missing))
        return ids

    def _delete_rows(self, connection: sqlite3.Connection, article_id: int) -> None:
        rows = connection.execute(
            "SELECT id, term_ids FROM sections WHERE article_id = ?", (article_id,)
        ).fetchall()
        document_frequency: dict[int, int] = {}
        postings: list[tuple[int, int]] = []
        for doc_id, blob in rows:
            ids = array("l")
            ids.frombytes(blob)
            for term_id in ids:
                postings.append((term_id, doc_id))
                document_frequency[term_id] = document_frequency.get(term_id, 0) + 1
        connection.executemany("DELETE FROM postings WHERE term_id = ? AND doc_id = ?", postings)
        connection.executemany(
            "UPDATE terms SET df = df - ? WHERE id = ?",
            [(count, term_id) for term_id, count in document_frequency.items()],
        )
        # Terms no document uses any more must not be offered as corrections.
        connection.executemany(
            "DELETE FROM terms WHERE id = ? AND df <= 0",
            [(term_id,) for term_id in document_frequency],
        )
        connection.execute("DELETE FROM sections WHERE article_id = ?", (article_id,))
        connection.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def delete_article(self, slug: str, *, precondition: Precondition | None = None) -> bool:
        """Delete the article at `slug`, leaving a tombstone (410) and a change record."""
        with self._write() as connection:
            record = self._record(connection, "slug = ?", (slug,))
            if precondition is not None:
                precondition(record.stored() if record else None)
            if record is None:
                return False
            self._remove(connection, record)
            return True

    def delete_source(self, source: str, *, precondition: Precondition | None = None) -> str | None:
        """Delete the article read from the file `source`; return its slug, or None."""
        with self._write() as connection:
            record = self._record(connection, "origin = 'file' AND source = ?", (source,))
            if precondition is not None:
                precondition(record.stored() if record else None)
            if record is None:
                return None
            self._remove(connection, record)
            return record.slug

    def rename_source(
        self, old: str, new: str, *, precondition: Precondition | None = None
    ) -> str | None:
        """A file moved within the folder: its article keeps its content and URLs, unless
        the move changes which file keeps a shared slug (app/store/identity.py). Returns the
        slug it is served under, or None when there was nothing to move."""
        with self._write() as connection:
            record = self._record(connection, "origin = 'file' AND source = ?", (old,))
            if precondition is not None:
                precondition(record.stored() if record else None)
            taken = self._record(connection, "origin = 'file' AND source = ?", (new,))
            if record is None or taken is not None:
                return None
            now = utc_now()
            before = record.article()
            after = before.model_copy(update={"source": new})
            connection.execute(
                "UPDATE articles SET source = ?, json = ?, updated_at = ? WHERE id = ?",
                (new, after.model_dump_json(), now, record.id),
            )
            self._record_history(connection, before, after, now)
            self._settle(connection, record.base_slug, now)
            moved = self._record(connection, "origin = 'file' AND source = ?", (new,))
            return moved.slug if moved else None

    def _remove(self, connection: sqlite3.Connection, record: _Record) -> None:
        now = utc_now()
        old = record.article()
        self._delete_rows(connection, record.id)
        self._record_history(connection, old, None, now)
        self._settle(connection, record.base_slug, now)

    def _record(
        self, connection: sqlite3.Connection, where: str, parameters: tuple[object, ...]
    ) -> _Record | None:
        row = connection.execute(
            "SELECT id, slug, base_slug, source, origin, content_hash, json, created_at,"
            f" updated_at FROM articles WHERE {where}",
            parameters,
        ).fetchone()
        return _Record(*row) if row is not None else None

    # -- reads -------------------------------------------------------------------------

    def suggest_article_slugs(self, slug: str, *, limit: int = 3) -> list[str]:
        """Existing article slugs nearest to `slug` (case ignored), best first, from a
        trigram index built once per generation: bounded work per call."""
        with self._read() as connection:
            generation = _generation(connection)
            with self._slug_lock:
                cached = self._article_slugs
                if cached is None or cached[0] != generation:
                    rows = connection.execute("SELECT slug FROM articles")
                    cached = (generation, SlugIndex(slug for (slug,) in rows))
                    self._article_slugs = cached
        return cached[1].nearest(slug, limit=limit, cutoff=0.5)

    def get_article(self, slug: str) -> Article:
        return self.get_stored_article(slug).parsed()

    def get_stored_article(self, slug: str) -> StoredArticle:
        """The article with its timestamps; Moved or Gone for a URL served once."""
        with self._read() as connection:
            row = connection.execute(
                "SELECT json, created_at, updated_at FROM articles WHERE slug = ?", (slug,)
            ).fetchone()
            if row is None:
                self._raise_if_retired(connection, article_url(slug), "article")
                raise ArticleNotFound(slug)  # suggest_article_slugs says what was meant
        return _stored(*row)

    def _raise_if_retired(self, connection: sqlite3.Connection, path: str, what: str) -> None:
        row = connection.execute(
            "SELECT target FROM retired_urls WHERE path = ?", (path,)
        ).fetchone()
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
        with self._read() as connection:
            total = connection.execute(
                f"SELECT count(*) FROM articles {where}", parameters
            ).fetchone()[0]
            rows = connection.execute(
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
        return ArticlePage(items=items, total=total, limit=limit, offset=offset)

    def get_section(self, *, article_slug: str, section_slug: str) -> Section:
        with self._read() as connection:
            article = connection.execute(
                "SELECT id FROM articles WHERE slug = ?", (article_slug,)
            ).fetchone()
            if article is None:
                self._raise_if_retired(
                    connection, section_url(article_slug, section_slug), "section"
                )
                self._raise_if_retired(connection, article_url(article_slug), "article")
                raise ArticleNotFound(article_slug)
            row = connection.execute(
                "SELECT json FROM sections WHERE article_id = ? AND slug = ?",
                (article[0], section_slug),
            ).fetchone()
            if row is None:
                self._raise_if_retired(
                    connection, section_url(article_slug, section_slug), "section"
                )
                suggestions = self._article_slug_suggestions(connection, article[0], section_slug)
                raise SectionNotFound(section_slug, article_slug, suggestions)
        return Section.model_validate_json(row[0])

    def file_owning(self, slug: str) -> str | None:
        """The source path of the file whose article holds `slug`, if a file's does."""
        with self._read() as connection:
            row = connection.execute(
                "SELECT source FROM articles WHERE slug = ? AND origin = 'file'", (slug,)
            ).fetchone()
        return str(row[0]) if row else None

    def check_retired_section_slug(self, section_slug: str) -> None:
        """For a bare section slug no article has: Moved when every URL it had moved to one
        place, Gone when they are all gone; nothing when it never existed or is ambiguous."""
        with self._read() as connection:
            targets = {
                target
                for (target,) in connection.execute(
                    "SELECT target FROM retired_urls WHERE section_slug = ?", (section_slug,)
                )
            }
        path = f"/sections/{section_slug}"
        if targets == {None}:
            raise Gone(path, "section")
        if len(targets) == 1:
            (target,) = targets
            assert target is not None
            raise Moved(path, target)

    def changes(self, *, since: int, limit: int) -> ChangePage:
        """Committed changes after the cursor `since` (0: from the beginning), oldest first."""
        with self._read() as connection:
            rows = connection.execute(
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
            with self._read() as connection:
                rows = connection.execute(
                    "SELECT slug, json, created_at, updated_at FROM articles WHERE slug > ?"
                    " ORDER BY slug LIMIT 200",
                    (after,),
                ).fetchall()
            if not rows:
                return
            for slug, article_json, created_at, updated_at in rows:
                yield _stored(article_json, created_at, updated_at)
                after = slug

    def restore_history(self, salvage: Salvage) -> None:
        """After a rebuild: each source's first creation time, the retired URLs (but those
        served again) and the change feed of the store this one replaces. The rebuild's own
        writes leave no trace in the feed: clients polling it see no change for content that
        did not change."""
        with self._write() as connection:
            connection.executemany(
                "UPDATE articles SET created_at = ? WHERE origin = ? AND source = ?",
                [(at, origin, source) for (origin, source), at in salvage.created_at.items()],
            )
            served = {path for (path,) in connection.execute("SELECT url FROM sections")}
            connection.executemany(
                "INSERT OR REPLACE INTO retired_urls (path, section_slug, target, retired_at)"
                " VALUES (?, ?, ?, ?)",
                [
                    (row.path, row.section_slug, row.target, row.retired_at)
                    for row in salvage.retired
                    if row.path not in served
                ],
            )
            if salvage.changes:
                connection.execute("DELETE FROM changes")
                connection.executemany(
                    "INSERT INTO changes (seq, at, kind, article_slug, previous_slug, source,"
                    " origin, sections) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [astuple(change) for change in salvage.changes],
                )

    def raw_sources(self, *, stale_only: bool = True) -> list[tuple[str, RawSource]]:
        """The kept bytes of HTTP-written articles (slug, raw), to re-parse after an upgrade;
        only those whose content hash was cleared by a change of parser when `stale_only`."""
        stale = " AND a.content_hash = ''" if stale_only else ""
        with self._read() as connection:
            rows = connection.execute(
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
        with self._read() as connection:
            if article_slug is not None:
                row = connection.execute(
                    "SELECT id FROM articles WHERE slug = ?", (article_slug,)
                ).fetchone()
                if row is None:
                    return []
                return self._article_slug_suggestions(connection, row[0], slug, limit)
            index = self._slug_index(connection)
        return index.nearest(slug, limit=limit)

    def _article_slug_suggestions(
        self, connection: sqlite3.Connection, article_id: int, wanted: str, limit: int = 3
    ) -> list[str]:
        slugs = [
            slug
            for (slug,) in connection.execute(
                "SELECT slug FROM sections WHERE article_id = ? AND slug IS NOT NULL"
                " ORDER BY position",
                (article_id,),
            )
        ]
        return closest(wanted, slugs, limit=limit, cutoff=0.0)

    def _slug_index(self, connection: sqlite3.Connection) -> SlugIndex:
        """Every section slug of the current generation, indexed once per generation."""
        generation = _generation(connection)
        with self._slug_lock:
            cached = self._slugs
            if cached is None or cached[0] != generation:
                rows = connection.execute("SELECT slug FROM sections WHERE slug IS NOT NULL")
                cached = (generation, SlugIndex(slug for (slug,) in rows))
                self._slugs = cached
        return cached[1]

    def find_sections_by_slug(self, section_slug: str) -> list[Section]:
        with self._read() as connection:
            rows = connection.execute(
                "SELECT s.json FROM sections s JOIN articles a ON a.id = s.article_id"
                " WHERE s.slug = ? ORDER BY a.slug",
                (section_slug,),
            ).fetchall()
        return [Section.model_validate_json(json) for (json,) in rows]

    def source_hashes(self) -> dict[str, tuple[str, str]]:
        with self._read() as connection:
            rows = connection.execute(
                "SELECT source, slug, content_hash FROM articles WHERE origin = 'file'"
            ).fetchall()
        return {source: (slug, content_hash) for source, slug, content_hash in rows}

    def search(self, request: SearchRequest) -> SearchResults:
        with self._read() as connection:
            return self._engine.search(_Reader(connection), request)

    def generation(self) -> int:
        """Changes with every committed write: a cache key for anything derived from the store."""
        with self._read() as connection:
            return _generation(connection)


def _generation(connection: sqlite3.Connection) -> int:
    row = connection.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


class _Reader:
    """The engine's view of the index, inside the caller's read transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def generation(self) -> int:
        return _generation(self._connection)

    def documents(self) -> Iterable[DocumentRow]:
        for row in self._connection.execute(
            "SELECT id, article_id, is_question, heading_length, title_length, body_length"
            " FROM sections"
        ):
            yield DocumentRow(row[0], row[1], bool(row[2]), row[3], row[4], row[5])

    def articles(self) -> Iterable[ArticleRow]:
        for row in self._connection.execute("SELECT id, slug, title, language FROM articles"):
            yield ArticleRow(row[0], row[1], row[2], row[3])

    def vocabulary(self) -> Iterable[TermRow]:
        for row in self._connection.execute("SELECT id, term, df, surface FROM terms WHERE df > 0"):
            yield TermRow(row[0], row[1], row[2], row[3])

    def postings(self, term_id: int) -> tuple[DocIds, npt.NDArray[np.int64]]:
        rows = self._connection.execute(
            "SELECT doc_id, tf FROM postings WHERE term_id = ? ORDER BY doc_id", (term_id,)
        ).fetchall()
        flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=2 * len(rows))
        return flat[0::2].astype(np.int32), flat[1::2]

    def streams(self, doc_ids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in _chunks(doc_ids):
            marks = ",".join("?" * len(chunk))
            found.update(
                self._connection.execute(
                    f"SELECT id, stream FROM sections WHERE id IN ({marks})", tuple(chunk)
                ).fetchall()
            )
        return found

    def hits(self, doc_ids: Sequence[int]) -> dict[int, HitRow]:
        found: dict[int, HitRow] = {}
        for chunk in _chunks(doc_ids):
            marks = ",".join("?" * len(chunk))
            rows = self._connection.execute(
                "SELECT id, article_id, slug, heading, is_question, url, body FROM sections"
                f" WHERE id IN ({marks})",
                tuple(chunk),
            ).fetchall()
            for doc_id, article_id, slug, heading, is_question, url, body in rows:
                found[doc_id] = HitRow(
                    doc_id, article_id, slug, heading, bool(is_question), url, body
                )
        return found
