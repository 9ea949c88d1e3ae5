"""A landing page laid out as a stack of panels, one of them an FAQ: the FAQ is the article
(written from the convention in app/parsing/html_landing.py, not from a real page)."""

from __future__ import annotations

import pytest

from app.parsing.pipeline import parse_article

_BLURB = "Works with the tools you already use, and sets up in minutes."
_LONG = " ".join(
    ["Our reviewers spent three weeks with each kettle, boiling water at home and noting"]
    + ["how long it took, how loud it was and how hot the handle became."] * 4
)


def _panel(inner: str, wrap: bool) -> str:
    section = f"<section>{inner}</section>"
    return f'<div class="frame">{section}</div>' if wrap else section


def _card_panel(heading: str) -> str:
    cards = "".join(f"<h4>Feature {n}</h4><p>{_BLURB}</p>" for n in range(1, 4))
    return f"<h2>{heading}</h2>{cards}"


def _faq_panel() -> str:
    entries = "".join(
        f"<h3>{question}</h3><p>{answer}</p>"
        for question, answer in (
            ("How do I install it?", "Download the installer and follow its three steps."),
            ("Can I try it for free?", "Yes: every plan starts with a 14-day trial."),
            ("What is your refund policy?", "We refund any purchase within 30 days."),
            ("Does it run on older machines?", "It needs a processor from 2015 or later."),
        )
    )
    return f"<h2>Frequently asked questions</h2>{entries}"


def _page(panels: list[str], *, wrap: bool = True) -> bytes:
    body = "".join(_panel(inner, wrap) for inner in panels)
    return (
        "<html><head><title>Acme Studio for teams</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/buy'>Buy</a></nav>"
        f"<main><h1>Acme Studio for teams</h1>{body}</main>"
        "<footer>© Acme</footer></body></html>"
    ).encode()


@pytest.mark.parametrize("wrap", [True, False], ids=["panels-in-frames", "bare-sections"])
def test_the_faq_panel_of_a_landing_page_is_the_article(wrap: bool) -> None:
    page = _page(
        [
            "<h2>Create together</h2><p>One place for every draft.</p>",
            _card_panel("Fast, simple and safe"),
            "<h2>Loved by 2 million people</h2><blockquote>It just works.</blockquote>",
            _faq_panel(),
            "<h2>Start your trial today</h2><p>No card needed.</p>",
        ],
        wrap=wrap,
    )
    article = parse_article(page, source="acme.html").article
    assert [section.heading for section in article.sections] == [
        "Frequently asked questions",
        "How do I install it?",
        "Can I try it for free?",
        "What is your refund policy?",
        "Does it run on older machines?",
    ]
    assert article.title == "Acme Studio for teams"
    # The marketing panels are accounted for as page chrome, not lost.
    assert [d.reason for d in article.dropped] == ["page_chrome"]


def test_an_article_laid_out_in_sections_is_read_whole() -> None:
    """Long paragraphs outside the FAQ make the page an article: its sections stay."""
    page = _page(
        [
            f"<h2>How we tested</h2><p>{_LONG}</p>",
            f"<h2>The best kettle overall</h2><p>{_LONG}</p>",
            _faq_panel(),
        ]
    )
    article = parse_article(page, source="kettles.html").article
    headings = [section.heading for section in article.sections]
    assert "How we tested" in headings
    assert "The best kettle overall" in headings
    assert "How do I install it?" in headings


def test_two_faq_panels_leave_the_page_whole() -> None:
    """Which of two FAQs would be the article? Neither: the page is read as it is."""
    second = _faq_panel().replace("install", "pay").replace("Frequently asked", "More")
    page = _page(["<h2>Create together</h2><p>One place.</p>", _faq_panel(), second])
    article = parse_article(page, source="acme.html").article
    text = " ".join([article.lead, *(f"{s.heading} {s.body}" for s in article.sections)])
    assert "Create together" in text


def test_scripts_inside_the_faq_panel_are_not_text() -> None:
    script = '<script type="application/ld+json">{"@type": "FAQPage"}</script>'
    page = _page([_card_panel("Fast"), _card_panel("Simple"), _faq_panel() + script])
    article = parse_article(page, source="acme.html").article
    assert "FAQPage" not in " ".join(s.body for s in article.sections)


def test_news_in_sections_of_short_paragraphs_is_read_whole() -> None:
    """A news story laid out in <section>s, paragraphs under 50 words but not blurbs."""
    paragraph = " ".join(["The council voted on the new budget after a long debate"] * 3)
    story = [f"<h2>Part {n}</h2><p>{paragraph}.</p><p>{paragraph}.</p>" for n in (1, 2, 3)]
    article = parse_article(_page([*story, _faq_panel()]), source="news.html").article
    assert "Part 1" in [section.heading for section in article.sections]
