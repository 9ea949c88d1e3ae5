"""Reader -> boilerplate rules -> heading detection -> section building."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from app.hashing import content_hash
from app.models import Article, DroppedText, SourceFormat
from app.parsing.blocks import Block, ReadResult, word_count
from app.parsing.boilerplate import boilerplate_reason, reading_time_minutes
from app.parsing.decoding import decode_source
from app.parsing.formats import detect_format
from app.parsing.furniture import cut_from, cut_tail, drop_signature, drop_table_of_contents
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
from app.parsing.sections import build_sections
from app.parsing.slugs import slug_for
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


def parse_article(
    data: bytes,
    *,
    source: str,
    source_format: SourceFormat | None = None,
    charset: str | None = None,
) -> ParsedArticle:
    """Parse one article; raises UnreadableSource for binary, undecodable or empty input.
    `charset` is the encoding a protocol named for the bytes (HTTP's Content-Type)."""
    text, decode_warning = decode_source(data, charset=charset)
    warnings = [decode_warning] if decode_warning else []
    fmt = source_format or detect_format(source, text)
    read = READERS[fmt](text)
    title, blocks = _title_and_body(read, source, warnings)
    blocks = promote_statement_leads(blocks)
    triage = _Triage(blocks)
    minutes = triage.apply_boilerplate_rules() or read.reading_time_minutes
    headings = triage.find_section_headings(title=title)
    body_blocks, body_headings = triage.kept(headings)

    article_slug = slug_for(title, fallback="") or slug_for(
        PurePath(source).stem, fallback="article"
    )
    built = build_sections(body_blocks, body_headings, article_slug=article_slug, title=title)
    body_text = " ".join([built.lead, *(f"{s.heading} {s.body}" for s in built.sections)])
    if not built.sections:
        warnings.append("no section headings found: the article is served as its lead only")
    region_drops = [
        DroppedText(text=region, reason=reason) for region, reason in read.dropped_regions
    ]
    article = Article(
        slug=article_slug,
        title=title,
        lead=built.lead,
        language=choose_language(read.language, f"{title}\n{body_text}") or UNDETERMINED,
        source=PurePath(source).as_posix(),
        format=fmt,
        reading_time_minutes=minutes,
        word_count=word_count(built.lead)
        + sum(word_count(s.heading) + s.word_count for s in built.sections),
        content_hash=content_hash(data),
        sections=built.sections,
        dropped=region_drops + triage.dropped() + built.dropped,
    )
    decisions = [
        HeadingDecision(section.heading, section.level, heading_rule, asked_by)
        for section, heading_rule, asked_by in zip(
            built.sections, built.heading_rules, built.question_rules, strict=True
        )
    ]
    return ParsedArticle(article, decisions, warnings)


def _title_and_body(read: ReadResult, source: str, warnings: list[str]) -> tuple[str, list[Block]]:
    if read.title:
        return read.title, read.blocks
    title, blocks = _title_from_first_line(read.blocks)
    if title:
        return title, blocks
    title = _fallback_title(blocks, source)
    warnings.append(f"no title found; using {title!r}")
    return title, blocks


# Vetoed headings whose text stays in the article as a paragraph of the section around it.
KEPT_AS_TEXT = frozenset({"standfirst", "pull_quote"})


class _Triage:
    """Decides, block by block, what is article text and what is dropped (with why)."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self.reasons: dict[int, str] = {}
        self.standfirsts: set[int] = set()

    def apply_boilerplate_rules(self) -> int | None:
        """Record the boilerplate blocks; return the read time if a read-time line says it."""
        minutes: int | None = None
        for index in range(len(self.blocks)):
            reason = boilerplate_reason(self.blocks, index)
            if reason is None:
                continue
            self.reasons[index] = reason
            if reason == "reading_time" and minutes is None:
                minutes = reading_time_minutes(self.blocks[index].text)
        return minutes

    def find_section_headings(self, *, title: str) -> list[HeadingCandidate]:
        """Heading candidates (indexes into all blocks) after every structural rule."""
        kept_indexes = self._kept_indexes()
        kept = [self.blocks[index] for index in kept_indexes]
        found, vetoes = find_headings(kept, title=title)
        for kept_index, veto in vetoes.items():
            if veto in KEPT_AS_TEXT:
                self.standfirsts.add(kept_indexes[kept_index])
            else:
                self.reasons[kept_indexes[kept_index]] = veto
        candidates = [c._replace(block_index=kept_indexes[c.block_index]) for c in found]
        late = late_top_heading(candidates)
        if late is not None and cut_from(
            self.blocks, self.reasons, late.block_index, "late_top_heading"
        ):
            candidates = [c for c in candidates if c.block_index < late.block_index]
        cut_tail(self.blocks, self.reasons, max((c.block_index for c in candidates), default=-1))
        drop_signature(self.blocks, self.reasons)
        drop_table_of_contents(
            self.blocks, self.reasons, {c.block_index: c.text for c in candidates}
        )
        return [c for c in candidates if c.block_index not in self.reasons]

    def kept(self, headings: list[HeadingCandidate]) -> tuple[list[Block], list[HeadingCandidate]]:
        """The surviving blocks, and the headings re-indexed into them."""
        kept_indexes = self._kept_indexes()
        position = {original: new for new, original in enumerate(kept_indexes)}
        blocks = [
            _as_paragraph(self.blocks[i]) if i in self.standfirsts else self.blocks[i]
            for i in kept_indexes
        ]
        return blocks, [h._replace(block_index=position[h.block_index]) for h in headings]

    def dropped(self) -> list[DroppedText]:
        return [
            DroppedText(text=self.blocks[index].full_text, reason=reason)
            for index, reason in sorted(self.reasons.items())
        ]

    def _kept_indexes(self) -> list[int]:
        return [index for index in range(len(self.blocks)) if index not in self.reasons]


def _as_paragraph(block: Block) -> Block:
    """A markup heading that is really a standfirst stays as text, without heading status."""
    return Block("paragraph", block.text, block.origin)


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
        if boilerplate_reason(blocks, index) is not None:
            continue
        match = _FIRST_SENTENCE.match(text)
        sentence = match.group(1) if match else text
        if len(sentence) > _MAX_FALLBACK_TITLE_CHARS:
            sentence = sentence[:_MAX_FALLBACK_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
        return sentence
    return PurePath(source).stem.replace("-", " ").replace("_", " ").strip() or "Untitled"
