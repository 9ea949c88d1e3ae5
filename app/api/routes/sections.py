"""GET /sections/{slug}: a section by its slug alone, when that slug is unambiguous."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api import lookup
from app.api.deps import SettingsDep, StoreDep
from app.api.errors import problem_responses
from app.api.http import json_response
from app.api.routes.articles import SectionSlug
from app.models import Section

router = APIRouter(tags=["sections"])


@router.get(
    "/sections/{section_slug}",
    response_model=Section,
    summary="Get a section by its slug alone",
    description=(
        "Answers the section when exactly one article has this slug; 409 with the candidates' "
        "canonical URLs when several do; 301 to its new URL when its heading was reworded; "
        "410 when it was removed; 404 with the nearest slugs when none ever had it."
    ),
    responses=problem_responses(404, 409, 410, 422, conditional=True),
)
async def get_section(
    request: Request, store: StoreDep, settings: SettingsDep, section_slug: SectionSlug
) -> Response:
    section = await lookup.resolve_section(store=store, section_slug=section_slug)
    return json_response(request, section, max_age=settings.cache_max_age)
