"""ARTICLE_QA_SLUGS=unicode over HTTP: non-Latin slugs served, every `url` and `Location`
percent-encoded, either form of a path answered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.conftest import make_settings, ready_client

JAPANESE = (
    "# よくある質問\n\n概要です。\n\n## 料金はいくらですか？\n\n無料です。\n\n"
    "## 解約方法\n\nメールで。\n"
)
SLUG, SECTION = "よくある質問", "料金はいくらですか"
ARTICLE_URL = f"/articles/{quote(SLUG)}"
SECTION_URL = f"{ARTICLE_URL}/sections/{quote(SECTION)}"


@pytest.fixture
def unicode_settings(data_dir: Path) -> Settings:
    (data_dir / "articles" / "faq.md").write_text(JAPANESE, encoding="utf-8")
    return make_settings(data_dir, slugs="unicode")


@pytest.fixture
def unicode_client(unicode_settings: Settings) -> Iterator[TestClient]:
    with ready_client(unicode_settings) as client:
        yield client


def test_article_and_section_urls_are_percent_encoded(unicode_client: TestClient) -> None:
    article = unicode_client.get(ARTICLE_URL).json()
    assert article["slug"] == SLUG
    assert article["sections"][0]["slug"] == SECTION
    assert article["sections"][0]["url"] == SECTION_URL
    listed = unicode_client.get("/articles", params={"limit": 100}).json()["items"]
    assert {"slug": SLUG, "url": ARTICLE_URL}.items() <= next(
        item for item in listed if item["slug"] == SLUG
    ).items()
    changes = unicode_client.get("/changes").json()["items"]
    assert ARTICLE_URL in {change["url"] for change in changes}
    hits = unicode_client.get("/search", params={"q": "料金"}).json()["hits"]
    assert SECTION_URL in {hit["url"] for hit in hits}
    faq = unicode_client.get(f"{ARTICLE_URL}/faq.jsonld").json()
    assert all(entity["url"].isascii() for entity in faq["mainEntity"])


def test_either_form_of_a_path_answers(unicode_client: TestClient) -> None:
    encoded = unicode_client.get(SECTION_URL)
    # httpx sends the characters as UTF-8 percent-encoded; Starlette decodes the path.
    decoded = unicode_client.get(f"/articles/{SLUG}/sections/{SECTION}")
    lower_hex = unicode_client.get(SECTION_URL.lower())  # %e3 as well as %E3
    assert encoded.status_code == decoded.status_code == lower_hex.status_code == 200
    assert encoded.json() == decoded.json() == lower_hex.json()
    assert unicode_client.get(f"/sections/{SECTION}").json()["url"] == SECTION_URL


def test_a_moved_slug_answers_301_with_an_encoded_location(
    unicode_settings: Settings, data_dir: Path
) -> None:
    faq = data_dir / "articles" / "faq.md"
    faq.write_text(JAPANESE.replace("## 料金はいくらですか？", "## 料金は？"), encoding="utf-8")
    with ready_client(unicode_settings):
        pass  # the first version stored
    faq.write_text(JAPANESE, encoding="utf-8")
    with ready_client(unicode_settings) as client:
        old = f"{ARTICLE_URL}/sections/{quote('料金は')}"
        response = client.get(old, follow_redirects=False)
        assert response.status_code == 301
        assert response.headers["location"] == SECTION_URL
        decoded = client.get(f"/articles/{SLUG}/sections/料金は", follow_redirects=False)
        assert decoded.status_code == 301
        assert decoded.headers["location"] == SECTION_URL
        assert client.get(old).json()["slug"] == SECTION


def test_switching_to_unicode_redirects_the_ascii_urls(
    data_dir: Path, unicode_settings: Settings
) -> None:
    with ready_client(make_settings(data_dir)) as client:
        ascii_url = "/articles/yokuaru-shitsumon/sections/ryoukin-haikuradesuka"
        assert client.get(ascii_url).status_code == 200
    with ready_client(unicode_settings) as client:
        response = client.get(ascii_url, follow_redirects=False)
        assert response.status_code == 301
        assert response.headers["location"] == SECTION_URL
        moved = client.get("/articles/yokuaru-shitsumon", follow_redirects=False)
        assert moved.headers["location"] == ARTICLE_URL
