"""Page furniture around the body, judged by position rather than by the line alone: what
follows a share or comment widget, another page component opened by a late h1, a closing
signature, and a table of contents that repeats the headings.

Each stage is a pure function: it reads the blocks and the verdicts so far (block index ->
the rule that dropped it) and returns its own new verdicts, which the pipeline folds in. All
run in time linear in the blocks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.parsing.blocks import Block, word_count
from app.parsing.boilerplate import names_only, tail_rule
from app.parsing.rules import (
    LATE_TOP_HEADING,
    SIGNATURE,
    TABLE_OF_CONTENTS,
    TAIL_MARKERS,
    DropReason,
    Effect,
    Rule,
)

Verdicts = dict[int, Rule[Any]]
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
_SENTENCE_ENDS = (".", "!", "?", ":", "。", "！", "？")


def late_component(blocks: list[Block], dropped: Mapping[int, Rule[Any]], start: int) -> Verdicts:
    """blocks[start:] as another page component (from a late h1), if they are a small part
    of the text; no verdicts otherwise."""
    words = _kept_words(blocks, dropped)
    tail = [i for i in range(start, len(blocks)) if i not in dropped]
    if sum(words[i] for i in tail) > LATE_TOP_HEADING.limits.max_share * sum(words.values()):
        return {}
    verdicts: Verdicts = {start: LATE_TOP_HEADING}
    verdicts.update((i, tail_rule(blocks[i])) for i in tail[1:])
    return verdicts


def furniture_after_body(
    blocks: list[Block], dropped: Mapping[int, Rule[Any]], last_heading: int
) -> Verdicts:
    """Everything after a share/comment widget that follows the body is page furniture,
    when it is short next to the article and holds no long block."""
    markers = [
        i
        for i in range(last_heading + 1, len(blocks))
        if (rule := dropped.get(i)) is not None and _marker(rule)
    ]
    if not markers:
        return {}  # most articles: no widget after the last heading, no word counts needed
    words = _kept_words(blocks, dropped)
    total = sum(words.values())
    # Word sums and the longest block of every suffix, so each widget is judged in O(1).
    suffix_sum = [0] * (len(blocks) + 1)
    suffix_max = [0] * (len(blocks) + 1)
    for i in range(len(blocks) - 1, -1, -1):
        suffix_sum[i] = suffix_sum[i + 1] + words.get(i, 0)
        suffix_max[i] = max(suffix_max[i + 1], words.get(i, 0))
    seen_body = False
    for index in range(last_heading + 1, len(blocks)):
        rule = dropped.get(index)
        if rule is None:
            seen_body = True
            continue
        if not _marker(rule) or not seen_body:
            continue
        limits = TAIL_MARKERS[DropReason(rule.name)]
        if (
            suffix_sum[index + 1] <= limits.max_share * total
            and suffix_max[index + 1] <= limits.max_block_words
        ):
            return {
                i: tail_rule(blocks[i]) for i in range(index + 1, len(blocks)) if i not in dropped
            }
    return {}


def signature(blocks: list[Block], dropped: Mapping[int, Rule[Any]]) -> Verdicts:
    """A closing line of names after the text ('Jane Doe and the editors') signs it."""
    kept = [i for i in range(len(blocks)) if i not in dropped]
    if len(kept) < 2:
        return {}
    last, before = blocks[kept[-1]], blocks[kept[-2]]
    most = SIGNATURE.limits.max_words
    if (
        last.kind == "paragraph"
        and not last.emphasis
        and word_count(last.text) <= most
        and not last.text.rstrip().endswith(_SENTENCE_ENDS)
        and names_only(last.text)
        and word_count(before.text) > most
    ):
        return {kept[-1]: SIGNATURE}
    return {}


def table_of_contents(
    blocks: list[Block], dropped: Mapping[int, Rule[Any]], headings: Mapping[int, str]
) -> Verdicts:
    """List items that repeat the section headings (block index -> text) are an in-page
    table of contents, compared by letters and digits only: TOC links drop the code marks
    and punctuation of their headings. A label or heading that only heads them goes too."""
    fewest = TABLE_OF_CONTENTS.limits.min_items
    listed = [i for i, block in enumerate(blocks) if i not in dropped and block.kind == "list_item"]
    if len(listed) < fewest:
        return {}
    keys = {_toc_key(text) for text in headings.values()} - {""}
    items = [i for i in listed if _toc_key(blocks[i].text) in keys]
    if len(items) < fewest:
        return {}
    verdicts: Verdicts = dict.fromkeys(items, TABLE_OF_CONTENTS)
    label = items[0] - 1
    while label >= 0 and label in dropped:
        label -= 1
    if label < 0:
        return verdicts
    introduces = blocks[label].text.endswith((":", "："))
    gone = {**dropped, **verdicts}
    if introduces or (label in headings and _heads_only(label, headings, gone, len(blocks))):
        verdicts[label] = TABLE_OF_CONTENTS
    return verdicts


def _marker(rule: Rule[Any]) -> bool:
    return rule.effect is Effect.DROP and rule.name in TAIL_MARKERS


def _heads_only(
    heading: int, headings: Mapping[int, str], dropped: Mapping[int, Rule[Any]], end: int
) -> bool:
    """True when every block from `heading` to the next heading has been dropped."""
    following = min((i for i in headings if i > heading), default=end)
    return all(i in dropped for i in range(heading + 1, following))


def _toc_key(text: str) -> str:
    return _NOT_ALPHANUMERIC.sub("", text.casefold())


def _kept_words(blocks: list[Block], dropped: Mapping[int, Rule[Any]]) -> dict[int, int]:
    return {i: word_count(b.text) for i, b in enumerate(blocks) if i not in dropped}
