"""The OpenAPI document: clean operation ids, summaries, typed bodies, documented problems."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api import create_app

# A URL once served answers forever: 301 where it moved, 410 where it was removed.
MOVED_OR_GONE = ("301", "404", "410")
# What any route can answer before it runs: a Host not allowed, a URL or headers over their
# bounds, the optional rate limit (the probes are exempt), an unexpected error.
EDGE = ("400", "414", "431", "500")
LIMITED = (*EDGE, "429")
# A conditional GET answers 304 to an If-None-Match naming its current ETag.
CONDITIONAL = ("200", "304")
OPERATIONS = {
    ("/articles", "list_articles"): {*CONDITIONAL, "422", "503", *LIMITED},
    ("/articles/{article_slug}", "get_article"): {
        *CONDITIONAL,
        *MOVED_OR_GONE,
        "406",
        "422",
        "503",
        *LIMITED,
    },
    ("/articles/{article_slug}/faq.jsonld", "get_article_faq"): {
        *CONDITIONAL,
        *MOVED_OR_GONE,
        "422",
        "503",
        *LIMITED,
    },
    ("/articles/{article_slug}/sections", "list_article_sections"): {
        *CONDITIONAL,
        *MOVED_OR_GONE,
        "422",
        "503",
        *LIMITED,
    },
    ("/articles/{article_slug}/sections/{section_slug}", "get_article_section"): {
        *CONDITIONAL,
        *MOVED_OR_GONE,
        "406",
        "422",
        "503",
        *LIMITED,
    },
    ("/sections/{section_slug}", "get_section"): {
        *CONDITIONAL,
        *MOVED_OR_GONE,
        "409",
        "406",
        "422",
        "503",
        *LIMITED,
    },
    ("/search", "search_sections"): {*CONDITIONAL, "422", "503", *LIMITED},
    ("/changes", "list_changes"): {*CONDITIONAL, "422", "503", *LIMITED},
    ("/", "get_index"): {*CONDITIONAL, *LIMITED},
    ("/healthz", "check_liveness"): {"200", *EDGE},
    ("/readyz", "check_readiness"): {"200", "503", *EDGE},
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    # No lifespan needed: the document is built from the routes alone.
    document: dict[str, Any] = TestClient(create_app()).get("/openapi.json").json()
    return document


def operations(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (path, operation["operationId"]): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method == "get"
    }


def test_every_route_is_documented_with_a_clean_operation_id(schema: dict[str, Any]) -> None:
    found = operations(schema)

    assert set(found) == set(OPERATIONS)
    for key, operation in found.items():
        assert set(operation["responses"]) == OPERATIONS[key], key
        assert operation["summary"], key
        assert operation["tags"], key


def test_only_get_is_offered(schema: dict[str, Any]) -> None:
    assert {method for item in schema["paths"].values() for method in item} == {"get"}


def test_success_bodies_are_typed(schema: dict[str, Any]) -> None:
    for key, operation in operations(schema).items():
        for media_type, body in operation["responses"]["200"]["content"].items():
            if media_type.startswith("text/"):  # a document: Markdown or HTML
                assert body["schema"] == {"type": "string"}, (key, media_type)
                continue
            assert body["schema"]["$ref"].startswith("#/components/schemas/"), (key, media_type)


def test_errors_are_documented_as_problem_json(schema: dict[str, Any]) -> None:
    for key, operation in operations(schema).items():
        for status, response in operation["responses"].items():
            if status in {"200", "301", "304"}:
                continue
            assert set(response["content"]) == {"application/problem+json"}, (key, status)
            problem = response["content"]["application/problem+json"]["schema"]
            assert problem == {"$ref": "#/components/schemas/Problem"}
            assert response["description"]


def test_problem_schema_has_the_rfc_9457_members(schema: dict[str, Any]) -> None:
    problem = schema["components"]["schemas"]["Problem"]

    assert {"type", "title", "status", "detail", "instance"} <= problem["properties"].keys()
    assert problem["additionalProperties"] is True


def test_drop_reasons_are_an_enumeration_with_their_meaning(schema: dict[str, Any]) -> None:
    """A client can switch over `dropped[].reason`: every value is listed and explained."""
    from app.parsing.rules import DropReason

    reason = schema["components"]["schemas"]["DropReason"]
    assert reason["enum"] == [member.value for member in DropReason]
    description = schema["components"]["schemas"]["DroppedText"]["properties"]["reason"]
    explained = description.get("description", "")
    for member in DropReason:
        assert f"`{member.value}`: " in explained


def test_the_search_operation_explains_its_syntax(schema: dict[str, Any]) -> None:
    description = schema["paths"]["/search"]["get"]["description"]
    for form in ('`"gas pipeline"`', "`-israel`", "`pipe*`", "confidence"):
        assert form in description
