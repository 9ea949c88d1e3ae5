"""Pydantic models: the public JSON contract of articles, sections, search and errors."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.parsing.rules import DROP_REASONS_DOC, DropReason

SourceFormat = Literal["text", "markdown", "html"]
Origin = Literal["file", "http"]
ChangeKind = Literal["created", "updated", "deleted"]
# A problem's `instance` (the request path, percent-encoded) is cut to this many characters.
MAX_INSTANCE_CHARS = 200


class DroppedText(BaseModel):
    """A piece of the source the parser removed, and the named rule that removed it."""

    text: str
    reason: DropReason = Field(description=DROP_REASONS_DOC)


class Section(BaseModel):
    """One heading-led part of an article: the unit users address and search."""

    model_config = ConfigDict(frozen=True)

    slug: str = Field(description="Unique within the article; a pure function of the heading.")
    article_slug: str
    position: int = Field(ge=1, description="1-based order in the article.")
    heading: str
    is_question: bool
    level: int = Field(ge=1, description="1 = top level.")
    parent_slug: str | None = Field(description="Slug of the enclosing section; null at top level.")
    body: str = Field(
        description="Plain text: paragraphs joined by a blank line (the text of `body_markdown`)."
    )
    body_markdown: str = Field(
        description="The body in CommonMark (GFM tables): emphasis, links, lists, quotes, code "
        "and tables where the source has them; `body` is its plain text."
    )
    word_count: int = Field(ge=0)
    url: str = Field(description="Canonical path of this section.")

    @model_validator(mode="before")
    @classmethod
    def _markdown_of_older_data(cls, data: Any) -> Any:
        return _with_markdown(data, "body", "body_markdown")


class Article(BaseModel):
    """A parsed article: lead, sections and everything that was dropped, with reasons."""

    model_config = ConfigDict(frozen=True)

    slug: str
    title: str
    lead: str = Field(description="Text before the first heading.")
    lead_markdown: str = Field(description="The lead in CommonMark, as `body_markdown`.")
    language: str = Field(description="BCP 47 primary language tag, e.g. 'en'; 'und' if unknown.")
    source: str = Field(
        description="Where the article was read from: for a file, its path relative to the "
        "articles folder (e.g. `help/faq.md`); for an article written over HTTP, its slug."
    )
    origin: Origin = Field(
        default="file", description="`file`: read from the articles folder; `http`: written by PUT."
    )
    format: SourceFormat
    reading_time_minutes: int | None
    word_count: int = Field(ge=0)
    content_hash: str = Field(description="sha256 of the source bytes.")
    sections: list[Section]
    dropped: list[DroppedText]

    @model_validator(mode="before")
    @classmethod
    def _markdown_of_older_data(cls, data: Any) -> Any:
        return _with_markdown(data, "lead", "lead_markdown")


def _with_markdown(data: Any, plain_field: str, markdown_field: str) -> Any:
    """Data from before bodies had a Markdown form (backups, stored skeletons) gets the
    Markdown of its plain text."""
    if isinstance(data, dict) and markdown_field not in data and plain_field in data:
        # Imported here: the models must not load the parser to be used
        from app.parsing.body_markdown import markdown_of_plain

        return {**data, markdown_field: markdown_of_plain(str(data[plain_field]))}
    return data


class StoredArticle(Article):
    """An article as the store serves it: the parsed Article plus when it was stored.

    The timestamps are the store's metadata, not the parser's: the same bytes still parse to
    the same Article."""

    created_at: str = Field(description="When the article was first stored (ISO 8601, UTC).")
    updated_at: str = Field(description="When its content last changed (ISO 8601, UTC).")

    def parsed(self) -> Article:
        """The Article alone, without the store's timestamps."""
        return Article(**{name: getattr(self, name) for name in Article.model_fields})


class ArticlePreview(BaseModel):
    """What a write would store (`?dry_run=true`): the parsed article and the parser's
    warnings; nothing is stored."""

    article: Article
    warnings: list[str]


class ArticleSummary(BaseModel):
    """One row of the article list."""

    slug: str
    title: str
    language: str
    section_count: int = Field(ge=0)
    url: str
    origin: Origin
    created_at: str = Field(description="ISO 8601, UTC.")
    updated_at: str = Field(description="ISO 8601, UTC.")


class ArticlePage(BaseModel):
    """A page of the article list."""

    items: list[ArticleSummary]
    total: int = Field(ge=0)
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)


class SectionList(BaseModel):
    """All sections of one article, in order."""

    items: list[Section]


class Change(BaseModel):
    """One committed change to an article, in the order the store committed them."""

    cursor: str = Field(description="Pass as `since` to list only the changes after this one.")
    kind: ChangeKind
    article_slug: str
    previous_slug: str | None = Field(
        default=None, description="The article's slug before this change, when it moved."
    )
    source: str
    origin: Origin
    at: str = Field(description="When the change was committed (ISO 8601, UTC).")
    url: str = Field(description="The article's URL (410 Gone after a deletion).")
    sections_added: list[str] = Field(description="Slugs of sections that are new.")
    sections_changed: list[str] = Field(description="Slugs of sections whose content changed.")
    sections_removed: list[str] = Field(description="Slugs of sections that are gone.")


class ChangePage(BaseModel):
    """A page of the change feed."""

    items: list[Change]
    next: str = Field(description="Cursor for the next poll: pass it as `since`.")
    more: bool = Field(description="True when more changes are waiting after this page.")


class Highlight(BaseModel):
    """A matched span inside a snippet, as character offsets into the plain snippet text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class SearchHit(BaseModel):
    """A section (or an article's lead) that answers a query."""

    article_slug: str
    article_title: str
    section_slug: str | None = Field(description="Null when the hit is the article's lead.")
    heading: str | None = Field(description="Null for the lead.")
    is_question: bool
    language: str
    url: str
    score: float = Field(description="Higher is better; comparable within one response only.")
    confidence: float = Field(
        ge=0.0,
        le=1.0,
        description="How likely this hit answers the query (calibrated on judged queries: of"
        " hits with confidence 0.7, about 70% answer). Below 0.5 treat it as no answer; only"
        " the best-scored hit (or hits tied with it) can reach 0.5.",
    )
    snippet: str = Field(description="HTML: matched words in <mark>, everything else escaped.")
    text: str = Field(description="The same snippet as plain text; highlights index into it.")
    highlights: list[Highlight]


class Correction(BaseModel):
    """A query word that matched nothing, and the indexed word search used instead."""

    original: str
    corrected: str


class SearchResults(BaseModel):
    """One page of search hits."""

    query: str
    total: int = Field(ge=0)
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)
    corrections: list[Correction] = Field(
        default_factory=list, description="'Did you mean': query words that were corrected."
    )
    next_cursor: str | None = Field(default=None, description="Opaque cursor of the next page.")
    facets: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="Counts over every match (all pages), per facet asked for with `facets`:"
        ' e.g. {"language": {"en": 12, "de": 3}}; `is_question` counts under "true" and'
        ' "false". Empty when no facet was asked for.',
    )
    hits: list[SearchHit]


def _omitted_when_absent(schema: dict[str, Any]) -> None:
    """An extension member is left out of a problem that does not carry it, never null: its
    schema is the member's own (no null branch, no `default: null`)."""
    schema.pop("default", None)
    branches = schema.pop("anyOf", None)
    if branches is not None:
        (present,) = (branch for branch in branches if branch.get("type") != "null")
        schema.update(present)


class InvalidParam(BaseModel):
    """One invalid request parameter of a 422 (`errors`); the value sent is never echoed."""

    model_config = ConfigDict(populate_by_name=True)

    in_: str = Field(
        alias="in",
        serialization_alias="in",
        description="Where the parameter is: `query`, `path`, `header` or `body`.",
    )
    name: str = Field(description="The parameter's name (`limit`, `article_slug`, ...).")
    reason: str = Field(description="Why its value was refused.")


class Problem(BaseModel):
    """RFC 9457 problem details. Extension members carry the specifics of a problem family
    and are absent from the others: `suggestions` (404 of a slug), `candidates` (409 of an
    ambiguous section slug), `errors` (422), `source` (409 of an article owned by a file),
    `request_id` (every problem). Clients must ignore members they do not know."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    type: str = Field(
        default="about:blank",
        description="A URI naming the problem type: `tag:article-qa,2024:problem:<kind>` for "
        "the API's own problems, `about:blank` for plain HTTP ones.",
    )
    title: str = Field(description="Short summary of the problem type.")
    status: int = Field(ge=100, le=599, description="The HTTP status code of the answer.")
    detail: str = Field(
        description="What went wrong with this request. Values taken from the request (a slug, "
        "a path) appear percent-encoded and cut short, never as sent."
    )
    instance: str | None = Field(
        default=None,
        description="The request path, percent-encoded (RFC 3986) and cut to "
        f"{MAX_INSTANCE_CHARS} characters.",
        max_length=MAX_INSTANCE_CHARS,
    )
    request_id: str | None = Field(
        default=None,
        description="The answer's `X-Request-ID`, to quote when reporting the problem.",
        pattern=r"^[A-Za-z0-9._:-]{1,128}$",
        json_schema_extra=_omitted_when_absent,
    )
    suggestions: list[str] | None = Field(
        default=None,
        description="404 of a slug: the nearest existing slugs, best first (may be empty).",
        json_schema_extra=_omitted_when_absent,
    )
    candidates: list[str] | None = Field(
        default=None,
        description="409 of an ambiguous section slug: the canonical URLs of the sections "
        "that have it.",
        json_schema_extra=_omitted_when_absent,
    )
    errors: list[InvalidParam] | None = Field(
        default=None,
        description="422: each invalid parameter.",
        json_schema_extra=_omitted_when_absent,
    )
    source: str | None = Field(
        default=None,
        description="409 of a write to an article read from a file: that file, relative to "
        "the articles folder.",
        json_schema_extra=_omitted_when_absent,
    )


class Health(BaseModel):
    """Liveness or readiness answer."""

    status: Literal["ok"]
