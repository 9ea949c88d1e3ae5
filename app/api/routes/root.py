"""GET /: what this API is and where to go from here (its docs, its main collections, /ui)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, JsonValue
from starlette.responses import Response

from app import __version__
from app.api.deps import SettingsDep
from app.api.errors import problem_responses
from app.api.http import json_response

router = APIRouter(tags=["index"])

# Where everything is, under the server's root path; also the document's example.
INDEX_PATHS = {
    "docs": "/docs",
    "redoc": "/redoc",
    "openapi": "/openapi.json",
    "articles": "/articles",
    "search": "/search",
    "changes": "/changes",
    "ui": "/ui",
}
INDEX_EXAMPLE: dict[str, JsonValue] = {
    "name": "article-qa",
    "version": __version__,
    "links": dict(INDEX_PATHS),
}


class IndexLinks(BaseModel):
    """Where the docs and the main collections are (paths on this server)."""

    docs: str = Field(description="Interactive documentation (Swagger UI).")
    redoc: str = Field(description="Reference documentation (ReDoc).")
    openapi: str = Field(description="The OpenAPI document.")
    articles: str = Field(description="The list of articles.")
    search: str = Field(description="Full-text search over sections (`?q=`).")
    changes: str = Field(description="The feed of committed changes.")
    ui: str = Field(description="A page to look at: the articles, their outlines and search.")


class ApiIndex(BaseModel):
    """The API's name, version and links."""

    name: str
    version: str
    links: IndexLinks

    model_config = {"json_schema_extra": {"examples": [INDEX_EXAMPLE]}}


@router.get(
    "/",
    response_model=ApiIndex,
    summary="The API's name, version and links",
    responses=problem_responses(store=False, conditional=True),
)
async def get_index(request: Request, settings: SettingsDep) -> Response:
    root = request.scope.get("root_path", "").rstrip("/")
    links = IndexLinks(**{name: f"{root}{path}" for name, path in INDEX_PATHS.items()})
    index = ApiIndex(name=request.app.title, version=request.app.version, links=links)
    return json_response(request, index, max_age=settings.cache_max_age)
