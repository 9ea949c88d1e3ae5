"""Damaged and read-only stores: found, said plainly, never taken for a passing fault."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.cli import main
from app.errors import StoreDamaged, StoreReadOnly
from app.search.request import SearchRequest
from app.store import open_store
from tests.conftest import (
    REPO,
    SEED_FILE,
    SEED_SLUG,
    free_port,
    http_get,
    make_settings,
    running_server,
)
from tools.evaluation.relevance import article_from_sections

ARTICLES = 300


def build_store(db: Path) -> None:
    store = open_store(db)
    try:
        for number in range(ARTICLES):
            store.upsert_article(
                article_from_sections(
                    title=f"Guide {number}",
                    sections=[(f"How does step {number} work?", f"Step {number} " * 40)],
                    source=f"guide-{number}.md",
                )
            )
    finally:
        store.close()


def scribble(db: Path, *, at: float, size: int = 8192) -> None:
    """Random bytes over `size` bytes of the file, `at` (a fraction) of the way in."""
    data = bytearray(db.read_bytes())
    start = int(len(data) * at)
    data[start : start + size] = random.Random(7).randbytes(size)
    db.write_bytes(bytes(data))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "article-qa.db"
    build_store(path)
    return path


def test_an_intact_store_passes_both_checks(db: Path) -> None:
    store = open_store(db)
    try:
        assert store.check_integrity(full=False) is None
        assert store.check_integrity(full=True) is None
    finally:
        store.close()


def test_random_bytes_mid_file_are_found_and_stay_found(db: Path) -> None:
    scribble(db, at=0.5)
    store = open_store(db)
    try:
        assert store.check_integrity(full=True) is not None
        with pytest.raises(StoreDamaged, match="article-qa rebuild"):
            store.search(SearchRequest(query="step"))
        with pytest.raises(StoreDamaged):
            store.ping()
    finally:
        store.close()


def test_a_truncated_store_is_damaged(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreDamaged, match="rebuild"):
        store = open_store(db)  # the cheap check at open, or the first read, finds it
        try:
            store.list_articles(limit=1, offset=0)
        finally:
            store.close()


def test_a_file_that_is_not_a_store_says_so(tmp_path: Path) -> None:
    db = tmp_path / "article-qa.db"
    db.write_bytes(b"%PDF-1.7 " * 1000)
    with pytest.raises(StoreDamaged, match="rebuild"):
        open_store(db)


def test_ingest_into_a_damaged_store_fails(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scribble(db, at=0.5)

    code = main(["ingest", str(SEED_FILE), "--db", str(db)])

    assert code == 1
    assert "article-qa rebuild" in capsys.readouterr().err


def test_the_api_answers_500_store_damaged(db: Path) -> None:
    scribble(db, at=0.5)
    settings = make_settings(db.parent, ingest_on_start=False, watch=False)
    with TestClient(create_app(settings)) as client:
        # The full check runs in the background at start; wait for its verdict.
        for _ in range(200):
            ready = client.get("/readyz")
            if ready.status_code == 500:
                break
            time.sleep(0.05)
        assert ready.status_code == 500
        assert ready.json()["type"].endswith(":store-damaged")
        search = client.get("/search", params={"q": "step"})
        assert search.status_code == 500
        assert "article-qa rebuild" in search.json()["detail"]
        assert "retry-after" not in search.headers


@pytest.fixture
def shipped() -> Iterator[tuple[Path, bool]]:
    """A store file and its folder made read-only, and whether the server must run as
    'nobody' for that to count (root ignores file permissions)."""
    root = Path(tempfile.mkdtemp(prefix="article-qa-ro-"))
    data_dir = root / "data"
    (data_dir / "articles").mkdir(parents=True)
    shutil.copy(SEED_FILE, data_dir / "articles" / SEED_FILE.name)
    assert main(["ingest", "--data-dir", str(data_dir)]) == 0
    for path in (root, data_dir / "articles"):
        path.chmod(0o755)
    (data_dir / "article-qa.db").chmod(0o444)
    data_dir.chmod(0o555)
    yield data_dir, os.geteuid() == 0
    data_dir.chmod(0o755)
    shutil.rmtree(root)


def test_a_read_only_store_is_served_read_only(shipped: tuple[Path, bool]) -> None:
    data_dir, as_nobody = shipped
    port = free_port()
    logs: list[str] = []
    args = ["-m", "app", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    env_token = {"ARTICLE_QA_WRITE_TOKEN": "t"}
    os.environ.update(env_token)
    try:
        prefix = NOBODY if as_nobody else []
        if as_nobody and not runs_as_nobody():
            pytest.skip("this Python cannot be run as 'nobody' here (setpriv, permissions)")
        with running_server(args, port=port, prefix=prefix, output_to=logs) as base:
            assert http_get(f"{base}/readyz")[0] == 200
            status, _, body = http_get(f"{base}/articles/{SEED_SLUG}")
            assert status == 200 and json.loads(body)["slug"] == SEED_SLUG
            status, _, body = http_get(f"{base}/search?q=pipeline")
            assert status == 200 and json.loads(body)["total"] > 0
            status, headers, _ = http_request(
                f"{base}/articles/new-one", method="PUT", body=b"# New\n\n## Q?\n\nA.\n"
            )
            assert status == 405 and headers["allow"] == "GET, HEAD"
    finally:
        del os.environ["ARTICLE_QA_WRITE_TOKEN"]
    assert "read-only" in "".join(logs)


def test_a_read_only_store_refuses_writes_in_the_library(
    shipped: tuple[Path, bool],
) -> None:
    data_dir, as_nobody = shipped
    if as_nobody:
        pytest.skip("covered by the server test: permissions do not apply to root here")
    store = open_store(data_dir / "article-qa.db")
    try:
        assert store.read_only
        with pytest.raises(StoreReadOnly):
            store.delete_article(SEED_SLUG)
    finally:
        store.close()


NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def runs_as_nobody() -> bool:
    """True when this interpreter, with the project, starts as 'nobody'."""
    try:
        probe = subprocess.run(
            [*NOBODY, sys.executable, "-c", "import app"], cwd=REPO, capture_output=True
        )
    except OSError:
        return False
    return probe.returncode == 0


def http_request(url: str, *, method: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url,
        data=body,
        method=method,
        headers={"Authorization": "Bearer t", "Content-Type": "text/markdown"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, b""
    except urllib.error.HTTPError as error:
        with error:
            headers = {k.lower(): v for k, v in error.headers.items()}
            return error.code, headers, error.read()
