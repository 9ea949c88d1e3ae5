"""PUT and DELETE /articles/{slug} with a bearer token: the write API, through the real app."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.errors import Gone
from app.ingest import http_article, reparse_http_articles, sync_folder
from app.store import RawSource, open_store
from tests.conftest import SEED_FILE, SEED_SLUG, make_settings, seeded_data_dir

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MARKDOWN = "# Returns\n\n## Can I get my money back?\n\nYes, within 30 days.\n"
HTML = (
    "<html><head><title>Shipping</title></head><body><article><h1>Shipping</h1>"
    "<p>How we ship parcels to every country.</p>"
    "<h2>How long does delivery take?</h2><p>Three to five working days.</p>"
    "</article></body></html>"
)


def data_dir_with_seed(tmp_path: Path) -> Path:
    return seeded_data_dir(tmp_path)


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[TestClient]:
    """The app with a write token, on a store that already holds the seed (from its file)."""
    settings = make_settings(
        data_dir_with_seed(tmp_path), ingest_on_start=False, watch=False, write_token=TOKEN
    )
    with TestClient(create_app(settings)) as client:
        yield client


def put(
    client: TestClient, slug: str, body: str, media_type: str = "text/markdown", **kw: Any
) -> Any:
    headers = {**AUTH, "Content-Type": media_type, **kw.pop("headers", {})}
    return client.put(f"/articles/{slug}", content=body.encode(), headers=headers, **kw)


def test_without_a_token_the_api_is_read_only(tmp_path: Path) -> None:
    settings = make_settings(data_dir_with_seed(tmp_path), ingest_on_start=False, watch=False)
    with TestClient(create_app(settings)) as client:
        response = client.put("/articles/returns", content=b"x", headers=AUTH)
        assert response.status_code == 405
        assert response.headers["content-type"] == "application/problem+json"
        assert client.delete(f"/articles/{SEED_SLUG}", headers=AUTH).status_code == 405
        paths = client.get("/openapi.json").json()["paths"]
        assert {method for item in paths.values() for method in item} == {"get"}


def test_put_creates_then_replaces(writer: TestClient) -> None:
    created = put(writer, "returns", MARKDOWN)

    assert created.status_code == 201
    assert created.headers["location"] == "/articles/returns"
    assert created.headers["cache-control"] == "no-store"
    article = created.json()
    assert article["slug"] == "returns" and article["origin"] == "http"
    assert article["sections"][0]["url"] == "/articles/returns/sections/can-i-get-my-money-back"
    assert writer.get("/sections/can-i-get-my-money-back").json()["body"] == "Yes, within 30 days."
    assert writer.get("/search", params={"q": "money back"}).json()["hits"][0]["article_slug"] == (
        "returns"
    )

    replaced = put(writer, "returns", MARKDOWN.replace("30 days", "60 days"))

    assert replaced.status_code == 200
    assert "location" not in replaced.headers
    assert writer.get("/articles/returns").json()["sections"][0]["body"] == "Yes, within 60 days."


@pytest.mark.parametrize(
    ("media_type", "body", "heading"),
    [
        pytest.param(
            "text/plain", "Returns\n\nCan I pay later?\n\nYes.\n", "Can I pay later?", id="text"
        ),
        pytest.param(
            "text/markdown; charset=utf-8", MARKDOWN, "Can I get my money back?", id="markdown"
        ),
        pytest.param("text/html", HTML, "How long does delivery take?", id="html"),
    ],
)
def test_each_format_is_parsed_by_its_reader(
    writer: TestClient, media_type: str, body: str, heading: str
) -> None:
    response = put(writer, "written", body, media_type)

    assert response.status_code == 201, response.text
    assert [s["heading"] for s in response.json()["sections"]] == [heading]


def test_dry_run_parses_and_stores_nothing(writer: TestClient) -> None:
    flat = "Just a title\n\nNo questions here at all.\n"
    response = put(writer, "preview", flat, "text/plain", params={"dry_run": "true"})

    assert response.status_code == 200
    assert response.json()["article"]["slug"] == "preview"
    assert any("no section headings" in w for w in response.json()["warnings"])
    assert writer.get("/articles/preview").status_code == 404
    assert writer.get("/changes").json()["items"][-1]["article_slug"] != "preview"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({}, 401, id="no-token"),
        pytest.param({"Authorization": "Bearer wrong"}, 403, id="wrong-token"),
        pytest.param({"Authorization": f"Basic {TOKEN}"}, 401, id="not-bearer"),
    ],
)
def test_writes_need_the_token(writer: TestClient, headers: dict[str, str], status: int) -> None:
    response = writer.put(
        "/articles/returns",
        content=MARKDOWN.encode(),
        headers={"Content-Type": "text/markdown", **headers},
    )

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    assert writer.delete(f"/articles/{SEED_SLUG}", headers=headers).status_code == status


def test_if_match_guards_against_lost_updates(writer: TestClient) -> None:
    etag = put(writer, "returns", MARKDOWN).headers["etag"]
    assert writer.get("/articles/returns").headers["etag"] == etag

    fresh = put(writer, "returns", MARKDOWN + "\nMore.\n", headers={"If-Match": etag})
    stale = put(writer, "returns", MARKDOWN, headers={"If-Match": etag})
    missing = put(writer, "nothing-here", MARKDOWN, headers={"If-Match": "*"})

    assert fresh.status_code == 200
    assert stale.status_code == 412
    assert stale.json()["type"].endswith(":stale-version")
    assert missing.status_code == 412
    assert writer.delete("/articles/returns", headers={**AUTH, "If-Match": etag}).status_code == 412


def test_too_large_and_unsupported_bodies(tmp_path: Path) -> None:
    settings = make_settings(
        data_dir_with_seed(tmp_path),
        ingest_on_start=False,
        watch=False,
        write_token=TOKEN,
        max_article_bytes=100,
    )
    with TestClient(create_app(settings)) as client:
        assert put(client, "big", "# Big\n\n" + "word " * 100).status_code == 413
        assert put(client, "pdf", "%PDF-1.4", "application/pdf").status_code == 415
        assert put(client, "none", "", "text/plain").status_code == 422
        assert put(client, "Not_A_Slug", MARKDOWN).status_code == 422


def test_articles_owned_by_files_cannot_be_written(writer: TestClient) -> None:
    response = put(writer, SEED_SLUG, MARKDOWN)

    assert response.status_code == 409
    assert response.json()["source"] == SEED_FILE.name
    assert writer.delete(f"/articles/{SEED_SLUG}", headers=AUTH).status_code == 409
    assert writer.get(f"/articles/{SEED_SLUG}").json()["origin"] == "file"


def test_delete_leaves_a_tombstone(writer: TestClient) -> None:
    put(writer, "returns", MARKDOWN)

    deleted = writer.delete("/articles/returns", headers=AUTH)

    assert deleted.status_code == 204
    gone = writer.get("/articles/returns")
    assert gone.status_code == 410
    assert gone.headers["content-type"] == "application/problem+json"
    section = writer.get("/articles/returns/sections/can-i-get-my-money-back")
    assert section.status_code == 410
    assert writer.delete("/articles/returns", headers=AUTH).status_code == 404
    assert writer.get("/changes").json()["items"][-1]["kind"] == "deleted"


def test_the_openapi_document_offers_writes_with_a_security_scheme(writer: TestClient) -> None:
    schema = writer.get("/openapi.json").json()

    put_operation = schema["paths"]["/articles/{article_slug}"]["put"]
    assert put_operation["operationId"] == "put_article"
    assert set(put_operation["requestBody"]["content"]) == {
        "text/plain",
        "text/markdown",
        "text/html",
    }
    assert put_operation["security"]
    assert "delete" in schema["paths"]["/articles/{article_slug}"]
    [scheme] = schema["components"]["securitySchemes"].values()
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}


def test_raw_bytes_are_kept_and_parsed_again_by_new_code(tmp_path: Path) -> None:
    data_dir = data_dir_with_seed(tmp_path)
    settings = make_settings(data_dir, ingest_on_start=False, watch=False, write_token=TOKEN)
    with TestClient(create_app(settings)) as client:
        put(client, "shipping", HTML, "text/html")
    db = data_dir / "article-qa.db"
    with sqlite3.connect(db) as connection:
        # As if an older parser had stored it: a new fingerprint clears every hash.
        connection.execute("UPDATE build SET value = 'older-parser' WHERE key = 'fingerprint'")
    store = open_store(db)
    try:
        assert store.raw_sources()[0][1].data == HTML.encode()
        reports = sync_folder(store=store, folder=data_dir / "articles").reports
        assert any(report.path == "http:shipping" for report in reports)
        assert store.raw_sources() == []  # parsed again: nothing left stale
        assert store.get_article("shipping").sections[0].heading == "How long does delivery take?"
    finally:
        store.close()


def test_the_charset_of_the_content_type_is_followed(writer: TestClient) -> None:
    text = "# Покупки\n\n## Можно ли вернуть товар?\n\nДа, в течение тридцати дней.\n"

    response = put(writer, "pokupki", text.encode("koi8-r").decode("latin-1"), "x")
    assert response.status_code == 415
    response = writer.put(
        "/articles/pokupki",
        content=text.encode("koi8-r"),
        headers={**AUTH, "Content-Type": "text/markdown; charset=KOI8-R"},
    )

    assert response.status_code == 201
    article = response.json()
    assert article["title"] == "Покупки"
    assert article["sections"][0]["heading"] == "Можно ли вернуть товар?"
    wrong = writer.put(
        "/articles/broken",
        content="Ça coûte 5 €".encode("latin-1", "replace"),
        headers={**AUTH, "Content-Type": "text/plain; charset=utf-8"},
    )
    assert wrong.status_code == 422


def test_new_bytes_that_parse_the_same_are_kept(tmp_path: Path) -> None:
    data_dir = data_dir_with_seed(tmp_path)
    settings = make_settings(data_dir, ingest_on_start=False, watch=False, write_token=TOKEN)
    with TestClient(create_app(settings)) as client:
        first = put(client, "returns", MARKDOWN).json()
        second = put(client, "returns", MARKDOWN.replace("\n", "\r\n"))
        assert second.status_code == 200
        assert second.json()["sections"] == first["sections"]
        assert second.json()["content_hash"] != first["content_hash"]
    store = open_store(data_dir / "article-qa.db")
    try:
        [(_, raw)] = store.raw_sources(stale_only=False)
        assert raw.data == MARKDOWN.replace("\n", "\r\n").encode()
    finally:
        store.close()


def test_dry_run_says_409_where_the_write_would(writer: TestClient) -> None:
    response = put(writer, SEED_SLUG, MARKDOWN, params={"dry_run": "true"})

    assert response.status_code == 409


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"])
def test_updated_since_at_the_ends_of_time_is_a_422(writer: TestClient, moment: str) -> None:
    response = writer.get("/articles", params={"updated_since": moment})

    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "updated_since"


def test_a_sync_never_writes_older_bytes_over_a_newer_write(tmp_path: Path) -> None:
    data_dir = data_dir_with_seed(tmp_path)
    db = data_dir / "article-qa.db"
    store = open_store(db)
    try:
        for slug in ("alpha", "beta", "gamma"):
            parsed = http_article(slug=slug, data=MARKDOWN.encode(), media_type="text/markdown")
            store.upsert_article(parsed.article, raw=RawSource(MARKDOWN.encode(), "text/markdown"))
    finally:
        store.close()
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE build SET value = 'older-parser' WHERE key = 'fingerprint'")
    store = open_store(db)
    try:
        reparse = reparse_http_articles(store=store)
        assert next(reparse).path == "http:alpha"
        # While the sync goes on, a client writes beta and deletes gamma.
        newer = MARKDOWN.replace("30 days", "90 days").encode()
        parsed = http_article(slug="beta", data=newer, media_type="text/markdown")
        store.upsert_article(parsed.article, raw=RawSource(newer, "text/markdown"))
        store.delete_article("gamma")
        assert list(reparse) == []
        assert store.get_article("beta").sections[0].body == "Yes, within 90 days."
        with pytest.raises(Gone):
            store.get_article("gamma")
    finally:
        store.close()
