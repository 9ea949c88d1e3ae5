"""Page furniture around the body, judged by position rather than by the line alone: what
follows a share or comment widget, another page component opened by a late h1, a closing
signature, and a table of contents that repeats the headings. Each function records its
reasons in `reasons` (block index -> rule name) and runs in time linear in the blocks."""

from __future__ import annotations

import re

from app.parsing.blocks import Block, word_count
from app.parsing.boilerplate import FURNITURE_SHARE, TAIL_MARKERS, names_only, tail_reason

_MIN_TOC_ITEMS = 2
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
_MAX_SIGNATURE_WORDS = 8
_SENTENCE_ENDS = (".", "!", "?", ":", "。", "！", "？")


def cut_from(blocks: list[Block], reasons: dict[int, str], start: int, reason: str) -> bool:
    """Drop blocks[start:] as another page component if they are a small part of the text."""
    words = _kept_words(blocks, reasons)
    tail = [i for i in range(start, len(blocks)) if i not in reasons]
    if sum(words[i] for i in tail) > FURNITURE_SHARE * sum(words.values()):
        return False
    reasons[start] = reason
    for i in tail[1:]:
        reasons[i] = tail_reason(blocks[i])
    return True


def cut_tail(blocks: list[Block], reasons: dict[int, str], last_heading: int) -> None:
    """Everything after a share/comment widget that follows the body is page furniture,
    when it is short next to the article and holds no long block."""
    if not any(reasons.get(i) in TAIL_MARKERS for i in range(last_heading + 1, len(blocks))):
        return  # most articles: no widget after the last heading, no word counts needed
    words = _kept_words(blocks, reasons)
    total = sum(words.values())
    # Word sums and the longest block of every suffix, so each widget is judged in O(1).
    suffix_sum = [0] * (len(blocks) + 1)
    suffix_max = [0] * (len(blocks) + 1)
    for i in range(len(blocks) - 1, -1, -1):
        suffix_sum[i] = suffix_sum[i + 1] + words.get(i, 0)
        suffix_max[i] = max(suffix_max[i + 1], words.get(i, 0))
    seen_body = False
    for index in range(last_heading + 1, len(blocks)):
        reason = reasons.get(index)
        if reason is None:
            seen_body = True
            continue
        if reason not in TAIL_MARKERS or not seen_body:
            continue
        max_share, max_block_words = TAIL_MARKERS[reason]
        if suffix_sum[index + 1] <= max_share * total and suffix_max[index + 1] <= max_block_words:
            for i in range(index + 1, len(blocks)):
                if i not in reasons:
                    reasons[i] = tail_reason(blocks[i])
            return


def drop_signature(blocks: list[Block], reasons: dict[int, str]) -> None:
    """A closing line of names after the text ('Jane Doe and the editors') signs it."""
    kept = [i for i in range(len(blocks)) if i not in reasons]
    if len(kept) < 2:
        return
    last, before = blocks[kept[-1]], blocks[kept[-2]]
    if (
        last.kind == "paragraph"
        and not last.emphasis
        and word_count(last.text) <= _MAX_SIGNATURE_WORDS
        and not last.text.rstrip().endswith(_SENTENCE_ENDS)
        and names_only(last.text)
        and word_count(before.text) > _MAX_SIGNATURE_WORDS
    ):
        reasons[kept[-1]] = "byline"


def drop_table_of_contents(
    blocks: list[Block], reasons: dict[int, str], headings: dict[int, str]
) -> None:
    """List items that repeat the section headings (block index -> text) are an in-page
    table of contents, compared by letters and digits only: TOC links drop the code marks
    and punctuation of their headings. A label or heading that only heads them goes too."""
    listed = [i for i, block in enumerate(blocks) if i not in reasons and block.kind == "list_item"]
    if len(listed) < _MIN_TOC_ITEMS:
        return
    keys = {_toc_key(text) for text in headings.values()} - {""}
    items = [i for i in listed if _toc_key(blocks[i].text) in keys]
    if len(items) < _MIN_TOC_ITEMS:
        return
    for i in items:
        reasons[i] = "table_of_contents"
    label = items[0] - 1
    while label >= 0 and label in reasons:
        label -= 1
    if label < 0 or label in reasons:
        return
    introduces = blocks[label].text.endswith((":", "："))
    if introduces or (label in headings and _heads_only(label, headings, reasons, len(blocks))):
        reasons[label] = "table_of_contents"


def _heads_only(heading: int, headings: dict[int, str], reasons: dict[int, str], end: int) -> bool:
    """True when every block from `heading` to the next heading has been dropped."""
    following = min((i for i in headings if i > heading), default=end)
    return all(i in reasons for i in range(heading + 1, following))


def _toc_key(text: str) -> str:
    return _NOT_ALPHANUMERIC.sub("", text.casefold())


def _kept_words(blocks: list[Block], reasons: dict[int, str]) -> dict[int, int]:
    return {i: word_count(b.text) for i, b in enumerate(blocks) if i not in reasons}
