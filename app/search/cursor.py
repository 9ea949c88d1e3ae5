"""Opaque paging cursors: today they carry the next offset, tomorrow they may carry more."""

from __future__ import annotations

import base64
import binascii

_PREFIX = "o:"
MAX_OFFSET = 10_000


def encode_cursor(offset: int) -> str:
    """A URL-safe token for the page that starts at `offset`."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset a cursor stands for; ValueError for anything this module did not make."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise ValueError("not a search cursor") from error
    digits = text[len(_PREFIX) :]
    if not text.startswith(_PREFIX) or not digits.isdigit() or len(digits) > 6:
        raise ValueError("not a search cursor")
    offset = int(digits)
    if offset > MAX_OFFSET:
        raise ValueError("cursor beyond the last page that can be served")
    return offset
