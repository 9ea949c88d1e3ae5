"""Search settings (app/search/settings.py) on a real store: synonyms both ways and one way,
extra stop words, typo rules, and a settings file that is wrong says where."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.models import SearchResults
from app.search.request import SearchRequest
from app.search.settings import (
    DEFAULT_CROP_LENGTH,
    DEFAULT_SEARCH_SETTINGS,
    SearchSettings,
    SearchSettingsError,
    Typos,
    load_search_settings,
)
from app.search.snippets import SNIPPET_CHARS
from app.search.typos import DEFAULT_TYPOS
from app.store import open_store
from app.store.base import Store
from tools.evaluation.relevance import article_from_sections

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "data" / "search-settings.example.toml"

CAR_PARK = "Where is the car park?"
MUSEUM = "Where is the automobile museum?"
SMARTPHONE = "How do I charge my smartphone?"
PHONE_LINE = "How do I call a phone line?"
ADOPTER = "Who is the adopter?"
WIDGET = "Where is the widget factory?"
CARD = "Which graphics card fits?"
LONG_WORD = "Who met at the hall?"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = open_store(tmp_path_factory.mktemp("settings") / "store.db")
    opened.upsert_article(
        article_from_sections(
            title="Motoring guide",
            sections=[
                (CAR_PARK, "The car park is next to the station."),
                (MUSEUM, "The automobile museum is next to the river."),
            ],
            source="motoring.txt",
        )
    )
    opened.upsert_article(
        article_from_sections(
            title="Help desk",
            sections=[
                (SMARTPHONE, "Plug the smartphone into the wall socket overnight."),
                (PHONE_LINE, "Dial the phone number with the area code."),
                (ADOPTER, "The adopter signs the forms."),
                (WIDGET, "The widget factory makes gadgets in Leeds."),
                (CARD, "The RTX4090 fits the tower."),
                (LONG_WORD, "Counterrevolutionaries met at the hall with the others."),
            ],
            source="help.txt",
        )
    )
    try:
        yield opened
    finally:
        opened.close()


def settings(**values: object) -> SearchSettings:
    return SearchSettings.model_validate(values)


def run(
    store: Store, query: str, chosen: SearchSettings = DEFAULT_SEARCH_SETTINGS
) -> SearchResults:
    return store.search(SearchRequest(query=query, settings=chosen))


def headings(results: SearchResults) -> list[str | None]:
    return [hit.heading for hit in results.hits]


CARS = settings(synonyms={"*": {"groups": [["car", "automobile", "auto"]]}})
PHONES = settings(synonyms={"en": {"one_way": {"phone": ["smartphone", "mobile"]}}})


def test_a_multi_way_group_finds_each_word_by_the_others(store: Store) -> None:
    assert headings(run(store, "car")) == [CAR_PARK]  # without settings: the word only
    assert headings(run(store, "car", CARS)) == [CAR_PARK, MUSEUM]
    # Each word finds the others, the word itself first (a synonym scores a little below).
    assert headings(run(store, "automobile", CARS)) == [MUSEUM, CAR_PARK]
    # "auto" is in no article: found by its synonyms alone, and not "corrected".
    found = run(store, "auto", CARS)
    assert set(headings(found)) == {CAR_PARK, MUSEUM}
    assert found.corrections == []
    # Words are analysed as the index analyses them: a plural finds the group too.
    assert set(headings(run(store, "cars", CARS))) == {CAR_PARK, MUSEUM}


def test_a_synonym_match_is_highlighted_and_covers_the_query_word(store: Store) -> None:
    hit = run(store, "auto", CARS).hits[0]
    assert "<mark>" in hit.snippet
    # The query's one word is covered by its synonym: an answer, not a guess.
    assert hit.confidence >= 0.5


def test_one_way_synonyms_find_only_one_way(store: Store) -> None:
    assert headings(run(store, "phone", PHONES)) == [PHONE_LINE, SMARTPHONE]
    assert set(headings(run(store, "phones", PHONES))) == {PHONE_LINE, SMARTPHONE}
    assert headings(run(store, "smartphone", PHONES)) == [SMARTPHONE]


def test_synonyms_are_per_language(store: Store) -> None:
    german = settings(synonyms={"de": {"groups": [["car", "automobile"]]}})
    assert headings(run(store, "car", german)) == [CAR_PARK]  # the store is English


def test_a_word_whose_synonym_is_found_is_not_corrected(store: Store) -> None:
    assert run(store, "adapter").corrections[0].corrected == "adopter"
    sockets = settings(synonyms={"*": {"groups": [["adapter", "socket"]]}})
    found = run(store, "adapter", sockets)
    assert found.corrections == []
    assert headings(found) == [SMARTPHONE]


def test_exclusions_and_phrases_take_words_literally(store: Store) -> None:
    assert headings(run(store, "next -car", CARS)) == [MUSEUM]
    assert run(store, '"car"', CARS).total == 1


def test_extra_stop_words_do_not_block_or_weigh(store: Store) -> None:
    # "acme" is in no article: as a content word it leaves the query half answered.
    assert run(store, "widget acme").hits[0].confidence < 0.5
    acme = settings(stop_words={"en": ["Acme"]})
    hit = run(store, "widget acme", acme).hits[0]
    assert (hit.heading, hit.confidence >= 0.5) == (WIDGET, True)
    assert run(store, "widget acme", settings(stop_words={"*": ["acme"]})).hits[0].confidence >= 0.5
    # Another language's stop words leave an English store alone.
    assert run(store, "widget acme", settings(stop_words={"de": ["acme"]})).hits[0].confidence < 0.5


def test_a_query_of_stop_words_only_still_searches_them(store: Store) -> None:
    # The built-in rule: a query of nothing but stop words looks for them.
    factory = settings(stop_words={"en": ["factory"]})
    assert headings(run(store, "factory", factory)) == [WIDGET]


def test_typos_off_finds_nothing_for_a_typo(store: Store) -> None:
    assert headings(run(store, "adoptr")) == [ADOPTER]
    off = run(store, "adoptr", settings(typos={"enabled": False}))
    assert (off.total, off.corrections) == (0, [])
    assert run(store, "cra", settings(typos={"enabled": False})).total == 0
    # Codes with digits too: by one edit or what they start while typos are on, not after.
    assert headings(run(store, "rtx4091")) == [CARD]
    assert headings(run(store, "rtx40")) == [CARD]
    assert run(store, "rtx4091", settings(typos={"enabled": False})).total == 0
    assert run(store, "rtx40", settings(typos={"enabled": False})).total == 0


def test_a_word_longer_than_the_snippet_is_the_snippet(store: Store) -> None:
    request = SearchRequest(query="counterrevolutionaries others", crop_length=20)
    [hit] = store.search(request).hits
    assert "counterrevolutionaries" in hit.text.lower()


def test_typos_off_reports_no_correction_in_any_language(store: Store) -> None:
    store.upsert_article(
        article_from_sections(
            title="Yakıt rehberi",
            sections=[("Litrelik fiyat nedir?", "Benzinin litrelik fiyatı değişir.")],
            language="tr",
            source="yakit.txt",
        )
    )
    assert run(store, "litre").corrections  # on: a Turkish word completed ("litrelik")
    off = run(store, "litre", settings(typos={"enabled": False}))
    assert (off.total, off.corrections) == (0, [])


def test_minimum_word_lengths(store: Store) -> None:
    # One typo from 5 letters by default; from 7 "adoptr" (6) is left alone.
    assert run(store, "adoptr", settings(typos={"min_word_length_one_typo": 7})).total == 0
    assert headings(run(store, "adoptre", settings(typos={"min_word_length_one_typo": 7}))) == [
        ADOPTER
    ]
    # Two typos from 9 letters by default ("smatrpone": a swap and a missing h).
    assert headings(run(store, "smatrpone")) == [SMARTPHONE]
    assert run(store, "smatrpone", settings(typos={"min_word_length_two_typos": 10})).total == 0
    # Shorter words: two neighbours swapped, from 3 letters by default.
    assert headings(run(store, "cra")) == [CAR_PARK]
    assert run(store, "cra", settings(typos={"min_word_length_swap": 4})).total == 0


def test_the_defaults_are_the_built_in_behaviour() -> None:
    assert Typos() == DEFAULT_TYPOS
    assert DEFAULT_SEARCH_SETTINGS.highlight.crop_length == DEFAULT_CROP_LENGTH == SNIPPET_CHARS
    assert (
        DEFAULT_SEARCH_SETTINGS.highlight.pre_tag,
        DEFAULT_SEARCH_SETTINGS.highlight.post_tag,
    ) == (
        "<mark>",
        "</mark>",
    )
    assert load_search_settings(None) is DEFAULT_SEARCH_SETTINGS


def test_highlight_defaults_from_the_settings(store: Store) -> None:
    bold = settings(highlight={"pre_tag": "<b>", "post_tag": "</b>", "crop_length": 40})
    hit = run(store, "station", bold).hits[0]
    assert "<b>station</b>" in hit.snippet and "<mark>" not in hit.snippet
    assert len(hit.text) <= 40 + 2  # the window, and an ellipsis at each end
    # The request's own tags win over the settings'.
    request = SearchRequest(
        query="station", settings=bold, highlight_pre="<em>", highlight_post="</em>"
    )
    assert "<em>station</em>" in store.search(request).hits[0].snippet


def test_the_example_file_loads_and_works(store: Store) -> None:
    example = load_search_settings(EXAMPLE)
    assert example.synonyms["*"].groups[1] == ["car", "automobile", "auto"]
    assert example.typos == DEFAULT_TYPOS
    assert example.highlight == DEFAULT_SEARCH_SETTINGS.highlight
    assert set(headings(run(store, "auto", example))) == {CAR_PARK, MUSEUM}
    assert headings(run(store, "phone", example)) == [PHONE_LINE, SMARTPHONE]
    assert run(store, "please tell me about the widget", example).hits[0].heading == WIDGET


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("[synonym]\n", "synonym: unknown key", id="unknown-table"),
        pytest.param("[typos]\nenable = false\n", "typos.enable: unknown key", id="unknown-key"),
        pytest.param(
            '[highlight]\npre_tag = "<script>"\n', "highlight.pre_tag: Input should be", id="tag"
        ),
        pytest.param(
            '[highlight]\npre_tag = "<em>"\n',
            "post tag '</mark>' does not close pre tag '<em>'",
            id="unmatched-tags",
        ),
        pytest.param(
            '[synonyms."*"]\ngroups = [["new york", "nyc"]]\n',
            "synonyms.*.groups.0.0: 'new york': one word",
            id="multi-word",
        ),
        pytest.param(
            '[synonyms."*"]\none_way = { "中国" = ["china"] }\n',
            "'中国': one word without spaces or hyphens (multi-word synonyms and CJK",
            id="cjk",
        ),
        pytest.param(
            '[synonyms."*"]\ngroups = [["e-mail", "email"]]\n', "'e-mail': one word", id="hyphen"
        ),
        pytest.param(
            '[synonyms.english]\ngroups = [["a", "b"]]\n',
            "synonyms.english.[key]: 'english': a language is `*`",
            id="language",
        ),
        pytest.param(
            "[typos]\nmin_word_length_one_typo = 6\nmin_word_length_two_typos = 5\n",
            "min_word_length_two_typos is below min_word_length_one_typo",
            id="lengths",
        ),
        pytest.param("[highlight]\ncrop_length = 5\n", "highlight.crop_length", id="crop"),
        pytest.param("synonyms = [\n", "not valid TOML", id="toml"),
    ],
)
def test_a_bad_settings_file_names_the_file_and_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "search.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SearchSettingsError) as raised:
        load_search_settings(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)


def test_a_missing_settings_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SearchSettingsError, match=r"cannot read .*missing\.toml"):
        load_search_settings(tmp_path / "missing.toml")
