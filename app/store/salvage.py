"""What a rebuild keeps from the store it replaces: the bytes of articles written over HTTP,
when each source was first stored, and the slug history (retired URLs, the change feed).

Read straight from the old SQLite file, table by table and row by row where it can, so that
a damaged store gives up what is still readable; what could not be read is reported.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.store.base import RawSource


@dataclass(frozen=True, slots=True)
class RetiredRow:
    path: str
    section_slug: str | None
    target: str | None
    retired_at: str


@dataclass(frozen=True, slots=True)
class ChangeRow:
    seq: int
    at: str
    kind: str
    article_slug: str
    previous_slug: str | None
    source: str
    origin: str
    sections: str  # JSON, as stored


@dataclass
class Salvage:
    """What survives of an old store; `lost` says what could not be read, and why."""

    http_sources: dict[str, RawSource] = field(default_factory=dict)  # slug -> bytes sent
    created_at: dict[tuple[str, str], str] = field(default_factory=dict)  # (origin, source)
    retired: list[RetiredRow] = field(default_factory=list)
    changes: list[ChangeRow] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


def salvage(path: Path) -> Salvage:
    """Everything a rebuild keeps from the store file at `path` (nothing if there is none)."""
    found = Salvage()
    if not path.is_file():
        return found
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        found.lost.append(f"the old store could not be opened: {error}")
        return found
    with closing(connection):
        _read(
            connection,
            "SELECT a.slug, r.media_type, r.data FROM raw_sources r"
            " JOIN articles a ON a.id = r.article_id WHERE a.origin = 'http'",
            lambda row: found.http_sources.__setitem__(row[0], RawSource(bytes(row[2]), row[1])),
            "articles written over HTTP",
            found.lost,
        )
        _read(
            connection,
            "SELECT origin, source, created_at FROM articles",
            lambda row: found.created_at.__setitem__((row[0], row[1]), row[2]),
            "creation times",
            found.lost,
        )
        _read(
            connection,
            "SELECT path, section_slug, target, retired_at FROM retired_urls",
            lambda row: found.retired.append(RetiredRow(*row)),
            "retired URLs",
            found.lost,
        )
        _read(
            connection,
            "SELECT seq, at, kind, article_slug, previous_slug, source, origin, sections"
            " FROM changes ORDER BY seq",
            lambda row: found.changes.append(ChangeRow(*row)),
            "the change feed",
            found.lost,
        )
    return found


def _read(
    connection: sqlite3.Connection,
    query: str,
    keep: Callable[[tuple[Any, ...]], None],
    what: str,
    lost: list[str],
) -> None:
    """Keep every row of `query` that can be read; note in `lost` where reading stopped."""
    try:
        for row in _rows(connection, query):
            keep(row)
    except sqlite3.Error as error:
        lost.append(f"{what}: {error}")


def _rows(connection: sqlite3.Connection, query: str) -> Iterator[tuple[Any, ...]]:
    cursor = connection.execute(query)
    while True:
        row = cursor.fetchone()
        if row is None:
            return
        yield tuple(row)
