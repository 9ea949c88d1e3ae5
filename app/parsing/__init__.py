"""Pure parsing: source bytes in, Article out. No I/O, no web, no database.

The pipeline (and the HTML extraction and language models it brings) is imported on first
use: a server that only reads its store starts without loading any of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.parsing.pipeline import HeadingDecision, ParsedArticle, parse_article

__all__ = ["HeadingDecision", "ParsedArticle", "parse_article"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from app.parsing import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
