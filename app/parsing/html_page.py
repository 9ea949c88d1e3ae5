"""The HTML page itself: parsing (robust to deep nesting), title, language, read time."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from app.parsing.blocks import normalize_space, strip_heading_decoration
from app.parsing.boilerplate import reading_time_minutes
from app.parsing.html_text import element_text
from app.parsing.language import normalize_language_tag

_TOKEN = re.compile(r"\w+")
_MIN_TITLE_CONTAINMENT = 0.6
_MIN_SUBHEADING_TITLE_CONTAINMENT = 0.9
_ANY_SHARED_WORD = 1e-9
_MIN_KEPT_WORD_SHARE = 0.5
_ANY_TAG = re.compile(r"<[^>]*>")
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HOME_LINK = re.compile(r"^(?:https?://[^/?#]+)?/?(?:\./?)?(?:index\.\w{2,5})?$", re.IGNORECASE)
# "Story | Site", "Story - Site", "新闻动态--学会官网", "报道_中山网": "--", "__" and "_" only
# next to CJK text ("__init__.py", "git push --force" are words).
_TITLE_SEPARATOR = re.compile(
    r"\s[|–—·•»:-]\s|\s*｜\s*|(?<=[^\x00-\x7f])\s*(?:--|__?)\s*|\s*(?:--|__?)\s*(?=[^\x00-\x7f])"
)
_CLOSING_ROOT = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
_LAYOUT_TAG = re.compile(r"</?(?:div|span|section|font|center)\b[^>]*>", re.IGNORECASE)


def parse_page(text: str) -> lxml_html.HtmlElement | None:
    # lxml rejects str input that carries an XML encoding declaration; a stray </html>
    # or </body> in mid-page makes libxml2 drop everything after it (the parser closes
    # both at the end anyway).
    cleaned = re.sub(r"^\s*<\?xml[^>]*>", "", text, count=1)
    cleaned = _CLOSING_ROOT.sub(" ", cleaned)
    page = _parse_document(cleaned)
    if page is not None and _lost_text(page, cleaned):
        # libxml2 silently drops everything nested deeper than 256 elements; layout
        # wrappers carry no structure we need, so unwrap them and parse again.
        flattened = _parse_document(_LAYOUT_TAG.sub(" ", cleaned))
        page = flattened if flattened is not None else page
    if page is not None:
        # The extractor drops comments together with the text that follows them.
        etree.strip_tags(page, etree.Comment, etree.ProcessingInstruction)
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


def metadata_title(page: lxml_html.HtmlElement) -> str | None:
    for xpath in (
        "//meta[@property='og:title']/@content",
        "//meta[@name='twitter:title']/@content",
        "//title/text()",
    ):
        values = page.xpath(xpath)
        if values and normalize_space(str(values[0])):
            return normalize_space(str(values[0]))
    return None


@dataclass(frozen=True)
class PageTitle:
    text: str | None
    # Only the metadata's words, which name none of the page's h1-h3 (a site or section
    # name, or a translation): the article's own first heading may say more.
    from_metadata_only: bool = False


def page_title(page: lxml_html.HtmlElement, meta_title: str | None) -> PageTitle:
    """The page's own heading for the article: the h1 (or h2-h3) the metadata title names."""
    headings = [
        (strip_heading_decoration(element_text(element)), int(element.tag[1]))
        for element in page.iter("h1", "h2", "h3")
        if not _is_site_logo(element)
    ]
    headings = [(text, level) for text, level in headings if text]
    if not meta_title:
        h1s = [text for text, level in headings if level == 1]
        return PageTitle(h1s[0] if h1s else None)
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
            return PageTitle(max(matches, key=lambda match: match[0])[1])
    # The metadata names none of them (a translated or generic <title>): a page's only h1
    # is its title; failing that, the metadata title without the site's name.
    h1s = [text for text, level in headings if level == 1]
    if len(h1s) == 1:
        return PageTitle(h1s[0])
    return PageTitle(_strip_site_name(meta_title, _site_name(page)), from_metadata_only=not h1s)


def _is_site_logo(heading: lxml_html.HtmlElement) -> bool:
    """An h1 that is nothing but a link to the home page is the site's logo, not a title."""
    links = heading.findall(".//a")
    if len(links) != 1 or element_text(links[0]) != element_text(heading):
        return False
    href = (links[0].get("href") or "").strip()
    return bool(href) and _HOME_LINK.match(href) is not None


def _site_name(page: lxml_html.HtmlElement) -> str | None:
    values = page.xpath("//meta[@property='og:site_name']/@content")
    return normalize_space(str(values[0])) if values else None


def _strip_site_name(title: str, site_name: str | None) -> str:
    """'Story title | Site' -> 'Story title': drop the part that names the site, else keep
    the first part (sites append their name far more often than they prepend it)."""
    parts = [part.strip() for part in _TITLE_SEPARATOR.split(title) if part.strip()]
    if site_name:
        parts = [part for part in parts if part.casefold() != site_name.casefold()] or parts
    return parts[0] if parts else title


def _tokens(text: str) -> set[str]:
    return {token.casefold() for token in _TOKEN.findall(text)}


def _containment(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def page_language(page: lxml_html.HtmlElement) -> str | None:
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


def page_reading_time(page: lxml_html.HtmlElement) -> int | None:
    """'8 min read' usually sits in the article header, outside the extracted body."""
    for element in page.iter(etree.Element):  # elements only: no comments or PIs
        if element.tag in ("script", "style"):
            continue
        text = element.text
        minutes = reading_time_minutes(text) if text else None
        if minutes is not None:
            return minutes
    return None


def visible_words(page: lxml_html.HtmlElement) -> int:
    body = page.find("body")
    if body is None:
        return 0
    hidden = {"script", "style", "noscript", "template"}
    texts = [
        text
        for element in body.iter(etree.Element)  # elements only: no comments or PIs
        for text in (element.text if element.tag not in hidden else None, element.tail)
        if text
    ]
    return len(" ".join(texts).split())  # one split: the words of every text
