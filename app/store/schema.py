"""The SQLite store's tables, its schema version, and the migrations from older versions.

A new store is created at the current version; an older one is migrated forward, in one
transaction, the first time this code opens it. A store written by a newer article-qa is
refused rather than guessed at.

Version 3 keeps each body once and the index as one term list per document (the in-memory
views build their postings from it): stores of versions 1 and 2 are brought to version 2
by SQL, then their articles are read out and written again in the version 3 layout.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import StoreUnavailable
from app.store.history import utc_now

SCHEMA_VERSION = 4

_META = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
-- Which code wrote the store (app/fingerprint.py).
CREATE TABLE IF NOT EXISTS build (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# Version 1: articles, sections and the inverted index.
_VERSION_1 = """
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    language TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    section_count INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX articles_by_title ON articles (title, slug);
CREATE INDEX articles_by_source ON articles (source);
-- One row per searchable document: position 0 is the article's lead (slug NULL).
CREATE TABLE sections (
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
CREATE INDEX sections_by_slug ON sections (slug);
CREATE TABLE terms (
    id INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE,
    df INTEGER NOT NULL,
    surface TEXT NOT NULL
);
CREATE TABLE postings (
    term_id INTEGER NOT NULL,
    doc_id INTEGER NOT NULL,
    tf INTEGER NOT NULL,
    PRIMARY KEY (term_id, doc_id)
) WITHOUT ROWID;
"""

# Version 2: sources identified by origin and path, slugs shared by titles, timestamps,
# the raw bytes of articles written over HTTP, retired URLs and the change feed.
_VERSION_2 = """
ALTER TABLE articles ADD COLUMN base_slug TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN origin TEXT NOT NULL DEFAULT 'file';
ALTER TABLE articles ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
UPDATE articles SET base_slug = slug, created_at = :now, updated_at = :now;
DROP INDEX articles_by_source;
CREATE UNIQUE INDEX articles_by_source ON articles (origin, source);
CREATE INDEX articles_by_base_slug ON articles (base_slug);
CREATE INDEX articles_by_update ON articles (updated_at);
CREATE TABLE raw_sources (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    media_type TEXT NOT NULL,
    data BLOB NOT NULL
);
-- URLs once served and no longer: moved to `target` (301) or gone (410, target NULL).
CREATE TABLE retired_urls (
    path TEXT PRIMARY KEY,
    section_slug TEXT,
    target TEXT,
    retired_at TEXT NOT NULL
);
CREATE INDEX retired_by_section ON retired_urls (section_slug);
CREATE INDEX retired_by_target ON retired_urls (target);
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    article_slug TEXT NOT NULL,
    previous_slug TEXT,
    source TEXT NOT NULL,
    origin TEXT NOT NULL,
    sections TEXT NOT NULL
);
-- The articles a store already held start the feed, as created.
INSERT INTO changes (at, kind, article_slug, source, origin, sections)
SELECT :now, 'created', slug, source, origin,
       '{"added": [], "changed": [], "removed": []}'
FROM articles ORDER BY id;
"""

_MIGRATIONS: dict[int, str] = {1: _VERSION_1, 2: _VERSION_2}

# Version 3, as a new store is created: each body once (sections), the article's other
# fields as a skeleton, one term list per document, and the log of removed documents that
# index views in other processes read their deltas from.
VERSION_3 = """
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    base_slug TEXT NOT NULL,
    source TEXT NOT NULL,
    origin TEXT NOT NULL,
    title TEXT NOT NULL,
    language TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    section_count INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    generation INTEGER NOT NULL,
    skeleton TEXT NOT NULL
);
CREATE INDEX articles_by_title ON articles (title, slug);
CREATE UNIQUE INDEX articles_by_source ON articles (origin, source);
CREATE INDEX articles_by_base_slug ON articles (base_slug);
CREATE INDEX articles_by_update ON articles (updated_at);
CREATE INDEX articles_by_generation ON articles (generation);
-- One row per searchable document: position 0 is the article's lead (slug NULL).
CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    slug TEXT,
    heading TEXT,
    is_question INTEGER NOT NULL,
    level INTEGER NOT NULL,
    parent_slug TEXT,
    word_count INTEGER NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    heading_length INTEGER NOT NULL,
    title_length INTEGER NOT NULL,
    body_length INTEGER NOT NULL,
    terms BLOB NOT NULL,
    stream BLOB NOT NULL
);
CREATE INDEX sections_by_article ON sections (article_id, slug);
CREATE INDEX sections_by_slug ON sections (slug);
CREATE TABLE terms (
    id INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE,
    surface TEXT NOT NULL
);
CREATE TABLE removed_documents (
    doc_id INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL,
    terms BLOB NOT NULL
);
CREATE INDEX removed_by_generation ON removed_documents (generation);
CREATE TABLE raw_sources (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    media_type TEXT NOT NULL,
    data BLOB NOT NULL
)
"""

# Version 4: a section's body in Markdown, where it differs from the plain body (NULL:
# the same text). Rows written before it hold '' (unknown): they read the Markdown of their
# plain text until the next sync parses them again (the parser's fingerprint changed).
VERSION_4 = """
ALTER TABLE sections ADD COLUMN markdown TEXT DEFAULT ''
"""

# Version 2's tables that version 3 replaces (the history tables stay as they are).
_REPLACED_BY_3 = ("raw_sources", "postings", "terms", "sections", "articles")
_HISTORY = """
CREATE TABLE IF NOT EXISTS retired_urls (
    path TEXT PRIMARY KEY,
    section_slug TEXT,
    target TEXT,
    retired_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS retired_by_section ON retired_urls (section_slug);
CREATE INDEX IF NOT EXISTS retired_by_target ON retired_urls (target);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    article_slug TEXT NOT NULL,
    previous_slug TEXT,
    source TEXT NOT NULL,
    origin TEXT NOT NULL,
    sections TEXT NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class OldArticle:
    """A version 2 article, read out to be written again in the version 3 layout."""

    article_json: str
    slug: str
    base_slug: str
    created_at: str
    updated_at: str
    raw_media_type: str | None
    raw_data: bytes | None


# Writes one old article in the current layout, inside the migration's transaction.
Rewrite = Callable[[sqlite3.Connection, OldArticle], Any]


def _read_version_2(connection: sqlite3.Connection) -> list[OldArticle]:
    rows = connection.execute(
        "SELECT a.json, a.slug, a.base_slug, a.created_at, a.updated_at, r.media_type, r.data"
        " FROM articles a LEFT JOIN raw_sources r ON r.article_id = a.id ORDER BY a.id"
    ).fetchall()
    return [
        OldArticle(
            row[0], row[1], row[2], row[3], row[4], row[5], bytes(row[6]) if row[6] else None
        )
        for row in rows
    ]


def _to_version_3(connection: sqlite3.Connection, rewrite: Rewrite | None) -> None:
    old = _read_version_2(connection)
    for table in _REPLACED_BY_3:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    _run(connection, VERSION_3, "")
    _run(connection, _HISTORY, "")
    _run(connection, VERSION_4, "")  # the rows below are written in the current layout
    if old and rewrite is None:
        raise StoreUnavailable("this store must be migrated by a process that can write it")
    for article in old:
        assert rewrite is not None
        rewrite(connection, article)


def _version(connection: sqlite3.Connection) -> int:
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if exists is None:
        return 0
    row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    return int(row[0]) if row else 0


def _run(connection: sqlite3.Connection, script: str, now: str) -> None:
    """Statements one by one: executescript would commit the open transaction."""
    for statement in script.split(";\n"):
        if statement.strip() and not _only_comments(statement):
            connection.execute(statement, {"now": now} if ":now" in statement else {})


def _only_comments(statement: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in statement.split("\n"))


def migrate(
    connection: sqlite3.Connection,
    *,
    on_migrate: Callable[[int], None] | None = None,
    rewrite: Rewrite | None = None,
) -> int:
    """Bring the store to SCHEMA_VERSION; return the version it had before (0: new)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        found = _version(connection)
        if found > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"the store has schema version {found}, newer than this article-qa "
                f"understands ({SCHEMA_VERSION}); upgrade article-qa"
            )
        if found < SCHEMA_VERSION:
            now = utc_now()
            _run(connection, _META, now)
            if found == 0:
                _run(connection, VERSION_3, now)
                _run(connection, _HISTORY, now)
                _run(connection, VERSION_4, now)
            elif found == 3:
                _run(connection, VERSION_4, now)
            else:
                for version in range(found + 1, 3):
                    _run(connection, _MIGRATIONS[version], now)
                    if on_migrate is not None:
                        on_migrate(version)
                _to_version_3(connection, rewrite)
            if on_migrate is not None:
                on_migrate(SCHEMA_VERSION)
            connection.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,)
            )
            connection.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', 0)")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return found
