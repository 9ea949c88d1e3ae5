"""Two real `article-qa serve` processes on one store (a SQLite file; a PostgreSQL
database): what one writes, over HTTP or through a third process (`article-qa ingest`),
the other serves at once, by GET and by /search; what one deletes, the other calls gone.

The README promises a write visible to every process within a second. Each check polls
every 50 ms from the moment the write returned and prints the delay it saw (`pytest -rP`
shows them: tens of milliseconds); it fails only past a deadline generous enough for a
loaded CI machine, saying how long it waited."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import StoreFactory, free_port, http_get, running_server

TOKEN = "multiprocess-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
POLL_SECONDS = 0.05
DEADLINE_SECONDS = 5.0


@dataclass(frozen=True)
class Servers:
    """Two serving processes on the store at `db`."""

    first: str
    second: str
    db: str
    data_dir: Path


@pytest.fixture(scope="module")
def servers(
    module_store_factory: StoreFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Servers]:
    db = module_store_factory.location
    module_store_factory.open().close()  # made (and its schema) before either server starts
    data_dir = tmp_path_factory.mktemp("multiprocess") / "data"
    (data_dir / "articles").mkdir(parents=True)
    with pytest.MonkeyPatch.context() as patch, contextlib.ExitStack() as stack:
        patch.setenv("ARTICLE_QA_WRITE_TOKEN", TOKEN)
        bases = []
        for _ in range(2):
            port = free_port()
            args = ["-m", "app", "serve", "--port", str(port), "--data-dir", str(data_dir)]
            args += ["--db", db, "--no-sync", "--no-watch", "--log-level", "warning"]
            bases.append(stack.enter_context(running_server(args, port=port)))
        yield Servers(bases[0], bases[1], db, data_dir)


def send(method: str, url: str, body: str = "", media_type: str = "text/markdown") -> int:
    """A write request with the token; its status."""
    headers = {**AUTH, "Content-Type": media_type}
    data = body.encode() or None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        with error:
            return error.code


def article(base: str, slug: str) -> tuple[int, dict[str, Any]]:
    status, _, body = http_get(f"{base}/articles/{slug}")
    return status, json.loads(body)


def found(base: str, query: str) -> list[str]:
    """The article slugs of /search's hits for `query`."""
    status, _, body = http_get(f"{base}/search?{urllib.parse.urlencode({'q': query})}")
    assert status == 200, body
    return [hit["article_slug"] for hit in json.loads(body)["hits"]]


class Delays:
    """How long each write took to show: printed (`pytest -rP` shows it) and kept in the
    test's user properties."""

    def __init__(self, node: pytest.Item) -> None:
        self._node = node
        self._written = time.monotonic()

    def written(self) -> None:
        """A write returned: the delays that follow count from now."""
        self._written = time.monotonic()

    def until(self, check: Callable[[], bool], what: str) -> None:
        """Poll `check()` every 50 ms until it holds; fail past the deadline (counted from
        the last write), saying how long it waited."""
        while not check():
            waited = time.monotonic() - self._written
            if waited > DEADLINE_SECONDS:
                pytest.fail(f"{what}: still not so {waited:.3f}s after the write")
            time.sleep(POLL_SECONDS)
        delay = round(time.monotonic() - self._written, 3)
        print(f"{what}: after {delay:.3f}s")
        self._node.user_properties.append((what, delay))


@pytest.fixture
def delays(request: pytest.FixtureRequest) -> Delays:
    return Delays(request.node)


def finds_only(base: str, slug: str, word: str, *, not_word: str = "") -> Callable[[], bool]:
    """A check: /search finds `word` in `slug` alone, and `not_word` nowhere."""
    return lambda: found(base, word) == [slug] and not (not_word and found(base, not_word))


def markdown(title: str, answer: str) -> str:
    return f"# {title}\n\n## Can I get my money back?\n\n{answer}\n"


def test_a_put_through_one_is_served_by_the_other(servers: Servers, delays: Delays) -> None:
    slug = "refunds"
    # Both views are built before the writes: the other process must bring its own up to date.
    assert found(servers.second, "fortnight") == []
    assert article(servers.second, slug)[0] == 404

    status = send("PUT", f"{servers.first}/articles/{slug}", markdown("Refunds", "fortnight"))
    delays.written()
    assert status == 201

    def served() -> bool:
        code, body = article(servers.second, slug)
        return code == 200 and "fortnight" in body["sections"][0]["body"]

    delays.until(served, "created: served by GET in the other process")
    delays.until(finds_only(servers.second, slug, "fortnight"), "created: searched")

    status = send("PUT", f"{servers.first}/articles/{slug}", markdown("Refunds", "semester"))
    delays.written()
    assert status == 200

    updated = finds_only(servers.second, slug, "semester", not_word="fortnight")
    delays.until(updated, "updated: searched in the other process")
    assert article(servers.second, slug)[1]["sections"][0]["body"] == "semester"

    assert send("DELETE", f"{servers.second}/articles/{slug}") == 204
    delays.written()

    delays.until(lambda: article(servers.first, slug)[0] == 410, "deleted: 410 in the first")
    assert found(servers.first, "semester") == []
    section = f"{servers.first}/articles/{slug}/sections/can-i-get-my-money-back"
    assert http_get(section)[0] == 410
    assert send("DELETE", f"{servers.first}/articles/{slug}") == 404


def test_an_ingest_by_a_third_process_is_served_by_both(
    servers: Servers, delays: Delays, tmp_path: Path
) -> None:
    path = tmp_path / "warranty.md"
    slug = "warranty"
    ingest = [sys.executable, "-m", "app", "ingest", str(path), "--db", servers.db]
    ingest += ["--data-dir", str(servers.data_dir)]
    for base in (servers.first, servers.second):
        assert found(base, "guaranteed") == []

    path.write_text(markdown("Warranty", "guaranteed for two years"), encoding="utf-8")
    subprocess.run(ingest, check=True, capture_output=True)
    delays.written()

    for name, base in (("first", servers.first), ("second", servers.second)):
        delays.until(finds_only(base, slug, "guaranteed"), f"created: {name}")
        assert article(base, slug)[0] == 200

    path.write_text(markdown("Warranty", "covered for three years"), encoding="utf-8")
    subprocess.run(ingest, check=True, capture_output=True)
    delays.written()

    for name, base in (("first", servers.first), ("second", servers.second)):
        updated = finds_only(base, slug, "covered", not_word="guaranteed")
        delays.until(updated, f"updated: {name}")
        assert article(base, slug)[1]["sections"][0]["body"] == "covered for three years"
