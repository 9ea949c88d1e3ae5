"""Every rule of the parser as a record: its name, what it does to a block (its effect), the
convention it follows, and its limits. The detectors that apply them live with the stage
that runs them (boilerplate, headings, furniture, sections); the thresholds live here, with
the rule they bound, so the whole rule book reads in one place.

`DropReason` lists every reason an article's `dropped` entries can give: the names of the
drop rules, plus the parts of a source that its reader removes before any rule runs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, NamedTuple, TypeVar


class Effect(StrEnum):
    """What a rule does to the block it fires on."""

    DROP = "drop"  # removed from the article, recorded in `dropped` with the rule's name
    DEMOTE = "demote"  # a heading kept as text of the section around it
    HEADING = "heading"  # the block heads a section
    QUESTION = "question"  # the section's heading asks a question


class DropReason(StrEnum):
    """Why a piece of the source is not part of the article's lead or sections."""

    # Removed by a reader before the rules run.
    PAGE_CHROME = "page_chrome"
    FRONT_MATTER = "front_matter"
    LINK_REFERENCE = "link_reference"
    MARKUP = "markup"
    HTML_SCRIPT = "html_script"
    HTML_STYLE = "html_style"
    HTML_IFRAME = "html_iframe"
    HTML_IMAGE = "html_image"
    HTML_EMBED = "html_embed"
    HTML_SVG = "html_svg"
    HTML_NOSCRIPT = "html_noscript"
    HTML_FORM = "html_form"
    HTML_COMMENT = "html_comment"
    HTML_DECLARATION = "html_declaration"
    HTML_MALFORMED = "html_malformed"
    # Block rules.
    IMAGE = "image"
    THEMATIC_BREAK = "thematic_break"
    EMPTY = "empty"
    ANSWER_PREFIX = "answer_prefix"
    TEMPLATE_MARKUP = "template_markup"
    RATING_WIDGET = "rating_widget"
    LOGIN_PROMPT = "login_prompt"
    READING_TIME = "reading_time"
    PROMO = "promo"
    CAPTION = "caption"
    SHARE_WIDGET = "share_widget"
    COMMENTS_WIDGET = "comments_widget"
    SITE_CHROME = "site_chrome"
    BREADCRUMB = "breadcrumb"
    PAGINATION = "pagination"
    DATELINE = "dateline"
    BYLINE = "byline"
    PHOTO_CREDIT = "photo_credit"
    DISCLOSURE = "disclosure"
    LABEL = "label"
    # Heading rules that veto a heading and drop it.
    TITLE_REPEAT = "title_repeat"
    EMPTY_HEADING = "empty_heading"
    # Rules that judge a block by its place in the article.
    LATE_TOP_HEADING = "late_top_heading"
    AFTER_BODY_CHROME = "after_body_chrome"
    AUTHOR_BLURB = "author_blurb"
    TABLE_OF_CONTENTS = "table_of_contents"
    # Rules over the built sections.
    REPEATED_SECTION = "repeated_section"
    SPEAKER_LABEL = "speaker_label"


class NoLimits(NamedTuple):
    """A rule decided by its pattern alone."""


LimitsT = TypeVar("LimitsT", bound=tuple[object, ...])


@dataclass(frozen=True, slots=True)
class Rule(Generic[LimitsT]):
    """One rule: `name` is what `parse --explain` and `dropped[].reason` show."""

    name: str
    effect: Effect
    convention: str
    limits: LimitsT

    @property
    def reason(self) -> DropReason:
        """The drop reason of a DROP rule."""
        assert self.effect is Effect.DROP, f"{self.name} drops nothing"
        return DropReason(self.name)


def _drop(reason: DropReason, convention: str) -> Rule[NoLimits]:
    return Rule(reason.value, Effect.DROP, convention, NoLimits())


# --- Parts a reader removes (recorded so that nothing is lost without a reason) ----------

READER_DROPS: dict[DropReason, str] = {
    DropReason.PAGE_CHROME: "HTML outside the page's main content: navigation, headers, "
    "footers, sidebars, related stories (summarised as one entry)",
    DropReason.FRONT_MATTER: "YAML or TOML front matter of a Markdown file",
    DropReason.LINK_REFERENCE: "Markdown link reference definitions ([x]: https://…)",
    DropReason.MARKUP: "Markdown lines that render as nothing",
    DropReason.HTML_SCRIPT: "<script> in Markdown",
    DropReason.HTML_STYLE: "<style> in Markdown",
    DropReason.HTML_IFRAME: "<iframe> and frames in Markdown",
    DropReason.HTML_IMAGE: "<img> and <picture> in Markdown",
    DropReason.HTML_EMBED: "<video>, <audio>, <object> and other embeds in Markdown",
    DropReason.HTML_SVG: "inline <svg> in Markdown",
    DropReason.HTML_NOSCRIPT: "<noscript> in Markdown",
    DropReason.HTML_FORM: "forms and their controls in Markdown",
    DropReason.HTML_COMMENT: "HTML comments in Markdown",
    DropReason.HTML_DECLARATION: "<!DOCTYPE>, <?…?> and CDATA in Markdown",
    DropReason.HTML_MALFORMED: "an HTML block that cannot be read without losing text",
}


# --- Block rules: a block dropped for what it is (boilerplate.py) ----------------------


class FurnitureLimits(NamedTuple):
    max_chars: int = 300  # page furniture is short; longer blocks are article text
    widget_chars: int = 100  # widget labels are shorter still: most rules see only these


class CaptionLimits(NamedTuple):
    max_words: int = 12


class BylineLimits(NamedTuple):
    max_words: int = 14


class LabelLimits(NamedTuple):
    max_words: int = 5


class AnswerLabelLimits(NamedTuple):
    max_chars: int = 16


class BreadcrumbLimits(NamedTuple):
    max_chars: int = 200


class ReadingTimeLimits(NamedTuple):
    max_chars: int = 80


class PromoLimits(NamedTuple):
    lead_chars: int = 48  # the promo phrase's colon or dash comes this early


# Page furniture is short: no block rule looks at a longer block, nor at a question or an
# interview prompt.
FURNITURE = FurnitureLimits()
IMAGE = _drop(DropReason.IMAGE, "an image's alt text is markup, not article text")
THEMATIC_BREAK = _drop(DropReason.THEMATIC_BREAK, "a horizontal rule (---, <hr>)")
EMPTY = _drop(DropReason.EMPTY, "a block with no visible character")
ANSWER_PREFIX = _drop(
    DropReason.ANSWER_PREFIX,
    'an answer\'s label before its text: "A:", "Antwort:", "答："',
)
ANSWER_LABEL = Rule(
    DropReason.ANSWER_PREFIX.value,
    Effect.DROP,
    'an answer\'s label alone on a line: "**Answer**", "Ответ:"',
    AnswerLabelLimits(),
)
TEMPLATE_MARKUP = _drop(
    DropReason.TEMPLATE_MARKUP, 'unrendered template syntax: "{{< note >}}", "{% … %}"'
)
RATING_WIDGET = _drop(DropReason.RATING_WIDGET, '"Average rating: 4.2 (12 votes)"')
LOGIN_PROMPT = _drop(DropReason.LOGIN_PROMPT, '"Log in to rate this article"')
READING_TIME = Rule(
    DropReason.READING_TIME.value,
    Effect.DROP,
    '"5 min read", "Lesezeit: 3 Minuten" (the minutes become reading_time_minutes)',
    ReadingTimeLimits(),
)
PROMO = Rule(
    DropReason.PROMO.value,
    Effect.DROP,
    '"Read more: …", "Also read –", "Subscribe to …": a promo line in any language',
    PromoLimits(),
)
CAPTION = Rule(
    DropReason.CAPTION.value,
    Effect.DROP,
    "short text pasted after a long run of spaces on a paragraph's line: a photo caption",
    CaptionLimits(),
)
SHARE_WIDGET = _drop(DropReason.SHARE_WIDGET, '"Share this article", "Teilen", "Partager"')
COMMENTS_WIDGET = _drop(
    DropReason.COMMENTS_WIDGET,
    '"Comments (12)", "Leave a reply", "Your email address will not be published."',
)
SITE_CHROME = _drop(
    DropReason.SITE_CHROME, '"Skip to content", "Cookie settings", "Back to top", menus'
)
BREADCRUMB = Rule(
    DropReason.BREADCRUMB.value,
    Effect.DROP,
    '"Home > Help > Billing": a path of links, not a sentence',
    BreadcrumbLimits(),
)
PAGINATION = _drop(DropReason.PAGINATION, '"Page 1 of 3", "« Previous | Next »"')
DATELINE = _drop(
    DropReason.DATELINE,
    "a date alone, or a published/updated line, unless it answers the question above it",
)
BYLINE = Rule(
    DropReason.BYLINE.value,
    Effect.DROP,
    '"By Jane Doe", "Escribe Camila Méndez": the words after the marker are names; also '
    "a closing line of names that signs the text",
    BylineLimits(),
)
PHOTO_CREDIT = Rule(
    DropReason.PHOTO_CREDIT.value,
    Effect.DROP,
    '"Photo: Reuters", "Image credit: NASA", a short line with ©',
    CaptionLimits(max_words=15),
)
DISCLOSURE = _drop(DropReason.DISCLOSURE, "affiliate and advertiser disclosures above reviews")
LABEL = Rule(
    DropReason.LABEL.value,
    Effect.DROP,
    'a short title-case label before a colon that introduces nothing: "Ebrahim Raisi:"',
    LabelLimits(),
)


# --- Heading rules: which blocks head sections (headings.py) ---------------------------


class LineLimits(NamedTuple):
    max_words: int = 16
    max_question_words: int = 30  # a question may run longer than a topic line
    max_chars: int = 200
    max_prompt_chars: int = 600  # "Q: …" prompts may run long; the marker says enough


class MarkupLimits(NamedTuple):
    max_words: int = 60  # longer markup "headings" are standfirsts
    max_statement_words: int = 14  # a longer heading ending in a full stop is a standfirst


class RepeatedPromptLimits(NamedTuple):
    min_repeats: int = 3
    min_words: int = 3
    max_words: int = 30


class StatementPromptLimits(NamedTuple):
    min_question_leads: int = 3  # bold run-in questions that make an article a Q&A
    min_question_share: float = 0.5  # ... and their share of all its bold lead-ins
    min_words: int = 4


class TitleLimits(NamedTuple):
    near_share: float = 0.8  # an h1 sharing this share of the title's words repeats it
    min_near_words: int = 4


MARKUP_HEADING = Rule(
    "markup_heading",
    Effect.HEADING,
    "an h1-h6 element or a Markdown # heading",
    MarkupLimits(),
)
RUN_IN_PROMPT = Rule(
    "run_in_prompt",
    Effect.HEADING,
    'a bold lead-in that asks, or a "Q:" prompt, opening a paragraph that holds its answer',
    NoLimits(),
)
STATEMENT_PROMPT = Rule(
    "statement_prompt",
    Effect.HEADING,
    "a bold lead-in that states, in an interview whose other bold lead-ins ask, becomes a "
    "run-in prompt (and heads its section as run_in_prompt)",
    StatementPromptLimits(),
)
BOLD_PARAGRAPH = Rule(
    "bold_paragraph",
    Effect.HEADING,
    "a short paragraph bold from start to end, not ending like a clause",
    LineLimits(max_question_words=60),
)
STANDALONE_SHORT_LINE = Rule(
    "standalone_short_line",
    Effect.HEADING,
    "a short line of plain text with blank lines around it, not a sentence, clause, label "
    "or list item",
    LineLimits(),
)
REPEATED_PROMPT = Rule(
    "repeated_prompt",
    Effect.HEADING,
    "a standalone line repeated word for word in an interview series, put to each guest",
    RepeatedPromptLimits(),
)
TITLE_REPEAT = Rule(
    DropReason.TITLE_REPEAT.value,
    Effect.DROP,
    "a heading repeating the title: before the first section, or an h1 anywhere",
    TitleLimits(),
)
HEADING_DATELINE = _drop(DropReason.DATELINE, "a heading holding only a date")
EMPTY_HEADING = _drop(
    DropReason.EMPTY_HEADING, "a heading with no text and no sub-heading under it"
)
STANDFIRST = Rule(
    "standfirst",
    Effect.DEMOTE,
    "a markup heading that is a long sentence: the article's summary, kept as text",
    MarkupLimits(),
)


class PullQuoteLimits(NamedTuple):
    min_words: int = 6


PULL_QUOTE = Rule(
    "pull_quote",
    Effect.DEMOTE,
    "a quoted sentence set as a heading inside an answer, repeating a line of it in large "
    "type; kept as text",
    PullQuoteLimits(),
)


# --- Position rules: blocks judged by their place (furniture.py) -----------------------


class TailLimits(NamedTuple):
    max_share: float  # of the article's words the furniture after the marker may hold
    max_block_words: int  # its longest block


class SignatureLimits(NamedTuple):
    max_words: int = 8


class TocLimits(NamedTuple):
    min_items: int = 2


FURNITURE_SHARE = 0.4
LATE_TOP_HEADING = Rule(
    DropReason.LATE_TOP_HEADING.value,
    Effect.DROP,
    "an h1 after sections that sit deeper opens another page component (a call to "
    "action, the next story): it and what follows go, if they are a small part",
    TailLimits(max_share=FURNITURE_SHARE, max_block_words=10**9),
)
AFTER_BODY_CHROME = Rule(
    DropReason.AFTER_BODY_CHROME.value,
    Effect.DROP,
    "what follows a share, comment, rating or login widget (or a thematic break) after "
    "the last section, when it is short next to the article",
    TailLimits(max_share=FURNITURE_SHARE, max_block_words=400),
)
AUTHOR_BLURB = _drop(
    DropReason.AUTHOR_BLURB, '"Jane Doe is a reporter …" in the furniture after the body'
)
SIGNATURE = Rule(
    DropReason.BYLINE.value,
    Effect.DROP,
    "a closing line of names after the text signs it",
    SignatureLimits(),
)
TABLE_OF_CONTENTS = Rule(
    DropReason.TABLE_OF_CONTENTS.value,
    Effect.DROP,
    "list items repeating the section headings (letters and digits compared), with the "
    "label or heading that only heads them",
    TocLimits(),
)
# Markers of page furniture after the body, with the limits of what may follow them. A
# thematic break is weaker evidence than a share widget, so it needs a smaller tail.
TAIL_MARKERS: dict[DropReason, TailLimits] = {
    DropReason.SHARE_WIDGET: AFTER_BODY_CHROME.limits,
    DropReason.COMMENTS_WIDGET: AFTER_BODY_CHROME.limits,
    DropReason.SITE_CHROME: AFTER_BODY_CHROME.limits,
    DropReason.RATING_WIDGET: AFTER_BODY_CHROME.limits,
    DropReason.LOGIN_PROMPT: AFTER_BODY_CHROME.limits,
    DropReason.THEMATIC_BREAK: TailLimits(max_share=0.15, max_block_words=40),
}


# --- Section rules: over the built sections (sections.py) ------------------------------


class SpeakerLimits(NamedTuple):
    min_turns: int = 2  # answers a speaker's label opens


REPEATED_SECTION = _drop(
    DropReason.REPEATED_SECTION,
    "a section repeating an earlier one word for word (a hidden copy for another layout)",
)
SPEAKER_LABEL = Rule(
    DropReason.SPEAKER_LABEL.value,
    Effect.DROP,
    '"Sheila Atim: …" opening interview answers, when the title or lead names the speaker',
    SpeakerLimits(),
)


# --- Question rules: which headings ask (questions.py) ----------------------------------


def _asks(name: str, convention: str) -> Rule[NoLimits]:
    return Rule(name, Effect.QUESTION, convention, NoLimits())


QUESTION_MARK = _asks("question_mark", "ends with ? (closing quotes and brackets aside)")
FULLWIDTH_QUESTION_MARK = _asks("fullwidth_question_mark", "ends with ？ (CJK)")
ARABIC_QUESTION_MARK = _asks("arabic_question_mark", "ends with ؟")
QUESTION_MARK_AFTER_SPACE = _asks("question_mark_after_space", 'ends with " ?" (French typography)')
INVERTED_QUESTION_MARK = _asks("inverted_question_mark", "opens with ¿ and closes with ? (Spanish)")
QUESTION_PARTICLE = _asks("question_particle", "ends with a question particle: 吗, 呢, 嗎, か")
INTERVIEW_PROMPT = _asks("interview_prompt", '"Q:", "Frage:", "В:", "问：" opens it')
QUESTION_MARK_INSIDE = _asks(
    "question_mark_inside", 'asks first and goes on: "What is X? A short guide"'
)
QUESTION_WORD_AMONG_QUESTIONS = _asks(
    "question_word_among_questions",
    "opens with a question word in an article whose other headings ask with a mark",
)


# The rule book, in the order above (for docs and `parse --explain`).
ALL_RULES: tuple[Rule[Any], ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Rule)
)


def _drop_reasons_doc() -> str:
    """One line per drop reason for the OpenAPI document: what removed the text."""
    meaning: dict[DropReason, list[str]] = {
        reason: [convention] for reason, convention in READER_DROPS.items()
    }
    for rule in ALL_RULES:
        if rule.effect is Effect.DROP and rule.name in DropReason.__members__.values():
            conventions = meaning.setdefault(rule.reason, [])
            if rule.convention not in conventions:
                conventions.append(rule.convention)
    missing = set(DropReason) - set(meaning)
    assert not missing, f"drop reasons no rule gives: {sorted(missing)}"
    lines = [f"- `{reason.value}`: {'; '.join(meaning[reason])}" for reason in DropReason]
    return "The rule that removed the text:\n\n" + "\n".join(lines)


DROP_REASONS_DOC = _drop_reasons_doc()
