"""Snippets: the best-matching window of the original heading or body, with highlights.

Matching re-analyses the original text with the index's own analysis, so a highlighted
word is exactly a word the query matched (plural, accent or apostrophe variants included).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.search.analysis import (
    JOINER_CHARS,
    JOINERS,
    WORD_CHAR,
    Token,
    fold,
    is_cjk,
    primary_language,
    raw_token_terms,
    tokenize,
)

SNIPPET_CHARS = 220
_CONTEXT_BEFORE = 50
_SPACE_RE = re.compile(r"\s+")
_ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Snippet:
    html: str
    text: str
    highlights: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class _Match:
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
_WORD_START = r"\b"
_JOINER_CHARS = frozenset(JOINER_CHARS)
# Compiled once: the big Unicode classes make compiling it per query cost milliseconds.
_WORD_TAIL_RE = re.compile(f"{WORD_CHAR}*(?:[{JOINERS}]{WORD_CHAR}+)*")


def _probe(term: str) -> str:
    """A regex for where a word analysed to `term` can start (checked afterwards)."""
    if is_cjk(term[0]):
        return re.escape(term)
    # Stemming changes at most the end of a word (happy -> happi): drop the last letter.
    prefix = term[:3] if term.isdigit() else term[:-1] if len(term) > 4 else term
    return _WORD_START + "".join(_VARIANTS.get(c, re.escape(c)) for c in prefix)


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


class Highlighter:
    """The terms of one query, with a cheap probe regex so a long body is scanned in C."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.weights = dict(weights)
        probes = sorted({_probe(term) for term in self.weights if term}, key=len, reverse=True)
        self.pattern = _compile("|".join(probes)) if probes else None
        self._verdicts: dict[tuple[str, str], tuple[float, str] | None] = {}

    def matches(self, text: str, language: str) -> list[_Match]:
        if self.pattern is None:
            return []
        found: list[_Match] = []
        covered = -1
        lowered = text.lower()
        # Lower-casing keeps offsets for nearly all text; where it does not, match on the original.
        haystack = lowered if len(lowered) == len(text) else text
        for probe in self.pattern.finditer(haystack):
            start, end = probe.span()
            if start < covered:
                continue
            raw = probe.group()
            if is_cjk(raw[0]):
                term = fold(raw)
                weight = self.weights.get(term)
                if weight is not None:
                    found.append(_Match(start, end, term, weight))
                    covered = end
                continue
            # Run on to the end of the word: the match is then the whole token.
            tail = _WORD_TAIL_RE.match(text, end)
            if tail is not None:
                end = tail.end()
                raw = text[start:end]
            joined_before = start > 0 and text[start - 1] in _JOINER_CHARS
            number_goes_on = end < len(text) - 1 and text[end] in ".," and text[end + 1].isdigit()
            if joined_before or number_goes_on:
                token = _token_at(text, start)
                if token is None:
                    continue
                start, end, raw = token.start, token.end, text[token.start : token.end]
            covered = end
            verdict = self._verdict(raw, language)
            if verdict is not None:
                found.append(_Match(start, end, verdict[1], verdict[0]))
        return found

    def _verdict(self, raw: str, language: str) -> tuple[float, str] | None:
        """The best query term a raw token analyses to, cached: the same words recur."""
        key = (language, raw)
        if key in self._verdicts:
            return self._verdicts[key]
        stream, extras, _ = raw_token_terms(raw, language)
        best: tuple[float, str] | None = None
        for term in (*stream, *extras):
            weight = self.weights.get(term)
            if weight is not None and (best is None or weight > best[0]):
                best = (weight, term)
        self._verdicts[key] = best
        return best


def _token_at(text: str, at: int) -> Token | None:
    """The token that covers position `at` (tokens never span whitespace)."""
    left = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at), at - 80) + 1
    for token in tokenize(text[left : at + 80]):
        if token.start + left <= at < token.end + left:
            return Token(token.text, token.start + left, token.end + left, token.kind)
    return None


def _window_score(matches: list[_Match]) -> float:
    best: dict[str, float] = {}
    for match in matches:
        best[match.term] = max(best.get(match.term, 0.0), match.weight)
    # Distinct terms count fully; repeats add a little, so denser windows win ties.
    return sum(best.values()) + 0.01 * len(matches)


def _best_window(matches: list[_Match], width: int) -> tuple[float, list[_Match]]:
    best_score, best_window = 0.0, []
    left = 0
    for right in range(len(matches)):
        while matches[right].end - matches[left].start > width:
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


def _render(text: str, start: int, end: int, matches: list[_Match]) -> Snippet:
    """Collapse whitespace, escape everything, wrap matched words in <mark>."""
    plain: list[str] = []
    marked: list[str] = []
    highlights: list[tuple[int, int]] = []
    length = 0

    def add_plain(piece: str) -> None:
        nonlocal length
        piece = _SPACE_RE.sub(" ", piece)
        if length == 0:
            piece = piece.lstrip()
        plain.append(piece)
        marked.append(html.escape(piece, quote=False))
        length += len(piece)

    if start > 0:
        add_plain(_ELLIPSIS)
    cursor = start
    for match in matches:
        if match.start < cursor or match.end > end:
            continue
        add_plain(text[cursor : match.start])
        word = text[match.start : match.end]
        highlights.append((length, length + len(word)))
        plain.append(word)
        marked.append(f"<mark>{html.escape(word, quote=False)}</mark>")
        length += len(word)
        cursor = match.end
    tail = text[cursor:end]
    if end < len(text):
        tail = tail.rstrip() + " " + _ELLIPSIS
    add_plain(tail)
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
) -> Snippet:
    """Pick the heading or the best body window, whichever matches more of the query."""
    language = primary_language(language)
    body_matches = highlighter.matches(body, language)
    body_score, window = _best_window(body_matches, width)
    if heading:
        heading_matches = highlighter.matches(heading, language)
        heading_score = _window_score(heading_matches) if heading_matches else 0.0
        if heading_score > body_score or not body.strip():
            return _render(heading, 0, len(heading), heading_matches)
    start, end = _bounds(body, window, width)
    return _render(body, start, end, body_matches)
