"""An article as a schema.org FAQPage in JSON-LD: its question sections, each a Question
with its answer, for search engines and pages that embed structured data.

Served at `GET /articles/{slug}/faq.jsonld`, and at `GET /articles/{slug}` to a client whose
Accept header prefers `application/ld+json` to JSON (app/api/representations.py).
"""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from app.api.http import json_response
from app.models import Article
from app.search.documents import article_url

JSONLD_MEDIA_TYPE = "application/ld+json"

# JSON-LD keywords (`@context`, `@type`) and schema.org's camelCase names are not Python
# names: fields are written under them (serialization aliases, which the OpenAPI schema uses
# too) and made under their Python names. These models are only ever written.
_JSONLD_MODEL = ConfigDict(
    frozen=True,
    serialize_by_alias=True,
    # `@context` and `@type` have defaults, yet every document has them: the schema says so
    json_schema_serialization_defaults_required=True,
)


class FaqAnswer(BaseModel):
    """schema.org Answer: a question section's body."""

    model_config = _JSONLD_MODEL

    type: Literal["Answer"] = Field(default="Answer", serialization_alias="@type")
    text: str = Field(description="The section's body: paragraphs joined by a blank line.")
    url: str = Field(description="The section's canonical URL.")


class FaqQuestion(BaseModel):
    """schema.org Question: a section whose heading is a question."""

    model_config = _JSONLD_MODEL

    type: Literal["Question"] = Field(default="Question", serialization_alias="@type")
    name: str = Field(description="The section's heading.")
    url: str = Field(description="The section's canonical URL.")
    accepted_answer: FaqAnswer = Field(serialization_alias="acceptedAnswer")


class FaqPage(BaseModel):
    """schema.org FAQPage (JSON-LD): an article's question sections with their answers."""

    model_config = _JSONLD_MODEL

    context: Literal["https://schema.org"] = Field(
        default="https://schema.org", serialization_alias="@context"
    )
    type: Literal["FAQPage"] = Field(default="FAQPage", serialization_alias="@type")
    name: str = Field(description="The article's title.")
    headline: str = Field(description="The article's title.")
    in_language: str = Field(serialization_alias="inLanguage", description="BCP 47 language tag.")
    url: str = Field(description="The article's URL.")
    main_entity: list[FaqQuestion] = Field(
        serialization_alias="mainEntity",
        description="One Question per question section, in article order; empty when the "
        "article has none.",
    )


def faq_page(article: Article, *, base_url: str | None) -> FaqPage:
    """The FAQPage of `article`. URLs are paths, or absolute under `base_url` (the public
    base URL: structured data is read away from this API, where a path means nothing).

    Sections whose heading is not a question are left out. An article with none still gets
    a FAQPage, with an empty `mainEntity`: valid JSON-LD, and one answer shape for every
    article; search engines want at least one Question, so embed it only when it has one."""
    base = base_url or ""  # config strips its trailing slash
    questions = [
        FaqQuestion(
            name=section.heading,
            url=base + section.url,
            accepted_answer=FaqAnswer(text=section.body, url=base + section.url),
        )
        for section in article.sections
        if section.is_question
    ]
    return FaqPage(
        name=article.title,
        headline=article.title,
        in_language=article.language,
        url=base + article_url(article.slug),
        main_entity=questions,
    )


def jsonld_response(
    request: Request, page: FaqPage, *, max_age: int, headers: dict[str, str] | None = None
) -> Response:
    """`page` as application/ld+json, or 304 Not Modified, with the ETag and caching of
    every JSON answer."""
    return json_response(
        request, page, max_age=max_age, headers=headers, media_type=JSONLD_MEDIA_TYPE
    )
