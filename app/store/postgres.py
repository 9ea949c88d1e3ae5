"""The scale-out store: PostgreSQL, shared by any number of API processes and replicas.

The logic is the one every SQL store shares (app/store/sql.py); this module gives it
transactions: reads in REPEATABLE READ (every query of a search sees one state), writes
serialised across every process by a transaction-level advisory lock (what BEGIN IMMEDIATE
is to SQLite), so ids and generations grow in commit order, as the index views need.
The schema is created and migrated by the app itself, under a session-level advisory lock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from app.errors import ArticleQAError, StoreUnavailable
from app.fingerprint import index_fingerprint
from app.parsing.slugs import SlugMode
from app.store.sql import SQLStore, Transaction, chunks, read_generation

SCHEMA_VERSION = 4
# Advisory lock keys (any two numbers no other application on the database uses).
_WRITE_LOCK = 0x41515701
_MIGRATION_LOCK = 0x41515702
POOL_SIZE = 16
CONNECT_TIMEOUT_SECONDS = 10.0

# Text the API sorts or compares is in the "C" collation: byte order, as SQLite's BINARY,
# so both stores list and page articles in the same order.
_SCHEMA = """
CREATE TABLE meta (
    key TEXT COLLATE "C" PRIMARY KEY,
    value BIGINT NOT NULL
);
CREATE TABLE build (
    key TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE articles (
    id BIGINT PRIMARY KEY,
    slug TEXT COLLATE "C" NOT NULL UNIQUE,
    base_slug TEXT COLLATE "C" NOT NULL,
    source TEXT COLLATE "C" NOT NULL,
    origin TEXT COLLATE "C" NOT NULL,
    title TEXT COLLATE "C" NOT NULL,
    language TEXT COLLATE "C" NOT NULL,
    content_hash TEXT NOT NULL,
    section_count INTEGER NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    generation BIGINT NOT NULL,
    skeleton TEXT NOT NULL
);
CREATE INDEX articles_by_title ON articles (title, slug);
CREATE UNIQUE INDEX articles_by_source ON articles (origin, source);
CREATE INDEX articles_by_base_slug ON articles (base_slug);
CREATE INDEX articles_by_update ON articles (updated_at);
CREATE INDEX articles_by_generation ON articles (generation);
CREATE TABLE sections (
    id BIGINT PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    slug TEXT COLLATE "C",
    heading TEXT,
    is_question INTEGER NOT NULL,
    level INTEGER NOT NULL,
    parent_slug TEXT,
    word_count INTEGER NOT NULL,
    url TEXT COLLATE "C" NOT NULL,
    body TEXT NOT NULL,
    heading_length INTEGER NOT NULL,
    title_length INTEGER NOT NULL,
    body_length INTEGER NOT NULL,
    terms BYTEA NOT NULL,
    stream BYTEA NOT NULL,
    -- The body in Markdown where it differs from the plain body (NULL: the same text)
    markdown TEXT
);
CREATE INDEX sections_by_article ON sections (article_id, slug);
CREATE INDEX sections_by_slug ON sections (slug);
CREATE TABLE terms (
    id BIGINT PRIMARY KEY,
    term TEXT COLLATE "C" NOT NULL UNIQUE,
    surface TEXT NOT NULL
);
CREATE TABLE removed_documents (
    doc_id BIGINT PRIMARY KEY,
    generation BIGINT NOT NULL,
    terms BYTEA NOT NULL
);
CREATE INDEX removed_by_generation ON removed_documents (generation);
CREATE TABLE raw_sources (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    media_type TEXT NOT NULL,
    data BYTEA NOT NULL
);
CREATE TABLE retired_urls (
    path TEXT COLLATE "C" PRIMARY KEY,
    section_slug TEXT COLLATE "C",
    target TEXT COLLATE "C",
    retired_at TEXT NOT NULL
);
CREATE INDEX retired_by_section ON retired_urls (section_slug);
CREATE INDEX retired_by_target ON retired_urls (target);
CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    article_slug TEXT NOT NULL,
    previous_slug TEXT,
    source TEXT NOT NULL,
    origin TEXT NOT NULL,
    sections TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('generation', 0);
"""

_converted: dict[str, str] = {}


def _placeholders(sql: str) -> str:
    """The shared SQL's `?` placeholders as psycopg's `%s` (a literal % doubled)."""
    converted = _converted.get(sql)
    if converted is None:
        converted = sql.replace("%", "%%").replace("?", "%s")
        _converted[sql] = converted
    return converted


# PostgreSQL's TEXT cannot hold U+0000 (psycopg refuses to send it), where SQLite keeps it.
# Text is sent with U+FFFD in its place, as HTML parsers read a NUL (the parser never makes
# one; only an Article made by hand can hold one). No stored key (slug, source, URL) holds
# either, so a lookup with a NUL finds nothing, as on SQLite, instead of failing.
_NUL = "\x00"


def _storable(parameters: Sequence[Any]) -> tuple[Any, ...]:
    """The parameters with any NUL in a string replaced (see _NUL)."""
    return tuple(
        value.replace(_NUL, "\ufffd") if isinstance(value, str) and _NUL in value else value
        for value in parameters
    )


# An INSERT of one row of parameters: sent as one statement for many rows (executemany).
_INSERT_VALUES = re.compile(r"(INSERT INTO [^;]+ VALUES )(\(\?(?:, \?)*\))")
# The most parameters one statement may have (the protocol counts them in 16 bits).
_MAX_PARAMETERS = 65_535


class _Tx:
    """A transaction on one pooled connection (see sql.Transaction)."""

    __slots__ = ("_connection", "_generation", "changed")

    def __init__(self, connection: psycopg.Connection[Any], generation: int | None) -> None:
        self._connection = connection
        self._generation = generation
        self.changed = False

    @property
    def generation(self) -> int:
        if self._generation is None:
            self._generation = read_generation(self)
        return self._generation

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        cursor = self._connection.execute(_placeholders(sql), _storable(parameters))
        if cursor.rowcount > 0 and not sql.startswith("SELECT"):
            self.changed = True
        return cursor

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """`sql` once per row; a plain INSERT ... VALUES (?, ...) as one statement of many
        rows (each statement is a round trip to the server)."""
        batch = [_storable(row) for row in rows]
        if not batch:
            return
        match = _INSERT_VALUES.fullmatch(sql)
        if match is None:
            with self._connection.cursor() as cursor:
                cursor.executemany(_placeholders(sql), batch)
        else:
            head, row = _placeholders(match[1]), _placeholders(match[2])
            per_statement = max(1, _MAX_PARAMETERS // len(batch[0]))
            for chunk in chunks(batch, per_statement):
                values = ", ".join([row] * len(chunk))
                self._connection.execute(head + values, [value for r in chunk for value in r])
        self.changed = True


class PostgresStore(SQLStore):
    """`Store` on a PostgreSQL database (a postgresql:// URL)."""

    _fatal_errors = (*SQLStore._fatal_errors, psycopg.Error)

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE, slugs: SlugMode = "ascii") -> None:
        super().__init__()
        self.slugs = slugs
        self.url = url
        self.read_only = False
        self.damage: str | None = None
        self._write_lock = threading.Lock()
        # One plain connection first: a wrong URL or a server that is down fails at once with
        # the server's own words (a pool would retry quietly until its timeout).
        try:
            with psycopg.connect(
                url, autocommit=True, connect_timeout=int(CONNECT_TIMEOUT_SECONDS)
            ) as connection:
                _migrate(connection)
        except psycopg.Error as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            raise StoreUnavailable(
                f"Cannot open the store at {_redacted(url)}: {reason}"
            ) from error
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True},
            timeout=CONNECT_TIMEOUT_SECONDS,
            open=True,
            name="article-qa",
        )
        try:
            self._forget_hashes_of_other_builds()
        except BaseException:
            self._pool.close()
            raise

    def _forget_hashes_of_other_builds(self) -> None:
        """As in SQLiteStore: articles indexed by other code lose their content hash, so the
        next ingest parses and indexes them again."""
        current = index_fingerprint(self.slugs)
        with self._write() as tx:
            row = tx.execute("SELECT value FROM build WHERE key = 'fingerprint'").fetchone()
            if row is not None and row[0] == current:
                return
            tx.execute("UPDATE articles SET content_hash = ''")
            tx.execute(
                "INSERT INTO build (key, value) VALUES ('fingerprint', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (current,),
            )

    @contextmanager
    def _read(self, *, snapshot: bool = True) -> Iterator[Transaction]:
        try:
            with self._pool.connection() as connection:
                if not snapshot:  # one statement, in autocommit: one round trip
                    yield _Tx(connection, None)
                    return
                connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    yield _Tx(connection, None)
                finally:
                    connection.execute("COMMIT")
        # Any database error, not only a lost connection, as SQLiteStore does: the API then
        # answers 503 problem+json (a missing table, say), not a bare 500.
        except (psycopg.Error, PoolTimeout) as error:
            raise StoreUnavailable(f"The store cannot answer: {error}") from error

    @contextmanager
    def _write(self) -> Iterator[Transaction]:
        try:
            with self._write_lock, self._pool.connection() as connection:
                connection.execute("BEGIN")
                try:
                    connection.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
                    tx = _Tx(connection, read_generation(_Tx(connection, None)) + 1)
                    yield tx
                    self._before_commit(tx)
                    if tx.changed:
                        connection.execute(
                            "UPDATE meta SET value = %s WHERE key = 'generation'",
                            (tx.generation,),
                        )
                    connection.execute("COMMIT")
                    self._after_commit(tx)
                except BaseException:
                    if not connection.closed:
                        connection.execute("ROLLBACK")
                    raise
        except (psycopg.OperationalError, PoolTimeout) as error:
            raise StoreUnavailable(f"The store cannot answer: {error}") from error
        except psycopg.Error as error:
            if isinstance(error, ArticleQAError):
                raise
            raise StoreUnavailable(f"The store refused a write: {error}") from error

    def _after_restoring_changes(self, tx: Transaction) -> None:
        tx.execute(
            "SELECT setval(pg_get_serial_sequence('changes', 'seq'),"
            " (SELECT coalesce(max(seq), 0) + 1 FROM changes), false)"
        )

    def check_integrity(self, *, full: bool) -> str | None:  # noqa: ARG002
        """PostgreSQL checks its own pages (checksums, WAL replay): nothing to add here."""
        return self.damage

    def ping(self) -> None:
        try:
            with self._pool.connection(timeout=CONNECT_TIMEOUT_SECONDS) as connection:
                connection.execute("SELECT value FROM meta WHERE key = 'generation'")
        except (psycopg.Error, PoolTimeout) as error:
            raise StoreUnavailable(f"The store cannot answer: {error}") from error

    def close(self) -> None:
        with self._write_lock:
            self._pool.close()


def _migrate(connection: psycopg.Connection[Any]) -> None:
    """Create the schema, or check it is one this code understands; one process at a time."""
    connection.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
    try:
        exists = connection.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()
        if exists is not None and exists[0]:
            row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            found = int(row[0]) if row else 0
            if found > SCHEMA_VERSION:
                raise StoreUnavailable(
                    f"the store has schema version {found}, newer than this article-qa "
                    f"understands ({SCHEMA_VERSION}); upgrade article-qa"
                )
            if found == 3:
                # 3 -> 4: sections gain their Markdown ('' for the rows there are: read as
                # the Markdown of their plain text until the next sync parses them again)
                with connection.transaction():
                    connection.execute(
                        "ALTER TABLE sections ADD COLUMN IF NOT EXISTS markdown TEXT DEFAULT ''"
                    )
                    connection.execute("UPDATE meta SET value = 4 WHERE key = 'schema'")
                return
            if found < SCHEMA_VERSION:
                raise StoreUnavailable(
                    f"the store has schema version {found}, which this article-qa cannot migrate"
                )
            return
        with connection.transaction():
            for statement in _SCHEMA.split(";\n"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', %s)", (SCHEMA_VERSION,)
            )
    finally:
        connection.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return "the given PostgreSQL URL"
    user, host = info.get("user", ""), info.get("host", "localhost")
    return f"postgresql://{user}@{host}:{info.get('port', 5432)}/{info.get('dbname', '')}"
