"""Reader -> boilerplate rules -> heading detection -> section building."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from app.hashing import content_hash
from app.models import Article, DroppedText, SourceFormat
from app.parsing.blocks import Block, ReadResult, word_count
from app.parsing.boilerplate import block_verdicts, boilerplate_rule, reading_time_minutes
from app.parsing.decoding import decode_source
from app.parsing.formats import detect_format
from app.parsing.furniture import (
    furniture_after_body,
    late_component,
    signature,
    table_of_contents,
)
from app.parsing.headings import (
    HeadingCandidate,
    find_headings,
    is_plain_heading_line,
    late_top_heading,
)
from app.parsing.html_reader import read_html
from app.parsing.interview import promote_statement_leads
from app.parsing.language import UNDETERMINED, choose_language
from app.parsing.markdown_reader import read_markdown
from app.parsing.questions import INTERVIEW_PROMPT, is_question
from app.parsing.rules import MARKUP_HEADING, READING_TIME, DropReason, Effect, Rule
from app.parsing.sections import build_sections
from app.parsing.slugs import SlugAllocator, SlugMode
from app.parsing.text_reader import read_text

READERS: dict[SourceFormat, Callable[[str], ReadResult]] = {
    "text": read_text,
    "markdown": read_markdown,
    "html": read_html,
}
_FIRST_SENTENCE = re.compile(r"^(.{10,160}?[.!?。！？])(?:\s|$)")
_MAX_FALLBACK_TITLE_CHARS = 120


@dataclass(frozen=True)
class HeadingDecision:
    """Why a block became a section heading (for `parse --explain`)."""

    heading: str
    level: int
    heading_rule: str
    question_rule: str | None


@dataclass(frozen=True)
class ParsedArticle:
    article: Article
    decisions: list[HeadingDecision] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # HTML: words of the article's own container that went to page chrome (parse --explain).
    container_words_to_chrome: int | None = None


def parse_article(
    data: bytes,
    *,
    source: str,
    source_format: SourceFormat | None = None,
    charset: str | None = None,
    slugs: SlugMode = "ascii",
) -> ParsedArticle:
    """Parse one article; raises UnreadableSource for binary, undecodable or empty input.
    `charset` is the encoding a protocol named for the bytes (HTTP's Content-Type); `slugs`
    the slug mode (app/parsing/slugs.py)."""
    text, decode_warning = decode_source(data, charset=charset)
    warnings = [decode_warning] if decode_warning else []
    fmt = source_format or detect_format(source, text)
    read = READERS[fmt](text)
    title, blocks = _title_and_body(read, source, warnings)
    blocks = promote_statement_leads(blocks)
    triage = _triage(blocks, title=title)
    minutes = triage.minutes or read.reading_time_minutes
    body_blocks, body_headings = triage.kept()

    # Detected once, from the kept text: the article's language, and the one its non-Latin
    # titles and headings are transliterated in (Japanese kanji read as Japanese)
    language = choose_language(
        read.language, "\n".join([title, *(block.text for block in body_blocks)])
    )
    allocator = SlugAllocator(language=language, mode=slugs)
    article_slug = allocator.slug(title, fallback="") or allocator.slug(
        PurePath(source).stem, fallback="article"
    )
    built = build_sections(
        body_blocks, body_headings, article_slug=article_slug, title=title, slugs=allocator
    )
    if not built.sections:
        warnings.append("no section headings found: the article is served as its lead only")
    region_drops = [
        DroppedText(text=region, reason=DropReason(reason))
        for region, reason in read.dropped_regions
    ]
    article = Article(
        slug=article_slug,
        title=title,
        lead=built.lead,
        lead_markdown=built.lead_markdown,
        language=language or UNDETERMINED,
        source=PurePath(source).as_posix(),
        format=fmt,
        reading_time_minutes=minutes,
        word_count=word_count(built.lead)
        + sum(word_count(s.heading) + s.word_count for s in built.sections),
        content_hash=content_hash(data),
        sections=built.sections,
        dropped=region_drops + triage.dropped_text() + built.dropped,
    )
    decisions = [
        HeadingDecision(
            section.heading,
            section.level,
            _heading_rule_name(candidate),
            asked_by.name if asked_by is not None else None,
        )
        for section, candidate, asked_by in zip(
            built.sections, built.headings, built.question_rules, strict=True
        )
    ]
    return ParsedArticle(article, decisions, warnings, read.container_words_to_chrome)


def _heading_rule_name(candidate: HeadingCandidate) -> str:
    """The rule as `parse --explain` shows it: a markup heading with its level."""
    if candidate.rule is MARKUP_HEADING:
        return f"{MARKUP_HEADING.name}(h{candidate.level})"
    return candidate.rule.name


def _title_and_body(read: ReadResult, source: str, warnings: list[str]) -> tuple[str, list[Block]]:
    if read.title:
        return read.title, read.blocks
    title, blocks = _title_from_first_line(read.blocks)
    if title:
        return title, blocks
    title = _fallback_title(blocks, source)
    warnings.append(f"no title found; using {title!r}")
    return title, blocks


@dataclass(frozen=True)
class _Triage:
    """The verdicts of every stage, folded: what is dropped (block index -> the rule), the
    headings demoted to text, the section headings and the reading time a line stated."""

    blocks: list[Block]
    dropped: dict[int, Rule[Any]]
    demoted: frozenset[int]
    headings: list[HeadingCandidate]
    minutes: int | None

    def kept(self) -> tuple[list[Block], list[HeadingCandidate]]:
        """The surviving blocks, and the headings re-indexed into them."""
        kept_indexes = [i for i in range(len(self.blocks)) if i not in self.dropped]
        position = {original: new for new, original in enumerate(kept_indexes)}
        blocks = [
            _as_paragraph(self.blocks[i]) if i in self.demoted else self.blocks[i]
            for i in kept_indexes
        ]
        return blocks, [h._replace(block_index=position[h.block_index]) for h in self.headings]

    def dropped_text(self) -> list[DroppedText]:
        return [
            DroppedText(text=self.blocks[index].full_text, reason=rule.reason)
            for index, rule in sorted(self.dropped.items())
        ]


def _triage(blocks: list[Block], *, title: str) -> _Triage:
    """Run the stages in order and fold their verdicts in one place. Each stage is a pure
    function of the blocks and the drops so far; a block keeps the first drop it gets."""
    dropped: dict[int, Rule[Any]] = {}
    demoted: set[int] = set()

    def fold(verdicts: Mapping[int, Rule[Any]]) -> None:
        for index, rule in verdicts.items():
            if rule.effect is Effect.DEMOTE:
                demoted.add(index)
            else:
                dropped.setdefault(index, rule)

    fold(block_verdicts(blocks))
    minutes = next(
        (
            reading_time_minutes(blocks[index].text)
            for index, rule in sorted(dropped.items())
            if rule is READING_TIME
        ),
        None,
    )
    # Headings are judged among the blocks still kept (their neighbours are what counts).
    kept = [index for index in range(len(blocks)) if index not in dropped]
    found, vetoes = find_headings([blocks[index] for index in kept], title=title)
    fold({kept[index]: rule for index, rule in vetoes.items()})
    candidates = [c._replace(block_index=kept[c.block_index]) for c in found]
    late = late_top_heading(candidates)
    if late is not None and (cut := late_component(blocks, dropped, late.block_index)):
        fold(cut)
        candidates = [c for c in candidates if c.block_index < late.block_index]
    last_heading = max((c.block_index for c in candidates), default=-1)
    fold(furniture_after_body(blocks, dropped, last_heading))
    fold(signature(blocks, dropped))
    fold(table_of_contents(blocks, dropped, {c.block_index: c.text for c in candidates}))
    headings = [c for c in candidates if c.block_index not in dropped]
    return _Triage(blocks, dropped, frozenset(demoted), headings, minutes)


def _as_paragraph(block: Block) -> Block:
    """A markup heading that is really a standfirst stays as text, without heading status."""
    return block._replace(kind="paragraph", level=None)


def _title_from_first_line(blocks: list[Block]) -> tuple[str | None, list[Block]]:
    """The first line is the title when it is shaped like a heading, unless it is one of
    several headings of its level (the first section) or an interview prompt."""
    if not blocks:
        return None, blocks
    first = blocks[0]
    if first.kind == "heading":
        # A question with peers of its level is the first entry of an FAQ with no title.
        peers = any(b.kind == "heading" and b.level == first.level for b in blocks[1:])
        if peers and is_question(first.text):
            return None, blocks
        return first.text, blocks[1:]
    if is_plain_heading_line(first) and not INTERVIEW_PROMPT.match(first.text):
        return first.text, blocks[1:]
    return None, blocks


def _fallback_title(blocks: list[Block], source: str) -> str:
    """No title in the source: the first sentence of the text, else the file name."""
    # Prefer running text: a heading used as the title would hide that section. Skip what
    # the boilerplate rules will drop ("NOTE:", a byline) and what is not prose.
    order = sorted(range(len(blocks)), key=lambda index: blocks[index].kind == "heading")
    for index in order:
        block = blocks[index]
        text = block.text.strip()
        if not text or block.kind in ("code", "table", "image", "rule"):
            continue
        if boilerplate_rule(blocks, index) is not None:
            continue
        match = _FIRST_SENTENCE.match(text)
        sentence = match.group(1) if match else text
        if len(sentence) > _MAX_FALLBACK_TITLE_CHARS:
            sentence = sentence[:_MAX_FALLBACK_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
        return sentence
    return PurePath(source).stem.replace("-", " ").replace("_", " ").strip() or "Untitled"
