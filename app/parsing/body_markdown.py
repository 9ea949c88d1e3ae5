"""A body's Markdown form: its paragraphs, list items, quotes, code and tables as CommonMark
(GFM tables), each with its inline structure; and the plain text a Markdown body stands for.

The parser writes a section's body twice from the same paragraphs: the Markdown form
(`render_body`) and the plain text (`PARAGRAPH_SEPARATOR`-joined texts). `plain_text` reads
the Markdown back; it gives the plain body again (tests hold it on every fixture and corpus
page), so the plain body is a function of the Markdown one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.parsing.blocks import Block, BlockKind, Span, normalize_space
from app.parsing.inline import inline_markdown, plain_lines_markdown
from app.parsing.markdown_reader import inline_text, table_text
from app.parsing.spans import clip_spans

PARAGRAPH_SEPARATOR = "\n\n"
TABLE_CELL_SEPARATOR = " | "
_PARSER = MarkdownIt("commonmark").enable("table")
_BACKTICK_RUN = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
_MIN_TABLE_COLUMNS = 2


class Paragraph(NamedTuple):
    """One block of a body: its kind (list item, quote, code, table or paragraph), its
    plain text and the inline spans of that text."""

    kind: BlockKind
    text: str
    spans: tuple[Span, ...] = ()

    def without_prefix(self, length: int) -> Paragraph:
        """The paragraph with its first `length` characters cut (an "A:" or a speaker's
        name), its spans moved with the text."""
        return self._replace(
            text=self.text[length:], spans=clip_spans(self.spans, length, len(self.text))
        )


def paragraph_of(block: Block, *, with_prompt: bool) -> Paragraph:
    """The block as a body paragraph; `with_prompt` keeps a run-in prompt, in bold as the
    source set it."""
    if not with_prompt or not block.prompt:
        return Paragraph(block.kind, block.text, block.spans)
    shift = len(block.prompt) + 1
    moved = tuple(
        span._replace(start=span.start + shift, end=span.end + shift) for span in block.spans
    )
    bold = Span("strong", 0, len(block.prompt))
    return Paragraph(block.kind, block.full_text, (bold, *block.prompt_spans, *moved))


def render_body(paragraphs: Sequence[Paragraph]) -> str:
    """The paragraphs as one Markdown document; list items in a row make one list."""
    if all(
        kind == "paragraph" and not spans and "\n" not in text for kind, text, spans in paragraphs
    ):
        # Plain paragraphs (one line each): escaped in one pass over the whole body
        texts = [paragraph.text for paragraph in paragraphs if paragraph.text]
        return plain_lines_markdown(PARAGRAPH_SEPARATOR.join(texts))
    parts: list[str] = []
    previous: BlockKind | None = None
    for paragraph in paragraphs:
        if not paragraph.text:
            continue
        if parts:
            tight = previous == "list_item" and paragraph.kind == "list_item"
            parts.append("\n" if tight else PARAGRAPH_SEPARATOR)
        parts.append(_block_markdown(paragraph))
        previous = paragraph.kind
    return "".join(parts)


def _plain_line(paragraph: Paragraph) -> bool:
    return paragraph.kind == "paragraph" and not paragraph.spans and "\n" not in paragraph.text


def _block_markdown(paragraph: Paragraph) -> str:
    kind, text, spans = paragraph
    if kind == "code":
        return _fenced(text)
    if kind == "table":
        # Rows of uneven width stay preformatted text, which reads back the same.
        return _table(text) or _fenced(text)
    inline = inline_markdown(text, spans)
    if kind == "list_item":
        return "- " + inline.replace("\n", "\n  ")
    if kind == "quote":
        return "> " + inline.replace("\n", "\n> ")
    return inline


def _fenced(code: str) -> str:
    longest = max((len(run) for run in _BACKTICK_RUN.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code}\n{fence}"


def _table(text: str) -> str | None:
    """A GFM table of the rows ('a | b' lines, the first the header), when every row has
    the same number of cells, two or more; else None."""
    rows = [row.split(TABLE_CELL_SEPARATOR) for row in text.split("\n")]
    width = len(rows[0])
    if width < _MIN_TABLE_COLUMNS or any(len(row) != width for row in rows):
        return None
    if any(not cell.strip() or cell != normalize_space(cell) for row in rows for cell in row):
        return None  # an empty or padded cell would not read back the same
    lines = ["| " + " | ".join(_table_cell(cell) for cell in row) + " |" for row in rows]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)


def _table_cell(cell: str) -> str:
    return inline_markdown(cell, ()).replace("|", "\\|")


def markdown_of_plain(text: str) -> str:
    """Plain paragraphs as Markdown: their Markdown characters escaped; one that is not
    normal running text (line breaks of a table or code, leading or trailing space, whose
    kind the plain text no longer tells) preformatted."""
    return render_body(
        [
            Paragraph("paragraph" if part == normalize_space(part) else "code", part)
            for part in text.split(PARAGRAPH_SEPARATOR)
        ]
    )


def plain_text(markdown: str) -> str:
    """The plain text a Markdown body stands for: its blocks' text, joined by a blank line;
    inline markup dropped, a line break read as a space, table rows one per line."""
    blocks: list[str] = []
    tokens = _PARSER.parse(markdown)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type in ("fence", "code_block"):
            blocks.append(token.content.removesuffix("\n"))
        elif token.type == "table_open":
            blocks.append(table_text(tokens, index))
            while tokens[index].type != "table_close":
                index += 1
        elif token.type == "inline":
            blocks.append(_inline_plain(token.children or []))
        index += 1
    return PARAGRAPH_SEPARATOR.join(block for block in blocks if block)


def _inline_plain(children: Sequence[Token]) -> str:
    return normalize_space(inline_text(children))
