"""Date-only lines in several languages are datelines; headings that merely mention a
month are not."""

from __future__ import annotations

import pytest

from app.parsing.dates import is_date_only


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Sunday, May 8, 2016", True, id="en"),
        pytest.param("8 mai 2016", True, id="fr"),
        pytest.param("8. Mai 2016", True, id="de"),
        pytest.param("8 de mayo de 2016", True, id="es"),
        pytest.param("12 марта 2021 г.", True, id="ru"),
        pytest.param("2021年3月12日", True, id="zh"),
        pytest.param("12/03/2021", True, id="numeric"),
        pytest.param("May the force be with you", False, id="may-is-a-word"),
        pytest.param("What happened in March 2020?", False, id="question-with-a-date"),
        pytest.param("Mai 2016: die Wahl", False, id="date-and-words"),
    ],
)
def test_is_date_only(text: str, expected: bool) -> None:
    assert is_date_only(text) is expected
