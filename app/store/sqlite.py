"""The embedded store: one SQLite file (WAL), with the logic every SQL store shares
(app/store/sql.py).

Writers take SQLite's write lock (BEGIN IMMEDIATE), so writes from every thread and process
are serialised; readers in WAL mode never wait for them.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

from app.errors import (
    ArticleQAError,
    StoreDamaged,
    StoreReadOnly,
    StoreUnavailable,
)
from app.fingerprint import index_fingerprint
from app.models import Article
from app.parsing.slugs import SlugMode
from app.search.documents import search_documents
from app.store.schema import SCHEMA_VERSION, OldArticle, migrate
from app.store.sql import SQLStore, Transaction, read_generation

# The write-ahead log is emptied once it passes this size (see _bound_wal).
WAL_LIMIT_BYTES = 64 << 20
CHECKPOINT_WAIT_MS = 1000
BUSY_TIMEOUT_MS = 30_000
PAGE_BYTES = 16384
CLOSE_WAIT_SECONDS = 10.0


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


class _Tx:
    """A transaction on one of the store's connections (see sql.Transaction)."""

    __slots__ = ("_connection", "_generation")

    def __init__(self, connection: sqlite3.Connection, generation: int | None) -> None:
        self._connection = connection
        self._generation = generation

    @property
    def generation(self) -> int:
        if self._generation is None:  # a read: asked for only by the engine and slug indexes
            self._generation = read_generation(self)
        return self._generation

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._connection.execute(sql, parameters)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._connection.executemany(sql, rows)


class SQLiteStore(SQLStore):
    """`Store` on one SQLite file; ':memory:' gives a private in-memory database."""

    _fatal_errors = (*SQLStore._fatal_errors, sqlite3.Error)

    def __init__(
        self, path: Path, *, wal_limit_bytes: int = WAL_LIMIT_BYTES, slugs: SlugMode = "ascii"
    ) -> None:
        super().__init__()
        self.slugs = slugs
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
        self._reading = 0  # read transactions in progress (see close)
        self._idle = threading.Condition(self._connections_lock)
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
                    migrate(connection, rewrite=self._rewrite_old)
                    self._forget_hashes_of_other_builds(connection)
        except sqlite3.DatabaseError as error:
            if _is_corruption(error):
                raise StoreDamaged(f"{path}: {error}") from error
            raise StoreUnavailable(f"Cannot open the store at {path}: {error}") from error
        self.check_integrity(full=False)

    def _forget_hashes_of_other_builds(self, connection: sqlite3.Connection) -> None:
        """Articles parsed and indexed by other code keep answering, but lose their content
        hash, so the next ingest of their files re-parses and re-indexes them."""
        current = index_fingerprint(self.slugs)
        row = connection.execute("SELECT value FROM build WHERE key = 'fingerprint'").fetchone()
        if row is not None and row[0] == current:
            return
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE articles SET content_hash = ''")
        connection.execute(
            "INSERT INTO build (key, value) VALUES ('fingerprint', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (current,),
        )
        connection.execute("COMMIT")

    def _rewrite_old(self, connection: sqlite3.Connection, old: OldArticle) -> None:
        """Write one article of a version 2 store again, as it was (slug, history, bytes)."""
        article = Article.model_validate_json(old.article_json)
        tx = _Tx(connection, read_generation(_Tx(connection, 0)) + 1)
        self._insert(
            tx, article, search_documents(article), old.base_slug, old.created_at, old.updated_at
        )
        if old.raw_data is not None and old.raw_media_type is not None:
            tx.execute(
                "INSERT INTO raw_sources (article_id, media_type, data)"
                " SELECT id, ?, ? FROM articles WHERE slug = ?",
                (old.raw_media_type, old.raw_data, article.slug),
            )

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
        # A new file only (the size of an existing one is fixed): a section row is about
        # 2 KB, and 4 KB pages hold one or two of them, leaving a third of the file empty.
        connection.execute(f"PRAGMA page_size = {PAGE_BYTES}")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not self._memory and not self.read_only:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
        self._local.connection = connection
        with self._connections_lock:
            self._connections.append(connection)
        return connection

    @contextmanager
    def _read(self, *, snapshot: bool = True) -> Iterator[Transaction]:  # noqa: ARG002
        """A read transaction: every query inside sees the same committed state (cheap in
        SQLite, so taken even for a single statement)."""
        if self.damage is not None:
            raise StoreDamaged(self.damage)
        connection = self._connection()
        with self._connections_lock:
            if self._closed:
                raise StoreUnavailable("The store is closed.")
            self._reading += 1
        try:
            connection.execute("BEGIN")
            try:
                yield _Tx(connection, None)
            finally:
                connection.execute("COMMIT")
        except sqlite3.Error as error:
            raise self._failure(error) from error
        finally:
            with self._connections_lock:
                self._reading -= 1
                self._idle.notify_all()

    @contextmanager
    def _write(self) -> Iterator[Transaction]:
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
                tx = _Tx(connection, None)
                tx = _Tx(connection, tx.generation + 1)
                yield tx
                self._before_commit(tx)
                if connection.total_changes != changes_before:
                    connection.execute(
                        "UPDATE meta SET value = ? WHERE key = 'generation'", (tx.generation,)
                    )
                connection.execute("COMMIT")
                self._after_commit(tx)
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
        # interrupted (and closes its own connection), reads in progress (a search, the index
        # read at start-up) are interrupted and waited for, and so is a write in progress (a
        # watcher that did not stop in time).
        with self._connections_lock:
            self._closed = True
            for checker in self._checkers:
                checker.interrupt()
            for connection in self._connections:
                if connection.in_transaction:
                    connection.interrupt()
            self._idle.wait_for(lambda: self._reading == 0, timeout=CLOSE_WAIT_SECONDS)
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
