"""Plain text -> blocks: blank lines separate blocks, hard-wrapped prose is rejoined."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from app.parsing.blocks import NUMBERED_LINE, Block, ReadResult, normalize_space
from app.parsing.questions import ANSWER_PREFIX, INTERVIEW_PROMPT, is_answer_label, is_question

# A copy-pasted page often glues a caption or promo onto a paragraph after a long run of
# (no-break) spaces; five or more in a row never occur inside real prose.
_GLUE_RUN = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]{5,}")
# Symbol bullets are markup and are cut. Numbered lines stay paragraphs: the number is
# text, and "1. What is X?" may be a heading.
_BULLET = re.compile(r"^\s*[-*•·▪◦–]\s+(?=\S)")
_RARE_SPACE = re.compile(r"[\u2000-\u200a\u202f\u3000]")
_WIKI_HEADING = re.compile(r"^\s*(={1,6})[ \t]*([^=\s](?:.*?[^=\s])?)[ \t]*\1\s*$")
_MARKDOWN_BOLD = re.compile(r"^\*\*([^*\s](?:[^*]*[^*\s])?)\*\*$")
_UNDERLINE = re.compile(r"^\s*(?:={3,}|-{3,}|~{3,}|\*{3,})\s*$")
_WRAP_MIN_LENGTH = 50
# Text glued onto a paragraph follows the paragraph's own text, never a short label.
_MIN_GLUED_HEAD_CHARS = 40
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_MAX_HEADING_ABOVE_PROSE_CHARS = 150
_SENTENCE_END = tuple('.?!:;"”’)»？。！')


def read_text(text: str) -> ReadResult:
    blocks: list[Block] = []
    groups = _line_groups(text.splitlines())
    wiki_level = _wiki_levels([group[0] for _, group in groups])
    for first_line, group in groups:
        if wiki := _WIKI_HEADING.match(group[0]):
            level = wiki_level(len(wiki.group(1)))
            blocks.append(Block("heading", wiki.group(2), f"line {first_line}", level=level))
            group, first_line = group[1:], first_line + 1
        if len(group) >= 2 and _UNDERLINE.match(group[1]) and not _UNDERLINE.match(group[0]):
            # "Title\n=====" / "Section\n-------": a heading marked by its underline.
            level = 1 if "=" in group[1] else 2
            heading = normalize_space(group[0])
            blocks.append(Block("heading", heading, f"line {first_line}", level=level))
            blocks.append(Block("rule", group[1].strip(), f"line {first_line + 1}"))
            group, first_line = group[2:], first_line + 2
        for offset, lines in _paragraph_runs(group):
            for index, line in enumerate(lines):
                standalone = (
                    len(lines) == 1
                    or (index == 0 and _question_over_prose(lines))
                    or _question_after_answer(lines, index)
                    or _numbered_question_over_answer(lines, index)
                )
                origin = f"line {first_line + offset + index}"
                blocks.extend(_split_glued(line, origin=origin, standalone=standalone))
    return ReadResult(blocks)


def _wiki_levels(first_lines: list[str]) -> Callable[[int], int]:
    """Heading level from the number of "=" around a "== Section ==" line. MediaWiki nests
    deeper with more signs; a WordPress readme opens with its "=== Name ===" and nests
    deeper with fewer, so a document whose first such heading has the most signs is read
    that way round."""
    counts = [len(m.group(1)) for line in first_lines if (m := _WIKI_HEADING.match(line))]
    if counts and counts[0] == max(counts) > min(counts):
        return lambda signs: max(counts) + 1 - signs
    return lambda signs: min(signs, 6)


def _paragraph_runs(group: list[str]) -> list[tuple[int, list[str]]]:
    """The group's lines, rejoined where they continue each other. An interview prompt
    ("Q: ...") runs to its answer ("A: ...", or "A:" alone on a line) or the blank line,
    however it is wrapped; a prompt further down the group starts a run of its own when an
    answer follows it. One pass, so a long transcript costs no deeper recursion."""
    runs: list[tuple[int, list[str]]] = []
    start = index = 0
    while index < len(group):
        line = group[index]
        if INTERVIEW_PROMPT.match(line) and (index == start or _answered(group, index)):
            if start < index:
                runs.append((start, _rejoin_wrapped(group[start:index])))
            answer = next(
                (i for i in range(index + 1, len(group)) if _opens_answer(group[i])), len(group)
            )
            runs.append((index, [_joined([line.strip() for line in group[index:answer]])]))
            start = index = answer
        else:
            index += 1
    if start < len(group):
        runs.append((start, _rejoin_wrapped(group[start:])))
    return runs


def _answered(group: list[str], prompt: int) -> bool:
    """An answer line follows the prompt before any other prompt."""
    for line in group[prompt + 1 :]:
        if _opens_answer(line):
            return True
        if INTERVIEW_PROMPT.match(line):
            return False
    return False


def _opens_answer(line: str) -> bool:
    return bool(ANSWER_PREFIX.match(line)) or is_answer_label(line.strip(), bold=False)


def _question_over_prose(lines: list[str]) -> bool:
    """'What is X?' directly above its answer, with no blank line between them."""
    first, second = lines[0].strip(), lines[1].strip()
    return (
        len(first) <= _MAX_HEADING_ABOVE_PROSE_CHARS
        and is_question(first)
        and len(second) >= _WRAP_MIN_LENGTH
    )


def _question_after_answer(lines: list[str], index: int) -> bool:
    """'...the previous answer.\nNext question?' with no blank line before the question:
    the last line of its block, its answer after the blank line. (Mid-block, a question
    line is as likely a rhetorical one in the prose.)"""
    line = lines[index].strip()
    return (
        0 < index == len(lines) - 1
        and len(line) <= _MAX_HEADING_ABOVE_PROSE_CHARS
        and lines[index - 1].rstrip().endswith(_SENTENCE_END)
        and is_question(line)
    )


def _numbered_question_over_answer(lines: list[str], index: int) -> bool:
    """'2. How do I X?' with its answer on the next lines: a numbered FAQ written without
    blank lines. Other lines of such a group are list items or prose."""
    line = lines[index].strip()
    return (
        index + 1 < len(lines)
        and NUMBERED_LINE.match(line) is not None
        and is_question(line)
        and not NUMBERED_LINE.match(lines[index + 1])  # a numbered list, not an answer
    )


def _line_groups(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, with the 1-based number of each run's first line."""
    groups: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(lines, start=1):
        if not line.strip() and "\u00a0" not in line:
            if current:
                groups.append((start, current))
            current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        groups.append((start, current))
    return groups


def _rejoin_wrapped(group: list[str]) -> list[str]:
    """Join lines that continue a sentence (hard-wrapped prose) into one line."""
    lines: list[str] = []
    for line in group:
        previous = lines[-1] if lines else ""
        # A long line that stops mid-sentence continues on the next line (hard-wrapped), and
        # so does an indented line under a flush one (a hanging indent: "A: ...\n   more"),
        # unless that line is a list item of its own.
        wrapped = _columns(previous) >= _WRAP_MIN_LENGTH and not previous.rstrip().endswith(
            _SENTENCE_END
        )
        hanging = (
            bool(previous)
            and line[:1] in " \t"
            and previous[:1] not in " \t"
            and not _BULLET.match(line)
        )
        if wrapped or hanging:
            lines[-1] = _joined([previous.rstrip(), line.lstrip()])
        else:
            lines.append(line)
    return lines


def _joined(lines: list[str]) -> str:
    """Wrapped lines as one: Chinese and Japanese put no space between words, so none
    goes where such a line wraps."""
    text = lines[0] if lines else ""
    for line in lines[1:]:
        text += ("" if _is_spaceless(text[-1:]) and _is_spaceless(line[:1]) else " ") + line
    return text


def _columns(line: str) -> int:
    """Width on screen: a Chinese or Japanese character fills two columns, so a wrapped
    CJK line is as wide as a wrapped Latin one with half the characters."""
    if len(line) >= _WRAP_MIN_LENGTH or line.isascii():
        return len(line)
    return sum(2 if _is_wide(char) else 1 for char in line)


def _is_wide(char: str) -> bool:
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")


def _is_spaceless(char: str) -> bool:
    """Chinese and Japanese, which write no spaces; Korean (Hangul) does."""
    return _is_wide(char) and not _HANGUL.match(char)


def _may_hold_glue_run(line: str) -> bool:
    """Cheap substring tests before the regex: a run of five spaces of the common kinds
    always holds one of these pairs; the rare Unicode spaces need the regex to tell."""
    if (
        "  " in line
        or "\t" in line
        or ("\u00a0" in line and ("\u00a0 " in line or " \u00a0" in line or "\u00a0\u00a0" in line))
    ):
        return True
    return not line.isascii() and _RARE_SPACE.search(line) is not None


def _split_glued(line: str, *, origin: str, standalone: bool) -> list[Block]:
    line = line.lstrip(" \t")  # indentation is layout, not a glue run
    head = normalize_space(line)
    parts = [line]
    # Normalising shortens a line with a whitespace run, so a line it leaves as long as
    # it was has no glue run: the common case costs no further scan.
    if len(head) != len(line) and _may_hold_glue_run(line):
        parts = _GLUE_RUN.split(line)
        if len(normalize_space(parts[0])) < _MIN_GLUED_HEAD_CHARS:
            parts = [line]  # "--stdin     Reads from standard input": a table's columns
        head = normalize_space(parts[0])
    blocks: list[Block] = []
    if head or len(parts) == 1:
        # A line of nothing but no-break spaces is kept as a block so that it is accounted
        # for (dropped as empty) rather than silently vanishing.
        bullet = _BULLET.match(head)
        if bullet:
            blocks.append(
                Block(
                    "list_item", head[bullet.end() :], origin, standalone=standalone, bare_line=True
                )
            )
        elif bold := _MARKDOWN_BOLD.match(head):
            # "**Can I help?**" in a text file: Markdown emphasis written by hand.
            blocks.append(
                Block(
                    "paragraph",
                    bold.group(1),
                    origin,
                    standalone=standalone,
                    bare_line=True,
                    emphasis=True,
                )
            )
        else:
            blocks.append(
                Block("paragraph", head or line, origin, standalone=standalone, bare_line=True)
            )
    for tail in parts[1:]:
        if text := normalize_space(tail):
            blocks.append(
                Block("paragraph", text, origin, standalone=False, glued=True, bare_line=True)
            )
    return blocks
