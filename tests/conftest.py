"""Shared fixtures: a temp data dir holding the seed article, real settings, a real app."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api import create_app
from app.config import Settings
from app.store.sql import SQLStore

if TYPE_CHECKING:
    from tests.pg_server import PostgresServer

REPO = Path(__file__).resolve().parent.parent
SEED_FILE = REPO / "data" / "articles" / "raisi-visit-pakistan.txt"
SEED_SLUG = "why-is-irans-president-ebrahim-raisi-visiting-pakistan-in-2024"
SEED_SECTIONS = (
    "whats-the-ebrahim-raisi-agenda-of-the-trip",
    "whats-the-status-of-iran-pakistan-ties",
    "why-is-the-pakistan-iran-relationship-vital",
    "how-has-pakistan-responded-to-iran-israel-tensions",
)
# A second article sharing one section slug with the seed, for the ambiguous-slug paths.
TWIN_FILE_NAME = "iran-pakistan-primer.md"
TWIN_SLUG = "iran-and-pakistan-a-primer"
TWIN_TEXT = """# Iran and Pakistan: a primer

A short explainer on two neighbours and the border they share.

## What's the status of Iran-Pakistan ties?

Ties are recovering after the border strikes of January, with trade talks resumed.

## Where do the two countries meet?

They share a border of about 900 kilometres through Balochistan and Sistan.
"""


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a temp data dir, independent of any ARTICLE_QA_* in the environment."""
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": 8000,
        "data_dir": data_dir,
        "db": None,
        "log_level": "warning",
        "ingest_on_start": True,
        # No watcher thread in in-process tests unless a test asks for one
        "watch": False,
        "cache_max_age": 60,
        **overrides,
    }
    return Settings.model_validate(values)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir whose articles/ holds a copy of the seed article."""
    articles = tmp_path / "data" / "articles"
    articles.mkdir(parents=True)
    shutil.copy(SEED_FILE, articles / SEED_FILE.name)
    return tmp_path / "data"


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return make_settings(data_dir)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The real app on a real SQLite store, seeded by the lifespan's folder sync."""
    with ready_client(settings) as test_client:
        yield test_client


@pytest.fixture
def twin_client(data_dir: Path) -> Iterator[TestClient]:
    """Like `client`, with a second article that shares a section slug with the seed."""
    (data_dir / "articles" / TWIN_FILE_NAME).write_text(TWIN_TEXT, encoding="utf-8")
    with ready_client(make_settings(data_dir)) as test_client:
        yield test_client


@contextlib.contextmanager
def ready_client(
    target: Settings | FastAPI, *, raise_server_exceptions: bool = True, timeout: float = 30
) -> Iterator[TestClient]:
    """A TestClient on `target` (settings, or an app) once /readyz answers 200: the lifespan
    syncs the articles folder in a background thread, and the tests expect its content."""
    app = target if isinstance(target, FastAPI) else create_app(target)
    with TestClient(app, raise_server_exceptions=raise_server_exceptions) as test_client:
        deadline = time.monotonic() + timeout
        while (response := test_client.get("/readyz")).status_code != 200:
            if time.monotonic() > deadline:
                raise TimeoutError(f"/readyz answered {response.status_code} for {timeout}s")
            time.sleep(0.01)
        yield test_client


def seeded_data_dir(root: Path) -> Path:
    """`root/data`, whose articles/ holds the seed and whose store already holds it (an app
    on it needs no sync at start)."""
    from app.ingest import sync_folder
    from app.store import open_store

    data_dir = root / "data"
    (data_dir / "articles").mkdir(parents=True)
    shutil.copy(SEED_FILE, data_dir / "articles" / SEED_FILE.name)
    store = open_store(data_dir / "article-qa.db")
    try:
        sync_folder(store=store, folder=data_dir / "articles")
    finally:
        store.close()
    return data_dir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Poll `url` until it answers 200; fail early if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer 200 within {timeout}s")


@contextlib.contextmanager
def running_server(
    args: Sequence[str],
    *,
    port: int,
    ready_path: str = "/readyz",
    cwd: Path = REPO,
    prefix: Sequence[str] = (),
    output_to: list[str] | None = None,
) -> Iterator[str]:
    """Run `python <args>` (a real server listening on `port`); yield its base URL.

    Output goes to a temp file, not a pipe, so a chatty server can never block on a full pipe;
    it is printed if the server fails to start, to explain why, and appended to `output_to`
    when given. `prefix` goes before the interpreter (e.g. setpriv, to run as another user).
    """
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [*prefix, sys.executable, *args],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            try:
                wait_until_ready(base_url + ready_path, process)
            except (RuntimeError, TimeoutError):
                output.seek(0)
                sys.stderr.write(output.read().decode(errors="replace"))
                raise
            yield base_url
        finally:
            if output_to is not None:
                output.seek(0)
                output_to.append(output.read().decode(errors="replace"))
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def serving_seed(root: Path) -> Iterator[str]:
    """`python -m app serve` on a free port, on a fresh data dir under `root` holding only the
    seed in articles/ (so serve must build the index itself); yields the base URL."""
    data_dir = root / "data"
    (data_dir / "articles").mkdir(parents=True)
    (data_dir / "articles" / SEED_FILE.name).write_bytes(SEED_FILE.read_bytes())
    port = free_port()
    args = ["-m", "app", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    with running_server([*args, "--log-level", "warning"], port=port) as base_url:
        yield base_url


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET with the standard library: (status, headers lower-cased, body), errors included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, _lower(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, _lower(error.headers.items()), error.read()


def _lower(items: Sequence[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in items}


# PostgreSQL (tests/pg_server.py): one server per session, started only when a test asks for
# it; imported lazily so that runs without such tests do not pay for psycopg.
def skip_or_fail_without_postgres(reason: str | None) -> None:
    """Skip (no PostgreSQL here) or fail (REQUIRE_POSTGRES=1) when `reason` says why not."""
    if reason is None:
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(reason)  # CI sets REQUIRE_POSTGRES: there a skip would hide a failure
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server, or the one at $ARTICLE_QA_TEST_POSTGRES_URL."""
    from tests.pg_server import PostgresServer, why_postgres_unavailable

    skip_or_fail_without_postgres(why_postgres_unavailable())
    with PostgresServer.start() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The postgresql:// URL of a fresh, empty database (UTF8, C collation), dropped after."""
    with postgres_server.database() as url:
        yield url


# Both backends (app/store/sqlite.py, app/store/postgres.py) share one behaviour: a test of
# that behaviour takes `any_store` (or `store_factory`, for several stores or databases) and
# runs once per backend. Tests of what only SQLite has (WAL, files, old schemas) do not.
BACKENDS = ("sqlite", "postgres")


class StoreFactory:
    """Stores of one backend for one test (or module). `location` is the test's own store,
    empty at first; `new_location()` gives another empty one. Every store opened here is
    closed at the end, before the databases made here are dropped (a pool still open
    would hold connections to them)."""

    def __init__(self, backend: str, request: pytest.FixtureRequest, folder: Path) -> None:
        self.backend = backend
        self._request = request
        self._folder = folder
        self._opened: list[SQLStore] = []
        self._databases: list[str] = []
        self._files = 0
        self.location = self.new_location()

    def new_location(self) -> str:
        """An empty store's location: a SQLite file path, or a fresh database's URL."""
        if self.backend == "sqlite":
            self._files += 1
            return str(self._folder / f"store-{self._files}.db")
        name = self._server().create_database()
        self._databases.append(name)
        return self._server().url(name)

    def open(self, location: str | None = None) -> SQLStore:
        """A store at `location` (the test's own by default), as the app opens one."""
        from app.store import open_store

        store = open_store(location or self.location)
        assert isinstance(store, SQLStore)
        self._opened.append(store)
        return store

    def execute(self, statement: str, location: str | None = None) -> None:
        """Run one SQL statement on the store behind the app's back (another program)."""
        target = location or self.location
        if self.backend == "sqlite":
            with contextlib.closing(sqlite3.connect(target)) as connection, connection:
                connection.execute(statement)
            return
        import psycopg

        with psycopg.connect(target, autocommit=True) as session:
            session.execute(statement.encode())

    def close(self) -> None:
        for store in self._opened:
            store.close()
        self._opened.clear()
        for name in self._databases:
            self._server().drop_database(name)
        self._databases.clear()

    def _server(self) -> PostgresServer:
        server: PostgresServer = self._request.getfixturevalue("postgres_server")
        return server


@contextlib.contextmanager
def store_factory_for(
    backend: str, request: pytest.FixtureRequest, folder: Path
) -> Iterator[StoreFactory]:
    factory = StoreFactory(backend, request, folder)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn (the postgres run skips, or fails, as `postgres_server` does)."""
    backend: str = request.param
    return backend


@pytest.fixture
def store_factory(
    store_backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[StoreFactory]:
    with store_factory_for(store_backend, request, tmp_path) as factory:
        yield factory


@pytest.fixture
def any_store(store_factory: StoreFactory) -> SQLStore:
    """An empty store of each backend in turn, closed (and dropped) after the test."""
    return store_factory.open()


@pytest.fixture(scope="module", params=BACKENDS)
def module_store_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreFactory]:
    """`store_factory` for stores a whole module shares."""
    with store_factory_for(request.param, request, tmp_path_factory.mktemp("stores")) as factory:
        yield factory
