"""HTML inside Markdown: content tags keep their text in place; scripts, styles, frames,
images, media and comments are dropped with a reason, and nothing vanishes unaccounted."""

from __future__ import annotations

import pytest

from app.models import Article, DroppedText
from app.parsing import parse_article
from app.parsing.rules import DropReason

TITLE = "The Test Story"
LEAD = "Lead paragraph that opens the story."
ANSWER = "The answer is long enough to be a real paragraph of body text in this story."


def parse(source: str) -> Article:
    return parse_article(source.encode(), source="x.md").article


def in_section(snippet: str) -> Article:
    """The snippet between two paragraphs of the article's one section."""
    return parse(f"# {TITLE}\n\n{LEAD}\n\n## First section\n\n{ANSWER}\n\n{snippet}\n\n{ANSWER}\n")


def shown_text(article: Article) -> str:
    """Everything a reader of the article sees: title, lead, headings and bodies."""
    parts = [article.title, article.lead]
    for section in article.sections:
        parts.extend([section.heading, section.body])
    return "\n".join(parts)


def html_drops(article: Article) -> list[DroppedText]:
    return [d for d in article.dropped if d.reason.startswith("html_")]


KEPT_CASES = [
    pytest.param(
        'Read <b>the bold part</b> and <a href="https://example.org">the linked part</a> here.',
        "Read the bold part and the linked part here.",
        id="inline-bold-and-link-keep-text",
    ),
    pytest.param(
        "<em>one</em> <strong>two</strong> <i>three</i> <span>four</span> H<sub>2</sub>O "
        "x<sup>2</sup> <code>five</code> <kbd>Ctrl</kbd> <mark>six</mark> "
        '<abbr title="seven">SVN</abbr> <u>eight</u> <s>nine</s> <small>ten</small>',
        "one two three four H2O x2 five Ctrl six SVN eight nine ten",
        id="inline-content-tags-keep-text-in-place",
    ),
    pytest.param(
        'Line one<br>line two <font color="red">in red</font>.',
        "Line one line two in red.",
        id="inline-br-and-unknown-tag-keep-text",
    ),
    pytest.param(
        '<div align="center">\n<p>Centered <b>words</b> kept</p>\n</div>',
        "Centered words kept",
        id="block-div-keeps-text-as-paragraph",
    ),
    pytest.param(
        "<div>\n\n**Markdown** inside a div\n\n</div>",
        "Markdown inside a div",
        id="block-div-around-markdown-keeps-text",
    ),
]


@pytest.mark.parametrize(("snippet", "expected"), KEPT_CASES)
def test_content_html_keeps_its_text(snippet: str, expected: str) -> None:
    article = in_section(snippet)
    assert len(article.sections) == 1
    assert expected in article.sections[0].body
    assert "<" not in article.sections[0].body
    assert html_drops(article) == []


DROPPED_CASES = [
    pytest.param(
        "Before <script>alert(1)</script> after.",
        "Before after.",
        [DroppedText(text="<script>alert(1)</script>", reason=DropReason.HTML_SCRIPT)],
        ["alert"],
        id="inline-script",
    ),
    pytest.param(
        "<script>\nalert(1)\n\nconsole.log(2)\n</script>",
        None,
        [
            DroppedText(
                text="<script>\nalert(1)\n\nconsole.log(2)\n</script>",
                reason=DropReason.HTML_SCRIPT,
            )
        ],
        ["alert", "console"],
        id="block-script-across-blank-line",
    ),
    pytest.param(
        "Before <script>alert(1)\nstill script",
        "Before",
        [DroppedText(text="<script>alert(1)\nstill script", reason=DropReason.HTML_SCRIPT)],
        ["alert", "still script"],
        id="inline-unclosed-script-runs-to-paragraph-end",
    ),
    pytest.param(
        "Styled <style>p { color: red }</style> text.",
        "Styled text.",
        [DroppedText(text="<style>p { color: red }</style>", reason=DropReason.HTML_STYLE)],
        ["color"],
        id="inline-style",
    ),
    pytest.param(
        "<style>\np { color: red }\n</style>",
        None,
        [DroppedText(text="<style>\np { color: red }\n</style>", reason=DropReason.HTML_STYLE)],
        ["color"],
        id="block-style",
    ),
    pytest.param(
        'Watch <iframe src="https://v.example/embed">no frames</iframe> this.',
        "Watch this.",
        [
            DroppedText(
                text='<iframe src="https://v.example/embed">no frames</iframe>',
                reason=DropReason.HTML_IFRAME,
            )
        ],
        ["no frames", "v.example"],
        id="inline-iframe",
    ),
    pytest.param(
        '<iframe src="https://v.example/embed" width="560"></iframe>',
        None,
        [
            DroppedText(
                text='<iframe src="https://v.example/embed" width="560"></iframe>',
                reason=DropReason.HTML_IFRAME,
            )
        ],
        ["v.example"],
        id="block-iframe",
    ),
    pytest.param(
        'A chart <img src="chart.png" alt="Sales chart"> shows it.',
        "A chart shows it.",
        [DroppedText(text='<img src="chart.png" alt="Sales chart">', reason=DropReason.HTML_IMAGE)],
        ["Sales chart"],
        id="inline-img-with-alt",
    ),
    pytest.param(
        '<img src="chart.png" alt="Sales chart">',
        None,
        [DroppedText(text='<img src="chart.png" alt="Sales chart">', reason=DropReason.HTML_IMAGE)],
        ["Sales chart"],
        id="block-img-with-alt",
    ),
    pytest.param(
        '<a href="https://x.example"><img src="logo.png" alt="Logo"></a> Linked logo.',
        "Linked logo.",
        [DroppedText(text='<img src="logo.png" alt="Logo">', reason=DropReason.HTML_IMAGE)],
        ["Logo "],
        id="inline-img-inside-link",
    ),
    pytest.param(
        '| Plot | Note |\n|---|---|\n| <img src="p.png" alt="A plot"> | fine |',
        "Plot | Note\n | fine",  # one line per row; the image's cell is left empty
        [DroppedText(text='<img src="p.png" alt="A plot">', reason=DropReason.HTML_IMAGE)],
        ["A plot"],
        id="table-cell-img",
    ),
    pytest.param(
        '<video src="a.mp4">Your browser cannot play it</video>',
        None,
        [
            DroppedText(
                text='<video src="a.mp4">Your browser cannot play it</video>',
                reason=DropReason.HTML_EMBED,
            )
        ],
        ["browser"],
        id="block-video-with-fallback-text",
    ),
    pytest.param(
        "Text <!-- hidden note --> continues.",
        "Text continues.",
        [DroppedText(text="<!-- hidden note -->", reason=DropReason.HTML_COMMENT)],
        ["hidden note"],
        id="inline-comment",
    ),
    pytest.param(
        "<!-- editor note:\n\ncheck the facts -->",
        None,
        [
            DroppedText(
                text="<!-- editor note:\n\ncheck the facts -->", reason=DropReason.HTML_COMMENT
            )
        ],
        ["editor note", "check the facts"],
        id="block-comment-across-blank-line",
    ),
    pytest.param(
        '<div>\n<p>Kept words</p>\n<script>track("x")</script>\n<!-- note -->\n</div>',
        "Kept words",
        [
            DroppedText(text='<script>track("x")</script>', reason=DropReason.HTML_SCRIPT),
            DroppedText(text="<!-- note -->", reason=DropReason.HTML_COMMENT),
        ],
        ["track", "note"],
        id="block-div-with-script-and-comment",
    ),
    pytest.param(
        "<!DOCTYPE html>",
        None,
        [DroppedText(text="<!DOCTYPE html>", reason=DropReason.HTML_DECLARATION)],
        ["DOCTYPE"],
        id="block-doctype",
    ),
    pytest.param(
        "<div>" * 300 + "nested deep" + "</div>" * 300,
        None,
        [
            DroppedText(
                text="<div>" * 300 + "nested deep" + "</div>" * 300,
                reason=DropReason.HTML_MALFORMED,
            )
        ],
        ["nested deep"],
        id="block-too-deep-for-the-parser-dropped-whole",
    ),
    pytest.param(
        "<html>",
        None,
        [DroppedText(text="<html>", reason=DropReason.HTML_MALFORMED)],
        ["<html>"],
        id="bare-html-tag-the-parser-asserts-on",
    ),
]


@pytest.mark.parametrize(("snippet", "kept", "dropped", "absent"), DROPPED_CASES)
def test_hidden_html_is_dropped_with_a_reason(
    snippet: str, kept: str | None, dropped: list[DroppedText], absent: list[str]
) -> None:
    article = in_section(snippet)
    assert html_drops(article) == dropped
    shown = shown_text(article)
    for text in absent:
        assert text not in shown
    assert "<" not in shown
    body = article.sections[0].body
    assert body.count(ANSWER) == 2
    if kept is not None:
        assert kept in body


HEADING_CASES = [
    pytest.param("## <span>Why?</span>", "Why?", [], id="heading-inline-span"),
    pytest.param(
        '## Why <em>now</em>? <img src="i.png" alt="icon">',
        "Why now?",
        [DroppedText(text='<img src="i.png" alt="icon">', reason=DropReason.HTML_IMAGE)],
        id="heading-inline-em-and-img",
    ),
    pytest.param(
        "## What <script>steal()</script>changed?",
        "What changed?",
        [DroppedText(text="<script>steal()</script>", reason=DropReason.HTML_SCRIPT)],
        id="heading-inline-script",
    ),
    pytest.param("<h2>Block <b>heading</b>?</h2>", "Block heading?", [], id="heading-html-block"),
]


@pytest.mark.parametrize(("heading", "expected", "dropped"), HEADING_CASES)
def test_html_in_headings_keeps_heading_text(
    heading: str, expected: str, dropped: list[DroppedText]
) -> None:
    article = parse(f"# {TITLE}\n\n{LEAD}\n\n{heading}\n\n{ANSWER}\n\n## Next part\n\n{ANSWER}\n")
    assert [s.heading for s in article.sections] == [expected, "Next part"]
    assert html_drops(article) == dropped


DETAILS_CASES = [
    pytest.param(
        "<details><summary>How do I reset it?</summary>Hold the button down.</details>",
        id="details-one-line",
    ),
    pytest.param(
        "<details>\n<summary>How do I reset it?</summary>\n\nHold the button down.\n\n</details>",
        id="details-around-markdown-answer",
    ),
]


@pytest.mark.parametrize("snippet", DETAILS_CASES)
def test_details_summary_heads_its_answer(snippet: str) -> None:
    article = in_section(snippet)
    assert [s.heading for s in article.sections] == ["First section", "How do I reset it?"]
    assert article.sections[1].body.startswith("Hold the button down.")
    assert html_drops(article) == []
