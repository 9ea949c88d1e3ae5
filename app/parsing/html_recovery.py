"""What the extractor lost, found again in the page: headings it dropped between the
paragraphs it kept (small pages, FAQ markup it does not recognise), runs of whole sections
it dropped after or between them (a collapsed second half, product boxes), and short FAQ
answers it dropped for being links ("See Debugging"), which left their questions empty."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import html as lxml_html

from app.parsing.blocks import Block, normalize_space, strip_heading_decoration, word_count
from app.parsing.html_blocks import walk
from app.parsing.html_text import element_text
from app.parsing.questions import is_answer_label, is_question

_TEXT_TAGS = ("p", "li", "dd", "blockquote")
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CHROME_XPATH = (
    ".//nav|.//header|.//footer|.//aside|.//form|.//script|.//style|.//noscript"
    "|.//*[contains(@id, 'cookie') or contains(@class, 'cookie')]"
)
_PAGE_REGION_TAGS = ("nav", "header", "footer", "aside")
MIN_MATCH_CHARS = 20
_MIN_LOST_HEADINGS = 2
_MAX_RESTORED_ANSWER_WORDS = 60
_MAX_SLIVER_SHARE = 0.2
_MIN_LOST_QUESTIONS = 3
_NOT_ANSWER_TAGS = ("script", "style", "noscript", "form", "nav", "aside", "header", "footer")


@dataclass(frozen=True)
class ArticleContainer:
    """The page element that holds the extracted paragraphs (their nearest common ancestor),
    and the last of those paragraphs in document order."""

    element: lxml_html.HtmlElement
    last_paragraph: lxml_html.HtmlElement


def find_article_container(
    page: lxml_html.HtmlElement, blocks: Sequence[Block]
) -> ArticleContainer | None:
    """Page paragraphs found again in the extracted text locate the article; by containment,
    because the extractor may merge several of them (and the headings between) into one
    block. The nearest common ancestor of a set of elements is that of the first and the
    last in document order, so only those two are looked for, from each end of the page,
    outside its navigation, header, footer and sidebars (most of the paragraphs before and
    after an article are their menus and links) unless the article is only found there."""
    paragraphs = [b.text for b in blocks if b.kind != "heading"]
    if not paragraphs:
        return None
    extracted = _Extracted(paragraphs)
    everywhere = list(page.iter(*_TEXT_TAGS))
    in_regions = {
        element for region in page.iter(*_PAGE_REGION_TAGS) for element in region.iter(*_TEXT_TAGS)
    }
    outside_regions = [element for element in everywhere if element not in in_regions]
    for candidates in (outside_regions, everywhere):
        first = _first_extracted(candidates, extracted)
        last = _first_extracted(candidates[::-1], extracted)
        if first is not None and last is not None:
            container = _common_ancestor([first, last])
            if container is None or container.tag == "html":
                return None  # the whole document, head included
            return ArticleContainer(container, last)
    return None


class _Extracted:
    def __init__(self, paragraphs: list[str]) -> None:
        self._paragraphs = set(paragraphs)
        self._text = "\n".join(paragraphs)

    def equals(self, text: str) -> bool:
        return text in self._paragraphs

    def holds(self, text: str) -> bool:
        return text in self._text


def _first_extracted(
    elements: list[lxml_html.HtmlElement], extracted: _Extracted
) -> lxml_html.HtmlElement | None:
    # Equal text first, which is cheap and finds all but merged or reworded paragraphs.
    for matches in (extracted.equals, extracted.holds):
        if (element := _first_matching(elements, matches)) is not None:
            return element
    return None


def _first_matching(
    elements: list[lxml_html.HtmlElement], matches: Callable[[str], bool]
) -> lxml_html.HtmlElement | None:
    for element in elements:
        if _holds_paragraphs(element):
            continue  # holding paragraphs of its own (a menu): they are tried alone
        raw = element.text_content()  # in C; normalising never lengthens it
        if len(raw) < MIN_MATCH_CHARS:
            continue
        line_break = next(element.iter("br"), None) is not None
        text = element_text(element) if line_break else normalize_space(raw)
        # A link alone (this very article listed in a "More in this section" rail) matches
        # the extracted title or breadcrumb but says nothing about where the article is.
        if len(text) >= MIN_MATCH_CHARS and matches(text) and not _link_only(element, text):
            return element
    return None


def _holds_paragraphs(element: lxml_html.HtmlElement) -> bool:
    return next(element.iterdescendants(*_TEXT_TAGS), None) is not None


def container_with_lost_headings(
    page: lxml_html.HtmlElement,
    container: ArticleContainer,
    blocks: Sequence[Block],
    *,
    title: str | None,
) -> lxml_html.HtmlElement | None:
    """The article's container, when it also holds headings between the extracted
    paragraphs that the extraction lost; a copy without navigation, forms and scripts."""
    kept = {b.text for b in blocks if b.kind == "heading"}
    known = kept | {title or ""}
    lost = _headings_between(container, known)
    # Recover only when much of the structure is gone: a few dropped sidebar or widget
    # headings next to a well-extracted article are the extractor doing its job.
    if len(lost) < _MIN_LOST_HEADINGS or len(lost) <= len(kept):
        return None
    # As many different headings lacking on the whole page (the same heading repeated in
    # the container, "Pros" in every box, is one structure lost).
    missing = {
        text
        for heading in page.iter(*HEADING_TAGS)
        if (text := strip_heading_decoration(element_text(heading))) and text not in known
    }
    if len(missing) < _MIN_LOST_HEADINGS or len(missing) <= len(kept):
        return None
    return copy_without_chrome(container.element)


def container_of_lost_questions(
    page: lxml_html.HtmlElement, blocks: Sequence[Block], *, page_words: int
) -> lxml_html.HtmlElement | None:
    """When the extractor kept a sliver of an FAQ page (one answer of an accordion), the
    element holding the question headings it lost; a copy without chrome."""
    kept_words = sum(len(b.text.split()) for b in blocks)
    if kept_words >= _MAX_SLIVER_SHARE * page_words:
        return None  # a real extraction: lost questions elsewhere are rails and teasers
    kept = {b.text for b in blocks if b.kind == "heading"}
    lost = [
        heading
        for heading in page.iter(*HEADING_TAGS)
        if (text := strip_heading_decoration(element_text(heading)))
        and text not in kept
        and is_question(text)
    ]
    if len(lost) < _MIN_LOST_QUESTIONS:
        return None
    container = _common_ancestor(lost)
    if container is None or container.tag in ("html", "body"):
        return None
    # The FAQ holds the sliver that was kept; a rail of question teasers elsewhere does not.
    kept_text = next((b.text for b in blocks if b.kind != "heading" and b.text), "")
    if not kept_text or kept_text not in element_text(container):
        return None
    return copy_without_chrome(container)


def _headings_between(container: ArticleContainer, known: set[str]) -> list[str]:
    """Headings inside the container up to its last extracted paragraph (those after it are
    trailing widgets) that are not among the extracted headings or the title."""
    lost: list[str] = []
    for element in container.element.iter(*HEADING_TAGS, container.last_paragraph.tag):
        if element is container.last_paragraph:
            break
        if element.tag in HEADING_TAGS:
            text = strip_heading_decoration(element_text(element))
            if text and text not in known:
                lost.append(text)
    return lost


def copy_without_chrome(container: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """A copy of the container (not the text after it) without navigation, forms, scripts
    and cookie banners; the page itself stays as it is."""
    copy: lxml_html.HtmlElement = lxml_html.fromstring(
        lxml_html.tostring(container, with_tail=False)
    )
    for element in copy.xpath(_CHROME_XPATH):
        element.drop_tree()
    return copy


def _link_only(element: lxml_html.HtmlElement, text: str) -> bool:
    return " ".join(element_text(link) for link in element.iter("a")) == text


def _common_ancestor(elements: list[lxml_html.HtmlElement]) -> lxml_html.HtmlElement | None:
    common: list[lxml_html.HtmlElement] | None = None
    for element in elements:
        chain = [element, *element.iterancestors()][::-1]  # root first
        if common is None:
            common = chain
            continue
        length = 0
        for mine, theirs in zip(common, chain, strict=False):
            if mine is not theirs:
                break
            length += 1
        common = common[:length]
    return common[-1] if common else None


def restore_short_answers(page: lxml_html.HtmlElement, blocks: list[Block]) -> list[Block]:
    """Put back the short answers of questions the extraction left empty in mid-FAQ.

    A one-line answer that is mostly a link ("See Debugging MapServer") looks like
    navigation to the extractor. Only questions followed by another heading of their level
    qualify: an empty question at the end is a comments prompt or a teaser, not an FAQ entry.
    """
    # index of the question -> where its answer goes (after any "Answer" label)
    empty = {i: end for i in range(len(blocks)) if (end := _unanswered(blocks, i)) is not None}
    if not empty:
        return blocks
    page_headings: dict[str, lxml_html.HtmlElement] = {}
    for heading in page.iter(*HEADING_TAGS):
        page_headings.setdefault(strip_heading_decoration(element_text(heading)), heading)
    restored = list(blocks)
    for index, end in sorted(empty.items(), reverse=True):  # later first: indexes stay valid
        heading = page_headings.get(blocks[index].text)
        if heading is not None:
            restored[end:end] = _short_answer_after(heading)
    return restored


def _unanswered(blocks: list[Block], index: int) -> int | None:
    """Where the answer of the question at `index` would start, if it has none: the next
    block is a heading of its level or above, or only an answer label ("Ответ") comes first."""
    question = blocks[index]
    if question.kind != "heading" or not is_question(question.text):
        return None
    end = index + 1
    while end < len(blocks) and is_answer_label(blocks[end].text, bold=blocks[end].emphasis):
        end += 1
    if end == len(blocks):
        return None  # an empty question at the end is a comments prompt or a teaser
    following = blocks[end]
    if following.kind == "heading" and (following.level or 1) <= (question.level or 1):
        return end
    return None


def _short_answer_after(heading: lxml_html.HtmlElement) -> list[Block]:
    """The blocks between a page heading and the next one, if they are a short answer."""
    answer = lxml_html.Element("div")
    answer.text = heading.tail  # "<h2>Q?</h2>Please read <a>Debugging</a> first."
    words = word_count(heading.tail or "")
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in HEADING_TAGS or next(sibling.iter(*HEADING_TAGS), None) is not None:
            break
        if sibling.tag in _NOT_ANSWER_TAGS:
            continue
        words += word_count(element_text(sibling))
        if words > _MAX_RESTORED_ANSWER_WORDS:
            return []  # a long text the extractor left out on purpose
        answer.append(copy.deepcopy(sibling))
    blocks = [
        b
        for b in walk(answer)
        if b.kind != "heading" and not is_answer_label(b.text, bold=b.emphasis)
    ]
    words = sum(word_count(b.text) for b in blocks)
    return blocks if 0 < words <= _MAX_RESTORED_ANSWER_WORDS else []


# --- The article's container without page chrome, and the runs of sections it lost ---
