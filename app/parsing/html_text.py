"""Text of HTML elements: <br> as a space or a line break, whitespace normalised; with the
spans of their inline markup where a block is made of them."""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from app.parsing.blocks import Span, SpanKind, normalize_space
from app.parsing.spans import InlineText, safe_href

# Inline elements that give their text a span (HTML's phrasing content: <i> and <b> are
# what editors and extractors write for emphasis and strong; <kbd> and <samp> are code).
SPAN_TAGS: dict[str, SpanKind] = {
    "em": "emphasis",
    "i": "emphasis",
    "strong": "strong",
    "b": "strong",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "a": "link",
}


def raw_text(element: lxml_html.HtmlElement, *, line_break: str = " ") -> str:
    """Text content; <br> is a space by default (headings split across lines stay one line)."""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if node.tail:
                parts.append(node.tail)  # the text after a comment is still text
        elif event == "start":
            if isinstance(node.tag, str) and node.tag.lower() == "br":
                parts.append(line_break)
            if node.text and isinstance(node.tag, str):
                parts.append(node.text)
        elif node is not element and node.tail:
            parts.append(node.tail)
    return "".join(parts)


def element_text(element: lxml_html.HtmlElement) -> str:
    return normalize_space(raw_text(element))


def inline_text(
    element: lxml_html.HtmlElement, *, line_break: str = " "
) -> tuple[str, tuple[Span, ...]]:
    """The text element_text reads (same walk, same normalising), with the spans of the
    inline markup in it, the element's own tag included; each <br> is a line break."""
    inline = InlineText()
    append = inline.parts.append  # the walk's hot path: as cheap as raw_text's
    opened: list[lxml_html.HtmlElement] = []  # span elements not yet closed
    for event, node in etree.iterwalk(element, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if node.tail:
                append(node.tail)
        elif event == "start":
            if not isinstance(node.tag, str):
                continue
            tag = node.tag.lower()
            if tag == "br":
                inline.line_break(line_break)
            elif (kind := SPAN_TAGS.get(tag)) is not None:
                inline.open(kind, safe_href(node.get("href")) if kind == "link" else None)
                opened.append(node)
            if node.text:
                append(node.text)
        else:
            if opened and opened[-1] is node:
                opened.pop()
                inline.close(SPAN_TAGS[node.tag.lower()])
            if node is not element and node.tail:
                append(node.tail)
    return inline.finish()
