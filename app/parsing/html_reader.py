"""HTML page -> blocks: trafilatura finds the main content, we keep its heading structure,
bold-only paragraphs and run-in bold prompts; title and language come from the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from app.parsing.blocks import (
    Block,
    BlockKind,
    ReadResult,
    normalize_space,
    strip_heading_decoration,
    word_count,
)
from app.parsing.boilerplate import reading_time_minutes
from app.parsing.language import normalize_language_tag
from app.parsing.questions import is_prompt
from app.parsing.text_reader import read_text

_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
_BOLD_TAGS = {"b", "strong"}
_LIST_TAGS = {"ul", "ol", "dl"}
_ITEM_TAGS = {"li", "dt", "dd"}
_TOKEN = re.compile(r"\w+")
_MIN_TITLE_CONTAINMENT = 0.6
_MIN_SUBHEADING_TITLE_CONTAINMENT = 0.9
_ANY_SHARED_WORD = 1e-9
_MAX_PROMOTED_WORDS = 40
_MIN_KEPT_WORD_SHARE = 0.5
_ANY_TAG = re.compile(r"<[^>]*>")
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_LAYOUT_TAG = re.compile(r"</?(?:div|span|section|font|center)\b[^>]*>", re.IGNORECASE)
_PROMOTED_TAG = "h6"


def read_html(text: str) -> ReadResult:
    page = _parse(text)
    if page is None:
        return ReadResult([])
    title = _title(page, _metadata_title(page))
    language = _page_language(page)
    minutes = _page_reading_time(page)
    page_words = _visible_words(page)
    _promote_question_labels(page)
    main = _main_content(page)
    blocks = list(_walk(main)) if main is not None else []
    if not blocks:
        # The extractor found no main content (tiny or malformed pages): read the whole
        # body minus obvious chrome rather than lose the text.
        blocks = list(_walk(_without_chrome(page)))
    chrome = _chrome_summary(page_words, blocks)
    return ReadResult(
        blocks,
        title=title,
        language=language,
        dropped_regions=((chrome, "page_chrome"),) if chrome else (),
        reading_time_minutes=minutes,
    )


def _without_chrome(page: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    body = page.find("body")
    if body is None:
        return page
    for element in body.xpath(".//nav|.//header|.//footer|.//aside|.//form|.//script|.//style"):
        element.drop_tree()
    return body


def _promote_question_labels(page: lxml_html.HtmlElement) -> None:
    """FAQ widgets mark questions as <summary>, <dt> or accordion buttons, which the
    extractor flattens or throws away; make them headings so the structure survives."""
    for element in page.iter("summary", "dt", "button"):
        text = element_text(element)
        if not text or word_count(text) > _MAX_PROMOTED_WORDS or element.find(".//p") is not None:
            continue
        if element.tag == "summary" or is_prompt(text):
            if element.tag == "dt":
                _unlist(element.getparent())
            element.tag = _PROMOTED_TAG


def _unlist(definition_list: lxml_html.HtmlElement | None) -> None:
    """A <dl> of questions is an FAQ, not a list: keep its answers as plain blocks."""
    if definition_list is None or definition_list.tag != "dl":
        return
    definition_list.tag = "div"
    for answer in definition_list.iterchildren("dd"):
        answer.tag = "div"


def _parse(text: str) -> lxml_html.HtmlElement | None:
    # lxml rejects str input that carries an XML encoding declaration.
    cleaned = re.sub(r"^\s*<\?xml[^>]*>", "", text, count=1)
    page = _parse_document(cleaned)
    if page is not None and _lost_text(page, cleaned):
        # libxml2 silently drops everything nested deeper than 256 elements; layout
        # wrappers carry no structure we need, so unwrap them and parse again.
        flattened = _parse_document(_LAYOUT_TAG.sub(" ", cleaned))
        page = flattened if flattened is not None else page
    return page


def _parse_document(text: str) -> lxml_html.HtmlElement | None:
    try:
        return lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _lost_text(page: lxml_html.HtmlElement, source: str) -> bool:
    """True when the parsed tree holds far fewer words than the markup's text."""
    without_code = _SCRIPT_OR_STYLE.sub(" ", source)
    source_words = len(_ANY_TAG.sub(" ", without_code).split())
    tree_words = len(" ".join(page.itertext()).split())
    return source_words > 0 and tree_words < _MIN_KEPT_WORD_SHARE * source_words


def _main_content(page: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    extracted = trafilatura.extract(
        page,
        output_format="html",
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        include_links=False,
        include_images=False,
        # Skip the readability/jusText comparison pass: it doubles the cost and on
        # question-headed pages it did not change which headings were kept (bench/, corpus).
        fast=True,
    )
    if not extracted:
        return None
    try:
        return lxml_html.document_fromstring(extracted)
    except (etree.ParserError, ValueError):
        return None


def _walk(element: lxml_html.HtmlElement) -> Iterator[Block]:
    for child in element.iterchildren():
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        origin = tag
        if tag in _HEADING_TAGS:
            text = strip_heading_decoration(element_text(child))
            yield Block("heading", text, origin, level=_HEADING_TAGS[tag])
        elif tag == "p":
            yield from _paragraph(child)
        elif tag in _LIST_TAGS:
            yield from _list_items(child)
        elif tag == "blockquote":
            yield from _leaf_blocks(child, "quote")
        elif tag == "table":
            yield _block("table", _table_text(child), origin)
        elif tag in ("pre", "code"):
            yield Block("code", (child.text_content() or "").strip("\n"), origin)
        elif len(child):
            yield from _walk(child)
        elif (text := element_text(child)) != "":
            yield _block("paragraph", text, origin)
        if child.tail and child.tail.strip() and tag not in ("br",):
            yield _block("paragraph", child.tail, "text")


def _paragraph(element: lxml_html.HtmlElement) -> list[Block]:
    text = element_text(element)
    bold_prefix = _leading_bold(element)
    if bold_prefix and normalize_space(bold_prefix) == text:
        return [Block("paragraph", text, "p", emphasis=True)]
    if bold_prefix:
        prompt = normalize_space(bold_prefix)
        rest = normalize_space(text[len(prompt) :]) if text.startswith(prompt) else ""
        if rest and is_prompt(prompt):
            return [Block("paragraph", rest, "p>b", prompt=prompt)]
    if element.find(".//br") is not None:
        # Pages laid out with <br> instead of paragraphs: read the lines as plain text. The
        # extractor may collapse <br><br> into one <br>, so every line stands alone, but
        # only a question line can head a section (addresses and verse are lines too).
        lines = read_text(_raw_text(element, line_break="\n\n")).blocks
        if len(lines) > 1:
            return [replace(line, origin="p>br", standalone=is_prompt(line.text)) for line in lines]
    return [Block("paragraph", text, "p")]


def _leading_bold(element: lxml_html.HtmlElement) -> str | None:
    """Text of the bold element(s) that open the paragraph, if it opens with bold."""
    if element.text and element.text.strip():
        return None
    parts: list[str] = []
    for child in element.iterchildren():
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag in _BOLD_TAGS:
            parts.append(_raw_text(child))
            if child.tail and child.tail.strip():
                break
        elif tag == "br":
            parts.append(" ")
        else:
            break
    joined = "".join(parts)
    return joined if joined.strip() else None


def _list_items(element: lxml_html.HtmlElement) -> Iterator[Block]:
    for item in element.iterchildren():
        if not isinstance(item.tag, str):
            continue
        if item.tag.lower() in _LIST_TAGS:
            yield from _list_items(item)
        elif (text := element_text(item)) != "":
            yield _block("list_item", text, item.tag.lower())


def _leaf_blocks(element: lxml_html.HtmlElement, kind: BlockKind) -> Iterator[Block]:
    paragraphs = [c for c in element.iterchildren() if isinstance(c.tag, str) and c.tag == "p"]
    if not paragraphs:
        text = element_text(element)
        if text:
            yield _block(kind, text, element.tag)
        return
    for paragraph in paragraphs:
        if (text := element_text(paragraph)) != "":
            yield _block(kind, text, "blockquote>p")


def _table_text(table: lxml_html.HtmlElement) -> str:
    rows = []
    for row in table.iter("tr"):
        cells = [element_text(cell) for cell in row if isinstance(cell.tag, str)]
        rows.append(" | ".join(cell for cell in cells if cell))
    return "\n".join(row for row in rows if row)


def _block(kind: BlockKind, text: str, origin: str) -> Block:
    return Block(kind, normalize_space(text) if kind != "table" else text, origin)


def _raw_text(element: lxml_html.HtmlElement, *, line_break: str = " ") -> str:
    """Text content; <br> is a space by default (headings split across lines stay one line)."""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if event == "start":
            if isinstance(node.tag, str) and node.tag.lower() == "br":
                parts.append(line_break)
            if node.text and isinstance(node.tag, str):
                parts.append(node.text)
        elif node is not element and node.tail:
            parts.append(node.tail)
    return "".join(parts)


def element_text(element: lxml_html.HtmlElement) -> str:
    return normalize_space(_raw_text(element))


def _metadata_title(page: lxml_html.HtmlElement) -> str | None:
    for xpath in (
        "//meta[@property='og:title']/@content",
        "//meta[@name='twitter:title']/@content",
        "//title/text()",
    ):
        values = page.xpath(xpath)
        if values and normalize_space(str(values[0])):
            return normalize_space(str(values[0]))
    return None


def _title(page: lxml_html.HtmlElement, meta_title: str | None) -> str | None:
    """The page's own heading for the article: the h1 (or h2-h3) the metadata title names."""
    headings = [
        (strip_heading_decoration(element_text(element)), int(element.tag[1]))
        for element in page.iter("h1", "h2", "h3")
    ]
    headings = [(text, level) for text, level in headings if text]
    if not meta_title:
        h1s = [text for text, level in headings if level == 1]
        return h1s[0] if h1s else None
    wanted = _tokens(meta_title)
    scored = [(_containment(_tokens(text), wanted), level, text) for text, level in headings]
    # The h1 that the metadata title names; else an h2/h3 it names exactly (blogs put the
    # blog's name in the h1); else the first h1 that shares a word with it.
    passes: tuple[tuple[bool, float], ...] = (
        (True, _MIN_TITLE_CONTAINMENT),
        (False, _MIN_SUBHEADING_TITLE_CONTAINMENT),
        (True, _ANY_SHARED_WORD),
    )
    for wants_h1, threshold in passes:
        matches = [
            (score, text)
            for score, level, text in scored
            if (level == 1) == wants_h1 and score >= threshold
        ]
        if matches:
            return max(matches, key=lambda match: match[0])[1]
    # The metadata names none of them (a translated or generic <title>): a page's only h1
    # is its title; failing that, the metadata title without the site's name.
    h1s = [text for text, level in headings if level == 1]
    if len(h1s) == 1:
        return h1s[0]
    return _strip_site_name(meta_title, _site_name(page))


def _site_name(page: lxml_html.HtmlElement) -> str | None:
    values = page.xpath("//meta[@property='og:site_name']/@content")
    return normalize_space(str(values[0])) if values else None


def _strip_site_name(title: str, site_name: str | None) -> str:
    """'Story title | Site' -> 'Story title': drop the part that names the site, else keep
    the first part (sites append their name far more often than they prepend it)."""
    parts = [part.strip() for part in re.split(r"\s[|–—·•»:-]\s", title) if part.strip()]
    if site_name:
        parts = [part for part in parts if part.casefold() != site_name.casefold()] or parts
    return parts[0] if parts else title


def _tokens(text: str) -> set[str]:
    return {token.casefold() for token in _TOKEN.findall(text)}


def _containment(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def _page_language(page: lxml_html.HtmlElement) -> str | None:
    for xpath in (
        "/html/@lang",
        "/html/@xml:lang",
        "//meta[@http-equiv='content-language' or @http-equiv='Content-Language']/@content",
        "//meta[@property='og:locale']/@content",
    ):
        try:
            values = page.xpath(xpath)
        except etree.XPathEvalError:
            continue
        if values and (tag := normalize_language_tag(str(values[0]))):
            return tag
    return None


def _page_reading_time(page: lxml_html.HtmlElement) -> int | None:
    """'8 min read' usually sits in the article header, outside the extracted body."""
    for element in page.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        text = element.text
        minutes = reading_time_minutes(text) if text else None
        if minutes is not None:
            return minutes
    return None


def _visible_words(page: lxml_html.HtmlElement) -> int:
    body = page.find("body")
    if body is None:
        return 0
    hidden = {"script", "style", "noscript", "template"}
    return sum(
        len(text.split())
        for element in body.iter()
        if isinstance(element.tag, str)
        for text in (element.text if element.tag not in hidden else None, element.tail)
        if text
    )


def _chrome_summary(page_words: int, blocks: list[Block]) -> str:
    """One line that accounts for the page text outside the main content."""
    outside = max(page_words - sum(len(block.text.split()) for block in blocks), 0)
    if outside == 0:
        return ""
    return (
        f"{outside} words of page chrome outside the main content "
        "(navigation, sidebars, related stories, comments, footer)"
    )
