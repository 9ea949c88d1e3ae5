"""The search settings file through every door (the app, each worker's app, the CLI) and the
per-request snippet parameters of GET /search, as the README shows them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.api.app import create_app_from_environment
from app.cli import main
from app.config import Settings, environment_of
from app.models import SearchResults
from app.search.settings import SearchSettingsError
from tests.conftest import REPO, make_settings, seeded_data_dir

EXAMPLE = REPO / "data" / "search-settings.example.toml"
README = (REPO / "README.md").read_text(encoding="utf-8")
TRUCE = "whats-the-ebrahim-raisi-agenda-of-the-trip"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_data_dir(tmp_path_factory.mktemp("seeded"))


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[TestClient]:
    settings = make_settings(data_dir, ingest_on_start=False, search_settings=EXAMPLE)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def search(client: TestClient, **params: str | int) -> SearchResults:
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    return SearchResults.model_validate_json(response.content)


# The README request of this section runs, as printed, in tests/test_readme_console.py.


def test_the_readme_shows_the_example_file_as_it_ships() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") in README


def test_a_synonym_finds_what_the_article_does_not_say(client: TestClient) -> None:
    results = search(client, q="truce")
    assert "truce" not in (REPO / "data" / "articles" / "raisi-visit-pakistan.txt").read_text()
    assert results.hits[0].section_slug == TRUCE
    assert "<mark>ceasefire</mark>" in results.hits[0].snippet
    assert results.corrections == []


def test_highlight_tags_and_crop_length_per_request(client: TestClient) -> None:
    for tag in ("mark", "em", "strong", "b"):
        hit = search(client, q="ceasefire", highlight_pre=f"<{tag}>", highlight_post=f"</{tag}>")
        assert f"<{tag}>ceasefire</{tag}>" in hit.hits[0].snippet
    short = search(client, q="ceasefire gaza", crop_length=40).hits[0]
    long = search(client, q="ceasefire gaza", crop_length=600).hits[0]
    assert len(short.text) <= 42 < 400 < len(long.text)
    # Only the allowed tags: everything else in the text stays escaped.
    snippet = search(client, q="ceasefire", highlight_pre="<b>", highlight_post="</b>").hits[0]
    assert re.sub(r"</?b>", "", snippet.snippet).count("<") == 0


def test_paging_keeps_the_snippet_parameters_and_the_cursor(client: TestClient) -> None:
    params: dict[str, str | int] = {
        "q": "truce",
        "limit": 1,
        "highlight_pre": "<em>",
        "highlight_post": "</em>",
    }
    first = client.get("/search", params={**params, "crop_length": 80})
    cursor = first.json()["next_cursor"]
    link = first.headers["link"].removeprefix("<").removesuffix('>; rel="next"')
    carried = parse_qs(urlsplit(link).query)
    assert carried["highlight_pre"] == ["<em>"] and carried["crop_length"] == ["80"]
    second = client.get(link)
    assert second.status_code == 200
    assert "<em>" in second.json()["hits"][0]["snippet"]
    # The snippet parameters do not bind the cursor: other tags, the same next page.
    other = client.get("/search", params={"q": "truce", "limit": 1, "cursor": cursor})
    assert other.status_code == 200
    assert other.json()["hits"][0]["url"] == second.json()["hits"][0]["url"]
    assert "<mark>" in other.json()["hits"][0]["snippet"]


def test_the_next_page_link_keeps_sort_and_facets(client: TestClient) -> None:
    first = client.get(
        "/search", params={"q": "pakistan", "limit": 1, "sort": "updated", "facets": "language"}
    )
    link = first.headers["link"].removeprefix("<").removesuffix('>; rel="next"')
    second = client.get(link)
    assert second.status_code == 200, second.text
    assert second.json()["offset"] == 1 and second.json()["facets"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        pytest.param({"highlight_pre": "<script>", "highlight_post": "</script>"}, "highlight_pre"),
        pytest.param({"highlight_pre": "<em onclick=x>"}, "highlight_pre"),
        pytest.param({"highlight_pre": "<em>"}, "highlight_post"),
        pytest.param({"highlight_post": "</em>"}, "highlight_pre"),
        pytest.param({"highlight_pre": "<em>", "highlight_post": "</b>"}, "highlight_post"),
        pytest.param({"crop_length": 0}, "crop_length"),
        pytest.param({"crop_length": 5000}, "crop_length"),
    ],
)
def test_bad_snippet_parameters_are_a_problem_naming_them(
    client: TestClient, params: dict[str, str | int], name: str
) -> None:
    response = client.get("/search", params={"q": "truce", **params})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert name in [error["name"] for error in response.json()["errors"]]


def test_the_readme_error_for_a_script_tag(client: TestClient) -> None:
    response = client.get("/search", params={"q": "x", "highlight_pre": "<script>"})
    assert {
        "in": "query",
        "name": "highlight_pre",
        "reason": "Input should be '<mark>', '<em>', '<strong>' or '<b>'",
    } in response.json()["errors"]


def test_each_worker_reads_the_file_from_the_environment(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `serve --workers N` hands its settings to the workers as variables (environment_of).
    settings = make_settings(data_dir, ingest_on_start=False, search_settings=EXAMPLE)
    variables = environment_of(settings)
    assert variables["ARTICLE_QA_SEARCH_SETTINGS"] == str(EXAMPLE)
    for name, value in variables.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert Settings().search_settings == EXAMPLE
    with TestClient(create_app_from_environment()) as worker:
        assert search(worker, q="truce").hits[0].section_slug == TRUCE


def test_no_file_is_the_built_in_behaviour(data_dir: Path) -> None:
    assert Settings(search_settings="").search_settings is None  # type: ignore[arg-type]
    with TestClient(create_app(make_settings(data_dir, ingest_on_start=False))) as plain:
        assert search(plain, q="truce").total == 0
        assert "<mark>" in search(plain, q="ceasefire").hits[0].snippet


def test_the_file_is_read_once_at_start(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "search.toml"
    path.write_text('[synonyms."*"]\ngroups = [["truce", "ceasefire"]]\n', encoding="utf-8")
    with TestClient(
        create_app(make_settings(data_dir, ingest_on_start=False, search_settings=path))
    ) as app:
        assert search(app, q="truce").total == 2
        path.write_text("", encoding="utf-8")  # a change applies at the next start
        assert search(app, q="truce").total == 2
    with TestClient(
        create_app(make_settings(data_dir, ingest_on_start=False, search_settings=path))
    ) as app:
        assert search(app, q="truce").total == 0


def test_an_app_with_a_bad_file_does_not_start(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "search.toml"
    bad.write_text("[typos]\nenable = false\n", encoding="utf-8")
    with pytest.raises(SearchSettingsError, match=r"typos\.enable: unknown key"):
        create_app(make_settings(data_dir, ingest_on_start=False, search_settings=bad))


def test_cli_search_uses_the_file(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["search", "truce", "--data-dir", str(data_dir), "--json"]
    assert main([*argv, "--search-settings", str(EXAMPLE)]) == 0
    found = SearchResults.model_validate_json(capsys.readouterr().out)
    assert found.hits[0].section_slug == TRUCE
    assert main(argv) == 0
    assert SearchResults.model_validate_json(capsys.readouterr().out).total == 0


@pytest.mark.parametrize("command", ["search", "serve"])
def test_cli_refuses_a_bad_file_in_one_line(
    command: str, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "search.toml"
    bad.write_text("[typos]\nenable = false\n", encoding="utf-8")
    argv = [command, *(["truce"] if command == "search" else ["--port", "0"])]
    code = main([*argv, "--data-dir", str(data_dir), "--search-settings", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"article-qa: invalid search settings: {bad}: typos.enable: unknown key\n"


def test_cli_reads_the_variable(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARTICLE_QA_SEARCH_SETTINGS", str(REPO / "no-such-file.toml"))
    assert main(["search", "truce", "--data-dir", str(data_dir)]) == 2
    assert "invalid search settings: cannot read" in capsys.readouterr().err
