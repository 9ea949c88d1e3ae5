"""Several server processes on one store: `serve --workers N`, and several `serve` processes
on one SQLite file. Only the leader (app/leadership.py) syncs and watches the articles
folder; when it dies, another process takes over. Real processes, real stores, no mocks."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pydantic import SecretStr

from app.cli import main
from app.config import Settings, environment_of
from app.leadership import (
    ADVISORY_KEY,
    AdvisoryLeadership,
    AlwaysLeader,
    FileLeadership,
    leadership_for,
    lock_path,
)
from app.store import open_store
from app.store.base import Store
from app.watch import LeaderWatcher
from tests.conftest import SEED_SLUG, free_port, http_get, wait_until_ready
from tests.test_watch import article, eventually, make_data_dir

# Generous: a takeover is due within about 2 s (LEADERSHIP_RETRY_SECONDS) plus a sync.
TAKEOVER_DEADLINE = 60.0
DEADLINE = 30.0
LEADS = "leads ("
FOLLOWS = "follows:"
TAKES_OVER = "takes over ("

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc; flock")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def lines(self, text: str) -> list[str]:
        return [line for line in self.output().splitlines() if text in line]


@contextlib.contextmanager
def serving(
    data_dir: Path,
    *flags: str,
    cwd: Path,
    log_level: str = "info",
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """`python -m app serve` on a free port, run from `cwd` (not the repository, whose
    data/ a worker missing its settings would serve), its output in a file read at will."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = cwd / f"serve-{port}.log"
    # Only the settings this test gives: none of the caller's ARTICLE_QA_* variables.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_QA_")}
    args = ["serve", "--port", str(port), "--data-dir", str(data_dir), "--log-level", log_level]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", *args, *flags],
            cwd=cwd,
            env={**environment, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        server = Server(process, base, log)
        try:
            try:
                # /healthz: a follower is ready at once, a leader only after its first sync.
                wait_until_ready(f"{base}/healthz", process)
            except (RuntimeError, TimeoutError):
                sys.stderr.write(server.output())
                raise
            yield server
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def workers_of(pid: int) -> list[int]:
    """The pids of uvicorn's worker processes under `pid` (spawned interpreters; the
    resource tracker multiprocessing also starts is not one)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def two_workers(pid: int) -> list[int] | None:
    pids = workers_of(pid)
    return pids if len(pids) == 2 else None


def leader_pid(db: Path) -> int | None:
    """The pid the leader wrote into the lock file (stale once it died, until replaced)."""
    try:
        text = lock_path(db).read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def get_json(url: str) -> tuple[int, Any]:
    status, _, body = http_get(url)
    return status, json.loads(body) if body else None


def served(base: str, slug: str) -> bool:
    return get_json(f"{base}/articles/{slug}")[0] == 200


def created_entries(base: str, slug: str) -> list[dict[str, Any]]:
    _, page = get_json(f"{base}/changes?limit=1000")
    items: list[dict[str, Any]] = page["items"]
    return [i for i in items if i["article_slug"] == slug and i["kind"] == "created"]


def searchable(base: str, query: str, slug: str) -> bool:
    status, results = get_json(f"{base}/search?q={query}")
    return status == 200 and any(hit["article_slug"] == slug for hit in results["hits"])


def drop(folder: Path, name: str, text: str) -> None:
    """Write an article under a hidden name (ignored), then rename it in: one event."""
    hidden = folder / f".{name}.partial"
    hidden.write_text(text, encoding="utf-8")
    os.rename(hidden, folder / name)


def http_put_dry_run(base: str, token: str) -> tuple[int, dict[str, str], bytes]:
    """PUT /articles/x?dry_run=true: 200 only from a worker that has the write token."""
    request = urllib.request.Request(
        f"{base}/articles/dry-run-probe?dry_run=true",
        data=article("Dry run probe").encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/markdown"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers.items()), error.read()


# serve --workers N


def test_workers_share_the_port_and_only_one_watches(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    token = "worker-secret"
    # The token comes from the environment, the rest from flags: the workers need both.
    with serving(
        data_dir,
        "--workers",
        "2",
        cwd=tmp_path,
        log_level="debug",  # a second watcher would log the file "unchanged" at DEBUG
        env={"ARTICLE_QA_WRITE_TOKEN": token},
    ) as server:
        workers = eventually(lambda: two_workers(server.process.pid), "two worker processes")
        eventually(lambda: served(server.base, SEED_SLUG), "the seed, synced by the leader")
        assert leader_pid(data_dir / "article-qa.db") in workers
        eventually(lambda: server.lines("summary:"), "the first sync's summary")
        assert len(server.lines(LEADS)) == 1
        assert len(server.lines(FOLLOWS)) == 1
        # Each answer comes from either worker: every one of them has the token.
        for _ in range(10):
            status, _ = get_json(f"{server.base}/openapi.json")
            assert status == 200
            status, _, _ = http_put_dry_run(server.base, token)
            assert status == 200

        drop(data_dir / "articles", "worker-drop.md", article("Worker dropped article", "quux"))

        slug = "worker-dropped-article"
        eventually(lambda: served(server.base, slug), "the dropped article served")
        eventually(lambda: searchable(server.base, "quux", slug), "the dropped article found")
        assert len(created_entries(server.base, slug)) == 1
        applied = [line for line in server.lines("worker-drop.md") if "app.watch:" in line]
        assert len(applied) == 1, applied
        assert "ingested" in applied[0]
        assert workers_of(server.process.pid) == workers


def test_a_killed_leading_worker_is_succeeded(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    db = data_dir / "article-qa.db"
    with serving(data_dir, "--workers", "2", cwd=tmp_path) as server:
        workers = eventually(lambda: two_workers(server.process.pid), "two worker processes")
        leader = eventually(lambda: (pid := leader_pid(db)) in workers and pid, "a leader")

        os.kill(leader, signal.SIGKILL)

        # The other worker, or the one uvicorn starts in place of the dead, takes over.
        eventually(
            lambda: (pid := leader_pid(db)) != leader and pid in workers_of(server.process.pid),
            "a new leader among the workers",
            timeout=TAKEOVER_DEADLINE,
        )
        drop(data_dir / "articles", "after-kill.md", article("Worker successor article"))
        eventually(
            lambda: served(server.base, "worker-successor-article"),
            "a file dropped after the takeover served",
            timeout=TAKEOVER_DEADLINE,
        )


# Several `serve` processes on one store


def test_one_of_two_servers_leads_and_the_other_takes_over(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    db = data_dir / "article-qa.db"
    with (
        serving(data_dir, cwd=tmp_path) as first,
        serving(data_dir, cwd=tmp_path) as second,
    ):
        servers = (first, second)
        eventually(lambda: all(s.lines(LEADS) or s.lines(FOLLOWS) for s in servers), "roles")
        leaders = [s for s in servers if s.lines(LEADS)]
        assert len(leaders) == 1
        leader = leaders[0]
        follower = second if leader is first else first
        assert follower.lines(FOLLOWS) and not follower.lines(LEADS)
        assert leader_pid(db) == leader.process.pid
        eventually(lambda: served(follower.base, SEED_SLUG), "the seed, synced by the leader")

        leader.process.kill()
        leader.process.wait()

        eventually(lambda: follower.lines(TAKES_OVER), "the follower takes over", TAKEOVER_DEADLINE)
        eventually(lambda: leader_pid(db) == follower.process.pid, "the follower's pid written")
        drop(data_dir / "articles", "after-takeover.md", article("Replica takeover article"))
        slug = "replica-takeover-article"
        eventually(lambda: served(follower.base, slug), "the dropped article served")
        assert len(created_entries(follower.base, slug)) == 1


def test_no_sync_no_watch_servers_do_not_compete(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    with serving(data_dir, "--no-sync", "--no-watch", cwd=tmp_path) as server:
        assert get_json(f"{server.base}/readyz")[0] == 200
        assert not server.lines(LEADS) and not server.lines(FOLLOWS)
    assert leader_pid(data_dir / "article-qa.db") is None


# Settings


def test_zero_workers_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["serve", "--workers", "0", "--data-dir", str(tmp_path)])

    assert code == 2
    err = capsys.readouterr().err
    assert "invalid settings" in err and "workers" in err
    assert "greater than or equal to 1" in err


def test_zero_workers_from_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARTICLE_QA_WORKERS", "0")

    assert main(["serve", "--data-dir", str(tmp_path)]) == 2
    assert "workers" in capsys.readouterr().err


def test_workers_read_the_settings_serve_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        port=8123,
        data_dir=tmp_path / "data",
        log_level="debug",
        watch=False,
        workers=3,
        write_token=SecretStr("s3cret, with a comma"),
        cors_origins=["https://a.example", "https://b.example"],
        allowed_hosts=["api.example.com", "*.example.org"],
        forwarded_allow_ips=["10.0.0.0/8"],
        rate_limit_per_minute=120,
    )
    # A variable of the parent's environment the resolved settings do not have must go.
    monkeypatch.setenv("ARTICLE_QA_PUBLIC_BASE_URL", "https://stale.example")
    monkeypatch.setenv("ARTICLE_QA_DB", "/elsewhere.db")

    for name, value in environment_of(settings).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    assert Settings() == settings


# The leadership itself, in one process (flock locks of two descriptors exclude each other)


def test_a_file_lock_is_held_by_one_holder_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "store.db-leader"
    first, second = FileLeadership(path), FileLeadership(path)

    assert first.try_acquire() and first.held
    assert first.try_acquire()  # already held: still True
    assert not second.try_acquire() and not second.held
    assert path.read_text() == f"{os.getpid()}\n"

    first.release()

    assert not first.held
    assert second.try_acquire() and second.held
    second.release()


def test_leadership_follows_the_store_kind(tmp_path: Path) -> None:
    on_disk = leadership_for(Settings(db=str(tmp_path / "a.db")))
    assert isinstance(on_disk, FileLeadership)
    assert on_disk.path == tmp_path / "a.db-leader"
    assert isinstance(leadership_for(Settings(db=":memory:")), AlwaysLeader)
    assert isinstance(leadership_for(Settings(db="postgresql://db/articles")), AdvisoryLeadership)


def test_an_advisory_lock_is_held_by_one_holder_at_a_time(postgres_url: str) -> None:
    first, second = AdvisoryLeadership(postgres_url), AdvisoryLeadership(postgres_url)
    try:
        assert first.try_acquire() and first.held
        assert not second.try_acquire() and not second.held
        first.release()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


def test_a_leader_whose_session_ends_lets_another_lead(postgres_url: str) -> None:
    """A leader that dies (or loses its connection) holds the lock no more."""
    first, second = AdvisoryLeadership(postgres_url), AdvisoryLeadership(postgres_url)
    try:
        assert first.try_acquire()
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND objid = %s",
                (ADVISORY_KEY,),
            )
        eventually(lambda: second.try_acquire(), "the lock free again")
    finally:
        first.release()
        second.release()


def test_one_of_two_servers_on_postgresql_leads_and_the_other_takes_over(
    tmp_path: Path, postgres_url: str
) -> None:
    data_dir = make_data_dir(tmp_path)
    env = {"ARTICLE_QA_DB": postgres_url}
    with (
        serving(data_dir, cwd=tmp_path, env=env) as first,
        serving(data_dir, cwd=tmp_path, env=env) as second,
    ):
        servers = (first, second)
        eventually(lambda: all(s.lines(LEADS) or s.lines(FOLLOWS) for s in servers), "roles")
        leaders = [s for s in servers if s.lines(LEADS)]
        assert len(leaders) == 1
        leader = leaders[0]
        follower = second if leader is first else first
        eventually(lambda: served(follower.base, SEED_SLUG), "the seed, synced by the leader")

        leader.process.kill()
        leader.process.wait()

        eventually(lambda: follower.lines(TAKES_OVER), "the follower takes over", TAKEOVER_DEADLINE)
        drop(data_dir / "articles", "after-takeover.md", article("Replica takeover article"))
        slug = "replica-takeover-article"
        eventually(lambda: served(follower.base, slug), "the dropped article served")
        assert len(created_entries(follower.base, slug)) == 1


@contextlib.contextmanager
def leader_watcher(db: Path, folder: Path, **options: bool) -> Iterator[LeaderWatcher]:
    store: Store = open_store(db)
    watcher = LeaderWatcher(
        store, folder, FileLeadership(lock_path(db)), retry_seconds=0.1, **options
    )
    watcher.start()
    try:
        yield watcher
    finally:
        watcher.stop()
        store.close()


def test_a_follower_takes_over_when_the_leader_stops(tmp_path: Path) -> None:
    folder = make_data_dir(tmp_path) / "articles"
    db = tmp_path / "store.db"
    with leader_watcher(db, folder) as leader, leader_watcher(db, folder) as successor:
        # The first one started took the lock before the other tried.
        assert leader.leading and not successor.leading
        assert successor.first_sync_done.is_set()  # a follower is ready at once
        assert leader.first_sync_done.wait(DEADLINE)

        leader.stop()

        eventually(lambda: successor.leading, "the successor leads", TAKEOVER_DEADLINE)
        drop(folder, "taken-over.md", article("Successor article"))
        check = open_store(db)
        try:
            eventually(lambda: "taken-over.md" in check.source_hashes(), "a change applied")
        finally:
            check.close()


def test_a_leader_that_does_not_watch_lets_go_after_its_sync(tmp_path: Path) -> None:
    folder = make_data_dir(tmp_path) / "articles"
    db = tmp_path / "store.db"
    with leader_watcher(db, folder, watch=False) as syncer:
        assert syncer.first_sync_done.wait(DEADLINE)
        eventually(lambda: not syncer.leading, "leadership given up")
        with leader_watcher(db, folder) as watcher:
            assert watcher.leading  # a process that watches may lead now
