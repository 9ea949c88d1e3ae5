"""Pure parsing: source bytes in, Article out. No I/O, no web, no database."""

from app.parsing.pipeline import HeadingDecision, ParsedArticle, parse_article

__all__ = ["HeadingDecision", "ParsedArticle", "parse_article"]
