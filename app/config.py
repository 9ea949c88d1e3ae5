"""The one Settings class: every option has a default and an ARTICLE_QA_* variable; the
command-line flags of `serve`, `ingest` and `search` override them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]

DEFAULT_DB_NAME = "article-qa.db"


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

    @property
    def articles_dir(self) -> Path:
        return self.data_dir / "articles"

    @property
    def db_location(self) -> str:
        """Where the store lives: the explicit `db`, else one SQLite file inside data_dir."""
        return self.db if self.db else str(self.data_dir / DEFAULT_DB_NAME)


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment, read once per process.

    The app resolves it once at startup, honouring `app.dependency_overrides[get_settings]`,
    so tests can override it like any FastAPI dependency.
    """
    return Settings()
