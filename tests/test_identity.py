"""Files are identified by their path under articles/; titles that share a slug all get one,
decided by the paths alone (never by the order of ingestion), stable across re-ingests."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from app.errors import Moved
from app.ingest import apply_changes, ingest_paths, sync_folder
from app.store import Store
from tests.conftest import StoreFactory

FAQ = "# FAQ\n\n## How do I install {name}?\n\nRun the installer of {name}.\n"
FAQ_FILES = ("FAQ.md", "alpha/FAQ.md", "beta/FAQ.md")


@pytest.fixture
def store(any_store: Store) -> Store:
    """A store of each backend in turn: the rule is the store's, whatever holds it."""
    return any_store


def write_faqs(folder: Path, names: tuple[str, ...] = FAQ_FILES) -> None:
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FAQ.format(name=path.parent.name or "it"), encoding="utf-8")


def slugs_by_source(store: Store) -> dict[str, str]:
    return {source: slug for source, (slug, _) in store.source_hashes().items()}


def test_files_with_one_title_all_get_served(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_faqs(folder)

    summary = sync_folder(store=store, folder=folder)

    assert summary.ok
    slugs = slugs_by_source(store)
    assert slugs["FAQ.md"] == "faq"  # the fewest folders keeps the bare slug
    assert slugs["alpha/FAQ.md"].startswith("faq-") and slugs["beta/FAQ.md"].startswith("faq-")
    assert len(set(slugs.values())) == 3
    for source, slug in slugs.items():
        assert store.get_article(slug).source == source


@pytest.mark.parametrize("order", list(itertools.permutations(FAQ_FILES)), ids=str)
def test_slugs_do_not_depend_on_ingest_order(
    store_factory: StoreFactory, tmp_path: Path, order: tuple[str, ...]
) -> None:
    folder = tmp_path / "articles"
    write_faqs(folder)
    reference = store_factory.open()
    shuffled = store_factory.open(store_factory.new_location())
    sync_folder(store=reference, folder=folder)
    for name in order:
        ingest_paths(store=shuffled, paths=[folder / name], root=folder)
    assert slugs_by_source(shuffled) == slugs_by_source(reference)


def test_slugs_survive_restarts_and_re_ingests(
    store: Store, store_factory: StoreFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    write_faqs(folder)
    sync_folder(store=store, folder=folder)
    before = slugs_by_source(store)
    reopened = store_factory.open()
    for path in sorted(folder.rglob("*.md")):
        path.write_text(path.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    sync_folder(store=reopened, folder=folder)
    assert slugs_by_source(reopened) == before


def test_when_the_holder_goes_the_next_file_takes_the_bare_slug(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    write_faqs(folder, ("alpha/FAQ.md", "beta/FAQ.md"))
    sync_folder(store=store, folder=folder)
    beta_slug = slugs_by_source(store)["beta/FAQ.md"]
    assert slugs_by_source(store)["alpha/FAQ.md"] == "faq"

    (folder / "alpha" / "FAQ.md").unlink()
    apply_changes(store=store, folder=folder, paths=[folder / "alpha" / "FAQ.md"])

    assert slugs_by_source(store) == {"beta/FAQ.md": "faq"}
    with pytest.raises(Moved) as moved:
        store.get_article(beta_slug)
    assert moved.value.location == "/articles/faq"


def test_a_removed_folder_removes_its_articles(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_faqs(folder)
    sync_folder(store=store, folder=folder)
    for path in (folder / "alpha").iterdir():
        path.unlink()
    (folder / "alpha").rmdir()

    apply_changes(store=store, folder=folder, paths=[folder / "alpha"])

    assert set(slugs_by_source(store)) == {"FAQ.md", "beta/FAQ.md"}


def test_a_symlink_out_of_the_folder_is_skipped(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("Secret title\n\nWhat is inside?\n\nThe password.\n", encoding="utf-8")
    (folder / "secret.txt").symlink_to(outside)
    (folder / "linked").symlink_to(tmp_path, target_is_directory=True)

    summary = sync_folder(store=store, folder=folder)

    reasons = {Path(report.path).name: report.reason for report in summary.reports}
    assert "resolves outside" in (reasons["secret.txt"] or "")
    assert "linked" in reasons
    assert store.source_hashes() == {}
    assert not summary.ok


def test_a_symlink_inside_the_folder_is_read(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_faqs(folder, ("alpha/FAQ.md",))
    (folder / "latest.md").symlink_to(folder / "alpha" / "FAQ.md")

    summary = sync_folder(store=store, folder=folder)

    assert summary.ok
    assert set(slugs_by_source(store)) == {"alpha/FAQ.md", "latest.md"}


@pytest.mark.parametrize("by", ["watcher", "sync"])
def test_a_moved_file_keeps_its_article_and_urls(store: Store, tmp_path: Path, by: str) -> None:
    folder = tmp_path / "articles"
    write_faqs(folder, ("alpha/FAQ.md",))
    sync_folder(store=store, folder=folder)
    before = store.get_article("faq")
    (folder / "archive").mkdir()
    (folder / "alpha" / "FAQ.md").rename(folder / "archive" / "FAQ.md")

    if by == "watcher":
        paths = [folder / "alpha" / "FAQ.md", folder / "archive" / "FAQ.md"]
        summary = apply_changes(store=store, folder=folder, paths=paths)
    else:
        summary = sync_folder(store=store, folder=folder)

    [report] = summary.reports
    assert report.reason == "renamed from alpha/FAQ.md" and report.slug == "faq"
    after = store.get_article("faq")
    assert after.source == "archive/FAQ.md"
    assert after.sections == before.sections
    kinds = [change.kind for change in store.changes(since=0, limit=10).items]
    assert kinds == ["created", "updated"]


def test_a_move_can_change_who_keeps_a_shared_slug(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_faqs(folder, ("alpha/FAQ.md", "beta/FAQ.md"))
    sync_folder(store=store, folder=folder)
    (folder / "beta" / "FAQ.md").rename(folder / "FAQ.md")

    sync_folder(store=store, folder=folder)

    assert slugs_by_source(store)["FAQ.md"] == "faq"
    assert slugs_by_source(store)["alpha/FAQ.md"].startswith("faq-")


def test_a_file_outside_the_folder_never_takes_the_identity_of_one_inside(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    write_faqs(folder, ("FAQ.md",))
    sync_folder(store=store, folder=folder)
    elsewhere = tmp_path / "drafts" / "FAQ.md"
    elsewhere.parent.mkdir()
    elsewhere.write_text("# Draft notes\n\n## Who?\n\nNobody yet.\n", encoding="utf-8")

    ingest_paths(store=store, paths=[elsewhere], root=folder)

    assert slugs_by_source(store) == {
        "FAQ.md": "faq",
        elsewhere.absolute().as_posix(): "draft-notes",
    }
