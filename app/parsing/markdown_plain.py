"""Plain Markdown (ATX headings and paragraphs of text, nothing else) read without the
CommonMark parser, which costs most of a small article's parse.

A document qualifies only when no character or line could start any other construct, so
the CommonMark parser would find exactly these headings and paragraphs with their text as
written: then the blocks here are the ones markdown_reader builds from its tokens, and like
them they have no inline spans. Anything else, or any doubt, returns None and the document
goes through the parser.
"""

from __future__ import annotations

import re

from app.parsing.blocks import Block, normalize_space, strip_heading_decoration
from app.parsing.questions import INTERVIEW_PROMPT

# Characters that open inline markup (autolinks, HTML, code spans, emphasis, entities,
# escapes, links, images), table pipes, and every whitespace character but the space and
# the newline (what str.isspace() accepts: tabs, other line ends, Unicode spaces), which
# the parser would normalise, trim or split lines on.
_NOT_PLAIN_CHARACTER = re.compile(
    "[<`*_&\\\\\\[|\t\x0b\x0c\r\x00\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
# Line openings of other blocks: an indented line that is not blank, a block quote, a list
# item or thematic break, a setext underline, a fence, an ordered list item, and a '#' that
# opens no ATX heading.
_NOT_PLAIN_LINE = re.compile(r"(?: +[^ ]|[>+\-=~]|\d{1,9}[.)]|#(?!#{0,5}(?: |$)))")
_NOT_PLAIN_LINE_FIRST = frozenset(" >+-=~#0123456789")  # what such a line starts with
_HEADING = re.compile(r"#{1,6}(?= |$)")


def read_plain_markdown(text: str) -> list[Block] | None:
    """The blocks of a plain Markdown document, as markdown_reader builds them from the
    parser's tokens; None when the document is not plain."""
    if _NOT_PLAIN_CHARACTER.search(text):
        return None
    blocks: list[Block] = []
    one_line: set[str] = set()  # origins of the paragraphs of one line
    paragraph: list[str] = []  # the open paragraph's lines
    start = 0  # the index of its first line
    # A blank line after the last closes the last paragraph.
    for index, line in enumerate([*text.split("\n"), ""]):
        if line[:1] in _NOT_PLAIN_LINE_FIRST and _NOT_PLAIN_LINE.match(line):
            return None
        heading = _HEADING.match(line)
        if heading is None and line.strip(" "):
            if not paragraph:
                start = index
            elif paragraph[-1].endswith("  "):
                return None  # two trailing spaces before the next line: a hard line break
            paragraph.append(line)
            continue
        if paragraph:  # a blank line or a heading ends it
            text_of_paragraph = normalize_space(" ".join(paragraph))
            if INTERVIEW_PROMPT.match(text_of_paragraph):
                return None  # a prompt paragraph: the full reader splits it
            blocks.append(Block("paragraph", text_of_paragraph, f"line {start + 1}"))
            if len(paragraph) == 1:
                one_line.add(blocks[-1].origin)
            paragraph = []
        if heading is not None:
            level = heading.end()
            content = normalize_space(_heading_content(line, level))
            origin = f"line {index + 1}"
            blocks.append(Block("heading", strip_heading_decoration(content), origin, level))
    blocks = [block for block in blocks if block.text]
    if any(block.kind == "heading" for block in blocks):
        return blocks
    # No heading markup: as in a plain-text file, a one-line paragraph is a bare line.
    return [block._replace(bare_line=block.origin in one_line) for block in blocks]


def _heading_content(line: str, level: int) -> str:
    """The heading's text as the parser's ATX heading rule cuts it: without the trailing
    spaces and a closing run of '#' that follows a space."""
    end = len(line)
    while end > level and line[end - 1] == " ":
        end -= 1
    closing = end
    while closing > level and line[closing - 1] == "#":
        closing -= 1
    if closing > level and line[closing - 1] == " ":
        end = closing
    return line[level:end].strip(" ")
