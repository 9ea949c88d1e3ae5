"""The real `python -m app serve` process on a free port: what only a real server shows."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.conftest import SEED_SLUG, http_get, serving_seed


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_seed(tmp_path_factory.mktemp("served")) as base_url:
        yield base_url


def test_serves_a_section_by_slug(server: str) -> None:
    status, headers, body = http_get(f"{server}/sections/whats-the-status-of-iran-pakistan-ties")

    assert status == 200
    assert headers["content-type"] == "application/json"
    section = json.loads(body)
    assert section["heading"] == "What’s the status of Iran-Pakistan ties?"
    assert section["article_slug"] == SEED_SLUG
    assert section["body"].startswith("Raisi touched down in Islamabad on Monday")


def test_conditional_get_over_the_wire(server: str) -> None:
    url = f"{server}/articles/{SEED_SLUG}"
    _, headers, _ = http_get(url)

    status, _, body = http_get(url, {"If-None-Match": headers["etag"]})

    assert (status, body) == (304, b"")


def test_unknown_route_is_problem_json(server: str) -> None:
    status, headers, body = http_get(f"{server}/nope")

    assert status == 404
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 404


def test_healthz(server: str) -> None:
    assert http_get(f"{server}/healthz")[0] == 200
