"""Promises of the lean store and of a lean start: each body is stored once, and a server
that only reads its store does not load the parser's libraries."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from app.store.sqlite import SQLiteStore
from tests.conftest import REPO
from tools.evaluation.relevance import article_from_sections

# Normalised as the parser leaves every body (a body with a trailing space would keep a
# preformatted Markdown form beside it)
BODY = " ".join(["Quokkas photosynthesise improbably under fluorescent marmalade skies."] * 8)


def test_each_body_is_stored_once(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    store = SQLiteStore(db)
    article = article_from_sections(
        title="Marmalade skies", sections=[("Why marmalade?", BODY)], source="m.md"
    )
    store.upsert_article(article)
    assert store.get_article(article.slug).sections[0].body.strip() == BODY.strip()
    store.close()
    connection = sqlite3.connect(db)
    needle = "fluorescent marmalade"
    places = []
    for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        for column in columns:
            hits = connection.execute(
                f"SELECT count(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE ?",
                (f"%{needle}%",),
            ).fetchone()[0]
            places += [f"{table}.{column}"] * hits
    connection.close()
    assert places == ["sections.body"]


def test_the_api_starts_without_the_parser() -> None:
    code = (
        "import sys, app.api.app, app.cli\n"
        "loaded = [m for m in ('trafilatura', 'py3langid', 'app.parsing.pipeline')"
        " if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
