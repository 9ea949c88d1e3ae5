"""A new slug rule on an existing store (another slug mode, another transliteration): the
next sync re-slugs its articles, and every old URL answers 301 to the new one, on every
backend."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from app.errors import Moved
from app.ingest import FileStatus, sync_folder
from app.models import Article
from app.store.history import reslugged
from app.store.sql import SQLStore
from tests.conftest import StoreFactory

JAPANESE = (
    "# よくある質問\n\n概要です。\n\n## 料金はいくらですか？\n\n無料です。\n\n"
    "## 解約方法\n\nメールで。\n"
)
OLD_SLUG, NEW_SLUG = "yokuaru-shitsumon", "よくある質問"
OLD_SECTIONS = ["ryoukin-haikuradesuka", "kaiyaku-houhou"]
NEW_SECTIONS = ["料金はいくらですか", "解約方法"]


def _url(*segments: str) -> str:
    return "/articles/" + "/sections/".join(quote(segment, safe="") for segment in segments)


def _moved(store: SQLStore, article_slug: str, section_slug: str | None = None) -> str:
    with pytest.raises(Moved) as moved:
        if section_slug is None:
            store.get_stored_article(article_slug)
        else:
            store.get_section(article_slug=article_slug, section_slug=section_slug)
    return moved.value.location


def test_switching_the_slug_mode_moves_every_url(
    store_factory: StoreFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "faq.md").write_text(JAPANESE, encoding="utf-8")
    store = store_factory.open()
    sync_folder(store=store, folder=folder)
    assert [s.slug for s in store.get_article(OLD_SLUG).sections] == OLD_SECTIONS
    since = int(store.changes(since=0, limit=100).next)
    store.close()

    from app.store import open_store

    unicode_store = open_store(store_factory.location, slugs="unicode")
    assert isinstance(unicode_store, SQLStore)
    try:
        [report] = sync_folder(store=unicode_store, folder=folder).reports
        assert report.status is FileStatus.UPDATED
        assert report.slug == NEW_SLUG
        article = unicode_store.get_article(NEW_SLUG)
        assert [s.slug for s in article.sections] == NEW_SECTIONS
        assert article.sections[0].url == _url(NEW_SLUG, NEW_SECTIONS[0])

        # Old article URL and old section URLs: 301 to the new ones, percent-encoded.
        assert _moved(unicode_store, OLD_SLUG) == _url(NEW_SLUG)
        for old, new in zip(OLD_SECTIONS, NEW_SECTIONS, strict=True):
            assert _moved(unicode_store, OLD_SLUG, old) == _url(NEW_SLUG, new)
        [change] = unicode_store.changes(since=since, limit=100).items
        assert (change.kind, change.article_slug, change.previous_slug) == (
            "updated",
            NEW_SLUG,
            OLD_SLUG,
        )
        assert change.url == _url(NEW_SLUG)
        # Synced again in the same mode: nothing changes.
        [again] = sync_folder(store=unicode_store, folder=folder).reports
        assert again.status is FileStatus.UNCHANGED
    finally:
        unicode_store.close()


def _as_old_parser_slugged(article: Article, slug: str, sections: list[str]) -> Article:
    """The article as an older parser slugged it (kanji read as Chinese)."""
    renamed = [
        s.model_copy(update={"slug": new, "parent_slug": None})
        for s, new in zip(article.sections, sections, strict=True)
    ]
    return reslugged(article.model_copy(update={"sections": renamed}), slug)


def test_a_new_transliteration_moves_the_article_and_its_sections(
    any_store: SQLStore, tmp_path: Path
) -> None:
    """Same source, same headings, other slugs (the rule changed): 301s, not 410 or 404."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "faq.md").write_text(JAPANESE, encoding="utf-8")
    sync_folder(store=any_store, folder=folder)
    current = any_store.get_article(OLD_SLUG)
    # What the store held before: Chinese readings, as text-unidecode spelled them.
    legacy = _as_old_parser_slugged(current, "yokuaruzhi-wen", ["liao-jin", "jie-yue-fang-fa"])
    any_store.delete_article(OLD_SLUG)
    any_store.upsert_article(legacy)
    any_store.upsert_article(current)

    assert _moved(any_store, "yokuaruzhi-wen") == _url(OLD_SLUG)
    assert _moved(any_store, "yokuaruzhi-wen", "liao-jin") == _url(OLD_SLUG, OLD_SECTIONS[0])
    assert _moved(any_store, "yokuaruzhi-wen", "jie-yue-fang-fa") == _url(OLD_SLUG, OLD_SECTIONS[1])
    # The section moved although the other one now stands where it stood.
    reordered = current.model_copy(update={"sections": current.sections[::-1]})
    reordered = reordered.model_copy(
        update={
            "content_hash": "edited",
            "sections": [
                s.model_copy(update={"position": i})
                for i, s in enumerate(reordered.sections, start=1)
            ],
        }
    )
    renamed = _as_old_parser_slugged(reordered, OLD_SLUG, ["a-jie-yue", "a-liao-jin"])
    any_store.upsert_article(renamed)
    assert _moved(any_store, OLD_SLUG, OLD_SECTIONS[0]) == _url(OLD_SLUG, "a-liao-jin")
    assert _moved(any_store, OLD_SLUG, OLD_SECTIONS[1]) == _url(OLD_SLUG, "a-jie-yue")
    feed = any_store.changes(since=0, limit=100).items
    assert feed[-2].previous_slug == "yokuaruzhi-wen"
    assert feed[-2].sections_added == OLD_SECTIONS


def test_a_new_title_slug_alone_moves_the_article(any_store: SQLStore, tmp_path: Path) -> None:
    """Sections that keep their slugs (ASCII headings) do not hide the article's move."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "faq.md").write_text("# よくある質問\n\n## Pricing?\n\nFree.\n", encoding="utf-8")
    sync_folder(store=any_store, folder=folder)
    current = any_store.get_article(OLD_SLUG)
    any_store.delete_article(OLD_SLUG)
    any_store.upsert_article(reslugged(current, "yokuaruzhi-wen"))  # as an older parser did
    any_store.upsert_article(current)
    assert any_store.get_article(OLD_SLUG).sections[0].slug == "pricing"
    assert _moved(any_store, "yokuaruzhi-wen") == _url(OLD_SLUG)
    assert _moved(any_store, "yokuaruzhi-wen", "pricing") == _url(OLD_SLUG, "pricing")
