"""The rule book: typed records, one name per reason, and verdicts folded in one place."""

from __future__ import annotations

from app.models import DroppedText
from app.parsing.pipeline import parse_article
from app.parsing.rules import ALL_RULES, READER_DROPS, DropReason, Effect

# Every reason the parser gave before the rules became records. Articles stored by that
# parser hold these strings, and must still load.
REASONS_BEFORE_THE_REFACTOR = [
    "after_body_chrome",
    "answer_prefix",
    "author_blurb",
    "breadcrumb",
    "byline",
    "caption",
    "comments_widget",
    "dateline",
    "disclosure",
    "empty",
    "empty_heading",
    "front_matter",
    "html_comment",
    "html_declaration",
    "html_embed",
    "html_form",
    "html_iframe",
    "html_image",
    "html_malformed",
    "html_noscript",
    "html_script",
    "html_style",
    "html_svg",
    "image",
    "label",
    "late_top_heading",
    "link_reference",
    "login_prompt",
    "markup",
    "page_chrome",
    "pagination",
    "photo_credit",
    "promo",
    "rating_widget",
    "reading_time",
    "repeated_section",
    "share_widget",
    "site_chrome",
    "speaker_label",
    "table_of_contents",
    "template_markup",
    "thematic_break",
    "title_repeat",
]


def test_articles_stored_before_keep_loading() -> None:
    for reason in REASONS_BEFORE_THE_REFACTOR:
        assert DroppedText.model_validate({"text": "x", "reason": reason}).reason == reason


def test_every_drop_rule_names_a_drop_reason_and_every_reason_has_a_source() -> None:
    drop_names = {rule.name for rule in ALL_RULES if rule.effect is Effect.DROP}
    assert drop_names <= {reason.value for reason in DropReason}
    assert drop_names | {reason.value for reason in READER_DROPS} == {r.value for r in DropReason}


def test_rules_that_are_not_drops_have_names_of_their_own() -> None:
    others = [rule.name for rule in ALL_RULES if rule.effect is not Effect.DROP]
    assert len(others) == len(set(others))
    assert not set(others) & {reason.value for reason in DropReason}


def test_every_rule_states_its_convention() -> None:
    for rule in ALL_RULES:
        assert len(rule.convention.split()) >= 3, rule.name


def test_a_demoted_heading_keeps_its_text_and_its_inline_structure() -> None:
    page = (
        b"# Title\n\n## What is it?\n\nAn answer of some length that goes on.\n\n"
        b"## \xe2\x80\x9cThis line is quoted from the answer for effect.\xe2\x80\x9d\n\n"
        b"More of the answer.\n"
    )
    article = parse_article(page, source="t.md").article
    assert [s.heading for s in article.sections] == ["What is it?"]
    assert "quoted from the answer" in article.sections[0].body
    assert article.dropped == []


def test_a_block_keeps_the_first_verdict_it_gets() -> None:
    """A share widget after the body is dropped as a share widget (the block stage), and
    what follows it as furniture (the position stage): the later stage does not rename it."""
    body = " ".join(["word"] * 80)
    furniture = "Share this article\n\nPosted in News, with twelve comments so far.\n"
    text = f"Title\n\nWhat is it?\n\n{body}.\n\n{furniture}"
    article = parse_article(text.encode(), source="t.txt").article
    reasons = [(d.text, d.reason) for d in article.dropped]
    assert ("Share this article", DropReason.SHARE_WIDGET) in reasons
    assert (
        "Posted in News, with twelve comments so far.",
        DropReason.AFTER_BODY_CHROME,
    ) in reasons
