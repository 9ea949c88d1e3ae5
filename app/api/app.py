"""The app factory: routes, problem+json errors, offline docs, and the store's lifespan."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.types import Lifespan

from app import __version__
from app.api.errors import install_error_handlers
from app.api.head import HeadAsGet
from app.api.openapi import install_openapi
from app.api.routes import articles, changes, health, search, sections, write
from app.api.routes.health import Readiness
from app.config import Settings, get_settings
from app.store.base import open_store
from app.watch import FolderWatcher

logger = logging.getLogger("app.api")

DESCRIPTION = (
    "Question-headed articles, one addressable and searchable section per question. "
    "Every error is `application/problem+json` (RFC 9457)."
)


def operation_id(route: APIRoute) -> str:
    """The endpoint function's name (e.g. `get_section`): stable ids for generated clients."""
    return route.name


async def app_settings(app: FastAPI) -> Settings:
    """The settings from get_settings, honouring a test's dependency override (sync or async)."""
    provider = app.dependency_overrides.get(get_settings, get_settings)
    provided = provider()
    settings: Settings = await provided if inspect.isawaitable(provided) else provided
    return settings


def lifespan_for(given: Settings | None) -> Lifespan[FastAPI]:
    """Open the store at startup and start the folder's watcher thread, which syncs the
    articles folder (the server listens meanwhile: /readyz answers 503 until the sync is
    done) and then applies its changes; stop both at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        settings = given if given is not None else await app_settings(app)
        store = open_store(settings.db_location)
        watcher = FolderWatcher(
            store, settings.articles_dir, sync_first=settings.ingest_on_start, watch=settings.watch
        )
        try:
            watcher.start()
            # Lifespan state: requests read it as request.state.store / .settings (deps.py).
            # Resolved once here, not per request: a per-request dependency override makes
            # FastAPI re-inspect the override's signature on every call.
            yield {
                "store": store,
                "settings": settings,
                "readiness": Readiness(first_sync=watcher.first_sync_done),
            }
        finally:
            watcher.stop()  # before the store closes under it
            store.close()

    return lifespan


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app; `settings` (else get_settings: the environment) decides the store and the
    articles folder."""
    app = FastAPIOffline(
        title="article-qa",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan_for(settings),
        generate_unique_id_function=operation_id,
        swagger_ui_parameters={
            # Show each operation's id in /docs: the names generated clients will use
            "displayOperationId": True,
            # No badge fetched from validator.swagger.io: the docs must work offline
            "validatorUrl": None,
        },
        openapi_tags=[
            {"name": "articles", "description": "Articles and their sections."},
            {"name": "sections", "description": "Sections addressed by slug alone."},
            {"name": "search", "description": "Full-text search."},
            {"name": "changes", "description": "The feed of committed changes, for polling."},
            {"name": "health", "description": "Liveness and readiness probes."},
        ],
    )
    install_error_handlers(app)
    for module in (articles, sections, search, changes, health):
        app.include_router(module.router)
    # The write routes exist only with a token: without one, PUT and DELETE answer 405 and
    # the OpenAPI document does not offer them.
    if (settings if settings is not None else get_settings()).write_token is not None:
        app.include_router(write.router)
    install_openapi(app)
    app.add_middleware(HeadAsGet)
    return app
