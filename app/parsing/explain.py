"""A human-readable outline of a parse: headings with their rules, and every drop."""

from __future__ import annotations

from itertools import groupby
from textwrap import shorten

from app.parsing.html_reader import chrome_summary_words
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
    if (chrome := _page_chrome_line(parsed)) is not None:
        lines.append("")
        lines.append(chrome)
    if parsed.warnings:
        lines.append("")
        lines.append("warnings:")
        lines.extend(f"  {warning}" for warning in parsed.warnings)
    return "\n".join(lines)


def _page_chrome_line(parsed: ParsedArticle) -> str | None:
    """How much of a page was chrome, and how much of that the article's own container held
    (text the extraction left out of it: captions, buttons, or sections it lost)."""
    inside = parsed.container_words_to_chrome
    summaries = [d.text for d in parsed.article.dropped if d.reason == "page_chrome"]
    if not summaries and inside is None:
        return None  # not a page: nothing was page chrome
    outside = sum(chrome_summary_words(summary) or 0 for summary in summaries)
    share = (
        "no article container found"
        if inside is None
        else f"{inside:,} of them inside the article's container"
    )
    return f"page chrome: {outside:,} words outside the main content ({share})"
