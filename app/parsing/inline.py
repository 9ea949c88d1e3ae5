"""A block's text rendered again with its inline structure (Block.spans): as CommonMark
inline Markdown or as HTML, without the source. Both renderings are pure functions."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from typing import Literal, NamedTuple

from app.parsing.blocks import Block, Span
from app.parsing.spans import link_scheme, safe_href, tidy_spans

# Link targets an HTML rendering keeps: web and mail links, and relative ones (no scheme).
_HTML_SCHEMES = frozenset({"http", "https", "mailto"})
_HTML_TAGS = {"emphasis": "em", "strong": "strong", "code": "code"}
# ASCII characters that open or close inline Markdown anywhere in a line: a backslash
# escape, code, emphasis, links, autolinks and HTML, entities.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<>&]")
# What opens a block at the start of a line (ATX heading, quote, list item, thematic break,
# setext underline, fence, table delimiter row) and an ordered list marker ("1." or "1)").
_LINE_START_SPECIAL = frozenset("#>-+=~|:")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")
_DESTINATION_SPECIAL = re.compile(r"[\\()<>]")
_DESTINATION_UNSAFE = re.compile(r"[\x00-\x20\x7f]")
_MARKDOWN_DELIMITERS = {"emphasis": "*", "strong": "**"}
# Two spaces before the line end: a hard break that leaves a '*' before it a closer only
# (a backslash break is punctuation, which would let the run open as well).
_HARD_BREAK = "  \n"


class _Event(NamedTuple):
    """One step of a rendering: plain text, a span opening or closing, or a line break."""

    kind: Literal["text", "open", "close", "break"]
    text: str = ""
    span: Span | None = None


def block_markdown(block: Block) -> str:
    """The block's text as CommonMark inline Markdown: *emphasis*, **strong**, `code`,
    [links](href), hard line breaks (two spaces at the end of the line), the text's own
    Markdown characters escaped."""
    return inline_markdown(block.text, block.spans)


def block_html(block: Block) -> str:
    """The block's text as HTML: escaped, with <em>, <strong>, <code>, <a href> (web, mail
    and relative targets only) and <br>."""
    return inline_html(block.text, block.spans)


def inline_html(text: str, spans: Sequence[Span]) -> str:
    parts: list[str] = []
    for event in _events(text, spans):
        if event.kind == "text":
            parts.append(html.escape(event.text, quote=False))
        elif event.kind == "break":
            parts.append("<br>")
        elif event.span is not None:
            parts.append(_html_tag(event.span, closing=event.kind == "close"))
    return "".join(parts)


def _html_tag(span: Span, *, closing: bool) -> str:
    if span.kind != "link":
        return f"</{_HTML_TAGS[span.kind]}>" if closing else f"<{_HTML_TAGS[span.kind]}>"
    href = span.href
    if href is None or link_scheme(href) not in (None, *_HTML_SCHEMES):
        return ""  # the text stays, without a link to where the page should not lead
    return "</a>" if closing else f'<a href="{html.escape(href, quote=True)}">'


def inline_markdown(text: str, spans: Sequence[Span]) -> str:
    if not spans:
        return _plain_markdown(text)  # most paragraphs: what the general path gives, faster
    # A link to a script is written as its text alone.
    spans = [span for span in spans if span.kind != "link" or safe_href(span.href) is not None]
    events = _events(text, spans)
    rendered = _escaped_texts(events)
    as_html = _spans_needing_html(events, rendered)
    parts: list[str] = []
    code: Span | None = None  # code is literal: spans inside it are not written
    for index, event in enumerate(events):
        span = event.span
        if code is not None:
            if event.kind == "close" and span == code:
                code = None
            continue
        if event.kind == "text":
            parts.append(rendered[index])
        elif event.kind == "break":
            parts.append(_HARD_BREAK)
        elif span is not None and span.kind == "code":
            parts.append(_code_span(text[span.start : span.end]))
            code = span
        elif span is not None:
            closing = event.kind == "close"
            parts.append(_markdown_markup(span, closing=closing, as_html=span in as_html))
    return "".join(parts)


def _markdown_markup(span: Span, *, closing: bool, as_html: bool) -> str:
    if span.kind == "link":
        return f"]({_destination(span.href or '')})" if closing else "["
    if as_html:
        return _html_tag(span, closing=closing)
    return _MARKDOWN_DELIMITERS[span.kind]


def _events(text: str, spans: Sequence[Span]) -> list[_Event]:
    """The text cut at every span's ends, in order. A line break takes the one space that
    separates its lines; spans are tidied first, so hand-made ones render too."""
    events: list[_Event] = []
    enclosing: list[Span] = []
    cursor = 0

    def text_to(end: int) -> None:
        nonlocal cursor
        if end > cursor:
            events.append(_Event("text", text[cursor:end]))
            cursor = end

    for span in tidy_spans(text, spans):
        while enclosing and enclosing[-1].end <= span.start:
            text_to(enclosing[-1].end)
            events.append(_Event("close", span=enclosing.pop()))
        text_to(span.start)
        if span.kind == "line_break":
            events.append(_Event("break"))
            cursor += text[cursor : cursor + 1] == " "
        else:
            events.append(_Event("open", span=span))
            enclosing.append(span)
    while enclosing:
        text_to(enclosing[-1].end)
        events.append(_Event("close", span=enclosing.pop()))
    text_to(len(text))
    return events


def _escaped_texts(events: Sequence[_Event]) -> dict[int, str]:
    """Each text event's Markdown: every character that could open inline markup escaped,
    and at the start of a line what could open a block; a '!' before a link too."""
    rendered: dict[int, str] = {}
    line_start = True
    for index, event in enumerate(events):
        if event.kind == "text":
            escaped = _escaped(event.text)
            if line_start:
                escaped = _escaped_line_start(escaped)
            if escaped.endswith("!"):
                escaped = escaped[:-1] + "\\!"  # "![" would make the next link an image
            rendered[index] = escaped
        line_start = event.kind == "break"
    return rendered


def _escaped(text: str) -> str:
    """Every character that could open inline markup, backslash-escaped (most text has
    none: one scan)."""
    if _MARKDOWN_SPECIAL.search(text) is None:
        return text
    return _MARKDOWN_SPECIAL.sub(r"\\\g<0>", text)


def _plain_markdown(text: str) -> str:
    """Text without spans as Markdown: one text event of the general path."""
    escaped = _escaped_line_start(_escaped(text))
    return escaped[:-1] + "\\!" if escaped.endswith("!") else escaped


# The same, on many one-line paragraphs at once (plain text: most bodies)
_LINE_STARTS = re.compile(r"^(?=[#>\-+=~|:])", re.MULTILINE)
_LINE_ORDERED_MARKERS = re.compile(r"^(\d{1,9})([.)])", re.MULTILINE)
_LINE_END_BANGS = re.compile(r"!$", re.MULTILINE)


def plain_lines_markdown(lines: str) -> str:
    """Lines of text without spans (one paragraph each) as Markdown, each as
    `inline_markdown(line, ())` writes it, in three passes over the whole."""
    escaped = _escaped(lines)
    escaped = _LINE_STARTS.sub("\\\\", escaped)
    escaped = _LINE_ORDERED_MARKERS.sub(r"\1\\\2", escaped)
    return _LINE_END_BANGS.sub("\\\\!", escaped)


def _escaped_line_start(text: str) -> str:
    if text[:1] in _LINE_START_SPECIAL:
        return "\\" + text
    return _ORDERED_MARKER.sub(r"\1\\\2", text, count=1) if text[:1].isdigit() else text


def _code_span(code: str) -> str:
    """A code span fenced by one more backtick than the longest run inside; padded with a
    space (which CommonMark strips) when the code starts or ends with a backtick."""
    fence = "`" * (max((len(run) for run in re.findall("`+", code)), default=0) + 1)
    pad = " " if code[:1] == "`" or code[-1:] == "`" else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _destination(href: str) -> str:
    """A link destination CommonMark reads back as `href`: brackets and backslashes
    escaped, spaces and control characters percent-encoded."""
    escaped = _DESTINATION_SPECIAL.sub(r"\\\g<0>", href)
    return _DESTINATION_UNSAFE.sub(lambda char: f"%{ord(char[0]):02X}", escaped)


def _spans_needing_html(events: Sequence[_Event], rendered: dict[int, str]) -> set[Span]:
    """Emphasis and strong spans that '*' delimiters cannot mark where they stand, written
    as <em> and <strong> instead (CommonMark reads inline HTML through).

    CommonMark's flanking rules decide whether a '*' run opens, closes or both, from the
    characters either side ("x**[link](u)**y" opens nothing). A run here must open only or
    close only, whichever punctuation CommonMark version reads it; a run that could do
    both may pair with another span's run. Markup around a span is punctuation."""
    opened: dict[Span, int] = {}
    needing: set[Span] = set()
    for index, event in enumerate(events):
        span = event.span
        if span is None or span.kind not in _MARKDOWN_DELIMITERS:
            continue
        if event.kind == "open":
            opened[span] = index
            continue
        start = opened[span]
        before_open = _last_char(events, rendered, start - 1)
        after_open = _first_char(events, rendered, start + 1)
        before_close = _last_char(events, rendered, index - 1)
        after_close = _first_char(events, rendered, index + 1)
        fits = all(
            _left_flanking(before_open, after_open, broad=broad)
            and not _right_flanking(before_open, after_open, broad=broad)
            and _right_flanking(before_close, after_close, broad=broad)
            and not _left_flanking(before_close, after_close, broad=broad)
            for broad in (False, True)
        )
        if not fits or _after_delimiter(events, start, needing):
            needing.add(span)
    return needing


def _left_flanking(before: str, after: str, *, broad: bool) -> bool:
    return not _space(after) and (
        not _punctuation(after, broad=broad) or _space(before) or _punctuation(before, broad=broad)
    )


def _right_flanking(before: str, after: str, *, broad: bool) -> bool:
    return not _space(before) and (
        not _punctuation(before, broad=broad) or _space(after) or _punctuation(after, broad=broad)
    )


def _space(char: str) -> bool:
    """Whitespace, or the start or end of a line ("" here), as CommonMark counts them."""
    return char == "" or char.isspace()


def _after_delimiter(events: Sequence[_Event], index: int, needing: set[Span]) -> bool:
    """Does the event at `index` follow a span closed by '*'? The two runs would make one
    ("*a***b**"), which CommonMark reads otherwise."""
    before = events[index - 1] if index > 0 else None
    return (
        before is not None
        and before.kind == "close"
        and before.span is not None
        and before.span.kind in _MARKDOWN_DELIMITERS
        and before.span not in needing
    )


def _first_char(events: Sequence[_Event], rendered: dict[int, str], index: int) -> str:
    """The first character written for the event at `index`: "" after the last event, a
    space for a line break, markup punctuation for a span's ends."""
    if index >= len(events):
        return ""
    kind = events[index].kind
    return rendered[index][0] if kind == "text" else " " if kind == "break" else "*"


def _last_char(events: Sequence[_Event], rendered: dict[int, str], index: int) -> str:
    if index < 0:
        return ""
    kind = events[index].kind
    return rendered[index][-1] if kind == "text" else "\n" if kind == "break" else "*"


def _punctuation(char: str, *, broad: bool) -> bool:
    """Punctuation as CommonMark 0.30 reads it (ASCII and Unicode P categories), or with
    `broad` as 0.31 does (the S categories, symbols, too)."""
    if char == "":
        return False
    if char.isascii():
        return not char.isalnum() and not char.isspace()
    category = unicodedata.category(char)
    return category[0] == "P" or (broad and category[0] == "S")
