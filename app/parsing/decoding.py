"""Bytes -> text, refusing binary files and reporting what cannot be decoded.

The order, first match wins:
1. a byte-order mark (UTF-8, UTF-16 or UTF-32), or UTF-16 without one;
2. the charset an HTML or XML document declares (<meta charset>, http-equiv, <?xml encoding>),
   unless the bytes are valid UTF-8 with non-ASCII characters (a page re-saved as UTF-8);
3. strict UTF-8, or UTF-8 with a few stray bytes (a bad paste), which are replaced and reported;
4. the encoding chardet guesses, when the whole file decodes with it (a warning when its
   confidence is low; a near-zero single-byte guess is dropped);
5. windows-1252, with a warning.
"""

from __future__ import annotations

import codecs
import re

import chardet

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
# WHATWG Encoding: these labels name a superset that browsers decode them with.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "csshiftjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "windows-949": "cp949",
    "cseuckr": "cp949",
    "korean": "cp949",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "windows-874": "cp874",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-roman": "mac-roman",
    "unicode-1-1-utf-8": "utf-8",
    "unicode11utf8": "utf-8",
    "unicode20utf8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "unicode": "utf-16",
    "unicodefeff": "utf-16",
    "unicodefffe": "utf-16-be",
    "csunicode": "utf-16",
    "ucs-2": "utf-16",
    "iso-10646-ucs-2": "utf-16",
}
# The WHATWG encodings as Python codecs: a declared or guessed name outside this set (a typo,
# utf-7, unicode_escape, EBCDIC...) is not trusted to decode an article.
_WEB_CODECS = frozenset(
    {
        "utf-8",
        "cp866",
        *(f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)),
        "koi8-r",
        "koi8-u",
        "mac-roman",
        "mac-cyrillic",
        *(f"cp{n}" for n in (874, *range(1250, 1259))),
        "gb18030",
        "gbk",
        "gb2312",
        "big5hkscs",
        "big5",
        "cp932",
        "shift_jis",
        "shift_jis_2004",
        "euc_jp",
        "euc_jis_2004",
        "iso2022_jp",
        "cp949",
        "euc_kr",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
        "utf-32-le",
        "utf-32-be",
    }
)
_BOMS = (  # UTF-32 LE before UTF-16 LE: its mark starts with the same two bytes
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset=["']?([\w-]{2,40})""", re.IGNORECASE)
_XML_ENCODING = re.compile(
    rb"""\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([\w.:-]{2,40})["']""", re.IGNORECASE
)
_MARKUP_START = re.compile(rb"\s*<")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_NUL_SCAN_BYTES = 8192
# chardet's cost grows with the bytes it reads (up to its own 200 kB default): 64 kB from the
# first non-ASCII byte is plenty for a guess, and the whole file is decoded with it anyway.
_DETECT_MAX_BYTES = 65536
_DETECT_ERAS = chardet.EncodingEra.MODERN_WEB | chardet.EncodingEra.LEGACY_ISO
# Below this a guess is reported as a low-confidence one (chardet scores single-byte Latin
# encodings 0.4-0.5 even on whole articles: ISO-8859-2 and windows-1250 are near twins).
_CONFIDENT = 0.5
# Below this a single-byte guess is noise (several code pages tie at a few percent):
# windows-1252, the web's default, is no worse. A multi-byte guess (GBK, Big5, Shift_JIS...)
# that decodes the whole file strictly is evidence in itself, so it is kept.
_MIN_SINGLE_BYTE_CONFIDENCE = chardet.MINIMUM_THRESHOLD

_Decoded = tuple[str, str | None, str]  # the text, a warning, the Python codec that read it


def decode_source(data: bytes, *, charset: str | None = None) -> tuple[str, str | None]:
    """Decode an article's bytes (see the module docstring for the order); `charset`, the one
    a protocol names (HTTP's Content-Type), is followed strictly after a byte-order mark.

    Returns the text and a warning when the encoding was a low-confidence guess or a fallback.
    """
    if not data.strip():
        raise UnreadableSource("the file is empty")
    text, warning, encoding = _decode(data, charset)
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


def _decode(data: bytes, charset: str | None = None) -> _Decoded:
    """The text, a warning when a guess or a fallback was used, and the codec that read it."""
    for bom, encoding, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), None, encoding
            except UnicodeDecodeError as error:
                raise UnreadableSource(f"invalid {name}: {error.reason}") from error
    if data.startswith(codecs.BOM_UTF8):  # the mark settles it: stray bytes are replaced
        try:
            return data.decode("utf-8-sig"), None, "utf-8"
        except UnicodeDecodeError as error:
            return _utf8_with_strays(data, marked=True) or _fallback(data, error)
    if charset is not None:
        return _named(data, charset)
    if b"\x00" in data[:_NUL_SCAN_BYTES]:
        decoded = _bomless_utf16(data)
        if decoded is None:
            raise UnreadableSource("the file is binary (it contains NUL bytes), not an article")
        return decoded
    declared, note = _declared(data)
    if declared is not None:
        return declared
    try:
        decoded = data.decode("utf-8"), None, "utf-8"
    except UnicodeDecodeError as error:
        decoded = _utf8_with_strays(data) or _detected(data) or _fallback(data, error)
    if note is None:
        return decoded
    text, warning, encoding = decoded
    return text, f"{note}; {warning or f'decoded as {_display(encoding)}'}", encoding


def _named(data: bytes, charset: str) -> _Decoded:
    """The bytes read strictly with the charset a protocol named for them."""
    encoding = _web_encoding(charset)
    if encoding is None:
        raise UnreadableSource(f"the charset {charset!r} is not one this service reads")
    try:
        return data.decode(encoding), None, encoding
    except UnicodeDecodeError as error:
        raise UnreadableSource(
            f"the body is not valid {_display(encoding)} at byte {error.start}"
        ) from error


def _bomless_utf16(data: bytes) -> _Decoded | None:
    """UTF-16 without a byte-order mark: most NUL bytes, those of its ASCII characters
    (spaces, newlines, digits), fall on one side of each byte pair, and the whole file
    decodes strictly to text without control characters. Binary files fail a test."""
    sample = data[: _NUL_SCAN_BYTES - _NUL_SCAN_BYTES % 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for encoding, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        # A CJK character such as U+4E00 (一) puts a NUL on the other side now and then.
        if high <= low:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text[:20000]) is None:
            return text, None, encoding
    return None


def _declared(data: bytes) -> tuple[_Decoded | None, str | None]:
    """The document read with the charset it declares; else None and a note on the
    declaration when there is one that could not be followed.

    Only a document that opens with markup declares anything: a text or Markdown article
    may quote a <meta> tag. And a declared legacy charset loses to bytes that are valid
    UTF-8 with multi-byte characters in them, a page saved as UTF-8 with its old <meta> kept
    (legacy text is almost never valid UTF-8; browsers would show this page garbled)."""
    head = data[:4096]
    if _MARKUP_START.match(head) is None:
        return None, None
    found = _XML_ENCODING.match(head) or _DECLARED_CHARSET.search(head)
    if found is None:
        return None, None
    label = found.group(1).decode("ascii")
    encoding = _web_encoding(label)
    if encoding is None:
        return None, f"the declared charset {label!r} is not one this service reads"
    if encoding.startswith(("utf-16", "utf-32")):  # the label itself was read as ASCII
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None, f"the file is not {_display(encoding)} as it declares"
    if encoding != "utf-8" and not data.isascii():
        try:
            utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            note = f"the file declares {_display(encoding)} but is UTF-8; decoded as UTF-8"
            return (utf8, note, "utf-8"), None
    return (text, None, encoding), None


def _utf8_with_strays(data: bytes, *, marked: bool = False) -> _Decoded | None:
    """Real UTF-8 with a few stray bytes (a bad paste): the bytes replaced by U+FFFD and
    reported. Legacy text (GBK, Shift_JIS...) forms a valid UTF-8 multi-byte sequence only
    now and then, among many more invalid bytes: it is left to the detector."""
    text = data.decode("utf-8-sig", errors="replace")
    invalid = text.count("\ufffd")
    if not marked:
        if invalid > max(_MAX_STRAY_BYTES, len(data) * _MAX_STRAY_BYTE_SHARE):
            return None
        non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
        if non_ascii - invalid < invalid:  # fewer valid multi-byte characters than strays
            return None
    return text, f"{invalid} byte(s) that are not valid UTF-8 replaced by U+FFFD", "utf-8"


def _detected(data: bytes) -> _Decoded | None:
    """chardet's best guess that decodes the whole file, with a warning when its confidence
    is low. When the first non-ASCII byte comes late, chardet reads from there on: an ASCII
    preamble (an HTML head, an English licence note) says nothing about the encoding."""
    first = _NON_ASCII.search(data)
    start = first.start() if first is not None and first.start() > _DETECT_MAX_BYTES // 2 else 0
    window = data[start : start + _DETECT_MAX_BYTES]
    # Python codec names; no superset renaming (it turns ISO-8859-2 into windows-1250, which
    # garbles Polish and Czech), stated since chardet 8 will rename by default.
    guesses = chardet.detect_all(
        window, encoding_era=_DETECT_ERAS, compat_names=False, prefer_superset=False
    )
    for guess in guesses:
        name, confidence = guess["encoding"], guess["confidence"]
        encoding = _web_encoding(name) if name is not None else None
        if encoding is None or encoding == "utf-8":  # UTF-8 was tried before
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue  # the window fitted, the rest of the file does not
        if len(text) == len(data) and confidence < _MIN_SINGLE_BYTE_CONFIDENCE:
            return None  # a single-byte guess among ties: no better than windows-1252
        if confidence >= _CONFIDENT:
            return text, None, encoding
        warning = f"not UTF-8; guessed {_display(encoding)} with low confidence ({confidence:.0%})"
        return text, warning, encoding
    return None


def _fallback(data: bytes, utf8_error: UnicodeDecodeError) -> _Decoded:
    try:
        warning = f"not UTF-8 ({utf8_error.reason}); decoded as windows-1252"
        return data.decode("cp1252"), warning, "cp1252"
    except UnicodeDecodeError as error:
        raise UnreadableSource(
            f"not valid UTF-8 at byte {utf8_error.start} and not windows-1252 either"
        ) from error


def _web_encoding(label: str) -> str | None:
    """The Python codec a browser reads a charset label with (WHATWG Encoding): latin-1
    and ASCII labels as windows-1252, GB2312 as GB18030, Big5 as Big5-HKSCS, Shift_JIS as
    windows-31J, EUC-KR as windows-949. None for a label that names no encoding of the web."""
    label = label.strip().lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    label = _SUPERSETS.get(label, label)
    try:
        encoding = codecs.lookup(label).name
    except LookupError:
        return None
    if encoding in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return encoding if encoding in _WEB_CODECS else None


_NAMES = {
    "utf-8": "UTF-8",
    "cp932": "Shift_JIS",
    "cp949": "EUC-KR",
    "big5hkscs": "Big5",
    "euc_jis_2004": "EUC-JP",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
}


def _display(encoding: str) -> str:
    """A codec's usual name: windows-1251, ISO-8859-2, GB18030, Shift_JIS..."""
    if encoding in _NAMES:
        return _NAMES[encoding]
    if re.fullmatch(r"cp12\d\d", encoding):
        return f"windows-{encoding[2:]}"
    if encoding.startswith("iso8859-"):
        return f"ISO-8859-{encoding[8:]}"
    return encoding.upper().replace("_", "-")
