"""Hardening headers, the Host check, absolute links and CORS: what edge.Front applies to
every request (a few header operations each), the docs pages' policy and CORS layers.

Content-Security-Policy: API answers (JSON, problems) load nothing, so they get the
narrowest policy, `default-src 'none'`. The self-hosted docs pages get a policy naming
exactly what they use: their scripts and styles from this origin, plus the inline `<script>`
and `<style>` blocks of the page by their sha256 (computed from the very HTML served, so it
follows any change of fastapi-offline's templates or of the Swagger UI parameters), data:
images (Swagger UI's icons), fetches to this origin (the OpenAPI document, "Try it out") and
ReDoc's blob: worker. Both forbid framing (`frame-ancestors 'none'`), `<base>` and form
submissions. Anything else a page tries (ReDoc's badge fetches a CDN logo) is blocked.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import problem_response

NOSNIFF = (b"x-content-type-options", b"nosniff")
# no-referrer: nothing here needs a Referer (the app never reads it), and the URLs of this API
# carry what users search for (/search?q=...): a page of the docs linking elsewhere must not
# hand them to another site. strict-origin-when-cross-origin would still send the origin.
REFERRER_POLICY = (b"referrer-policy", b"no-referrer")
COMMON_DIRECTIVES = "frame-ancestors 'none'; base-uri 'none'"
API_CSP = f"default-src 'none'; {COMMON_DIRECTIVES}; form-action 'none'"
CSP_HEADER = b"content-security-policy"
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.I)
INLINE_STYLE = re.compile(rb"<style[^>]*>(.*?)</style>", re.DOTALL | re.I)


def _hashes(blocks: Iterable[bytes]) -> str:
    return "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(block).digest()).decode()}'"
        for block in dict.fromkeys(blocks)
    )


@dataclass(frozen=True)
class DocsPage:
    """What a docs page does beyond loading this origin's scripts, styles and images."""

    # Adds <style> elements as it runs (ReDoc's styled-components): no hash can allow them,
    # so its styles need 'unsafe-inline' (which any hash in the list would switch off).
    runtime_styles: bool = False
    # Starts a Web Worker from a blob: URL (ReDoc's search index)
    blob_workers: bool = False


@lru_cache(maxsize=32)
def docs_csp(html: bytes, page: DocsPage) -> str:
    """The policy under which this docs page runs, and nothing else: its inline scripts by
    their hash, fetches to this origin only (the OpenAPI document, "Try it out"), inert data:
    images (icons in the CSS)."""
    scripts = _hashes(INLINE_SCRIPT.findall(html))
    styles = " 'unsafe-inline'" if page.runtime_styles else _hashes(INLINE_STYLE.findall(html))
    workers = "worker-src blob:; " if page.blob_workers else ""
    return (
        "default-src 'none'; "
        f"script-src 'self'{scripts}; "
        f"style-src 'self'{styles}; "
        "img-src 'self' data:; "
        "connect-src 'self'; "
        f"{workers}{COMMON_DIRECTIVES}; form-action 'none'"
    )


def security_headers(*, docs_page: bool) -> list[tuple[bytes, bytes]]:
    """nosniff, Referrer-Policy and the API's CSP, added to every response, except the CSP of
    the docs pages (DocsPolicy, further in, sets theirs)."""
    common = [NOSNIFF, REFERRER_POLICY]
    return common if docs_page else [*common, (CSP_HEADER, API_CSP.encode())]


class DocsPolicy:
    """The CSP of the HTML docs pages, from the page itself (see docs_csp). Only `pages` are
    buffered; it sits inside the gzip layer, so it reads the page uncompressed."""

    def __init__(self, app: ASGIApp, *, pages: Mapping[str, DocsPage]) -> None:
        self.app = app
        self.pages = dict(pages)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        page = self.pages.get(scope["path"]) if scope["type"] == "http" else None
        if page is None:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = bytearray()

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            policy = docs_csp(bytes(body), page) if body else API_CSP
            start["headers"] = [*start.get("headers", ()), (CSP_HEADER, policy.encode())]
            await send(start)
            await send({"type": "http.response.body", "body": bytes(body), "more_body": False})

        await self.app(scope, receive, buffer)


def host_of(header: bytes) -> str | None:
    """The host of a Host header (`[::1]:8000` -> `::1`), lower case; None when malformed."""
    try:
        text = header.decode("ascii").strip().lower()
    except UnicodeDecodeError:
        return None
    if text.startswith("["):
        host, bracket, port = text[1:].partition("]")
        if not bracket or (port and not (port.startswith(":") and port[1:].isdigit())):
            return None
    else:
        host, colon, port = text.partition(":")
        if colon and not port.isdigit():
            return None
    host = host.removesuffix(".")
    if not host or not re.fullmatch(r"[a-z0-9._:-]+", host):
        return None
    return host


def relative_reference(location: bytes) -> bytes:
    """`http://any.host:8000/articles?x` -> `/articles?x`: the app never sends a client to
    another site, so an absolute Location can only have been made from the request's Host
    (Starlette's trailing-slash redirect), which must not be echoed."""
    lowered = location[:8].lower()
    for scheme in (b"http://", b"https://"):
        if lowered.startswith(scheme):
            rest = location[len(scheme) :]
            ends = [i for i in (rest.find(b"/"), rest.find(b"?"), rest.find(b"#")) if i >= 0]
            location = rest[min(ends) :] if ends else b""
            break
    # One leading slash: never `//host/...` either (protocol-relative: another site)
    return b"/" + location.lstrip(b"/")


def host_allowed(host: str, patterns: Sequence[str]) -> bool:
    return any(
        host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
        for pattern in patterns
    )


class HostPolicy:
    """Answers only the Host names allowed (others: 400 problem+json, the Host not echoed),
    and never lets the Host header into a link: an absolute `Location` made from the request
    (Starlette's trailing-slash redirect) becomes relative, and with a public base URL every
    `Location` and `Link` target is made absolute from it."""

    # Host headers remembered with their verdict: clients send a handful, and checking one
    # (decode, split, a pattern) costs more than the lookup. Bounded against floods of names.
    MAX_REMEMBERED = 1024

    def __init__(self, *, allowed_hosts: Sequence[str], public_base_url: str | None) -> None:
        self.allowed_hosts = [pattern.lower() for pattern in allowed_hosts]
        self.allow_any = "*" in self.allowed_hosts
        self.base = public_base_url.rstrip("/").encode() if public_base_url else b""
        self._verdicts: dict[bytes, bool | None] = {}

    def verdict(self, host_header: bytes) -> bool | None:
        """True: answer; False: a well-formed name not allowed; None: missing or malformed."""
        if self.allow_any:
            return True
        if host_header in self._verdicts:
            return self._verdicts[host_header]
        host = host_of(host_header)
        verdict = None if host is None else host_allowed(host, self.allowed_hosts)
        if len(self._verdicts) >= self.MAX_REMEMBERED:
            self._verdicts.clear()
        self._verdicts[host_header] = verdict
        return verdict

    def rewrites(self, status: int) -> bool:
        """A Location comes with a 201 or a redirect; a Link only matters with a base URL."""
        return bool(self.base) or status == 201 or 300 <= status < 400

    def links(self, headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        return [(name, self.link(name, value)) for name, value in headers]

    def link(self, name: bytes, value: bytes) -> bytes:
        lowered = name.lower()
        if lowered == b"location":
            return self.base + relative_reference(value)
        if lowered == b"link" and self.base:
            return value.replace(b"</", b"<" + self.base + b"/")
        return value

    @staticmethod
    def refusal(scope: Scope, *, known: bool) -> Response:
        detail = (
            "This server does not answer for the host named in the Host header; its operator "
            "can add it to ARTICLE_QA_ALLOWED_HOSTS."
            if known
            else "The Host header is missing or malformed."
        )
        return problem_response(
            Request(scope),
            status=400,
            kind="invalid-host",
            title="Host not allowed",
            detail=detail,
            headers={"Cache-Control": "no-store"},
        )


class ProblemCORS(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as problem+json like every 4xx."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                response = self.preflight_response(request_headers=headers)
                if response.status_code >= 400:
                    response = self.refusal(scope, response)
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    @staticmethod
    def refusal(scope: Scope, refused: Response) -> Response:
        what = bytes(refused.body).decode().removeprefix("Disallowed CORS ")
        headers = {
            name: value
            for name, value in refused.headers.items()
            if name.startswith("access-control-") or name == "vary"
        }
        return problem_response(
            Request(scope),
            status=400,
            kind="cors-preflight-refused",
            title="Cross-origin request refused",
            detail=f"The preflight asks for what this server does not allow ({what}).",
            headers=headers,
        )
