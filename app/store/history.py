"""What a new version of an article changes for its readers: which URLs move or go away,
and which sections were added, changed or removed. Pure functions over two Articles; every
store records their results in the same transaction as the write."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from app.models import Article, Section
from app.parsing.sections import section_url
from app.search.documents import article_url


@dataclass(frozen=True, slots=True)
class RetiredUrl:
    """A URL the old version served that the new one does not: moved to `target`, or gone."""

    path: str
    section_slug: str | None  # None for the article's own URL
    target: str | None


@dataclass(frozen=True, slots=True)
class SectionChanges:
    added: list[str]
    changed: list[str]
    removed: list[str]


def utc_now() -> str:
    """ISO 8601 in UTC with microseconds: sorts as text in the order of time."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def served_urls(article: Article) -> list[str]:
    return [article_url(article.slug), *(section.url for section in article.sections)]


def reslugged(article: Article, slug: str) -> Article:
    """The same article under another slug: its sections' URLs follow it."""
    sections = [
        section.model_copy(update={"article_slug": slug, "url": section_url(slug, section.slug)})
        for section in article.sections
    ]
    return article.model_copy(update={"slug": slug, "sections": sections})


def retired_urls(old: Article, new: Article | None) -> list[RetiredUrl]:
    """Old URLs the new version no longer serves, each with where it moved (or None: gone).

    A section keeps its slug where it can; a section whose slug is gone moved to the new
    section with its heading (the slug rule changed: another transliteration, the slug
    mode), else to the one in its place (a heading reworded in place), when that one's slug
    is new."""
    retired: list[RetiredUrl] = []
    old_article_url = article_url(old.slug)
    if new is None:
        retired.append(RetiredUrl(old_article_url, None, None))
    elif new.slug != old.slug:
        retired.append(RetiredUrl(old_article_url, None, article_url(new.slug)))
    new_by_slug = {section.slug: section for section in new.sections} if new else {}
    new_by_position = {section.position: section for section in new.sections} if new else {}
    new_by_heading: dict[str, Section | None] = {}
    for section in new.sections if new else []:
        # A heading several sections share names none of them.
        new_by_heading[section.heading] = None if section.heading in new_by_heading else section
    old_slugs = {section.slug for section in old.sections}
    for section in old.sections:
        successor = new_by_slug.get(section.slug)
        if successor is None:
            for candidate in (
                new_by_heading.get(section.heading),
                new_by_position.get(section.position),
            ):
                if candidate is not None and candidate.slug not in old_slugs:
                    successor = candidate
                    break
        target = successor.url if successor is not None else None
        if target != section.url:
            retired.append(RetiredUrl(section.url, section.slug, target))
    return retired


def _fingerprint(section: Section) -> str:
    content = "\0".join(
        (section.heading, section.body, str(section.level), str(section.parent_slug))
    )
    return hashlib.blake2b(f"{content}\0{section.is_question}".encode(), digest_size=12).hexdigest()


def section_changes(old: Article | None, new: Article | None) -> SectionChanges:
    before = {s.slug: _fingerprint(s) for s in old.sections} if old else {}
    after = {s.slug: _fingerprint(s) for s in new.sections} if new else {}
    return SectionChanges(
        added=[slug for slug in after if slug not in before],
        changed=[slug for slug in after if slug in before and before[slug] != after[slug]],
        removed=[slug for slug in before if slug not in after],
    )
