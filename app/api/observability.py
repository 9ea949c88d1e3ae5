"""Request ids, one JSON access-log line per request, and Prometheus metrics.

The outermost layer of the app (edge.Front) gives every request its id, and when the answer
is done calls `observe_request`: two metric updates on cached label children and, when
`app.access` logs INFO, one access line. Lines go out through `AccessLines`, which writes
those finished on one turn of the event loop together, in one write.

Metrics are labelled by method, route template (`/sections/{section_slug}`, never the raw
path) and status class, so their cardinality is fixed by the app's routes. With several
worker processes set PROMETHEUS_MULTIPROC_DIR (an empty folder, the same for every worker,
set before the processes start): prometheus-client then keeps each process's values in
files there, and /metrics, whichever worker answers it, adds them up.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TextIO

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
# What an incoming X-Request-ID must look like to be kept (else a new one is made): bounded,
# and safe to put in a header, a log line or a JSON body as it is.
REQUEST_ID_PATTERN = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
# Where the request's id lives in the ASGI scope (errors.problem_response reads it there).
REQUEST_ID_KEY = "article_qa.request_id"
# The per-request record inner layers fill in (the route template, see RecordRoute).
REQUEST_INFO_KEY = "article_qa.request_info"
UNMATCHED = "<unmatched>"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

access_logger = logging.getLogger("app.access")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_of(scope: Scope) -> str | None:
    """The id of the request `scope` belongs to (None outside the app's middleware)."""
    value = scope.get(REQUEST_ID_KEY)
    return value if isinstance(value, str) else None


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id` attribute (`-` outside a request), for formats such
    as `%(levelname)s %(name)s [%(request_id)s]: %(message)s`; attach it to a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


# Lines held at most before they are written, whatever the event loop is doing
MAX_PENDING_LINES = 256


class AccessLines(logging.StreamHandler[TextIO]):
    """Writes each record's message, as it is, as one line. Lines logged on a thread running
    an event loop are held until the loop has run the callbacks that were ready (under load,
    every answer of that turn), then written together: one write instead of one per request,
    still within the same turn of the loop. Elsewhere, at once. Nothing held is lost: close()
    and logging's exit handler flush."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.pending: list[str] = []

    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.add(self.format(record))
        except Exception:
            self.handleError(record)

    def add(self, line: str) -> None:
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            self.pending.append(line)
            waiting = len(self.pending)
        if waiting == 1:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self.flush()
                return
            loop.call_soon(self.flush)
        elif waiting >= MAX_PENDING_LINES:
            self.flush()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if self.pending:
                lines, self.pending = self.pending, []
                try:
                    self.stream.write("\n".join(lines) + "\n")
                except Exception:
                    # As emit() would report it: logging.raiseExceptions decides
                    self.handleError(logging.makeLogRecord({"msg": lines[0]}))
            super().flush()


def configure_access_log(level: str) -> None:
    """`app.access` writes bare JSON lines to stdout (replacing uvicorn's access log) unless
    the embedding program gave it a handler; off when the log level is above info."""
    if not access_logger.handlers:
        access_logger.addHandler(AccessLines(sys.stdout))
        access_logger.propagate = False
    numeric = logging.getLevelName(level.upper()) if level != "trace" else logging.DEBUG
    access_logger.setLevel(max(logging.INFO, numeric if isinstance(numeric, int) else 0))


@dataclass(slots=True)
class RequestInfo:
    """Filled in by the inner layers of one request; read by edge.Front when it ends."""

    route: str | None = None


class Metrics:
    """The request counter and latency histogram, and the registry /metrics exposes.

    One per app: in a single process its own registry (tests and several apps in a process
    do not mix). With PROMETHEUS_MULTIPROC_DIR the values go to that folder's files (where
    prometheus-client puts every metric when the variable is set before it is imported) and
    the registry reads them all back.
    """

    def __init__(self, multiprocess_dir: str | None = None) -> None:
        self.registry = CollectorRegistry()
        self.multiprocess = bool(multiprocess_dir)
        target = None if self.multiprocess else self.registry
        labels = ("method", "route", "status")
        self.requests = Counter(
            "article_qa_http_requests",
            "HTTP requests answered, by method, route template and status class.",
            labels,
            registry=target,
        )
        self.latency = Histogram(
            "article_qa_http_request_duration_seconds",
            "Time from request to the end of the response, by method, route and status class.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=target,
        )
        if multiprocess_dir:
            MultiProcessCollector(self.registry, path=multiprocess_dir)  # type: ignore[no-untyped-call]
        # Label children cached by key: .labels() takes a lock and builds a tuple each call.
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, f"{status // 100}xx")
        children = self._children.get(key)
        if children is None:
            children = (self.requests.labels(*key), self.latency.labels(*key))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def exposition(self, accept: str, extra: Iterable[Metric] = ()) -> tuple[bytes, str]:
        """The scrape body in the format `accept` asks for, and its media type."""
        encoder, media_type = choose_encoder(accept)
        return encoder(_Scrape(self.registry, list(extra))), media_type


@dataclass(frozen=True)
class _Scrape(Collector):
    """The registry plus metrics computed for this scrape (e.g. from the store)."""

    registry: CollectorRegistry
    extra: list[Metric] = field(default_factory=list)

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()
        yield from self.extra


def articles_gauge(count: int) -> Metric:
    gauge = GaugeMetricFamily("article_qa_articles", "Articles in the store.")
    gauge.add_metric([], count)
    return gauge


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def observe_request(
    metrics: Metrics, method: str, route: str | None, status: int, seconds: float, request_id: str
) -> None:
    """The metrics and the access line of one answered request."""
    route = route or UNMATCHED
    metrics.observe(method if method in METHODS else "other", route, status, seconds)
    if access_logger.isEnabledFor(logging.INFO):
        log_access(access_line(method, route, status, seconds, request_id))


def log_access(line: str) -> None:
    handlers = access_logger.handlers
    if (
        len(handlers) == 1
        and type(handler := handlers[0]) is AccessLines
        and handler.level <= logging.INFO
        and not handler.filters
        and not access_logger.filters
        and not access_logger.propagate
    ):
        # Only the default handler, which writes the message as it is: no LogRecord needed
        handler.add(line)
        return
    # makeRecord + handle: what .info() does, less its walk up the stack for the caller's
    # file and line, which an access line has no use for
    record = access_logger.makeRecord(access_logger.name, logging.INFO, "", 0, line, (), None)
    access_logger.handle(record)


@lru_cache(maxsize=256)
def _json_string(text: str) -> str:
    return json.dumps(text)


def access_line(method: str, route: str, status: int, seconds: float, request_id: str) -> str:
    """The access log's JSON object, formatted directly (a quarter of json.dumps' cost): the
    request id is checked or made safe, method and route are JSON-encoded (cached: routes
    are few, and methods outside the usual ones are encoded each time)."""
    encoded_method = _json_string(method) if method in METHODS else json.dumps(method)
    return (
        f'{{"method":{encoded_method},"route":{_json_string(route)},"status":{status},'
        f'"latency_ms":{seconds * 1000:.3f},"request_id":"{request_id}"}}'
    )


def kept_request_id(value: bytes) -> str | None:
    """A client's X-Request-ID, when it is well formed."""
    return value.decode("ascii") if REQUEST_ID_PATTERN.fullmatch(value) else None


# Request ids made at once from one read of the system's random source: a read per request
# (a system call) cost more than the rest of making an id
IDS_PER_READ = 64
_fresh_ids: list[str] = []


def new_request_id() -> str:
    """A random (version 4) UUID as 32 hex digits, as uuid.uuid4().hex, without a UUID
    object or a system call per id."""
    try:
        return _fresh_ids.pop()  # atomic: no two callers get the same id
    except IndexError:
        pass
    raw = bytearray(os.urandom(16 * IDS_PER_READ))
    for start in range(0, len(raw), 16):
        raw[start + 6] = (raw[start + 6] & 0x0F) | 0x40  # version 4
        raw[start + 8] = (raw[start + 8] & 0x3F) | 0x80  # RFC 4122 variant
    made = raw.hex()
    ids = [made[start : start + 32] for start in range(0, len(made), 32)]
    _fresh_ids.extend(ids[1:])
    return ids[0]


class RecordRoute:
    """Innermost: after routing, copy the matched route's template into the request's
    RequestInfo (shared by reference: outer layers such as HEAD handling copy the scope,
    so they would not see the router's `scope["route"]`)."""

    def __init__(
        self, app: ASGIApp, *, fixed: frozenset[str] = frozenset(), mounts: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        # What the router does not report: plain routes (/openapi.json), whose path is their
        # template, and mounts (/static-offline-docs), labelled `<mount>/{path}`
        self.fixed = fixed
        self.mounts = mounts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            info = scope.get(REQUEST_INFO_KEY)
            if isinstance(info, RequestInfo):
                info.route = self.template(scope)

    def template(self, scope: Scope) -> str | None:
        path = getattr(scope.get("route"), "path", None)
        if isinstance(path, str):
            return path
        path = scope.get("path", "")
        if path in self.fixed:
            return str(path)
        for mount in self.mounts:
            if path.startswith(mount + "/"):
                return mount + "/{path}"
        return None
