"""Snippets: best window, heading vs body, escaping, highlight offsets; typo distance."""

from __future__ import annotations

import pytest

from app.search.snippets import Highlighter, make_snippet
from app.search.typos import TypoIndex, allowed_edits, edit_distance

FILLER = "Nothing to see here. " * 30


def marked(text: str, highlights: list[tuple[int, int]]) -> list[str]:
    return [text[start:end] for start, end in highlights]


def test_window_is_around_the_densest_match() -> None:
    body = FILLER + "The pipeline project with Iran was stalled. " + FILLER
    snippet = make_snippet(
        heading="Gas?", body=body, language="en", highlighter=Highlighter({"pipelin": 1.0})
    )
    assert marked(snippet.text, snippet.highlights) == ["pipeline"]
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    assert len(snippet.text) < 260


def test_heading_is_the_snippet_when_only_it_matches() -> None:
    snippet = make_snippet(
        heading="Why is <this> vital?",
        body=FILLER,
        language="en",
        highlighter=Highlighter({"vital": 1.0}),
    )
    assert snippet.text == "Why is <this> vital?"
    assert snippet.html == "Why is &lt;this&gt; <mark>vital</mark>?"


def test_accents_case_and_apostrophes_are_highlighted() -> None:
    body = "Raisí’s visit; RAISI again; raisis."
    snippet = make_snippet(
        heading=None, body=body, language="en", highlighter=Highlighter({"raisi": 1.0})
    )
    assert marked(snippet.text, snippet.highlights) == ["Raisí’s", "RAISI", "raisis"]


def test_whitespace_runs_collapse_without_breaking_offsets() -> None:
    body = "Trade   between\n\nthe two   nations   has risen."
    snippet = make_snippet(
        heading=None, body=body, language="en", highlighter=Highlighter({"nation": 1.0})
    )
    assert snippet.text == "Trade between the two nations has risen."
    assert marked(snippet.text, snippet.highlights) == ["nations"]


def test_cjk_bigram_is_highlighted() -> None:
    snippet = make_snippet(
        heading=None,
        body="我们讨论中国经济的问题",
        language="zh",
        highlighter=Highlighter({"中国": 1.0}),
    )
    assert marked(snippet.text, snippet.highlights) == ["中国"]


def test_no_terms_gives_the_start_of_the_body() -> None:
    snippet = make_snippet(heading="H", body=FILLER, language="en", highlighter=Highlighter({}))
    assert snippet.highlights == []
    assert snippet.text.startswith("Nothing to see here.")


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        pytest.param("kashmir", "kashmir", 0, id="same"),
        pytest.param("kashmier", "kashmir", 1, id="insertion"),
        pytest.param("tehran", "tehrna", 1, id="transposition"),
        pytest.param("terorism", "terrorism", 1, id="deletion"),
        pytest.param("abcdef", "uvwxyz", 3, id="capped-at-limit-plus-one"),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, 2) == distance


@pytest.mark.parametrize(
    ("word", "edits"),
    [
        pytest.param("iran", 0, id="short"),
        pytest.param("tehran", 1, id="medium"),
        pytest.param("prosecuters", 2, id="long"),
    ],
)
def test_allowed_edits(word: str, edits: int) -> None:
    assert allowed_edits(word) == edits


def test_typo_index_prefers_closer_then_frequent_words() -> None:
    index = TypoIndex(
        [("continuous", "continu", 5), ("container", "contain", 50), ("continue", "continu", 9)]
    )
    assert index.nearest("continous", 2) == ["continu"]
    assert index.nearest("kashmir", 1) == []
