"""Bytes -> text, refusing binary files and reporting what cannot be decoded."""

from __future__ import annotations

import re

from app.errors import UnreadableSource

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_MAX_CONTROL_SHARE = 0.01
_MAX_STRAY_BYTES = 8
_MAX_STRAY_BYTE_SHARE = 0.001
_WINDOWS_1252_LABELS = frozenset(
    {
        "iso-8859-1",
        "iso8859-1",
        "latin1",
        "latin-1",
        "l1",
        "ascii",
        "us-ascii",
        "windows-1252",
        "cp1252",
        "x-cp1252",
        "iso_8859-1",
        "cp819",
        "ibm819",
    }
)
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset=["']?([\w-]{2,40})""", re.IGNORECASE)


def decode_source(data: bytes) -> tuple[str, str | None]:
    """Decode UTF-8 (with or without BOM), a declared HTML charset, or windows-1252.

    Returns the text and a warning when a fallback encoding was used.
    """
    if not data.strip():
        raise UnreadableSource("the file is empty")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableSource("the file is binary (it contains NUL bytes), not an article")
    text, warning, encoding = _decode(data)
    sample = text[:20000]
    if _may_hold_controls(data, encoding) and _share(_CONTROL, sample) > _MAX_CONTROL_SHARE:
        raise UnreadableSource("the file is binary (control characters), not an article")
    if not text.strip():
        raise UnreadableSource("the file holds only whitespace")
    return text, warning


def _may_hold_controls(data: bytes, encoding: str) -> bool:
    """False when the text cannot hold a control character: in UTF-8, UTF-16 and
    windows-1252 every control character is written with that byte, so bytes without one
    decode to text without one. This byte scan is far cheaper than a scan of the text."""
    if encoding not in ("utf-8", "utf-16", "cp1252"):
        return True
    return len(data.translate(None, _CONTROL_BYTES)) != len(data)


def _share(pattern: re.Pattern[str], text: str) -> float:
    return len(pattern.findall(text)) / len(text) if text else 0.0


def _decode(data: bytes) -> tuple[str, str | None, str]:
    """The text, a warning when a fallback was used, and the encoding that read it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None, "utf-16"
        except UnicodeDecodeError as error:
            raise UnreadableSource(f"invalid UTF-16: {error.reason}") from error
    try:
        return data.decode("utf-8-sig"), None, "utf-8"
    except UnicodeDecodeError as utf8_error:
        first_error = utf8_error
    declared = _DECLARED_CHARSET.search(data[:4096])
    if declared is not None:
        encoding = _web_encoding(declared.group(1).decode("ascii"))
        if encoding != "utf-8":
            try:
                return data.decode(encoding), None, encoding
            except (LookupError, UnicodeDecodeError):
                pass
    text = data.decode("utf-8-sig", errors="replace")
    invalid = text.count("\ufffd")
    valid_multibyte = any(ord(char) > 0x7F and char != "\ufffd" for char in text)
    if valid_multibyte and invalid <= max(_MAX_STRAY_BYTES, len(data) * _MAX_STRAY_BYTE_SHARE):
        # Real UTF-8 with a few stray bytes (a bad paste): keep the text, mark the bytes.
        # Text with no valid multi-byte sequence at all is a legacy encoding instead.
        return text, f"{invalid} byte(s) that are not valid UTF-8 replaced by U+FFFD", "utf-8"
    try:
        warning = f"not UTF-8 ({first_error.reason}); decoded as windows-1252"
        return data.decode("cp1252"), warning, "cp1252"
    except UnicodeDecodeError as error:
        raise UnreadableSource(
            f"not valid UTF-8 at byte {first_error.start} and not windows-1252 either"
        ) from error


def _web_encoding(label: str) -> str:
    """Browsers read latin-1 and ASCII labels as windows-1252 (WHATWG Encoding)."""
    label = label.strip().lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    return "utf-8" if label in ("utf8", "utf-8") else label
