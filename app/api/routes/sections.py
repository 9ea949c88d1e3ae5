"""GET /sections/{slug}: a section by its slug alone, when that slug is unambiguous."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api import lookup
from app.api.deps import SettingsDep, StoreDep
from app.api.fields import fields_parameter
from app.api.representations import SECTION_MEDIA_TYPES, format_parameter, represent
from app.api.routes.articles import (
    DOCUMENT_CONTENT,
    NEGOTIATION,
    Fields,
    SectionSlug,
    negotiated_responses,
)
from app.models import Section

router = APIRouter(tags=["sections"])


@router.get(
    "/sections/{section_slug}",
    response_model=Section,
    summary="Get a section by its slug alone",
    description=(
        "Answers the section when exactly one article has this slug; 409 with the candidates' "
        "canonical URLs when several do; 301 to its new URL when its heading was reworded; "
        "410 when it was removed; 404 with the nearest slugs when none ever had it. "
        + NEGOTIATION.format(jsonld="")
    ),
    openapi_extra={
        "parameters": [fields_parameter("the section"), format_parameter(SECTION_MEDIA_TYPES)]
    },
    responses=negotiated_responses(404, 409, 410, content=DOCUMENT_CONTENT),
)
async def get_section(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    section_slug: SectionSlug,
    fields: Fields,
) -> Response:
    section = await lookup.resolve_section(store=store, section_slug=section_slug)
    return await represent(
        request, section, offered=SECTION_MEDIA_TYPES, max_age=settings.cache_max_age, fields=fields
    )
