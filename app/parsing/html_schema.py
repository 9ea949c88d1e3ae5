"""Questions a page declares in schema.org structured data: the `Question` entities of an
FAQPage or QAPage, in JSON-LD (`<script type="application/ld+json">`) or in microdata
(`itemtype=".../Question"` with an `itemprop="name"`). Search engines read these, so pages
whose FAQ is a widget of plain `<div>`s often declare its questions there; the page's own
elements holding those texts are then the FAQ's headings."""

from __future__ import annotations

import json
from collections.abc import Iterator

from lxml import etree
from lxml import html as lxml_html

from app.parsing.blocks import normalize_space

_QUESTION_TYPES = frozenset({"Question"})
_MAX_JSON_CHARS = 2_000_000  # a data island larger than this is not an FAQ's questions
_MAX_DEPTH = 12


def declared_questions(page: lxml_html.HtmlElement) -> frozenset[str]:
    """The question texts the page declares, whitespace-normalised and case-folded."""
    names = [*_json_ld_questions(page), *_microdata_questions(page)]
    return frozenset(key for name in names if (key := question_key(name)))


def question_key(text: str) -> str:
    return normalize_space(text).casefold()


def _json_ld_questions(page: lxml_html.HtmlElement) -> Iterator[str]:
    for script in page.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        source = script.text or ""
        if len(source) > _MAX_JSON_CHARS:
            continue
        try:
            data = json.loads(source)
        except (ValueError, RecursionError):
            continue  # broken (or absurdly deep) data islands: the page itself is still read
        yield from _questions_in(data, depth=0)


def _questions_in(data: object, *, depth: int) -> Iterator[str]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _questions_in(item, depth=depth + 1)
        return
    if not isinstance(data, dict):
        return
    kinds = data.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    name = data.get("name")
    if _QUESTION_TYPES.intersection(k for k in kinds if isinstance(k, str)) and isinstance(
        name, str
    ):
        yield _text_of(name)
    for value in data.values():
        if isinstance(value, list | dict):
            yield from _questions_in(value, depth=depth + 1)


def _microdata_questions(page: lxml_html.HtmlElement) -> Iterator[str]:
    for entity in page.iter():
        if not isinstance(entity.tag, str):
            continue
        kind = (entity.get("itemtype") or "").rstrip("/")
        if not kind.endswith(("schema.org/Question",)):
            continue
        for element in entity.iter():
            if (element.get("itemprop") or "").strip() == "name":
                yield element.get("content") or element.text_content()
                break


def _text_of(name: str) -> str:
    """A name may hold markup ("<p>How do I pay?</p>"): its text."""
    if "<" not in name:
        return name
    try:
        return str(lxml_html.fragment_fromstring(name, create_parent="div").text_content())
    except (etree.ParserError, ValueError):
        return name
