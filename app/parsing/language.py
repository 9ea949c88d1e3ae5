"""The article's language: from the page when it says, else detected from the text."""

from __future__ import annotations

import re

import py3langid

UNDETERMINED = "und"
_MIN_DETECTION_CHARS = 40
# A couple of paragraphs identify the language as well as the whole text, much faster.
_DETECTION_SAMPLE_CHARS = 1500
_TAG = re.compile(r"^[a-zA-Z]{2,3}(?=$|[-_])")


def normalize_language_tag(tag: str | None) -> str | None:
    """'en-US' -> 'en', 'de_DE' -> 'de'; None for anything that is not a language tag."""
    if not tag:
        return None
    match = _TAG.match(tag.strip())
    return match.group(0).lower() if match else None


def detect_language(text: str) -> str:
    sample = text[:_DETECTION_SAMPLE_CHARS]
    if len(sample.strip()) < _MIN_DETECTION_CHARS:
        return UNDETERMINED
    code, _score = py3langid.classify(sample)
    return str(code)
