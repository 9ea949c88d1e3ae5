"""Reader -> boilerplate rules -> heading detection -> section building."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.models import Article, SourceFormat


@dataclass(frozen=True)
class HeadingDecision:
    """Why a block became a section heading (for `parse --explain`)."""

    heading: str
    level: int
    heading_rule: str
    question_rule: str | None


@dataclass(frozen=True)
class ParsedArticle:
    article: Article
    decisions: list[HeadingDecision] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_article(
    data: bytes, *, source: str, source_format: SourceFormat | None = None
) -> ParsedArticle:
    """Parse one article. Raises app.errors.UnreadableSource for binary, undecodable or empty input."""
    raise NotImplementedError
