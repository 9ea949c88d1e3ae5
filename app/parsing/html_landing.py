"""Landing pages with an FAQ panel: product and service pages are laid out as a stack of
sibling `<section>` panels (a hero, feature cards, testimonials, a comparison table, an FAQ,
a call to action). When exactly one panel asks questions and every other one is marketing
copy, the questions and their answers are the page's article and the rest is the page
around it: page chrome, like its navigation.

Marketing copy is told by its short paragraphs: taglines and blurbs (a dozen words on
average, none of 50), never the paragraphs an article's sections have. A page whose other
panels hold one long paragraph is an article laid out in sections, and is read whole."""

from __future__ import annotations

from lxml import html as lxml_html

from app.parsing.blocks import word_count
from app.parsing.html_text import element_text
from app.parsing.questions import is_question

_HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6")
_TEXT_TAGS = ("p", "li", "dd", "blockquote", "td")
_MIN_PANELS = 3
_MIN_QUESTIONS = 3
# Marketing copy: no paragraph this long outside the FAQ panel.
_MIN_ARTICLE_PARAGRAPH_WORDS = 50
# ... and few words per paragraph on average.
_MAX_MEAN_COPY_WORDS = 15


def faq_panel(page: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The one FAQ panel of a landing page, or None for any other page."""
    body = page.find("body")
    if body is None:
        return None
    for panels in _panel_stacks(body):
        asking = [panel for panel in panels if _is_faq(panel)]
        if len(asking) != 1:
            continue
        faq = asking[0]
        others = [panel for panel in panels if panel is not faq]
        if all(_is_marketing(panel) for panel in others) and _short_copy(others):
            return faq
    return None


def _panel_stacks(body: lxml_html.HtmlElement) -> list[list[lxml_html.HtmlElement]]:
    """Runs of at least three sibling panels, outermost first: children of one element that
    are `<section>`s or wrap one (content management systems put each in a frame)."""
    stacks = []
    for element in body.iter():
        panels = [child for child in element if _holds_section(child)]
        if len(panels) >= _MIN_PANELS:
            stacks.append(panels)
    return stacks


def _holds_section(element: lxml_html.HtmlElement) -> bool:
    return _tag(element) == "section" or (
        isinstance(element.tag, str) and element.find(".//section") is not None
    )


def _is_faq(panel: lxml_html.HtmlElement) -> bool:
    """Question headings, at least three and most of the panel's headings."""
    headings = [element_text(h) for h in panel.iter(*_HEADING_TAGS)]
    questions = sum(1 for text in headings if is_question(text))
    return questions >= _MIN_QUESTIONS and 2 * questions > len(headings) - 1


def _is_marketing(panel: lxml_html.HtmlElement) -> bool:
    """No question heading, and no paragraph as long as an article's."""
    if any(is_question(element_text(h)) for h in panel.iter(*_HEADING_TAGS)):
        return False
    return all(
        word_count(element_text(text)) < _MIN_ARTICLE_PARAGRAPH_WORDS
        for text in panel.iter(*_TEXT_TAGS)
    )


def _short_copy(panels: list[lxml_html.HtmlElement]) -> bool:
    """Taglines and blurbs: few words per paragraph on average, where an article's
    paragraphs run to dozens."""
    lengths = [
        words
        for panel in panels
        for text in panel.iter(*_TEXT_TAGS)
        if (words := word_count(element_text(text)))
    ]
    return bool(lengths) and sum(lengths) <= _MAX_MEAN_COPY_WORDS * len(lengths)


def _tag(element: lxml_html.HtmlElement) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""
