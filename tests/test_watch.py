"""The live articles folder: a real `serve` process (and a FolderWatcher on a real store)
applies adds, edits, renames and deletes while it serves, and listens during a long sync."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from app.store import open_store
from app.store.base import Store
from app.watch import FolderWatcher
from tests.conftest import SEED_FILE, SEED_SLUG, free_port, http_get, running_server

DEADLINE = 20.0  # seconds: generous, the target is 2 s
T = TypeVar("T")


def article(title: str, token: str = "steady") -> str:
    return f"# {title}\n\nA lead paragraph.\n\n## What changed today?\n\nThe token is {token}.\n"


def eventually(check: Callable[[], T | None], what: str, timeout: float = DEADLINE) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout}s: {what} (last: {value!r})")
        time.sleep(0.05)


def make_data_dir(root: Path) -> Path:
    articles = root / "data" / "articles"
    articles.mkdir(parents=True)
    shutil.copy(SEED_FILE, articles / SEED_FILE.name)
    return root / "data"


@contextlib.contextmanager
def serving(data_dir: Path, *flags: str, ready_path: str = "/readyz") -> Iterator[str]:
    port = free_port()
    args = ["-m", "app", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    with running_server(
        [*args, "--log-level", "warning", *flags], port=port, ready_path=ready_path
    ):
        yield f"http://127.0.0.1:{port}"


def get_json(url: str) -> tuple[int, Any]:
    status, _, body = http_get(url)
    return status, json.loads(body) if body else None


def served(base: str, slug: str) -> dict[str, Any] | None:
    """The article at /articles/{slug} when it answers 200, else None."""
    status, body = get_json(f"{base}/articles/{slug}")
    return body if status == 200 else None


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A watching server and its articles folder; each test uses files of its own."""
    data_dir = make_data_dir(tmp_path_factory.mktemp("live"))
    with serving(data_dir) as base:
        yield base, data_dir / "articles"


def test_an_added_file_is_served(live: tuple[str, Path]) -> None:
    base, articles = live
    (articles / "added.md").write_text(article("Watch added article", "added-1"), "utf-8")

    body = eventually(lambda: served(base, "watch-added-article"), "the added article served")

    assert "added-1" in json.dumps(body)


def test_an_edited_title_is_served_under_its_new_slug(live: tuple[str, Path]) -> None:
    base, articles = live
    path = articles / "retitled.md"
    path.write_text(article("Watch title before"), "utf-8")
    eventually(lambda: served(base, "watch-title-before"), "the first title served")

    path.write_text(article("Watch title after"), "utf-8")

    body = eventually(lambda: served(base, "watch-title-after"), "the new title served")
    assert body["source"] == "retitled.md"
    # The old URL may redirect (urllib follows it) or be gone; it no longer serves the old title.
    status, old = get_json(f"{base}/articles/watch-title-before")
    assert not (status == 200 and old["title"] == "Watch title before")


def test_a_deleted_file_stops_being_served(live: tuple[str, Path]) -> None:
    base, articles = live
    path = articles / "deleted.md"
    path.write_text(article("Watch deleted article"), "utf-8")
    eventually(lambda: served(base, "watch-deleted-article"), "the article served")

    path.unlink()

    eventually(lambda: served(base, "watch-deleted-article") is None, "the article gone")


def test_a_renamed_file_keeps_being_served(live: tuple[str, Path]) -> None:
    base, articles = live
    (articles / "rename-me.md").write_text(article("Watch renamed article"), "utf-8")
    eventually(lambda: served(base, "watch-renamed-article"), "the article served")

    os.rename(articles / "rename-me.md", articles / "renamed.md")

    def from_new_name() -> bool:
        body = served(base, "watch-renamed-article")
        return body is not None and body["source"] == "renamed.md"

    eventually(from_new_name, "the article served from its new file name")
    time.sleep(0.5)  # and it stays served once both events are applied
    assert served(base, "watch-renamed-article") is not None


def test_a_file_in_a_new_subfolder_is_found(live: tuple[str, Path]) -> None:
    base, articles = live
    folder = articles / "new" / "deeper"
    folder.mkdir(parents=True)
    (folder / "nested.md").write_text(article("Watch nested article"), "utf-8")

    body = eventually(lambda: served(base, "watch-nested-article"), "the nested article")

    assert body["source"] == "new/deeper/nested.md"


def test_no_watch_leaves_a_later_file_unserved(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    with serving(data_dir, "--no-watch") as base:
        assert served(base, SEED_SLUG) is not None  # the first sync still runs
        (data_dir / "articles" / "late.md").write_text(article("Watch late article"), "utf-8")
        time.sleep(2.5)  # the one fixed wait: nothing is expected to happen

        assert served(base, "watch-late-article") is None


def test_it_listens_during_a_slow_first_sync(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    for number in range(600):  # about 4 s of sync
        text = article(f"Generated article {number}", f"token-{number}") * 4
        (data_dir / "articles" / f"generated-{number:03}.md").write_text(text, "utf-8")

    with serving(data_dir, ready_path="/healthz") as base:
        # /healthz answered 200 already (running_server waited for it); /readyz still 503
        status, headers, body = http_get(f"{base}/readyz")
        assert status == 503, "the first sync ended before the server could be asked"
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(body)["status"] == 503
        assert http_get(f"{base}/healthz")[0] == 200

        eventually(lambda: http_get(f"{base}/readyz")[0] == 200, "/readyz 200", timeout=120)
        assert served(base, "generated-article-599") is not None


# FolderWatcher on a real store, without HTTP


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "store.db")
    yield opened
    opened.close()


@contextlib.contextmanager
def watching(store: Store, folder: Path, **options: bool) -> Iterator[FolderWatcher]:
    watcher = FolderWatcher(store, folder, **options)
    watcher.start()
    try:
        yield watcher
    finally:
        watcher.stop()


def test_folder_watcher_applies_each_kind_of_change(tmp_path: Path, store: Store) -> None:
    folder = make_data_dir(tmp_path) / "articles"
    with watching(store, folder) as watcher:
        assert watcher.first_sync_done.wait(DEADLINE)
        assert watcher.watching
        assert SEED_FILE.name in store.source_hashes()

        (folder / "a.md").write_text(article("Unit article", "one"), "utf-8")
        first = eventually(lambda: store.source_hashes().get("a.md"), "a.md stored")
        (folder / "a.md").write_text(article("Unit article", "two"), "utf-8")
        eventually(lambda: store.source_hashes().get("a.md") != first, "a.md updated")
        os.rename(folder / "a.md", folder / "b.md")
        eventually(lambda: set(store.source_hashes()) >= {"b.md"}, "b.md stored")
        eventually(lambda: "a.md" not in store.source_hashes(), "a.md removed")
        (folder / "b.md").unlink()
        eventually(lambda: "b.md" not in store.source_hashes(), "b.md removed")
        (folder / "notes.csv").write_text("not, an, article\n", "utf-8")
        (folder / ".hidden.md").write_text(article("Hidden article"), "utf-8")
        time.sleep(0.5)
        assert set(store.source_hashes()) == {SEED_FILE.name}

    assert not watcher.watching


def test_changes_during_the_first_sync_are_not_missed(tmp_path: Path, store: Store) -> None:
    folder = make_data_dir(tmp_path) / "articles"
    for number in range(300):
        text = article(f"Bulk article {number}", f"token-{number}") * 4
        (folder / f"bulk-{number:03}.md").write_text(text, "utf-8")
    with watching(store, folder) as watcher:
        # bulk-000 is synced first; edit it while the sync goes on through the others
        before = eventually(lambda: store.source_hashes().get("bulk-000.md"), "bulk-000 synced")
        (folder / "bulk-000.md").write_text(article("Bulk article 0", "edited"), "utf-8")
        assert not watcher.first_sync_done.is_set(), "the sync ended before the edit"

        assert watcher.first_sync_done.wait(120)
        eventually(
            lambda: store.source_hashes()["bulk-000.md"] != before, "the edit applied after sync"
        )


def test_a_missing_folder_is_watched_once_it_appears(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "articles"
    with watching(store, folder) as watcher:
        assert watcher.first_sync_done.wait(DEADLINE)  # nothing to sync: ready anyway
        assert not folder.exists()  # not created behind the user's back

        folder.mkdir()
        (folder / "first.md").write_text(article("First article"), "utf-8")

        eventually(lambda: "first.md" in store.source_hashes(), "first.md stored")


def test_a_bad_file_is_logged_and_watching_goes_on(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    folder = make_data_dir(tmp_path) / "articles"
    with watching(store, folder) as watcher:
        assert watcher.first_sync_done.wait(DEADLINE)
        (folder / "empty.md").write_bytes(b"")
        eventually(lambda: any("empty.md" in r.getMessage() for r in caplog.records), "a warning")
        (folder / "good.md").write_text(article("Good article"), "utf-8")

        eventually(lambda: "good.md" in store.source_hashes(), "good.md stored")
    warned = [r for r in caplog.records if "empty.md" in r.getMessage()]
    assert warned[0].levelno == logging.WARNING
    assert warned[0].name == "app.watch"


def test_one_watching_thread_per_process(tmp_path: Path, store: Store) -> None:
    folder = make_data_dir(tmp_path / "one") / "articles"
    other_folder = make_data_dir(tmp_path / "two") / "articles"
    other_store = open_store(tmp_path / "other.db")
    try:
        with watching(store, folder) as first, watching(other_store, other_folder) as second:
            assert first.first_sync_done.wait(DEADLINE)
            assert second.first_sync_done.wait(DEADLINE)
            assert first.watching
            assert not second.watching  # it synced, and that is all
            assert SEED_FILE.name in other_store.source_hashes()
        with watching(other_store, other_folder) as third:
            assert third.first_sync_done.wait(DEADLINE)
            assert third.watching  # the first one stopped: the slot is free again
    finally:
        other_store.close()


def test_stop_ends_a_long_sync_quickly(tmp_path: Path, store: Store) -> None:
    folder = make_data_dir(tmp_path) / "articles"
    for number in range(300):
        text = article(f"Bulk article {number}", f"token-{number}") * 4
        (folder / f"bulk-{number:03}.md").write_text(text, "utf-8")
    watcher = FolderWatcher(store, folder)
    watcher.start()
    eventually(lambda: len(store.source_hashes()) > 1, "the sync under way")

    started = time.monotonic()
    watcher.stop()

    assert time.monotonic() - started < 5
    assert not watcher.watching
    assert len(store.source_hashes()) < 301
