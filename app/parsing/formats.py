"""Which reader a source needs: by file extension, then by sniffing the content."""

from __future__ import annotations

import re
from pathlib import PurePath

from app.models import SourceFormat

EXTENSIONS: dict[str, SourceFormat] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
_HTML_SIGNS = re.compile(
    r"^\s*(?:<!doctype\s+html|<html\b|<\?xml[^>]*>\s*<html\b)|<(?:body|article|p|div|h[1-6])\b[^>]*>",
    re.IGNORECASE,
)
_MARKDOWN_SIGNS = re.compile(
    r"^(?:#{1,6}\s+\S|={3,}\s*$|-{3,}\s*$|```|\*\*[^*\n]+\*\*\s*$|\[[^\]\n]+\]:\s*\S|>\s)"
    r"|\[[^\]\n]+\]\([^)\s]+\)",
    re.MULTILINE,
)


def format_from_name(name: str) -> SourceFormat | None:
    return EXTENSIONS.get(PurePath(name).suffix.lower())


def sniff_format(text: str) -> SourceFormat:
    head = text[:20000]
    if _HTML_SIGNS.search(head):
        return "html"
    if len(_MARKDOWN_SIGNS.findall(head)) >= 2:
        return "markdown"
    return "text"


def detect_format(name: str, text: str) -> SourceFormat:
    return format_from_name(name) or sniff_format(text)
