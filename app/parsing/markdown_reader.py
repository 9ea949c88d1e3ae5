"""Markdown -> blocks with a CommonMark parser; lines the parser consumes silently
(link reference definitions, front matter) and HTML that is not text (scripts, images,
comments) are accounted for as dropped regions."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from itertools import dropwhile

from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.parsing.blocks import (
    Block,
    BlockKind,
    ReadResult,
    Span,
    SpanKind,
    normalize_space,
    strip_heading_decoration,
    word_count,
)
from app.parsing.markdown_html import clean_inline, read_html_block, read_inline_tag
from app.parsing.markdown_plain import read_plain_markdown
from app.parsing.questions import (
    ANSWER_PREFIX,
    INTERVIEW_PROMPT,
    MAX_PROMPT_WORDS,
    is_question,
    split_prompt,
)
from app.parsing.spans import InlineText, safe_href, with_spans_from

_FRONT_MATTER = re.compile(
    r"\A(?:---|\+\+\+)[ \t]*\n(.*?\n)(?:---|\+\+\+|\.\.\.)[ \t]*(?:\n|\Z)", re.S
)
# "title: ..." and the indented lines YAML folds a long title onto.
_FRONT_MATTER_TITLE = re.compile(r"^title[ \t]*[:=][ \t]*(.*(?:\n[ \t]+\S.*)*)", re.M | re.I)
_BLOCK_SCALAR_INDICATOR = re.compile(r"^[>|][+-]?\s")
_MAX_PREAMBLE_WORDS = 60
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_LINK_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:")
_CONTAINERS = {"bullet_list_open", "ordered_list_open", "list_item_open", "blockquote_open"}
_PARSER = MarkdownIt("commonmark").enable("table")
# Inline tokens that open and close a span ("code_inline" is one token, a span by itself).
_SPAN_OPENERS: dict[str, SpanKind] = {
    "em_open": "emphasis",
    "strong_open": "strong",
    "link_open": "link",
}
_SPAN_CLOSERS: dict[str, SpanKind] = {
    "em_close": "emphasis",
    "strong_close": "strong",
    "link_close": "link",
}


def read_markdown(text: str) -> ReadResult:
    dropped: list[tuple[str, str]] = []
    title: str | None = None
    front = _FRONT_MATTER.match(text)
    if front:
        dropped.append((front.group(0).strip(), "front_matter"))
        title = _front_matter_title(front.group(1))
        # Blank out the front matter but keep line numbers stable.
        text = "\n" * front.group(0).count("\n") + text[front.end() :]
    # Plain Markdown gives the same blocks without the parser.
    plain = read_plain_markdown(text)
    blocks = plain if plain is not None else _parsed_blocks(text, dropped)
    if title is None:
        title, blocks = _title_heading(blocks)
    return ReadResult(blocks, title=title, dropped_regions=tuple(dropped))


def _parsed_blocks(text: str, dropped: list[tuple[str, str]]) -> list[Block]:
    """The blocks of any Markdown, read from the CommonMark parser's tokens."""
    tokens = _PARSER.parse(text)
    html_blocks = _read_html(tokens, dropped)
    blocks = _blocks(tokens, html_blocks)
    if not any(b.kind == "heading" or b.emphasis or b.prompt for b in blocks):
        # No heading markup at all: the file is plain text in a .md name, and its lone
        # short lines are the only evidence of headings, as in a .txt file.
        lone = _lone_line_origins(tokens)
        blocks = [
            b._replace(bare_line=True) if b.kind == "paragraph" and b.origin in lone else b
            for b in blocks
        ]
    dropped.extend(_unparsed_lines(text.splitlines(), tokens))
    return blocks


def _front_matter_title(front_matter: str) -> str | None:
    found = _FRONT_MATTER_TITLE.search(front_matter)
    if found is None:
        return None
    value = _BLOCK_SCALAR_INDICATOR.sub("", normalize_space(found.group(1)) + " ")
    value = value.strip().strip("\"'").strip()
    # Docs generators write HTML entities in titles ("m&#225;s") that their pages decode.
    return normalize_space(_ENTITY.sub(lambda entity: html.unescape(entity[0]), value)) or None


def _read_html(tokens: Sequence[Token], dropped: list[tuple[str, str]]) -> dict[int, list[Block]]:
    """Strip dropped HTML out of every inline token (table cells too) and read each HTML
    block, in document order; returns the blocks per html_block token index."""
    html_blocks: dict[int, list[Block]] = {}
    for index, token in enumerate(tokens):
        if token.type == "inline" and token.children:
            token.children, inline_dropped = clean_inline(token.children)
            dropped.extend(inline_dropped)
        elif token.type == "html_block":
            origin = f"line {token.map[0] + 1}" if token.map else "markdown"
            html_blocks[index], block_dropped = read_html_block(token.content, origin)
            dropped.extend(block_dropped)
    return html_blocks


def _blocks(tokens: Sequence[Token], html_blocks: dict[int, list[Block]]) -> list[Block]:
    blocks: list[Block] = []
    containers: list[str] = []
    heading_level: int | None = None
    for index, token in enumerate(tokens):
        if token.type in _CONTAINERS:
            containers.append(token.type)
        elif token.type.endswith("_close") and token.type.replace("_close", "_open") in _CONTAINERS:
            containers.pop()
        elif token.type == "heading_open":
            heading_level = int(token.tag[1])
        elif token.type == "heading_close":
            heading_level = None
        elif token.type == "inline":
            answered = index + 2 < len(tokens) and tokens[index + 2].type == "paragraph_open"
            blocks.extend(
                _inline_block(token, tokens[index - 1], heading_level, containers, answered)
            )
        elif token.type in ("fence", "code_block"):
            blocks.append(_block("code", token.content, token))
        elif token.type == "html_block":
            blocks.extend(html_blocks.get(index, []))
        elif token.type == "table_open":
            blocks.append(_block("table", table_text(tokens, index), token))
        elif token.type == "hr":
            blocks.append(_block("rule", token.markup, token))
    return [block for block in blocks if block.text or block.prompt or block.kind == "rule"]


def _inline_block(
    token: Token,
    opener: Token,
    heading_level: int | None,
    containers: list[str],
    answered: bool = False,
) -> list[Block]:
    """The block for one run of inline text. `answered`: another paragraph follows in the
    same container (a list item's answer under its bold question)."""
    if opener.type.startswith(("th_", "td_")):
        return []  # table cells are read with their table
    text, spans = _inline_text_and_spans(token.children or [])
    origin = f"line {token.map[0] + 1}" if token.map else "markdown"
    if heading_level is not None:
        heading = Block("heading", strip_heading_decoration(text), origin, level=heading_level)
        return [with_spans_from(heading, text, spans)]
    kind: BlockKind = "paragraph"
    if "list_item_open" in containers:
        kind = "list_item"
    elif "blockquote_open" in containers:
        kind = "quote"
    inline = token.children or []
    children = [c for c in inline if not (c.type == "text" and not c.content.strip())]
    if not children and not text:
        return []
    if all(c.type == "image" for c in children if c.type not in ("softbreak", "hardbreak")):
        return [Block("image", text, origin)]
    # The space between two spans is text ("**Why?** *a* *b*"): only leading space goes.
    run = list(dropwhile(_is_space, inline)) if inline and _is_space(inline[0]) else inline
    emphasis, prompt, rest = _emphasis(run)
    if kind == "list_item" and answered and is_question(text):
        # "- **How do I X?**" or "1. Where is X?" with its answer indented below: an FAQ
        # written as a list.
        if not emphasis:
            return [Block("paragraph", "", origin, prompt=text, prompt_spans=spans)]
        kind = "paragraph"
    if prompt is not None and kind == "paragraph" and is_question(prompt):
        return [with_spans_from(Block(kind, rest, origin, prompt=prompt), text, spans)]
    if kind == "paragraph" and not emphasis and INTERVIEW_PROMPT.match(text):
        prompt_block = _interview_prompt(run, origin)
        if word_count(prompt_block.prompt or "") <= MAX_PROMPT_WORDS:
            return [with_spans_from(prompt_block, text, spans)]
    lead = prompt if kind == "paragraph" else None  # a statement: a prompt only among others
    emphasis = emphasis and kind == "paragraph"
    return [Block(kind, text, origin, emphasis=emphasis, lead=lead, spans=spans)]


def _is_space(token: Token) -> bool:
    return token.type == "text" and not token.content.strip()


def _interview_prompt(children: list[Token], origin: str) -> Block:
    """'Q: How? / A: Like this.' in one paragraph, or a 'Вопрос: ...?' paragraph whose
    answer follows in the next one: the prompt, with the answer (if any) as its text."""
    lines = [normalize_space(inline_text(line)) for line in _split_lines(children)]
    lines = [line for line in lines if line]  # a line of nothing but spaces
    answer = next((i for i, line in enumerate(lines) if i and ANSWER_PREFIX.match(line)), None)
    if answer is None:
        prompt, rest = split_prompt(" ".join(lines))
        return Block("paragraph", rest, origin, prompt=prompt)
    return Block("paragraph", " ".join(lines[answer:]), origin, prompt=" ".join(lines[:answer]))


def _split_lines(children: list[Token]) -> list[list[Token]]:
    lines: list[list[Token]] = [[]]
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            lines.append([])
        else:
            lines[-1].append(child)
    return [line for line in lines if line]


def _lone_line_origins(tokens: Sequence[Token]) -> set[str]:
    """Origins of the top-level paragraphs that are one source line long."""
    return {
        f"line {token.map[0] + 1}"
        for token in tokens
        if token.type == "paragraph_open"
        and token.level == 0
        and token.map
        and token.map[1] - token.map[0] == 1
    }


def _emphasis(children: list[Token]) -> tuple[bool, str | None, str]:
    """(whole block bold?, run-in bold prompt, text after the prompt)."""
    if not children or children[0].type != "strong_open":
        return False, None, ""
    depth, end = 0, len(children)
    for position, child in enumerate(children):
        depth += {"strong_open": 1, "strong_close": -1}.get(child.type, 0)
        if depth == 0:
            end = position + 1
            break
    bold = normalize_space(inline_text(children[1 : end - 1]))
    rest = normalize_space(inline_text(children[end:]))
    if not rest:
        return True, None, ""
    return False, bold, rest


def inline_text(children: Sequence[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
        elif child.type == "html_inline" and child.content.lower().startswith("<br"):
            parts.append(" ")
    return "".join(parts)


def _inline_text_and_spans(children: Sequence[Token]) -> tuple[str, tuple[Span, ...]]:
    """The text inline_text reads, normalised, with the spans of the inline markup."""
    if len(children) == 1 and children[0].type == "text":
        return normalize_space(children[0].content), ()  # most headings and many paragraphs
    inline = InlineText()
    append = inline.parts.append
    for child in children:
        kind = child.type
        if kind == "text" or kind == "image":
            append(child.content)
        elif kind == "softbreak":
            append(" ")  # a line end in a paragraph is a space (CommonMark)
        elif kind == "code_inline":
            inline.open("code")
            append(child.content)
            inline.close("code")
        elif kind == "hardbreak":
            inline.line_break()
        elif kind in _SPAN_OPENERS:
            href = child.attrs.get("href") if kind == "link_open" else None
            inline.open(_SPAN_OPENERS[kind], safe_href(str(href)) if href is not None else None)
        elif kind in _SPAN_CLOSERS:
            inline.close(_SPAN_CLOSERS[kind])
        elif kind == "html_inline":
            read_inline_tag(inline, child.content)
    return inline.finish()


def table_text(tokens: Sequence[Token], start: int) -> str:
    rows: list[str] = []
    cells: list[str] = []
    for token in tokens[start:]:
        if token.type == "inline":
            cells.append(normalize_space(inline_text(token.children or [])))
        elif token.type == "tr_close":
            rows.append(" | ".join(cells))
            cells = []
        elif token.type == "table_close":
            break
    return "\n".join(rows)


def _block(kind: BlockKind, text: str, token: Token) -> Block:
    origin = f"line {token.map[0] + 1}" if token.map else "markdown"
    if kind == "table":
        return Block(kind, text, origin)  # one line per row, as the HTML reader keeps them
    return Block(kind, normalize_space(text) if kind != "code" else text.strip("\n"), origin)


def _unparsed_lines(lines: list[str], tokens: Sequence[Token]) -> list[tuple[str, str]]:
    """Non-blank lines no block covers: link reference definitions and the like."""
    covered = [False] * len(lines)
    for token in tokens:
        if token.map and token.level == 0:
            for number in range(token.map[0], min(token.map[1], len(lines))):
                covered[number] = True
    dropped: list[tuple[str, str]] = []
    for number, line in enumerate(lines):
        if covered[number] or not line.strip():
            continue
        reason = "link_reference" if _LINK_REFERENCE.match(line) else "markup"
        dropped.append((line.strip(), reason))
    return dropped


def _title_heading(blocks: list[Block]) -> tuple[str | None, list[Block]]:
    """The first heading is the title when at most a short preamble (badges, a blurb) comes
    before it and no other heading shares its level (it is the document's one top heading).
    A lone heading after the text (a closing "Contents") titles nothing."""
    headings = [b for b in blocks if b.kind == "heading"]
    if not headings:
        return None, blocks
    first = headings[0]
    top_level = min(b.level or 1 for b in headings)
    same_level = [b for b in headings if b.level == first.level]
    if first.level != top_level or len(same_level) > 1:
        return None, blocks
    preamble = [b for b in blocks[: blocks.index(first)] if b.kind not in ("image", "rule")]
    if len(preamble) > 1 or sum(word_count(b.text) for b in preamble) > _MAX_PREAMBLE_WORDS:
        return None, blocks
    return first.text, [b for b in blocks if b is not first]
