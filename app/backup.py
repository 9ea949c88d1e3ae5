"""Portable backups: every article as one JSON line with its source bytes, written by
`article-qa export` and read back by `article-qa ingest` and `article-qa rebuild --from`.

A line holds the article's identity (slug, source, origin), its timestamps, the bytes it was
parsed from (base64; always for an article written over HTTP, for a file when the file still
holds those bytes) and the parsed Article, so other tools can read a backup without parsing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from app.errors import UnreadableSource
from app.hashing import content_hash
from app.models import Article, Origin
from app.store.base import RawSource, Store

BackupFormat = Literal["article-qa-backup/1"]
BACKUP_FORMAT: BackupFormat = "article-qa-backup/1"
BACKUP_EXTENSIONS = (".jsonl", ".ndjson")


class BackedUpArticle(BaseModel):
    """One line of a backup."""

    format: BackupFormat = BACKUP_FORMAT
    slug: str
    source: str
    origin: Origin
    created_at: str
    updated_at: str
    media_type: str | None  # what an HTTP client sent it as; None for a file
    data_base64: str | None  # the source bytes, when known
    article: Article

    def raw(self) -> RawSource | None:
        if self.data_base64 is None:
            return None
        data = base64.b64decode(self.data_base64, validate=True)
        return RawSource(data, self.media_type or "")


def backup_lines(*, store: Store, articles_dir: Path) -> Iterator[str]:
    """Every stored article as a backup line, by slug."""
    http_sources = dict(store.raw_sources(stale_only=False))
    for stored in store.stored_articles():
        raw = http_sources.get(stored.slug) if stored.origin == "http" else None
        data = raw.data if raw is not None else _file_bytes(articles_dir, stored.source)
        if data is not None and content_hash(data) != stored.content_hash and raw is None:
            data = None  # the file changed since it was stored: its bytes are not this article's
        line = BackedUpArticle(
            slug=stored.slug,
            source=stored.source,
            origin=stored.origin,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
            media_type=raw.media_type if raw is not None else None,
            data_base64=base64.b64encode(data).decode("ascii") if data is not None else None,
            article=stored.parsed(),
        )
        yield line.model_dump_json()


def read_backup(path: Path) -> Iterator[BackedUpArticle]:
    """The lines of a backup file; UnreadableSource names the first line that is not one."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise UnreadableSource(f"cannot read {path}: {error.strerror or error}") from error
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entry = BackedUpArticle.model_validate_json(line)
                entry.raw()  # the base64 must decode
            except (ValidationError, binascii.Error, ValueError, json.JSONDecodeError) as error:
                reason = str(error).splitlines()[0]
                raise UnreadableSource(
                    f"{path}, line {number}: not an article-qa backup line ({reason})"
                ) from error
            yield entry


def is_backup(path: Path) -> bool:
    return path.suffix.lower() in BACKUP_EXTENSIONS


def _file_bytes(articles_dir: Path, source: str) -> bytes | None:
    path = Path(source) if Path(source).is_absolute() else articles_dir / source
    try:
        return path.read_bytes()
    except OSError:
        return None
