"""The app's edge: the pure ASGI layers around FastAPI, as few as the order of the checks
allows (every layer costs an await per call and per message sent), and a way past FastAPI's
routing for the busiest GET routes.

Outermost first (app.py install_edge builds the stack):

1. ProxyHeaders, only with ARTICLE_QA_FORWARDED_ALLOW_IPS (uvicorn's).
2. Front: the request id; the Host check (400), then the URL and header bounds (414, 431);
   the hardening headers and links never made from the Host on every answer; the metrics
   and one access-log line per request, rejections included.
3. RateLimit (429) and CORS, each only when configured.
4. compression.Representation: HEAD as GET, gzip with ETags per encoding.
5. Dispatch: the docs pages to security.DocsPolicy (their CSP), the hot GET routes to their
   endpoint directly (HotRoute), everything else to FastAPI.
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from annotated_types import MaxLen, MinLen
from fastapi import FastAPI, params
from starlette.convertors import StringConvertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.limits import bounds_refusal
from app.api.observability import (
    REQUEST_ID_HEADER,
    REQUEST_ID_KEY,
    REQUEST_INFO_KEY,
    Metrics,
    RequestInfo,
    kept_request_id,
    new_request_id,
    observe_request,
    request_id_var,
)
from app.api.security import HostPolicy, security_headers

Endpoint = Callable[..., Awaitable[Response]]
ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


class Front:
    """Per request: one pass over the headers (the request id, the Host, their size), the
    refusals that need no route, and one wrapper of `send` adding the id and the hardening
    headers and keeping the Host out of links; when the answer is done, its metrics and its
    access line."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        hosts: HostPolicy,
        docs_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.hosts = hosts
        self.docs_paths = frozenset(docs_paths)
        self.api_headers = security_headers(docs_page=False)
        self.docs_headers = security_headers(docs_page=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id: str | None = None
        id_seen = False
        host: bytes | None = None
        header_bytes = 0
        for name, value in scope["headers"]:
            header_bytes += len(name) + len(value)
            if name == b"host":
                if host is None:
                    host = value
            elif name == REQUEST_ID_HEADER and not id_seen:
                id_seen = True  # only the first counts, well formed or not
                request_id = kept_request_id(value)
        if request_id is None:
            request_id = new_request_id()
        info = RequestInfo()
        scope[REQUEST_ID_KEY] = request_id
        scope[REQUEST_INFO_KEY] = info
        token = request_id_var.set(request_id)
        docs_page = scope["path"] in self.docs_paths
        added = [
            *(self.docs_headers if docs_page else self.api_headers),
            (REQUEST_ID_HEADER, request_id.encode("ascii")),
        ]
        hosts = self.hosts
        status = 500  # what the client gets when the app fails before answering

        async def send_front(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.get("headers", ())
                if hosts.rewrites(status):
                    headers = hosts.links(headers)
                message["headers"] = [*headers, *added]
            await send(message)

        try:
            verdict = hosts.verdict(host or b"")
            refusal = (
                hosts.refusal(scope, known=verdict is not None)
                if not verdict
                else bounds_refusal(scope, header_bytes)
            )
            await (refusal or self.app)(scope, receive, send_front)
        finally:
            request_id_var.reset(token)
            seconds = time.perf_counter() - start
            observe_request(self.metrics, scope["method"], info.route, status, seconds, request_id)


class Dispatch:
    """Innermost of the edge: the docs pages through `docs` (their CSP), the `hot` routes'
    GETs answered by their endpoint without FastAPI's routing and dependency solving, all
    else by FastAPI (`app`, whose dependency overrides and exception handlers it honours)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        fastapi: FastAPI,
        docs: ASGIApp,
        docs_paths: Iterable[str],
        hot: Sequence[HotRoute] = (),
    ) -> None:
        self.app = app
        self.fastapi = fastapi
        self.docs = docs
        self.docs_paths = frozenset(docs_paths)
        self.hot = tuple(hot)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path in self.docs_paths:
                await self.docs(scope, receive, send)
                return
            # Not with overrides (a test's fault injection: FastAPI resolves them) nor under a
            # root path (FastAPI routes what follows it)
            if (
                scope["method"] == "GET"
                and not scope.get("root_path")
                and not self.fastapi.dependency_overrides
            ):
                for route in self.hot:
                    match = route.pattern.match(path)
                    if match is None:
                        continue
                    handlers = self.fastapi.exception_handlers
                    response = await route.respond(scope, match.groupdict(), handlers)
                    if response is None:
                        break
                    info = scope.get(REQUEST_INFO_KEY)
                    if isinstance(info, RequestInfo):
                        info.route = route.template
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class HotRoute:
    """A GET route the edge answers by calling its endpoint itself: what FastAPI would do for
    an endpoint taking only its path's strings (bounded in length at most), the request, and
    dependencies of the request alone, and returning a Response. Whatever else (a parameter
    out of bounds, an error no exception handler takes) FastAPI answers, from the start.

    The route must be the one FastAPI picks for every path `template` matches: no route
    registered before it may match those paths (tests/test_api_hot_routes.py checks)."""

    template: str
    pattern: re.Pattern[str]
    endpoint: Endpoint
    request_param: str | None
    dependencies: tuple[tuple[str, Callable[[Request], Awaitable[Any]]], ...]
    lengths: Mapping[str, tuple[int, int | None]]  # path parameter: (min, max) characters

    @classmethod
    def of(cls, template: str, endpoint: Endpoint) -> HotRoute:
        """The hot route of `endpoint`, declared at `template`; TypeError when its signature
        asks for more than the edge provides."""
        pattern, _, convertors = compile_path(template)
        if not inspect.iscoroutinefunction(endpoint) or not all(
            isinstance(convertor, StringConvertor) for convertor in convertors.values()
        ):
            raise TypeError(f"{template}: only async endpoints of str path parameters")
        try:
            hints = get_type_hints(endpoint, include_extras=True)
        except NameError as unresolved:
            raise TypeError(f"{template}: {unresolved}") from unresolved
        request_param = None
        dependencies = []
        lengths = {}
        for name in inspect.signature(endpoint).parameters:
            hint = hints.get(name)
            if hint is Request:
                request_param = name
            elif name in convertors:
                lengths[name] = string_bounds(template, name, hint)
            else:
                dependencies.append((name, request_dependency(template, name, hint)))
        if set(lengths) != set(convertors):
            raise TypeError(f"{template}: the endpoint must take every path parameter")
        return cls(template, pattern, endpoint, request_param, tuple(dependencies), lengths)

    async def respond(
        self,
        scope: Scope,
        path_params: dict[str, str],
        exception_handlers: Mapping[Any, Callable[..., Any]],
    ) -> Response | None:
        """The endpoint's answer, or the exception handler's for what it raised; None when
        FastAPI must answer."""
        if scope.get("query_string"):
            return None  # hot routes take no query parameter: FastAPI's 422 names it
        for name, value in path_params.items():
            shortest, longest = self.lengths[name]
            if len(value) < shortest or (longest is not None and len(value) > longest):
                return None  # FastAPI's 422
        request = Request(scope)
        arguments: dict[str, Any] = dict(path_params)
        if self.request_param is not None:
            arguments[self.request_param] = request
        try:
            for name, dependency in self.dependencies:
                arguments[name] = await dependency(request)
            response = await self.endpoint(**arguments)
        except Exception as exc:
            handler = exception_handler(exception_handlers, exc)
            if handler is None:
                return None
            try:
                response = await handler(request, exc)
            except Exception:
                return None
        return response if isinstance(response, Response) else None


def string_bounds(template: str, name: str, hint: Any) -> tuple[int, int | None]:
    """(min, max) length of a path parameter declared `str`, or `Annotated[str, Path(...)]`
    with no other constraint than its length."""
    shortest, longest = 0, None
    if hint is str:
        return shortest, longest
    if get_origin(hint) is not Annotated or get_args(hint)[0] is not str:
        raise TypeError(f"{template}: {name} must be a str, or Annotated[str, Path(...)]")
    for meta in get_args(hint)[1:]:
        if not isinstance(meta, params.Path) or meta.alias or meta.validation_alias:
            raise TypeError(f"{template}: {name} may carry only Path(...)")
        for constraint in meta.metadata:
            if isinstance(constraint, MaxLen):
                longest = constraint.max_length
            elif isinstance(constraint, MinLen):
                shortest = constraint.min_length
            else:
                raise TypeError(f"{template}: {name} may be bounded in length only")
    return shortest, longest


def request_dependency(template: str, name: str, hint: Any) -> Callable[[Request], Awaitable[Any]]:
    """The function of `Annotated[T, Depends(f)]` where f is `async def f(request: Request)`."""
    depends = [meta for meta in get_args(hint)[1:] if type(meta) is params.Depends]
    if get_origin(hint) is not Annotated or len(depends) != 1:
        raise TypeError(
            f"{template}: {name} is neither the request, a path parameter nor a dependency"
        )
    dependency = depends[0].dependency
    if (
        dependency is None
        or not inspect.iscoroutinefunction(dependency)
        or list(get_type_hints(dependency).values())[:-1] != [Request]
        or len(inspect.signature(dependency).parameters) != 1
    ):
        raise TypeError(f"{template}: {name} must depend on the request alone, asynchronously")
    function: Callable[[Request], Awaitable[Any]] = dependency
    return function


def exception_handler(
    handlers: Mapping[Any, Callable[..., Any]], exc: Exception
) -> ExceptionHandler | None:
    """The handler Starlette's ExceptionMiddleware would call for `exc` (by status for an
    HTTPException, else the closest class); None for those left to ServerErrorMiddleware
    (Exception, 500) or run in the threadpool (sync handlers)."""
    handler = None
    if isinstance(exc, HTTPException) and exc.status_code != 500:
        handler = handlers.get(exc.status_code)
    if handler is None:
        for cls in type(exc).__mro__:
            if cls is Exception:
                break
            if cls in handlers:
                handler = handlers[cls]
                break
    if handler is None or not inspect.iscoroutinefunction(handler):
        return None
    found: ExceptionHandler = handler
    return found
