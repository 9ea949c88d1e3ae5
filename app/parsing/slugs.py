"""Stable, readable slugs: a pure function of the text."""

from __future__ import annotations

import re

from slugify import slugify, smart_truncate

MAX_SLUG_LENGTH = 80
# Apostrophes are dropped, not turned into separators: "What’s" -> "whats".
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u02bb`\u00b4\u2032]")


# On ASCII text without an HTML entity, python-slugify's legacy pipeline (frozen: its
# output never changes) comes down to this, at a quarter of the cost: lower case, commas
# between digits dropped, every run of other characters one '-', trimmed, truncated.
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d)")
_NOT_SLUG_CHARACTERS = re.compile(r"[^a-z0-9]+")


def slug_for(text: str, *, fallback: str) -> str:
    """Lowercase ASCII words joined by '-', at most 80 characters cut at a word boundary."""
    text = _APOSTROPHES.sub("", text)
    if text.isascii() and "&" not in text:
        lowered = text.lower()
        if "," in lowered:
            lowered = _DIGIT_COMMA.sub("", lowered)
        slug = smart_truncate(
            _NOT_SLUG_CHARACTERS.sub("-", lowered).strip("-"),
            MAX_SLUG_LENGTH,
            word_boundary=True,
            separator="-",
            save_order=True,
        )
    else:
        slug = slugify(
            text,
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
