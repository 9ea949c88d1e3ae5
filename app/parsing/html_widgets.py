"""The page before main-content extraction: FAQ widgets the extractor would flatten or
throw away become headings, and inline code that it would turn into blocks becomes text."""

from __future__ import annotations

from lxml import html as lxml_html

from app.parsing.blocks import strip_heading_decoration, word_count
from app.parsing.html_schema import declared_questions, question_key
from app.parsing.html_text import element_text
from app.parsing.questions import is_question

_MAX_PROMOTED_WORDS = 40
_PROMOTED_TAG = "h6"
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements that hold running text: inline code inside them is part of a sentence.
_RUNNING_TEXT_TAGS = frozenset(
    {"p", "li", "td", "th", "dd", "dt", "a", "span", "em", "strong", "b", "i", "u", "s", "small"}
    | {"mark", "sup", "sub", "label", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6"}
)


def prepare_for_extraction(page: lxml_html.HtmlElement) -> None:
    _promote_declared_questions(page, declared_questions(page))
    _promote_question_labels(page)
    _demote_card_grids(page)
    _inline_code_as_text(page)


# A card grid: at least this many sibling boxes of one shape, each a short title over a
# blurb; product and landing pages lay out their feature lists this way.
_MIN_CARDS = 4
_MAX_CARD_TITLE_WORDS = 6
_MAX_CARD_WORDS = 60


def _demote_card_grids(page: lxml_html.HtmlElement) -> None:
    """Feature cards (an icon, a two-word title, a sentence of blurb, repeated in a grid)
    are a page's marketing, not sections of an article: their titles become plain text,
    which stays in the article where the extractor keeps it."""
    for parent in list(page.iter()):
        shapes: dict[tuple[str, str], list[lxml_html.HtmlElement]] = {}
        for child in parent.iterchildren():
            if isinstance(child.tag, str) and child.tag not in _HEADING_TAGS:
                shapes.setdefault((child.tag, child.get("class") or ""), []).append(child)
        for cards in shapes.values():
            if len(cards) < _MIN_CARDS:
                continue  # most sibling groups: too few to be a grid, no titles to read
            titles = [_card_title(card) for card in cards]
            if all(title is not None for title in titles):
                for title in titles:
                    if title is not None:
                        title.tag = "p"


def _card_title(card: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The one heading of a card: short, not a question, over little text."""
    titles = [element for element in card.iter() if element.tag in _HEADING_TAGS]
    if len(titles) != 1 or word_count(card.text_content()) > _MAX_CARD_WORDS:
        return None
    text = element_text(titles[0])
    if not text or is_question(text) or word_count(text) > _MAX_CARD_TITLE_WORDS:
        return None
    return titles[0]


def _promote_question_labels(page: lxml_html.HtmlElement) -> None:
    """FAQ widgets mark questions as <summary>, <dt>, accordion buttons, toggle links or
    one-item lists over their answers, which the extractor flattens or throws away; make
    them headings so the structure survives."""
    for element in list(page.iter("summary", "dt", "button", "a")):
        if element.tag == "a" and _toggles_its_heading(element):
            # The question is already a heading: keep it as text, which the extractor
            # keeps (a heading that is all link reads as navigation to it).
            element.drop_tag()
            continue
        if element.tag == "a" and not _is_toggle_link(element):
            continue
        text = strip_heading_decoration(element_text(element))
        if not text or word_count(text) > _MAX_PROMOTED_WORDS or element.find(".//p") is not None:
            continue
        if element.tag == "summary" or is_question(text):
            if element.tag == "dt":
                _unlist(element.getparent())
            element.tag = _PROMOTED_TAG
            element.attrib.pop("href", None)
    for listing in list(page.iter("ul", "ol")):
        if (question := _question_over_answer(listing)) is not None:
            for item in list(listing):
                listing.remove(item)
            listing.tag, listing.text = _PROMOTED_TAG, question


# Elements that may hold a declared question's text on its own in an FAQ widget.
_QUESTION_HOLDERS = frozenset(
    {"div", "span", "p", "strong", "b", "button", "summary", "dt", "li", "label", "a", "td"}
)
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "title"})
_MAX_HOLDER_CLIMB = 3


def _promote_declared_questions(page: lxml_html.HtmlElement, declared: frozenset[str]) -> None:
    """The page's own elements whose whole text is a question its structured data declares
    (schema.org FAQPage, QAPage) are the FAQ's headings, whatever their markup: the
    outermost element holding just that text becomes a heading. Questions already set as
    headings stay as they are."""
    if not declared:
        return
    body = page.find("body")
    if body is None:
        return
    # A question's text starts in some element's own text: only those are measured, so a
    # page costs time linear in its text rather than in its depth.
    for element in list(body.iter()):
        if not isinstance(element.tag, str) or not (element.text or "").strip():
            continue
        text = element_text(element)
        if word_count(text) > _MAX_PROMOTED_WORDS or question_key(text) not in declared:
            continue
        holder = _outermost_with_text(element, text)
        if holder.tag in _QUESTION_HOLDERS and not _in_heading(holder):
            holder.tag = _PROMOTED_TAG
            holder.attrib.pop("href", None)


def _outermost_with_text(element: lxml_html.HtmlElement, text: str) -> lxml_html.HtmlElement:
    """The highest ancestor (a few levels at most) holding exactly this text: the button
    around the span, the item around the label."""
    holder = element
    for _ in range(_MAX_HOLDER_CLIMB):
        parent = holder.getparent()
        if parent is None or parent.tag not in _QUESTION_HOLDERS or element_text(parent) != text:
            break
        holder = parent
    return holder


def _in_heading(element: lxml_html.HtmlElement) -> bool:
    return any(
        isinstance(node.tag, str) and node.tag in _HEADING_TAGS | _SKIPPED
        for node in (element, *element.iterancestors())
    )


def _question_over_answer(element: lxml_html.HtmlElement) -> str | None:
    """A one-item list holding a question, with its answer in the block after it (Sphinx
    FAQs: '<ul><li>Question?</li></ul><blockquote>answer</blockquote>')."""
    items = [c for c in element.iterchildren() if isinstance(c.tag, str)]
    following = element.getnext()
    if len(items) != 1 or following is None or following.tag not in ("blockquote", "div", "dd"):
        return None
    if (element.text or "").strip() or (items[0].tail or "").strip():
        return None  # text loose in the list would be lost with it
    text = element_text(items[0])
    return text if is_question(text) and word_count(text) <= _MAX_PROMOTED_WORDS else None


def _toggles_its_heading(link: lxml_html.HtmlElement) -> bool:
    """A link that is all of a heading's text and opens a panel (an accordion's question)."""
    heading = link.getparent()
    if heading is None or heading.tag not in _HEADING_TAGS:
        return False
    if element_text(heading) != element_text(link):
        return False
    return _opens_a_panel(link)


def _opens_a_panel(link: lxml_html.HtmlElement) -> bool:
    href = (link.get("href") or "").strip()
    return (
        href in ("", "#")
        or href.lower().startswith("javascript:")
        or link.get("role") == "button"
        or "aria-expanded" in link.attrib
        or "aria-controls" in link.attrib
        or link.get("data-toggle") == "collapse"
        or link.get("data-bs-toggle") == "collapse"
    )


def _is_toggle_link(link: lxml_html.HtmlElement) -> bool:
    """A link that opens a panel on the page rather than another page, standing on its own
    (a link inside a sentence is part of the sentence)."""
    parent = link.getparent()
    if parent is not None and parent.tag in _RUNNING_TEXT_TAGS:
        return False
    return _opens_a_panel(link)


def _inline_code_as_text(page: lxml_html.HtmlElement) -> None:
    """The extractor writes inline <code> as <pre>, which ends the paragraph around it;
    inside running text it is just text."""
    for element in page.iter("code", "kbd", "samp", "tt", "var"):
        parent = element.getparent()
        if parent is not None and parent.tag in _RUNNING_TEXT_TAGS:
            element.tag = "span"


def _unlist(definition_list: lxml_html.HtmlElement | None) -> None:
    """A <dl> of questions is an FAQ, not a list: keep its answers as plain blocks."""
    if definition_list is None or definition_list.tag != "dl":
        return
    definition_list.tag = "div"
    for answer in definition_list.iterchildren("dd"):
        answer.tag = "div"
