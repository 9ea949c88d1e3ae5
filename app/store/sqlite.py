"""The embedded store: one SQLite file (WAL) with articles, sections and an inverted index.

Writers hold one transaction per article, so readers in other threads or processes see
either the old article or the new one, never a mix. The index tables (terms, postings)
are read by the shared search engine through `_Reader`.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from app.errors import ArticleNotFound, SectionNotFound, SlugConflict, StoreUnavailable
from app.fingerprint import index_fingerprint
from app.models import Article, ArticlePage, ArticleSummary, SearchResults, Section
from app.search.documents import SearchDocument, article_url, search_documents
from app.search.engine import SearchEngine
from app.search.index import ArticleRow, DocumentRow, HitRow, TermRow
from app.search.postings import DocIds
from app.search.request import SearchRequest
from app.search.suggest import SlugIndex, closest
from app.store.base import UpsertOutcome

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', 0), ('schema', 1);
-- Which code wrote the store (app/fingerprint.py).
CREATE TABLE IF NOT EXISTS build (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    language TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    section_count INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_title ON articles (title, slug);
CREATE INDEX IF NOT EXISTS articles_by_source ON articles (source);
-- One row per searchable document: position 0 is the article's lead (slug NULL).
CREATE TABLE IF NOT EXISTS sections (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    slug TEXT,
    heading TEXT,
    is_question INTEGER NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    json TEXT,
    heading_length INTEGER NOT NULL,
    title_length INTEGER NOT NULL,
    body_length INTEGER NOT NULL,
    term_ids BLOB NOT NULL,
    stream TEXT NOT NULL,
    UNIQUE (article_id, position)
);
CREATE INDEX IF NOT EXISTS sections_by_slug ON sections (slug);
CREATE TABLE IF NOT EXISTS terms (
    id INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE,
    df INTEGER NOT NULL,
    surface TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS postings (
    term_id INTEGER NOT NULL,
    doc_id INTEGER NOT NULL,
    tf INTEGER NOT NULL,
    PRIMARY KEY (term_id, doc_id)
) WITHOUT ROWID;
"""

_CHUNK = 500
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


class SQLiteStore:
    """`Store` on one SQLite file; ':memory:' gives a private in-memory database."""

    def __init__(self, path: Path) -> None:
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
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._closed = False
        self._engine = SearchEngine()
        self._slugs: tuple[int, SlugIndex] | None = None
        self._slug_lock = threading.Lock()
        try:
            connection = self._connection()
            with self._write_lock:
                connection.executescript(SCHEMA)
                self._forget_hashes_of_other_builds(connection)
        except sqlite3.Error as error:
            raise StoreUnavailable(f"Cannot open the store at {path}: {error}") from error

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
        connection.execute("PRAGMA busy_timeout = 30000")
        if not self._memory:
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
        connection = self._connection()
        try:
            connection.execute("BEGIN")
            try:
                yield connection
            finally:
                connection.execute("COMMIT")
        except sqlite3.Error as error:
            raise StoreUnavailable(f"The store cannot answer: {error}") from error

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that also bumps the index generation."""
        connection = self._connection()
        with self._write_lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._connections_lock:
            self._closed = True
            for connection in self._connections:
                connection.close()
            self._connections.clear()

    def ping(self) -> None:
        try:
            self._connection().execute("SELECT value FROM meta WHERE key = 'generation'")
        except sqlite3.Error as error:
            raise StoreUnavailable(f"The store cannot answer: {error}") from error

    # -- writes ------------------------------------------------------------------------

    def upsert_article(self, article: Article) -> UpsertOutcome:
        """Insert, replace or leave alone one article, atomically with its sections and index."""
        documents = search_documents(article)
        surfaces: dict[str, str] = {}
        for document in documents:
            for term, word in document.surfaces.items():
                surfaces.setdefault(term, word)
        connection = self._connection()
        with self._write_lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                outcome = self._upsert(connection, article, documents, surfaces)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            if outcome is UpsertOutcome.UNCHANGED:
                connection.execute("ROLLBACK")
            else:
                connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                connection.execute("COMMIT")
        return outcome

    def _upsert(
        self,
        connection: sqlite3.Connection,
        article: Article,
        documents: list[SearchDocument],
        surfaces: dict[str, str],
    ) -> UpsertOutcome:
        existing = connection.execute(
            "SELECT id, source, content_hash FROM articles WHERE slug = ?", (article.slug,)
        ).fetchone()
        if existing is not None:
            article_id, source, content_hash = existing
            if source != article.source:
                raise SlugConflict(article.slug, source, article.source)
            if content_hash == article.content_hash:
                return UpsertOutcome.UNCHANGED
            self._delete(connection, article_id)
        # A source file yields one article: a renamed title replaces the old slug.
        renamed = connection.execute(
            "SELECT id FROM articles WHERE source = ? AND slug != ?", (article.source, article.slug)
        ).fetchall()
        for (old_id,) in renamed:
            self._delete(connection, old_id)
        self._insert(connection, article, documents, surfaces)
        return UpsertOutcome.UPDATED if existing or renamed else UpsertOutcome.INSERTED

    def _insert(
        self,
        connection: sqlite3.Connection,
        article: Article,
        documents: list[SearchDocument],
        surfaces: dict[str, str],
    ) -> None:
        cursor = connection.execute(
            "INSERT INTO articles"
            " (slug, source, title, language, content_hash, section_count, json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                article.slug,
                article.source,
                article.title,
                article.language,
                article.content_hash,
                len(article.sections),
                article.model_dump_json(),
            ),
        )
        article_id = cursor.lastrowid
        term_ids = self._term_ids(
            connection, {t for d in documents for t in d.packed_frequencies}, surfaces
        )
        document_frequency: dict[int, int] = {}
        postings: list[tuple[int, int, int]] = []
        for doc in documents:
            ids = array("l", sorted(term_ids[t] for t in doc.packed_frequencies))
            doc_cursor = connection.execute(
                "INSERT INTO sections (article_id, position, slug, heading, is_question, url,"
                " body, json, heading_length, title_length, body_length, term_ids, stream)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    doc.position,
                    doc.section.slug if doc.section else None,
                    doc.heading,
                    int(doc.is_question),
                    doc.url,
                    doc.body,
                    doc.section.model_dump_json() if doc.section else None,
                    doc.heading_length,
                    doc.title_length,
                    doc.body_length,
                    ids.tobytes(),
                    doc.stream,
                ),
            )
            doc_id = doc_cursor.lastrowid
            assert doc_id is not None
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
        connection.executemany(
            "INSERT INTO terms (term, df, surface) VALUES (?, 0, ?)",
            [(term, surfaces.get(term, term)) for term in missing],
        )
        ids.update(_term_ids_of(connection, missing))
        return ids

    def _delete(self, connection: sqlite3.Connection, article_id: int) -> None:
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

    def delete_article(self, slug: str) -> bool:
        with self._write() as connection:
            row = connection.execute("SELECT id FROM articles WHERE slug = ?", (slug,)).fetchone()
            if row is None:
                return False
            self._delete(connection, row[0])
            return True

    # -- reads -------------------------------------------------------------------------

    def _suggest(self, wanted: str, options: list[str]) -> list[str]:
        return closest(wanted, options, limit=3, cutoff=0.5)

    def get_article(self, slug: str) -> Article:
        with self._read() as connection:
            row = connection.execute("SELECT json FROM articles WHERE slug = ?", (slug,)).fetchone()
            if row is None:
                slugs = [r[0] for r in connection.execute("SELECT slug FROM articles")]
                raise ArticleNotFound(slug, self._suggest(slug, slugs))
        return Article.model_validate_json(row[0])

    def list_articles(self, *, limit: int, offset: int) -> ArticlePage:
        with self._read() as connection:
            total = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
            rows = connection.execute(
                "SELECT slug, title, language, section_count FROM articles"
                " ORDER BY title, slug LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        items = [
            ArticleSummary(
                slug=slug,
                title=title,
                language=language,
                section_count=count,
                url=article_url(slug),
            )
            for slug, title, language, count in rows
        ]
        return ArticlePage(items=items, total=total, limit=limit, offset=offset)

    def get_section(self, *, article_slug: str, section_slug: str) -> Section:
        with self._read() as connection:
            article = connection.execute(
                "SELECT id FROM articles WHERE slug = ?", (article_slug,)
            ).fetchone()
            if article is None:
                slugs = [r[0] for r in connection.execute("SELECT slug FROM articles")]
                raise ArticleNotFound(article_slug, self._suggest(article_slug, slugs))
            row = connection.execute(
                "SELECT json FROM sections WHERE article_id = ? AND slug = ?",
                (article[0], section_slug),
            ).fetchone()
            if row is None:
                suggestions = self._article_slug_suggestions(connection, article[0], section_slug)
                raise SectionNotFound(section_slug, article_slug, suggestions)
        return Section.model_validate_json(row[0])

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
            rows = connection.execute("SELECT source, slug, content_hash FROM articles").fetchall()
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
