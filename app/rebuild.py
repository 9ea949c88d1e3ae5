"""`article-qa rebuild`: a new store made from the articles' sources, in place of the old one.

The articles folder gives the files' articles; the old store (as much of it as can still be
read) and an optional backup give the bytes of the articles written over HTTP, when each
source was first stored, and the slug history (retired URLs, the change feed). The new
store is built beside the old one and moved over it only when complete; stop the servers
that use the store first (they would go on reading the old file).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.backup import read_backup
from app.ingest import IngestSummary, store_http_source, sync_folder
from app.parsing.slugs import SlugMode
from app.store.salvage import Salvage, salvage
from app.store.sqlite import SQLiteStore

# Files SQLite keeps beside a database in WAL mode.
_SIDECARS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class RebuildReport:
    summary: IngestSummary  # the folder's files, then the HTTP articles
    lost: list[str]  # what could not be read from the old store
    damage: str | None  # found by the full check of the new store (None: intact)

    @property
    def ok(self) -> bool:
        return self.summary.ok and not self.lost and self.damage is None

    def lines(self) -> list[str]:
        lines = self.summary.lines()
        lines += [f"lost: {what}" for what in self.lost]
        lines.append(f"check: {self.damage or 'ok'}")
        return lines


def rebuild_store(
    *, db: Path, articles_dir: Path, backup: Path | None = None, slugs: SlugMode = "ascii"
) -> RebuildReport:
    """Rebuild the store at `db` from `articles_dir`, the old store and `backup`, with
    slugs in the mode `slugs`."""
    kept = salvage(db)
    if backup is not None:
        _add_backup(kept, backup)
    fresh = db.with_name(f"{db.name}.rebuilding")
    _remove_with_sidecars(fresh)
    store = SQLiteStore(fresh, slugs=slugs)
    try:
        summary = sync_folder(store=store, folder=articles_dir)
        reports = list(summary.reports)
        reports += [
            store_http_source(store=store, slug=slug, raw=raw)
            for slug, raw in sorted(kept.http_sources.items())
        ]
        store.restore_history(kept)
        damage = store.check_integrity(full=True)
    finally:
        store.close()
    # The old file's WAL must not be replayed onto the new file: remove it before the move.
    for suffix in _SIDECARS:
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.replace(fresh, db)
    return RebuildReport(IngestSummary(tuple(reports)), kept.lost, damage)


def _add_backup(kept: Salvage, backup: Path) -> None:
    """What the old store no longer has, from a backup (app/backup.py)."""
    for entry in read_backup(backup):
        raw = entry.raw()
        if entry.origin == "http" and raw is not None:
            kept.http_sources.setdefault(entry.slug, raw)
        kept.created_at.setdefault((entry.origin, entry.source), entry.created_at)


def _remove_with_sidecars(path: Path) -> None:
    path.unlink(missing_ok=True)
    for suffix in _SIDECARS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)
