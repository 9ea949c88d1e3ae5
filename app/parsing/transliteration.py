"""Latin spellings of non-Latin words for ASCII slugs, by the rules of their language.

text-unidecode (python-slugify's backend) maps one character at a time, from the Chinese
reading of every Han character: right for Chinese, Korean and Russian, wrong elsewhere. So
the scripts it gets wrong are spelled here first, and it only handles what is left:
- Japanese (the article's language is `ja`, or the text has kana): words read as Japanese
  by pykakasi (Hepburn), one '-' between words;
- Ukrainian Cyrillic (`uk`, or letters only Ukrainian has): the national system of 2010;
- Greek: ELOT 743 (the digraphs ου, αυ, ευ, μπ, γγ...);
- Arabic and Persian: letters and long vowels (text-unidecode drops alef and ta marbuta),
  the article `al-` apart, Persian values for `fa`/`ur` or Persian-only letters;
- Hebrew: the vowel letters ו and י read as vowels inside a word;
- Devanagari: the inherent vowel written (text-unidecode drops it), except word-final.
Each rule is a pure function of the text and the language: same input, same slug.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRILLIC_RUN = re.compile(r"[\u0400-\u04ff]+")
_UKRAINIAN_ONLY = re.compile(r"[ґєїҐЄЇ]")
_GREEK_RUN = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]+")
# Arabic letters, marks and presentation forms; ZWNJ joins the parts of a Persian word.
_ARABIC_RUN = re.compile(
    r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\u200c]+"
)
_PERSIAN_ONLY = re.compile(r"[پچژگکی]")
_HEBREW_RUN = re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]+")
_DEVANAGARI_RUN = re.compile(r"[\u0900-\u097f]+")


def transliterate(text: str, language: str | None) -> str:
    """`text` with the words of the scripts above spelled in Latin letters; text in no
    such script comes back unchanged (so its slug stays what it always was)."""
    if text.isascii():
        return text
    language = (language or "").split("-")[0].lower() or None
    if _is_japanese(text, language):
        text = _japanese(text)
    if _CYRILLIC_RUN.search(text) and _is_ukrainian(text, language):
        text = _CYRILLIC_RUN.sub(lambda m: _ukrainian(m.group()), text)
    text = _GREEK_RUN.sub(lambda m: _greek(m.group()), text)
    if _ARABIC_RUN.search(text):
        persian = language in ("fa", "ur", "ps") or _PERSIAN_ONLY.search(text) is not None
        text = _ARABIC_RUN.sub(lambda m: _arabic(m.group(), persian=persian), text)
    text = _HEBREW_RUN.sub(lambda m: _hebrew(m.group()), text)
    return _DEVANAGARI_RUN.sub(lambda m: _devanagari(m.group()), text)


# -- Japanese --------------------------------------------------------------------------


def _is_japanese(text: str, language: str | None) -> bool:
    """Japanese by the article's language; kana is Japanese in any article. Han characters
    alone, in an article of another or no known language, stay Chinese readings."""
    if _KANA.search(text):
        return True
    return language == "ja" and _HAN.search(text) is not None


_kakasi_lock = threading.Lock()


@lru_cache(maxsize=1)
def _kakasi() -> Any:
    # Imported here: loading pykakasi's dictionaries takes about half a second, paid only
    # by a process that slugs Japanese.
    with _kakasi_lock:
        import pykakasi

        return pykakasi.kakasi()  # type: ignore[no-untyped-call]  # the library has no types


def _japanese(text: str) -> str:
    # NFKC: full-width Latin letters and digits (ＦＡＱ) and half-width kana as usual.
    tokens = _kakasi().convert(unicodedata.normalize("NFKC", text))
    return " ".join(str(token["hepburn"]) for token in tokens)


# -- Ukrainian -------------------------------------------------------------------------

_CYRILLIC_LANGUAGES = frozenset({"ru", "be", "bg", "mk", "sr", "kk", "ky", "tg", "mn"})


def _is_ukrainian(text: str, language: str | None) -> bool:
    if language == "uk":
        return True
    # Another Cyrillic language declared or detected keeps its own (text-unidecode) rule.
    return language not in _CYRILLIC_LANGUAGES and _UKRAINIAN_ONLY.search(text) is not None


_UKRAINIAN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia",
}  # fmt: skip
# At the start of a word these letters are spelled with a y.
_UKRAINIAN_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def _ukrainian(run: str) -> str:
    out: list[str] = []
    lowered = run.lower()
    for index, letter in enumerate(lowered):
        if index == 0 and letter in _UKRAINIAN_INITIAL:
            out.append(_UKRAINIAN_INITIAL[letter])
        elif letter == "г" and index > 0 and lowered[index - 1] == "з":
            out.append("gh")  # зг -> zgh, so that it does not read as zh
        else:
            out.append(_UKRAINIAN.get(letter, letter))  # ё, ы...: left to text-unidecode
    return "".join(out)


# -- Greek (ELOT 743) ------------------------------------------------------------------

_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
    "ω": "o", "ϊ": "i", "ϋ": "y",
}  # fmt: skip
_GREEK_VOWELS = frozenset("αεηιουω")
_GREEK_VOICED = frozenset("βγδζλμνρ")
_GREEK_PAIRS = {"γγ": "ng", "γκ": "gk", "γξ": "nx", "γχ": "nch", "ου": "ou"}


def _greek(run: str) -> str:
    # Accents go; a diaeresis stays (ϊ, ϋ), as it says two vowels are not a digraph.
    letters = unicodedata.normalize(
        "NFC",
        "".join(
            c
            for c in unicodedata.normalize("NFD", run.lower())
            if not unicodedata.combining(c) or c == "\u0308"
        ),
    )
    out: list[str] = []
    index = 0
    while index < len(letters):
        letter, pair = letters[index], letters[index : index + 2]
        after = letters[index + 2] if index + 2 < len(letters) else ""
        if pair in _GREEK_PAIRS:
            out.append(_GREEK_PAIRS[pair])
            index += 2
        elif pair in ("αυ", "ευ", "ηυ"):
            # v before a vowel or a voiced consonant, f before the others and at the end
            voiced = after in _GREEK_VOWELS or after in _GREEK_VOICED
            out.append(_GREEK[letter] + ("v" if after and voiced else "f"))
            index += 2
        elif pair == "μπ" and index == 0:
            out.append("b")
            index += 2
        else:
            out.append(_GREEK.get(letter, letter))
            index += 1
    return "".join(out)


# -- Arabic and Persian ----------------------------------------------------------------

_ARABIC = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ئ": "i", "ؤ": "u",
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "ة": "a", "ى": "a", "ـ": "", "\u200c": "",
    # Persian and Urdu letters
    "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ک": "k", "ٹ": "t", "ڈ": "d", "ڑ": "r",
    "ں": "n", "ھ": "h", "ۀ": "e", "ہ": "h", "ے": "e",
    # short vowel marks, when written
    "\u064e": "a", "\u0650": "i", "\u064f": "u", "\u064b": "an", "\u064d": "in",
    "\u064c": "un", "\u0652": "", "\u0670": "a",
    # punctuation
    "،": " ", "؛": " ", "؟": " ", "٪": " ",
}  # fmt: skip
_ARABIC_DIGITS = {chr(0x0660 + n): str(n) for n in range(10)} | {
    chr(0x06F0 + n): str(n) for n in range(10)
}
_WAW, _YEH = frozenset("و"), frozenset("يی")
_SHADDA = "\u0651"


def _arabic(run: str, *, persian: bool) -> str:
    return " ".join(_arabic_word(word, persian=persian) for word in run.split())


def _arabic_word(word: str, *, persian: bool) -> str:
    word = unicodedata.normalize("NFKC", word)  # presentation forms -> letters
    prefix = ""
    if word.startswith("ال") and len(word) > 3:
        prefix, word = "al-", word[2:]  # the article: al-shaia, not lshy
    out: list[str] = []
    for index, letter in enumerate(word):
        # و and ي are consonants at the start of a word and after alef, else long vowels.
        consonant = index == 0 or word[index - 1] in "اآ"
        if letter in _WAW:
            out.append(("v" if persian else "w") if consonant else ("o" if persian else "u"))
        elif letter in _YEH:
            out.append("y" if consonant else "i")
        elif letter == "ه" and persian and index == len(word) - 1 and index > 0:
            out.append("e")  # Persian final he is a vowel: khane
        elif letter == _SHADDA:
            out.append(out[-1][-1:] if out else "")  # a doubled consonant
        elif letter in _ARABIC_DIGITS:
            out.append(_ARABIC_DIGITS[letter])
        else:
            out.append(_ARABIC.get(letter, "" if unicodedata.combining(letter) else letter))
    return prefix + "".join(out)


# -- Hebrew ----------------------------------------------------------------------------

_HEBREW = {
    "א": "", "ב": "v", "ג": "g", "ד": "d", "ה": "h", "ז": "z", "ח": "ch", "ט": "t",
    "כ": "kh", "ך": "kh", "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n", "ס": "s",
    "ע": "", "פ": "f", "ף": "f", "צ": "ts", "ץ": "ts", "ק": "k", "ר": "r", "ש": "sh",
    "ת": "t", "־": "-", "׳": "", "״": "",
}  # fmt: skip
# A word starts with b, k, p (the letters without their spirant reading) and a, e vowels.
_HEBREW_INITIAL = {"ב": "b", "כ": "k", "פ": "p", "א": "a", "ע": "a"}


def _hebrew(run: str) -> str:
    # Points (niqqud, cantillation) go: most text is written without them.
    letters = "".join(c for c in unicodedata.normalize("NFD", run) if not unicodedata.combining(c))
    return " ".join(_hebrew_word(word) for word in letters.split())


def _hebrew_word(word: str) -> str:
    out: list[str] = []
    for index, letter in enumerate(word):
        if index == 0 and letter in _HEBREW_INITIAL:
            out.append(_HEBREW_INITIAL[letter])
        elif letter in "וי":
            # vav and yod: consonants first in a word or doubled, vowel letters inside it
            doubled = index + 1 < len(word) and word[index + 1] == letter
            previous_double = index > 0 and word[index - 1] == letter
            if previous_double:
                continue
            if index == 0 or doubled:
                out.append("v" if letter == "ו" else "y")
            else:
                out.append("o" if letter == "ו" else "i")
        else:
            out.append(_HEBREW.get(letter, letter))
    return "".join(out)


# -- Devanagari ------------------------------------------------------------------------

_DEVANAGARI_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j",
    "झ": "jh", "ञ": "n", "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t",
    "थ": "th", "द": "d", "ध": "dh", "न": "n", "प": "p", "फ": "ph", "ब": "b", "भ": "bh",
    "म": "m", "य": "y", "र": "r", "ल": "l", "व": "v", "श": "sh", "ष": "sh", "स": "s",
    "ह": "h", "ळ": "l",
}  # fmt: skip
# A consonant with nukta (written as two code points after NFC): the sounds of loanwords.
_NUKTA_CONSONANTS = {"क": "q", "ख": "kh", "ग": "gh", "ज": "z", "फ": "f", "ड": "r", "ढ": "rh"}
_DEVANAGARI_VOWELS = {
    "अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ए": "e",
    "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ॲ": "e",
}  # fmt: skip
_DEVANAGARI_SIGNS = {
    "\u093e": "a", "\u093f": "i", "\u0940": "i", "\u0941": "u", "\u0942": "u",
    "\u0943": "ri", "\u0947": "e", "\u0948": "ai", "\u094b": "o", "\u094c": "au",
    "\u0945": "e", "\u0949": "o",
}  # fmt: skip
_DEVANAGARI_MARKS = {"\u0902": "n", "\u0901": "n", "\u0903": "h", "\u0964": " ", "\u0965": " "}
_VIRAMA, _NUKTA = "\u094d", "\u093c"


def _devanagari(run: str) -> str:
    return " ".join(_devanagari_word(word) for word in unicodedata.normalize("NFD", run).split())


def _devanagari_word(word: str) -> str:
    out: list[str] = []
    pending = False  # the last consonant still carries its inherent vowel a
    syllables = 0

    def settle(vowel: str | None) -> None:
        nonlocal pending, syllables
        if pending:
            out.append("a" if vowel is None else vowel)
            syllables += 1
        pending = False

    for index, char in enumerate(word):
        if char in _DEVANAGARI_CONSONANTS:
            settle(None)
            nukta = index + 1 < len(word) and word[index + 1] == _NUKTA
            out.append(_NUKTA_CONSONANTS[char] if nukta else _DEVANAGARI_CONSONANTS[char])
            pending = True
        elif char in _DEVANAGARI_SIGNS:
            if pending:
                settle(_DEVANAGARI_SIGNS[char])
            else:  # a vowel sign on no consonant: written as it is
                out.append(_DEVANAGARI_SIGNS[char])
        elif char == _VIRAMA:
            pending = False
        elif char == _NUKTA:
            continue
        elif char in _DEVANAGARI_VOWELS:
            settle(None)
            out.append(_DEVANAGARI_VOWELS[char])
            syllables += 1
        elif "\u0966" <= char <= "\u096f":
            settle(None)
            out.append(str(ord(char) - 0x0966))
        else:
            settle(None)
            out.append(_DEVANAGARI_MARKS.get(char, char))
    # Hindi drops a word's final inherent vowel (aksar, not aksara), unless it is its only one.
    if pending and syllables == 0:
        out.append("a")
    return "".join(out)
