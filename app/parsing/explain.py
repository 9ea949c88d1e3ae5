"""A human-readable outline of a parse: headings with their rules, and every drop."""

from __future__ import annotations

from itertools import groupby
from textwrap import shorten

from app.parsing.pipeline import ParsedArticle

_PREVIEW_WIDTH = 90


def render_outline(parsed: ParsedArticle) -> str:
    article = parsed.article
    lines = [
        f"{article.title}",
        f"  slug: {article.slug}   format: {article.format}   language: {article.language}"
        f"   words: {article.word_count}   reading time: {article.reading_time_minutes or '-'} min",
        "",
        f"lead: {shorten(article.lead, _PREVIEW_WIDTH, placeholder=' …') or '(empty)'}",
        "",
        f"sections ({len(article.sections)}):",
    ]
    for section, decision in zip(article.sections, parsed.decisions, strict=True):
        indent = "  " * section.level
        marker = "Q" if section.is_question else "-"
        why = decision.heading_rule
        if decision.question_rule:
            why += f"; question: {decision.question_rule}"
        lines.append(f"{indent}{marker} {section.heading}")
        lines.append(f"{indent}    [{why}] /{section.slug} ({section.word_count} words)")
    lines.append("")
    lines.append(f"dropped ({len(article.dropped)}):")
    # Runs of the same drop ("A:" before every answer) read better as one counted line.
    for (reason, text), run in groupby((d.reason, d.text) for d in article.dropped):
        count = len(list(run))
        times = f" ({count}x)" if count > 1 else ""
        preview = shorten(text, _PREVIEW_WIDTH, placeholder=" …")
        lines.append(f"  {reason + times:<22} {preview!r}")
    if parsed.warnings:
        lines.append("")
        lines.append("warnings:")
        lines.extend(f"  {warning}" for warning in parsed.warnings)
    return "\n".join(lines)
