"""Which of the server processes sharing one store syncs and watches the articles folder.

Several processes may serve one store: the workers of `serve --workers N`, or several `serve`
processes (replicas) on one SQLite file. Only one of them, the leader, should sync the folder
and watch it; the others serve the store as it is and try to take over every few seconds
(app/watch.py `LeaderWatcher`), so that a leader that dies is replaced.

`Leadership` is what a store kind provides for that: for a SQLite file, an exclusive `flock`
on a lock file beside it (`FileLeadership`); for PostgreSQL, a session-level advisory lock
(`AdvisoryLeadership`), shared by every replica on any machine. `leadership_for` picks it
from the settings.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.config import Settings

if TYPE_CHECKING:
    import psycopg

# Beside the store, named like SQLite's own -wal and -shm files (so `.gitignore` and
# `.dockerignore` patterns for those cover it too).
LOCK_SUFFIX = "-leader"
# The advisory lock key of a PostgreSQL store's leader (the store's own locks are others).
ADVISORY_KEY = 0x41515703

logger = logging.getLogger("app.leadership")


class Leadership(Protocol):
    """A lock that at most one process holds at a time, for as long as it lives.

    `try_acquire` never blocks: True when this process holds the lock (now or already).
    `release` gives it up (a no-op when not held); the death of the process must release it
    too, however it dies, so that another process can take over. Both may be called from any
    thread, though not at once (the caller serialises them).
    """

    @property
    def name(self) -> str:
        """What is locked, for log lines (a lock file path, an advisory lock key)."""
        ...

    @property
    def held(self) -> bool: ...

    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class FileLeadership:
    """An exclusive, non-blocking `flock` on `path`, held until `release` or the process's
    exit (the kernel drops it with the last open descriptor, even on kill -9).

    The file is never removed: a process that unlinked it could lock a fresh file while
    another still holds the old one. The holder writes its pid into it, for people (and
    tests) asking who leads. `flock` is shared by processes of one machine, containers on
    one bind mount included, not across network file systems (nor is SQLite's own locking).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._held = False
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def held(self) -> bool:
        return self._held

    def try_acquire(self) -> bool:
        """True once locked; OSError when the lock file cannot be opened (a read-only folder)."""
        with self._lock:
            if self._held:
                return True
            if self._fd is None:
                # Kept open between tries; not inherited by child processes (PEP 446), so a
                # child can never keep a dead leader's lock alive.
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            self._held = True
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, f"{os.getpid()}\n".encode(), 0)
            return True

    def release(self) -> None:
        with self._lock:
            if self._fd is None:
                return
            # Closing the descriptor drops the lock; the pid stays in the file, stale, until
            # the next leader writes its own.
            os.close(self._fd)
            self._fd = None
            self._held = False


class AlwaysLeader:
    """For a store no other process can share (SQLite `:memory:`): every process leads."""

    name = "a store of this process's own"

    def __init__(self) -> None:
        self._held = False

    @property
    def held(self) -> bool:
        return self._held

    def try_acquire(self) -> bool:
        self._held = True
        return True

    def release(self) -> None:
        self._held = False


class AdvisoryLeadership:
    """For a PostgreSQL store: a session-level advisory lock on a connection of its own,
    held open for as long as this process leads. The server drops the lock when the session
    ends, however the process dies (and when the connection is lost: a leader cut off from
    the database stops leading, see `held`)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"PostgreSQL advisory lock {ADVISORY_KEY:#x}"

    @property
    def held(self) -> bool:
        connection = self._connection
        return connection is not None and not connection.closed and not connection.broken

    def try_acquire(self) -> bool:
        """True once locked; OSError when the database cannot be reached."""
        with self._lock:
            if self.held:
                return True
            self._close()
            import psycopg  # only PostgreSQL stores pay for importing it

            try:
                connection = psycopg.connect(self._url, autocommit=True, connect_timeout=10)
            except psycopg.Error as error:
                raise OSError(f"cannot reach the store to lead: {error}") from error
            row = connection.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_KEY,)).fetchone()
            if row is None or not row[0]:
                connection.close()
                return False
            self._connection = connection
            return True

    def release(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        # Ending the session releases every advisory lock it held.
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def lock_path(db: Path) -> Path:
    """The lock file of the SQLite store at `db`: `<db>-leader`, beside it."""
    return db.with_name(db.name + LOCK_SUFFIX)


def leadership_for(settings: Settings) -> Leadership:
    """The leadership shared by every process serving the store `settings` name."""
    location = settings.db_location
    if location == ":memory:":
        return AlwaysLeader()
    if location.startswith(("postgresql://", "postgres://")):
        return AdvisoryLeadership(location)
    if "://" in location:
        return AlwaysLeader()  # open_store refuses other schemes before this matters
    return FileLeadership(lock_path(Path(location)))
