"""Bytes to text: encodings users really send, and what cannot be read."""

from __future__ import annotations

import pytest

from app.errors import UnreadableSource
from app.parsing.decoding import decode_source


@pytest.mark.parametrize(
    ("data", "text", "warned"),
    [
        pytest.param("Grüße".encode(), "Grüße", False, id="utf-8"),
        pytest.param("\ufeffGrüße".encode(), "Grüße", False, id="utf-8-bom"),
        pytest.param("Grüße".encode("utf-16"), "Grüße", False, id="utf-16-bom"),
        pytest.param("Café crème".encode("latin-1"), "Café crème", True, id="legacy-latin-1"),
        pytest.param(
            "Grüße aus Köln".encode() + b"\xff", "Grüße aus Köln\ufffd", True, id="stray-byte"
        ),
        pytest.param(
            b"<meta charset=iso-8859-1><p>It\x92s \x93quoted\x94</p>",
            "<meta charset=iso-8859-1><p>It’s “quoted”</p>",
            False,
            id="latin-1-label-read-as-windows-1252",
        ),
    ],
)
def test_decodes(data: bytes, text: str, warned: bool) -> None:
    decoded, warning = decode_source(data)
    assert decoded == text
    assert (warning is not None) == warned


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b" \n\t ", id="whitespace"),
        pytest.param(b"\x00\x01\x02PK\x03\x04" * 50, id="binary-nul"),
        pytest.param(bytes(range(1, 32)) * 40, id="control-characters"),
    ],
)
def test_refuses(data: bytes) -> None:
    with pytest.raises(UnreadableSource):
        decode_source(data)
