"""Stable, readable slugs: a pure function of the text."""

from __future__ import annotations

import re

from slugify import slugify

MAX_SLUG_LENGTH = 80
# Apostrophes are dropped, not turned into separators: "What’s" -> "whats".
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u02bb`\u00b4\u2032]")


def slug_for(text: str, *, fallback: str) -> str:
    """Lowercase ASCII words joined by '-', at most 80 characters cut at a word boundary."""
    slug = slugify(
        _APOSTROPHES.sub("", text),
        max_length=MAX_SLUG_LENGTH,
        word_boundary=True,
        save_order=True,
        # Named, not "auto": "auto" retries importing the optional GPL Unidecode on every
        # call (a file-system search each time), and would change slugs if it got installed.
        backend="text-unidecode",
    )
    return slug or fallback


class SlugAllocator:
    """Hands out slugs unique within one article by adding -2, -3... to repeats."""

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._last_number: dict[str, int] = {}

    def allocate(self, text: str, *, fallback: str = "section") -> str:
        base = slug_for(text, fallback=fallback)
        slug = base
        # Remember the last suffix per base so many repeats stay linear, not quadratic.
        number = self._last_number.get(base, 1)
        while slug in self._taken:
            number += 1
            suffix = f"-{number}"
            slug = _trim_to_word(base, MAX_SLUG_LENGTH - len(suffix)) + suffix
        self._last_number[base] = number
        self._taken.add(slug)
        return slug


def _trim_to_word(slug: str, limit: int) -> str:
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    return cut.rsplit("-", 1)[0] if "-" in cut else cut
