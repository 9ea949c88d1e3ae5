"""Stable, readable slugs: a pure function of the text, its language and the slug mode.

"ascii" (the default): lowercase ASCII words, non-Latin words spelled by the rules of their
language (app/parsing/transliteration.py). "unicode": the letters of every script kept, as
WordPress and Wikipedia do; URLs carry them percent-encoded (`path_segment`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal
from urllib.parse import quote

from slugify import slugify, smart_truncate

from app.parsing.transliteration import transliterate

SlugMode = Literal["ascii", "unicode"]
SLUG_MODES: tuple[SlugMode, ...] = ("ascii", "unicode")
MAX_SLUG_LENGTH = 80
# Apostrophes are dropped, not turned into separators: "What’s" -> "whats".
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u02bb`\u00b4\u2032]")


# On ASCII text without an HTML entity, python-slugify's legacy pipeline (frozen: its
# output never changes) comes down to this, at a quarter of the cost: lower case, commas
# between digits dropped, every run of other characters one '-', trimmed, truncated.
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d)")
_NOT_SLUG_CHARACTERS = re.compile(r"[^a-z0-9]+")


def slug_for(
    text: str, *, fallback: str, language: str | None = None, mode: SlugMode = "ascii"
) -> str:
    """Lowercase words joined by '-', at most 80 characters cut at a word boundary: ASCII
    (non-Latin words transliterated as `language` reads them), or in "unicode" mode the
    letters of any script. ASCII text gives the same slug in both modes."""
    text = _APOSTROPHES.sub("", text)
    if not text.isascii():
        if mode == "unicode":
            return _unicode_slug(text) or fallback
        text = transliterate(text, language)
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


# Unicode mode keeps letters, marks (the vowel signs of Indic scripts are marks) and digits,
# and the zero-width (non-)joiners that Persian and Indic words are spelled with.
_WORD_CATEGORIES = ("L", "M", "Nd")
_JOINERS = frozenset("\u200c\u200d")


def _unicode_slug(text: str) -> str:
    lowered = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).lower())
    lowered = _DIGIT_COMMA.sub("", lowered)
    spaced = "".join(
        char if char in _JOINERS or unicodedata.category(char).startswith(_WORD_CATEGORIES) else " "
        for char in lowered
    )
    words = [word.strip("\u200c\u200d") for word in spaced.split()]
    joined = "-".join(word for word in words if word)
    return str(
        smart_truncate(joined, MAX_SLUG_LENGTH, word_boundary=True, separator="-", save_order=True)
    )


def path_segment(slug: str) -> str:
    """A slug as a URL path segment: non-ASCII characters percent-encoded as UTF-8 (RFC
    3986); an ASCII slug is its own segment."""
    return slug if slug.isascii() else quote(slug, safe="")


class SlugAllocator:
    """Hands out slugs unique within one article by adding -2, -3... to repeats."""

    def __init__(self, *, language: str | None = None, mode: SlugMode = "ascii") -> None:
        self._taken: set[str] = set()
        self._last_number: dict[str, int] = {}
        self.language = language
        self.mode: SlugMode = mode

    def slug(self, text: str, *, fallback: str) -> str:
        """`slug_for` in this allocator's language and mode, without reserving it."""
        return slug_for(text, fallback=fallback, language=self.language, mode=self.mode)

    def allocate(self, text: str, *, fallback: str = "section") -> str:
        base = self.slug(text, fallback=fallback)
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
