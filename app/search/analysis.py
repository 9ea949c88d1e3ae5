"""Text analysis shared by indexing and querying: tokens with offsets, folding, stemming, CJK.

Index and query go through the same functions, so a word is findable exactly when the
query analyses to a term the index holds.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from itertools import chain

import Stemmer

# Scripts written without spaces: each run becomes character bigrams (a unigram if alone).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u31f0-\u31ff"
WORD_CHAR = rf"(?:[^\W_{_CJK}]|[\u0300-\u036f])"
_APOSTROPHES = "'’ʼ‘`´′"
_HYPHENS = "-‐‑"
JOINER_CHARS = _APOSTROPHES + _HYPHENS
JOINERS = re.escape(JOINER_CHARS)
_NUMBER = rf"\d+(?:[.,]\d+)+(?![^\W_{_CJK}])"
_NUMBER_RE = re.compile(_NUMBER)
_TOKEN_RE = re.compile(
    rf"(?P<cjk>[{_CJK}]+)"
    rf"|(?P<num>{_NUMBER})"
    rf"|(?P<word>{WORD_CHAR}+(?:[{JOINERS}]{WORD_CHAR}+)*)"
)
# The same alternatives without groups, so findall() yields plain strings.
_RAW_TOKEN_RE = re.compile(
    _TOKEN_RE.pattern.replace("?P<cjk>", "?:").replace("?P<num>", "?:").replace("?P<word>", "?:")
)
# The same tokens, found two to three times faster, for text without CJK characters and
# combining marks (nearly all of it): there the CJK alternative never matches and a word
# character is a plain [^\W_]. On ASCII text [^\W_] is [a-zA-Z0-9] and the joiners are ' ` -.
_PLAIN_TOKEN_RE = re.compile(rf"\d+(?:[.,]\d+)+(?![^\W_])|[^\W_]+(?:[{JOINERS}][^\W_]+)*")
_ASCII_TOKEN_RE = re.compile(
    r"[0-9]+(?:[.,][0-9]+)+(?![a-zA-Z0-9])|[a-zA-Z0-9]+(?:['`-][a-zA-Z0-9]+)*"
)
_NOT_PLAIN_RE = re.compile(rf"[{_CJK}\u0300-\u036f]")
_SPLIT_RE = re.compile(rf"[{re.escape(_HYPHENS)}]")
_THOUSANDS_RE = re.compile(r"\d{1,3}([.,])\d{3}(?:\1\d{3})*")

# Romance languages elide articles with an apostrophe ("l'avion"): drop the article.
_ELISIONS = frozenset(
    {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
    | {"un", "dell", "all", "dall", "nell", "sull", "gl"}
)
_ELIDING_LANGUAGES = frozenset({"fr", "it", "ca"})

STEMMER_NAMES: dict[str, str] = {
    "en": "english",
    "de": "german",
    "es": "spanish",
    "fr": "french",
    "ru": "russian",
    # Snowball has no Ukrainian; the Russian stemmer shares most of its noun and verb endings.
    "uk": "russian",
    "pt": "portuguese",
    "it": "italian",
    "nl": "dutch",
    "sv": "swedish",
    "da": "danish",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "fi": "finnish",
    "tr": "turkish",
    "ro": "romanian",
    "hu": "hungarian",
    "el": "greek",
    "ca": "catalan",
    "cs": "czech",
    "pl": "polish",
    "id": "indonesian",
    "ga": "irish",
    "lt": "lithuanian",
    "ar": "arabic",
    "hi": "hindi",
    "ne": "nepali",
    "fa": "persian",
    "sr": "serbian",
    "eu": "basque",
    "hy": "armenian",
    "et": "estonian",
    "ta": "tamil",
}


class TokenKind(Enum):
    WORD = "word"
    NUMBER = "number"
    CJK = "cjk"


@dataclass(frozen=True, slots=True)
class Token:
    """A folded surface token and where it sits in the original text."""

    text: str
    start: int
    end: int
    kind: TokenKind


@dataclass(frozen=True, slots=True)
class Terms:
    """The analysed form of one token: the term in the positional stream, plus extra terms.

    Extras (whole hyphenated compounds, CJK unigrams) make a token findable another way
    without shifting the positions phrase matching relies on.
    """

    stream: tuple[str, ...]
    extras: tuple[str, ...]


_CJK_RE = re.compile(f"[{_CJK}]")


def is_cjk(char: str) -> bool:
    """Whether a character belongs to a script indexed as bigrams."""
    return _CJK_RE.match(char) is not None


def primary_language(language: str | None) -> str:
    """'en-GB' -> 'en'; empty or None -> 'und'."""
    if not language:
        return "und"
    return language.split("-")[0].split("_")[0].lower() or "und"


# Letters Unicode does not decompose, though readers type them without the mark or the
# ligature: 'oeuf' finds 'œuf', 'kobenhavn' finds 'København'.
LETTER_FOLDS = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}


def _strip_table() -> dict[int, str | int | None]:
    table: dict[int, str | int | None] = {ord(c): ord("'") for c in _APOSTROPHES}
    table.update({ord(c): ord("-") for c in _HYPHENS})
    table.update({ord(letter): folded for letter, folded in LETTER_FOLDS.items()})
    return table


_FOLD_TABLE = _strip_table()
# Kana voicing marks change the letter, not an accent: keep them.
_KEEP_MARKS = frozenset({0x3099, 0x309A})


def fold(text: str) -> str:
    """NFKC, casefold, drop diacritics, one apostrophe and one hyphen: 'Raisí’s' -> "raisi's"."""
    if text.isascii():
        return text.lower().translate(_FOLD_TABLE)
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c) or ord(c) in _KEEP_MARKS)
    return unicodedata.normalize("NFC", folded).translate(_FOLD_TABLE)


def _number_text(raw: str) -> str:
    """Thousands separators vanish ('250,000' -> '250000'); a decimal comma becomes a point."""
    if _THOUSANDS_RE.fullmatch(raw):
        return re.sub(r"[.,]", "", raw)
    return raw.replace(",", ".")


def _folded(group: str | None, raw: str) -> tuple[str, TokenKind]:
    if group == "cjk":
        return fold(raw), TokenKind.CJK
    if group == "num":
        return _number_text(raw), TokenKind.NUMBER
    folded = fold(raw)
    return folded, TokenKind.NUMBER if folded.isdigit() else TokenKind.WORD


def tokenize(text: str) -> Iterator[Token]:
    """Split the original text into folded tokens with offsets; language-independent."""
    for match in _TOKEN_RE.finditer(text):
        folded, kind = _folded(match.lastgroup, match.group())
        yield Token(folded, match.start(), match.end(), kind)


class _Stemmers(threading.local):
    """PyStemmer objects are not thread-safe: one set per thread."""

    def __init__(self) -> None:
        self.by_language: dict[str, Stemmer.Stemmer | None] = {}


_stemmers = _Stemmers()
_STEM_CACHE: dict[tuple[str, str], str] = {}
_STEM_CACHE_LIMIT = 200_000


def stemmer_for(language: str) -> Stemmer.Stemmer | None:
    """The Snowball stemmer of a language, or None (no stemming) when there is none."""
    cache = _stemmers.by_language
    if language in cache:  # the keys are primary subtags, which are their own primary subtag
        return cache[language]
    language = primary_language(language)
    if language not in cache:
        name = STEMMER_NAMES.get(language)
        # No cache of its own (maxCacheSize 0): stem() and the raw-token cache keep the
        # results, and PyStemmer's cache costs twice the stemming, sorting itself when full.
        cache[language] = Stemmer.Stemmer(name, 0) if name else None
    return cache[language]


# Arabic writes "and", "so", "with" and "like" on the front of the article: "والبسكويت" is
# "and the biscuits". Snowball strips the article but not always the letter before it.
_ARABIC_PROCLITIC_ARTICLES = ("وال", "فال", "بال", "كال")
_MIN_ARABIC_CLITIC_WORD = 6


def _without_proclitic(word: str, language: str) -> str:
    if (
        language == "ar"
        and len(word) >= _MIN_ARABIC_CLITIC_WORD
        and word.startswith(_ARABIC_PROCLITIC_ARTICLES)
    ):
        return word[1:]
    return word


def stem(word: str, language: str) -> str:
    """Stem one folded word; words with digits and unknown languages are left as they are."""
    key = (language, word)
    cached = _STEM_CACHE.get(key)
    if cached is not None:
        return cached
    stemmer = stemmer_for(language)
    result = word
    # No letter is a digit: the scan for digits is needed only in words with other characters.
    if stemmer is not None and (word.isalpha() or not any(c.isdigit() for c in word)):
        result = stemmer.stemWord(_without_proclitic(word, language)) or word
    if len(_STEM_CACHE) >= _STEM_CACHE_LIMIT:
        _STEM_CACHE.clear()
    _STEM_CACHE[key] = result
    return result


def _word_parts(folded: str, language: str) -> list[str]:
    """Elision and apostrophes: "l'avion" -> 'avion' (fr), "what's" -> 'whats'."""
    if "'" in folded:
        head, _, rest = folded.partition("'")
        if language in _ELIDING_LANGUAGES and head in _ELISIONS and rest:
            folded = rest
        folded = folded.replace("'", "")
    return [part for part in _SPLIT_RE.split(folded) if part]


def cjk_terms(run: str) -> Terms:
    """Bigrams of a CJK run in the stream; every character also as an extra unigram."""
    if len(run) == 1:
        return Terms((run,), ())
    bigrams = tuple(run[i : i + 2] for i in range(len(run) - 1))
    return Terms(bigrams, tuple(run))


# Germanic languages write compounds as one word whose last part carries the meaning
# ('Coronavirus' is a virus). Long words are also indexed by their tails, marked so that only
# a query word asking for compound parts matches them (and at a lower weight, see plan.py).
COMPOUND_LANGUAGES = frozenset({"de", "nl", "sv", "da", "no", "nb", "nn"})
PART_MARK = "~"
COMPOUND_MIN_LENGTH = 8
PART_MIN_LENGTH = 4
HEAD_MIN_LENGTH = 3


def part_term(term: str) -> str:
    """The index term of `term` as the tail of a compound."""
    return PART_MARK + term


def compound_parts(word: str, language: str) -> tuple[str, ...]:
    """Part terms for every tail of a long word that could be a word of its own."""
    if language not in COMPOUND_LANGUAGES or len(word) < COMPOUND_MIN_LENGTH:
        return ()
    if not word.isalpha():
        return ()
    last = len(word) - PART_MIN_LENGTH
    return tuple(
        distinct(part_term(stem(word[at:], language)) for at in range(HEAD_MIN_LENGTH, last + 1))
    )


def token_terms(token: Token, language: str) -> Terms:
    """The terms one token contributes, for an article (or a query variant) in `language`."""
    if token.kind is TokenKind.CJK:
        return cjk_terms(token.text)
    if token.kind is TokenKind.NUMBER:
        return Terms((token.text,), ())
    parts = _word_parts(token.text, language)
    if not parts:
        return Terms((), ())
    stems = tuple(stem(part, language) for part in parts)
    if len(parts) == 1:
        return Terms(stems, compound_parts(parts[0], language))
    return Terms(stems, (stem("".join(parts), language),))


@dataclass(frozen=True, slots=True)
class FieldAnalysis:
    """Term frequencies of one field, its length, its positional stream, readable words."""

    frequencies: dict[str, int]
    length: int
    stream: list[str]
    surfaces: dict[str, str]


RawTerms = tuple[tuple[str, ...], tuple[str, ...], str | None]
_RAW_CACHE: dict[str, dict[str, RawTerms]] = {}
_RAW_CACHE_LIMIT = 300_000


def _group_of(raw: str) -> str:
    """Which alternative of _TOKEN_RE matched `raw` (a raw token maps to exactly one)."""
    if is_cjk(raw[0]):
        return "cjk"
    if raw[0].isdigit() and _NUMBER_RE.fullmatch(raw):
        return "num"
    return "word"


def raw_token_terms(raw: str, language: str) -> RawTerms:
    """(stream terms, extra terms, readable word) of one raw token, cached: words repeat."""
    cache = _RAW_CACHE.setdefault(language, {})
    cached = cache.get(raw)
    if cached is not None:
        return cached
    result: RawTerms
    if raw.isascii() and raw.isalpha():
        # Most new tokens are plain ASCII words: folding is lower-casing, and they have no
        # apostrophe or hyphen to split on. The same terms as the general path, sooner.
        word = raw.lower()
        result = ((stem(word, language),), compound_parts(word, language), word)
    else:
        folded, kind = _folded(_group_of(raw), raw)
        terms = token_terms(Token(folded, 0, len(raw), kind), language)
        plain = folded.replace("'", "")
        surface = plain if kind is TokenKind.WORD and "-" not in plain else None
        result = (terms.stream, terms.extras, surface)
    if len(cache) >= _RAW_CACHE_LIMIT:
        cache.clear()
    cache[raw] = result
    return result


def raw_tokens(text: str) -> list[str]:
    """The raw tokens of a text, as _RAW_TOKEN_RE.findall() finds them."""
    if text.isascii():
        return _ASCII_TOKEN_RE.findall(text)
    if _NOT_PLAIN_RE.search(text) is None:
        return _PLAIN_TOKEN_RE.findall(text)
    return _RAW_TOKEN_RE.findall(text)


def analyse_field(text: str, language: str) -> FieldAnalysis:
    """Analyse a heading, title or body for indexing."""
    language = primary_language(language)
    raws = raw_tokens(text)
    cached = _RAW_CACHE.setdefault(language, {}).get
    # Each distinct raw token is looked up once, in order of first occurrence: a body
    # repeats many of its words, and this keeps the first readable word of each term.
    distinct = dict.fromkeys(raws)
    single: dict[str, str] = {}  # raw token -> its one stream term (the common case)
    several: dict[str, tuple[str, ...]] = {}  # raw token -> its stream terms, if not one
    with_extras: dict[str, tuple[str, ...]] = {}
    surfaces: dict[str, str] = {}
    for raw in distinct:
        stream_terms, extras, surface = cached(raw) or raw_token_terms(raw, language)
        if len(stream_terms) == 1:
            term = single[raw] = stream_terms[0]
            if surface is not None and term not in surfaces:
                surfaces[term] = surface
        else:
            several[raw] = stream_terms
        if extras:
            with_extras[raw] = extras
    # The stream, mapped in C.
    if not several:  # one term per token
        stream = list(map(single.__getitem__, raws))
    else:
        terms_of: dict[str, tuple[str, ...]] = {raw: (term,) for raw, term in single.items()}
        terms_of.update(several)
        stream = list(chain.from_iterable(map(terms_of.__getitem__, raws)))
    frequencies = dict(Counter(stream))
    if with_extras:
        # Each extra term counts once per occurrence of its token, after the stream's terms.
        occurrences = Counter(raws)
        for raw, extras in with_extras.items():
            count = occurrences[raw]
            for extra in extras:
                frequencies[extra] = frequencies.get(extra, 0) + count
    return FieldAnalysis(frequencies, len(stream), stream, surfaces)


def analyse_terms(text: str, language: str) -> list[str]:
    """The positional terms of a text (phrase queries and tests)."""
    return analyse_field(text, language).stream


def distinct(items: Iterable[str]) -> list[str]:
    """Order-preserving de-duplication."""
    return list(dict.fromkeys(items))
