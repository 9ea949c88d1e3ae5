"""Bytes -> text, refusing binary files and reporting what cannot be decoded."""

from __future__ import annotations

import re

from app.errors import UnreadableSource

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.01
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset=["']?([\w-]{2,40})""", re.IGNORECASE)


def decode_source(data: bytes) -> tuple[str, str | None]:
    """Decode UTF-8 (with or without BOM), a declared HTML charset, or windows-1252.

    Returns the text and a warning when a fallback encoding was used.
    """
    if not data.strip():
        raise UnreadableSource("the file is empty")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableSource("the file is binary (it contains NUL bytes), not an article")
    text, warning = _decode(data)
    sample = text[:20000]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > _MAX_CONTROL_SHARE:
        raise UnreadableSource("the file is binary (control characters), not an article")
    if not text.strip():
        raise UnreadableSource("the file holds only whitespace")
    return text, warning


def _decode(data: bytes) -> tuple[str, str | None]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as error:
            raise UnreadableSource(f"invalid UTF-16: {error.reason}") from error
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as utf8_error:
        declared = _DECLARED_CHARSET.search(data[:4096])
        for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["cp1252"]:
            try:
                text = data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
            return text, f"not valid UTF-8 ({utf8_error.reason}); decoded as {encoding}"
        raise UnreadableSource(
            f"not valid UTF-8 at byte {utf8_error.start} and no other encoding fits"
        ) from utf8_error
