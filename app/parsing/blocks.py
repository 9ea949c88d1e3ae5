"""The block: what every reader produces and every later stage consumes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

BlockKind = Literal["heading", "paragraph", "list_item", "quote", "table", "code", "image", "rule"]

# Soft hyphens and zero-width joiners vanish; zero-width spaces and BOMs separate words.
INVISIBLE = str.maketrans(
    {"\u00ad": None, "\u200c": None, "\u200d": None, "\u2060": None, "\u200b": " ", "\ufeff": " "}
)
INVISIBLE_CHARS = "".join(map(chr, INVISIBLE))


def normalize_space(text: str) -> str:
    """Collapse every whitespace run (no-break spaces included) to one space and trim."""
    # Most text is already normal, and splitting it into words costs a string per word.
    # Printable text holds no whitespace but the ASCII space and no invisible character.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    # translate() is slow and most text has nothing to remove (ASCII text never has).
    # Six substring tests cost a tenth of one regex scan for a character class.
    if not text.isascii() and any(char in text for char in INVISIBLE_CHARS):
        text = text.translate(INVISIBLE)
    # str.split() splits on every Unicode space separator, NBSP and ideographic space too.
    return " ".join(text.split())


# Decoration after a heading's text: Markdown attribute lists ("{#disk-size}", "{.note}")
# and permalink glyphs that documentation generators append ("¶", "§", "#", "🔗").
_HEADING_DECORATION = re.compile(r"(?:\s*\{[#.][^{}]*\}|\s*[¶§#🔗⚓])+\s*$")


# Accordion toggles before or after a heading: "+ How do I pay?", "▸ Shipping", "Why？＋".
# A plus after a word needs a space or a question mark before it: "C++" is a name.
_TOGGLE_GLYPH = re.compile(r"^[+−▸▶►▼▾›»]\s+")
_TRAILING_TOGGLE = re.compile(r"(?:\s*[＋▸▶►▼▾⌄]|\s+[+−]|(?<=[?？])[+−])\s*$")
# Permalink anchors some generators put before the text: "# Section" (VuePress).
_LEADING_ANCHOR = re.compile(r"^[#¶]\s+(?=\S)")


# Every pattern below needs one of these first, or last before trailing spaces: most
# headings have neither, and are returned as they are without four regex passes.
_DECORATION_FIRST = frozenset("+−▸▶►▼▾›»#¶")
_DECORATION_LAST = frozenset("}¶§#🔗⚓＋▸▶►▼▾⌄+−")


def strip_heading_decoration(text: str) -> str:
    if text[:1] not in _DECORATION_FIRST and text.rstrip()[-1:] not in _DECORATION_LAST:
        return text
    stripped = _HEADING_DECORATION.sub("", text)
    stripped = _TRAILING_TOGGLE.sub("", _TOGGLE_GLYPH.sub("", stripped))
    stripped = _LEADING_ANCHOR.sub("", stripped)
    return stripped if stripped.strip() else text


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string (long multilingual lists)."""
    return frozenset(words.split())


# "1. What is X?" / "2) Next": a numbered line, in any format.
NUMBERED_LINE = re.compile(r"^\s*\d{1,3}[.)]\s+(?=\S)")


SpanKind = Literal["emphasis", "strong", "code", "link", "line_break"]


class Span(NamedTuple):
    """Inline structure of a block's text: `text[start:end]` is emphasised, strong, code or
    a link to `href`; a line break is an empty span at the offset where the line breaks.
    Offsets count characters of `Block.text` (the prompt, when split off, has its own
    spans in `Block.prompt_spans`). Spans nest (a link inside strong text) but never
    cross."""

    kind: SpanKind
    start: int
    end: int
    href: str | None = None


class Block(NamedTuple):
    """One unit of source text in document order (an immutable record; a tuple because
    readers make one per line or paragraph and tuples are the cheapest to make).

    `level` is the markup heading level (h1-h6, Markdown #) when the source has one.
    `bare_line` marks a line of unmarked text (plain text, or lines split by <br> in a
    page): its shape is the only evidence of a heading. `standalone` is False for such a
    line with neighbours and no blank line between them (a list of links, a widget),
    which is never a heading on its own.
    `emphasis` is True when the whole block is bold or strong in the source markup.
    `prompt` holds a run-in bold lead-in (interview question) split off the paragraph.
    `glued` marks text that followed a long whitespace run on the same line (captions,
    promos pasted onto the end of a paragraph by copy-and-paste from a page).
    `lead` holds a bold lead-in that states rather than asks, still part of `text`: a
    prompt only in an interview whose other leads ask (interview.promote_statement_leads).
    `spans` is the inline structure of `text` (emphasis, links, code, line breaks), in
    order of their start; `prompt_spans` that of `prompt`. Plain text has none.
    """

    kind: BlockKind
    text: str
    origin: str
    level: int | None = None
    standalone: bool = True
    bare_line: bool = False
    emphasis: bool = False
    prompt: str | None = None
    glued: bool = False
    lead: str | None = None
    spans: tuple[Span, ...] = ()
    prompt_spans: tuple[Span, ...] = ()

    @property
    def full_text(self) -> str:
        """The text with its run-in prompt, for a block that ends up as body or dropped."""
        return f"{self.prompt} {self.text}".strip() if self.prompt else self.text


_CJK_CLASS = (
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]"
)
_CJK_CHAR = re.compile(_CJK_CLASS)
# A whitespace-separated token with no letter or digit ("–", "...") is not a word.
# Starting with a class lets the scan skip to candidates; the look-behind checks the
# character before the first one.
_PUNCTUATION_TOKEN = re.compile(r"[^\w\s](?<!\S.)[^\w\s]*(?!\S)")
# The same tokens in text whose only [^\w\s] characters are ASCII: this class.
_ASCII_PUNCTUATION = r"[\x00-\x08\x0e-\x1b!-/:-@\[-^`{-\x7f]"
# A non-ASCII character that is CJK or punctuation: one scan, which skips ASCII quickly.
_CJK_OR_NON_ASCII_PUNCTUATION = re.compile(rf"[^\x00-\x7f](?<={_CJK_CLASS}|[^\w\s])")
_ASCII_PUNCTUATION_TOKEN = re.compile(rf"{_ASCII_PUNCTUATION}(?<!\S.){_ASCII_PUNCTUATION}*(?!\S)")


def word_count(text: str) -> int:
    """Words for space-separated scripts; each CJK character counts as one word."""
    # Several stages count the same short lines; long texts are not kept in the cache.
    return _cached_word_count(text) if len(text) <= _MAX_CACHED_CHARS else _word_count(text)


def _word_count(text: str) -> int:
    if text.isascii() or _CJK_OR_NON_ASCII_PUNCTUATION.search(text) is None:
        # No CJK, and all punctuation in ASCII (accented letters are fine): punctuation
        # tokens are found with a plain ASCII class, about three times faster.
        return len(text.split()) - len(_ASCII_PUNCTUATION_TOKEN.findall(text))
    cjk = len(_CJK_CHAR.findall(text))
    spaced = _CJK_CHAR.sub(" ", text) if cjk else text
    return cjk + len(spaced.split()) - len(_PUNCTUATION_TOKEN.findall(spaced))


_MAX_CACHED_CHARS = 2000
_cached_word_count = lru_cache(maxsize=4096)(_word_count)


@dataclass(frozen=True)
class ReadResult:
    """What a reader found: blocks in order, plus what the source says about itself."""

    blocks: list[Block]
    title: str | None = None
    language: str | None = None
    # Regions removed before block reading (page chrome outside the main content).
    dropped_regions: tuple[tuple[str, str], ...] = ()
    # A read-time line found outside the main content (HTML page headers).
    reading_time_minutes: int | None = None
    # Words of the element holding the article (HTML) that were left out of the main content
    # and counted as page chrome; None where the reader has no such container.
    container_words_to_chrome: int | None = None
