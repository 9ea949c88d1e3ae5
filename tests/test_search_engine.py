"""Search semantics on the seed article: matching, ranking, snippets, filters, paging, typos;
on a store of each backend."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.paging import cursor_error
from app.models import Article, SearchResults
from app.search.cursor import cursor_binding, decode_cursor, encode_cursor
from app.search.request import SearchRequest
from app.store.sql import SQLStore
from tests.conftest import StoreFactory
from tools.evaluation.relevance import article_from_sections

SEED = Path(__file__).resolve().parent.parent / "data" / "articles" / "raisi-visit-pakistan.txt"
AGENDA = "What’s the Ebrahim Raisi agenda of the trip?"
STATUS = "What’s the status of Iran-Pakistan ties?"
VITAL = "Why is the Pakistan-Iran relationship vital?"
TENSIONS = "How has Pakistan responded to Iran-Israel tensions?"
HEADINGS = (AGENDA, STATUS, VITAL, TENSIONS)


def seed_article() -> Article:
    """The seed split by hand at its four question headings (independent of the parser)."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    title = lines[0].strip()
    parts: dict[str, list[str]] = {"": []}
    current = ""
    for line in lines[1:]:
        if line.strip() in HEADINGS:
            current = line.strip()
            parts[current] = []
        elif line.strip() and line.strip() != "9 Min Read":
            parts[current].append(line.strip())
    return article_from_sections(
        title=title,
        lead="\n\n".join(parts[""]),
        sections=[(h, "\n\n".join(parts[h])) for h in HEADINGS],
        source=SEED.name,
    )


@pytest.fixture(scope="module")
def store(module_store_factory: StoreFactory) -> SQLStore:
    opened = module_store_factory.open()
    opened.upsert_article(seed_article())
    opened.upsert_article(
        article_from_sections(
            title="Kashmir explained",
            lead="A primer on the valley & its <disputed> borders.",
            sections=[
                ("Who governs Kashmir?", "India and Pakistan both administer parts of it."),
                ("Background", "The dispute dates from 1947; Kashmir is mentioned often."),
            ],
            source="kashmir.md",
        )
    )
    opened.upsert_article(
        article_from_sections(
            title="Fragen zum Iran",
            sections=[("Was sind die Beziehungen?", "Die Beziehungen zu Pakistan sind eng.")],
            language="de",
            source="iran-de.txt",
        )
    )
    return opened


def search(store: SQLStore, query: str, **filters: object) -> SearchResults:
    return store.search(SearchRequest(query=query, **filters))  # type: ignore[arg-type]


def headings(results: SearchResults) -> list[str | None]:
    return [hit.heading for hit in results.hits]


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        pytest.param("why did raisi go to pakistan", (VITAL, AGENDA), id="natural-question"),
        pytest.param("Iran-Pakistan", (STATUS,), id="hyphenated-heading"),
        pytest.param("Whats the status", (STATUS,), id="apostrophe-free"),
        pytest.param("What’s the status", (STATUS,), id="curly-apostrophe"),
        pytest.param("relationships vital", (VITAL,), id="plural-heading-variant"),
        pytest.param("$10 billion", (TENSIONS,), id="currency-number"),
        pytest.param("al-Adl", (VITAL,), id="hyphenated-name"),
        pytest.param("Adl", (VITAL,), id="part-of-hyphenated-name"),
        pytest.param('"fragile ceasefire"', (AGENDA,), id="phrase"),
        pytest.param("liquified petroleum gas", (TENSIONS,), id="body-keywords"),
    ],
)
def test_finds_the_expected_section_first(
    store: SQLStore, query: str, expected_first: tuple[str, ...]
) -> None:
    results = search(store, query)
    assert results.hits, query
    assert results.hits[0].heading in expected_first


def test_all_words_rank_above_some_words(store: SQLStore) -> None:
    results = search(store, "Kashmir Israel")
    assert results.hits[0].heading == AGENDA  # the only section with both words
    assert results.total > 1  # partial matches follow


def test_heading_outweighs_body(store: SQLStore) -> None:
    assert search(store, "tensions").hits[0].heading == TENSIONS


def test_question_heading_wins_a_tie(store: SQLStore) -> None:
    hits = search(store, "Kashmir", article_slug="kashmir-explained").hits
    assert hits[0].heading == "Who governs Kashmir?"


def test_lead_is_searchable(store: SQLStore) -> None:
    hit = search(store, "underscores delicate balancing").hits[0]
    assert hit.section_slug is None
    assert hit.heading is None
    assert hit.is_question is False
    assert hit.url == f"/articles/{seed_article().slug}"


def test_snippet_marks_matches_and_escapes_the_rest(store: SQLStore) -> None:
    hit = search(store, "disputed borders").hits[0]
    assert "<mark>disputed</mark>" in hit.snippet
    assert "&lt;" in hit.snippet and "&amp;" in hit.snippet
    assert html.unescape(re.sub(r"</?mark>", "", hit.snippet)) == hit.text
    marked = [hit.text[h.start : h.end] for h in hit.highlights]
    assert marked == re.findall(r"<mark>(.*?)</mark>", html.unescape(hit.snippet))


def test_highlights_inflected_and_accented_forms(store: SQLStore) -> None:
    hit = search(store, "relation").hits[0]
    words = {hit.text[h.start : h.end].lower() for h in hit.highlights}
    assert words & {"relation", "relations", "relationship"}


def test_snippet_is_a_window_of_the_original_text(store: SQLStore) -> None:
    hit = search(store, "Balochistan").hits[0]
    assert len(hit.text) <= 240
    assert "Balochistan" in hit.text


def test_exclusion(store: SQLStore) -> None:
    assert AGENDA not in headings(search(store, "Kashmir -Israel"))
    assert AGENDA in headings(search(store, "Kashmir"))


def test_prefix(store: SQLStore) -> None:
    assert search(store, "Balochis*").hits[0].heading == TENSIONS


def test_typo_is_corrected_and_reported(store: SQLStore) -> None:
    results = search(store, "Kashmier")
    assert [(c.original, c.corrected) for c in results.corrections] == [("kashmier", "kashmir")]
    assert results.total > 0


def test_known_word_is_not_corrected(store: SQLStore) -> None:
    assert search(store, "Kashmir").corrections == []


@pytest.mark.parametrize(
    ("filters", "expected_slugs"),
    [
        pytest.param({"article_slug": "kashmir-explained"}, {"kashmir-explained"}, id="article"),
        pytest.param({"language": "de"}, {"fragen-zum-iran"}, id="language"),
        pytest.param({"is_question": False}, {None}, id="not-questions"),
    ],
)
def test_filters(
    store: SQLStore, filters: dict[str, object], expected_slugs: set[str | None]
) -> None:
    results = search(store, "Pakistan", **filters)
    assert results.hits
    if "is_question" in filters:
        assert {h.heading for h in results.hits if h.section_slug} <= {"Background"}
    else:
        assert {h.article_slug for h in results.hits} == expected_slugs


def test_paging_with_offset_and_cursor(store: SQLStore) -> None:
    everything = search(store, "Pakistan", limit=100)
    first = search(store, "Pakistan", limit=2)
    assert first.total == everything.total > 4
    assert first.next_cursor is not None
    assert decode_cursor(first.next_cursor) == 2
    second = store.search(SearchRequest(query="Pakistan", limit=2, cursor=first.next_cursor))
    by_offset = search(store, "Pakistan", limit=2, offset=2)
    assert [h.url for h in second.hits] == [h.url for h in by_offset.hits]
    assert [h.url for h in first.hits + second.hits] == [h.url for h in everything.hits[:4]]
    last = search(store, "Pakistan", limit=100)
    assert last.next_cursor is None


def test_bad_cursor_falls_back_to_offset(store: SQLStore) -> None:
    results = store.search(SearchRequest(query="Pakistan", cursor="garbage!"))
    assert results.offset == 0


BOUND = cursor_binding(query="pakistan")


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("", id="empty"),
        pytest.param("bm90IGEgY3Vyc29y", id="other-base64"),
        pytest.param(encode_cursor(10**7, BOUND)[:-1] + "!", id="mangled"),
        pytest.param(encode_cursor(10**7, BOUND), id="beyond-last-page"),
        pytest.param(encode_cursor(10, BOUND)[:-2], id="truncated"),
        pytest.param("bzox", id="unbound-old-format"),
    ],
)
def test_decode_cursor_rejects_foreign_strings(cursor: str) -> None:
    with pytest.raises(ValueError):
        decode_cursor(cursor)


@pytest.mark.parametrize(
    ("issued_for", "used_for"),
    [
        pytest.param({"query": "pakistan"}, {"query": "iran"}, id="other-query"),
        pytest.param(
            {"query": "pakistan"},
            {"query": "pakistan", "article_slug": "kashmir-explained"},
            id="added-article-filter",
        ),
        pytest.param(
            {"query": "pakistan", "language": "en"},
            {"query": "pakistan", "language": "de"},
            id="other-language",
        ),
        pytest.param(
            {"query": "pakistan", "is_question": True},
            {"query": "pakistan", "is_question": False},
            id="other-question-filter",
        ),
    ],
)
def test_cursor_is_refused_for_other_query_or_filters(
    issued_for: dict[str, object], used_for: dict[str, object]
) -> None:
    cursor = encode_cursor(10, cursor_binding(**issued_for))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="different query"):
        decode_cursor(cursor, binding=cursor_binding(**used_for))  # type: ignore[arg-type]
    assert decode_cursor(cursor, binding=cursor_binding(**issued_for)) == 10  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "same_query",
    [
        pytest.param("Pakistan", id="case"),
        pytest.param("  pakistan ", id="spacing"),
    ],
)
def test_cursor_binding_ignores_what_does_not_change_results(same_query: str) -> None:
    assert cursor_binding(query=same_query) == BOUND


def test_next_cursor_pages_only_its_own_query(store: SQLStore) -> None:
    first = search(store, "Pakistan", limit=2)
    assert first.next_cursor is not None
    foreign = store.search(SearchRequest(query="Iran", limit=2, cursor=first.next_cursor))
    assert foreign.offset == 0  # refused (the API answers 422), so the first page is served
    filtered = SearchRequest(
        query="Pakistan", limit=2, cursor=first.next_cursor, article_slug="kashmir-explained"
    )
    assert cursor_error(filtered) is not None
    own = SearchRequest(query="Pakistan", limit=2, cursor=first.next_cursor)
    assert cursor_error(own) is None
    assert store.search(own).offset == 2


def store_of(
    factory: StoreFactory, title: str, sections: list[tuple[str, str]], language: str
) -> SQLStore:
    """A store holding one article written by hand."""
    opened = factory.open()
    opened.upsert_article(
        article_from_sections(
            title=title, sections=sections, language=language, source=f"{language}.txt"
        )
    )
    return opened


GERMAN_SECTIONS = [
    ("Wie tödlich ist das Coronavirus?", "Die Sterblichkeit ist unklar."),
    ("Wie ansteckend ist das Virus?", "Es verbreitet sich schnell."),
    ("Was tun?", "Hände waschen."),
]
CHINESE_SECTIONS = [
    ("如何购买高铁票？", "通过手机应用购买车票，刷身份证进站。"),
    ("可以携带宠物吗？", "普通旅客不能带猫狗上车。"),
]


def test_compound_tail_finds_the_compound(store_factory: StoreFactory) -> None:
    opened = store_of(store_factory, "Fragen zur Seuche", GERMAN_SECTIONS, "de")
    virus = opened.search(SearchRequest(query="Virus"))
    assert {hit.heading for hit in virus.hits} == {
        "Wie tödlich ist das Coronavirus?",
        "Wie ansteckend ist das Virus?",
    }
    # The whole word outranks the same word as a compound's tail.
    assert virus.hits[0].heading == "Wie ansteckend ist das Virus?"
    assert opened.search(SearchRequest(query="tödliches Virus")).hits[0].heading == (
        "Wie tödlich ist das Coronavirus?"
    )


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("购买车票", id="no-spaces"),
        pytest.param("购买 车票", id="spaces"),
        pytest.param("怎么买高铁票", id="question-no-spaces"),
    ],
)
def test_chinese_queries_with_and_without_spaces(store_factory: StoreFactory, query: str) -> None:
    opened = store_of(store_factory, "高铁出行", CHINESE_SECTIONS, "zh")
    hits = opened.search(SearchRequest(query=query)).hits
    assert hits[0].heading == "如何购买高铁票？"
    assert hits[0].highlights


def test_non_english_stemming(store: SQLStore) -> None:
    hit = search(store, "Beziehung").hits[0]
    assert hit.language == "de"


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param('"', id="lone-quote"),
        pytest.param("-", id="lone-minus"),
        pytest.param("***", id="stars"),
        pytest.param("-Pakistan", id="only-exclusion"),
        pytest.param('NEAR(a b) OR "x" AND col:y ^ {}', id="fts-syntax"),
    ],
)
def test_degenerate_queries_return_cleanly(store: SQLStore, query: str) -> None:
    results = search(store, query)
    assert results.total == len(results.hits) == 0


def test_stop_words_alone_still_match(store: SQLStore) -> None:
    assert search(store, "what is").total > 0


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=2000), limit=st.integers(1, 100), offset=st.integers(0, 50))
def test_any_text_is_a_valid_query(store: SQLStore, query: str, limit: int, offset: int) -> None:
    results = search(store, query, limit=limit, offset=offset)
    assert 0 <= len(results.hits) <= limit
    for hit in results.hits:
        for highlight in hit.highlights:
            assert 0 <= highlight.start < highlight.end <= len(hit.text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(
        st.sampled_from(["pakistan", "iran", "-kashmir", '"the', "rais*", "x*", "ß", "中国"]),
        max_size=40,
    )
)
def test_operator_soup_is_bounded_and_valid(store: SQLStore, words: list[str]) -> None:
    results = search(store, " ".join(words))
    assert results.total >= len(results.hits)
