"""An article as search documents: one per section, plus one for the lead.

Every store indexes these, so what is searchable (and how it is analysed) is decided in one
place: heading, article title and body, in the article's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models import Article, Section
from app.search.analysis import analyse_field, primary_language
from app.search.scoring import pack_tf

# Separates fields in a stored token stream, so a phrase never spans two fields.
FIELD_SEPARATOR = " | "


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One searchable unit with its analysed terms."""

    position: int  # 0 for the lead
    section: Section | None
    heading: str | None
    body: str
    url: str
    is_question: bool
    heading_length: int
    title_length: int
    body_length: int
    packed_frequencies: dict[str, int]
    stream: str
    surfaces: dict[str, str]  # a readable word per term, for 'did you mean'


def article_url(slug: str) -> str:
    return f"/articles/{slug}"


def _document(
    article: Article, position: int, section: Section | None, heading: str, body: str
) -> SearchDocument:
    language = primary_language(article.language)
    heading_terms = analyse_field(heading, language)
    title_terms = analyse_field(article.title, language)
    body_terms = analyse_field(body, language)
    terms = (
        heading_terms.frequencies.keys()
        | title_terms.frequencies.keys()
        | body_terms.frequencies.keys()
    )
    packed = {
        term: pack_tf(
            heading_terms.frequencies.get(term, 0),
            title_terms.frequencies.get(term, 0),
            body_terms.frequencies.get(term, 0),
        )
        for term in terms
    }
    stream = FIELD_SEPARATOR.join(
        " ".join(field.stream) for field in (heading_terms, title_terms, body_terms)
    )
    return SearchDocument(
        position=position,
        section=section,
        heading=heading or None,
        body=body,
        url=section.url if section else article_url(article.slug),
        is_question=section.is_question if section else False,
        heading_length=heading_terms.length,
        title_length=title_terms.length,
        body_length=body_terms.length,
        packed_frequencies=packed,
        stream=f" {stream} ",
        surfaces={**body_terms.surfaces, **title_terms.surfaces, **heading_terms.surfaces},
    )


def search_documents(article: Article) -> list[SearchDocument]:
    """The lead (if it has text) and every section of the article."""
    documents: list[SearchDocument] = []
    if article.lead.strip():
        documents.append(_document(article, 0, None, "", article.lead))
    for section in article.sections:
        documents.append(
            _document(article, section.position, section, section.heading, section.body)
        )
    return documents
