"""Inline spans of a block's text: readers collect a block's raw text and its spans together
(InlineText), then normalise the text and carry every offset through the normalisation, so
offsets always count characters of the final `Block.text`; spans are tidied (no empty,
crossing or doubled ones) and re-cut when a prompt or a heading's decoration is split off."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import accumulate, pairwise

from app.parsing.blocks import INVISIBLE, INVISIBLE_CHARS, Block, Span, SpanKind, normalize_space

# Canonical order: by start, the longer (outer) span first, then a fixed order of kinds,
# so that the same structure read twice gives the same tuple.
_KIND_RANK: dict[str, int] = {"link": 0, "strong": 1, "emphasis": 2, "code": 3, "line_break": 4}
# Kinds of block whose text has inline structure; tables, code, images and rules have none.
_INLINE_KINDS = frozenset({"heading", "paragraph", "list_item", "quote"})
_DELETED_CHARS = "".join(chr(code) for code, kept in INVISIBLE.items() if kept is None)
_INTERIOR_SPACE_RUN = re.compile(r"\s{2,}")  # \s is str.isspace(), as str.split() uses
# Browsers ignore tabs and line ends anywhere in a URL and trim controls and spaces around
# it (URL standard), so "java\tscript:" is still a script.
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_TRIMMED = "".join(map(chr, range(0x21)))
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Schemes that run code in the page instead of leading anywhere.
_SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data"})


def span_order(span: Span) -> tuple[int, int, int]:
    return span.start, -span.end, _KIND_RANK[span.kind]


def link_scheme(href: str) -> str | None:
    """A URL's scheme, lower-case, as a browser reads it; None for a relative URL."""
    found = _SCHEME.match(_URL_IGNORED.sub("", href).strip(_URL_TRIMMED))
    return found.group(1).lower() if found else None


def safe_href(href: str | None) -> str | None:
    """A link's target as readers keep it: trimmed, and None for a missing target or a
    script (javascript:, vbscript:, data:), which leads nowhere a reader could follow."""
    if href is None:
        return None
    href = href.strip()
    if ":" not in href or href.startswith(("https://", "http://")):
        return href  # relative (no scheme) or a web link: most links, no parsing needed
    return None if link_scheme(href) in _SCRIPT_SCHEMES else href


class InlineText:
    """A block's raw text and its spans, read together from a reader's inline pieces in
    order; `finish` normalises the text and maps the spans onto it. Readers append to
    `parts` directly where a method call per piece would cost too much."""

    __slots__ = ("_open", "_spans", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        # Offsets count pieces until `finish`: most blocks have no span to place.
        self._spans: list[Span] = []
        self._open: list[tuple[SpanKind, int, str | None]] = []

    def open(self, kind: SpanKind, href: str | None = None) -> None:
        self._open.append((kind, len(self.parts), href))

    def close(self, kind: SpanKind) -> None:
        """Close the innermost open span of this kind; a stray closing tag closes none, and
        a span left open at the end is dropped (its extent is unknown)."""
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == kind:
                _, start, href = self._open.pop(index)
                self._spans.append(Span(kind, start, len(self.parts), href))
                return

    def line_break(self, separator: str = " ") -> None:
        """A line break, read into the text as `separator` (whitespace)."""
        self._spans.append(Span("line_break", len(self.parts), len(self.parts)))
        self.parts.append(separator)

    def finish(self) -> tuple[str, tuple[Span, ...]]:
        raw = "".join(self.parts)
        if not self._spans:
            return normalize_space(raw), ()
        offsets = list(accumulate(map(len, self.parts), initial=0))
        spans = [Span(s.kind, offsets[s.start], offsets[s.end], s.href) for s in self._spans]
        return normalize_with_spans(raw, spans)


def normalize_with_spans(raw: str, spans: Sequence[Span]) -> tuple[str, tuple[Span, ...]]:
    """normalize_space(raw), with `spans` (offsets into `raw`) moved onto it and tidied."""
    text = normalize_space(raw)
    if not spans or not text:
        return text, ()
    if text != raw:
        moved = _normalized_offsets(raw, {offset for span in spans for offset in span[1:3]})
        spans = [span._replace(start=moved[span.start], end=moved[span.end]) for span in spans]
    return text, tidy_spans(text, spans)


def _normalized_offsets(raw: str, offsets: set[int]) -> dict[int, int]:
    """Where each offset into `raw` lands in normalize_space(raw): it moves back by the
    characters removed before it (invisible characters, the leading and trailing
    whitespace, all but one character of every other whitespace run)."""
    moved = {offset: offset for offset in offsets}
    if not raw.isascii() and any(char in raw for char in INVISIBLE_CHARS):
        deleted = [index for index, char in enumerate(raw) if char in _DELETED_CHARS]
        moved = {offset: at - bisect_left(deleted, at) for offset, at in moved.items()}
        raw = raw.translate(INVISIBLE)
    runs = _removed_runs(raw)
    starts = [start for start, _ in runs]
    removed_before = [0]  # characters removed by the runs before each run
    for start, end in runs:
        removed_before.append(removed_before[-1] + end - start)
    for offset, at in moved.items():
        index = bisect_left(starts, at) - 1  # the last run starting before `at`
        if index >= 0:
            start, end = runs[index]
            moved[offset] = at - removed_before[index] - (min(at, end) - start)
    return moved


def _removed_runs(text: str) -> list[tuple[int, int]]:
    """The (start, end) ranges of whitespace that normalising removes, in order."""
    lead = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if end == 0:
        return [(0, len(text))] if text else []
    runs = [(0, lead)] if lead else []
    interior = _INTERIOR_SPACE_RUN.finditer(text, lead, end)
    runs.extend((run.start() + 1, run.end()) for run in interior)
    if end < len(text):
        runs.append((end, len(text)))
    return runs


def tidy_spans(text: str, spans: Iterable[Span]) -> tuple[Span, ...]:
    """Spans as readers hand them on: trimmed to the words they cover, none empty but line
    breaks (one per place, never at either end), none crossing another or inside a span of
    its own kind, touching spans of one kind merged, in canonical order."""
    trimmed = [kept for span in spans if (kept := _trimmed(text, span)) is not None]
    if len(trimmed) <= 1:
        return tuple(trimmed)  # most blocks with a span have just one
    trimmed.sort(key=span_order)
    if _apart(trimmed):
        return tuple(trimmed)  # a few links or bold words in a paragraph: nothing to fix
    return _merge_touching(_nested(trimmed))


def _apart(spans: list[Span]) -> bool:
    """No span reaches the next one, nor touches one of its own kind (sorted spans)."""
    return all(
        first.end < second.start or (first.end == second.start and first.kind != second.kind)
        for first, second in pairwise(spans)
    )


def _trimmed(text: str, span: Span) -> Span | None:
    kind, start, end, href = span
    length = len(text)
    if start < 0 or end > length:  # only hand-made spans reach outside the text
        start, end = min(max(start, 0), length), min(max(end, 0), length)
    if kind == "line_break":
        # A break ends its line: it sits before the space that separates the lines.
        while start > 0 and text[start - 1] == " ":
            start -= 1
        return Span("line_break", start, start) if 0 < start < length else None
    if kind == "link" and href is None:
        return None  # an anchor that leads nowhere, or a script
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return Span(kind, start, end, href) if start < end else None


def _nested(spans: list[Span]) -> list[Span]:
    """Drop what crosses a span it starts in, what repeats an enclosing span's kind (bold
    inside bold adds nothing) and a second line break at one place."""
    kept: list[Span] = []
    enclosing: list[Span] = []
    for span in spans:
        while enclosing and enclosing[-1].end <= span.start:
            enclosing.pop()
        if enclosing and span.end > enclosing[-1].end:
            continue
        if span.kind == "line_break":
            if not (kept and kept[-1] == span):
                kept.append(span)
        elif all(outer.kind != span.kind for outer in enclosing):
            kept.append(span)
            enclosing.append(span)
    return kept


def _merge_touching(spans: list[Span]) -> tuple[Span, ...]:
    """Merge a span into the sibling of its kind and target that ends where it starts
    ("<b>a</b><b>b</b>"): Markdown cannot write two such spans apart."""
    merged: list[Span] = []
    enclosing: list[int] = []  # indexes into `merged` of the open spans
    last_child: dict[int, int] = {}  # per enclosing index (-1: none), its last closed child
    for span in spans:
        while enclosing and merged[enclosing[-1]].end <= span.start:
            closed = enclosing.pop()
            last_child[enclosing[-1] if enclosing else -1] = closed
        parent = enclosing[-1] if enclosing else -1
        sibling = last_child.get(parent)
        if span.kind != "line_break" and sibling is not None:
            before = merged[sibling]
            if (before.kind, before.href, before.end) == (span.kind, span.href, span.start):
                merged[sibling] = before._replace(end=span.end)
                del last_child[parent]
                enclosing.append(sibling)
                continue
        merged.append(span)
        if span.kind != "line_break":
            enclosing.append(len(merged) - 1)
    # A merged span grew: it may now cover the same range as one that came before it.
    return tuple(sorted(merged, key=span_order))


def clip_spans(spans: Iterable[Span], start: int, end: int) -> tuple[Span, ...]:
    """The spans within text[start:end], with offsets counted from `start`; a span reaching
    over either end is cut there, a line break at either end is dropped."""
    clipped: list[Span] = []
    for span in spans:
        if span.kind == "line_break":
            if start < span.start < end:
                clipped.append(Span("line_break", span.start - start, span.start - start))
            continue
        low, high = max(span.start, start), min(span.end, end)
        if low < high:
            clipped.append(Span(span.kind, low - start, high - start, span.href))
    return tuple(sorted(clipped, key=span_order))


def with_spans_from(block: Block, source: str, spans: Sequence[Span]) -> Block:
    """`block`, cut from the normalised text `source` (its prompt, then its text: a run-in
    prompt split off, a heading's decoration stripped), with the spans of `source` that
    fall in each part. A part not found in `source` gets none: never a wrong offset."""
    return located_blocks([block], source, spans)[0]


def located_blocks(blocks: Sequence[Block], source: str, spans: Sequence[Span]) -> list[Block]:
    """Blocks cut in order from one normalised text (the lines of a paragraph), each with
    the spans of `source` that fall in its prompt and its text."""
    if not spans:
        return list(blocks)
    located: list[Block] = []
    cursor = 0
    for block in blocks:
        if block.kind not in _INLINE_KINDS:
            located.append(block)
            continue
        # A heading is one line: a break inside it was read as a space.
        kept = [s for s in spans if s.kind != "line_break"] if block.kind == "heading" else spans
        prompt_spans, cursor = _part_spans(block.prompt or "", source, kept, cursor)
        text_spans, cursor = _part_spans(block.text, source, kept, cursor)
        located.append(block._replace(spans=text_spans, prompt_spans=prompt_spans))
    return located


def _part_spans(
    part: str, source: str, spans: Sequence[Span], cursor: int
) -> tuple[tuple[Span, ...], int]:
    """The spans of `part`, found in `source` from `cursor` on, and the offset after it."""
    start = source.find(part, cursor) if part else -1
    if start < 0:
        return (), cursor
    return clip_spans(spans, start, start + len(part)), start + len(part)
