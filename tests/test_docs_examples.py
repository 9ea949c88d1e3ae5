"""The examples of /docs and /redoc are real: the answers the seed article gets.

app/api/seed_example.json is the seed as the parser reads it; when a parser change alters
it, this test fails and says how to write it again. Every success example of the OpenAPI
document is then compared with what the app, serving the seed, answers to the example
request (the store's timestamps aside)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.api import openapi as docs
from app.api.errors import EXAMPLE_SLUG
from app.parsing.pipeline import parse_article
from tests.conftest import SEED_FILE, make_settings, seeded_data_dir

SEED_EXAMPLE = Path(docs.__file__).parent / "seed_example.json"
TIMESTAMPS = {"created_at", "updated_at", "at"}
EXAMPLE_SEARCH = {
    "q": docs.EXAMPLE_QUERY,
    "limit": 1,
    "article": EXAMPLE_SLUG,
    "language": "en",
    "is_question": "true",
}
ARTICLE = f"/articles/{EXAMPLE_SLUG}"
# operation -> the example request its example answers
REQUESTS: dict[str, tuple[str, dict[str, Any]]] = {
    "list_articles": ("/articles", {"limit": 1, "offset": 0}),
    "get_article": (ARTICLE, {}),
    "list_article_sections": (f"{ARTICLE}/sections", {}),
    "get_article_section": (docs.SECTION_URL, {}),
    "get_section": (f"/sections/{docs.SECTION}", {}),
    "search_sections": ("/search", EXAMPLE_SEARCH),
    "list_changes": ("/changes", {"limit": 1}),
}


def test_the_seed_example_is_the_seed_as_parsed() -> None:
    parsed = parse_article(SEED_FILE.read_bytes(), source=SEED_FILE.name).article
    written = json.loads(SEED_EXAMPLE.read_text(encoding="utf-8"))

    assert parsed.model_dump(mode="json") == written, (
        "the parser reads the seed differently: write app/api/seed_example.json again with "
        "`python -m app parse data/articles/raisi-visit-pakistan.txt > app/api/seed_example.json`"
        " (and check the examples still read well)"
    )


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir = seeded_data_dir(tmp_path_factory.mktemp("docs-examples"))
    settings = make_settings(data_dir, ingest_on_start=False, watch=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def without_timestamps(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: ("<time>" if k in TIMESTAMPS else without_timestamps(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [without_timestamps(item) for item in value]
    return value


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_each_success_example_is_the_answer_to_its_example_request(
    client: TestClient, operation: str
) -> None:
    path, params = REQUESTS[operation]

    response = client.get(path, params=params)

    assert response.status_code == 200
    expected = docs.SUCCESS_EXAMPLES[operation]
    assert without_timestamps(response.json()) == without_timestamps(expected)


def test_the_documents_are_the_seeds(client: TestClient) -> None:
    assert client.get(f"{ARTICLE}/faq.jsonld").json() == docs.FAQ_PAGE_EXAMPLE
    for operation, documents in docs.DOCUMENT_EXAMPLES.items():
        path, _ = REQUESTS[operation]
        for media_type, document in documents.items():
            assert client.get(path, headers={"Accept": media_type}).text == document


def test_every_get_operation_has_a_real_example(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None or operation["operationId"] in {"get_article_faq"}:
            continue
        content = operation["responses"]["200"]["content"]
        documented = [body.get("example") for body in content.values()]
        assert all(example is not None for example in documented), path
