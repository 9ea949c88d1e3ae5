"""The article's language: from the page when it says, else detected from the text.

Detection first counts a few very common function words per language: on ordinary prose
one language wins clearly and that costs microseconds. Only when no language wins does it
ask py3langid, which is accurate but costs about a millisecond per call.
"""

from __future__ import annotations

import re
from collections import Counter

import py3langid

from app.parsing.blocks import word_set

UNDETERMINED = "und"
_MIN_DETECTION_CHARS = 40
_LANGID_SAMPLE_CHARS = 800
_PROFILE_SAMPLE_WORDS = 120
_MIN_PROFILE_HITS = 8
_MIN_PROFILE_MARGIN = 2.0
_MIN_CJK_SHARE = 0.3
_MIN_KANA_SHARE = 0.1
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_ANY_CJK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff]"
)
# A run of letters of a script written with spaces between words.
_OTHER_WORD = re.compile(
    r"[^\W\d_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff]+"
)
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_TAG = re.compile(r"^[a-zA-Z]{2,3}(?=$|[-_])")
_WORD = re.compile(r"\w+")


_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": word_set("the and of to is in that it for was with on are as this be have by"),
    "de": word_set("der die und das ist nicht mit den ein eine sie es zu auf sich dem auch im"),
    "es": word_set("el la de que y en los las del se por un una con para es al lo"),
    "fr": word_set("le la les de des et est un une du en que qui dans pour pas sur au"),
    "it": word_set("il di che e la per un una non sono del della gli le con è si nel"),
    "pt": word_set("o a os as de que e do da em um uma para não com é dos das"),
    "nl": word_set("de het een en van is dat op te in niet zijn met voor die er aan ook"),
    "ru": word_set("и в не на что с по это как к из у о за от для но так"),
    # Only words Russian does not share: the common ones (в, не, на, по, за) count for it.
    "uk": word_set("і та що з як це від але його її є щоб або також вже їх після"),
}

# The same table read the other way: a word's languages, for one pass over the words.
_LANGUAGES_BY_WORD: dict[str, tuple[str, ...]] = {
    word: tuple(language for language, words in _FUNCTION_WORDS.items() if word in words)
    for word in frozenset().union(*_FUNCTION_WORDS.values())
}


def normalize_language_tag(tag: str | None) -> str | None:
    """'en-US' -> 'en', 'de_DE' -> 'de'; None for anything that is not a language tag."""
    if not tag:
        return None
    match = _TAG.match(tag.strip())
    return match.group(0).lower() if match else None


def preload_language_model() -> None:
    """Load py3langid's model now (about a second), not on the first article that needs it:
    a server calls this in the background so that the first live change is served quickly."""
    py3langid.classify("warm up the language model")


def detect_language(text: str) -> str:
    sample = _sample(text)
    if (by_script := _by_script(sample)) is not None:
        return by_script  # a few CJK characters are enough, so this comes first
    if len(sample.strip()) < _MIN_DETECTION_CHARS:
        return UNDETERMINED
    return _by_function_words(sample) or str(py3langid.classify(sample)[0])


def choose_language(declared: str | None, text: str) -> str:
    """The page's declared language, unless its text is clearly in another one (a
    translated site serving an untranslated article keeps the site's `lang`)."""
    if declared is None:
        return detect_language(text)
    if len(text.strip()) < _MIN_DETECTION_CHARS:
        return declared
    evident = confident_language(text)
    return evident if evident is not None and evident != declared else declared


def confident_language(text: str) -> str | None:
    """A language the text shows beyond doubt (by script or by common words), else None."""
    sample = _sample(text)
    return _by_script(sample) or _by_function_words(sample)


def _sample(text: str) -> str:
    """At most 800 characters: the opening and the middle. An opening alone may be a
    preamble in another language (a translator's note, an English licence header)."""
    if len(text) <= _LANGID_SAMPLE_CHARS:
        return text
    half = _LANGID_SAMPLE_CHARS // 2
    middle = len(text) // 2
    return f"{text[:half]}\n{text[middle : middle + half]}"


def _by_script(text: str) -> str | None:
    """Chinese, Japanese and Korean by their scripts: no statistical model needed."""
    if text.isascii() or _ANY_CJK.search(text) is None:
        return None  # most text: one scan, no counting
    han = len(_HAN.findall(text))
    kana = len(_KANA.findall(text))
    hangul = len(_HANGUL.findall(text))
    # Compared by words: a CJK character is about one, a Latin word several letters.
    cjk = han + kana + hangul
    if cjk < _MIN_CJK_SHARE * (cjk + len(_OTHER_WORD.findall(text))):
        return None
    if hangul > han + kana:
        return "ko"
    return "ja" if kana >= _MIN_KANA_SHARE * (han + kana) else "zh"


def _by_function_words(text: str) -> str | None:
    words = _WORD.findall(text.casefold())
    # Most words are no function word: filtered and counted in C, then spread over languages.
    found = Counter(filter(_LANGUAGES_BY_WORD.__contains__, words[:_PROFILE_SAMPLE_WORDS]))
    counts = dict.fromkeys(_FUNCTION_WORDS, 0)
    for word, occurrences in found.items():
        for language in _LANGUAGES_BY_WORD[word]:
            counts[language] += occurrences
    hits = sorted(((count, language) for language, count in counts.items()), reverse=True)
    (best, language), (runner_up, _) = hits[0], hits[1]
    if best >= _MIN_PROFILE_HITS and best >= _MIN_PROFILE_MARGIN * runner_up:
        return language
    return None
