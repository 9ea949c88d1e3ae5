"""Parser invariants on generated documents: never crash, never lose text unaccounted."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from app.errors import UnreadableSource
from app.models import Article
from app.parsing import parse_article
from app.parsing.html_blocks import walk
from app.parsing.pipeline import READERS

WORDS = st.sampled_from(
    [
        "what",
        "why",
        "Iran",
        "Pakistan",
        "ties",
        "trade",
        "$10",
        "billion",
        "al-Adl",
        "Kubernetes",
        "über",
        "¿Qué",
        "pasa?",
        "что",
        "такое?",
        "什么是",
        "容器？",
        "Q:",
        "A:",
        "Share",
        "Follow:",
        "Read",
        "more:",
        "9",
        "min",
        "read",
        "By",
        "Jane",
        "—",
        "…",
    ]
)
LINES = st.lists(WORDS, min_size=1, max_size=14).map(" ".join)
TEXT_DOCUMENTS = st.lists(LINES, min_size=1, max_size=30).map("\n\n".join)
MARKDOWN_DOCUMENTS = st.lists(
    st.tuples(st.sampled_from(["", "# ", "## ", "### ", "- ", "**", "> "]), LINES).map(
        lambda pair: pair[0] + pair[1] + ("**" if pair[0] == "**" else "")
    ),
    min_size=1,
    max_size=30,
).map("\n\n".join)
HTML_DOCUMENTS = st.lists(
    st.tuples(st.sampled_from(["h1", "h2", "h3", "p", "li", "blockquote"]), LINES).map(
        lambda pair: f"<{pair[0]}>{pair[1]}</{pair[0]}>"
    ),
    min_size=1,
    max_size=30,
).map(lambda parts: "<html><body><article>" + "".join(parts) + "</article></body></html>")


def _words(text: str) -> Counter[str]:
    return Counter(token for token in text.split() if any(char.isalnum() for char in token))


def _placed_words(article: Article) -> Counter[str]:
    return _words(
        " ".join(
            [
                article.title,
                article.lead,
                *(f"{s.heading} {s.body}" for s in article.sections),
                *(d.text for d in article.dropped),
            ]
        )
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT_DOCUMENTS)
def test_plain_text_loses_no_word(document: str) -> None:
    article = parse_article(document.encode(), source="doc.txt").article
    assert not _words(document) - _placed_words(article)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["markdown", "html"]), st.data())
def test_markup_blocks_lose_no_word(fmt: str, data: st.DataObject) -> None:
    document = data.draw(MARKDOWN_DOCUMENTS if fmt == "markdown" else HTML_DOCUMENTS)
    name = "doc.md" if fmt == "markdown" else "doc.html"
    article = parse_article(document.encode(), source=name).article
    blocks = READERS[article.format](document).blocks
    assert not _words(" ".join(b.text for b in blocks)) - _placed_words(article)


# Nested HTML with text everywhere: before, between and after child elements, inside
# inline and block elements, after comments.
HTML_FRAGMENTS = st.recursive(
    LINES.map(lambda line: line.replace("<", " ").replace("&", " ")),
    lambda inner: st.tuples(
        st.sampled_from(["div", "p", "b", "span", "blockquote", "ul", "li", "h3", "section"]),
        st.lists(st.one_of(inner, st.just("<!-- note -->")), min_size=1, max_size=4),
    ).map(lambda pair: f"<{pair[0]}>{' '.join(pair[1])}</{pair[0]}>"),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(HTML_FRAGMENTS)
def test_html_walker_reads_every_word(fragment: str) -> None:
    element = lxml_html.fromstring(f"<div>{fragment}</div>")
    expected = _words(" ".join(str(text) for text in element.itertext()))
    read = _words(" ".join(b.full_text for b in walk(element)))
    assert not expected - read


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4000), st.sampled_from(["x.txt", "x.md", "x.html", "x.bin"]))
def test_arbitrary_bytes_never_crash(data: bytes, name: str) -> None:
    try:
        parse_article(data, source=name)
    except UnreadableSource as error:
        assert str(error)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000), st.sampled_from(["x.txt", "x.md", "x.html"]))
def test_arbitrary_text_never_crashes(text: str, name: str) -> None:
    try:
        parse_article(text.encode("utf-8", "surrogatepass"), source=name)
    except UnreadableSource as error:
        assert str(error)


def test_a_long_interview_transcript_without_blank_lines_parses() -> None:
    pairs = "\n".join(f"Q: Question {i}?\nA: Answer {i}." for i in range(3000))
    article = parse_article(f"Interview\n\n{pairs}\n".encode(), source="t.txt").article
    assert len(article.sections) == 3000


def test_hostile_inputs_are_parsed_or_refused_cleanly() -> None:
    deep = "<html><body>" + "<div>" * 10_000 + "<h2>Deep?</h2><p>answer</p>" + "</div>" * 10_000
    big = (
        "<html><body><article><h1>Big</h1>"
        + ("<h2>Question?</h2><p>" + "lorem ipsum dolor sit amet " * 40 + "</p>") * 4_600
        + "</article></body></html>"
    )
    assert len(big) > 5_000_000
    for data, name, expected_word in [
        (deep.encode(), "deep.html", "answer"),  # deep nesting must not hide text
        (big.encode(), "big.html", "lorem"),
        (b"Title\n\n\xff\xfe\xfa invalid bytes\n\nWhat?\n\nanswer", "latin.txt", "answer"),
    ]:
        article = parse_article(data, source=name).article
        everything = " ".join([article.title, article.lead, *(s.body for s in article.sections)])
        assert expected_word in everything
    for data, name in [(b"", "empty.txt"), (b"\x00\x01\x02" * 100, "junk.md"), (b" \n ", "s.txt")]:
        try:
            parse_article(data, source=name)
        except UnreadableSource:
            continue
        raise AssertionError(f"{name} should be refused")


def _text_document(repeats: int) -> tuple[bytes, str]:
    # Distinct paragraphs, long punctuation runs and a share widget after every paragraph:
    # each has made a rule quadratic before.
    parts = [
        f"Heading {i}?\n\n" + f"word{i}, " * 150 + "——— " * 50 + "\n\nShare this Article\n\n"
        for i in range(repeats)
    ]
    return "".join(parts).encode(), "x.txt"


def _html_document(repeats: int) -> tuple[bytes, str]:
    # Distinct paragraphs with headings the extractor may drop, then a widget.
    parts = [
        f"<p>Paragraph {i} with distinct words item{i} and more text here.</p>"
        + (f"<h3>Heading {i}?</h3>" if i % 20 == 0 else "")
        for i in range(repeats * 4)
    ]
    page = f"<html><body><div>{''.join(parts)}</div><p>Share this</p></body></html>"
    return page.encode(), "x.html"


def _markdown_html_document(repeats: int) -> tuple[bytes, str]:
    # HTML blocks full of scripts and styles: each must be found without rescanning the block.
    scripts = "".join(f"<script>s{i}()</script><style>.c{i}{{}}</style>" for i in range(repeats))
    body = "".join(f"## Question {i}?\n\nAnswer {i}.\n\n" for i in range(repeats // 10))
    return f"# Title\n\n<div>\n{scripts}\n</div>\n\n{body}".encode(), "x.md"


@pytest.mark.parametrize(
    "document",
    [_text_document, _html_document, _markdown_html_document],
    ids=["text", "html", "markdown-html"],
)
def test_run_time_grows_linearly_with_input_size(
    document: Callable[[int], tuple[bytes, str]],
) -> None:
    """Quadrupling the input must not cost much more than four times as much (no
    quadratic rule, no backtracking blow-up); compared within one run, so machine speed
    cancels out."""

    def cost(repeats: int) -> float:
        data, name = document(repeats)
        start = time.perf_counter()
        parse_article(data, source=name)
        return time.perf_counter() - start

    cost(10)
    small, large = min(cost(100) for _ in range(3)), min(cost(400) for _ in range(3))
    assert large < small * 10
