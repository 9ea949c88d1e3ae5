"""The PostgreSQL test harness (tests/pg_server.py and the conftest fixtures): a real server,
not root, fresh UTF8 databases with C collation, cleaned up, and a clear skip without one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.conftest import REPO, skip_or_fail_without_postgres
from tests.pg_server import (
    BIN_ENV,
    URL_ENV,
    PostgresServer,
    find_postgres_bin,
    why_postgres_unavailable,
    why_throwaway_unavailable,
)

USER_TABLES = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
"""


def scalar(url: str, query: str, params: tuple[object, ...] | None = None) -> object:
    with psycopg.connect(url) as connection:
        row = connection.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def test_a_fresh_database_answers_and_is_empty(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as connection:
        assert connection.execute("SELECT 6 * 7").fetchone() == (42,)
        name = connection.execute("SELECT current_database()").fetchone()
    assert name is not None and postgres_url.endswith("/" + name[0])
    assert scalar(postgres_url, USER_TABLES) == 0


# The next two tests, in this order, check that the fixture's databases are not shared.
SEEN: list[str] = []


def test_a_test_may_leave_a_table_behind(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as connection:
        connection.execute("CREATE TABLE left_behind (id int)")
    SEEN.append(postgres_url)


def test_the_next_test_gets_another_empty_database(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    assert postgres_url not in SEEN
    assert scalar(postgres_url, USER_TABLES) == 0
    for url in SEEN:  # dropped by the fixture
        name = url.rsplit("/", 1)[1]
        query = "SELECT count(*) FROM pg_database WHERE datname = %s"
        assert scalar(postgres_server.admin_url, query, (name,)) == 0


def test_databases_are_distinct_and_dropped(postgres_server: PostgresServer) -> None:
    with postgres_server.database() as first, postgres_server.database() as second:
        assert first != second
        with psycopg.connect(first) as connection:
            connection.execute("CREATE TABLE only_here (id int)")
        assert scalar(first, "SELECT to_regclass('only_here') IS NOT NULL") is True
        assert scalar(second, "SELECT to_regclass('only_here') IS NOT NULL") is False
        # A connection left open must not keep its database from being dropped
        leaked = psycopg.connect(first)
    try:
        query = "SELECT count(*) FROM pg_database WHERE datname = ANY(%s)"
        names = [first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]]
        assert scalar(postgres_server.admin_url, query, (names,)) == 0
    finally:
        leaked.close()


def test_text_is_utf8_and_sorts_in_c_collation(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as connection:
        row = connection.execute(
            "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database"
            " WHERE datname = current_database()"
        ).fetchone()
        assert row == ("UTF8", "C", "C")
        # Byte order: every upper-case ASCII letter sorts before every lower-case one
        assert connection.execute("SELECT 'a' < 'B'").fetchone() == (False,)
        text = "What’s the status of Iran–Pakistan ties? 中文 ✓"
        assert connection.execute("SELECT %s::text", (text,)).fetchone() == (text,)


def test_the_server_does_not_run_as_root(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    if postgres_server.external:
        pytest.skip(f"{URL_ENV} names an external server: its processes are not ours to see")
    with psycopg.connect(postgres_url) as connection:
        row = connection.execute(
            "SELECT pg_backend_pid(), current_setting('data_directory')"
        ).fetchone()
    assert row is not None
    backend_pid, data_directory = row
    assert Path(data_directory) == postgres_server.data_dir
    assert Path(data_directory).stat().st_uid != 0
    for pid in (postgres_server.pid, backend_pid):
        assert 0 not in process_uids(pid)


def process_uids(pid: object) -> list[int]:
    """Real, effective, saved and filesystem uids of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return [int(uid) for uid in line.split()[1:]]
    raise AssertionError(f"no Uid line for process {pid}")


def test_a_throwaway_server_stops_and_removes_its_files() -> None:
    skip_or_fail_without_postgres(why_throwaway_unavailable())
    server = PostgresServer.throwaway()
    with server:
        assert server.data_dir is not None and server.socket_dir is not None
        root = server.socket_dir
        assert (server.data_dir / "PG_VERSION").is_file()
        assert scalar(server.admin_url, "SELECT 1") == 1
        admin_url = server.admin_url
    assert not root.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(admin_url, connect_timeout=5).close()
    server.stop()  # a second stop is harmless
    with pytest.raises(RuntimeError, match="stopped"):
        server.create_database()


def test_an_external_server_is_used_as_given(postgres_server: PostgresServer) -> None:
    """$ARTICLE_QA_TEST_POSTGRES_URL, here pointing at the session's server: databases are made
    on it, and those not dropped are dropped at stop (the server itself keeps running)."""
    external = PostgresServer.start({URL_ENV: postgres_server.admin_url})
    assert external.external and external.admin_url == postgres_server.admin_url
    kept = external.create_database()
    with external.database() as url:
        assert scalar(url, "SELECT current_database()") == url.rsplit("/", 1)[1]
    external.stop()
    query = "SELECT count(*) FROM pg_database WHERE datname = %s"
    assert scalar(postgres_server.admin_url, query, (kept,)) == 0


def test_external_urls_keep_all_but_the_database() -> None:
    server = PostgresServer("postgresql://qa:s%40cret@db.example:5433?sslmode=require")
    try:
        assert (
            server.admin_url == "postgresql://qa:s%40cret@db.example:5433/postgres?sslmode=require"
        )
        assert (
            server.url("a b/c")
            == "postgresql://qa:s%40cret@db.example:5433/a%20b%2Fc?sslmode=require"
        )
        assert server.external and server.pid is None and server.data_dir is None
    finally:
        server.stop()
    socket_only = PostgresServer("postgresql:///?host=/run/postgresql")
    try:  # libpq's URL form of a unix socket keeps its "//"
        assert socket_only.url("db") == "postgresql:///db?host=/run/postgresql"
    finally:
        socket_only.stop()
    with pytest.raises(ValueError, match="URL"):
        PostgresServer("host=db.example dbname=postgres")


def test_missing_binaries_are_named_in_the_reason(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-bin"
    environ = {BIN_ENV: str(missing), "PATH": os.environ.get("PATH", "")}
    assert find_postgres_bin(environ) is None
    reason = why_postgres_unavailable(environ)
    assert reason is not None and str(missing) in reason and "apt-get install" in reason
    # ... unless an external server is named: then a failure to reach it is an error
    assert why_postgres_unavailable({**environ, URL_ENV: "postgresql://u@h/db"}) is None
    # A directory with only one of the two programs will not do either
    tmp_path.joinpath("initdb").write_text("#!/bin/sh\n")
    tmp_path.joinpath("initdb").chmod(0o755)
    assert find_postgres_bin({BIN_ENV: str(tmp_path)}) is None


def test_without_postgres_tests_skip_or_under_require_postgres_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REQUIRE_POSTGRES", raising=False)
    skip_or_fail_without_postgres(None)
    with pytest.raises(pytest.skip.Exception, match="no binaries"):
        skip_or_fail_without_postgres("no binaries")
    monkeypatch.setenv("REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="no binaries"):
        skip_or_fail_without_postgres("no binaries")


def test_the_fixture_fails_with_the_reason_under_require_postgres() -> None:
    """End to end, as CI runs it: no binaries and REQUIRE_POSTGRES=1 is a failure, not a skip."""
    env = {key: value for key, value in os.environ.items() if key != URL_ENV}
    env.update({BIN_ENV: "/nonexistent/postgres-bin", "REQUIRE_POSTGRES": "1"})
    # The plugins (schemathesis, hypothesis) only slow this run down
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    test = "tests/test_postgres_server.py::test_a_fresh_database_answers_and_is_empty"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", test, "-p", "no:cacheprovider"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1 and "1 error" in run.stdout, run.stdout + run.stderr
    assert "no PostgreSQL server binaries in /nonexistent/postgres-bin" in run.stdout
