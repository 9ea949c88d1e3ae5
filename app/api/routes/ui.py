"""GET /ui: a page to look at, not only JSON. The articles, each article's outline as the
parser split it (lead, sections, dropped text with reasons) and search, in plain HTML, CSS
and JavaScript shipped in the package (app/api/ui): no CDN, no build step. The page calls
the JSON API; it is not part of the OpenAPI document.

Its Content-Security-Policy is the docs pages' (security.docs_csp, from the page itself: no
inline script or style, so only this origin's files and fetches); app.py lists /ui with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.http import etag_for, etag_matches

PAGE_PATH = "/ui"
# Served file -> its media type; nothing else under /ui/ is served (404 problem+json).
FILES = {
    "index.html": "text/html; charset=utf-8",
    "ui.css": "text/css; charset=utf-8",
    "ui.js": "text/javascript; charset=utf-8",
}
# Revalidated on every use (a 304 when unchanged): a new version of the app shows at once.
CACHE_CONTROL = "no-cache"

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    etag: str


@lru_cache(maxsize=len(FILES))
def static_file(name: str) -> StaticFile:
    """A file of app/api/ui, read once from the installed package."""
    body = resources.files("app.api.ui").joinpath(name).read_bytes()
    return StaticFile(body=body, media_type=FILES[name], etag=etag_for(body))


def serve(request: Request, name: str) -> Response:
    """The file, or 304 when the client holds these bytes."""
    file = static_file(name)
    headers = {"ETag": file.etag, "Cache-Control": CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match"), file.etag):
        return Response(status_code=304, headers=headers)
    return Response(file.body, media_type=file.media_type, headers=headers)


@router.get(PAGE_PATH)
async def ui_page(request: Request) -> Response:
    return serve(request, "index.html")


@router.get(f"{PAGE_PATH}/ui.css")
async def ui_stylesheet(request: Request) -> Response:
    return serve(request, "ui.css")


@router.get(f"{PAGE_PATH}/ui.js")
async def ui_script(request: Request) -> Response:
    return serve(request, "ui.js")
