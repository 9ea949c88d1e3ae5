"""Query language: words, "phrases", -exclusions, prefix*; everything else is literal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.search.query import MAX_CLAUSES, Clause, ClauseKind, parse_query

W, P, X = ClauseKind.WORD, ClauseKind.PHRASE, ClauseKind.PREFIX


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("iran ties", [Clause(W, "iran"), Clause(W, "ties")], id="words"),
        pytest.param('"fragile ceasefire"', [Clause(P, "fragile ceasefire")], id="phrase"),
        pytest.param("“fragile ceasefire”", [Clause(P, "fragile ceasefire")], id="curly-quotes"),
        pytest.param('"open ended', [Clause(P, "open ended")], id="unclosed-quote"),
        pytest.param("-israel", [Clause(W, "israel", negated=True)], id="exclusion"),
        pytest.param('-"gas pipeline"', [Clause(P, "gas pipeline", negated=True)], id="not-phrase"),
        pytest.param("pak*", [Clause(X, "pak")], id="prefix"),
        pytest.param("Iran-Pakistan", [Clause(W, "Iran-Pakistan")], id="inner-hyphen-literal"),
        pytest.param("-", [Clause(W, "-")], id="lone-minus-literal"),
        pytest.param("*", [Clause(W, "*")], id="lone-star-literal"),
        pytest.param("--x", [Clause(W, "--x")], id="double-minus-literal"),
        pytest.param('""', [], id="empty-phrase"),
        pytest.param("", [], id="empty"),
    ],
)
def test_parse_query(raw: str, expected: list[Clause]) -> None:
    assert parse_query(raw) == expected


def test_clause_count_is_capped() -> None:
    assert len(parse_query("word " * 500)) == MAX_CLAUSES


@given(st.text(max_size=5000))
def test_every_string_parses(raw: str) -> None:
    clauses = parse_query(raw)
    assert len(clauses) <= MAX_CLAUSES
    assert all(clause.text for clause in clauses)
