"""Snippets: the best-matching window of the original heading or body, with highlights.

Matching re-analyses the original text with the index's own analysis, so a highlighted
word is exactly a word the query matched (plural, accent or apostrophe variants included).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from app.search.analysis import (
    JOINER_CHARS,
    JOINERS,
    LETTER_FOLDS,
    WORD_CHAR,
    Token,
    fold,
    is_cjk,
    primary_language,
    raw_token_terms,
    tokenize,
)

SNIPPET_CHARS = 220
MARK = ("<mark>", "</mark>")
_CONTEXT_BEFORE = 50
_SPACE_RE = re.compile(r"\s+")
_ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Snippet:
    html: str
    text: str
    highlights: list[tuple[int, int]]


class SnippetStyle(NamedTuple):
    """How a search's snippets look: the tags around matched words (from the settings'
    allow-list, so the HTML stays safe) and the length in characters."""

    pre_tag: str
    post_tag: str
    crop_length: int


class _Match(NamedTuple):
    """A highlighted word: a tuple, because a snippet of common words makes dozens of them."""

    start: int
    end: int
    term: str
    weight: float


def _variant_classes() -> dict[str, str]:
    """For each folded letter, a regex class of the letters that fold to it ('e' -> [eéèê…])."""
    variants: dict[str, set[str]] = {}
    for code in (*range(0xC0, 0x250), *range(0x400, 0x500)):
        char = chr(code)
        folded = fold(char)
        # Probes run on lower-cased text: only lower-case variants are needed.
        if len(folded) == 1 and folded != char and char == char.lower():
            variants.setdefault(folded, {folded}).add(char)
    return {
        base: "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"
        for base, chars in variants.items()
    }


_VARIANTS = _variant_classes()
_LETTER_OF_PAIR = {pair: letter for letter, pair in LETTER_FOLDS.items() if len(pair) == 2}
_LETTER_OF_PAIR["ss"] = "ß"
_WORD_START = r"\b"
_JOINER_CHARS = frozenset(JOINER_CHARS)
_FIRST_CJK = "\u3040"
# Letters that fold to ASCII ones (the Latin part of _variant_classes): where none occurs,
# an ASCII prefix can only match itself.
_ACCENTED_LATIN_RE = re.compile("[\u00c0-\u024f]")
# The non-ASCII characters of most English text, most frequent first (see _ascii_stand_in).
_CASELESS_PUNCTUATION = (
    "\u2019",
    "\u2013",
    "\u2014",
    "\u201c",
    "\u201d",
    "\u2018",
    "\u2026",
    "\u00a0",
)
# Compiled once: the big Unicode classes make compiling it per query cost milliseconds.
_WORD_TAIL_RE = re.compile(f"{WORD_CHAR}*(?:[{JOINERS}]{WORD_CHAR}+)*")


def _prefix(term: str) -> str:
    """What a word analysed to `term` starts with (checked afterwards)."""
    # Stemming changes at most the end of a word (happy -> happi): drop the last letter.
    return term[:3] if term.isdigit() else term[:-1] if len(term) > 4 else term


def _probe(term: str) -> str:
    """A regex for where a word analysed to `term` can start (checked afterwards)."""
    if is_cjk(term[0]):
        return re.escape(term)
    prefix = _prefix(term)
    parts: list[str] = []
    at = 0
    while at < len(prefix):
        pair = prefix[at : at + 2]
        letter = _LETTER_OF_PAIR.get(pair)
        if letter is not None:
            # 'oe' in the term may be 'œ' in the text (see analysis.LETTER_FOLDS).
            plain = "".join(_VARIANTS.get(c, re.escape(c)) for c in pair)
            parts.append(f"(?:{plain}|{re.escape(letter)})")
            at += 2
            continue
        parts.append(_VARIANTS.get(prefix[at], re.escape(prefix[at])))
        at += 1
    return _WORD_START + "".join(parts)


def _ascii_stand_in(text: str) -> str | None:
    """`text` with its typographic punctuation as NUL, when that leaves only ASCII.

    The punctuation replaced has no case and is no word character, like NUL, so lower-casing
    the stand-in and finding ASCII prefixes in it gives the spans the text itself gives.
    """
    for mark in _CASELESS_PUNCTUATION:
        text = text.replace(mark, "\0")
        if text.isascii():
            return text
    return None


def _word_starts(lowered: str, prefixes: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) where a prefix starts a word in ASCII text, the longest prefix per start.

    str.find runs in C and skips ahead; a regex alternation steps through every character.
    """
    spans: dict[int, int] = {}
    for prefix in prefixes:
        at = lowered.find(prefix)
        while at >= 0:
            before = lowered[at - 1] if at else " "
            if not (before.isalnum() or before == "_"):
                spans[at] = max(spans.get(at, 0), at + len(prefix))
            at = lowered.find(prefix, at + 1)
    return sorted(spans.items())


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


class Highlighter:
    """The terms of one query, with a cheap probe regex so a long body is scanned in C."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.weights = {term: weight for term, weight in weights.items() if term}
        # Unaccented text needs no variant classes: plain prefixes found by str.find suffice,
        # and only the words of other scripts still need a (much smaller) regex.
        self.ascii_prefixes = tuple(sorted({_prefix(t) for t in self.weights if t.isascii()}))
        self._foreign = [t for t in self.weights if not t.isascii()]
        # No foreign words, and no prefix a stand-in's NUL could take part in.
        self._plain_only = not self._foreign and not any("\0" in p for p in self.ascii_prefixes)
        # Compiled on first need: the accent classes make a pattern cost 100+ microseconds.
        self._patterns: dict[bool, re.Pattern[str] | None] = {}
        self._verdicts: dict[str, dict[str, tuple[float, str] | None]] = {}

    def _pattern(self, *, foreign_only: bool) -> re.Pattern[str] | None:
        if foreign_only not in self._patterns:
            terms = self._foreign if foreign_only else self.weights
            probes = sorted({_probe(term) for term in terms}, key=len, reverse=True)
            self._patterns[foreign_only] = _compile("|".join(probes)) if probes else None
        return self._patterns[foreign_only]

    def matches(self, text: str, language: str) -> list[_Match]:
        if not self.weights:
            return []
        found: list[_Match] = []
        covered = -1
        verdicts = self._verdicts.setdefault(language, {})
        last = len(text) - 1
        tail_at = _WORD_TAIL_RE.match
        for start, end in self._probes(text):
            if start < covered:
                continue
            first = text[start]
            # Every CJK block lies above U+3040: one comparison spares most words a regex.
            if first >= _FIRST_CJK and is_cjk(first):
                term = fold(text[start:end])
                weight = self.weights.get(term)
                if weight is not None:
                    found.append(_Match(start, end, term, weight))
                    covered = end
                continue
            # Run on to the end of the word: the match is then the whole token.
            tail = tail_at(text, end)
            if tail is not None:
                end = tail.end()
            joined_before = start > 0 and text[start - 1] in _JOINER_CHARS
            number_goes_on = end < last and text[end] in ".," and text[end + 1].isdigit()
            if joined_before or number_goes_on:
                token = _token_at(text, start)
                if token is None:
                    continue
                start, end = token.start, token.end
            covered = end
            raw = text[start:end]
            verdict = verdicts[raw] if raw in verdicts else self._verdict(raw, language)
            if verdict is not None:
                found.append(_Match(start, end, verdict[1], verdict[0]))
        return found

    def _probes(self, text: str) -> Iterable[tuple[int, int]]:
        """Spans where a query word may start, in order."""
        if text.isascii():
            return _word_starts(text.lower(), self.ascii_prefixes)
        if self._plain_only:
            # Lower-casing (and searching) non-ASCII text is slow; with its punctuation as NUL,
            # most Latin-script text is ASCII and the ASCII prefixes are found at the same places.
            stand_in = _ascii_stand_in(text)
            if stand_in is not None:
                return _word_starts(stand_in.lower(), self.ascii_prefixes)
        lowered = text.lower()
        if len(lowered) == len(text) and not _ACCENTED_LATIN_RE.search(lowered):
            spans = _word_starts(lowered, self.ascii_prefixes)
            foreign = self._pattern(foreign_only=True)
            if foreign is not None:
                spans.extend(probe.span() for probe in foreign.finditer(lowered))
                spans.sort()
            return spans
        # Lower-casing keeps offsets for nearly all text; where it does not, match on the original.
        haystack = lowered if len(lowered) == len(text) else text
        pattern = self._pattern(foreign_only=False)
        assert pattern is not None  # weights is not empty
        return (probe.span() for probe in pattern.finditer(haystack))

    def _verdict(self, raw: str, language: str) -> tuple[float, str] | None:
        """The best query term a raw token analyses to, cached: the same words recur."""
        stream, extras, _ = raw_token_terms(raw, language)
        best: tuple[float, str] | None = None
        for term in (*stream, *extras):
            weight = self.weights.get(term)
            if weight is not None and (best is None or weight > best[0]):
                best = (weight, term)
        self._verdicts[language][raw] = best
        return best


def _token_at(text: str, at: int) -> Token | None:
    """The token that covers position `at` (tokens never span whitespace)."""
    left = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at), at - 80) + 1
    for token in tokenize(text[left : at + 80]):
        if token.start + left <= at < token.end + left:
            return Token(token.text, token.start + left, token.end + left, token.kind)
    return None


def _window_score(matches: list[_Match]) -> float:
    # A term has one weight (the query's), so the last match of each term holds it.
    best = {match.term: match.weight for match in matches}
    # Distinct terms count fully; repeats add a little, so denser windows win ties.
    return sum(best.values()) + 0.01 * len(matches)


def _best_window(matches: list[_Match], width: int) -> tuple[float, list[_Match]]:
    if matches and matches[-1].end - matches[0].start <= width:
        # Every window is then a prefix of the matches, and each longer one scores higher
        # (one more match, no term less): the whole list wins.
        return _window_score(matches), matches
    best_score, best_window = 0.0, []
    left = 0
    for right in range(len(matches)):
        # A match wider than the window (a long word, a short crop_length) is a window alone
        while left < right and matches[right].end - matches[left].start > width:
            left += 1
        window = matches[left : right + 1]
        score = _window_score(window)
        if score > best_score:
            best_score, best_window = score, window
    return best_score, best_window


def _bounds(text: str, window: list[_Match], width: int) -> tuple[int, int]:
    if len(text) <= width:
        return 0, len(text)
    if not window:
        start = 0
    else:
        first, last = window[0].start, window[-1].end
        slack = max(0, width - (last - first))
        start = max(0, first - min(_CONTEXT_BEFORE, slack // 2))
        # Start at a sentence or word boundary when one is close.
        sentence = max(text.rfind(". ", 0, first), text.rfind("\n", 0, first))
        if sentence >= 0 and first - sentence <= _CONTEXT_BEFORE + 20:
            start = sentence + 1
        elif start > 0:
            space = text.rfind(" ", 0, start + 1)
            start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + width)
    if window and end < window[-1].end:
        end = window[-1].end
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space > start + width // 2:
            end = space
    return start, end


def _collapse(piece: str) -> str:
    """Runs of whitespace become one space."""
    # Printable means no whitespace but the plain space: most pieces need no regex.
    if "  " in piece or not piece.isprintable():
        return _SPACE_RE.sub(" ", piece)
    return piece


def _render(
    text: str, start: int, end: int, matches: list[_Match], tags: tuple[str, str] = MARK
) -> Snippet:
    """Collapse whitespace, escape everything, wrap matched words in the tags (<mark>)."""
    pre, post = tags
    plain: list[str] = []
    marked: list[str] = []
    highlights: list[tuple[int, int]] = []
    length = 0
    cursor = start
    lead = _ELLIPSIS if start > 0 else ""
    # Every piece below is part of text[start:end] (after a lead ellipsis, before a tail one):
    # where that needs no collapsing or escaping, no piece does, and both are skipped.
    shown = text[start:end]
    collapse = "  " in shown or not shown.isprintable()
    escape = "&" in shown or "<" in shown or ">" in shown
    for match in matches:
        if match.start < cursor or match.end > end:
            continue
        piece = lead + text[cursor : match.start]
        if collapse:
            piece = _collapse(piece)
        lead = ""
        if not length:
            piece = piece.lstrip()
        word = text[match.start : match.end]
        length += len(piece)
        highlights.append((length, length + len(word)))
        length += len(word)
        plain += (piece, word)
        if escape:
            marked += (
                html.escape(piece, quote=False),
                f"{pre}{html.escape(word, quote=False)}{post}",
            )
        else:
            marked += (piece, f"{pre}{word}{post}")
        cursor = match.end
    tail = text[cursor:end]
    if end < len(text):
        tail = tail.rstrip() + " " + _ELLIPSIS
    tail = lead + tail
    if collapse:
        tail = _collapse(tail)
    if not length:
        tail = tail.lstrip()
    plain.append(tail)
    marked.append(html.escape(tail, quote=False) if escape else tail)
    text_out = "".join(plain)
    stripped = text_out.rstrip()
    html_out = "".join(marked)
    if len(stripped) != len(text_out):
        html_out = html_out.rstrip()
    return Snippet(html_out, stripped, highlights)


def make_snippet(
    *,
    heading: str | None,
    body: str,
    language: str,
    highlighter: Highlighter,
    width: int = SNIPPET_CHARS,
    tags: tuple[str, str] = MARK,
) -> Snippet:
    """Pick the heading or the best body window (`width` characters), whichever matches more
    of the query; matched words between `tags`, which must be safe HTML (the caller's
    allow-list)."""
    language = primary_language(language)
    body_matches = highlighter.matches(body, language)
    body_score, window = _best_window(body_matches, width)
    if heading:
        heading_matches = highlighter.matches(heading, language)
        heading_score = _window_score(heading_matches) if heading_matches else 0.0
        if heading_score > body_score or not body.strip():
            return _render(heading, 0, len(heading), heading_matches, tags)
    start, end = _bounds(body, window, width)
    return _render(body, start, end, body_matches, tags)
