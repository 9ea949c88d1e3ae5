"""HTML -> blocks (placeholder until the main-content reader lands)."""

from app.parsing.blocks import ReadResult


def read_html(text: str) -> ReadResult:
    return ReadResult([])
