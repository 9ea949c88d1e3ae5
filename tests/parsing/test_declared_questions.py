"""schema.org questions a page declares (JSON-LD or microdata) make the page's own elements
holding them FAQ headings (fixtures written from the convention, not copied from pages)."""

from __future__ import annotations

import json

import pytest
from lxml import html as lxml_html

from app.parsing.html_schema import declared_questions
from app.parsing.pipeline import parse_article

_QA = (
    ("How do I pay for my order?", "We take cards, bank transfer and vouchers at checkout."),
    ("Shipping to Canada", "Parcels to Canada take five to eight working days to arrive."),
    ("Can I return a gift?", "Yes, with the gift receipt, within sixty days of delivery."),
)
_INTRO = "<p>" + "Answers to what our customers ask most often, kept up to date. " * 3 + "</p>"


def _accordion() -> str:
    return "".join(
        f'<div class="faq-item"><div class="faq-q" role="button"><span>{q}</span></div>'
        f'<div class="faq-a"><p>{a}</p></div></div>'
        for q, a in _QA
    )


def _json_ld(*, nested: bool) -> str:
    entities = [
        {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}}
        for q, a in _QA
    ]
    page: dict[str, object] = {"@type": "FAQPage", "mainEntity": entities}
    data = {"@context": "https://schema.org", "@graph": [{"@type": "WebSite"}, page]}
    body = data if nested else {"@context": "https://schema.org", **page}
    return f'<script type="application/ld+json">{json.dumps(body)}</script>'


def _page(head: str, body: str) -> bytes:
    return (
        f"<html><head><title>Help: orders</title>{head}</head><body>"
        f"<main><h1>Orders and delivery</h1>{_INTRO}{body}</main></body></html>"
    ).encode()


@pytest.mark.parametrize("nested", [False, True], ids=["top-level", "in-a-graph"])
def test_json_ld_questions_head_their_answers(nested: bool) -> None:
    article = parse_article(_page(_json_ld(nested=nested), _accordion()), source="f.html").article
    assert [s.heading for s in article.sections] == [q for q, _ in _QA]
    assert [s.body for s in article.sections] == [a for _, a in _QA]


def test_microdata_questions_head_their_answers() -> None:
    items = "".join(
        '<div itemscope itemprop="mainEntity" itemtype="https://schema.org/Question">'
        f'<div class="q" itemprop="name">{q}</div>'
        '<div itemscope itemprop="acceptedAnswer" itemtype="https://schema.org/Answer">'
        f'<div itemprop="text"><p>{a}</p></div></div></div>'
        for q, a in _QA
    )
    body = f'<div itemscope itemtype="https://schema.org/FAQPage">{items}</div>'
    article = parse_article(_page("", body), source="f.html").article
    assert [s.heading for s in article.sections] == [q for q, _ in _QA]


def test_without_declared_questions_the_divs_stay_text() -> None:
    """The convention is the declaration: the same accordion without it is read as before."""
    article = parse_article(_page("", _accordion()), source="f.html").article
    assert "Shipping to Canada" not in [s.heading for s in article.sections]


def test_questions_already_headings_and_questions_not_on_the_page_change_nothing() -> None:
    body = "".join(f"<h2>{q}</h2><p>{a}</p>" for q, a in _QA[:2])
    article = parse_article(_page(_json_ld(nested=False), body), source="f.html").article
    assert [s.heading for s in article.sections] == [q for q, _ in _QA[:2]]
    assert all(s.level == 1 for s in article.sections)


def _nested(value: object, *, levels: int) -> object:
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    "island",
    [
        "{not json",
        json.dumps({"@type": "Question"}),  # no name
        json.dumps(_nested({"@type": "Question", "name": "Deep?"}, levels=20)),
        json.dumps({"@type": ["Thing", "Question"], "name": "<b>How do I pay for my order?</b>"}),
    ],
    ids=["broken", "nameless", "too-deep", "typed-list-with-markup"],
)
def test_odd_data_islands_are_read_safely(island: str) -> None:
    page = lxml_html.document_fromstring(
        f'<html><head><script type="application/ld+json">{island}</script></head>'
        "<body><p>x</p></body></html>"
    )
    found = declared_questions(page)
    expected = {"how do i pay for my order?"} if "pay" in island else set()
    assert found == expected


def test_a_data_island_nested_beyond_reason_is_skipped() -> None:
    island = "[" * 100_000
    page = f'<html><head><script type="application/ld+json">{island}</script></head>'
    body = "<body><main><h1>T</h1><p>Some text of the page, long enough to read.</p></main>"
    article = parse_article((page + body + "</body></html>").encode(), source="f.html").article
    assert article.title == "T"
