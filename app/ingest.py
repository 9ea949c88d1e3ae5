"""Files and folders -> parse -> store.upsert, with one report per file and a typed summary.

Rules:
- Supported extensions are the parser's (SUPPORTED_EXTENSIONS); the parser picks the reader.
- A file is identified by its path relative to the articles folder (`root`); that path is
  its article's `source`. A file outside the articles folder is identified by its full
  path; without a `root`, by its path relative to the folder it was found in, or its name.
- A file named explicitly with another extension is *skipped* with a reason; while walking a
  folder such files are *ignored* (reported, not an error: a folder may hold notes and
  images), and hidden files and folders are passed over.
- A file or symlink found in a folder that resolves outside that folder is *skipped*.
- A file that cannot be parsed leaves the version stored before it in place, and says so.
- A file whose sha256 matches the stored content hash is not parsed again (*unchanged*).
- The newest content wins: the store checks, inside its write transaction, that the file
  still holds the bytes that were parsed; if it changed meanwhile, it is parsed again there.
- One bad file never stops the others: each failure becomes a *skipped* report.
- `prune=True` (used when syncing the articles folder) deletes stored articles whose source
  file is no longer there.
- Slugs are made in the store's slug mode (`store.slugs`, app/parsing/slugs.py).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from app.backup import read_backup
from app.errors import (
    SourceChanged,
    SourceConflict,
    StoreDamaged,
    StoreReadOnly,
    StoreUnavailable,
    UnreadableSource,
)
from app.hashing import content_hash
from app.models import Article, SourceFormat, StoredArticle
from app.parsing.formats import EXTENSIONS, format_from_name
from app.parsing.slugs import SlugMode
from app.search.documents import SearchDocument, search_documents
from app.store.base import (
    PendingWrite,
    Precondition,
    RawSource,
    Store,
    Upserted,
    UpsertOutcome,
)
from app.store.history import reslugged
from app.store.salvage import Salvage

# The parser's extension table is the one source of truth for what ingest accepts.
SUPPORTED_EXTENSIONS = tuple(sorted(EXTENSIONS))
# The media types an HTTP client may send an article as, and the reader each one takes.
MEDIA_TYPE_FORMATS: dict[str, SourceFormat] = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/html": "html",
}


if TYPE_CHECKING:
    from app.parsing import ParsedArticle

logger = logging.getLogger("app.ingest")
# Called as (files done, files in all) while a folder is synced.
Progress = Callable[[int, int], None]


class FileStatus(StrEnum):
    INGESTED = "ingested"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    SKIPPED = "skipped"
    IGNORED = "ignored"  # found while walking a folder, not an article format


# What a file's report says for what its upsert did.
OUTCOME_STATUS = {
    UpsertOutcome.INSERTED: FileStatus.INGESTED,
    UpsertOutcome.UPDATED: FileStatus.UPDATED,
    UpsertOutcome.UNCHANGED: FileStatus.UNCHANGED,
}


@dataclass(frozen=True, kw_only=True)
class FileReport:
    """What happened to one source file."""

    path: str  # as given or found; for a removal, the stored source name
    status: FileStatus
    slug: str | None = None
    warnings: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class IngestSummary:
    """Every file's report, in the order the files were seen."""

    reports: tuple[FileReport, ...] = field(default_factory=tuple)

    def with_status(self, status: FileStatus) -> list[FileReport]:
        return [report for report in self.reports if report.status is status]

    @property
    def warned(self) -> list[FileReport]:
        return [report for report in self.reports if report.warnings]

    @property
    def ok(self) -> bool:
        """True when no file was skipped."""
        return not self.with_status(FileStatus.SKIPPED)

    @property
    def changed(self) -> bool:
        unchanged_or_skipped = {FileStatus.UNCHANGED, FileStatus.SKIPPED}
        return any(report.status not in unchanged_or_skipped for report in self.reports)

    def counts(self) -> dict[str, int]:
        """Number of files per status, every status present, plus `warned`."""
        counts = {status.value: len(self.with_status(status)) for status in FileStatus}
        counts["warned"] = len(self.warned)
        return counts

    def lines(self) -> list[str]:
        """One line per file (and per warning), then the counts: what `ingest` prints."""
        lines: list[str] = []
        for report in self.reports:
            line = f"{report.status.value:<9} {report.path}"
            if report.slug and report.status is not FileStatus.SKIPPED:
                line += f" -> {report.slug}"
            if report.reason:
                line += f": {report.reason}"
            lines.append(line)
            lines.extend(f"  warning: {warning}" for warning in report.warnings)
        counts = ", ".join(f"{count} {name}" for name, count in self.counts().items())
        lines.append(f"summary: {counts}")
        return lines


def ingest_paths(
    *,
    store: Store,
    paths: Sequence[Path],
    root: Path | None = None,
    prune: bool = False,
    gone: Iterable[str] = (),
    progress: Progress | None = None,
) -> IngestSummary:
    """Ingest files and folders (recursively) into `store`; see the module docstring.

    The stored sources in `gone` (and, with `prune`, every stored source not found) are
    removed first, so their slugs are free for what replaces them; a new file with the
    exact bytes of one of them is that file renamed, and keeps its article and URLs."""
    stored = store.source_hashes()
    reports: list[FileReport] = []
    files: dict[str, Path] = {}
    candidates = list(_candidates(paths, root))
    for candidate in candidates:
        if isinstance(candidate, _Refused):
            continue
        path, source = candidate
        files.setdefault(source, path)
    vanished = {source for source in gone if source in stored and source not in files}
    if prune:
        vanished |= {source for source in stored if source not in files}
    renamed = _renames(store=store, files=files, stored=stored, vanished=vanished, root=root)
    moved = {rename.old for rename in renamed.values()}
    # A file missing from a walk of the whole folder may be back by the time it is removed
    # (then its own change ingests it); one that is merely not among the PATHs goes.
    walked_root = root is not None and any(p.absolute() == root.absolute() for p in paths)
    removals = list(
        _prune(
            store=store,
            stored={source: stored[source] for source in vanished - moved},
            root=root,
            guarded=(set(gone) | ({*stored} if walked_root else set())),
        )
    )
    to_prepare: list[tuple[int, Path, str]] = []
    for done, candidate in enumerate(candidates, start=1):
        if progress is not None and not to_prepare:
            progress(done, len(candidates))
        if isinstance(candidate, _Refused):
            reports.append(
                FileReport(
                    path=str(candidate.path), status=candidate.status, reason=candidate.reason
                )
            )
            continue
        path, source = candidate
        if files[source] != path:
            reason = f"another file with the source {source!r} was read first: {files[source]}"
            reports.append(FileReport(path=str(path), status=FileStatus.SKIPPED, reason=reason))
        elif source in renamed:
            rename = renamed[source]
            reason = f"renamed from {rename.old}"
            report = FileReport(
                path=str(path), status=FileStatus.UPDATED, slug=rename.slug, reason=reason
            )
            if not rename.same_bytes:
                # Matched by name: the store no longer knows which bytes it parsed.
                parsed = ingest_file(
                    store=store, path=path, source=source, stored=(rename.slug, "")
                )
                report = replace(parsed, reason=parsed.reason or reason)
            reports.append(report)
        else:
            to_prepare.append((len(reports), path, source))
            reports.append(FileReport(path=str(path), status=FileStatus.SKIPPED))
    batch = _Batch(store)
    done = len(candidates) - len(to_prepare)
    for (at, path, source), prepared in zip(
        to_prepare, _prepare_all(to_prepare, stored, store.slugs), strict=True
    ):
        done += 1
        if progress is not None:
            progress(done, len(candidates))
        if isinstance(prepared, FileReport):
            reports[at] = prepared
            continue
        batch.add(prepared.waiting(path, source, store.slugs), at=at)
        if batch.full():
            batch.write(reports)
    batch.write(reports)
    return IngestSummary(tuple(reports + removals))


def _renames(
    *,
    store: Store,
    files: dict[str, Path],
    stored: dict[str, tuple[str, str]],
    vanished: set[str],
    root: Path | None,
) -> dict[str, _Rename]:
    """New sources that are vanished ones moved: moved to the new path in the store, keeping
    their article. A file is recognised by its bytes; where the store forgot the bytes (its
    articles were parsed by an older release), by its name when only one vanished source and
    one new file have it (an older release knew files by name alone)."""
    by_hash: dict[str, str] = {}
    by_name: dict[str, str | None] = {}
    for source in sorted(vanished):
        digest = stored[source][1]
        if digest:
            by_hash[digest] = source
        else:
            name = PurePosixPath(source).name
            by_name[name] = None if name in by_name else source
    new_names = Counter(PurePosixPath(source).name for source in files if source not in stored)
    renamed: dict[str, _Rename] = {}
    if not by_hash and not any(by_name.values()):
        return renamed
    for source, path in files.items():
        if source in stored:
            continue
        try:
            digest = content_hash(path.read_bytes())
        except OSError:
            continue
        old = by_hash.pop(digest, None)
        same_bytes = old is not None
        name = PurePosixPath(source).name
        if old is None and new_names[name] == 1:
            old = by_name.pop(name, None)
        if old is None:
            continue
        old_path = root / old if root is not None else None
        try:
            slug = store.rename_source(old, source, precondition=_still_missing(old_path))
            if slug is not None:
                renamed[source] = _Rename(old, slug, same_bytes)
        except SourceChanged:
            continue  # the old file came back: both are ingested as they are
    return renamed


@dataclass(frozen=True)
class _Rename:
    old: str
    slug: str
    same_bytes: bool  # else the file is parsed again under its new name


def sync_folder(*, store: Store, folder: Path, progress: Progress | None = None) -> IngestSummary:
    """Make the store hold exactly the supported files of `folder` (what `serve` runs), and
    re-parse articles written over HTTP whose parse a new version of the parser would change."""
    if not folder.is_dir():
        report = FileReport(path=str(folder), status=FileStatus.SKIPPED, reason="not a folder")
        return IngestSummary((report,))
    summary = ingest_paths(store=store, paths=[folder], root=folder, prune=True, progress=progress)
    return IngestSummary(summary.reports + tuple(reparse_http_articles(store=store)))


def apply_changes(*, store: Store, folder: Path, paths: Iterable[Path]) -> IngestSummary:
    """Bring the store up to date with changed paths under `folder` (what the watcher calls):
    files there are ingested, articles whose file (or folder) is gone are removed, and a
    file moved within the folder keeps its article."""
    present: list[Path] = []
    gone: list[str] = []
    stored = store.source_hashes()
    for path in sorted(set(paths)):
        if path.exists() or path.is_symlink():
            present.append(path)
            continue
        source = _source_of(path, folder)
        if source is not None:
            gone += [s for s in stored if s == source or s.startswith(f"{source}/")]
    if not present and not gone:
        return IngestSummary()
    return ingest_paths(store=store, paths=present, root=folder, gone=gone)


def split_media_type(value: str) -> tuple[str, str | None]:
    """`text/markdown; charset=KOI8-R` -> ("text/markdown", "KOI8-R")."""
    main, *parameters = value.split(";")
    charset = None
    for parameter in parameters:
        name, _, given = parameter.partition("=")
        if name.strip().lower() == "charset" and given.strip().strip('"'):
            charset = given.strip().strip('"')
    return main.strip().lower(), charset


def http_article(
    *, slug: str, data: bytes, media_type: str, slugs: SlugMode = "ascii"
) -> ParsedArticle:
    """Parse bytes an HTTP client sent for `slug` as `media_type` (a Content-Type, with its
    charset if any): the URL, not the title, names the article."""
    main, charset = split_media_type(media_type)
    parsed = parse_article(
        data, source=slug, source_format=MEDIA_TYPE_FORMATS[main], charset=charset, slugs=slugs
    )
    article = reslugged(parsed.article, slug).model_copy(update={"origin": "http"})
    return replace(parsed, article=article)


def reparse_http_articles(*, store: Store) -> Iterator[FileReport]:
    """Articles written over HTTP whose stored parse came from other code, parsed again
    from the bytes the client sent (unless a client wrote or deleted them meanwhile)."""
    for slug, raw in store.raw_sources(stale_only=True):
        try:
            yield store_http_source(
                store=store, slug=slug, raw=raw, precondition=_still_stale(content_hash(raw.data))
            )
        except SourceChanged:
            continue


def store_http_source(
    *,
    store: Store,
    slug: str,
    raw: RawSource,
    shown: str | None = None,
    precondition: Precondition | None = None,
) -> FileReport:
    """Parse and store bytes sent over HTTP (kept, or from a backup) as the article `slug`;
    one report, shown as `shown` (default `http:<slug>`)."""
    return _stored_report(
        store=store,
        shown=shown or f"http:{slug}",
        parse=lambda: http_article(
            slug=slug, data=raw.data, media_type=raw.media_type, slugs=store.slugs
        ),
        raw=raw,
        precondition=precondition,
    )


def _stored_report(
    *,
    store: Store,
    shown: str,
    parse: Callable[[], ParsedArticle],
    raw: RawSource | None = None,
    precondition: Precondition | None = None,
) -> FileReport:
    """Parse and store one source that is not a file being read now; its one report. The
    store's own failures (and a precondition's SourceChanged) are the caller's to handle."""
    try:
        parsed = parse()
        upserted = store.upsert_article(parsed.article, raw=raw, precondition=precondition)
    except (StoreDamaged, StoreReadOnly, StoreUnavailable, SourceChanged):
        raise
    except Exception as exc:
        return FileReport(path=shown, status=FileStatus.SKIPPED, reason=_failure(exc))
    status = OUTCOME_STATUS[upserted.outcome]
    return FileReport(
        path=shown, status=status, slug=upserted.slug, warnings=tuple(parsed.warnings)
    )


def _still_stale(raw_hash: str) -> Precondition:
    """A precondition: the stored article is still the one those bytes were parsed into
    (no client wrote or deleted it since they were listed)."""

    def check(stored: StoredArticle | None) -> None:
        if stored is None or stored.content_hash != raw_hash:
            raise SourceChanged("written or deleted over HTTP meanwhile")
        return None

    return check


@dataclass(frozen=True)
class _Refused:
    path: Path
    status: FileStatus
    reason: str


def _source_of(path: Path, folder: Path | None) -> str | None:
    """The path relative to `folder` (POSIX separators), or None when it is not inside."""
    if folder is None:
        return None
    try:
        return path.absolute().relative_to(folder.absolute()).as_posix()
    except ValueError:
        return None


def _inside(path: Path, folder: Path) -> bool:
    """True when `path`, with every symlink resolved, is inside `folder`."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _candidates(paths: Iterable[Path], root: Path | None) -> Iterator[tuple[Path, str] | _Refused]:
    """Every file to consider with its source, in a stable order: folders are walked, files
    taken as given. Hidden files are passed over silently; other files of unknown formats
    are reported, and so is anything that leads out of its folder."""
    for path in paths:
        source = _source_of(path, root)
        if path.is_dir() and not path.is_symlink():
            if root is not None and source is not None:
                yield from _walk(path, root)
            else:
                yield from _walk(path, path, absolute=root is not None)
        elif root is not None and source is not None and not _inside(path, root):
            yield _Refused(path, FileStatus.SKIPPED, f"resolves outside {root}")
        elif path.is_dir():
            yield _Refused(path, FileStatus.SKIPPED, "a symlinked folder: its files are not read")
        elif root is not None and source is None:
            # Outside the articles folder: its full path, so it can never take the identity
            # of a file inside (`elsewhere/FAQ.md` is not `articles/FAQ.md`).
            yield path, path.absolute().as_posix()
        else:
            yield path, source or path.name


def _walk(
    folder: Path, root: Path, *, absolute: bool = False
) -> Iterator[tuple[Path, str] | _Refused]:
    """The files under `folder`, each with its path relative to `root` as its source (its
    full path when `absolute`: a folder outside the articles folder)."""
    # os.walk does not enter symlinked folders: below a folder inside `root`, only a
    # symlinked file can lead out, so only those are resolved.
    folder_inside = _inside(folder, root)
    for directory, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        here = Path(directory)
        for name in subfolders:
            if (here / name).is_symlink():
                reason = "a symlinked folder: its files are not read"
                if not _inside(here / name, root):
                    reason = f"resolves outside {root}"
                yield _Refused(here / name, FileStatus.SKIPPED, reason)
        for name in sorted(files):
            child = here / name
            if name.startswith("."):
                continue
            if format_from_name(name) is None:
                reason = f"not an article format ({child.suffix or 'no extension'})"
                yield _Refused(child, FileStatus.IGNORED, reason)
            elif not (folder_inside and not child.is_symlink()) and not _inside(child, root):
                yield _Refused(child, FileStatus.SKIPPED, f"resolves outside {root}")
            elif absolute:
                yield child, child.absolute().as_posix()
            else:
                yield child, _source_of(child, root) or name


def parse_article(
    data: bytes,
    *,
    source: str,
    source_format: SourceFormat | None = None,
    charset: str | None = None,
    slugs: SlugMode = "ascii",
) -> ParsedArticle:
    """app.parsing's parse_article, imported on first use: a server that only reads its
    store starts without the parser's libraries and models."""
    from app.parsing import parse_article as parse

    return parse(data, source=source, source_format=source_format, charset=charset, slugs=slugs)


# Files parsed before they are written in one transaction: one commit for many articles
# (most of the cost of a small write is its commit), each still all or nothing.
BATCH_FILES = 64
BATCH_BYTES = 8 << 20
# Files are parsed by worker processes from this many on (starting them costs a second).
PARALLEL_MIN_FILES = 200
MAX_PARSE_WORKERS = 4


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A file read, parsed and analysed (possibly in a worker process)."""

    shown: str
    stored: tuple[str, str] | None
    parsed: ParsedArticle
    documents: list[SearchDocument]
    digest: str
    size: int

    def waiting(self, path: Path, source: str, slugs: SlugMode) -> _Waiting:
        return _Waiting(self, _newest_version(path, source, self.digest, slugs))


@dataclass(frozen=True, slots=True)
class _Waiting:
    """A prepared file with the precondition its write must meet."""

    prepared: _Prepared
    precondition: Precondition

    def write(self) -> PendingWrite:
        return PendingWrite(
            self.prepared.parsed.article, self.precondition, self.prepared.documents
        )

    def report(self, result: Upserted | Exception) -> FileReport:
        """What the write did for this file, or why it was skipped."""
        prepared = self.prepared
        if isinstance(result, Exception):
            return _refusal(prepared.shown, prepared.stored, result)
        status = OUTCOME_STATUS[result.outcome]
        if prepared.stored is not None and status is FileStatus.INGESTED:
            status = FileStatus.UPDATED
        return FileReport(
            path=prepared.shown,
            status=status,
            slug=result.slug,
            warnings=tuple(prepared.parsed.warnings),
        )


def _refusal(shown: str, stored: tuple[str, str] | None, exc: Exception) -> FileReport:
    """Why a file was not stored; the store's own failures are raised instead."""
    if isinstance(exc, (StoreDamaged, StoreReadOnly, StoreUnavailable)):
        raise exc  # about the store, not this file: no other file would fare better
    if isinstance(exc, (UnreadableSource, SourceConflict, SourceChanged)):
        reason = str(exc)
        if stored is not None:
            reason += f"; the version stored before is still served as {stored[0]!r}"
        return FileReport(path=shown, status=FileStatus.SKIPPED, reason=reason)
    # A parser or store bug on one file must not stop the others (nor `serve`).
    logger.error("ingesting %s failed", shown, exc_info=exc)
    return FileReport(path=shown, status=FileStatus.SKIPPED, reason=_failure(exc))


class _Batch:
    """Prepared files, written together (see BATCH_FILES); their reports go in place."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._items: list[tuple[int, _Waiting]] = []
        self._bytes = 0

    def add(self, waiting: _Waiting, *, at: int) -> None:
        self._items.append((at, waiting))
        self._bytes += waiting.prepared.size

    def full(self) -> bool:
        return len(self._items) >= BATCH_FILES or self._bytes >= BATCH_BYTES

    def write(self, reports: list[FileReport]) -> None:
        if not self._items:
            return
        items, self._items, self._bytes = self._items, [], 0
        results = self._store.upsert_batch([waiting.write() for _, waiting in items])
        for (at, waiting), result in zip(items, results, strict=True):
            reports[at] = waiting.report(result)


def _prepare_all(
    files: Sequence[tuple[int, Path, str]], stored: dict[str, tuple[str, str]], slugs: SlugMode
) -> Iterator[FileReport | _Prepared]:
    """Every file prepared, in order: by a pool of worker processes when there are enough
    to be worth starting one (parsing and analysis are most of an ingest's work)."""
    jobs = [(str(path), source, stored.get(source), slugs) for _, path, source in files]
    workers = min(os.cpu_count() or 1, MAX_PARSE_WORKERS)
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2:
        yield from (_prepare_job(job) for job in jobs)
        return
    # forkserver: a clean process to fork workers from, safe in a server with threads.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_prepare_job, jobs, chunksize=8)


def _prepare_job(
    job: tuple[str, str, tuple[str, str] | None, SlugMode],
) -> FileReport | _Prepared:
    path, source, stored, slugs = job
    return _prepare_file(path=Path(path), source=source, stored=stored, slugs=slugs)


def _prepare_file(
    *, path: Path, source: str, stored: tuple[str, str] | None, slugs: SlugMode
) -> FileReport | _Prepared:
    """Read, parse and analyse one file: a report when there is nothing to write."""
    shown = str(path)
    if format_from_name(path.name) is None:
        supported = " ".join(SUPPORTED_EXTENSIONS)
        reason = f"unsupported extension {path.suffix or '(none)'!r}; supported: {supported}"
        return FileReport(path=shown, status=FileStatus.SKIPPED, reason=reason)
    try:
        data = path.read_bytes()
    except OSError as exc:
        # strerror keeps the message short ("No such file or directory"), without the path
        reason = f"cannot read: {exc.strerror or exc}"
        return FileReport(path=shown, status=FileStatus.SKIPPED, reason=reason)
    digest = content_hash(data)
    if stored is not None and stored[1] == digest:
        return FileReport(path=shown, status=FileStatus.UNCHANGED, slug=stored[0])
    try:
        parsed = parse_article(data, source=source, slugs=slugs)
        documents = search_documents(parsed.article)
    except Exception as exc:
        return _refusal(shown, stored, exc)
    return _Prepared(shown, stored, parsed, documents, digest, len(data))


def ingest_file(
    *, store: Store, path: Path, source: str, stored: tuple[str, str] | None
) -> FileReport:
    """Read, parse and store one file; read again if it changes before the write commits."""
    prepared = _prepare_file(path=path, source=source, stored=stored, slugs=store.slugs)
    if isinstance(prepared, FileReport):
        return prepared
    waiting = prepared.waiting(path, source, store.slugs)
    try:
        (result,) = store.upsert_batch([waiting.write()])
    except Exception as exc:
        return waiting.report(exc)
    return waiting.report(result)


def _failure(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"cannot write: {exc.strerror or exc}"
    return f"internal error: {type(exc).__name__}: {exc}"


def _newest_version(path: Path, source: str, digest: str, slugs: SlugMode) -> Precondition:
    """A precondition: the file still holds the bytes that were parsed, else it is parsed
    again as it is now, while the store is locked. Checked inside the write transaction, so
    no writer can store an older version after a newer one, and a file rewritten faster
    than it parses still gets its latest version stored."""

    def check(_stored: StoredArticle | None) -> Article | None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceChanged(f"{path} could no longer be read: {exc.strerror or exc}") from exc
        if content_hash(data) == digest:
            return None
        return parse_article(data, source=source, slugs=slugs).article

    return check


def _still_missing(path: Path | None) -> Precondition:
    def check(_stored: StoredArticle | None) -> None:
        if path is not None and path.exists():
            raise SourceChanged(f"{path} is back")
        return None

    return check


def _prune(
    *,
    store: Store,
    stored: dict[str, tuple[str, str]],
    root: Path | None,
    guarded: set[str],
) -> Iterator[FileReport]:
    """Remove the articles of `stored`; those in `guarded` only while their file is still
    missing under `root`."""
    for source in sorted(stored):
        path = root / source if root is not None and source in guarded else None
        try:
            removed = store.delete_source(source, precondition=_still_missing(path))
        except SourceChanged:
            continue  # the file came back meanwhile: its own event ingests it
        if removed is not None:
            yield FileReport(
                path=source,
                status=FileStatus.REMOVED,
                slug=removed,
                reason="source file no longer in the folder"
                if source in guarded
                else "not among the paths ingested (--prune)",
            )


def _restore_file(*, store: Store, source: str, data: bytes, shown: str) -> FileReport:
    """A file's article from bytes a backup kept (its file may be gone)."""
    return _stored_report(
        store=store,
        shown=shown,
        parse=lambda: parse_article(data, source=source, slugs=store.slugs),
    )


def restore_backup(*, store: Store, path: Path) -> IngestSummary:
    """The articles of a backup (app/backup.py), parsed again from the bytes it holds: an
    HTTP article under its slug, a file's article under its path (a later sync of the
    folder removes it if the folder has no such file). Creation times come back too."""
    reports: list[FileReport] = []
    created: dict[tuple[str, str], str] = {}
    for entry in read_backup(path):
        shown = f"{path}:{entry.slug}"
        raw = entry.raw()
        if raw is None:
            reason = "the backup holds no bytes for it (its file had changed when it was made)"
            reports.append(FileReport(path=shown, status=FileStatus.SKIPPED, reason=reason))
            continue
        if entry.origin == "http":
            report = store_http_source(store=store, slug=entry.slug, raw=raw, shown=shown)
        else:
            report = _restore_file(store=store, source=entry.source, data=raw.data, shown=shown)
        if report.status is not FileStatus.SKIPPED:
            created[(entry.origin, entry.source)] = entry.created_at
        reports.append(report)
    store.restore_history(Salvage(created_at=created))
    return IngestSummary(tuple(reports))
