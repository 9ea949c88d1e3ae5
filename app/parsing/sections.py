"""Headings + blocks -> lead and sections with level, parent and a stable slug."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.models import DroppedText, Section
from app.parsing.blocks import Block, word_count
from app.parsing.body_markdown import PARAGRAPH_SEPARATOR, Paragraph, paragraph_of, render_body
from app.parsing.headings import HeadingCandidate
from app.parsing.questions import (
    ANSWER_PREFIX as ANSWER_PREFIX_PATTERN,
)
from app.parsing.questions import (
    INTERVIEW_PROMPT,
    is_question,
    opens_like_a_question,
    question_rule,
)
from app.parsing.rules import (
    ANSWER_PREFIX,
    QUESTION_MARK_INSIDE,
    QUESTION_WORD_AMONG_QUESTIONS,
    REPEATED_SECTION,
    SPEAKER_LABEL,
    NoLimits,
    Rule,
)
from app.parsing.slugs import SlugAllocator, path_segment

# "Sheila Atim: ..." / "Atim: ..." opening an answer: one to three capitalised words.
_SPEAKER_LABEL = re.compile(
    r"^((?:[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.-]*\s){0,2}[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.-]*)\s?[:：]\s+(?=\S)"
)
_MIN_MARKED_QUESTIONS = 2
_INNER_QUESTION = re.compile(r"(?<=\w)[?؟](?=\s+\w)|(?<=\w)？(?=\s*\w)")
_NAME_WORD = re.compile(r"[\w'’.-]+")


def section_url(article_slug: str, section_slug: str) -> str:
    return f"/articles/{path_segment(article_slug)}/sections/{path_segment(section_slug)}"


@dataclass
class _OpenSection:
    candidate: HeadingCandidate
    slug: str
    depth: int
    parent_slug: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def body(self) -> str:
        return PARAGRAPH_SEPARATOR.join(paragraph.text for paragraph in self.paragraphs)


@dataclass(frozen=True)
class BuiltArticle:
    lead: str
    lead_markdown: str
    sections: list[Section]
    dropped: list[DroppedText]
    # What made each section's heading and question, in the order of `sections`.
    headings: list[HeadingCandidate]
    question_rules: list[Rule[NoLimits] | None]


def build_sections(
    blocks: Sequence[Block],
    headings: Sequence[HeadingCandidate],
    *,
    article_slug: str,
    title: str = "",
    slugs: SlugAllocator | None = None,
) -> BuiltArticle:
    """Distribute the kept blocks into the lead and the sections headed by `headings`;
    `slugs` makes the section slugs (the article's language and slug mode)."""
    by_index = {candidate.block_index: candidate for candidate in headings}
    slugs = slugs or SlugAllocator()
    lead: list[Paragraph] = []
    opened: list[_OpenSection] = []
    stack: list[_OpenSection] = []
    dropped: list[DroppedText] = []
    for index, block in enumerate(blocks):
        candidate = by_index.get(index)
        if candidate is not None:
            while stack and stack[-1].candidate.level >= candidate.level:
                stack.pop()
            section = _OpenSection(
                candidate,
                # "Q: Where did you grow up?" -> "where-did-you-grow-up"
                slugs.allocate(INTERVIEW_PROMPT.sub("", candidate.text) or candidate.text),
                depth=len(stack) + 1,
                parent_slug=stack[-1].slug if stack else None,
            )
            opened.append(section)
            stack.append(section)
            if block.prompt is None:
                continue
        target = opened[-1].paragraphs if opened else lead
        # A prompt that heads no section (one inside an answer) stays with its text.
        paragraph = paragraph_of(block, with_prompt=candidate is None)
        if opened and (block.prompt is not None or not target):
            paragraph = _strip_answer_prefix(paragraph, dropped)
        if paragraph.text:
            target.append(paragraph)
    opened = _without_repeats(opened, dropped)
    lead_text = PARAGRAPH_SEPARATOR.join(paragraph.text for paragraph in lead)
    _strip_speaker_labels(opened, dropped, named_in=f"{title} {lead_text}")
    asks = _asks_in_headings(opened)
    question_rules = [_question_rule(section.candidate.text, asks=asks) for section in opened]
    sections = [
        _finish(section, position, article_slug, asks_question=rule is not None)
        for position, (section, rule) in enumerate(zip(opened, question_rules, strict=True), 1)
    ]
    return BuiltArticle(
        lead_text,
        render_body(lead),
        sections,
        dropped,
        headings=[section.candidate for section in opened],
        question_rules=question_rules,
    )


def _question_rule(heading: str, *, asks: bool) -> Rule[NoLimits] | None:
    if (rule := question_rule(heading)) is not None:
        return rule
    if _INNER_QUESTION.search(heading):
        # "我的组件是英文的？如何切回中文。", "What is X? A short guide": the heading asks
        # first and goes on. Only for headings: in prose lines this is an answer's opening.
        return QUESTION_MARK_INSIDE
    return QUESTION_WORD_AMONG_QUESTIONS if asks and opens_like_a_question(heading) else None


def _without_repeats(
    sections: list[_OpenSection], dropped: list[DroppedText]
) -> list[_OpenSection]:
    """Pages often carry the same block twice (a hidden copy for another layout): a section
    that repeats an earlier one word for word, with all its sub-sections, is dropped."""
    seen: set[tuple[str, str, int]] = set()
    repeated: set[str] = set()
    for section in sections:
        key = (section.candidate.text, section.body, section.depth)
        if key in seen:
            repeated.add(section.slug)
        seen.add(key)
    children: dict[str, list[str]] = {}
    for section in sections:
        if section.parent_slug is not None:
            children.setdefault(section.parent_slug, []).append(section.slug)
    removed: set[str] = set()
    for section in reversed(sections):
        if section.slug in repeated and all(c in removed for c in children.get(section.slug, [])):
            removed.add(section.slug)
    for section in sections:
        if section.slug in removed:
            text = PARAGRAPH_SEPARATOR.join([section.candidate.text, section.body])
            dropped.append(DroppedText(text=text, reason=REPEATED_SECTION.reason))
    return [section for section in sections if section.slug not in removed]


def _strip_answer_prefix(paragraph: Paragraph, dropped: list[DroppedText]) -> Paragraph:
    """'A: Yes.' -> 'Yes.'; the prefix is recorded as dropped, not lost."""
    match = ANSWER_PREFIX_PATTERN.match(paragraph.text)
    if match is None:
        return paragraph
    dropped.append(DroppedText(text=match.group(0).strip(), reason=ANSWER_PREFIX.reason))
    return paragraph.without_prefix(match.end())


def _strip_speaker_labels(
    sections: list[_OpenSection], dropped: list[DroppedText], *, named_in: str
) -> None:
    """Interview answers open with the speaker's name ("Sheila Atim: ...", "Atim: ...").
    A label is a speaker's only when the title or lead names that person and it opens the
    answers of at least two questions; "Note: ..." openings stay answer text."""
    answers = [s for s in sections if s.paragraphs and is_question(s.candidate.text)]
    labels = {
        id(s): m.group(1) for s in answers if (m := _SPEAKER_LABEL.match(s.paragraphs[0].text))
    }
    if not labels:
        return
    surnames = Counter(label.split()[-1] for label in labels.values())
    named = set(_NAME_WORD.findall(named_in))
    for section in answers:
        label = labels.get(id(section))
        if label is None:
            continue
        surname = label.split()[-1]
        if surnames[surname] < SPEAKER_LABEL.limits.min_turns or surname not in named:
            continue
        match = _SPEAKER_LABEL.match(section.paragraphs[0].text)
        assert match is not None
        dropped.append(DroppedText(text=match.group(0).strip(), reason=SPEAKER_LABEL.reason))
        section.paragraphs[0] = section.paragraphs[0].without_prefix(match.end())


def _asks_in_headings(sections: list[_OpenSection]) -> bool:
    """An article whose headings ask questions (with a mark) is a Q&A: there a heading that
    opens with a question word is a question too, even without the mark."""
    return sum(1 for s in sections if is_question(s.candidate.text)) >= _MIN_MARKED_QUESTIONS


def _finish(
    section: _OpenSection, position: int, article_slug: str, *, asks_question: bool
) -> Section:
    body = section.body
    heading = section.candidate.text
    return Section(
        slug=section.slug,
        article_slug=article_slug,
        position=position,
        heading=heading,
        is_question=asks_question,
        level=section.depth,
        parent_slug=section.parent_slug,
        body=body,
        body_markdown=render_body(section.paragraphs),
        word_count=word_count(body),
        url=section_url(article_slug, section.slug),
    )
