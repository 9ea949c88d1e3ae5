"""Which blocks are section headings, and the named rule that made each one."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, NamedTuple

from app.parsing.blocks import NUMBERED_LINE, Block, word_count
from app.parsing.dates import is_date_only
from app.parsing.questions import (
    INTERVIEW_PROMPT,
    MAX_PROMPT_WORDS,
    ends_with_tag_question,
    is_question,
)
from app.parsing.rules import (
    BOLD_PARAGRAPH,
    EMPTY_HEADING,
    HEADING_DATELINE,
    MARKUP_HEADING,
    PULL_QUOTE,
    REPEATED_PROMPT,
    RUN_IN_PROMPT,
    STANDALONE_SHORT_LINE,
    STANDFIRST,
    TITLE_REPEAT,
    Rule,
)

_WORD = re.compile(r"\w+")
_SENTENCE_ENDS = re.compile(r"[.!?。！？](?=\s|$)")
# "/* comment", "$ git log", "<div>", "{key}", "| cell", "= value": code, not a heading.
_CODE_OPENERS = frozenset("/\\$%@<>{}|=~^`&;,:)]}")
# A plain line that ends like a sentence or a clause is body text, not a heading.
_CLAUSE_END = re.compile(r"[.,;:!…。，；：！]\W{0,2}$")


class HeadingCandidate(NamedTuple):
    """A block judged to be a section heading, with its markup level and the rule that fired."""

    block_index: int
    text: str
    level: int
    rule: Rule[Any]


def starts_like_heading(text: str) -> bool:
    """Headings start with a capital, digit, opening punctuation or an uncased script;
    not with a lower-case letter or the symbols that open code, paths and markup."""
    first = text.lstrip("\"'“‘«¿¡([*_ ")[:1]
    return bool(first) and not first.islower() and first not in _CODE_OPENERS


def markup_heading_veto(block: Block, title: str) -> Rule[Any] | None:
    """The rule that drops or demotes a markup heading (h1-h6, #), or None."""
    text = block.text
    words = word_count(text)
    if _same_text(text, title, near=block.level == 1):
        return TITLE_REPEAT
    if is_pull_quote(text):
        return PULL_QUOTE
    if is_date_only(text):
        return HEADING_DATELINE
    limits = STANDFIRST.limits
    if words > limits.max_words:
        return STANDFIRST
    if not is_question(text) and words > limits.max_statement_words and text.endswith("."):
        return STANDFIRST
    return None


# "Account: @handle", "Accounts: @a, @b", "Website: https://…", "E-mail: a@b.org": a label
# naming a contact (handles, addresses, links), in any language.
_CONTACT_LABEL = re.compile(
    r"^[^\W\d_][\w .-]{0,30}[:：]\s*"
    r"(?:(?:@[\w.]+|#\w+|https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+)[,;]?\s*)+$"
)


def is_contact_label(text: str) -> bool:
    return _CONTACT_LABEL.match(text) is not None


# Opening quotation marks and the mark that closes each.
_QUOTES = {"“": "”", '"': '"', "«": "»", "„": "“", "‘": "’", "「": "」", "『": "』", "»": "«"}
# After the closing mark, an attribution may follow: "— Jane Doe".
_ATTRIBUTION = re.compile(r"\s*[—–-]\s*[^\W\d][\w .’'-]{0,60}$")


def is_pull_quote(text: str) -> bool:
    """A quoted sentence set as a heading: magazines repeat a line of the answer in large
    type ("“Leadership is about enabling others.”"). A quoted question, or a short quoted
    title ("“Never again”"), may be a real heading."""
    quote = _ATTRIBUTION.sub("", text.strip())
    close = _QUOTES.get(quote[:1])
    if close is None or len(quote) < 3 or not quote.endswith(close):
        return False
    inner = quote[1:-1].strip()
    return (
        close not in inner
        and inner[-1:] in (".", "!", "…")
        and word_count(inner) >= PULL_QUOTE.limits.min_words
    )


def is_plain_heading_line(block: Block) -> bool:
    """A short standalone line that is not a sentence, a clause, a label or a list item."""
    text = block.text
    if block.kind != "paragraph" or not block.standalone or block.glued:
        return False
    if is_contact_label(text):
        return False
    limits = STANDALONE_SHORT_LINE.limits
    prompt = INTERVIEW_PROMPT.match(text) is not None
    if len(text) > (limits.max_prompt_chars if prompt else limits.max_chars):
        return False
    if NUMBERED_LINE.match(text) and not is_question(text):
        return False  # a numbered list, unless each item asks something (a numbered FAQ)
    if not starts_like_heading(text) or not _has_letter(text):
        return False
    words = word_count(text)
    if prompt:
        return words <= MAX_PROMPT_WORDS  # prompts may run long; the marker says enough
    if is_question(text):
        return (
            words <= limits.max_question_words
            and _single_question(text)
            and not ends_with_tag_question(text)
        )
    return words <= limits.max_words and not _CLAUSE_END.search(text)


def is_emphasis_heading(block: Block) -> bool:
    """A paragraph that is bold from start to end and short: a heading without markup."""
    if not block.emphasis or block.kind != "paragraph":
        return False
    text = block.text
    words = word_count(text)
    if text.endswith((":", "：")) or not starts_like_heading(text) or is_contact_label(text):
        return False
    limits = BOLD_PARAGRAPH.limits
    if is_question(text):
        return words <= limits.max_question_words
    return words <= limits.max_words and not _CLAUSE_END.search(text)


def find_headings(
    blocks: Sequence[Block], *, title: str
) -> tuple[list[HeadingCandidate], dict[int, Rule[Any]]]:
    """Return the heading candidates and, per vetoed heading, the rule that drops or demotes
    it (a pure function of the blocks)."""
    candidates: list[HeadingCandidate] = []
    vetoes: dict[int, Rule[Any]] = {}
    prompts = _repeated_prompts(blocks)
    for index, block in enumerate(blocks):
        candidate = _candidate(index, block)
        if candidate is None and block.bare_line and block.text in prompts:
            candidate = HeadingCandidate(index, block.text, _UNMARKED_LEVEL, REPEATED_PROMPT)
        if candidate is None:
            continue
        if block.kind == "heading":
            # The title is repeated in the article header, before any section; an h1
            # repeating it anywhere is another layout's copy of the header.
            repeated = title if not candidates or block.level == 1 else ""
            veto = markup_heading_veto(block, repeated)
            if veto is not None:
                vetoes[index] = veto
                continue
        candidates.append(candidate)
    candidates = _without_nested_prompts(_without_subtitles(candidates))
    candidates = _nest_numbered_steps(_nest_repeated_prompts(candidates))
    for candidate in _empty_headings(candidates, len(blocks)):
        vetoes[candidate.block_index] = EMPTY_HEADING
    return [c for c in candidates if c.block_index not in vetoes], vetoes


# A standalone line met often, word for word, is a prompt put to each guest of an
# interview series ("Your quickest dinner recipe."), a heading even when it asks nothing.


def _repeated_prompts(blocks: Sequence[Block]) -> frozenset[str]:
    counts = Counter(
        block.text
        for block in blocks
        if block.bare_line and block.kind == "paragraph" and block.standalone
    )
    limits = REPEATED_PROMPT.limits
    return frozenset(
        text
        for text, count in counts.items()
        if count >= limits.min_repeats
        and limits.min_words <= word_count(text) <= limits.max_words
        and starts_like_heading(text)
        and not text.endswith((":", "："))
        and not is_contact_label(text)
    )


def _nest_repeated_prompts(candidates: list[HeadingCandidate]) -> list[HeadingCandidate]:
    """An interview series puts the same prompts to each guest under the guest's name: the
    unmarked headings that repeat word for word nest under the unmarked ones that do not
    (names, topics) before them."""
    limits = REPEATED_PROMPT.limits
    unmarked = [c for c in candidates if c.level == _UNMARKED_LEVEL]
    counts = Counter(c.text for c in unmarked)
    repeated = {text for text, count in counts.items() if count >= limits.min_repeats}
    if not repeated or all(c.text in repeated for c in unmarked):
        return candidates
    return [
        c._replace(level=_UNMARKED_LEVEL + 1)
        if c.level == _UNMARKED_LEVEL and c.text in repeated
        else c
        for c in candidates
    ]


def _nest_numbered_steps(candidates: list[HeadingCandidate]) -> list[HeadingCandidate]:
    """Numbered headings ("1. Gather the seeds", "2. ...") right after an unnumbered heading
    of the same level ("Method 1: paper towel") are its steps, however the page marks them
    up: they nest under it, until the next unnumbered heading of that level or above."""
    nested: list[HeadingCandidate] = []
    owner_level: int | None = None
    previous: HeadingCandidate | None = None
    for candidate in candidates:
        if candidate.rule is not MARKUP_HEADING:
            nested.append(candidate)
            continue
        numbered = _STEP_NUMBER.match(candidate.text)
        if numbered is None:
            if owner_level is not None and candidate.level <= owner_level:
                owner_level = None
        elif owner_level == candidate.level or (
            numbered.group(1) == "1"
            and previous is not None
            and previous.level == candidate.level
            and _STEP_NUMBER.match(previous.text) is None
        ):
            owner_level = candidate.level
            candidate = candidate._replace(level=candidate.level + 1)
        nested.append(candidate)
        previous = candidate if numbered is None else previous
    return nested


_STEP_NUMBER = re.compile(r"^\s*(\d{1,2})[.)]\s+\S")


def late_top_heading(candidates: Sequence[HeadingCandidate]) -> HeadingCandidate | None:
    """An h1 after sections that sit deeper: another page component (a call to action, the
    next story) starts there, not a section of this article."""
    deepest_so_far: int | None = None
    for candidate in candidates:
        if candidate.level == 1 and deepest_so_far is not None and deepest_so_far > 1:
            return candidate
        if candidate.rule is MARKUP_HEADING:
            deepest_so_far = min(deepest_so_far or candidate.level, candidate.level)
    return None


def _empty_headings(candidates: list[HeadingCandidate], block_count: int) -> list[HeadingCandidate]:
    """Headings with no text and no sub-heading under them (author-box names, hashtags,
    widget titles, a closing promo line) head nothing, so they are not sections."""
    empty: list[HeadingCandidate] = []
    for position, candidate in enumerate(candidates):
        following = candidates[position + 1] if position + 1 < len(candidates) else None
        next_index = following.block_index if following is not None else block_count
        # A run-in prompt carries its answer in the same block.
        has_text = next_index > candidate.block_index + 1 or candidate.rule is RUN_IN_PROMPT
        has_children = following is not None and following.level > candidate.level
        # An unmarked line can only head the text below it: at the very end it heads nothing.
        markup = candidate.rule is MARKUP_HEADING
        if not has_text and (not has_children if markup else following is None):
            empty.append(candidate)
    return empty


_UNMARKED_LEVEL = 7  # bold lines and run-in prompts nest under any markup heading


def _candidate(index: int, block: Block) -> HeadingCandidate | None:
    if block.kind == "heading":
        level = block.level or 1
        return HeadingCandidate(index, block.text, level, MARKUP_HEADING)
    if block.prompt is not None:
        return HeadingCandidate(index, block.prompt, _UNMARKED_LEVEL, RUN_IN_PROMPT)
    if is_emphasis_heading(block):
        return HeadingCandidate(index, block.text, _UNMARKED_LEVEL, BOLD_PARAGRAPH)
    if block.bare_line and is_plain_heading_line(block):
        return HeadingCandidate(index, block.text, _UNMARKED_LEVEL, STANDALONE_SHORT_LINE)
    return None


def _without_subtitles(candidates: list[HeadingCandidate]) -> list[HeadingCandidate]:
    """Drop an unmarked non-question line right under a heading: a byline or a standfirst.

    Markup headings may nest directly (FAQ -> question); an unmarked line that follows a
    heading with no text between is a subtitle ("Jane Doe, correspondent"), not a section.
    """
    kept: list[HeadingCandidate] = []
    for candidate in candidates:
        previous = kept[-1] if kept else None
        unmarked = candidate.rule in (BOLD_PARAGRAPH, STANDALONE_SHORT_LINE, REPEATED_PROMPT)
        if (
            previous is not None
            and previous.block_index == candidate.block_index - 1
            and unmarked
            and not is_question(candidate.text)
            and not INTERVIEW_PROMPT.match(candidate.text)
        ):
            continue
        kept.append(candidate)
    return kept


def _has_letter(text: str) -> bool:
    return text[:1].isalpha() or any(char.isalpha() for char in text)  # most start with one


def _without_nested_prompts(candidates: list[HeadingCandidate]) -> list[HeadingCandidate]:
    """ "Q: ..." paragraphs under a question heading are an exchange quoted in its answer;
    under a plain heading ("FAQ", "Interview") they are the questions themselves."""
    kept: list[HeadingCandidate] = []
    asked_by_markup = False
    for candidate in candidates:
        if candidate.rule is MARKUP_HEADING:
            asked_by_markup = is_question(candidate.text)
        elif (
            asked_by_markup
            and candidate.rule is RUN_IN_PROMPT
            and INTERVIEW_PROMPT.match(candidate.text)
        ):
            continue
        kept.append(candidate)
    return kept


def _single_question(text: str) -> bool:
    """Questions, with at most one statement among them: 'What is X? Where do I get it?'
    is a heading; 'How? Well, it is simple. You ...' is prose."""
    ends = _SENTENCE_ENDS.findall(text)
    return len(ends) <= 2 or sum(1 for end in ends if end not in "?？") <= 1


def _same_text(first: str, second: str, *, near: bool = False) -> bool:
    """The same words, or (`near`, for an h1) nearly: a front-matter title and the h1 under
    it often differ by a word or two ("taille de page" / "taille de la page")."""
    if not second:
        return False
    if first.casefold().strip() == second.casefold().strip():
        return True
    if not near:
        return False
    mine, theirs = _title_words(first), _title_words(second)
    shared = len(mine & theirs)
    limits = TITLE_REPEAT.limits
    return shared >= limits.min_near_words and shared >= limits.near_share * max(
        len(mine), len(theirs)
    )


def _title_words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))
