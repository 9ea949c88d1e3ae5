"""The app factory: routes, problem+json errors, offline docs, and the store's lifespan."""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Lifespan
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import __version__
from app.api.compression import GZipWithETags
from app.api.errors import install_error_handlers
from app.api.head import HeadAsGet
from app.api.limits import RateLimit, RequestBounds
from app.api.observability import (
    Metrics,
    Observe,
    RecordRoute,
    configure_access_log,
    multiprocess_dir,
)
from app.api.openapi import install_openapi
from app.api.routes import articles, changes, health, metrics, root, search, sections, write
from app.api.routes.health import Readiness
from app.api.security import DocsPage, DocsPolicy, HostGuard, ProblemCORS, SecurityHeaders
from app.config import Settings, get_settings
from app.store.base import Store, open_store
from app.watch import FolderWatcher

logger = logging.getLogger("app.api")

DESCRIPTION = (
    "Question-headed articles, one addressable and searchable section per question. "
    "Every error is `application/problem+json` (RFC 9457)."
)


# The HTML pages fastapi-offline serves, and what they need of their CSP (security.py)
DOCS_PAGES = {
    "/docs": DocsPage(),
    "/docs/oauth2-redirect": DocsPage(),
    "/redoc": DocsPage(runtime_styles=True, blob_workers=True),
}


def operation_id(route: APIRoute) -> str:
    """The endpoint function's name (e.g. `get_section`): stable ids for generated clients."""
    return route.name


async def app_settings(app: FastAPI) -> Settings:
    """The settings from get_settings, honouring a test's dependency override (sync or async)."""
    provider = app.dependency_overrides.get(get_settings, get_settings)
    provided = provider()
    settings: Settings = await provided if inspect.isawaitable(provided) else provided
    return settings


def check_store(store: Store) -> None:
    """Run the store's full integrity check; a damaged store fails /readyz and answers
    500 "store damaged" from then on."""
    try:
        damage = store.check_integrity(full=True)
    except Exception:
        logger.exception("the integrity check of the store failed")
        return
    if damage is not None:
        logger.error("the store is damaged (%s): run `article-qa rebuild`", damage)


def lifespan_for(given: Settings | None) -> Lifespan[FastAPI]:
    """Open the store at startup and start the folder's watcher thread, which syncs the
    articles folder (the server listens meanwhile: /readyz answers 503 until the sync is
    done) and then applies its changes; stop both at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        settings = given if given is not None else await app_settings(app)
        store = open_store(settings.db_location)
        writable = not store.read_only
        if not writable:
            logger.warning(
                "the store at %s is read-only: serving it as it is, without syncing or "
                "watching %s, and without writes",
                settings.db_location,
                settings.articles_dir,
            )
        watcher = FolderWatcher(
            store,
            settings.articles_dir,
            sync_first=settings.ingest_on_start and writable,
            watch=settings.watch and writable,
        )
        # The full integrity check reads every page: in the background, start-up stays fast.
        threading.Thread(target=check_store, args=(store,), daemon=True).start()
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
    resolved = settings if settings is not None else get_settings()
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
            {"name": "index", "description": "The API's name, version and links."},
            {"name": "articles", "description": "Articles and their sections."},
            {"name": "sections", "description": "Sections addressed by slug alone."},
            {"name": "search", "description": "Full-text search."},
            {"name": "changes", "description": "The feed of committed changes, for polling."},
            {"name": "health", "description": "Liveness and readiness probes."},
        ],
    )
    install_error_handlers(app)
    for module in (root, articles, sections, search, changes, health, metrics):
        app.include_router(module.router)
    # The write routes exist only with a token: without one, PUT and DELETE answer 405 and
    # the OpenAPI document does not offer them.
    if resolved.write_token is not None:
        app.include_router(write.router)
    install_openapi(app)
    app.state.metrics = Metrics(multiprocess_dir())
    configure_access_log(resolved.log_level)
    install_edge(app, resolved)
    return app


def install_edge(app: FastAPI, settings: Settings) -> None:
    """Wrap the whole app, its error handling included (so a 500 carries the request id and
    the security headers too), in these pure ASGI layers, outermost first:

    1. ProxyHeaders (only with ARTICLE_QA_FORWARDED_ALLOW_IPS): the client address and
       scheme from X-Forwarded-* of trusted proxies, before anything reads them.
    2. Observe: the request id, the access log and the metrics: it times and sees every
       answer, rejections included.
    3. SecurityHeaders: nosniff, Referrer-Policy, CSP on every answer below it.
    4. HostGuard: unknown Host names answered 400 before any work; no Host in a Location;
       then RequestBounds (414 and 431) and, when configured, RateLimit (429).
    5. CORS (only with ARTICLE_QA_CORS_ORIGINS): answers preflights; outside gzip, whose
       Vary it extends.
    6. HeadAsGet: HEAD runs GET and drops the body *outside* gzip, so a HEAD announces the
       Content-Encoding, Content-Length and ETag that GET sends.
    7. GZipWithETags: gzip over 1 kB, `-gzip` ETags.
    8. DocsPolicy: the docs pages' CSP, computed from their uncompressed HTML.
    then Starlette's ServerErrorMiddleware, RecordRoute (the route template, for 2.), the
    exception handlers and the router.
    """
    fixed, mounts = unreported_routes(app)
    app.add_middleware(RecordRoute, fixed=fixed, mounts=mounts)
    metrics_: Metrics = app.state.metrics
    build_inner = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        stack: ASGIApp = DocsPolicy(build_inner(), pages=DOCS_PAGES)
        stack = GZipWithETags(stack)
        stack = HeadAsGet(stack)
        if settings.cors_origins:
            writable = settings.write_token is not None
            stack = ProblemCORS(
                stack,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "HEAD", *(["PUT", "DELETE"] if writable else [])],
                allow_headers=[
                    "If-None-Match",
                    "X-Request-ID",
                    *(["Authorization", "Content-Type", "If-Match"] if writable else []),
                ],
                expose_headers=["ETag", "Link", "X-Request-ID", "Location", "Retry-After"],
            )
        if settings.rate_limit_per_minute:
            stack = RateLimit(
                stack,
                per_minute=settings.rate_limit_per_minute,
                burst=settings.rate_limit_burst,
            )
        stack = RequestBounds(stack)
        stack = HostGuard(
            stack,
            allowed_hosts=settings.trusted_hosts,
            public_base_url=settings.public_base_url,
        )
        stack = SecurityHeaders(stack, docs_paths=DOCS_PAGES)
        stack = Observe(stack, metrics=metrics_)
        if settings.forwarded_allow_ips:
            # uvicorn types its middleware with its own ASGI types; the protocol is the same
            proxied = ProxyHeadersMiddleware(cast(Any, stack), settings.forwarded_allow_ips)
            stack = cast(ASGIApp, proxied)
        return stack

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]


def unreported_routes(app: FastAPI) -> tuple[frozenset[str], tuple[str, ...]]:
    """Paths and mounts the router serves without reporting a route (/openapi.json, the
    docs assets): the metrics and the access log label them by the path, or `<mount>/{path}`."""
    fixed = frozenset(
        route.path for route in app.routes if isinstance(route, Route) and "{" not in route.path
    )
    mounts = tuple(route.path for route in app.routes if isinstance(route, Mount))
    return fixed, mounts
