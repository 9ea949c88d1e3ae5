"""gzip for responses of 1 kB and more, with entity tags that stay right for both forms.

A strong ETag names one representation byte for byte (RFC 9110 8.8.1), and the gzip and
identity forms of a response are different bytes: the gzip form gets the identity tag with
`-gzip` appended inside the quotes (`"abc"` -> `"abc-gzip"`, as Apache httpd does). On the
way in, `-gzip` is taken off the tags of If-None-Match and If-Match, so the routes (which
compute the identity tag, app/api/http.py) match either form: a client holding the gzip form
gets its 304, and an If-Match with the gzip tag guards a write like the identity tag. A 304
names the form the client asked about, and says `Vary: Accept-Encoding` like the 200.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MINIMUM_SIZE = 1024
# zlib's default: nearly level 9's ratio on JSON at a fraction of its CPU
COMPRESS_LEVEL = 6
SUFFIX = b"-gzip"
CONDITIONAL_HEADERS = frozenset({b"if-none-match", b"if-match"})
VARY_ACCEPT_ENCODING = (b"vary", b"Accept-Encoding")


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


class GZipWithETags:
    """Starlette's GZipMiddleware (compresses when the client accepts gzip and the body is
    at least MINIMUM_SIZE bytes; adds `Vary: Accept-Encoding`), and the ETag scheme above."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = GZipMiddleware(app, minimum_size=MINIMUM_SIZE, compresslevel=COMPRESS_LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gzip_named: set[bytes] = set()
        if any(name in CONDITIONAL_HEADERS for name, _ in scope["headers"]):
            headers = []
            for name, value in scope["headers"]:
                if name in CONDITIONAL_HEADERS and SUFFIX in value:
                    value, named = identity_tags(value)
                    gzip_named |= named
                headers.append((name, value))
            scope = {**scope, "headers": headers}

        async def send_with_tags(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self.response_headers(
                    message["status"], message.get("headers", ()), gzip_named
                )
            await send(message)

        await self.app(scope, receive, send_with_tags)

    @staticmethod
    def response_headers(
        status: int, headers: list[tuple[bytes, bytes]], gzip_named: set[bytes]
    ) -> list[tuple[bytes, bytes]]:
        gzipped = any(name == b"content-encoding" and value == b"gzip" for name, value in headers)
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
