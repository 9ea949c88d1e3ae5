"""The ingest baseline: plain SQLite + FTS5 storing the same rows as article-qa (articles, and
their sections' title, heading and body, full-text indexed), written the way a competent
engineer would for files of a known shape: a split on `## ` instead of a general parser,
one prepared statement per table, 1000 articles per transaction, WAL with synchronous=NORMAL.

`python -m bench.scale.fts_baseline FOLDER DB` prints one JSON line: articles, sections.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
from pathlib import Path

BATCH = 1000
_NOT_SLUG = re.compile(r"[^a-z0-9]+")

SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    lead TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    position INTEGER NOT NULL,
    slug TEXT NOT NULL,
    heading TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (article_id, slug)
);
CREATE VIRTUAL TABLE sections_fts USING fts5 (title, heading, body, tokenize = 'porter unicode61');
"""


def slug_of(text: str, taken: set[str]) -> str:
    base = _NOT_SLUG.sub("-", text.lower()).strip("-") or "untitled"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def split_article(text: str) -> tuple[str, str, list[tuple[str, str]]]:
    """`# Title`, the lead, then `## Heading` sections -> (title, lead, [(heading, body)])."""
    head, *parts = text.split("\n## ")
    title_line, _, lead = head.partition("\n")
    sections = []
    for part in parts:
        heading, _, body = part.partition("\n")
        sections.append((heading.strip(), body.strip()))
    return title_line.removeprefix("# ").strip(), lead.strip(), sections


def ingest(folder: Path, db: Path) -> tuple[int, int]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    connection = sqlite3.connect(db, isolation_level=None)
    connection.executescript(SCHEMA)
    articles = sections = 0
    article_slugs: set[str] = set()
    connection.execute("BEGIN")
    for path in sorted(folder.rglob("*.md")):
        data = path.read_bytes()
        title, lead, parts = split_article(data.decode())
        cursor = connection.execute(
            "INSERT INTO articles (slug, source, title, lead, content_hash) VALUES (?, ?, ?, ?, ?)",
            (
                slug_of(title, article_slugs),
                str(path.relative_to(folder)),
                title,
                lead,
                hashlib.sha256(data).hexdigest(),
            ),
        )
        article_id = cursor.lastrowid
        section_slugs: set[str] = set()
        for position, (heading, body) in enumerate(parts):
            cursor = connection.execute(
                "INSERT INTO sections (article_id, position, slug, heading, body)"
                " VALUES (?, ?, ?, ?, ?)",
                (article_id, position, slug_of(heading, section_slugs), heading, body),
            )
            connection.execute(
                "INSERT INTO sections_fts (rowid, title, heading, body) VALUES (?, ?, ?, ?)",
                (cursor.lastrowid, title, heading, body),
            )
        articles += 1
        sections += len(parts)
        if articles % BATCH == 0:
            connection.execute("COMMIT")
            connection.execute("BEGIN")
    connection.execute("COMMIT")
    connection.close()
    return articles, sections


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("db", type=Path)
    args = parser.parse_args(argv)
    articles, sections = ingest(args.folder, args.db)
    print(json.dumps({"articles": articles, "sections": sections}))


if __name__ == "__main__":
    main()
