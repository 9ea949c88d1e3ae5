"""The OpenAPI document, with error responses declared as application/problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api.errors import PROBLEM_MEDIA_TYPE


def problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Move each 4xx/5xx body schema from application/json to application/problem+json.

    FastAPI documents a `responses={...: {"model": Problem}}` entry as application/json; the
    server actually answers problem+json, and the document should say so.
    """
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[:1] in {"4", "5"} and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_media_types(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
