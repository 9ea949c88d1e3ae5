"""Bounds the app enforces itself, whatever server runs it: the length of the URL and of the
request headers (414 and 431 problem+json, checked by edge.Front), and an optional
per-client rate limit (429 with Retry-After, a pure ASGI layer). A refused request costs a
few microseconds and reaches no route.

What the HTTP server refuses before the app sees a request (a header block over h11's
16 KiB, bytes that are not HTTP, a request line with raw non-ASCII bytes) it answers itself,
as uvicorn does: 400 text/plain. A reverse proxy in front (nginx, Caddy) is where slow
senders are cut off: uvicorn has no timeout for a request whose headers never finish.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.errors import problem_response

# Browsers and proxies handle 8 KiB URLs; the longest this API builds (a search with 500
# characters of text, filters and a cursor) stays far below.
MAX_URL_BYTES = 8192
# Every header, names and values together.
MAX_HEADER_BYTES = 16384
# Clients the rate limiter remembers at once; the least recently seen are forgotten first.
MAX_TRACKED_CLIENTS = 100_000


def bounds_refusal(scope: Scope, header_bytes: int) -> Response | None:
    """414 for a URL longer than MAX_URL_BYTES, 431 for headers over MAX_HEADER_BYTES (every
    name and value: `header_bytes`, which edge.Front sums in its one pass over them)."""
    url_bytes = len(scope.get("raw_path") or b"") + len(scope.get("query_string", b""))
    if url_bytes > MAX_URL_BYTES:
        detail = f"The URL is {url_bytes} bytes long; at most {MAX_URL_BYTES} are read."
        return _refusal(scope, 414, "uri-too-long", "URI too long", detail)
    if header_bytes > MAX_HEADER_BYTES:
        detail = (
            f"The request headers are {header_bytes} bytes; at most {MAX_HEADER_BYTES} are read."
        )
        return _refusal(scope, 431, "headers-too-large", "Headers too large", detail)
    return None


class RateLimit:
    """A token bucket per client address: `per_minute` requests a minute, in bursts of up to
    `burst`; beyond, 429 with Retry-After. The liveness and readiness probes are exempt."""

    EXEMPT = frozenset({"/healthz", "/readyz"})

    def __init__(self, app: ASGIApp, *, per_minute: int, burst: int) -> None:
        self.app = app
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.EXEMPT:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.take(client[0] if client else "unknown")
        if wait > 0:
            retry = max(1, math.ceil(wait))
            detail = f"Too many requests from this client; try again in {retry} s."
            refusal = _refusal(
                scope,
                429,
                "rate-limited",
                "Too many requests",
                detail,
                headers={"Retry-After": str(retry)},
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def take(self, client: str) -> float:
        """Take a token for `client`: 0 when there was one, else the seconds until one."""
        now = time.monotonic()
        with self._lock:
            tokens, seen = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - seen) * self.rate)
            if tokens >= 1.0:
                tokens -= 1.0
                wait = 0.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > MAX_TRACKED_CLIENTS:
                self._buckets.popitem(last=False)
        return wait


def _refusal(
    scope: Scope,
    status: int,
    kind: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
) -> Response:
    return problem_response(
        Request(scope),
        status=status,
        kind=kind,
        title=title,
        detail=detail,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )
