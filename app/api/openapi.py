"""The OpenAPI document: error responses declared as application/problem+json, every
response header and status the server sends, examples for every operation, and the links
between operations (what a response gives the next request).

FastAPI builds the document from the routes; `complete` then adds what the routes cannot
say themselves:

- the statuses any route can answer before it runs (a Host not allowed, a URL or headers
  over their bounds, the optional rate limit, an unexpected error);
- the headers of each response, in `components.headers` (X-Request-ID and the hardening
  headers on every answer; ETag and Cache-Control on content; Location, Retry-After, Allow,
  WWW-Authenticate where their statuses are);
- an example for every parameter, request body and success response (the problem examples
  come with the routes' `problem_responses`);
- OpenAPI links, so that generated clients and stateful testers can go from a list to an
  item, from a search hit to its section, from a page to the next one, and from a write to
  the article written.
"""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api.errors import (
    EXAMPLE_SLUG,
    PROBLEM_EXAMPLES,
    PROBLEM_MEDIA_TYPE,
    REQUEST_ID,
    problem_example,
)
from app.api.jsonld import JSONLD_MEDIA_TYPE, faq_page
from app.api.limits import MAX_HEADER_BYTES, MAX_URL_BYTES
from app.api.representations import article_html, article_markdown, section_html, section_markdown
from app.api.routes.root import INDEX_EXAMPLE
from app.models import Article, Section
from app.search.cursor import cursor_binding, encode_cursor

SECTION = "whats-the-status-of-iran-pakistan-ties"
SECTION_URL = f"/articles/{EXAMPLE_SLUG}/sections/{SECTION}"
ETAG = '"20968d79a74279d0ddc9e2d4b2e9dcf7"'
AT = "2024-04-22T09:30:00.000000Z"
# A real cursor: the one the example search (q=pakistan&limit=1 and the example filters)
# answers with; a cursor is bound to its query and filters.
EXAMPLE_QUERY = "pakistan"
EXAMPLE_CURSOR = encode_cursor(
    1,
    cursor_binding(query=EXAMPLE_QUERY, article_slug=EXAMPLE_SLUG, language="en", is_question=True),
)
EXAMPLE_NEXT_PAGE = (
    f"/search?q={EXAMPLE_QUERY}&limit=1&article={EXAMPLE_SLUG}&language=en&is_question=true"
    f"&cursor={EXAMPLE_CURSOR}"
)

# -- headers -------------------------------------------------------------------------------

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id: the client's `X-Request-ID` when it is well formed "
        "(1-128 of `A-Z a-z 0-9 . _ : -`), else a new one. Also in problem bodies and logs.",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
        "example": REQUEST_ID,
    },
    "X-Content-Type-Options": {
        "description": "Always `nosniff`.",
        "schema": {"type": "string", "enum": ["nosniff"]},
    },
    "Referrer-Policy": {
        "description": "Always `no-referrer`: search URLs hold what people search for.",
        "schema": {"type": "string", "enum": ["no-referrer"]},
    },
    "Content-Security-Policy": {
        "description": "`default-src 'none'` for API answers; `frame-ancestors 'none'` always.",
        "schema": {"type": "string"},
        "example": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'none'",
    },
    "Vary": {
        "description": "`Accept-Encoding` where the answer may be gzipped (every 304, bodies "
        "over 1 kB), `Origin` with CORS.",
        "schema": {"type": "string"},
        "example": "Accept-Encoding",
    },
    "Access-Control-Allow-Origin": {
        "description": "With CORS (`ARTICLE_QA_CORS_ORIGINS`), for an allowed `Origin`.",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "Strong entity tag of this representation; the gzipped form's ends in "
        '`-gzip"`. Send it back in `If-None-Match` (GET: 304 when unchanged) or `If-Match` '
        "(PUT, DELETE: 412 when stale).",
        "schema": {"type": "string", "pattern": '^(W/)?"[^"]*"$'},
        "example": ETAG,
    },
    "Cache-Control": {
        "description": "`public, max-age=N` on content (`ARTICLE_QA_CACHE_MAX_AGE`; 0 on the "
        "change feed), `no-store` on writes and probes, `no-cache` on redirects.",
        "schema": {"type": "string"},
        "example": "public, max-age=60",
    },
    "Content-Encoding": {
        "description": "`gzip` when the client accepts it and the body is over 1 kB.",
        "schema": {"type": "string", "enum": ["gzip"]},
    },
    "Link": {
        "description": 'The next page: `</search?q=...&cursor=...>; rel="next"` (absolute '
        "with `ARTICLE_QA_PUBLIC_BASE_URL`).",
        "schema": {"type": "string"},
        "example": f'<{EXAMPLE_NEXT_PAGE}>; rel="next"',
    },
    "Location": {
        "description": "Where the resource is (a path, absolute with "
        "`ARTICLE_QA_PUBLIC_BASE_URL`); never made from the request's Host.",
        "schema": {"type": "string"},
        "example": "/articles/returns",
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
        "example": 5,
    },
    "Allow": {
        "description": "The methods this path answers.",
        "schema": {"type": "string"},
        "example": "GET, HEAD",
    },
    "WWW-Authenticate": {
        "description": "The scheme to authenticate with: `Bearer`.",
        "schema": {"type": "string"},
        "example": "Bearer",
    },
}
# Every answer carries these (the HTML docs pages, not in the document, have their own
# Content-Security-Policy); Vary and Access-Control-Allow-Origin only sometimes.
EVERY_ANSWER = (
    "X-Request-ID",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Content-Security-Policy",
)
SOMETIMES = ("Vary", "Access-Control-Allow-Origin")


def header_ref(name: str, *, required: bool) -> dict[str, Any]:
    """A response's header: the shared definition, required or not (its own component)."""
    return {"$ref": f"#/components/headers/{name}{'' if required else '-optional'}"}


def header_components() -> dict[str, Any]:
    components: dict[str, Any] = {}
    for name, header in HEADERS.items():
        components[name] = {**header, "required": True}
        components[f"{name}-optional"] = {**header, "required": False}
    return components


# -- statuses every route can answer before it runs (app.py's edge layers) -----------------

EDGE_PROBLEMS: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "The Host header names a host this server does not answer for "
        "(`ARTICLE_QA_ALLOWED_HOSTS`), or is missing.",
        problem_example(
            400,
            "invalid-host",
            "Host not allowed",
            "This server does not answer for the host named in the Host header; its operator "
            "can add it to ARTICLE_QA_ALLOWED_HOSTS.",
            "/articles",
        ),
    ),
    414: (
        f"The URL is over {MAX_URL_BYTES} bytes.",
        problem_example(
            414,
            "uri-too-long",
            "URI too long",
            f"The URL is 9000 bytes long; at most {MAX_URL_BYTES} are read.",
            "/search",
        ),
    ),
    429: (
        "Too many requests from this client (only with `ARTICLE_QA_RATE_LIMIT`); "
        "`Retry-After` says when to try again.",
        problem_example(
            429,
            "rate-limited",
            "Too many requests",
            "Too many requests from this client; try again in 2 s.",
            "/search",
        ),
    ),
    431: (
        f"The request headers are over {MAX_HEADER_BYTES} bytes.",
        problem_example(
            431,
            "headers-too-large",
            "Headers too large",
            f"The request headers are 20000 bytes; at most {MAX_HEADER_BYTES} are read.",
            "/articles",
        ),
    ),
    500: (
        "Unexpected server error; the detail is generic.",
        PROBLEM_EXAMPLES[500],
    ),
}
# The probes are never rate limited (app/api/limits.py)
UNLIMITED = frozenset({"check_liveness", "check_readiness"})


# -- examples ------------------------------------------------------------------------------

PARAMETER_EXAMPLES: dict[str, dict[str, Any]] = {
    "article_slug": {"value": EXAMPLE_SLUG},
    "section_slug": {"value": SECTION},
    "limit": {"value": 1},
    "offset": {"value": 0},
    "updated_since": {"value": "2024-04-22T00:00:00Z"},
    "q": {"value": EXAMPLE_QUERY},
    "cursor": {"value": EXAMPLE_CURSOR},
    "article": {"value": EXAMPLE_SLUG},
    "language": {"value": "en"},
    "is_question": {"value": True},
    "sort": {"value": "relevance"},
    "facets": {"value": "language,is_question"},
    "format": {"value": "markdown"},
    "fields": {"value": "slug,heading"},  # sections; other routes' in FIELDS_EXAMPLES
    "since": {"value": "1"},
    "dry_run": {"value": True},
    "if-match": {"value": '"2c5cc9aa6c917e800c3cb735849c1566"'},
    "If-None-Match": {"value": ETAG},
}
# The shape of `updated_since` (FastAPI would say `format: date-time`, RFC 3339, which wants
# a zone): ISO 8601 date and time, seconds and zone optional (no zone: UTC), years 1000-8999
# (any zone keeps them inside the range of UTC dates), days 29-31 left out (they depend on
# the month).
ISO_DATE_TIME = (
    r"^[1-8][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]"
    r"(:[0-5][0-9](\.[0-9]{1,6})?)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$"
)
# `fields` names the fields of each route's items
FIELDS_EXAMPLES = {
    "list_articles": "slug,title,updated_at",
    "get_article": "title,sections.heading",
    "list_changes": "kind,article_slug",
    "search_sections": "heading,url,snippet",
}
PARAMETER_SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("list_articles", "updated_since"): {"type": "string", "pattern": ISO_DATE_TIME},
}

# The seed article as the parser reads it (tests/test_docs_examples.py checks it still is):
# the examples of the document are the answers the seed gets.
SEED_ARTICLE = Article.model_validate_json(
    resources.files("app.api").joinpath("seed_example.json").read_text(encoding="utf-8")
)
SECTION_EXAMPLE = next(
    section.model_dump(mode="json") for section in SEED_ARTICLE.sections if section.slug == SECTION
)
RETURNS_SECTION = {
    "slug": "can-i-get-my-money-back",
    "article_slug": "returns",
    "position": 1,
    "heading": "Can I get my money back?",
    "is_question": True,
    "level": 1,
    "parent_slug": None,
    "body": "Yes, within 30 days.",
    "body_markdown": "Yes, within 30 days.",
    "word_count": 4,
    "url": "/articles/returns/sections/can-i-get-my-money-back",
}
RETURNS = {
    "slug": "returns",
    "title": "Returns",
    "lead": "",
    "lead_markdown": "",
    "language": "en",
    "source": "returns",
    "origin": "http",
    "format": "markdown",
    "reading_time_minutes": None,
    "word_count": 10,
    "content_hash": "39a3331fc72b986662b831d7be2885561fb08af663a8151a2175552dde032b2b",
    "sections": [RETURNS_SECTION],
    "dropped": [],
}
RETURNS_MARKDOWN = "# Returns\n\n## Can I get my money back?\n\nYes, within 30 days.\n"
STORED_ARTICLE_EXAMPLE = {
    **SEED_ARTICLE.model_dump(mode="json"),
    "created_at": AT,
    "updated_at": AT,
}
# The JSON-LD of the article example: made by the code that serves it, so the two agree
FAQ_PAGE_EXAMPLE = faq_page(
    Article.model_validate(STORED_ARTICLE_EXAMPLE), base_url=None
).model_dump(mode="json")
# Its Markdown and HTML, and its section's, made the same way
_SECTION_DOCUMENTS = {
    "text/markdown": section_markdown(Section.model_validate(SECTION_EXAMPLE)),
    "text/html": section_html(Section.model_validate(SECTION_EXAMPLE)),
}
DOCUMENT_EXAMPLES: dict[str, dict[str, str]] = {
    "get_article": {
        "text/markdown": article_markdown(Article.model_validate(STORED_ARTICLE_EXAMPLE)),
        "text/html": article_html(Article.model_validate(STORED_ARTICLE_EXAMPLE)),
    },
    "get_article_section": _SECTION_DOCUMENTS,
    "get_section": _SECTION_DOCUMENTS,
}
SEARCH_EXAMPLE = {
    "query": EXAMPLE_QUERY,
    "total": 4,
    "limit": 1,
    "offset": 0,
    "corrections": [],
    "next_cursor": EXAMPLE_CURSOR,
    "facets": {},
    "hits": [
        {
            "article_slug": EXAMPLE_SLUG,
            "article_title": SEED_ARTICLE.title,
            "section_slug": "how-has-pakistan-responded-to-iran-israel-tensions",
            "heading": "How has Pakistan responded to Iran-Israel tensions?",
            "is_question": True,
            "language": "en",
            "url": f"/articles/{EXAMPLE_SLUG}/sections/"
            "how-has-pakistan-responded-to-iran-israel-tensions",
            "score": 0.175766,
            "confidence": 0.98,
            "snippet": "…scholar specializing in <mark>Pakistan’s</mark> foreign policy, shed some "
            "light on the background of Iran’s recent visit to <mark>Pakistan</mark>, noting "
            "that the Iranians had hinted at the possibility of a visit once "
            "<mark>Pakistan</mark> had a stable …",
            "text": "…scholar specializing in Pakistan’s foreign policy, shed some light on the "
            "background of Iran’s recent visit to Pakistan, noting that the Iranians had hinted "
            "at the possibility of a visit once Pakistan had a stable …",
            "highlights": [
                {"start": 25, "end": 35},
                {"start": 112, "end": 120},
                {"start": 193, "end": 201},
            ],
        }
    ],
}
SUCCESS_EXAMPLES: dict[str, Any] = {
    "get_index": INDEX_EXAMPLE,
    "list_articles": {
        "items": [
            {
                "slug": EXAMPLE_SLUG,
                "title": SEED_ARTICLE.title,
                "language": "en",
                "section_count": len(SEED_ARTICLE.sections),
                "url": f"/articles/{EXAMPLE_SLUG}",
                "origin": "file",
                "created_at": AT,
                "updated_at": AT,
            }
        ],
        "total": 1,
        "limit": 1,
        "offset": 0,
    },
    "get_article": STORED_ARTICLE_EXAMPLE,
    "list_article_sections": {"items": STORED_ARTICLE_EXAMPLE["sections"]},
    "get_article_section": SECTION_EXAMPLE,
    "get_section": SECTION_EXAMPLE,
    "search_sections": SEARCH_EXAMPLE,
    "list_changes": {
        "items": [
            {
                "cursor": "1",
                "kind": "created",
                "article_slug": EXAMPLE_SLUG,
                "previous_slug": None,
                "source": "raisi-visit-pakistan.txt",
                "origin": "file",
                "at": AT,
                "url": f"/articles/{EXAMPLE_SLUG}",
                "sections_added": [section.slug for section in SEED_ARTICLE.sections],
                "sections_changed": [],
                "sections_removed": [],
            }
        ],
        "next": "1",
        "more": False,
    },
    "put_article": {**RETURNS, "created_at": AT, "updated_at": AT},
    "check_liveness": {"status": "ok"},
    "check_readiness": {"status": "ok"},
}
PREVIEW_EXAMPLE = {"article": RETURNS, "warnings": []}
REQUEST_BODY_EXAMPLES = {
    "text/markdown": RETURNS_MARKDOWN,
    "text/plain": "Returns\n\nCan I get my money back?\n\nYes, within 30 days.\n",
    "text/html": "<h1>Returns</h1><h2>Can I get my money back?</h2><p>Yes, within 30 days.</p>",
}

# -- links ---------------------------------------------------------------------------------

# (operation, status) -> {link name: (target operation, {parameter: runtime expression})}
LINKS: dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("list_articles", "200"): {
        "GetArticle": ("get_article", {"article_slug": "$response.body#/items/0/slug"}),
        "ListSections": ("list_article_sections", {"article_slug": "$response.body#/items/0/slug"}),
    },
    ("get_article", "200"): {
        "GetSection": (
            "get_article_section",
            {
                "article_slug": "$response.body#/slug",
                "section_slug": "$response.body#/sections/0/slug",
            },
        ),
        "GetSectionBySlug": ("get_section", {"section_slug": "$response.body#/sections/0/slug"}),
        "ListSections": ("list_article_sections", {"article_slug": "$response.body#/slug"}),
        "SearchArticle": (
            "search_sections",
            {"q": "$response.body#/sections/0/heading", "article": "$response.body#/slug"},
        ),
    },
    ("list_article_sections", "200"): {
        "GetSection": (
            "get_article_section",
            {
                "article_slug": "$request.path.article_slug",
                "section_slug": "$response.body#/items/0/slug",
            },
        ),
    },
    ("get_article_section", "200"): {
        "GetArticle": ("get_article", {"article_slug": "$response.body#/article_slug"}),
    },
    ("get_section", "200"): {
        "GetArticle": ("get_article", {"article_slug": "$response.body#/article_slug"}),
        "GetSection": (
            "get_article_section",
            {
                "article_slug": "$response.body#/article_slug",
                "section_slug": "$response.body#/slug",
            },
        ),
    },
    ("search_sections", "200"): {
        "GetHitArticle": ("get_article", {"article_slug": "$response.body#/hits/0/article_slug"}),
        "GetHitSection": (
            "get_article_section",
            {
                "article_slug": "$response.body#/hits/0/article_slug",
                "section_slug": "$response.body#/hits/0/section_slug",
            },
        ),
        # The next page: the same query and filters, and the cursor the page gave
        "NextPage": (
            "search_sections",
            {
                "q": "$response.body#/query",
                "limit": "$response.body#/limit",
                "cursor": "$response.body#/next_cursor",
                "article": "$request.query.article",
                "language": "$request.query.language",
                "is_question": "$request.query.is_question",
            },
        ),
    },
    ("list_changes", "200"): {
        "NextChanges": ("list_changes", {"since": "$response.body#/next"}),
        "GetChangedArticle": (
            "get_article",
            {"article_slug": "$response.body#/items/0/article_slug"},
        ),
    },
    ("put_article", "201"): {
        # Location is /articles/{article_slug}: the article just created
        "GetCreated": ("get_article", {"article_slug": "$request.path.article_slug"}),
        "DeleteCreated": (
            "delete_article",
            {"article_slug": "$request.path.article_slug", "if-match": "$response.header.ETag"},
        ),
        "Replace": (
            "put_article",
            {"article_slug": "$request.path.article_slug", "if-match": "$response.header.ETag"},
        ),
    },
    ("put_article", "200"): {
        "GetReplaced": ("get_article", {"article_slug": "$request.path.article_slug"}),
        "DeleteReplaced": ("delete_article", {"article_slug": "$request.path.article_slug"}),
    },
    ("delete_article", "204"): {
        # Deleted: its URLs answer 410 Gone from now on
        "GetDeleted": ("get_article", {"article_slug": "$request.path.article_slug"}),
        "Recreate": ("put_article", {"article_slug": "$request.path.article_slug"}),
    },
}


# -- the document --------------------------------------------------------------------------


def problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Move each 4xx/5xx body schema from application/json to application/problem+json.

    FastAPI documents a `responses={...: {"model": Problem}}` entry as application/json; the
    server actually answers problem+json, and the document should say so.
    """
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[:1] in {"4", "5"} and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return schema


def add_edge_statuses(operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    for status, (description, example) in EDGE_PROBLEMS.items():
        if status == 429 and operation["operationId"] in UNLIMITED:
            continue
        responses.setdefault(
            str(status),
            {
                "description": description,
                "content": {
                    PROBLEM_MEDIA_TYPE: {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": example,
                    }
                },
            },
        )
    operation["responses"] = dict(sorted(responses.items()))


def add_headers(method: str, operation: dict[str, Any]) -> None:
    """Each response's headers (see HEADERS); a route's own declarations are kept."""
    responses = operation["responses"]
    conditional = "304" in responses
    for status, response in responses.items():
        headers: dict[str, bool] = dict.fromkeys(EVERY_ANSWER, True)
        headers.update(dict.fromkeys(SOMETIMES, False))
        if status == "304":
            headers.update({"ETag": True, "Cache-Control": True, "Vary": True})
        elif status.startswith("2"):
            headers["Cache-Control"] = True
            if conditional:
                headers.update({"ETag": True, "Content-Encoding": False})
            elif method == "put":
                # A dry run (200) answers no ETag: nothing was stored
                headers.update({"ETag": status == "201", "Content-Encoding": False})
            if status == "201":
                headers["Location"] = True
        elif status == "301":
            headers.update({"Location": True, "Cache-Control": True})
        elif status == "401":
            headers["WWW-Authenticate"] = True
        elif status == "405":
            headers["Allow"] = True
        elif status in {"429", "503"}:
            headers["Retry-After"] = True
        declared = response.setdefault("headers", {})
        for name, required in headers.items():
            declared.setdefault(name, header_ref(name, required=required))


def add_examples(operation: dict[str, Any]) -> None:
    operation_id = operation["operationId"]
    for parameter in operation.get("parameters", []):
        example = PARAMETER_EXAMPLES.get(parameter["name"])
        if parameter["name"] == "fields" and operation_id in FIELDS_EXAMPLES:
            example = {"value": FIELDS_EXAMPLES[operation_id]}
        if example is not None:
            parameter.setdefault("examples", {"example": example})
    for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
        if media_type in REQUEST_BODY_EXAMPLES:
            content.setdefault("example", REQUEST_BODY_EXAMPLES[media_type])
    for status, response in operation["responses"].items():
        content = response.get("content", {})
        if status.startswith("2") and operation_id in SUCCESS_EXAMPLES:
            json_body = content.get("application/json")
            if json_body is not None and "example" not in json_body:
                json_body["example"] = SUCCESS_EXAMPLES[operation_id]
        # Every JSON-LD answer is an article's FAQPage (app/api/jsonld.py)
        if status.startswith("2") and JSONLD_MEDIA_TYPE in content:
            content[JSONLD_MEDIA_TYPE].setdefault("example", FAQ_PAGE_EXAMPLE)
        for media_type, document in DOCUMENT_EXAMPLES.get(operation_id, {}).items():
            if status.startswith("2") and media_type in content:
                content[media_type].setdefault("example", document)
    if operation_id == "put_article":
        # The dry run's answer: the article as it would be stored, and the parser's warnings
        dry_run = operation["responses"]["200"]["content"]["application/json"]
        dry_run.pop("example", None)
        dry_run["examples"] = {
            "replaced": {
                "summary": "Replaced (200)",
                "value": {**RETURNS, "created_at": AT, "updated_at": AT},
            },
            "dry_run": {"summary": "With ?dry_run=true", "value": PREVIEW_EXAMPLE},
        }


def fix_parameter_schemas(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        fixed = PARAMETER_SCHEMAS.get((operation["operationId"], parameter["name"]))
        if fixed is not None:
            parameter["schema"] = {**fixed, "description": parameter.get("description", "")}


def add_conditional_request(operation: dict[str, Any]) -> None:
    """A conditional GET documents the `If-None-Match` it honours."""
    if "304" not in operation["responses"]:
        return
    parameters = operation.setdefault("parameters", [])
    if any(parameter["name"].lower() == "if-none-match" for parameter in parameters):
        return
    parameters.append(
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "ETags the client holds (either form, identity or `-gzip`; `*` for "
            "any): 304 Not Modified when one is current.",
            "schema": {"type": "string"},
        }
    )


def add_links(schema: dict[str, Any]) -> None:
    """OpenAPI links between the operations this document has (the write routes exist only
    with a write token)."""
    operations = {
        operation["operationId"]: operation
        for path_item in schema["paths"].values()
        for operation in path_item.values()
    }
    for (source, status), links in LINKS.items():
        if source not in operations or status not in operations[source]["responses"]:
            continue
        response = operations[source]["responses"][status]
        for name, (target, parameters) in links.items():
            if target not in operations:
                continue
            response.setdefault("links", {})[name] = {
                "operationId": target,
                "parameters": dict(parameters),
            }


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """The document FastAPI made, with what the routes cannot say themselves (see above)."""
    schema = problem_media_types(copy.deepcopy(schema))
    for path_item in schema["paths"].values():
        for method, operation in path_item.items():
            add_edge_statuses(operation)
            fix_parameter_schemas(operation)
            add_conditional_request(operation)
            add_headers(method, operation)
            add_examples(operation)
    add_links(schema)
    schema.setdefault("components", {})["headers"] = header_components()
    return schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
