"""The one Settings class: every option has a default and an ARTICLE_QA_* variable; the
command-line flags of `serve`, `ingest` and `search` override them."""

from __future__ import annotations

import ipaddress
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.parsing.slugs import SlugMode

LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]

DEFAULT_DB_NAME = "article-qa.db"
# Host headers answered when ARTICLE_QA_ALLOWED_HOSTS is unset (plus the configured host):
# the loopback names, and "testserver", the host of Starlette's in-process TestClient (not a
# name that resolves: it lets in-process tests and embedders call the app as it ships).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "testserver")

# A list setting from the environment: a JSON array or comma-separated (NoDecode: parsed by
# `_split_list` below, not as JSON by pydantic-settings, which would refuse `a,b`).
ListSetting = Annotated[list[str], NoDecode]


def _split_list(value: object) -> object:
    """`["a", "b"]` (JSON) or `a, b` (comma-separated) -> ["a", "b"]; blanks dropped."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    items = json.loads(text) if text.startswith("[") else text.split(",")
    if not isinstance(items, list):
        raise ValueError("expected a JSON array or comma-separated values")
    return [str(item).strip() for item in items if str(item).strip()]


def _host_pattern(pattern: str) -> str:
    """A Host header pattern: `*`, `*.example.com` or a name or IP (no port); lower case."""
    host = pattern.strip().lower().removesuffix(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]  # [::1] -> ::1, as Host headers are compared without brackets
    if host != "*" and ("*" in host[1:] or (host.startswith("*") and not host.startswith("*."))):
        raise ValueError(f"{pattern!r}: a wildcard must be `*` or like `*.example.com`")
    if not host or "/" in host or (":" in host and not _is_ip(host)):
        raise ValueError(f"{pattern!r}: give a host name or IP address, without port or path")
    return host


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class Settings(BaseSettings):
    """Runtime configuration; flags override the environment, which overrides the defaults."""

    model_config = SettingsConfigDict(env_prefix="ARTICLE_QA_", extra="ignore", frozen=True)

    host: str = Field(default="127.0.0.1", description="Interface `serve` listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="TCP port `serve` listens on.")
    data_dir: Path = Field(
        default=Path("data"), description="Holds articles/ and, by default, the SQLite file."
    )
    db: str | None = Field(
        default=None,
        description="SQLite file path; default <data_dir>/article-qa.db.",
    )
    log_level: LogLevel = Field(default="info", description="uvicorn and application log level.")
    ingest_on_start: bool = Field(
        default=True,
        description="`serve` syncs <data_dir>/articles into the store before answering.",
    )
    watch: bool = Field(
        default=True,
        description="`serve` watches <data_dir>/articles and applies every change to the store.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        description="Worker processes `serve` runs; only one of them syncs and watches the "
        "articles folder (app/leadership.py).",
    )
    threads: int = Field(
        default=8,
        ge=1,
        le=256,
        description="Threads per worker that run blocking work (searches, writes, readiness "
        "checks); each holds a store connection and its cache.",
    )
    cache_max_age: int = Field(
        default=60, ge=0, description="Seconds in Cache-Control: max-age of content responses."
    )
    write_token: SecretStr | None = Field(
        default=None,
        description="Bearer token of the write API (PUT and DELETE /articles/{slug}); "
        "unset: the API is read-only.",
    )
    max_article_bytes: int = Field(
        default=5_000_000,
        ge=1,
        description="Largest article body PUT /articles/{slug} accepts (413 above).",
    )
    cors_origins: ListSetting = Field(
        default_factory=list,
        description="Origins (`https://help.example.com`) whose pages may call the API from a "
        "browser (CORS), as a JSON array or comma-separated; `*` for any; empty: no CORS.",
    )
    allowed_hosts: Annotated[list[str] | None, NoDecode] = Field(
        default=None,
        description="Host header values answered (`api.example.com`, `*.example.com`, `*` for "
        "any), JSON array or comma-separated; others get 400. Unset: localhost, 127.0.0.1, "
        "::1 and `host`.",
    )
    forwarded_allow_ips: ListSetting = Field(
        default_factory=list,
        description="Proxies (IPs or networks, `*` for any) whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; empty: none.",
    )
    public_base_url: str | None = Field(
        default=None,
        description="The API's public URL (`https://api.example.com`); absolute links such "
        "as Location are made from it. Unset: links are relative.",
    )
    slugs: SlugMode = Field(
        default="ascii",
        description="`ascii`: slugs of lowercase ASCII words, non-Latin titles and headings "
        "transliterated by the rules of their language; `unicode`: the letters of every "
        "script kept (percent-encoded in URLs). Switching re-slugs stored articles on the "
        "next sync, with 301s from the old URLs.",
    )

    rate_limit_per_minute: int | None = Field(
        default=None,
        ge=1,
        description="Requests a minute each client address may make (429 beyond); "
        "unset: no limit. Behind a proxy, set ARTICLE_QA_FORWARDED_ALLOW_IPS so that clients "
        "are told apart.",
    )
    rate_limit_burst: int = Field(
        default=60, ge=1, description="Requests a client may make at once before the rate applies."
    )
    search_settings: Path | None = Field(
        default=None,
        description="A TOML file of search settings: synonyms, extra stop words, typo "
        "tolerance, highlight tags and snippet length (app/search/settings.py); read once at "
        "start. Unset: the built-in behaviour.",
    )

    @field_validator("search_settings", mode="before")
    @classmethod
    def _empty_path_is_none(cls, value: object) -> object:
        # ARTICLE_QA_SEARCH_SETTINGS= (empty) means no file, not the current folder.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_case_level(cls, value: object) -> object:
        # ARTICLE_QA_LOG_LEVEL=INFO is how people write it.
        return value.lower() if isinstance(value, str) else value

    @field_validator("write_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        # ARTICLE_QA_WRITE_TOKEN= (empty) leaves the API read-only rather than open to "".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        origins = _split_list(value)
        if not isinstance(origins, list):
            return origins
        checked = []
        for origin in origins:
            origin = str(origin).strip().rstrip("/")  # browsers send no trailing slash
            parts = urlsplit(origin)
            if origin != "*" and (
                parts.scheme not in {"http", "https"}
                or not parts.netloc
                or parts.path
                or parts.query
                or parts.fragment
            ):
                raise ValueError(f"{origin!r}: an origin is `*` or like https://example.com")
            checked.append(origin)
        return checked

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None  # ARTICLE_QA_ALLOWED_HOSTS= (empty): the defaults
        hosts = _split_list(value)
        return [_host_pattern(str(h)) for h in hosts] if isinstance(hosts, list) else hosts

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        proxies = _split_list(value)
        if not isinstance(proxies, list):
            return proxies
        for proxy in proxies:
            if proxy != "*":
                try:
                    ipaddress.ip_network(str(proxy), strict=False)
                except ValueError:
                    raise ValueError(f"{proxy!r}: not an IP address or network") from None
        return proxies

    @field_validator("public_base_url", mode="before")
    @classmethod
    def _base_url(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if not value.strip():
            return None
        url = value.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"{value!r}: give an absolute http(s) URL")
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r}: a base URL has no query or fragment")
        return url

    @property
    def trusted_hosts(self) -> list[str]:
        """The Host header patterns answered: `allowed_hosts`, else the local names and the
        configured host (0.0.0.0 in Docker: set ARTICLE_QA_ALLOWED_HOSTS to the names
        clients use)."""
        if self.allowed_hosts is not None:
            return self.allowed_hosts
        try:
            configured = [_host_pattern(self.host)]
        except ValueError:  # not a name a Host header can carry (serve fails to bind anyway)
            configured = []
        return list(dict.fromkeys([*LOCAL_HOSTS, *configured]))

    @property
    def articles_dir(self) -> Path:
        return self.data_dir / "articles"

    @property
    def db_location(self) -> str:
        """Where the store lives: the explicit `db`, else one SQLite file inside data_dir."""
        return self.db if self.db else str(self.data_dir / DEFAULT_DB_NAME)


def environment_of(settings: Settings) -> dict[str, str | None]:
    """The ARTICLE_QA_* variables from which `Settings()` in another process (a worker of
    `serve --workers N`) reads `settings` back; None: a variable to unset."""
    prefix = Settings.model_config.get("env_prefix", "")
    variables: dict[str, str | None] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value is None:
            text = None
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list):
            text = json.dumps(value)  # the list settings read JSON arrays (_split_list)
        else:
            text = str(value)
        variables[f"{prefix}{name}".upper()] = text
    return variables


def configure_logging(level: LogLevel) -> None:
    """The process's log lines at `level` (uvicorn sets up only its own loggers)."""
    python_level = "DEBUG" if level == "trace" else level.upper()
    logging.basicConfig(level=python_level, format="%(levelname)-9s %(name)s: %(message)s")


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment, read once per process.

    The app resolves it once at startup, honouring `app.dependency_overrides[get_settings]`,
    so tests can override it like any FastAPI dependency.
    """
    return Settings()
