"""The schema.org FAQPage of an article (JSON-LD): GET /articles/{slug}/faq.jsonld and
`Accept: application/ld+json` on the article, through the real app on a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyld import jsonld  # type: ignore[import-untyped]
from pyld.documentloader.frozen import FrozenDocumentLoader  # type: ignore[import-untyped]

from app.api.negotiation import negotiate
from app.models import StoredArticle
from tests.conftest import SEED_SLUG, make_settings, ready_client
from tests.sites import Site, site_at

FAQ_URL = f"/articles/{SEED_SLUG}/faq.jsonld"
ARTICLE_URL = f"/articles/{SEED_SLUG}"
JSONLD = "application/ld+json"
# The seed's slug with words left out: its 404 suggests the seed
MISSING = "/articles/why-is-irans-president-visiting-pakistan"
SCHEMA = "https://schema.org/"
# Sections with a question heading and one without, and an article with none
TRAVEL = """# {title}

Answers for travellers.

## What should I bring?

Bring your passport and a printed ticket.

## Opening hours

The desk is open from 8:00 to 20:00.

## Can I bring my dog?

Small dogs travel in a carrier.
"""
HOURS = """# Opening hours

We are open daily.

## Weekdays

From 8:00 to 20:00 every weekday.

## Weekends

From 10:00 to 16:00 on Saturday and Sunday.
"""


def expanded(document: dict[str, Any]) -> list[dict[str, Any]]:
    """`document` expanded by pyld, offline: https://schema.org (the document's context) is
    served from a local stand-in mapping every term into the schema.org vocabulary, and any
    other URL is refused. Fails when a property would be dropped (a term not in the
    vocabulary: not linked data)."""
    dropped: list[str | None] = []
    loader = FrozenDocumentLoader(
        {
            url: {"@context": {"@vocab": SCHEMA}}
            for url in ("https://schema.org", "https://schema.org/")
        }
    )
    result: list[dict[str, Any]] = jsonld.expand(
        document, {"documentLoader": loader}, on_property_dropped=dropped.append
    )
    assert not dropped
    return result


def value(node: dict[str, Any], term: str) -> Any:
    """The one @value of a schema.org property of an expanded node."""
    [item] = node[SCHEMA + term]
    return item["@value"]


def seed_article(client: TestClient) -> StoredArticle:
    response = client.get(ARTICLE_URL, headers={"Accept": "application/json"})
    return StoredArticle.model_validate_json(response.content)


# -- the document --------------------------------------------------------------------------


def test_the_seed_faq_page_has_one_question_per_question_section(client: TestClient) -> None:
    article = seed_article(client)

    response = client.get(FAQ_URL)

    assert response.status_code == 200
    assert response.headers["content-type"] == JSONLD
    page = response.json()
    assert page["@context"] == "https://schema.org"
    assert page["@type"] == "FAQPage"
    assert page["name"] == page["headline"] == article.title
    assert page["inLanguage"] == "en"
    assert page["url"] == ARTICLE_URL
    questions = [section for section in article.sections if section.is_question]
    assert len(questions) == 4
    assert page["mainEntity"] == [
        {
            "@type": "Question",
            "name": section.heading,
            "url": section.url,
            "acceptedAnswer": {"@type": "Answer", "text": section.body, "url": section.url},
        }
        for section in questions
    ]


def test_the_faq_page_is_valid_json_ld(client: TestClient) -> None:
    article = seed_article(client)

    [page] = expanded(client.get(FAQ_URL).json())

    assert page["@type"] == [SCHEMA + "FAQPage"]
    assert value(page, "name") == article.title
    assert value(page, "inLanguage") == "en"
    sections = [section for section in article.sections if section.is_question]
    questions = page[SCHEMA + "mainEntity"]
    assert [value(question, "name") for question in questions] == [
        section.heading for section in sections
    ]
    for question, section in zip(questions, sections, strict=True):
        assert question["@type"] == [SCHEMA + "Question"]
        assert value(question, "url") == section.url
        [answer] = question[SCHEMA + "acceptedAnswer"]
        assert answer["@type"] == [SCHEMA + "Answer"]
        assert value(answer, "text") == section.body
        assert value(answer, "url") == section.url


def test_urls_are_absolute_under_the_public_base_url(data_dir: Path) -> None:
    settings = make_settings(data_dir, public_base_url="https://help.example.com/api/")

    with ready_client(settings) as client:
        page = client.get(FAQ_URL).json()

    base = "https://help.example.com/api"
    assert page["url"] == base + ARTICLE_URL
    for question in page["mainEntity"]:
        assert question["url"].startswith(f"{base}{ARTICLE_URL}/sections/")
        assert question["acceptedAnswer"]["url"] == question["url"]


# -- content negotiation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("application/*", "application/json"),
        ("application/json, application/ld+json", "application/json"),  # a tie: JSON
        ("application/ld+json", JSONLD),
        ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', JSONLD),
        ("application/json;q=0.5, application/ld+json", JSONLD),
        ("application/json;q=0, */*", JSONLD),
        ("application/ld+json;q=0.4, application/*;q=0.5", "application/json"),
    ],
)
def test_accept_chooses_the_representation(
    client: TestClient, accept: str, media_type: str
) -> None:
    response = client.get(ARTICLE_URL, headers={"Accept": accept})

    assert response.status_code == 200
    assert response.headers["content-type"] == media_type


def test_json_is_the_default_without_an_accept_header() -> None:
    offered = ["application/json", JSONLD]
    assert negotiate(None, offered) == "application/json"
    assert negotiate("", offered) == "application/json"


def test_the_negotiated_json_ld_is_the_faq_page(client: TestClient) -> None:
    negotiated = client.get(ARTICLE_URL, headers={"Accept": JSONLD})
    faq = client.get(FAQ_URL)

    assert negotiated.content == faq.content
    assert negotiated.headers["etag"] == faq.headers["etag"]


def test_both_representations_vary_on_accept_with_their_own_etag(client: TestClient) -> None:
    as_json = client.get(ARTICLE_URL)
    as_jsonld = client.get(ARTICLE_URL, headers={"Accept": JSONLD})

    for response in (as_json, as_jsonld):
        assert "Accept" in vary(response)
    assert as_json.headers["etag"] != as_jsonld.headers["etag"]
    # The FAQ URL has one representation: nothing to vary on
    assert "Accept" not in vary(client.get(FAQ_URL))


@pytest.mark.parametrize("accept", ["application/json", JSONLD])
def test_each_representation_answers_304_to_its_own_etag(client: TestClient, accept: str) -> None:
    etag = client.get(ARTICLE_URL, headers={"Accept": accept}).headers["etag"]

    again = client.get(ARTICLE_URL, headers={"Accept": accept, "If-None-Match": etag})

    assert again.status_code == 304
    assert again.headers["etag"] == etag
    assert vary(again) == {"Accept", "Accept-Encoding"}
    other = "application/json" if accept == JSONLD else JSONLD
    switched = client.get(ARTICLE_URL, headers={"Accept": other, "If-None-Match": etag})
    assert switched.status_code == 200


def test_the_faq_url_answers_304_and_head(client: TestClient) -> None:
    first = client.get(FAQ_URL)

    again = client.get(FAQ_URL, headers={"If-None-Match": first.headers["etag"]})
    head = client.head(FAQ_URL)

    assert again.status_code == 304
    assert again.headers["etag"] == first.headers["etag"]
    assert head.status_code == 200
    assert head.headers["etag"] == first.headers["etag"]
    assert head.content == b""


def test_the_json_ld_is_gzipped_with_its_own_etag(client: TestClient) -> None:
    plain = client.get(FAQ_URL, headers={"Accept-Encoding": "identity"})
    gzipped = client.get(FAQ_URL, headers={"Accept-Encoding": "gzip"})

    assert gzipped.headers["content-encoding"] == "gzip"
    assert gzipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    assert gzipped.content == plain.content  # httpx decodes it


def vary(response: Any) -> set[str]:
    return {name.strip() for name in response.headers.get("vary", "").split(",") if name.strip()}


# -- slugs ---------------------------------------------------------------------------------


def test_an_unknown_slug_is_404_with_suggestions(client: TestClient) -> None:
    for response in (
        client.get(f"{MISSING}/faq.jsonld"),
        client.get(MISSING, headers={"Accept": JSONLD}),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["suggestions"] == [SEED_SLUG]


def test_a_retitled_article_moves_its_faq_page(site: Site) -> None:
    site.write("travel.md", TRAVEL.format(title="Travel FAQ"))
    site.write("travel.md", TRAVEL.format(title="Travel questions"))

    moved = site.client.get("/articles/travel-faq/faq.jsonld")
    negotiated = site.client.get("/articles/travel-faq", headers={"Accept": JSONLD})

    assert moved.status_code == 301
    assert moved.headers["location"] == "/articles/travel-questions/faq.jsonld"
    assert negotiated.status_code == 301
    assert negotiated.headers["location"] == "/articles/travel-questions"
    assert site.client.get(moved.headers["location"]).status_code == 200


def test_a_removed_article_s_faq_page_is_gone(site: Site) -> None:
    site.write("travel.md", TRAVEL.format(title="Travel FAQ"))
    site.remove("travel.md")

    gone = site.client.get("/articles/travel-faq/faq.jsonld")

    assert gone.status_code == 410
    assert gone.json()["type"].endswith(":gone")


# -- which sections ------------------------------------------------------------------------


def test_a_section_without_a_question_is_left_out(site: Site) -> None:
    site.write("travel.md", TRAVEL.format(title="Travel FAQ"))

    page = site.client.get("/articles/travel-faq/faq.jsonld").json()

    assert [question["name"] for question in page["mainEntity"]] == [
        "What should I bring?",
        "Can I bring my dog?",
    ]
    assert "Opening hours" not in str(page)
    assert "8:00 to 20:00" not in str(page)
    assert expanded(page)


def test_an_article_without_questions_has_an_empty_faq_page(site: Site) -> None:
    site.write("hours.md", HOURS)

    response = site.client.get("/articles/opening-hours/faq.jsonld")

    assert response.status_code == 200
    page = response.json()
    assert page["@type"] == "FAQPage"
    assert page["name"] == "Opening hours"
    assert page["mainEntity"] == []
    [node] = expanded(page)
    assert node["@type"] == [SCHEMA + "FAQPage"]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with site_at(tmp_path) as opened:
        yield opened
