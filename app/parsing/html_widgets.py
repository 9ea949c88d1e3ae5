"""The page before main-content extraction: FAQ widgets the extractor would flatten or
throw away become headings, and inline code that it would turn into blocks becomes text."""

from __future__ import annotations

from lxml import html as lxml_html

from app.parsing.blocks import strip_heading_decoration, word_count
from app.parsing.html_text import element_text
from app.parsing.questions import is_question

_MAX_PROMOTED_WORDS = 40
_PROMOTED_TAG = "h6"
# Elements that hold running text: inline code inside them is part of a sentence.
_RUNNING_TEXT_TAGS = frozenset(
    {"p", "li", "td", "th", "dd", "dt", "a", "span", "em", "strong", "b", "i", "u", "s", "small"}
    | {"mark", "sup", "sub", "label", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6"}
)


def prepare_for_extraction(page: lxml_html.HtmlElement) -> None:
    _promote_question_labels(page)
    _inline_code_as_text(page)


def _promote_question_labels(page: lxml_html.HtmlElement) -> None:
    """FAQ widgets mark questions as <summary>, <dt>, accordion buttons, toggle links or
    one-item lists over their answers, which the extractor flattens or throws away; make
    them headings so the structure survives."""
    for element in page.iter("summary", "dt", "button", "a"):
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


def _is_toggle_link(link: lxml_html.HtmlElement) -> bool:
    """A link that opens a panel on the page rather than another page, standing on its own
    (a link inside a sentence is part of the sentence)."""
    parent = link.getparent()
    if parent is not None and parent.tag in _RUNNING_TEXT_TAGS:
        return False
    href = (link.get("href") or "").strip()
    return (
        href in ("", "#")
        or href.lower().startswith("javascript:")
        or link.get("role") == "button"
        or "aria-expanded" in link.attrib
        or "aria-controls" in link.attrib
    )


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
