"""gzip for responses of 1 kB and more, with entity tags that stay right for both forms.

A strong ETag names one representation byte for byte (RFC 9110 8.8.1), and the gzip and
identity forms of a response are different bytes: the gzip form gets the identity tag with
`-gzip` appended inside the quotes (`"abc"` -> `"abc-gzip"`, as Apache httpd does). On the
way in, `-gzip` is taken off the tags of If-None-Match and If-Match, so the routes (which
compute the identity tag, app/api/http.py) match either form: a client holding the gzip form
gets its 304, and an If-Match with the gzip tag guards a write like the identity tag. A 304
names the form the client asked about, and says `Vary: Accept-Encoding` like the 200.

HEAD is served here too (RFC 9110 9.3.2): as GET, its body dropped *after* gzip, so a HEAD
announces the Content-Encoding, Content-Length and ETag that GET sends. One layer, one
wrapper of `send`, for the three: each layer costs an await per call and per message.
"""

from __future__ import annotations

from functools import lru_cache

from starlette.middleware.gzip import GZipResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MINIMUM_SIZE = 1024
# zlib's default: nearly level 9's ratio on JSON at a fraction of its CPU
COMPRESS_LEVEL = 6
SUFFIX = b"-gzip"
CONDITIONAL_HEADERS = frozenset({b"if-none-match", b"if-match"})
VARY_ACCEPT_ENCODING = (b"vary", b"Accept-Encoding")
GZIP_ENCODING = (b"content-encoding", b"gzip")
# What gzip leaves alone (Starlette's GZipMiddleware's defaults): already compressed, or
# streamed to a client that must see each event at once
UNCOMPRESSED_TYPES = frozenset(
    {
        "application/grpc",
        "application/gzip",
        "application/x-gzip",
        "application/zip",
        "audio/*",
        "font/woff",
        "font/woff2",
        "image/avif",
        "image/gif",
        "image/jpeg",
        "image/png",
        "image/webp",
        "text/event-stream",
        "video/*",
    }
)
EMPTY_BODY: Message = {"type": "http.response.body", "body": b"", "more_body": False}


def identity_tags(value: bytes) -> tuple[bytes, set[bytes]]:
    """An If-None-Match / If-Match value with `-gzip` taken off each tag, and the identity
    tags (quoted, without W/) that the client named in their gzip form."""
    gzip_named: set[bytes] = set()
    tags = []
    for tag in value.split(b","):
        tag = tag.strip()
        opaque = tag.removeprefix(b"W/")
        if opaque.endswith(SUFFIX + b'"'):
            identity = opaque[: -len(SUFFIX) - 1] + b'"'
            gzip_named.add(identity)
            tag = tag[: len(tag) - len(opaque)] + identity
        tags.append(tag)
    return b", ".join(tags), gzip_named


def gzip_tag(etag: bytes) -> bytes:
    """`"abc"` -> `"abc-gzip"`, `W/"abc"` -> `W/"abc-gzip"`."""
    return etag[:-1] + SUFFIX + b'"' if etag.endswith(b'"') else etag


class Representation:
    """HEAD as GET; gzip when the client accepts it and the body is at least MINIMUM_SIZE
    bytes (Starlette's GZipResponder), else `Vary: Accept-Encoding` on those bodies all the
    same (as Starlette's IdentityResponder: they could have been gzipped); the ETag scheme
    above."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        accept_encoding: bytes | None = None
        conditional = False
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                if accept_encoding is None:
                    accept_encoding = value
            elif name in CONDITIONAL_HEADERS:
                conditional = True
        gzip_named: set[bytes] = set()
        if conditional or head:
            # A copy: what this layer changes is not seen by the layers outside it
            scope = {**scope, "method": "GET"} if head else {**scope}
            if conditional:
                scope["headers"] = identity_conditions(scope["headers"], gzip_named)
        answer = Answer(send, head=head, gzip_named=gzip_named)
        if accept_encoding is not None and b"gzip" in accept_encoding:
            responder = GZipResponder(self.app, MINIMUM_SIZE, compresslevel=COMPRESS_LEVEL)
            await responder(scope, receive, answer.send)
        else:
            answer.identity = True
            await self.app(scope, receive, answer.send)


def identity_conditions(
    headers: list[tuple[bytes, bytes]], gzip_named: set[bytes]
) -> list[tuple[bytes, bytes]]:
    """The request headers with `-gzip` taken off the tags of If-None-Match and If-Match;
    `gzip_named` gets the identity tags the client named in their gzip form."""
    out = []
    for name, value in headers:
        if name in CONDITIONAL_HEADERS and SUFFIX in value:
            value, named = identity_tags(value)
            gzip_named |= named
        out.append((name, value))
    return out


class Answer:
    """The `send` of one request: the ETags of the form sent, HEAD's body dropped and, for a
    client that does not take gzip (`identity`), the Vary header gzip would have added."""

    __slots__ = ("_send", "gzip_named", "head", "held", "identity", "passing", "sent_body")

    def __init__(self, send: Send, *, head: bool, gzip_named: set[bytes]) -> None:
        self._send = send
        self.head = head
        self.gzip_named = gzip_named
        self.identity = False
        self.held: Message | None = None  # the start, until the first body says its size
        self.passing = False  # sent as it is: encoded already, partial, or not compressible
        self.sent_body = False

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if not self.identity or self.passing:
            pass
        elif kind == "http.response.start":
            headers = message.setdefault("headers", [])
            if message["status"] == 206 or not compressible(headers):
                self.passing = True
            else:
                self.held = message
                return
        elif self.held is not None and kind in ("http.response.body", "http.response.pathsend"):
            start, self.held = self.held, None
            if kind == "http.response.body" and (
                len(message.get("body", b"")) >= MINIMUM_SIZE or message.get("more_body", False)
            ):
                start["headers"] = with_vary(start["headers"])
            await self.forward(start)
        await self.forward(message)

    async def forward(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            message["headers"] = self.response_headers(
                message["status"], message.get("headers", ()), self.gzip_named
            )
        elif kind == "http.response.body" and self.head:
            if self.sent_body:
                return
            self.sent_body = True
            message = dict(EMPTY_BODY)
        await self._send(message)

    @staticmethod
    def response_headers(
        status: int, headers: list[tuple[bytes, bytes]], gzip_named: set[bytes]
    ) -> list[tuple[bytes, bytes]]:
        gzipped = GZIP_ENCODING in headers
        if not gzipped and status != 304:
            return headers
        out = []
        for name, value in headers:
            if name == b"etag" and (gzipped or value.removeprefix(b"W/") in gzip_named):
                value = gzip_tag(value)
            out.append((name, value))
        if status == 304 and not any(name == b"vary" for name, _ in out):
            out.append(VARY_ACCEPT_ENCODING)
        return out


def compressible(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether gzip would compress a body under these response headers (Starlette's rule):
    not encoded already, not of a type it leaves alone."""
    content_type: bytes | None = None
    for name, value in headers:
        if name == b"content-encoding":
            return False
        if name == b"content-type" and content_type is None:
            content_type = value
    return compressible_type(content_type or b"")


@lru_cache(maxsize=64)
def compressible_type(content_type: bytes) -> bool:
    media_type = content_type.decode("latin-1").partition(";")[0].strip().lower()
    media_types = {media_type, media_type.partition("/")[0] + "/*"}
    if media_type.startswith("application/grpc+"):
        media_types.add("application/grpc")
    return media_types.isdisjoint(UNCOMPRESSED_TYPES)


def with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`Vary: Accept-Encoding` added to the Vary values there are, as one header in the place
    of the first (Starlette's MutableHeaders.add_vary_header)."""
    values = [value for name, value in headers if name == b"vary"]
    if not values:
        return [*headers, VARY_ACCEPT_ENCODING]
    merged = b", ".join([*values, VARY_ACCEPT_ENCODING[1]])
    out = []
    for name, value in headers:
        if name != b"vary":
            out.append((name, value))
        elif merged:
            out.append((name, merged))
            merged = b""
    return out
