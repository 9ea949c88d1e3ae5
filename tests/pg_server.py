"""A real, throwaway PostgreSQL server for tests and benchmarks.

`PostgresServer.start()` runs a private cluster from the installed server binaries (Debian's
/usr/lib/postgresql/<version>/bin, or initdb on PATH) in a temp dir, on a free port of
127.0.0.1 plus a unix socket in that dir, tuned for speed over durability, and removes it all on
`stop()` (or at exit). PostgreSQL refuses to run as root, so under root the cluster runs as an
unprivileged user (`nobody`, ...). If ARTICLE_QA_TEST_POSTGRES_URL is set, that server is used
instead: its user must be allowed to create databases.

    with PostgresServer.start() as server, server.database() as url:
        ...  # url: postgresql://... of a fresh, empty UTF8 database with C collation
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Self
from urllib.parse import SplitResult, quote, urlsplit

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

URL_ENV = "ARTICLE_QA_TEST_POSTGRES_URL"
# A directory holding initdb and postgres, instead of the search (also: point it at a missing
# directory to see the tests skip)
BIN_ENV = "ARTICLE_QA_TEST_POSTGRES_BIN"
DEBIAN_ROOT = Path("/usr/lib/postgresql")
UNPRIVILEGED_USERS = ("nobody", "postgres", "daemon")
SUPERUSER = "postgres"
START_TIMEOUT = 60.0
DATABASE_PREFIX = "article_qa_test_"

# Throwaway data: durability buys nothing, and every fsync costs test time.
SETTINGS: Mapping[str, str] = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "'64MB'",
    "max_connections": "200",
    # JIT compiling a test-sized query costs more than it saves
    "jit": "off",
    "timezone": "'UTC'",
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL can be started here; the message says why."""


def find_postgres_bin(environ: Mapping[str, str] | None = None) -> Path | None:
    """The directory holding initdb and postgres: $ARTICLE_QA_TEST_POSTGRES_BIN when set, else
    the newest /usr/lib/postgresql/*/bin, else initdb's directory on PATH."""
    env = os.environ if environ is None else environ
    if BIN_ENV in env:
        candidates = [Path(env[BIN_ENV])]
    else:
        candidates = sorted(DEBIAN_ROOT.glob("*/bin"), key=_version, reverse=True)
        on_path = shutil.which("initdb", path=env.get("PATH", os.defpath))
        if on_path is not None:
            candidates.append(Path(on_path).resolve().parent)
    for candidate in candidates:
        if all(os.access(candidate / name, os.X_OK) for name in ("initdb", "postgres")):
            return candidate
    return None


def _version(bin_dir: Path) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in bin_dir.parent.name.split("."))
    except ValueError:
        return (-1,)


def unprivileged_user() -> pwd.struct_passwd | None:
    """The account a root process runs the server as."""
    for name in UNPRIVILEGED_USERS:
        with contextlib.suppress(KeyError):
            account = pwd.getpwnam(name)
            if account.pw_uid != 0:
                return account
    return None


def why_throwaway_unavailable(environ: Mapping[str, str] | None = None) -> str | None:
    """Why a throwaway server cannot be started here, or None when it can."""
    env = os.environ if environ is None else environ
    if find_postgres_bin(env) is None:
        where = env.get(BIN_ENV, f"{DEBIAN_ROOT}/*/bin or on PATH")
        return (
            f"no PostgreSQL server binaries in {where} (initdb, postgres): apt-get install "
            f"postgresql (.ci/run does), or set {URL_ENV} to a server's postgresql:// URL"
        )
    if os.geteuid() == 0 and unprivileged_user() is None:
        return (
            "running as root, and PostgreSQL refuses root, but none of the users "
            f"{', '.join(UNPRIVILEGED_USERS)} exists to run it as"
        )
    return None


def why_postgres_unavailable(environ: Mapping[str, str] | None = None) -> str | None:
    """Why `PostgresServer.start()` cannot work here (for a skip message), or None when it can.
    An external server's URL counts as available: if it is wrong, that is an error."""
    env = os.environ if environ is None else environ
    if env.get(URL_ENV, "").strip():
        return None
    return why_throwaway_unavailable(env)


@dataclass
class _Cluster:
    root: Path
    process: subprocess.Popen[bytes]
    log: IO[bytes]


class PostgresServer:
    """A PostgreSQL server to create throwaway databases on: a private cluster this object
    started (and stops), or an external server (where it drops only the databases it made)."""

    def __init__(self, admin_url: str, *, cluster: _Cluster | None = None) -> None:
        parts = urlsplit(admin_url)
        # libpq also takes URLs without a host (its default socket, or ?host=/socket/dir)
        if parts.scheme not in ("postgresql", "postgres"):
            raise ValueError(f"not a postgresql://user@host:port/dbname URL: {admin_url!r}")
        if parts.path in ("", "/"):
            # libpq's default database is the user's name, which often does not exist
            parts = parts._replace(path="/postgres")
        self._parts = parts
        self._cluster = cluster
        self._created: set[str] = set()
        self._lock = threading.Lock()
        self._stopped = False
        atexit.register(self.stop)

    @classmethod
    def start(
        cls, environ: Mapping[str, str] | None = None, *, timeout: float = START_TIMEOUT
    ) -> PostgresServer:
        """The server at $ARTICLE_QA_TEST_POSTGRES_URL if set, else a new throwaway one."""
        env = os.environ if environ is None else environ
        external = env.get(URL_ENV, "").strip()
        if external:
            return cls(external)
        return cls.throwaway(env, timeout=timeout)

    @classmethod
    def throwaway(
        cls, environ: Mapping[str, str] | None = None, *, timeout: float = START_TIMEOUT
    ) -> PostgresServer:
        """Start a private cluster (raises PostgresUnavailable when none can run here)."""
        reason = why_throwaway_unavailable(environ)
        if reason is not None:
            raise PostgresUnavailable(reason)
        bin_dir = find_postgres_bin(environ)
        assert bin_dir is not None
        account = unprivileged_user() if os.geteuid() == 0 else None
        cluster, port = _start_cluster(bin_dir, account, timeout)
        return cls(f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres", cluster=cluster)

    @property
    def admin_url(self) -> str:
        """The URL of the database CREATE/DROP DATABASE run from (tests should use their own)."""
        return _unsplit(self._parts)

    @property
    def external(self) -> bool:
        return self._cluster is None

    @property
    def data_dir(self) -> Path | None:
        """The private cluster's data directory (None for an external server)."""
        return None if self._cluster is None else self._cluster.root / "data"

    @property
    def socket_dir(self) -> Path | None:
        """The directory of the private cluster's unix socket (libpq's host=)."""
        return None if self._cluster is None else self._cluster.root

    @property
    def pid(self) -> int | None:
        """The private cluster's postmaster process id."""
        return None if self._cluster is None else self._cluster.process.pid

    def url(self, dbname: str) -> str:
        """The URL of database `dbname` on this server."""
        return _unsplit(self._parts._replace(path="/" + quote(dbname, safe="")))

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (UTF8, C collation and ctype) and return its name: `name`,
        or a fresh unique one. Get its URL with `url(name)`; drop it with `drop_database`."""
        name = name or f"{DATABASE_PREFIX}{uuid.uuid4().hex[:16]}"
        statement = sql.SQL(
            "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        ).format(sql.Identifier(name))
        with self._admin() as connection:
            connection.execute(statement)
        with self._lock:
            self._created.add(name)
        return name

    def drop_database(self, name: str) -> None:
        """Drop database `name` (if it exists), disconnecting anyone still connected to it."""
        with self._admin() as connection:
            # A leaked connection (a pool not closed by a failing test) must not block the drop.
            if connection.info.server_version >= 130000:
                template = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
            else:
                connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )
                template = "DROP DATABASE IF EXISTS {}"
            connection.execute(sql.SQL(template).format(sql.Identifier(name)))
        with self._lock:
            self._created.discard(name)

    @contextlib.contextmanager
    def database(self) -> Iterator[str]:
        """A fresh, empty database's URL, dropped when the block ends."""
        name = self.create_database()
        try:
            yield self.url(name)
        finally:
            self.drop_database(name)

    def stop(self) -> None:
        """Stop the private cluster and delete its files; on an external server, drop the
        databases made here and not dropped yet. Safe to call twice."""
        if self._stopped:
            return
        atexit.unregister(self.stop)
        try:
            if self._cluster is None:
                with self._lock:
                    leftovers = sorted(self._created)
                for name in leftovers:
                    self.drop_database(name)
            else:
                _stop_cluster(self._cluster)
        finally:
            self._stopped = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = "external" if self._cluster is None else f"pid {self.pid}"
        address = self._parts.netloc.rpartition("@")[2] or self._parts.query or "libpq default"
        return f"<PostgresServer {address} ({where})>"

    @contextlib.contextmanager
    def _admin(self) -> Iterator[psycopg.Connection[TupleRow]]:
        if self._stopped:
            raise RuntimeError(f"{self!r} is stopped")
        # CREATE/DROP DATABASE cannot run inside a transaction block
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as connection:
            yield connection


def _start_cluster(
    bin_dir: Path, account: pwd.struct_passwd | None, timeout: float
) -> tuple[_Cluster, int]:
    """initdb and start a cluster in a new temp dir, as `account` (None: as this process)."""
    root = Path(tempfile.mkdtemp(prefix="article-qa-pg-", dir=_base_dir(account)))
    try:
        if account is not None:
            os.chown(root, account.pw_uid, account.pw_gid)
        runner = _Runner(root, account)
        runner.run(
            [
                str(bin_dir / "initdb"),
                f"--pgdata={root / 'data'}",
                f"--username={SUPERUSER}",
                "--encoding=UTF8",
                "--locale=C",
                "--auth=trust",
                "--no-sync",
            ]
        )
        with (root / "data" / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# tests/pg_server.py\n")
            for name, value in {**SETTINGS, "unix_socket_directories": _quoted(root)}.items():
                conf.write(f"{name} = {value}\n")
        # Another process can take the free port before the server binds it: try a new one.
        for attempt in range(5):
            port = _free_port()
            cluster = runner.start_postgres(bin_dir, port)
            try:
                _wait_until_ready(cluster, port, timeout)
            except _PortTaken:
                cluster.log.close()
                if attempt == 4:
                    raise
                continue
            except BaseException:
                _stop_cluster(cluster, remove=False)
                raise
            return cluster, port
        raise AssertionError("unreachable")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


class _PortTaken(RuntimeError):
    pass


class _Runner:
    """Runs the server's programs in `root`, as `account` when given, with a clean environment
    (no PG* variables, nor a HOME it cannot read)."""

    def __init__(self, root: Path, account: pwd.struct_passwd | None) -> None:
        self.root = root
        self.account = account
        self.env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(root),
            "LC_ALL": "C",
            "TZ": "UTC",
        }

    def run(self, args: list[str]) -> None:
        done = subprocess.run(
            args,
            cwd=self.root,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            user=self._uid(),
            group=self._gid(),
            extra_groups=self._groups(),
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{args[0]} failed with {done.returncode}:\n{done.stdout}{done.stderr}"
            )

    def start_postgres(self, bin_dir: Path, port: int) -> _Cluster:
        log = (self.root / f"server-{port}.log").open("wb")
        try:
            process = subprocess.Popen(
                [str(bin_dir / "postgres"), "-D", str(self.root / "data"), "-p", str(port)],
                cwd=self.root,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=self._uid(),
                group=self._gid(),
                extra_groups=self._groups(),
                # Not in the terminal's process group: Ctrl-C reaches the tests, and the
                # server stops when they clean up, not under their feet.
                start_new_session=True,
            )
        except BaseException:
            log.close()
            raise
        return _Cluster(self.root, process, log)

    def _uid(self) -> int | None:
        return None if self.account is None else self.account.pw_uid

    def _gid(self) -> int | None:
        return None if self.account is None else self.account.pw_gid

    def _groups(self) -> list[int] | None:
        # Drop root's supplementary groups along with its uid
        return None if self.account is None else []


def _wait_until_ready(cluster: _Cluster, port: int, timeout: float) -> None:
    """Until the server accepts connections on its own socket (a server of someone else's on
    the same TCP port cannot fool this)."""
    deadline = time.monotonic() + timeout
    while True:
        if cluster.process.poll() is not None:
            log = _log_tail(cluster)
            if "could not bind" in log or "could not create any TCP/IP sockets" in log:
                raise _PortTaken(log)
            raise RuntimeError(
                f"postgres exited with {cluster.process.returncode} while starting:\n{log}"
            )
        try:
            with psycopg.connect(
                host=str(cluster.root),
                port=port,
                user=SUPERUSER,
                dbname="postgres",
                connect_timeout=5,
            ):
                return
        except psycopg.OperationalError as error:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"postgres did not accept connections within {timeout}s ({error}):\n"
                    + _log_tail(cluster)
                ) from error
        time.sleep(0.05)


def _stop_cluster(cluster: _Cluster, *, remove: bool = True) -> None:
    # SIGINT is PostgreSQL's fast shutdown, what `pg_ctl stop -m fast` sends (pg_ctl itself
    # would have to run as the cluster's user).
    if cluster.process.poll() is None:
        cluster.process.send_signal(signal.SIGINT)
        try:
            cluster.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            cluster.process.kill()
            cluster.process.wait()
    cluster.log.close()
    if remove:
        shutil.rmtree(cluster.root, ignore_errors=True)


def _log_tail(cluster: _Cluster, size: int = 4000) -> str:
    cluster.log.flush()
    with contextlib.suppress(OSError):
        text = Path(cluster.log.name).read_bytes()[-size:]
        return text.decode(errors="replace")
    return "(no server log)"


def _base_dir(account: pwd.struct_passwd | None) -> str | None:
    """Where to make the temp dir: the usual temp dir, unless `account` cannot reach it (a
    TMPDIR under /root), then /tmp."""
    usual = Path(tempfile.gettempdir())
    if account is None or _traversable(usual, account):
        return None
    return "/tmp"


def _traversable(path: Path, account: pwd.struct_passwd) -> bool:
    for directory in (path, *path.parents):
        info = directory.stat()
        if info.st_uid == account.pw_uid:
            bit = stat.S_IXUSR
        elif info.st_gid == account.pw_gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return False
    return True


def _unsplit(parts: SplitResult) -> str:
    # urlunsplit would drop the "//" of a URL without a host, which libpq then cannot parse
    url = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return url + (f"?{parts.query}" if parts.query else "")


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
