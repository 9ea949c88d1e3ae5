"""The app factory: routes, problem+json errors, offline docs, and the store's lifespan."""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from anyio import to_thread
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Lifespan
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import __version__
from app.api.compression import Representation
from app.api.edge import Dispatch, Front, HotRoute
from app.api.errors import install_error_handlers
from app.api.limits import RateLimit
from app.api.observability import Metrics, RecordRoute, configure_access_log, multiprocess_dir
from app.api.openapi import install_openapi
from app.api.params import reject_unknown_parameters
from app.api.routes import articles, changes, health, metrics, root, search, sections, ui, write
from app.api.routes.health import Readiness
from app.api.security import DocsPage, DocsPolicy, HostPolicy, ProblemCORS
from app.config import Settings, configure_logging, get_settings
from app.errors import ArticleQAError
from app.leadership import leadership_for
from app.memory import give_back_free_memory, keep_memory_flat
from app.search.settings import SearchSettings, load_search_settings
from app.store.base import Store, open_store
from app.watch import LeaderWatcher

logger = logging.getLogger("app.api")

DESCRIPTION = (
    "Question-headed articles, one addressable and searchable section per question. "
    "Every error is `application/problem+json` (RFC 9457)."
)


# The HTML pages fastapi-offline serves, and /ui, and what they need of their CSP (security.py)
DOCS_PAGES = {
    "/docs": DocsPage(),
    "/docs/oauth2-redirect": DocsPage(),
    "/redoc": DocsPage(runtime_styles=True, blob_workers=True),
    ui.PAGE_PATH: DocsPage(),
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


def warm_up(store: Store) -> None:
    """Read the search index view ahead of the first search (see Store.warm_up)."""
    started = time.monotonic()
    try:
        store.warm_up()
    except ArticleQAError as error:  # the first search says so again, as a problem
        logger.warning("the search index could not be read at start-up: %s", error)
        return
    give_back_free_memory()  # the rows read to build it are garbage now
    logger.info("search index in memory after %.1f s", time.monotonic() - started)


def lifespan_for(
    given: Settings | None, search_settings: SearchSettings | None = None
) -> Lifespan[FastAPI]:
    """Open the store at startup and, in the one process leading those that serve it (see
    app/leadership.py), start the folder's watcher thread, which syncs the articles folder
    (the server listens meanwhile: /readyz answers 503 until the sync is done) and then
    applies its changes; the other processes serve the store as it is and take over if the
    leader goes. Stop all of it at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        settings = given if given is not None else await app_settings(app)
        # Read once per process (each worker of `serve --workers N` reads the file itself).
        searching = (
            search_settings
            if search_settings is not None
            else load_search_settings(settings.search_settings)
        )
        store = open_store(settings.db_location, slugs=settings.slugs)
        writable = not store.read_only
        if not writable:
            logger.warning(
                "the store at %s is read-only: serving it as it is, without syncing or "
                "watching %s, and without writes",
                settings.db_location,
                settings.articles_dir,
            )
        watcher = LeaderWatcher(
            store,
            settings.articles_dir,
            leadership_for(settings),
            sync_first=settings.ingest_on_start and writable,
            watch=settings.watch and writable,
        )
        # The full integrity check reads every page: in the background, start-up stays fast.
        threading.Thread(target=check_store, args=(store,), daemon=True).start()
        # So is reading the search index into memory: the first searches wait for it, the
        # other requests do not.
        threading.Thread(target=warm_up, args=(store,), name="index-warm-up", daemon=True).start()
        # Blocking routes run on anyio's default thread limiter: 40 threads, each with its
        # own store connection and page cache (2-3 MB each), where a worker bound by one
        # GIL gains nothing past a few.
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        try:
            watcher.start()
            # Lifespan state: requests read it as request.state.store / .settings (deps.py).
            # Resolved once here, not per request: a per-request dependency override makes
            # FastAPI re-inspect the override's signature on every call.
            yield {
                "store": store,
                "settings": settings,
                "search_settings": searching,
                "readiness": Readiness(first_sync=watcher.first_sync_done),
            }
        finally:
            watcher.stop()  # before the store closes under it
            store.close()

    return lifespan


def create_app_from_environment() -> FastAPI:
    """The app of one worker of `serve --workers N` (uvicorn's factory: `serve` hands its
    settings to the workers as ARTICLE_QA_* variables, config.environment_of)."""
    settings = Settings()
    configure_logging(settings.log_level)  # a spawned worker starts with no log setup
    keep_memory_flat()
    return create_app(settings)


def create_app(
    settings: Settings | None = None, *, search_settings: SearchSettings | None = None
) -> FastAPI:
    """A new app; `settings` (else get_settings: the environment) decides the store and the
    articles folder; `search_settings`, when the caller read them already, its search file."""
    resolved = settings if settings is not None else get_settings()
    # Given settings are final: a bad search settings file fails here, before serving.
    preloaded = search_settings
    if preloaded is None and settings is not None:
        preloaded = load_search_settings(settings.search_settings)
    app = FastAPIOffline(
        title="article-qa",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan_for(settings, preloaded),
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
    # Routes that take parameters refuse those they do not know; permalinks (an article, a
    # section) ignore a query string, which shared links carry (utm_source) and redirects
    # pass along.
    strict = [Depends(reject_unknown_parameters)]
    for module in (root, articles, sections, health, metrics, ui):
        app.include_router(module.router)
    for module in (search, changes):
        app.include_router(module.router, dependencies=strict)
    # The write routes exist only with a token: without one, PUT and DELETE answer 405 and
    # the OpenAPI document does not offer them.
    if resolved.write_token is not None:
        app.include_router(write.router, dependencies=strict)
    install_openapi(app)
    app.state.metrics = Metrics(multiprocess_dir())
    configure_access_log(resolved.log_level)
    install_edge(app, resolved)
    return app


def install_edge(app: FastAPI, settings: Settings) -> None:
    """Wrap the whole app, its error handling included (so a 500 carries the request id and
    the security headers too), in the pure ASGI layers of edge.py, outermost first:
    ProxyHeaders (only with ARTICLE_QA_FORWARDED_ALLOW_IPS), Front (request id, Host check,
    bounds, hardening headers, access log and metrics), RateLimit and CORS (only when
    configured), Representation (HEAD, gzip with ETags), Dispatch (the docs pages' CSP, the
    hot GET routes); then Starlette's ServerErrorMiddleware, RecordRoute (the route template,
    for Front), the exception handlers and the router.
    """
    fixed, mounts = unreported_routes(app)
    app.add_middleware(RecordRoute, fixed=fixed, mounts=mounts)
    metrics_: Metrics = app.state.metrics
    hot = hot_routes()
    build_inner = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        inner = build_inner()
        stack: ASGIApp = Dispatch(
            inner,
            fastapi=app,
            docs=DocsPolicy(inner, pages=DOCS_PAGES),
            docs_paths=DOCS_PAGES,
            hot=hot,
        )
        stack = Representation(stack)
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
        hosts = HostPolicy(
            allowed_hosts=settings.trusted_hosts, public_base_url=settings.public_base_url
        )
        stack = Front(stack, metrics=metrics_, hosts=hosts, docs_paths=DOCS_PAGES)
        if settings.forwarded_allow_ips:
            # uvicorn types its middleware with its own ASGI types; the protocol is the same
            proxied = ProxyHeadersMiddleware(cast(Any, stack), settings.forwarded_allow_ips)
            stack = cast(ASGIApp, proxied)
        return stack

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]


# The busiest GET routes, which the edge answers by calling their endpoint (edge.HotRoute):
# FastAPI's routing and dependency solving cost more than the lookup itself. Tried in this
# order: sections first, the most asked for.
HOT_ENDPOINTS = (
    articles.get_article_section,
    sections.get_section,
    articles.get_article,
    articles.list_article_sections,
)


def hot_routes() -> list[HotRoute]:
    """HOT_ENDPOINTS at the paths their routers declare (included without a prefix)."""
    declared = {
        route.endpoint: route.path
        for router in (articles.router, sections.router)
        for route in router.routes
        if isinstance(route, APIRoute)
    }
    return [HotRoute.of(declared[endpoint], endpoint) for endpoint in HOT_ENDPOINTS]


def unreported_routes(app: FastAPI) -> tuple[frozenset[str], tuple[str, ...]]:
    """Paths and mounts the router serves without reporting a route (/openapi.json, the
    docs assets): the metrics and the access log label them by the path, or `<mount>/{path}`."""
    fixed = frozenset(
        route.path for route in app.routes if isinstance(route, Route) and "{" not in route.path
    )
    mounts = tuple(route.path for route in app.routes if isinstance(route, Mount))
    return fixed, mounts
