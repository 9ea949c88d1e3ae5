"""HTML page -> blocks: trafilatura finds the main content, we keep its heading structure,
bold-only paragraphs and run-in bold prompts; title and language come from the page."""

from __future__ import annotations

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from app.parsing.blocks import Block, ReadResult
from app.parsing.html_blocks import walk
from app.parsing.html_page import (
    metadata_title,
    page_language,
    page_reading_time,
    page_title,
    parse_page,
    visible_words,
)
from app.parsing.html_recovery import (
    container_of_lost_questions,
    container_with_lost_headings,
    restore_short_answers,
)
from app.parsing.html_widgets import prepare_for_extraction
from app.parsing.questions import is_question


def read_html(text: str) -> ReadResult:
    page = parse_page(text)
    if page is None:
        return ReadResult([])
    found = page_title(page, metadata_title(page))
    title = found.text
    language = page_language(page)
    minutes = page_reading_time(page)
    page_words = visible_words(page)
    prepare_for_extraction(page)
    main = _main_content(page)
    blocks = list(walk(main)) if main is not None else []
    if (container := container_with_lost_headings(page, blocks, title=title)) is not None:
        blocks = list(walk(container))
    elif (faq := container_of_lost_questions(page, blocks, page_words=page_words)) is not None:
        blocks = list(walk(faq))
    blocks = restore_short_answers(page, blocks)
    if not blocks:
        # The extractor found no main content (tiny or malformed pages): read the whole
        # body minus obvious chrome rather than lose the text.
        blocks = list(walk(_without_chrome(page)))
    if found.from_metadata_only:
        title, blocks = _title_from_first_heading(title, blocks)
    chrome = _chrome_summary(page_words, blocks)
    return ReadResult(
        blocks,
        title=title,
        language=language,
        dropped_regions=((chrome, "page_chrome"),) if chrome else (),
        reading_time_minutes=minutes,
    )


def _title_from_first_heading(
    title: str | None, blocks: list[Block]
) -> tuple[str | None, list[Block]]:
    """A page with no h1, whose metadata title names none of its headings ("site.org |
    Prices"): an article that opens with a heading has its title there, unless that heading
    is the first question of an FAQ (its peers at the same level ask too)."""
    if not blocks or blocks[0].kind != "heading":
        return title, blocks
    first = blocks[0]
    peers = [b for b in blocks[1:] if b.kind == "heading" and b.level == first.level]
    if is_question(first.text) and any(is_question(peer.text) for peer in peers):
        return title, blocks
    return first.text, blocks[1:]


def _without_chrome(page: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    body = page.find("body")
    if body is None:
        return page
    for element in body.xpath(".//nav|.//header|.//footer|.//aside|.//form|.//script|.//style"):
        element.drop_tree()
    return body


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


def _chrome_summary(page_words: int, blocks: list[Block]) -> str:
    """One line that accounts for the page text outside the main content."""
    outside = max(page_words - sum(len(block.full_text.split()) for block in blocks), 0)
    if outside == 0:
        return ""
    return (
        f"{outside} words of page chrome outside the main content "
        "(navigation, sidebars, related stories, comments, footer)"
    )
