"""Typos the way each kind of word allows: one or two edits for words of 5+ letters (two
swapped neighbours count as one), a swap only for 3-4 letters, identifiers with digits by
prefix or one edit, never a number; in Latin, accented Latin and Cyrillic (on each backend)."""

from __future__ import annotations

import pytest

from app.search.analysis import fold
from app.search.request import SearchRequest
from app.search.typos import is_swap
from app.store.sql import SQLStore
from tests.conftest import StoreFactory
from tools.evaluation.relevance import article_from_sections

GPU = "Which graphics cards work?"
START = "How do I start?"
SETTINGS = "Где настройки?"
SIZE = "Wie prüfe ich die Größe?"
YEAR = "What changed in 2023?"


@pytest.fixture(scope="module")
def store(module_store_factory: StoreFactory) -> SQLStore:
    opened = module_store_factory.open()
    opened.upsert_article(
        article_from_sections(
            title="Help centre",
            sections=[
                (GPU, "The RTX4090 and the A320neo adapter work; set DATABASE_URL first."),
                (START, "Open the app, fill in the form and press start."),
                (YEAR, "The pipeline became faster in 2023."),
            ],
        )
    )
    opened.upsert_article(
        article_from_sections(
            title="Справка",
            sections=[(SETTINGS, "Откройте меню и выберите настройки экрана.")],
            language="ru",
            source="ru.txt",
        )
    )
    opened.upsert_article(
        article_from_sections(
            title="Hilfe",
            sections=[(SIZE, "Die Überprüfung der Größe dauert eine Minute.")],
            language="de",
            source="de.txt",
        )
    )
    return opened


def first(store: SQLStore, query: str) -> tuple[str | None, list[str]]:
    results = store.search(SearchRequest(query=query))
    heading = results.hits[0].heading if results.hits else None
    return heading, [c.corrected for c in results.corrections]


@pytest.mark.parametrize(
    ("query", "heading", "corrected"),
    [
        pytest.param("pipeilne", YEAR, "pipeline", id="swap-in-a-long-word"),
        pytest.param("fomr", START, "form", id="swap-in-a-short-word"),
        pytest.param("rtx4009", GPU, "rtx4090", id="identifier-one-edit"),
        pytest.param("a320", GPU, "a320neo", id="identifier-prefix"),
        pytest.param("DATBASE_URL", GPU, "database", id="environment-variable-letter-dropped"),
        pytest.param("настрйоки", SETTINGS, "настройки", id="cyrillic-swap"),
        pytest.param("Überprüfnug", SIZE, "überprüfung", id="accented-swap"),
    ],
)
def test_a_typo_finds_its_word(store: SQLStore, query: str, heading: str, corrected: str) -> None:
    found, corrections = first(store, query)
    assert found == heading
    # Corrections show the indexed word as the index compares words: folded.
    assert corrections == [fold(corrected)]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("2024", id="a-number-is-never-another-number"),
        pytest.param("farm", id="a-short-word-is-not-substituted"),
    ],
)
def test_no_correction(store: SQLStore, query: str) -> None:
    assert first(store, query) == (None, [])


def test_is_swap() -> None:
    assert is_swap("wrok", "work")
    assert not is_swap("work", "work")
    assert not is_swap("wrko", "work")  # a rotation, not a swap of neighbours
    assert not is_swap("farm", "form")


@pytest.fixture(scope="module")
def languages_store(module_store_factory: StoreFactory) -> SQLStore:
    opened = module_store_factory.open()
    opened.upsert_article(
        article_from_sections(
            title="Domates",
            sections=[("Ne kadar su gerekir?", "Her bitki için 20 litrelik bir saksı yeterli.")],
            language="tr",
            source="tr.txt",
        )
    )
    opened.upsert_article(
        article_from_sections(
            title="أسنان الأطفال",
            sections=[("ماذا يأكل الطفل؟", "يجب تقليل الحلوى والبسكويت بين الوجبات.")],
            language="ar",
            source="ar.txt",
        )
    )
    opened.upsert_article(
        article_from_sections(
            title="Wetlands",
            sections=[("What lives in a marsh?", "Reeds, frogs and herons live in the marsh.")],
            source="en.txt",
        )
    )
    return opened


def test_only_words_of_a_suffixing_language_are_extended(languages_store: SQLStore) -> None:
    """English 'mars' is not the stem of 'marsh', Turkish articles in the store or not."""
    assert first(languages_store, "mars") == (None, [])


def test_a_suffixing_language_finds_the_longer_word(languages_store: SQLStore) -> None:
    """Turkish builds words by suffixes: 'litre' finds 'litrelik'."""
    assert first(languages_store, "20 litre")[0] == "Ne kadar su gerekir?"


def test_arabic_words_match_with_and_without_their_particles(languages_store: SQLStore) -> None:
    """'والبسكويت' ('and the biscuits') is found by 'البسكويت', and by it misspelled."""
    assert first(languages_store, "البسكويت")[0] == "ماذا يأكل الطفل؟"
    assert first(languages_store, "البسكيوت")[0] == "ماذا يأكل الطفل؟"
