"""Chrome inside an article's own container: comment threads, related stories, sign-up boxes,
share bars, author boxes, teaser cards and link lists that sit between or after the
article's paragraphs, told apart from its text by element, ARIA role, id and class names
and shape."""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from itertools import chain, islice

from lxml import html as lxml_html

# Chrome that sits inside an article's container, by element and by the names that the
# common publishing systems give it: comment threads and reply forms (WordPress #comments,
# #respond, Disqus, "discussion", "replies"), related and recommended stories, newsletter
# and sign-up boxes, share bars, author boxes and bylines, sidebars, promos, ads, cookie
# notices, footers; ARIA landmarks that are not the article. Buttons are controls
# ("Continue reading"), not text; question labels were made headings before this.
_CHROME_TAGS = (
    "nav", "header", "footer", "aside", "button", "dialog", "form", "input", "select",
    "textarea",
)  # fmt: skip
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Not shown at all: never article text (their words were never the page's either).
HIDDEN_TAGS = ("script", "style", "noscript", "template")
_CHROME_ROLES = frozenset({"navigation", "complementary", "contentinfo", "banner", "search"})
# Matched in lower case, at the start of a word of the id or class ("comments-area",
# "relatedPosts", "post-author"; not "commentary", "shadow" or "loads"); alternatives
# grouped by first letter, which the regex engine scans several times faster.
_CHROME_NAME = re.compile(
    r"(?<![a-z])(?:a(?:uthor|dvert|ds?(?![a-z]))|byline|c(?:omment(?!ary)|ookie)"
    r"|dis(?:cuss|qus)|footer(?![a-z])|newsletter|p(?:romo|opular)(?![a-z])"
    r"|re(?:lated|commend|pl(?:y|ies)|spond(?![a-z]))"
    r"|s(?:har(?:ing|e(?![a-z]))|ocial(?![a-z])|ubscri|idebar|ignup(?![a-z]))|teaser)"
)
_FORM_TAGS = ("form", "input", "select", "textarea")
# Inline elements are never chrome alone: a link is part of its sentence.
_INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "font"}
    | {"i", "img", "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strong"}
    | {"sub", "sup", "time", "tt", "u", "var", "wbr"}
)
# Elements that hold blocks, which chrome is made of.
_BOX_TAGS = (
    "div", "section", "article", "main", "aside", "ul", "ol", "dl", "li", "p", "table",
    "figure", "details", "blockquote", "center", "menu",
)  # fmt: skip
# A teaser card: one heading that is all link, over a blurb of at most this many words.
_MAX_TEASER_WORDS = 60
# A sign-up box: a form with at most this many words around it.
_MAX_SIGNUP_WORDS = 60


def article_chrome(root: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """The outermost elements inside the root that are not the article: the chrome named
    above, sign-up boxes (a small box around a form), teaser cards (a box whose one heading
    is a link to another page, over a short blurb) and blocks that are all link (a list of
    links, "See current prices", "Read more")."""
    found = dict.fromkeys(  # each once, in the order found
        chain(_named_chrome(root), _signup_boxes(root), _teaser_cards(root))
    )
    found.update(dict.fromkeys(_link_only_blocks(root)))
    return [element for element in found if not inside_any(element, found, root)]


def inside_any(
    element: lxml_html.HtmlElement,
    elements: Container[lxml_html.HtmlElement],
    root: lxml_html.HtmlElement,
) -> bool:
    """The element lies inside one of the elements, below the root."""
    for ancestor in element.iterancestors():
        if ancestor is root:
            return False
        if ancestor in elements:
            return True
    return False


def _named_chrome(root: lxml_html.HtmlElement) -> Iterator[lxml_html.HtmlElement]:
    yield from root.iter(*_CHROME_TAGS)
    # Boxes only: a link or a span is part of its sentence, whatever its class.
    for element in root.iterdescendants(*_BOX_TAGS):
        attributes = element.attrib
        if not attributes:
            continue
        name = f"{attributes.get('id', '')} {attributes.get('class', '')}".lower()
        if attributes.get("role") in _CHROME_ROLES or _CHROME_NAME.search(name):
            yield element


def _signup_boxes(root: lxml_html.HtmlElement) -> Iterator[lxml_html.HtmlElement]:
    for control in root.iter(*_FORM_TAGS):
        box = None
        for ancestor in control.iterancestors():
            if ancestor is root or _words_of(ancestor) > _MAX_SIGNUP_WORDS:
                break
            box = ancestor
        if box is not None:
            yield box


def _teaser_cards(root: lxml_html.HtmlElement) -> Iterator[lxml_html.HtmlElement]:
    for heading in root.iter(*_HEADING_TAGS):
        if not _is_link(heading, root):
            continue
        card = None
        for ancestor in heading.iterancestors():
            if ancestor is root or _words_of(ancestor) > _MAX_TEASER_WORDS:
                break
            if next(islice(ancestor.iter(*_HEADING_TAGS), 1, None), None) is not None:
                break  # a second heading: a list of teasers, or the article
            card = ancestor
        if card is not None:
            yield card


def _is_link(heading: lxml_html.HtmlElement, root: lxml_html.HtmlElement) -> bool:
    """All the heading's text is one or more links, or a link wraps it."""
    for ancestor in heading.iterancestors():
        if ancestor is root:
            break
        if ancestor.tag == "a":
            return True
    return next(heading.iter("a"), None) is not None and _all_link(heading)


def _link_only_blocks(root: lxml_html.HtmlElement) -> Iterator[lxml_html.HtmlElement]:
    """The outermost non-inline elements below the root, headings apart, whose text is all
    link (starting from each link, so the cost follows the links, not the page)."""
    link_chars = {link: _squeezed_length(link) for link in root.iter("a")}
    verdicts: dict[lxml_html.HtmlElement, bool] = {}
    for link in link_chars:
        block = None
        for ancestor in link.iterancestors():
            if ancestor is root or ancestor.tag in _HEADING_TAGS:
                break
            if ancestor.tag in _INLINE_TAGS:
                continue
            if (all_link := verdicts.get(ancestor)) is None:
                all_link = not _text_beside(link) and _all_link(ancestor, link_chars)
                verdicts[ancestor] = all_link
            if not all_link:
                break
            block = ancestor
        if block is not None:
            yield block


def _text_beside(link: lxml_html.HtmlElement) -> bool:
    """Text right before or after the link in its parent: a link inside a sentence (a cheap
    test that spares reading the whole paragraph for most links)."""
    parent = link.getparent()
    before = link.getprevious()
    lead = parent.text if parent is not None and before is None else None
    if before is not None:
        lead = before.tail
    return bool((lead and lead.strip()) or (link.tail and link.tail.strip()))


def _all_link(
    element: lxml_html.HtmlElement, link_chars: dict[lxml_html.HtmlElement, int] | None = None
) -> bool:
    """All the element's text is in its links: as many characters (spaces aside) in them as
    in it."""
    in_links = sum(
        link_chars[link] if link_chars is not None else _squeezed_length(link)
        for link in element.iter("a")
    )
    return in_links > 0 and _squeezed_length(element) == in_links


def _squeezed_length(element: lxml_html.HtmlElement) -> int:
    text: str = element.text_content()
    return len(text) - sum(text.count(space) for space in _SPACES)


_SPACES = (" ", "\n", "\t", "\r", "\xa0")


def _words_of(element: lxml_html.HtmlElement) -> int:
    return len(element.text_content().split())


def without_spaces(text: str) -> str:
    """Text without whitespace, to find a block's text in another: the extractor drops the
    space after inline markup ("Superman.</em> You" -> "Superman.You") and splits one
    paragraph into several blocks at it."""
    return "".join(text.split())
