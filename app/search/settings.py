"""Search settings: synonyms, extra stop words, typo tolerance and highlighting, from a TOML
file (ARTICLE_QA_SEARCH_SETTINGS). Everything applies at query time, so changing the file
needs a restart, never a re-index; without a file the defaults are today's behaviour.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from app.errors import ArticleQAError
from app.search.analysis import TokenKind, fold, token_terms, tokenize

# The only markup a snippet may carry: the pre tag, and post tag, of one of these.
HIGHLIGHT_TAGS = ("mark", "em", "strong", "b")
PreTag = Literal["<mark>", "<em>", "<strong>", "<b>"]
PostTag = Literal["</mark>", "</em>", "</strong>", "</b>"]
CLOSING_TAG: dict[str, str] = {f"<{tag}>": f"</{tag}>" for tag in HIGHLIGHT_TAGS}
# Snippet length in characters: today's window (app/search/snippets.py SNIPPET_CHARS).
DEFAULT_CROP_LENGTH = 220
MIN_CROP_LENGTH = 20
MAX_CROP_LENGTH = 1000
# Words per list: enough for any real vocabulary, bounded so a file cannot stall start-up.
MAX_WORDS = 10_000
ALL_LANGUAGES = "*"
_LANGUAGE_KEY = re.compile(r"\*|[a-z]{2,3}")


def _one_word(word: str) -> str:
    """A synonym or stop word: one word (letters or digits, no space or hyphen), folded the
    way queries are, so `Auto` and `auto` are the same entry."""
    word = word.strip()
    tokens = list(tokenize(word))
    if (
        len(tokens) != 1
        or tokens[0].kind is TokenKind.CJK
        or (tokens[0].start, tokens[0].end) != (0, len(word))
        # A hyphenated word is several index terms (e-mail: e, mail), not one.
        or any(hyphen in tokens[0].text for hyphen in "-‐‑")
    ):
        raise ValueError(
            f"{word!r}: one word without spaces or hyphens (multi-word synonyms and CJK "
            "runs are not supported)"
        )
    return tokens[0].text.replace("'", "")


def _language_key(language: str) -> str:
    if not _LANGUAGE_KEY.fullmatch(language):
        raise ValueError(f"{language!r}: a language is `*` (all) or a code like `en`")
    return language


Word = Annotated[str, AfterValidator(_one_word)]
Language = Annotated[str, AfterValidator(_language_key)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Synonyms(_Strict):
    """The synonyms of one language (or of every language, under `*`)."""

    groups: list[Annotated[list[Word], Field(min_length=2)]] = Field(
        default_factory=list,
        description="Multi-way groups: each word finds the others (car, automobile, auto).",
        max_length=MAX_WORDS,
    )
    one_way: dict[Word, Annotated[list[Word], Field(min_length=1)]] = Field(
        default_factory=dict,
        description="word -> words it also finds, not the reverse (phone -> smartphone).",
        max_length=MAX_WORDS,
    )


class Typos(_Strict):
    """Typo tolerance; the defaults are the engine's built-in rules."""

    enabled: bool = Field(default=True, description="Correct misspelled query words at all.")
    min_word_length_one_typo: int = Field(
        default=5, ge=1, le=100, description="Words this long may have one typo."
    )
    min_word_length_two_typos: int = Field(
        default=9, ge=1, le=100, description="Words this long may have two typos."
    )
    min_word_length_swap: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Shorter words than min_word_length_one_typo but this long may have two "
        "neighbouring letters swapped (`wrok`), the only typo that rarely makes another word.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min_word_length_two_typos < self.min_word_length_one_typo:
            raise ValueError("min_word_length_two_typos is below min_word_length_one_typo")
        return self


class Highlight(_Strict):
    """How snippets mark matched words, and how long they are."""

    pre_tag: PreTag = "<mark>"
    post_tag: PostTag = "</mark>"
    crop_length: int = Field(
        default=DEFAULT_CROP_LENGTH,
        ge=MIN_CROP_LENGTH,
        le=MAX_CROP_LENGTH,
        description="Snippet length in characters (about 35 English words by default).",
    )

    @model_validator(mode="after")
    def _matching(self) -> Self:
        check_tags(self.pre_tag, self.post_tag)
        return self


def check_tags(pre: str, post: str) -> None:
    """ValueError unless `post` closes `pre` (`<em>` with `</em>`)."""
    if CLOSING_TAG.get(pre) != post:
        raise ValueError(f"post tag {post!r} does not close pre tag {pre!r}")


class SearchSettings(_Strict):
    """Everything a search file can set; every part optional."""

    synonyms: dict[Language, Synonyms] = Field(default_factory=dict)
    stop_words: dict[Language, list[Word]] = Field(default_factory=dict)
    typos: Typos = Field(default_factory=Typos)
    highlight: Highlight = Field(default_factory=Highlight)

    # Built lazily per language and kept: the settings never change once loaded.
    _expansions: dict[str, dict[str, tuple[str, ...]]] = PrivateAttr(default_factory=dict)
    _stop: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)
    _key: str = PrivateAttr(default="")

    def model_post_init(self, _context: object, /) -> None:
        # What plans depend on (highlighting does not): part of the engine's plan cache key.
        self._key = self.model_dump_json(include={"synonyms", "stop_words", "typos"})

    @property
    def key(self) -> str:
        """What tells these settings' query plans apart from other settings' (plan cache)."""
        return self._key

    def expansions(self, language: str) -> dict[str, tuple[str, ...]]:
        """Index term -> the index terms of its synonyms, for articles in `language`: the
        words analysed as the index analyses that language ('cars' finds 'automobiles')."""
        cached = self._expansions.get(language)
        if cached is not None:
            return cached
        found: dict[str, dict[str, None]] = {}
        for key in (ALL_LANGUAGES, language):
            synonyms = self.synonyms.get(key)
            if synonyms is None:
                continue
            for group in synonyms.groups:
                terms = _terms(group, language)
                for term in terms:
                    found.setdefault(term, {}).update(dict.fromkeys(terms))
            for word, targets in synonyms.one_way.items():
                for term in _terms([word], language):
                    found.setdefault(term, {}).update(dict.fromkeys(_terms(targets, language)))
        built = {term: tuple(t for t in others if t != term) for term, others in found.items()}
        self._expansions[language] = built
        return built

    def is_stop_word(self, folded_word: str, languages: Iterable[str]) -> bool:
        """An extra stop word of `*` or of any of `languages`."""
        if not self.stop_words:
            return False
        word = folded_word.replace("'", "")
        return any(word in self._stop_words_of(language) for language in languages)

    def _stop_words_of(self, language: str) -> frozenset[str]:
        cached = self._stop.get(language)
        if cached is None:
            words = [*self.stop_words.get(ALL_LANGUAGES, ()), *self.stop_words.get(language, ())]
            cached = self._stop[language] = frozenset(fold(w).replace("'", "") for w in words)
        return cached


def _terms(words: Iterable[str], language: str) -> list[str]:
    """The index terms of one-word entries in `language` (stemmed as the index stems)."""
    terms: list[str] = []
    for word in words:
        for token in tokenize(word):
            for term in token_terms(token, language).stream:
                if term not in terms:
                    terms.append(term)
    return terms


DEFAULT_SEARCH_SETTINGS = SearchSettings()


class SearchSettingsError(ArticleQAError):
    """The search settings file cannot be read or is not valid."""


def load_search_settings(path: Path | None) -> SearchSettings:
    """The settings in the TOML file at `path` (the defaults for None); SearchSettingsError
    naming the file and each wrong key otherwise."""
    if path is None:
        return DEFAULT_SEARCH_SETTINGS
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SearchSettingsError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SearchSettingsError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SearchSettingsError(f"{path}: not valid TOML: {exc}") from None
    try:
        return SearchSettings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(top level)'}: "
            f"{_message(error['type'], error['msg'])}"
            for error in exc.errors()
        )
        raise SearchSettingsError(f"{path}: {problems}") from None


def _message(kind: str, message: str) -> str:
    if kind == "extra_forbidden":
        return "unknown key"
    return message.removeprefix("Value error, ")
