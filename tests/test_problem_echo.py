"""Problem bodies never echo raw client input: what the request sent (a path, a slug, a
query value, a header, a method) shows in `detail` and `instance` percent-encoded and cut
short, or not at all; and a redirect's Location carries the request's rest encoded too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.api.errors import MAX_DETAIL_CHARS
from app.ingest import sync_folder
from app.models import MAX_INSTANCE_CHARS
from app.store import open_store
from tests.conftest import SEED_SLUG, StoreFactory, make_settings, seeded_data_dir

TOKEN = "echo-token"
# No `/` in these: each stays one path segment once the server decodes it
MARKUP = "<img src=x onerror=\"alert('x')\">"
QUOTES = 'it\'s "quoted"'
NON_ASCII = "ünïcödé-✓-記事"
CONTROLS = "a\x00b\x1b[31mc\r\nd\x7f"
HOSTILE = {"markup": MARKUP, "quotes": QUOTES, "non-ascii": NON_ASCII, "controls": CONTROLS}
# What a problem's `detail` and `instance` may hold: printable ASCII without markup or quotes
# (server words, `%XX` escapes and the `'` around an echoed slug).
SAFE_TEXT = re.compile(r"[\x20-\x7e]*")
UNSAFE = set('<>"&\\')


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, module_store_factory: StoreFactory
) -> Iterator[TestClient]:
    """The app with a write token on a store of each backend holding the seed article (the
    hostile input reaches each database: PostgreSQL's text, say, cannot hold U+0000)."""
    data_dir = seeded_data_dir(tmp_path_factory.mktemp("echo"))
    store = module_store_factory.open()
    assert sync_folder(store=store, folder=data_dir / "articles").ok
    store.close()
    settings = make_settings(
        data_dir,
        db=module_store_factory.location,
        ingest_on_start=False,
        watch=False,
        write_token=TOKEN,
    )
    with TestClient(create_app(settings), follow_redirects=False) as test_client:
        yield test_client


def assert_not_echoed(response: Any, *raw: str) -> dict[str, Any]:
    """A problem whose detail and instance are short, plain and free of the raw input."""
    assert response.headers["content-type"] == "application/problem+json", response.text
    body: dict[str, Any] = response.json()
    for member in ("detail", "instance"):
        value = body[member]
        assert SAFE_TEXT.fullmatch(value), (member, value)
        assert not UNSAFE & set(value), (member, value)
        for text in raw:
            # The raw input nowhere in the body, nor any of its unsafe parts
            assert text not in response.text
            for part in re.findall(r"[^\x20-\x7e]+|[<>\"]+", text):
                assert part not in value, (member, part, value)
    assert len(body["instance"]) <= MAX_INSTANCE_CHARS
    assert len(body["detail"]) <= MAX_DETAIL_CHARS
    return body


def path_of(text: str) -> str:
    """`text` as one path segment on the wire (the server decodes it back)."""
    return quote(text, safe="")


@pytest.mark.parametrize("raw", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(
    ("template", "status"),
    [
        ("/articles/{}", 404),
        ("/articles/{}/sections", 404),
        (f"/articles/{SEED_SLUG}/sections/{{}}", 404),
        ("/articles/{}/sections/x", 404),
        ("/sections/{}", 404),
        ("/no/such/{}/route", 404),
    ],
)
def test_hostile_path_segments(client: TestClient, template: str, raw: str, status: int) -> None:
    response = client.get(template.format(path_of(raw)))

    assert response.status_code == status
    body = assert_not_echoed(response, raw)
    # The instance is the path percent-encoded: the same path, said safely (less the CR, LF
    # and tab that URL parsing drops, WHATWG-style)
    path = re.sub(r"[\t\r\n]", "", template.format(raw))
    assert body["instance"] == quote(path, safe="/")


def test_an_unknown_slug_is_shown_encoded(client: TestClient) -> None:
    body = assert_not_echoed(client.get(f"/articles/{path_of(MARKUP)}"), MARKUP)

    assert body["detail"] == f"No article has the slug '{quote(MARKUP)}'."
    assert body["instance"] == "/articles/%3Cimg%20src%3Dx%20onerror%3D%22alert%28%27x%27%29%22%3E"


def test_a_plain_slug_reads_as_itself(client: TestClient) -> None:
    body = client.get("/articles/no-such-article").json()

    assert body["detail"] == "No article has the slug 'no-such-article'."
    assert body["instance"] == "/articles/no-such-article"


# Up to the longest URL the app reads (8 KiB; `<` is 3 bytes on the wire, `é` 6), and over
@pytest.mark.parametrize(("length", "status"), [(500, None), (2500, None), (20000, 414)])
def test_long_paths_stay_short(client: TestClient, length: int, status: int | None) -> None:
    for path, expected in (
        ("/articles/" + "<" * length, 422),  # over the slug's bound
        ("/sections/" + "é" * (length // 2), 422),  # over the slug's bound too
        ("/no-route/" + "x\"'" * (length // 3), 404),
    ):
        response = client.get(path)

        assert response.status_code == (status or expected), path[:40]
        body = assert_not_echoed(response, path[10:])
        assert body["instance"].endswith("...")


@pytest.mark.parametrize("raw", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_query_values(client: TestClient, raw: str) -> None:
    for path, params in (
        ("/search", {"q": raw, "limit": raw}),
        ("/search", {"q": "x", "cursor": raw}),
        ("/search", {"q": "x", "is_question": raw}),
        ("/articles", {"updated_since": raw, "offset": raw}),
        ("/changes", {"since": raw}),
    ):
        response = client.get(path, params=params)

        assert response.status_code == 422, (path, params)
        body = assert_not_echoed(response, raw)
        assert body["errors"]
        assert all(raw not in str(error) for error in body["errors"])


def test_a_hostile_method_is_shown_encoded(client: TestClient) -> None:
    response = client.request("X'<B>", "/articles")

    assert response.status_code == 405
    body = assert_not_echoed(response, "X'<B>")
    assert body["detail"] == "X%27%3CB%3E is not allowed here; use GET, HEAD."


def test_a_hostile_charset_is_shown_encoded(client: TestClient) -> None:
    charset = MARKUP.replace("'", "")
    response = client.put(
        "/articles/returns",
        content=b"# Returns\n\nYes.\n",
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": f'text/markdown; charset="{charset}"',
        },
    )

    assert response.status_code == 422
    body = assert_not_echoed(response, charset)
    assert body["detail"] == f"the charset '{quote(charset)}' is not one this service reads"


def test_a_hostile_request_id_is_not_kept(client: TestClient) -> None:
    response = client.get("/articles/nothing", headers={"X-Request-ID": "<b>x</b>"})

    body = assert_not_echoed(response, "<b>x</b>")
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", body["request_id"])


FAQ = "# Travel FAQ\n\nAnswers.\n\n## Can I bring my dog?\n\nSmall dogs travel in a carrier.\n"


def test_a_redirect_encodes_the_rest_of_the_path(tmp_path: Path) -> None:
    """A moved article's URLs redirect with the rest of the path and the query, encoded:
    nothing the client sent reaches the Location header as sent."""
    folder = tmp_path / "data" / "articles"
    folder.mkdir(parents=True)
    for title in ("Travel FAQ", "Trip FAQ"):
        (folder / "faq.md").write_text(FAQ.replace("Travel FAQ", title), encoding="utf-8")
        store = open_store(tmp_path / "data" / "article-qa.db")
        try:
            assert sync_folder(store=store, folder=folder).ok
        finally:
            store.close()
    settings = make_settings(tmp_path / "data", ingest_on_start=False, watch=False)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        rest = path_of(f"{MARKUP}{NON_ASCII}")
        response = client.get(f"/articles/travel-faq/sections/{rest}?x=%3Cb%3E&y=1")

    assert response.status_code == 301
    location = response.headers["location"]
    assert location.startswith("/articles/trip-faq/sections/%3Cimg%20src%3Dx")
    assert location.endswith("?x=%3Cb%3E&y=1")
    assert SAFE_TEXT.fullmatch(location) and not set('<>"') & set(location)
