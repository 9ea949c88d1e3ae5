"""compose.yaml keeps its promises: PostgreSQL, a one-shot ingest job, two API replicas that
neither sync nor watch a folder, and a reverse proxy spreading requests over both.

There is no Docker here: the file is checked for what each service runs and how the
services find each other; the replicas' behaviour on one PostgreSQL is tested with real
processes in tests/test_multiprocess.py.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from app.cli import build_parser
from app.config import Settings
from tests.conftest import REPO

COMPOSE = REPO / "compose.yaml"
NGINX = REPO / "deploy" / "nginx.conf"
REPLICAS = ("api-1", "api-2")


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    found: dict[str, dict[str, Any]] = document["services"]
    return found


def command(service: dict[str, Any]) -> list[str]:
    argv: list[str] = service["command"]
    assert argv[0] == "article-qa"
    return argv[1:]


def test_every_article_qa_command_is_one_the_cli_accepts(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in (*REPLICAS, "ingest"):
        build_parser().parse_args(command(services[name]))


def test_the_replicas_serve_one_postgresql_and_leave_the_folder_alone(
    services: dict[str, dict[str, Any]],
) -> None:
    postgres = services["postgres"]["environment"]
    for name in REPLICAS:
        replica = services[name]
        args = build_parser().parse_args(command(replica))
        assert args.command == "serve"
        assert "--no-sync" in replica["command"] and "--no-watch" in replica["command"]
        url = urlsplit(replica["environment"]["ARTICLE_QA_DB"])
        assert url.scheme == "postgresql" and url.hostname == "postgres"
        assert (url.username, url.password, url.path.lstrip("/")) == (
            postgres["POSTGRES_USER"],
            postgres["POSTGRES_PASSWORD"],
            postgres["POSTGRES_DB"],
        )
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert replica["depends_on"]["ingest"]["condition"] == "service_completed_successfully"


def test_the_ingest_job_writes_to_the_same_database(services: dict[str, dict[str, Any]]) -> None:
    ingest = services["ingest"]
    assert (
        ingest["environment"]["ARTICLE_QA_DB"] == services["api-1"]["environment"]["ARTICLE_QA_DB"]
    )
    assert build_parser().parse_args(command(ingest)).command == "ingest"


def test_the_proxy_spreads_requests_over_both_replicas_on_the_port_they_listen_on(
    services: dict[str, dict[str, Any]],
) -> None:
    config = NGINX.read_text(encoding="utf-8")
    upstream = re.search(r"upstream\s+\w+\s*\{(.*?)\}", config, re.DOTALL)
    assert upstream is not None
    servers = re.findall(r"server\s+([\w.-]+):(\d+)", upstream.group(1))
    # The image's port (Dockerfile ARTICLE_QA_PORT) is what every replica listens on.
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    port = re.search(r"ARTICLE_QA_PORT=(\d+)", dockerfile)
    assert port is not None
    assert sorted(servers) == [(name, port.group(1)) for name in REPLICAS]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["proxy"]["volumes"]
    listen = re.search(r"listen\s+(\d+);", config)
    assert listen is not None
    assert any(p.endswith(f":{listen.group(1)}") for p in services["proxy"]["ports"])


def test_the_replicas_settings_are_valid(services: dict[str, dict[str, Any]]) -> None:
    for name in REPLICAS:
        environment = services[name]["environment"]
        settings = Settings.model_validate(
            {key.removeprefix("ARTICLE_QA_").lower(): value for key, value in environment.items()}
        )
        assert settings.db_location.startswith("postgresql://")
