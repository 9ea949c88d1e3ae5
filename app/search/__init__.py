"""Search shared by every store: analysis, query language, ranking, snippets, paging cursors."""

from app.search.cursor import decode_cursor, encode_cursor
from app.search.engine import SearchEngine

__all__ = ["SearchEngine", "decode_cursor", "encode_cursor"]
