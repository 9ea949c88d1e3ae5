"""Reader -> boilerplate rules -> heading detection -> section building."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from app.models import Article, DroppedText, SourceFormat
from app.parsing.blocks import Block, ReadResult, normalize_space, word_count
from app.parsing.boilerplate import (
    TAIL_MARKERS,
    boilerplate_reason,
    reading_time_minutes,
    tail_reason,
)
from app.parsing.decoding import decode_source
from app.parsing.formats import detect_format
from app.parsing.headings import (
    HeadingCandidate,
    find_headings,
    is_plain_heading_line,
    late_top_heading,
)
from app.parsing.html_reader import read_html
from app.parsing.language import UNDETERMINED, detect_language
from app.parsing.markdown_reader import read_markdown
from app.parsing.questions import question_rule
from app.parsing.sections import build_sections
from app.parsing.slugs import slug_for
from app.parsing.text_reader import read_text

READERS: dict[SourceFormat, Callable[[str], ReadResult]] = {
    "text": read_text,
    "markdown": read_markdown,
    "html": read_html,
}
_MIN_TOC_ITEMS = 2
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


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_article(
    data: bytes, *, source: str, source_format: SourceFormat | None = None
) -> ParsedArticle:
    """Parse one article; raises UnreadableSource for binary, undecodable or empty input."""
    text, decode_warning = decode_source(data)
    warnings = [decode_warning] if decode_warning else []
    fmt = source_format or detect_format(source, text)
    read = READERS[fmt](text)
    drops: list[tuple[int, DroppedText]] = [
        (-1, DroppedText(text=region, reason=reason)) for region, reason in read.dropped_regions
    ]
    blocks = read.blocks
    title = read.title
    if not title:
        title, blocks = _title_from_first_line(blocks)
    if not title:
        title = _fallback_title(blocks, source)
        warnings.append(f"no title found; using {title!r}")

    reasons = {
        index: reason
        for index in range(len(blocks))
        if (reason := boilerplate_reason(blocks, index))
    }
    minutes = next(
        (
            reading_time_minutes(blocks[i].text)
            for i, r in sorted(reasons.items())
            if r == "reading_time"
        ),
        None,
    )
    kept_indexes = [index for index in range(len(blocks)) if index not in reasons]
    kept = [blocks[index] for index in kept_indexes]
    candidates, vetoes = find_headings(kept, source_format=fmt, title=title)
    for kept_index, veto in vetoes.items():
        if veto != "standfirst":
            reasons[kept_indexes[kept_index]] = veto
    late = late_top_heading(candidates)
    if late is not None and _cut_from(
        blocks, reasons, kept_indexes[late.index], "late_top_heading"
    ):
        candidates = [c for c in candidates if c.index < late.index]
    _cut_tail(blocks, reasons, [kept_indexes[c.index] for c in candidates])
    _drop_table_of_contents(
        blocks, reasons, {normalize_space(c.text).casefold() for c in candidates}
    )

    final_indexes = [index for index in range(len(blocks)) if index not in reasons]
    position = {original: new for new, original in enumerate(final_indexes)}
    final_blocks = [
        _as_paragraph(blocks[index]) if _is_vetoed(index, kept_indexes, vetoes) else blocks[index]
        for index in final_indexes
    ]
    headings = [
        HeadingCandidate(position[kept_indexes[c.index]], c.text, c.level, c.rule)
        for c in candidates
        if kept_indexes[c.index] in position
    ]
    drops.extend(
        (index, DroppedText(text=blocks[index].text, reason=reason))
        for index, reason in reasons.items()
    )

    article_slug = slug_for(title, fallback=slug_for(PurePath(source).stem, fallback="article"))
    built = build_sections(final_blocks, headings, article_slug=article_slug)
    body_text = " ".join([built.lead, *(f"{s.heading} {s.body}" for s in built.sections)])
    language = read.language or detect_language(f"{title}\n{body_text}")
    if not built.sections:
        warnings.append("no section headings found: the article is served as its lead only")
    article = Article(
        slug=article_slug,
        title=title,
        lead=built.lead,
        language=language or UNDETERMINED,
        source=PurePath(source).name,
        format=fmt,
        reading_time_minutes=minutes,
        word_count=word_count(body_text),
        content_hash=content_hash(data),
        sections=built.sections,
        dropped=[drop for _, drop in sorted(drops, key=lambda pair: pair[0])] + built.dropped,
    )
    decisions = [
        HeadingDecision(
            section.heading, section.level, heading.rule, question_rule(section.heading)
        )
        for section, heading in zip(built.sections, headings, strict=True)
    ]
    return ParsedArticle(article, decisions, warnings)


def _is_vetoed(index: int, kept_indexes: list[int], vetoes: dict[int, str]) -> bool:
    return any(kept_indexes[k] == index for k in vetoes)


def _as_paragraph(block: Block) -> Block:
    """A markup heading that is really a standfirst stays as text, without heading status."""
    return Block("paragraph", block.text, block.origin)


def _drop_table_of_contents(
    blocks: list[Block], reasons: dict[int, str], headings: set[str]
) -> None:
    """List items that repeat the section headings are an in-page table of contents."""
    items = [
        i
        for i, block in enumerate(blocks)
        if i not in reasons
        and block.kind == "list_item"
        and normalize_space(block.text).casefold() in headings
    ]
    if len(items) < _MIN_TOC_ITEMS:
        return
    for i in items:
        reasons[i] = "table_of_contents"
    label = items[0] - 1
    if label >= 0 and label not in reasons and blocks[label].text.endswith((":", "：")):
        reasons[label] = "table_of_contents"


def _cut_from(blocks: list[Block], reasons: dict[int, str], start: int, reason: str) -> bool:
    """Drop blocks[start:] as page furniture if they are a small part of the text."""
    tail = [i for i in range(start, len(blocks)) if i not in reasons]
    tail_words = sum(word_count(blocks[i].text) for i in tail)
    total_words = sum(word_count(b.text) for i, b in enumerate(blocks) if i not in reasons)
    if tail_words > TAIL_MARKERS["site_chrome"][0] * total_words:
        return False
    reasons[start] = reason
    for i in tail[1:]:
        reasons[i] = tail_reason(blocks[i])
    return True


def _cut_tail(blocks: list[Block], reasons: dict[int, str], heading_indexes: list[int]) -> None:
    """Everything after a share/comment widget that follows the body is page furniture."""
    last_heading = max(heading_indexes, default=-1)
    seen_body = False
    for index in range(last_heading + 1, len(blocks)):
        reason = reasons.get(index)
        if reason is None:
            seen_body = True
            continue
        if reason in TAIL_MARKERS and seen_body:
            max_share, max_block_words = TAIL_MARKERS[reason]
            tail = [i for i in range(index + 1, len(blocks)) if i not in reasons]
            tail_words = [word_count(blocks[i].text) for i in tail]
            total_words = sum(word_count(b.text) for i, b in enumerate(blocks) if i not in reasons)
            if (
                sum(tail_words) <= max_share * total_words
                and max(tail_words, default=0) <= max_block_words
            ):
                for i in tail:
                    reasons[i] = tail_reason(blocks[i])
                return


def _title_from_first_line(blocks: list[Block]) -> tuple[str | None, list[Block]]:
    """Plain text: the first line is the title when it is shaped like a heading."""
    if blocks and is_plain_heading_line(blocks[0]):
        return blocks[0].text, blocks[1:]
    return None, blocks


def _fallback_title(blocks: list[Block], source: str) -> str:
    """No title in the source: the first sentence of the text, else the file name."""
    # Prefer running text: a heading used as the title would hide that section.
    for block in sorted(blocks, key=lambda block: block.kind == "heading"):
        text = block.text.strip()
        if not text:
            continue
        match = _FIRST_SENTENCE.match(text)
        sentence = match.group(1) if match else text
        if len(sentence) > _MAX_FALLBACK_TITLE_CHARS:
            sentence = sentence[:_MAX_FALLBACK_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
        return sentence
    return PurePath(source).stem.replace("-", " ").replace("_", " ").strip() or "Untitled"
