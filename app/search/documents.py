"""An article as search documents: one per section, plus one for the lead.

Every store indexes these, so what is searchable (and how it is analysed) is decided in one
place: heading, article title and body, in the article's language.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import lru_cache

from app.models import Article, Section
from app.parsing.slugs import path_segment
from app.search.analysis import FieldAnalysis, analyse_field, primary_language
from app.search.scoring import TF_MAX, pack_tf

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
    # The analysed terms in order (fields apart), as the store keeps them: compressed here,
    # where an article is analysed (in a worker process during a bulk ingest).
    compressed_stream: bytes
    surfaces: dict[str, str]  # a readable word per term, for 'did you mean'


def compress_stream(stream: str) -> bytes:
    """An analysed stream as stored: it is read only for phrase checks, and compressed it
    takes half the room."""
    return zlib.compress(stream.encode("utf-8"))


def decompress_stream(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")


def article_url(slug: str) -> str:
    return f"/articles/{path_segment(slug)}"


# A body term's packed frequency, by its count: most terms occur in the body alone.
_BODY_ONLY = tuple(pack_tf(0, 0, count) for count in range(TF_MAX + 1))
# The heading and title terms' counts are small: few distinct triples, packed once each.
_pack = lru_cache(maxsize=4096)(pack_tf)


def _packed_frequencies(
    heading: dict[str, int], title: dict[str, int], body: dict[str, int]
) -> dict[str, int]:
    """pack_tf of every term's three field frequencies."""
    try:
        packed = dict(zip(body, map(_BODY_ONLY.__getitem__, body.values()), strict=True))
    except IndexError:  # a count above TF_MAX
        packed = {term: pack_tf(0, 0, count) for term, count in body.items()}
    for term in heading.keys() | title.keys():
        packed[term] = _pack(heading.get(term, 0), title.get(term, 0), body.get(term, 0))
    return packed


def _document(
    article: Article,
    position: int,
    section: Section | None,
    heading: str,
    body: str,
    title_terms: FieldAnalysis,
) -> SearchDocument:
    language = primary_language(article.language)
    heading_terms = analyse_field(heading, language)
    body_terms = analyse_field(body, language)
    stream = FIELD_SEPARATOR.join(
        [" ".join(heading_terms.stream), " ".join(title_terms.stream), " ".join(body_terms.stream)]
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
        packed_frequencies=_packed_frequencies(
            heading_terms.frequencies, title_terms.frequencies, body_terms.frequencies
        ),
        compressed_stream=compress_stream(f" {stream} "),
        surfaces={**body_terms.surfaces, **title_terms.surfaces, **heading_terms.surfaces},
    )


def search_documents(article: Article) -> list[SearchDocument]:
    """The lead (if it has text) and every section of the article."""
    # Every document holds the title: analysed once per article.
    title_terms = analyse_field(article.title, primary_language(article.language))
    documents: list[SearchDocument] = []
    if article.lead.strip():
        documents.append(_document(article, 0, None, "", article.lead, title_terms))
    for section in article.sections:
        documents.append(
            _document(
                article, section.position, section, section.heading, section.body, title_terms
            )
        )
    return documents
