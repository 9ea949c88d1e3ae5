"""Markdown -> blocks (placeholder until the CommonMark reader lands)."""

from app.parsing.blocks import ReadResult
from app.parsing.text_reader import read_text


def read_markdown(text: str) -> ReadResult:
    return ReadResult(read_text(text).blocks)
