"""app.ingest on the real parser and a real store of each backend (SQLite, PostgreSQL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.ingest import FileStatus, IngestSummary, ingest_paths, sync_folder
from app.store import Store
from tests.conftest import SEED_FILE, SEED_SLUG, TWIN_FILE_NAME, TWIN_SLUG, TWIN_TEXT


@pytest.fixture
def store(any_store: Store) -> Store:
    return any_store


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEED_FILE, articles / SEED_FILE.name)
    return articles


def statuses(summary: IngestSummary) -> dict[str, FileStatus]:
    return {Path(report.path).name: report.status for report in summary.reports}


def test_first_sync_ingests(store: Store, folder: Path) -> None:
    summary = sync_folder(store=store, folder=folder)

    assert statuses(summary) == {SEED_FILE.name: FileStatus.INGESTED}
    assert summary.ok
    assert summary.reports[0].slug == SEED_SLUG
    assert store.get_article(SEED_SLUG).source == SEED_FILE.name


def test_unchanged_file_changes_nothing(store: Store, folder: Path) -> None:
    sync_folder(store=store, folder=folder)
    before = store.get_article(SEED_SLUG)

    summary = sync_folder(store=store, folder=folder)

    assert statuses(summary) == {SEED_FILE.name: FileStatus.UNCHANGED}
    assert not summary.changed
    assert store.get_article(SEED_SLUG) == before


def test_changed_file_is_replaced(store: Store, folder: Path) -> None:
    sync_folder(store=store, folder=folder)
    seed = folder / SEED_FILE.name
    seed.write_bytes(seed.read_bytes() + b"\n\nWhat comes next?\n\nMore talks in May.\n")

    summary = sync_folder(store=store, folder=folder)

    assert statuses(summary) == {SEED_FILE.name: FileStatus.UPDATED}
    article = store.get_article(SEED_SLUG)
    assert article.sections[-1].heading == "What comes next?"
    assert store.source_hashes()[SEED_FILE.name][1] == article.content_hash


def test_removed_file_is_removed_from_the_store(store: Store, folder: Path) -> None:
    (folder / TWIN_FILE_NAME).write_text(TWIN_TEXT, encoding="utf-8")
    sync_folder(store=store, folder=folder)
    (folder / TWIN_FILE_NAME).unlink()

    summary = sync_folder(store=store, folder=folder)

    assert statuses(summary) == {
        SEED_FILE.name: FileStatus.UNCHANGED,
        TWIN_FILE_NAME: FileStatus.REMOVED,
    }
    assert set(store.source_hashes()) == {SEED_FILE.name}


def test_ingest_paths_without_prune_keeps_other_articles(store: Store, folder: Path) -> None:
    twin = folder.parent / TWIN_FILE_NAME
    twin.write_text(TWIN_TEXT, encoding="utf-8")
    ingest_paths(store=store, paths=[twin])

    summary = ingest_paths(store=store, paths=[folder])

    assert summary.ok
    assert {slug for slug, _ in store.source_hashes().values()} == {SEED_SLUG, TWIN_SLUG}


@pytest.mark.parametrize(
    ("name", "content", "reason_part"),
    [
        pytest.param("empty.txt", b"", "", id="empty"),
        pytest.param("binary.txt", bytes(range(256)) * 4, "", id="binary"),
        pytest.param("notes.pdf", b"%PDF-1.4", "unsupported extension '.pdf'", id="extension"),
    ],
)
def test_bad_file_is_skipped_and_others_go_on(
    store: Store, folder: Path, name: str, content: bytes, reason_part: str
) -> None:
    bad = folder.parent / name
    bad.write_bytes(content)

    summary = ingest_paths(store=store, paths=[bad, folder / SEED_FILE.name])

    [skipped] = summary.with_status(FileStatus.SKIPPED)
    assert skipped.path == str(bad)
    assert skipped.reason
    assert reason_part in skipped.reason
    assert not summary.ok
    assert statuses(summary)[SEED_FILE.name] is FileStatus.INGESTED


def test_missing_file_is_skipped_with_os_reason(store: Store, tmp_path: Path) -> None:
    summary = ingest_paths(store=store, paths=[tmp_path / "gone.txt"])

    [report] = summary.reports
    assert report.status is FileStatus.SKIPPED
    assert report.reason == "cannot read: No such file or directory"


def test_same_title_from_another_file_gets_its_own_slug(
    store: Store, folder: Path, tmp_path: Path
) -> None:
    # Named to sort after the seed, which therefore keeps the bare slug (app/store/identity.py)
    copy = tmp_path / "seed-copy.txt"
    copy.write_bytes(SEED_FILE.read_bytes() + b"\nA different ending.\n")

    summary = ingest_paths(store=store, paths=[folder, copy])

    assert statuses(summary) == {
        SEED_FILE.name: FileStatus.INGESTED,
        copy.name: FileStatus.INGESTED,
    }
    assert summary.reports[0].slug == SEED_SLUG
    assert (summary.reports[1].slug or "").startswith(f"{SEED_SLUG}-")


def test_folder_walk_ignores_unsupported_and_hidden_files(store: Store, folder: Path) -> None:
    (folder / "README.pdf").write_bytes(b"%PDF")
    (folder / ".draft.md").write_text(TWIN_TEXT, encoding="utf-8")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD.txt").write_text("ref: refs/heads/main", encoding="utf-8")

    summary = sync_folder(store=store, folder=folder)

    assert statuses(summary) == {
        SEED_FILE.name: FileStatus.INGESTED,
        "README.pdf": FileStatus.IGNORED,
    }
    assert summary.ok


def test_unparseable_change_keeps_the_stored_version(store: Store, folder: Path) -> None:
    sync_folder(store=store, folder=folder)
    (folder / SEED_FILE.name).write_bytes(b"")

    summary = sync_folder(store=store, folder=folder)

    [report] = summary.reports
    assert report.status is FileStatus.SKIPPED
    assert report.reason is not None and "still served" in report.reason
    assert store.get_article(SEED_SLUG).slug == SEED_SLUG


def test_nested_files_are_found(store: Store, folder: Path) -> None:
    (folder / "explainers").mkdir()
    (folder / "explainers" / TWIN_FILE_NAME).write_text(TWIN_TEXT, encoding="utf-8")

    summary = sync_folder(store=store, folder=folder)

    assert statuses(summary)[TWIN_FILE_NAME] is FileStatus.INGESTED


def test_warning_is_reported(store: Store, tmp_path: Path) -> None:
    flat = tmp_path / "flat.txt"
    flat.write_text("A title line\n\nJust one paragraph and no headings at all.\n", "utf-8")

    summary = ingest_paths(store=store, paths=[flat])

    [report] = summary.warned
    assert report.status is FileStatus.INGESTED
    assert any("no section headings" in warning for warning in report.warnings)


def test_summary_lines_end_with_counts(store: Store, folder: Path) -> None:
    lines = sync_folder(store=store, folder=folder).lines()

    assert lines[0] == f"ingested  {folder / SEED_FILE.name} -> {SEED_SLUG}"
    assert lines[-1] == (
        "summary: 1 ingested, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 ignored, 0 warned"
    )


def test_new_title_replaces_the_old_slug(store: Store, folder: Path) -> None:
    sync_folder(store=store, folder=folder)
    seed = folder / SEED_FILE.name
    retitled = seed.read_text(encoding="utf-8").replace("in 2024?", "this spring?", 1)
    seed.write_text(retitled, encoding="utf-8")

    summary = sync_folder(store=store, folder=folder)

    [report] = summary.reports
    assert report.status is FileStatus.UPDATED
    assert report.slug == "why-is-irans-president-ebrahim-raisi-visiting-pakistan-this-spring"
    assert store.source_hashes() == {
        SEED_FILE.name: (report.slug, store.get_article(report.slug).content_hash)
    }
