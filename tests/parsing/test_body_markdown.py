"""Bodies in Markdown: the parser writes each section's and the lead's Markdown from the
same paragraphs as their plain text, and the plain text is what the Markdown reads as."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from app.api.representations import article_html
from app.models import Article
from app.parsing.body_markdown import Paragraph, markdown_of_plain, plain_text, render_body
from app.parsing.pipeline import parse_article
from tests.parsing.corpus import CORPUS, CORPUS_EXTRA, skip_or_fail_without

FIXTURES = Path(__file__).parent.parent / "fixtures"
READABLE = (".txt", ".md", ".markdown", ".html", ".htm")
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
MARKDOWN = """# Packing for the trip

What to know *before* you go.

## What should I bring?

Bring these, **always**:

- your passport
- a printed [ticket](https://example.com/ticket)

| Item | Where |
| --- | --- |
| Passport | Desk 1 |
| Ticket | Desk 2 |

```
check-in --early
```

> Tip: arrive early.
"""
HTML = """<html><head><title>Help</title></head><body><article>
<h1>Help centre</h1>
<p>Answers for every traveller who needs them before a trip, long or short.</p>
<h2>How do I check in?</h2>
<p>Check in <strong>online</strong> or at the <em>desk</em>, whichever suits you best.</p>
<ul><li>Online: from 24 hours before</li><li>Desk: from 3 hours before</li></ul>
<h2>What can I carry?</h2>
<p>One bag of up to 8 kg, plus one small personal item such as a handbag.</p>
<table><tr><th>Item</th><th>Weight</th></tr><tr><td>Bag</td><td>8 kg</td></tr></table>
</article></body></html>
"""


def parsed(data: str, source: str) -> Article:
    return parse_article(data.encode(), source=source).article


def assert_plain_is_the_markdowns_text(article: Article) -> None:
    assert plain_text(article.lead_markdown) == article.lead
    for section in article.sections:
        assert plain_text(section.body_markdown) == section.body, section.slug


def readable(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in READABLE and p.is_file())


@pytest.mark.parametrize("path", readable(FIXTURES), ids=lambda path: path.name)
def test_every_fixture_body_is_the_text_of_its_markdown(path: Path) -> None:
    try:
        article = parse_article(path.read_bytes(), source=path.name).article
    except Exception as error:  # fixtures of unreadable input are refused, by design
        pytest.skip(f"not an article: {error}")
    assert_plain_is_the_markdowns_text(article)


@pytest.mark.parametrize("corpus", [CORPUS, CORPUS_EXTRA], ids=["corpus", "corpus-extra"])
def test_every_corpus_body_is_the_text_of_its_markdown(corpus: Path) -> None:
    skip_or_fail_without(corpus)
    pages = sorted((corpus / "files").glob("*"))
    assert pages
    with_markup = 0
    for page in pages:
        article = parse_article(page.read_bytes(), source=page.name).article
        assert_plain_is_the_markdowns_text(article)
        assert_html_has_exactly_the_articles_headings(article)
        with_markup += sum(s.body_markdown != s.body for s in article.sections)
    assert with_markup > 0  # the pages' emphasis, lists and tables are kept


def assert_html_has_exactly_the_articles_headings(article: Article) -> None:
    """The HTML form holds the title and each section's heading as headings, and nothing a
    body says (a '#' line, a tag in the text) became markup: the text was escaped."""
    fragment = lxml_html.fragment_fromstring(article_html(article))
    headings = [element.text_content() for element in fragment.iter(*HEADING_TAGS)]
    assert headings == [article.title, *(section.heading for section in article.sections)]
    assert not list(fragment.iter("script", "img", "iframe", "style"))
    for element in fragment.iter():
        assert not any(name.startswith("on") for name in element.attrib), element.tag


def test_markdown_keeps_emphasis_links_lists_tables_code_and_quotes() -> None:
    article = parsed(MARKDOWN, "trip.md")
    [section] = article.sections

    assert article.lead_markdown == "What to know *before* you go."
    assert section.body_markdown == (
        "Bring these, **always**:\n\n"
        "- your passport\n"
        "- a printed [ticket](https://example.com/ticket)\n\n"
        "| Item | Where |\n| --- | --- |\n| Passport | Desk 1 |\n| Ticket | Desk 2 |\n\n"
        "```\ncheck-in --early\n```\n\n"
        "> Tip: arrive early."
    )
    assert section.body.startswith("Bring these, always:\n\nyour passport\n\na printed ticket")
    assert_plain_is_the_markdowns_text(article)


def test_html_keeps_strong_emphasis_lists_and_tables() -> None:
    article = parsed(HTML, "help.html")
    check_in, carry = article.sections

    assert "Check in **online** or at the *desk*" in check_in.body_markdown
    assert "- Online: from 24 hours before\n- Desk: from 3 hours before" in check_in.body_markdown
    assert carry.body_markdown.endswith("| Item | Weight |\n| --- | --- |\n| Bag | 8 kg |")
    assert_plain_is_the_markdowns_text(article)


def test_plain_text_has_its_markdown_characters_escaped() -> None:
    article = parsed(
        "Prices\n\nWhat does it cost?\n\n1. The base fare is *not* fixed: 5 < 7 [sic]\n",
        "prices.txt",
    )
    body = article.sections[0].body

    assert body == "1. The base fare is *not* fixed: 5 < 7 [sic]"
    assert (
        article.sections[0].body_markdown == r"1\. The base fare is \*not\* fixed: 5 \< 7 \[sic\]"
    )
    assert plain_text(article.sections[0].body_markdown) == body


def test_a_table_of_uneven_rows_stays_preformatted() -> None:
    rows = "Fare | Price\nChild\nAdult | 10 | extra"
    markdown = render_body([Paragraph("table", rows)])

    assert markdown == f"```\n{rows}\n```"
    assert plain_text(markdown) == rows


def test_code_holding_a_fence_gets_a_longer_one() -> None:
    code = "```\nnested\n```"
    markdown = render_body([Paragraph("code", code)])

    assert markdown.startswith("````\n")
    assert plain_text(markdown) == code


def test_older_data_without_markdown_gets_its_plain_text_escaped() -> None:
    article = parsed(MARKDOWN, "trip.md").model_dump()
    del article["lead_markdown"]
    for section in article["sections"]:
        del section["body_markdown"]

    loaded = Article.model_validate(article)

    assert loaded.lead_markdown == markdown_of_plain(loaded.lead)
    assert plain_text(loaded.sections[0].body_markdown) == loaded.sections[0].body
