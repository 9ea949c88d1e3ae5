"""Text of HTML elements: <br> as a space or a line break, whitespace normalised."""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from app.parsing.blocks import normalize_space


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
