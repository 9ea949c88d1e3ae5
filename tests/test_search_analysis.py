"""Analysis: folding, apostrophes, hyphenated names, numbers, stemming per language, CJK."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.search.analysis import (
    analyse_field,
    analyse_terms,
    fold,
    part_term,
    primary_language,
    tokenize,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Raisí", "raisi", id="acute-accent"),
        pytest.param("ÜBER", "uber", id="umlaut-and-case"),
        pytest.param("Straße", "strasse", id="sharp-s-casefold"),
        pytest.param("What’s", "what's", id="curly-apostrophe"),
        pytest.param("ﬁnal", "final", id="ligature-nfkc"),
        pytest.param("Ёлка", "елка", id="cyrillic-yo"),
        pytest.param("Œuvre cœur", "oeuvre coeur", id="oe-ligature"),
        pytest.param("København Æble", "kobenhavn aeble", id="nordic-letters"),
        pytest.param("Łódź", "lodz", id="polish-l"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param("What’s", id="right-single-quote"),
        pytest.param("What's", id="ascii-apostrophe"),
        pytest.param("Whats", id="no-apostrophe"),
        pytest.param("WHATʼS", id="modifier-apostrophe-upper"),
    ],
)
def test_apostrophe_variants_analyse_alike(variant: str) -> None:
    assert analyse_terms(variant, "en") == analyse_terms("What’s", "en")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        pytest.param("relationships", "en", ["relationship"], id="en-plural"),
        pytest.param("visiting visited", "en", ["visit", "visit"], id="en-tense"),
        pytest.param("Symptome", "de", ["symptom"], id="de"),
        pytest.param("protegidas", "es", ["proteg"], id="es"),
        pytest.param("relations", "fr", ["relat"], id="fr"),
        pytest.param("отношения", "ru", ["отношен"], id="ru"),
        pytest.param("relações", "pt", ["relaco"], id="pt"),
        pytest.param("relazioni", "it", ["relazion"], id="it"),
        pytest.param("betrekkingen", "nl", ["betrek"], id="nl"),
        pytest.param("relationships", "und", ["relationships"], id="unknown-no-stemming"),
        pytest.param("relationships", "en-GB", ["relationship"], id="region-subtag"),
        pytest.param("l'avion", "fr", ["avion"], id="fr-elision"),
    ],
)
def test_stemming_per_language(text: str, language: str, expected: list[str]) -> None:
    assert analyse_terms(text, language) == expected


@pytest.mark.parametrize(
    ("word", "language", "tail"),
    [
        pytest.param("Coronavirus", "de", "Virus", id="de-tail"),
        pytest.param("Impfstoffentwicklung", "de", "Entwicklung", id="de-stemmed-tail"),
        pytest.param("Arbeitsmarkt", "de", "Markt", id="de-linking-s"),
        pytest.param("ziekenhuisopname", "nl", "opname", id="nl-tail"),
    ],
)
def test_compounds_are_indexed_by_their_tails(word: str, language: str, tail: str) -> None:
    (query_term,) = analyse_terms(tail, language)
    assert part_term(query_term) in analyse_field(word, language).frequencies


@pytest.mark.parametrize(
    ("word", "language"),
    [
        pytest.param("Coronavirus", "en", id="not-a-compounding-language"),
        pytest.param("Virus", "de", id="short-word"),
        pytest.param("Sars-CoV-2", "de", id="hyphenated"),
    ],
)
def test_other_words_get_no_compound_parts(word: str, language: str) -> None:
    terms = analyse_field(word, language).frequencies
    assert not [term for term in terms if term.startswith("~")]


def test_hyphenated_name_is_findable_whole_and_by_part() -> None:
    terms = analyse_field("Iran-Pakistan ties, Jaish al-Adl", "en").frequencies
    assert {"iran", "pakistan", "iranpakistan", "al", "adl", "aladl"} <= terms.keys()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("$10 billion", ["10", "billion"], id="currency"),
        pytest.param("$250,000", ["250000"], id="thousands-comma"),
        pytest.param("2.5 percent", ["2.5", "percent"], id="decimal-point"),
        pytest.param("2,5 Prozent", ["2.5", "prozent"], id="decimal-comma"),
        pytest.param("Covid-19", ["covid", "19"], id="name-number"),
    ],
)
def test_numbers(text: str, expected: list[str]) -> None:
    assert analyse_terms(text, "en") == expected


def test_cjk_runs_become_bigrams_with_unigram_extras() -> None:
    field = analyse_field("中国经济", "zh")
    assert field.stream == ["中国", "国经", "经济"]
    assert {"中", "国", "经", "济"} <= field.frequencies.keys()
    assert analyse_terms("中", "zh") == ["中"]


def test_tokens_carry_offsets_into_the_original() -> None:
    text = "Why is the Pakistan–Iran relationship vital?"
    for token in tokenize(text):
        assert fold(text[token.start : token.end]).replace("'", "") == token.text.replace("'", "")


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        pytest.param("en-GB", "en", id="region"),
        pytest.param("", "und", id="empty"),
        pytest.param(None, "und", id="none"),
    ],
)
def test_primary_language(tag: str | None, expected: str) -> None:
    assert primary_language(tag) == expected


@given(st.text(max_size=300), st.sampled_from(["en", "de", "zh", "und", "xx"]))
def test_analysis_never_fails_and_offsets_are_in_range(text: str, language: str) -> None:
    field = analyse_field(text, language)
    assert field.length == len(field.stream)
    for token in tokenize(text):
        assert 0 <= token.start < token.end <= len(text)


def test_ukrainian_stems_with_the_nearest_snowball_stemmer() -> None:
    from app.search.analysis import stem

    assert stem("опіку", "uk") == stem("опік", "uk")


@pytest.mark.parametrize(
    ("word", "language"),
    [("jak", "pl"), ("jak", "cs"), ("nasil", "tr"), ("що", "uk"), ("كيف", "ar"), ("چرا", "fa")],
)
def test_function_words_of_more_languages(word: str, language: str) -> None:
    from app.search.stopwords import is_stop_word

    assert is_stop_word(word, frozenset({language}))
    # Words that are English words too stay words: "Coinbase Pro", "Kim", "pod", "Ama".
    for english in ("pro", "kim", "pod", "ale", "ama", "hem", "lub", "jen"):
        assert not is_stop_word(english, frozenset({language}))


def test_function_words_cover_the_languages_the_readme_names() -> None:
    from app.search.stopwords import STOP_WORDS

    expected = {"en", "de", "es", "fr", "pt", "it", "nl", "ru", "pl", "cs", "tr", "uk", "ar", "fa"}
    assert set(STOP_WORDS) == expected  # "function and question words in 14 of them"
