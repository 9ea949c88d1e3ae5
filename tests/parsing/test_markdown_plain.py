"""The fast reader of plain Markdown (ATX headings and paragraphs only) builds exactly the
blocks markdown-it's full parse builds, and stands aside for anything else."""

from __future__ import annotations

import random

import pytest

from app.parsing.markdown_plain import read_plain_markdown
from app.parsing.markdown_reader import _parsed_blocks

WORDS = ("what", "why", "how", "pakistan", "trade", "ties", "the", "of", "é", "naïve", "x1")
MARKS = ("", "#", "##", "###", "  ", "*", "-", "1.", ">", "`", "[a](b)", "_", "<b>", "&amp;")


def document(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 12)):
        kind = rng.random()
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))
        if kind < 0.3:
            lines.append(f"{'#' * rng.randint(1, 6)} {words}{'?' if rng.random() < 0.5 else ''}")
        elif kind < 0.8:
            lines.append(words)
        elif kind < 0.9:
            lines.append(f"{rng.choice(MARKS)} {words} {rng.choice(MARKS)}")
        else:
            lines.append("")
        if rng.random() < 0.5:
            lines.append("")
    return "\n".join(lines) + ("\n" if rng.random() < 0.8 else "")


@pytest.mark.parametrize("seed", range(4))
def test_the_fast_path_builds_what_the_full_parse_builds(seed: int) -> None:
    rng = random.Random(seed)
    fast = 0
    for _ in range(500):
        text = document(rng)
        plain = read_plain_markdown(text)
        if plain is None:
            continue  # not plain: the full parser reads it
        fast += 1
        assert plain == _parsed_blocks(text, []), text
    assert fast > 50  # the generator does reach the fast path
