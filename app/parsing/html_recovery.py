"""What the extractor lost, found again in the page: headings it dropped between the
paragraphs it kept (small pages, FAQ markup it does not recognise), and short FAQ answers it
dropped for being links ("See Debugging"), which left their questions empty."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from lxml import html as lxml_html

from app.parsing.blocks import Block, strip_heading_decoration, word_count
from app.parsing.html_blocks import walk
from app.parsing.html_text import element_text
from app.parsing.questions import is_answer_label, is_question

_TEXT_TAGS = ("p", "li", "dd", "blockquote")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CHROME_XPATH = (
    ".//nav|.//header|.//footer|.//aside|.//form|.//script|.//style|.//noscript"
    "|.//*[contains(@id, 'cookie') or contains(@class, 'cookie')]"
)
_MIN_MATCH_CHARS = 20
_MIN_LOST_HEADINGS = 2
_MAX_MATCHED_PARAGRAPHS = 300
_MAX_RESTORED_ANSWER_WORDS = 60
_MAX_SLIVER_SHARE = 0.2
_MIN_LOST_QUESTIONS = 3
_NOT_ANSWER_TAGS = ("script", "style", "noscript", "form", "nav", "aside", "header", "footer")


def container_with_lost_headings(
    page: lxml_html.HtmlElement, blocks: Sequence[Block], *, title: str | None
) -> lxml_html.HtmlElement | None:
    """The element holding the extracted paragraphs, when it also holds headings between
    them that the extraction lost; a copy without navigation, forms and scripts."""
    kept = {b.text for b in blocks if b.kind == "heading"}
    known = kept | {title or ""}
    # Cheap test first: enough headings on the whole page that the extraction lacks.
    missing = {
        text
        for heading in page.iter(*_HEADING_TAGS)
        if (text := strip_heading_decoration(element_text(heading))) and text not in known
    }
    if len(missing) < _MIN_LOST_HEADINGS or len(missing) <= len(kept):
        return None
    # Page paragraphs found again in the extracted text; by containment, because the
    # extractor may merge several of them (and the headings between) into one block. The
    # first few hundred locate the container; more would only cost time.
    extracted = "\n".join(b.text for b in blocks if b.kind != "heading")
    matched: list[lxml_html.HtmlElement] = []
    for element in page.iter(*_TEXT_TAGS):
        text = element_text(element)
        # A link alone (this very article listed in a "More in this section" rail) matches
        # the extracted title or breadcrumb but says nothing about where the article is.
        if len(text) >= _MIN_MATCH_CHARS and text in extracted and not _link_only(element, text):
            matched.append(element)
            if len(matched) >= _MAX_MATCHED_PARAGRAPHS:
                break
    if not matched:
        return None
    container = _common_ancestor(matched)
    if container is None or container.tag == "html":
        return None  # the whole document, head included
    lost = _headings_between(container, set(map(id, matched)), known)
    # Recover only when much of the structure is gone: a few dropped sidebar or widget
    # headings next to a well-extracted article are the extractor doing its job.
    if len(lost) < _MIN_LOST_HEADINGS or len(lost) <= len(kept):
        return None
    return _copy_without_chrome(container)


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
        for heading in page.iter(*_HEADING_TAGS)
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
    return _copy_without_chrome(container)


def _headings_between(
    container: lxml_html.HtmlElement, paragraph_ids: set[int], known: set[str]
) -> list[str]:
    """Headings inside the container up to its last extracted paragraph (those after it are
    trailing widgets) that are not among the extracted headings or the title."""
    pending: list[str] = []
    lost: list[str] = []
    for element in container.iter():
        if id(element) in paragraph_ids:
            lost.extend(pending)
            pending = []
        elif element.tag in _HEADING_TAGS:
            text = strip_heading_decoration(element_text(element))
            if text and text not in known:
                pending.append(text)
    return lost


def _copy_without_chrome(container: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
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
    for heading in page.iter(*_HEADING_TAGS):
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
        if sibling.tag in _HEADING_TAGS or next(sibling.iter(*_HEADING_TAGS), None) is not None:
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
