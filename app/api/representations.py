"""An article or a section as a document rather than data: Markdown (its heading included)
and HTML made from that Markdown, sanitised.

The Markdown is the stored form (`body_markdown`, `lead_markdown`), headed by the title
(`#`) and each section's heading one level below its place (`##` for a top-level section).
The HTML is markdown-it's rendering of it, cleaned by nh3 (ammonia) to an allow-list of
tags and link schemes: source pages are other people's markup, and this HTML is meant to
be embedded in pages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import nh3
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from markdown_it import MarkdownIt
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.fields import FieldSelection
from app.api.http import JSON_MEDIA_TYPE, conditional_response, json_response
from app.api.jsonld import JSONLD_MEDIA_TYPE
from app.api.negotiation import HTML_MEDIA_TYPE, MARKDOWN_MEDIA_TYPE, negotiate, not_acceptable
from app.models import Article, Section
from app.parsing.inline import inline_markdown

ARTICLE_MEDIA_TYPES = (JSON_MEDIA_TYPE, JSONLD_MEDIA_TYPE, MARKDOWN_MEDIA_TYPE, HTML_MEDIA_TYPE)
SECTION_MEDIA_TYPES = (JSON_MEDIA_TYPE, MARKDOWN_MEDIA_TYPE, HTML_MEDIA_TYPE)
# `?format=` names
FORMATS = {
    "json": JSON_MEDIA_TYPE,
    "jsonld": JSONLD_MEDIA_TYPE,
    "markdown": MARKDOWN_MEDIA_TYPE,
    "html": HTML_MEDIA_TYPE,
}
MAX_HEADING_LEVEL = 6
# Documents longer than this (characters of Markdown) are rendered in a worker thread
INLINE_RENDER_CHARS = 20_000
_CLOSING_HASHES = re.compile(r"#+$")
# RFC 7763: the Markdown flavour is named by `variant`.
MARKDOWN_CONTENT_TYPE = f"{MARKDOWN_MEDIA_TYPE}; charset=utf-8; variant=CommonMark"
HTML_CONTENT_TYPE = f"{HTML_MEDIA_TYPE}; charset=utf-8"
ALLOWED_TAGS = frozenset(
    {
        "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
        "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# (the <article lang> or <section id> around a document is ours, added after cleaning)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# CommonMark with GFM tables; the HTML our own Markdown falls back to (<em> where '*' cannot
# close) must render, and nh3 removes whatever else a source slipped through.
_RENDERER = MarkdownIt("commonmark").enable("table")


def heading_markdown(text: str, level: int) -> str:
    """An ATX heading; a '#' run ending the text is escaped (else it would close the
    heading and vanish: "What about C #")."""
    escaped = _CLOSING_HASHES.sub(lambda run: "\\" + run.group(0), inline_markdown(text, ()))
    return "#" * min(level, MAX_HEADING_LEVEL) + " " + escaped


def section_markdown(section: Section) -> str:
    """The section as Markdown: its heading at its article level (top level `##`), then
    its body."""
    heading = heading_markdown(section.heading, section.level + 1)
    return f"{heading}\n\n{section.body_markdown}\n" if section.body_markdown else f"{heading}\n"


def article_markdown(article: Article) -> str:
    """The article as Markdown: `#` title, the lead, every section in order."""
    parts = [heading_markdown(article.title, 1)]
    if article.lead_markdown:
        parts.append(article.lead_markdown)
    parts.extend(section_markdown(section).rstrip("\n") for section in article.sections)
    return "\n\n".join(parts) + "\n"


def markdown_html(markdown: str) -> str:
    """Markdown rendered to HTML and sanitised: allowed tags, web and mail links only.
    Documents of ordinary size are kept (a page asks for the same ones again); long ones,
    rendered off the event loop, are not, so the cache stays small."""
    if len(markdown) > INLINE_RENDER_CHARS:
        return _rendered(markdown)
    return _cached_rendering(markdown)


def _rendered(markdown: str) -> str:
    return sanitised(_RENDERER.render(markdown))


@lru_cache(maxsize=256)
def _cached_rendering(markdown: str) -> str:
    return _rendered(markdown)


def sanitised(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )


def article_html(article: Article) -> str:
    body = markdown_html(article_markdown(article))
    return f'<article lang="{html.escape(article.language)}">\n{body}</article>\n'


def section_html(section: Section) -> str:
    body = markdown_html(section_markdown(section))
    return f'<section id="{html.escape(section.slug)}">\n{body}</section>\n'


def _size(model: Article | Section) -> int:
    if isinstance(model, Section):
        return len(model.body_markdown)
    return len(model.lead_markdown) + sum(len(s.body_markdown) for s in model.sections)


def render_document(model: Article | Section, *, as_html: bool) -> str:
    """The article or section as Markdown, or as sanitised HTML."""
    if isinstance(model, Article):
        return article_html(model) if as_html else article_markdown(model)
    return section_html(model) if as_html else section_markdown(model)


def _format_asked(request: Request, offered: Sequence[str]) -> str | None:
    """The media type `?format=` names (it overrides Accept, for links a browser follows:
    its Accept asks for HTML); None without one; 422 for a format the resource lacks."""
    name = request.query_params.get("format")
    if name is None:
        return None
    media_type = FORMATS.get(name)
    if media_type not in offered:
        names = ", ".join(key for key, value in FORMATS.items() if value in offered)
        raise RequestValidationError(
            [{"loc": ("query", "format"), "msg": f"the formats of this resource are {names}"}]
        )
    return media_type


def format_parameter(offered: Sequence[str]) -> dict[str, Any]:
    """The OpenAPI description of `format` (read by `represent`, not by FastAPI)."""
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "The representation, whatever the Accept header says (links to "
        "follow in a browser, whose Accept asks for HTML).",
        "schema": {"type": "string", "enum": [k for k, v in FORMATS.items() if v in offered]},
    }


async def represent(
    request: Request,
    model: Article | Section,
    *,
    offered: Sequence[str],
    max_age: int,
    fields: FieldSelection | None,
    jsonld: Callable[[], BaseModel] | None = None,
) -> Response:
    """The representation of an article or a section the Accept header asks for: JSON
    (with `fields`), JSON-LD (articles), Markdown or HTML; 406 when it asks for none of
    them. Each has its own ETag; all vary on Accept."""
    if fields is not None:
        fields.check(type(model))  # a name the item lacks is a 422 in every representation
    chosen = _format_asked(request, offered)
    if chosen is None:
        chosen = negotiate(request.headers.get("accept"), offered)
    if chosen is None:
        return not_acceptable(request, offered)
    headers = {"Vary": "Accept"}
    if chosen in (MARKDOWN_MEDIA_TYPE, HTML_MEDIA_TYPE):
        if isinstance(model, Article):
            headers["Content-Language"] = model.language
        as_html = chosen == HTML_MEDIA_TYPE
        if _size(model) > INLINE_RENDER_CHARS:
            # Rendering a long article takes a while: not on the event loop
            text = await run_in_threadpool(render_document, model, as_html=as_html)
        else:
            text = render_document(model, as_html=as_html)
        content_type = MARKDOWN_CONTENT_TYPE if chosen == MARKDOWN_MEDIA_TYPE else HTML_CONTENT_TYPE
        response = conditional_response(
            request, text.encode(), content_type=content_type, max_age=max_age, headers=headers
        )
    elif chosen == JSONLD_MEDIA_TYPE and jsonld is not None:
        response = json_response(
            request, jsonld(), max_age=max_age, headers=headers, media_type=JSONLD_MEDIA_TYPE
        )
    else:
        response = json_response(request, model, max_age=max_age, headers=headers, fields=fields)
    if response.status_code == 304:
        # The gzip layer adds Accept-Encoding to a 200's Vary, but to a 304's only when it
        # has none: a 304 names what its 200 would.
        response.headers["Vary"] = "Accept, Accept-Encoding"
    return response
