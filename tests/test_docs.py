"""The README documents every command, flag, route and setting (sqlite-utils' habit)."""

from __future__ import annotations

import argparse
import os
import re

import pytest
from pydantic import SecretStr

from app.api import create_app
from app.cli import build_parser
from app.config import Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def routes() -> list[str]:
    # The OpenAPI paths: included routers are not flattened into app.routes in FastAPI 0.16x
    return sorted(create_app().openapi()["paths"])


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_every_command_is_documented(command: str) -> None:
    assert f"article-qa {command}" in README


@pytest.mark.parametrize(
    ("command", "flag"),
    [
        pytest.param(command, option, id=f"{command}{option}")
        for command, parser in sorted(subcommands().items())
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    ],
)
def test_every_flag_is_documented(command: str, flag: str) -> None:
    assert re.search(rf"{re.escape(flag)}\b", README), f"{command} {flag} not in README"


@pytest.mark.parametrize("path", routes())
def test_every_route_is_documented(path: str) -> None:
    assert f"GET {path}" in README


def write_routes() -> list[str]:
    """The routes only a write token mounts, as "METHOD /path"."""
    paths = create_app(Settings(write_token=SecretStr("documented"))).openapi()["paths"]
    return sorted(
        f"{method.upper()} {path}"
        for path, item in paths.items()
        for method in item
        if method not in {"get", "head"}
    )


def test_there_are_write_routes() -> None:
    assert write_routes() == ["DELETE /articles/{article_slug}", "PUT /articles/{article_slug}"]


@pytest.mark.parametrize("route", write_routes())
def test_every_write_route_is_documented(route: str) -> None:
    assert route in README


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"ARTICLE_QA_{name.upper()}" in README


@pytest.mark.parametrize("script", ["scripts/run", "scripts/test", ".ci/run"])
def test_quick_start_scripts_exist_and_run(script: str) -> None:
    path = REPO / script
    assert path.is_file()
    assert os.access(path, os.X_OK), f"{script} is not executable"
    assert path.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")

    assert "./scripts/test" in README
    assert "./scripts/run" in README
    assert "set -euo pipefail" in ci
    assert re.search(r"^\./scripts/test\b", ci, re.MULTILINE)


def test_changelog_has_an_unreleased_section() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")

    assert "## Unreleased" in changelog
