"""An article or a section as Markdown or sanitised HTML by the Accept header, 406 for what
cannot be produced, an ETag per representation, and `fields` on the list and item routes:
through the real app on a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.api.representations import INLINE_RENDER_CHARS, article_html
from app.models import StoredArticle
from app.parsing.body_markdown import plain_text
from app.store.sql import SQLStore
from tests.conftest import SEED_SLUG, StoreFactory, make_settings, seeded_data_dir
from tests.sites import Site, site_at
from tools.evaluation.relevance import article_from_sections

SOURCE = """# Packing for the trip

What to know *before* you go.

## What should I bring?

Bring these, **always**:

- your passport
- a printed [ticket](https://example.com/ticket)
- nothing [dangerous](javascript:alert(1))

<script>alert("x")</script>

<img src="x.png" onerror="alert(1)">

| Item | Where |
| --- | --- |
| Passport | Desk 1 |

## Can I bring my dog?

Small dogs travel in a *carrier*.
"""
SLUG = "packing-for-the-trip"
ARTICLE = f"/articles/{SLUG}"
SECTION = f"{ARTICLE}/sections/what-should-i-bring"
MARKDOWN = "text/markdown"
HTML = "text/html"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with site_at(tmp_path) as site:
        site.write("trip.md", SOURCE)
        yield site


@pytest.fixture
def client(site: Site) -> TestClient:
    return site.client


def vary(response: object) -> set[str]:
    headers = response.headers  # type: ignore[attr-defined]
    return {value.strip() for value in headers.get("vary", "").split(",") if value.strip()}


# -- Markdown and HTML ---------------------------------------------------------------------


def test_json_bodies_are_plain_text_beside_their_markdown(client: TestClient) -> None:
    section = client.get(SECTION).json()

    assert section["body_markdown"].startswith("Bring these, **always**:\n\n- your passport\n")
    assert "[ticket](https://example.com/ticket)" in section["body_markdown"]
    assert "| Passport | Desk 1 |" in section["body_markdown"]
    assert section["body"] == plain_text(section["body_markdown"])
    assert "**" not in section["body"]
    article = client.get(ARTICLE).json()
    assert article["lead_markdown"] == "What to know *before* you go."
    assert article["lead"] == "What to know before you go."


def test_an_article_as_markdown_has_its_title_and_headings(client: TestClient) -> None:
    response = client.get(ARTICLE, headers={"Accept": MARKDOWN})
    article = client.get(ARTICLE).json()

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/markdown; charset=utf-8; variant=CommonMark"
    assert response.headers["content-language"] == "en"
    text = response.text
    assert text.startswith("# Packing for the trip\n\nWhat to know *before* you go.\n\n")
    assert "## What should I bring?\n\nBring these, **always**:" in text
    assert "## Can I bring my dog?\n\nSmall dogs travel in a *carrier*.\n" in text
    for section in article["sections"]:
        assert section["body_markdown"] in text


def test_a_section_as_markdown_is_its_heading_and_body(client: TestClient) -> None:
    section = client.get(SECTION).json()

    response = client.get(SECTION, headers={"Accept": MARKDOWN})

    assert response.text == f"## What should I bring?\n\n{section['body_markdown']}\n"
    by_slug = client.get("/sections/what-should-i-bring", headers={"Accept": MARKDOWN})
    assert by_slug.text == response.text


def test_html_is_rendered_and_sanitised(client: TestClient) -> None:
    response = client.get(SECTION, headers={"Accept": HTML})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert html.startswith('<section id="what-should-i-bring">\n<h2>What should I bring?</h2>')
    assert "<strong>always</strong>" in html
    assert "<li>your passport</li>" in html
    assert '<a href="https://example.com/ticket" rel="noopener noreferrer nofollow">' in html
    assert "<td>Passport</td>" in html
    for unsafe in ("<script", 'href="javascript', "onerror", "<img"):
        assert unsafe not in html
    article = client.get(ARTICLE, headers={"Accept": HTML}).text
    assert article.startswith('<article lang="en">\n<h1>Packing for the trip</h1>')
    assert "<h2>Can I bring my dog?</h2>" in article


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/markdown;q=0.5, text/html", HTML),
        ("text/html;q=0.5, text/markdown", MARKDOWN),
        ("text/*", MARKDOWN),  # a tie between the text types: the server's order
        ("application/json;q=0.1, text/html;q=0.2", HTML),
        ("*/*", "application/json"),
        ("text/html, application/json", "application/json"),
    ],
)
def test_accept_chooses_by_weight_then_by_the_servers_order(
    client: TestClient, accept: str, expected: str
) -> None:
    response = client.get(SECTION, headers={"Accept": accept})

    assert response.status_code == 200
    assert response.headers["content-type"].partition(";")[0] == expected


@pytest.mark.parametrize("accept", ["image/png", "text/html;q=0, application/json;q=0"])
@pytest.mark.parametrize("url", [ARTICLE, SECTION, "/sections/what-should-i-bring"])
def test_what_cannot_be_produced_is_406(client: TestClient, accept: str, url: str) -> None:
    response = client.get(url, headers={"Accept": accept})

    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "Accept" in vary(response)
    assert "text/markdown" in response.json()["detail"]


@pytest.mark.parametrize("url", [ARTICLE, SECTION])
def test_each_representation_has_its_own_etag_and_304(client: TestClient, url: str) -> None:
    etags = {}
    for accept in ("application/json", MARKDOWN, HTML):
        response = client.get(url, headers={"Accept": accept})
        assert "Accept" in vary(response)
        etags[accept] = response.headers["etag"]
        again = client.get(url, headers={"Accept": accept, "If-None-Match": etags[accept]})
        assert again.status_code == 304
        assert vary(again) == {"Accept", "Accept-Encoding"}
    assert len(set(etags.values())) == 3
    switched = client.get(url, headers={"Accept": HTML, "If-None-Match": etags[MARKDOWN]})
    assert switched.status_code == 200


def test_head_answers_the_headers_of_the_markdown(client: TestClient) -> None:
    got = client.get(SECTION, headers={"Accept": MARKDOWN})
    head = client.head(SECTION, headers={"Accept": MARKDOWN})

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-type"] == got.headers["content-type"]


def test_the_seed_as_markdown_reads_back_as_its_sections(tmp_path: Path) -> None:
    settings = make_settings(seeded_data_dir(tmp_path), ingest_on_start=False, watch=False)
    with TestClient(create_app(settings)) as client:
        article = client.get(f"/articles/{SEED_SLUG}").json()
        text = client.get(f"/articles/{SEED_SLUG}", headers={"Accept": MARKDOWN}).text
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings == [section["heading"] for section in article["sections"]]


# -- fields --------------------------------------------------------------------------------


def test_fields_on_the_item_routes(client: TestClient) -> None:
    assert client.get(SECTION, params={"fields": "heading,is_question"}).json() == {
        "heading": "What should I bring?",
        "is_question": True,
    }
    article = client.get(ARTICLE, params={"fields": "title,sections.heading"}).json()
    assert article == {
        "title": "Packing for the trip",
        "sections": [{"heading": "What should I bring?"}, {"heading": "Can I bring my dog?"}],
    }
    by_slug = client.get("/sections/can-i-bring-my-dog", params={"fields": "url"}).json()
    assert by_slug == {"url": f"{ARTICLE}/sections/can-i-bring-my-dog"}


def test_fields_on_the_list_routes_keep_the_pages_own_members(client: TestClient) -> None:
    articles = client.get("/articles", params={"fields": "slug"}).json()
    assert articles == {"items": [{"slug": SLUG}], "total": 1, "limit": 20, "offset": 0}
    sections = client.get(f"{ARTICLE}/sections", params={"fields": "slug"}).json()
    assert sections == {"items": [{"slug": "what-should-i-bring"}, {"slug": "can-i-bring-my-dog"}]}
    changes = client.get("/changes", params={"fields": "kind,article_slug"}).json()
    assert changes["items"] == [{"kind": "created", "article_slug": SLUG}]
    assert set(changes) == {"items", "next", "more"}


def test_a_selection_has_its_own_etag(client: TestClient) -> None:
    whole = client.get(SECTION)
    part = client.get(SECTION, params={"fields": "heading"})

    assert whole.headers["etag"] != part.headers["etag"]
    again = client.get(
        SECTION, params={"fields": "heading"}, headers={"If-None-Match": part.headers["etag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("url", "fields", "reason"),
    [
        (SECTION, "heading,colour", "unknown field `colour`"),
        (ARTICLE, "sections.colour", "unknown field `sections.colour`"),
        (ARTICLE, "title.length", "`title` has no fields inside it"),
        (SECTION, ",", "should match pattern"),  # the same grammar on every route
        ("/articles", "slug,,", "should match pattern"),
        ("/changes", "Kind", "should match pattern"),
        (SECTION, "heading;drop", "should match pattern"),
        (SECTION, " url", "should match pattern"),
    ],
)
def test_a_bad_selection_is_a_422_naming_fields(
    client: TestClient, url: str, fields: str, reason: str
) -> None:
    response = client.get(url, params={"fields": fields})

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["name"] == "fields"
    assert reason in error["reason"]


# -- the store -----------------------------------------------------------------------------


def test_markdown_is_stored_once_and_read_back_on_every_backend(
    store_factory: StoreFactory,
) -> None:
    store: SQLStore = store_factory.open()
    plain = article_from_sections(
        title="Plain", sections=[("Why?", "Because it is.")], lead="A lead."
    )
    marked = plain.model_copy(
        update={
            "slug": "marked",
            "source": "marked.md",
            "lead_markdown": "A *lead*.",
            "sections": [
                plain.sections[0].model_copy(
                    update={
                        "article_slug": "marked",
                        "url": "/articles/marked/sections/why",
                        "body_markdown": "Because it **is**.",
                    }
                )
            ],
        }
    )
    store.upsert_article(plain)
    store.upsert_article(marked)

    assert store.get_article(plain.slug) == plain
    assert store.get_article("marked") == marked
    assert store.get_section(article_slug="marked", section_slug="why") == marked.sections[0]


def test_fields_on_search_hits_and_the_next_page_keeps_them(client: TestClient) -> None:
    response = client.get("/search", params={"q": "dog", "limit": 1, "fields": "heading,url"})

    body = response.json()
    assert body["hits"] == [
        {"heading": "Can I bring my dog?", "url": f"{ARTICLE}/sections/can-i-bring-my-dog"}
    ]
    assert {"query", "total", "limit", "offset", "hits"} <= set(body)
    bring = client.get("/search", params={"q": "bring", "limit": 1, "fields": "heading"})
    assert "fields=heading" in bring.headers["link"]
    bad = client.get("/search", params={"q": "dog", "fields": "colour"})
    assert bad.status_code == 422


def test_a_whole_field_named_beside_its_parts_is_whole(client: TestClient) -> None:
    article = client.get(ARTICLE, params={"fields": "sections.slug,sections"}).json()

    assert article["sections"] == client.get(f"{ARTICLE}/sections").json()["items"]


def test_an_unknown_field_is_a_422_in_every_representation(client: TestClient) -> None:
    for accept in (MARKDOWN, HTML, "application/ld+json"):
        response = client.get(ARTICLE, params={"fields": "colour"}, headers={"Accept": accept})
        assert response.status_code == 422, accept


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_format_overrides_accept(client: TestClient) -> None:
    assert client.get(SECTION, headers={"Accept": BROWSER}).headers["content-type"].startswith(HTML)
    as_json = client.get(SECTION, params={"format": "json"}, headers={"Accept": BROWSER})
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()["slug"] == "what-should-i-bring"
    markdown = client.get(ARTICLE, params={"format": "markdown"})
    assert markdown.text.startswith("# Packing for the trip\n")
    jsonld = client.get(ARTICLE, params={"format": "jsonld"})
    assert jsonld.headers["content-type"] == "application/ld+json"


@pytest.mark.parametrize(("url", "value"), [(SECTION, "jsonld"), (ARTICLE, "pdf")])
def test_a_format_the_resource_lacks_is_a_422(client: TestClient, url: str, value: str) -> None:
    response = client.get(url, params={"format": value})

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["name"] == "format"


def test_a_long_article_renders_the_same_off_the_event_loop(site: Site) -> None:
    paragraphs = "\n\n".join(
        f"Answer *{n}* of many, with words to make it long." for n in range(600)
    )
    site.write("long.md", f"# A long FAQ\n\n## Is it long?\n\n{paragraphs}\n")
    article = site.client.get("/articles/a-long-faq").json()
    assert len(article["sections"][0]["body_markdown"]) > INLINE_RENDER_CHARS

    html = site.client.get("/articles/a-long-faq", params={"format": "html"}).text

    assert html.count("<em>") == 600
    assert html == article_html(StoredArticle.model_validate(article))
