"""Files and folders -> parse -> store.upsert, with one report per file and a typed summary.

Rules:
- Supported extensions are the parser's (SUPPORTED_EXTENSIONS); the parser picks the reader.
- A file's name is its article's `source`: two files with one name cannot both be stored.
- A file named explicitly with another extension is *skipped* with a reason; while walking a
  folder such files are *ignored* (reported, not an error: a folder may hold notes and
  images), and hidden files and folders are passed over.
- A file that cannot be parsed leaves the version stored before it in place, and says so.
- A file whose sha256 matches the stored content hash is not parsed again (*unchanged*).
- One bad file never stops the others: each failure becomes a *skipped* report.
- `prune=True` (used when syncing the articles folder) deletes stored articles whose source
  file is no longer there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from app.errors import SlugConflict, UnreadableSource
from app.parsing import parse_article
from app.parsing.formats import EXTENSIONS, format_from_name
from app.parsing.pipeline import content_hash
from app.store.base import Store, UpsertOutcome

# The parser's extension table is the one source of truth for what ingest accepts.
SUPPORTED_EXTENSIONS = tuple(sorted(EXTENSIONS))


class FileStatus(StrEnum):
    INGESTED = "ingested"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    SKIPPED = "skipped"
    IGNORED = "ignored"  # found while walking a folder, not an article format


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


def ingest_paths(*, store: Store, paths: Sequence[Path], prune: bool = False) -> IngestSummary:
    """Ingest files and folders (recursively) into `store`; see the module docstring."""
    stored = store.source_hashes()
    reports: list[FileReport] = []
    first_path: dict[str, Path] = {}
    for path in _candidates(paths):
        if isinstance(path, _Ignored):
            reports.append(
                FileReport(path=str(path.path), status=FileStatus.IGNORED, reason=path.reason)
            )
            continue
        # The parser records a file's name (not its folder) as the article's source, so the
        # name is the key an article is stored, compared and pruned under.
        source = path.name
        if source in first_path:
            if first_path[source] != path:
                reason = f"another file named {source!r} was read first: {first_path[source]}"
                reports.append(FileReport(path=str(path), status=FileStatus.SKIPPED, reason=reason))
            continue
        first_path[source] = path
        reports.append(_ingest_file(store=store, path=path, stored=stored.get(source)))
    if prune:
        reports.extend(_prune(store=store, stored=stored, keep=set(first_path)))
    return IngestSummary(tuple(reports))


def sync_folder(*, store: Store, folder: Path) -> IngestSummary:
    """Make the store hold exactly the supported files of `folder` (what `serve` runs)."""
    if not folder.is_dir():
        report = FileReport(path=str(folder), status=FileStatus.SKIPPED, reason="not a folder")
        return IngestSummary((report,))
    return ingest_paths(store=store, paths=[folder], prune=True)


@dataclass(frozen=True)
class _Ignored:
    path: Path
    reason: str


def _candidates(paths: Iterable[Path]) -> Iterator[Path | _Ignored]:
    """Every file to consider, in a stable order: folders are walked, files taken as given.
    Hidden files are passed over silently; other files of unknown formats are reported."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        for child in sorted(path.rglob("*")):
            hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
            if not child.is_file() or hidden:
                continue
            if format_from_name(child.name) is None:
                yield _Ignored(child, f"not an article format ({child.suffix or 'no extension'})")
            else:
                yield child


def _ingest_file(*, store: Store, path: Path, stored: tuple[str, str] | None) -> FileReport:
    shown = str(path)
    if format_from_name(path.name) is None:
        supported = " ".join(SUPPORTED_EXTENSIONS)
        reason = f"unsupported extension {path.suffix or '(none)'!r}; supported: {supported}"
        return FileReport(path=shown, status=FileStatus.SKIPPED, reason=reason)
    try:
        data = path.read_bytes()
    except OSError as exc:
        # strerror keeps the message short ("No such file or directory"), without the path twice
        return FileReport(
            path=shown, status=FileStatus.SKIPPED, reason=f"cannot read: {exc.strerror or exc}"
        )
    digest = content_hash(data)
    if stored is not None and stored[1] == digest:
        return FileReport(path=shown, status=FileStatus.UNCHANGED, slug=stored[0])
    try:
        parsed = parse_article(data, source=path.name)
        outcome = store.upsert_article(parsed.article)
    except (UnreadableSource, SlugConflict) as exc:
        reason = str(exc)
        if stored is not None:
            reason += f"; the version stored before is still served as {stored[0]!r}"
        return FileReport(path=shown, status=FileStatus.SKIPPED, reason=reason)
    except Exception as exc:
        # A parser or store bug on one file must not stop the others (nor `serve` starting).
        reason = f"internal error: {type(exc).__name__}: {exc}"
        return FileReport(path=shown, status=FileStatus.SKIPPED, reason=reason)
    # A changed title (hence slug) replaced the old article in the same transaction.
    slug = parsed.article.slug
    status = {
        UpsertOutcome.INSERTED: FileStatus.INGESTED,
        UpsertOutcome.UPDATED: FileStatus.UPDATED,
        UpsertOutcome.UNCHANGED: FileStatus.UNCHANGED,
    }[outcome]
    if stored is not None and status is FileStatus.INGESTED:
        status = FileStatus.UPDATED
    return FileReport(path=shown, status=status, slug=slug, warnings=tuple(parsed.warnings))


def _prune(
    *, store: Store, stored: dict[str, tuple[str, str]], keep: set[str]
) -> Iterator[FileReport]:
    for source, (slug, _hash) in sorted(stored.items()):
        if source not in keep and store.delete_article(slug):
            yield FileReport(
                path=source,
                status=FileStatus.REMOVED,
                slug=slug,
                reason="source file no longer in the folder",
            )
