"""HTML page -> blocks: trafilatura finds the main content, we keep its heading structure,
bold-only paragraphs and run-in bold prompts, and read back what it left out of the
article's own container (html_recovery); title and language come from the page."""

from __future__ import annotations

import re

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from app.parsing.blocks import Block, ReadResult
from app.parsing.html_blocks import walk
from app.parsing.html_landing import faq_panel
from app.parsing.html_lost_sections import (
    ArticleText,
    recover_lost_sections,
    words_left_to_chrome,
)
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
    copy_without_chrome,
    find_article_container,
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
    blocks, to_chrome = _article_blocks(page, title, page_words)
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
        container_words_to_chrome=to_chrome,
    )


def _article_blocks(
    page: lxml_html.HtmlElement, title: str | None, page_words: int
) -> tuple[list[Block], int | None]:
    """The article's blocks, and the words of its container left to page chrome (None
    where no container was found)."""
    panel = faq_panel(page)
    if panel is not None:
        # A landing page whose one FAQ panel is the article: the rest is the page around it.
        return list(walk(copy_without_chrome(panel))), 0
    main = _main_content(page)
    extracted = list(walk(main)) if main is not None else []
    container = find_article_container(page, extracted)
    article = ArticleText(container) if container is not None else None
    blocks = _with_what_extraction_lost(page, article, extracted, title, page_words)
    # Counted before the title leaves the blocks: a title is not chrome.
    return blocks, words_left_to_chrome(article, blocks) if article is not None else None


def _with_what_extraction_lost(
    page: lxml_html.HtmlElement,
    article: ArticleText | None,
    blocks: list[Block],
    title: str | None,
    page_words: int,
) -> list[Block]:
    """The extracted blocks, or the article's container read whole when the extraction lost
    most of its headings or nearly all of an FAQ, with lost runs of sections read back in
    and short FAQ answers put back."""
    if (
        article is not None
        and (whole := container_with_lost_headings(page, article.container, blocks, title=title))
        is not None
    ):
        blocks = list(walk(whole))
    elif (faq := container_of_lost_questions(page, blocks, page_words=page_words)) is not None:
        blocks = list(walk(faq))
    elif article is not None:
        blocks = recover_lost_sections(article, blocks)
    return restore_short_answers(page, blocks)


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


# The page_chrome dropped entry: its words first, so that `parse --explain` can read them.
_CHROME_SUMMARY = (
    "{words} words of page chrome outside the main content "
    "(navigation, sidebars, related stories, comments, footer)"
)
_SUMMARY_WORDS = re.compile(r"^(\d+) words of page chrome\b")


def _chrome_summary(page_words: int, blocks: list[Block]) -> str:
    """One line that accounts for the page text outside the main content."""
    outside = max(page_words - sum(len(block.full_text.split()) for block in blocks), 0)
    return _CHROME_SUMMARY.format(words=outside) if outside else ""


def chrome_summary_words(summary: str) -> int | None:
    """The words a page_chrome dropped entry accounts for."""
    found = _SUMMARY_WORDS.match(summary)
    return int(found.group(1)) if found else None
