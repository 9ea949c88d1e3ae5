"""A site for API tests: an articles folder, a store synced from it, and the app serving it
(redirects not followed), so tests can change files and see what the API answers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from app.api import create_app
from app.ingest import sync_folder
from app.store import open_store
from tests.conftest import make_settings


class Site:
    """An articles folder, a store, and the app serving it."""

    def __init__(self, root: Path, client: TestClient) -> None:
        self.folder = root / "data" / "articles"
        self.db = root / "data" / "article-qa.db"
        self.client = client

    def write(self, name: str, text: str) -> None:
        (self.folder / name).write_text(text, encoding="utf-8")
        self.sync()

    def remove(self, name: str) -> None:
        (self.folder / name).unlink()
        self.sync()

    def sync(self) -> None:
        store = open_store(self.db)
        try:
            assert sync_folder(store=store, folder=self.folder).ok
        finally:
            store.close()


@contextlib.contextmanager
def site_at(tmp_path: Path) -> Iterator[Site]:
    """An empty articles folder under tmp_path, and the app serving its store."""
    (tmp_path / "data" / "articles").mkdir(parents=True)
    settings = make_settings(tmp_path / "data", ingest_on_start=False, watch=False)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield Site(tmp_path, client)
