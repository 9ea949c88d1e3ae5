"""GET /changes: every committed create, update and delete, in commit order, for polling."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.deps import StoreDep
from app.api.errors import problem_responses
from app.api.fields import fields_query, parse_fields
from app.api.http import json_response
from app.models import ChangePage

router = APIRouter(tags=["changes"])

# Cursors are commit sequence numbers; the bound keeps them inside SQLite's integers.
CURSOR_PATTERN = r"^[0-9]{1,18}$"


@router.get(
    "/changes",
    response_model=ChangePage,
    summary="List changes to articles since a cursor",
    description=(
        "Created, updated and deleted articles in the order the store committed them, with "
        "the section slugs added, changed and removed. Start without `since`, then pass the "
        "page's `next` as `since`; a deleted article stays in the feed as a tombstone."
    ),
    responses=problem_responses(422, conditional=True),
)
async def list_changes(
    request: Request,
    store: StoreDep,
    since: Annotated[
        str | None,
        Query(pattern=CURSOR_PATTERN, description="A `next` cursor from a previous page."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Changes per page.")] = 100,
    fields: Annotated[str | None, fields_query("each change")] = None,
) -> Response:
    selection = parse_fields(fields)
    page = store.changes(since=int(since) if since else 0, limit=limit)
    # max-age 0: a poller revalidates every time, and gets 304 while nothing happened.
    return json_response(request, page, max_age=0, fields=selection, items="items")
