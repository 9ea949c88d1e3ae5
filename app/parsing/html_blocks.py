"""Main-content HTML -> blocks: headings, paragraphs (bold-only, run-in prompts, <br>
lines), list items, quotes, tables and code. Headings, paragraphs, list items and quotes
carry the spans of their inline markup (emphasis, strong, code, links, line breaks)."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import html as lxml_html

from app.parsing.blocks import (
    Block,
    BlockKind,
    normalize_space,
    strip_heading_decoration,
    word_count,
)
from app.parsing.html_text import element_text, inline_text, raw_text
from app.parsing.questions import (
    INTERVIEW_PROMPT,
    MAX_PROMPT_WORDS,
    ends_with_tag_question,
    is_question,
    split_prompt,
)
from app.parsing.spans import located_blocks, with_spans_from
from app.parsing.text_reader import read_text

_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
_BOLD_TAGS = {"b", "strong"}
_LIST_TAGS = {"ul", "ol", "dl"}
_INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "font"}
    | {"i", "img", "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strong"}
    | {"sub", "sup", "time", "tt", "u", "var", "wbr"}
)


def walk(element: lxml_html.HtmlElement) -> Iterator[Block]:
    """Blocks of the element's content in order. Every piece of text is read: the
    element's own leading text and the text after each child (tails) too."""
    if element.text and element.text.strip():
        yield _block("paragraph", element.text, "text")
    for child in element.iterchildren():
        if not isinstance(child.tag, str):  # a comment: its tail is still page text
            if child.tail and child.tail.strip():
                yield _block("paragraph", child.tail, "text")
            continue
        tag = child.tag.lower()
        origin = tag
        if tag in _HEADING_TAGS:
            source, spans = inline_text(child)
            if text := strip_heading_decoration(source):
                heading = Block("heading", text, origin, level=_HEADING_TAGS[tag])
                yield with_spans_from(heading, source, spans)
        elif tag == "p":
            yield from _paragraph(child)
        elif tag in _LIST_TAGS:
            yield from _list_items(child)
        elif tag == "blockquote" and _inline_only(child):
            text, spans = inline_text(child)
            if text:
                yield Block("quote", text, origin, spans=spans)
        elif tag == "blockquote":
            # An answer or quote with its own paragraphs, code and lists (Sphinx wraps them).
            for block in walk(child):
                yield block._replace(kind="quote") if block.kind == "paragraph" else block
        elif tag == "table":
            yield _block("table", _table_text(child), origin)
        elif tag in ("pre", "code"):
            yield Block("code", (child.text_content() or "").strip("\n"), origin)
        elif len(child) and _inline_only(child):
            yield from _paragraph(child)  # a <div> of text and inline markup is a paragraph
        elif len(child):
            yield from walk(child)
        elif (inline := inline_text(child))[0] != "":
            yield Block("paragraph", inline[0], origin, spans=inline[1])
        if child.tail and child.tail.strip():
            yield _block("paragraph", child.tail, "text")


def _paragraph(element: lxml_html.HtmlElement) -> list[Block]:
    text, spans = inline_text(element)
    if not text:
        return []  # an empty <p> (spacing) holds nothing to account for
    bold_prefix = _leading_bold(element)
    if bold_prefix and normalize_space(bold_prefix) == text:
        return [Block("paragraph", text, "p", emphasis=True, spans=spans)]
    if bold_prefix:
        prompt = normalize_space(bold_prefix)
        rest = normalize_space(text[len(prompt) :]) if text.startswith(prompt) else ""
        if rest and is_question(prompt):
            return [with_spans_from(Block("paragraph", rest, "p>b", prompt=prompt), text, spans)]
        if rest and not INTERVIEW_PROMPT.match(text) and not _asks_on_later_lines(element):
            # A statement in bold opening the paragraph: a prompt if the article's other
            # bold leads ask (interview.promote_statement_leads), else just text.
            return [Block("paragraph", text, "p", lead=prompt, spans=spans)]
    if element.find(".//br") is not None:
        # Pages laid out with <br> instead of paragraphs: read the lines as plain text. The
        # extractor may collapse <br><br> into one <br>, so every line stands alone, but
        # only a question line can head a section (addresses and verse are lines too).
        lines = read_text(raw_text(element, line_break="\n\n")).blocks
        if len(lines) > 1:
            return [
                line._replace(origin="p>br", standalone=_asks(line.text))
                for line in located_blocks(lines, text, spans)
            ]
    if INTERVIEW_PROMPT.match(text):
        # "Q: How do I...?" as a paragraph of its own, its answer ("A: ...") in the next one
        # or after the question in this one.
        prompt, rest = split_prompt(text)
        if word_count(prompt) <= MAX_PROMPT_WORDS:
            return [with_spans_from(Block("paragraph", rest, "p", prompt=prompt), text, spans)]
    return [Block("paragraph", text, "p", spans=spans)]


def _asks_on_later_lines(element: lxml_html.HtmlElement) -> bool:
    """Lines set apart by <br> after the first, one of which asks: a list of questions
    under a bold label ("Shipping<br>How long does it take?<br>..."), not a bold lead."""
    if element.find(".//br") is None:
        return False
    lines = read_text(raw_text(element, line_break="\n\n")).blocks
    return any(_asks(line.text) for line in lines[1:])


def _asks(line: str) -> bool:
    """A question line, not a statement closed by a tag question ("…, right?")."""
    return is_question(line) and not ends_with_tag_question(line)


def _leading_bold(element: lxml_html.HtmlElement) -> str | None:
    """Text of the bold element(s) that open the paragraph, if it opens with bold."""
    if element.text and element.text.strip():
        return None
    parts: list[str] = []
    for child in element.iterchildren():
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag in _BOLD_TAGS:
            parts.append(raw_text(child))
            if child.tail and child.tail.strip():
                break
        elif tag == "br":
            parts.append(" ")
        else:
            break
    joined = "".join(parts)
    return joined if joined.strip() else None


def _list_items(element: lxml_html.HtmlElement) -> Iterator[Block]:
    if element.text and element.text.strip():  # text loose in the list, outside any item
        yield _block("list_item", element.text, "text")
    for item in element.iterchildren():
        if isinstance(item.tag, str):
            yield from _list_item(item)
        if item.tail and item.tail.strip():
            yield _block("list_item", item.tail, "text")


def _list_item(item: lxml_html.HtmlElement) -> Iterator[Block]:
    if item.tag.lower() in _LIST_TAGS:
        yield from _list_items(item)
    elif (inline := inline_text(item))[0] != "":
        text, spans = inline
        bold = _leading_bold(item)
        question = normalize_space(bold) if bold else ""
        answer = normalize_space(text[len(question) :]) if text.startswith(question) else ""
        if question and answer and is_question(question):
            # "<li><b>How do I X?</b> <p>answer</p></li>": an FAQ written as a list.
            faq = Block("paragraph", answer, "li>b", prompt=question)
            yield with_spans_from(faq, text, spans)
        else:
            yield Block("list_item", text, item.tag.lower(), spans=spans)


def _inline_only(element: lxml_html.HtmlElement) -> bool:
    """Only text and inline markup inside, at any depth (a link may wrap a heading)."""
    return all(
        not isinstance(node.tag, str) or node.tag.lower() in _INLINE_TAGS
        for node in element.iterdescendants()
    )


def _table_text(table: lxml_html.HtmlElement) -> str:
    rows = []
    for row in table.iter("tr"):
        cells = [element_text(cell) for cell in row if isinstance(cell.tag, str)]
        rows.append(" | ".join(cell for cell in cells if cell))
    return "\n".join(row for row in rows if row)


def _block(kind: BlockKind, text: str, origin: str) -> Block:
    return Block(kind, normalize_space(text) if kind != "table" else text, origin)
