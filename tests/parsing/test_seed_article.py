"""The seed article parses to exactly its true structure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.models import Article
from app.parsing import parse_article

SEED = Path(__file__).parents[2] / "data" / "articles" / "raisi-visit-pakistan.txt"
HEADINGS = [
    ("What’s the Ebrahim Raisi agenda of the trip?", "whats-the-ebrahim-raisi-agenda-of-the-trip"),
    ("What’s the status of Iran-Pakistan ties?", "whats-the-status-of-iran-pakistan-ties"),
    ("Why is the Pakistan-Iran relationship vital?", "why-is-the-pakistan-iran-relationship-vital"),
    (
        "How has Pakistan responded to Iran-Israel tensions?",
        "how-has-pakistan-responded-to-iran-israel-tensions",
    ),
]
BOILERPLATE = [
    ("9 Min Read", "reading_time"),
    ("Ebrahim Raisi", "caption"),
    ("Ebrahim Raisi:", "label"),
    ("ALSO READ: Navigating Diplomatic Channels:", "promo"),
    ("Share this Article", "share_widget"),
    ("Follow:", "share_widget"),
    ("Welcome to Bihane News", "author_blurb"),
    ("Leave a comment", "comments_widget"),
    ("Leave a Reply", "comments_widget"),
    ("Your email address will not be published", "comments_widget"),
    ("Exit mobile version", "site_chrome"),
]


@pytest.fixture(scope="module")
def article() -> Article:
    return parse_article(SEED.read_bytes(), source=SEED.name).article


def _normalised(text: str) -> str:
    return re.sub(r"[\s\u00a0]+", " ", text).strip()


def _source_body_paragraphs() -> list[str]:
    """Body paragraphs straight from the file: lines between the first heading and the chrome,
    minus headings and the glued caption/promo tails (which follow 5+ spaces)."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADINGS[0][0])
    end = lines.index("Share this Article")
    headings = {heading for heading, _ in HEADINGS}
    paragraphs = []
    for line in lines[start:end]:
        kept = re.split(r"[ \u00a0]{5,}", line)[0]
        if _normalised(kept) and kept not in headings and kept != "Ebrahim Raisi:":
            paragraphs.append(_normalised(kept))
    return paragraphs


def test_title_slug_and_metadata(article: Article) -> None:
    assert article.title == "Why is Iran’s President Ebrahim Raisi visiting Pakistan in 2024?"
    assert article.slug == "why-is-irans-president-ebrahim-raisi-visiting-pakistan-in-2024"
    assert article.reading_time_minutes == 9
    assert article.format == "text"
    assert article.language == "en"
    assert article.source == "raisi-visit-pakistan.txt"
    assert len(article.content_hash) == 64


def test_exactly_four_question_sections_in_order(article: Article) -> None:
    assert [(s.heading, s.slug) for s in article.sections] == HEADINGS
    for position, section in enumerate(article.sections, start=1):
        assert section.position == position
        assert section.is_question
        assert section.level == 1
        assert section.parent_slug is None
        assert section.article_slug == article.slug
        assert section.url == f"/articles/{article.slug}/sections/{section.slug}"
        assert section.word_count == len(re.findall(r"\S*\w\S*", section.body))


def test_lead_is_the_one_paragraph_before_the_first_heading(article: Article) -> None:
    assert article.lead.startswith("The recent meeting between Iranian President Ebrahim Raisi")
    assert article.lead.endswith("significant implications for regional stability and cooperation.")
    assert "\n" not in article.lead


def test_every_body_paragraph_is_kept_word_for_word(article: Article) -> None:
    bodies = [paragraph for s in article.sections for paragraph in s.body.split("\n\n")]
    assert bodies == _source_body_paragraphs()
    assert all("\u00a0" not in paragraph and "  " not in paragraph for paragraph in bodies)


@pytest.mark.parametrize(("text", "reason"), BOILERPLATE, ids=[r for _, r in BOILERPLATE])
def test_boilerplate_is_absent_and_dropped_with_reason(
    article: Article, text: str, reason: str
) -> None:
    everything = "\n".join([article.lead, *(s.body for s in article.sections)])
    if text != "Ebrahim Raisi":  # the name itself is part of real sentences
        assert text not in everything
    assert any(d.text.startswith(text) and d.reason == reason for d in article.dropped)


def test_glued_caption_is_cut_from_its_paragraph(article: Article) -> None:
    agenda = article.sections[0].body
    assert "as a means of conflict resolution.\n\n" in agenda
    assert not any(p.endswith("Ebrahim Raisi") for p in agenda.split("\n\n"))


def test_lone_no_break_space_is_accounted_for(article: Article) -> None:
    assert any(d.reason == "empty" for d in article.dropped)


def test_parse_is_deterministic() -> None:
    data = SEED.read_bytes()
    first = parse_article(data, source=SEED.name).article
    second = parse_article(data, source=SEED.name).article
    assert first.model_dump_json() == second.model_dump_json()
