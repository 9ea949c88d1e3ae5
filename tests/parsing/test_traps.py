"""One small fixture per kind of trap seen in real pages, pinned by the project's own files."""

from __future__ import annotations

import pytest

from app.models import Article, SourceFormat
from app.parsing import parse_article
from app.parsing.rules import DropReason


def parse(source: str, fmt: SourceFormat) -> Article:
    name = {"text": "a.txt", "markdown": "a.md", "html": "a.html"}[fmt]
    return parse_article(source.encode(), source=name).article


def html_page(body: str, *, title: str = "The Test Story", lang: str = "en") -> str:
    filler = " ".join(["The committee met again on Tuesday to review the plan."] * 6)
    return (
        f"<!doctype html><html lang='{lang}'><head><title>{title} | Site</title></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/n'>News</a></li></ul></nav>"
        f"<main><article><h1>{title}</h1><p>{filler}</p>{body}</article></main>"
        "<footer><p>Copyright the site</p></footer></body></html>"
    )


ANSWER = "The answer is long enough to be a real paragraph of body text in this story."

HEADING_CASES = [
    pytest.param(
        "Title line\n\nLead paragraph that opens the story.\n\nWhat happened?\n\n"
        f"{ANSWER}\n\nBackground\n\n{ANSWER}\n",
        "text",
        [("What happened?", True), ("Background", False)],
        id="text-bare-lines-question-and-not",
    ),
    pytest.param(
        "Title line\n\nLead.\n\nWhy, you ask? Because it is long and keeps on going as prose.\n\n"
        f"Next question?\n\n{ANSWER}\n",
        "text",
        [("Next question?", True)],
        id="text-question-inside-paragraph-is-not-a-heading",
    ),
    pytest.param(
        f"Title line\n\nLead.\n\nProfile: Jane Doe\nTimeline of events\n\nWhat now?\n\n{ANSWER}\n",
        "text",
        [("What now?", True)],
        id="text-related-link-lines-without-blank-line",
    ),
    pytest.param(
        "Title line\n\nLead.\n\nAnalysis heading here\n\n"
        f"Jane Doe, chief correspondent\n\n{ANSWER}\n",
        "text",
        [("Analysis heading here", False)],
        id="text-byline-under-heading",
    ),
    pytest.param(
        f"Title\n=====\n\nLead.\n\n### What is kubectl? (And how do you say it?)\n\n{ANSWER}\n\n"
        f"### Other questions\n\n{ANSWER}\n",
        "markdown",
        [("What is kubectl? (And how do you say it?)", True), ("Other questions", False)],
        id="markdown-question-then-parenthetical-question",
    ),
    pytest.param(
        f"# Title\n\nLead.\n\n## FAQ\n\n### What is it?\n\n{ANSWER}\n\n#### Detail\n\n{ANSWER}\n",
        "markdown",
        [("FAQ", False), ("What is it?", True), ("Detail", False)],
        id="markdown-nesting-faq-question-subheading",
    ),
    pytest.param(
        html_page(f"<h2>¿Tema a debatir?</h2><p>{ANSWER}</p><h2>La otra cara</h2><p>{ANSWER}</p>"),
        "html",
        [("¿Tema a debatir?", True), ("La otra cara", False)],
        id="html-spanish-inverted-question-mark",
    ),
    pytest.param(
        html_page(f"<h3>Comment ça marche\u00a0?</h3><p>{ANSWER}</p>", lang="fr"),
        "html",
        [("Comment ça marche ?", True)],
        id="html-french-no-break-space-before-question-mark",
    ),
    pytest.param(
        html_page(f"<h3>什么是容器？）</h3><p>{ANSWER}</p><h3>Что такое под?</h3><p>{ANSWER}</p>"),
        "html",
        [("什么是容器？）", True), ("Что такое под?", True)],
        id="html-fullwidth-question-mark-before-bracket-and-cyrillic",
    ),
    pytest.param(
        html_page(f"<h4><strong>Q: Favorite apps</strong></h4><p>A: {ANSWER}</p>"),
        "html",
        [("Q: Favorite apps", True)],
        id="html-interview-prompt-without-question-mark",
    ),
    pytest.param(
        html_page(f"<p><strong>How did it start?</strong></p><p>{ANSWER}</p>"),
        "html",
        [("How did it start?", True)],
        id="html-bold-only-paragraph-heading",
    ),
    pytest.param(
        html_page(f"<p><b>What drives you?</b><br>{ANSWER}</p><p><b>And next?</b> {ANSWER}</p>"),
        "html",
        [("What drives you?", True), ("And next?", True)],
        id="html-run-in-bold-prompts",
    ),
    pytest.param(
        html_page(f"<h2>Where is it<br>going?</h2><p>{ANSWER}</p>"),
        "html",
        [("Where is it going?", True)],
        id="html-heading-split-by-br",
    ),
    pytest.param(
        html_page(
            "<h2>A long standfirst marked up as a heading, which sums up the whole story in "
            "one sentence and keeps going well past any heading length.</h2>"
            f"<h2>Sunday, May 8, 2016</h2><p>{ANSWER}</p><h2>Real question?</h2><p>{ANSWER}</p>"
        ),
        "html",
        [("Real question?", True)],
        id="html-standfirst-and-date-as-h2",
    ),
    pytest.param(
        html_page(
            f"<h2>The Test Story</h2><p>{ANSWER}</p><h2>Real question?</h2><p>{ANSWER}</p>"
            "<h2>Jane Author</h2><h2>#SupportUs</h2>"
        ),
        "html",
        [("Real question?", True)],
        id="html-title-repeat-and-author-box-headings",
    ),
]


FAQ_WIDGETS = {
    "details-summary": "<details><summary>How do I reset it?</summary><p>{a}</p></details>"
    "<details><summary>Can I undo it?</summary><p>{a}</p></details>",
    "definition-list": "<dl><dt>How do I reset it?</dt><dd>{a}</dd>"
    "<dt>Can I undo it?</dt><dd>{a}</dd></dl>",
    "accordion-buttons": "<div><button>How do I reset it?</button><div><p>{a}</p></div></div>"
    "<div><button>Can I undo it?</button><div><p>{a}</p></div></div>",
}


@pytest.mark.parametrize("widget", FAQ_WIDGETS.values(), ids=FAQ_WIDGETS.keys())
def test_faq_widgets_keep_their_questions(widget: str) -> None:
    article = parse(html_page("<h2>FAQ</h2>" + widget.format(a=ANSWER)), "html")
    assert [(s.heading, s.level, s.body) for s in article.sections] == [
        ("FAQ", 1, ""),
        ("How do I reset it?", 2, ANSWER),
        ("Can I undo it?", 2, ANSWER),
    ]


@pytest.mark.parametrize(("source", "fmt", "expected"), HEADING_CASES)
def test_section_headings(source: str, fmt: SourceFormat, expected: list[tuple[str, bool]]) -> None:
    article = parse(source, fmt)
    assert [(s.heading, s.is_question) for s in article.sections] == expected


def test_nesting_levels_and_parents() -> None:
    article = parse(
        f"# Title\n\nLead.\n\n## FAQ\n\n### What is it?\n\n{ANSWER}\n\n#### Detail\n\n{ANSWER}\n"
        f"\n## After\n\n{ANSWER}\n",
        "markdown",
    )
    assert [(s.slug, s.level, s.parent_slug) for s in article.sections] == [
        ("faq", 1, None),
        ("what-is-it", 2, "faq"),
        ("detail", 3, "what-is-it"),
        ("after", 1, None),
    ]


def test_interview_answer_prefixes_and_speaker_labels_are_not_answer_text() -> None:
    article = parse(
        html_page(
            f"<h2>Why this role?</h2><p><strong>Jane Doe:</strong> {ANSWER}</p>"
            f"<h2>What comes next?</h2><p><strong>Doe:</strong> {ANSWER}</p>"
            f"<h3>Q: Favorite book?</h3><p>A: {ANSWER}</p>",
            title="An interview with Jane Doe",
        ),
        "html",
    )
    assert [s.body for s in article.sections] == [ANSWER, ANSWER, ANSWER]
    reasons = {(d.text, d.reason) for d in article.dropped}
    assert {("Jane Doe:", "speaker_label"), ("Doe:", "speaker_label"), ("A:", "answer_prefix")} <= (
        reasons
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        pytest.param("8 minutos de lectura", "reading_time", id="read-time-spanish"),
        pytest.param("Lesezeit: 5 Min.", "reading_time", id="read-time-german"),
        pytest.param("Read more: Another story entirely", "promo", id="read-more-promo"),
        pytest.param("Lire aussi : une autre histoire", "promo", id="promo-french"),
        pytest.param("Share this story", "share_widget", id="share"),
        pytest.param("Post a Comment", "comments_widget", id="comments"),
        pytest.param("By Jane Doe and John Roe", "byline", id="byline"),
        pytest.param("Published on 11 May", "dateline", id="dateline"),
        pytest.param("Stand des Artikels: 3. März 2024, 10:00 Uhr.", "dateline", id="dateline-dot"),
        pytest.param("Fotocredit: Jane Doe © 2021 Studio", "photo_credit", id="photo-credit"),
        pytest.param(
            "We may receive compensation if you buy through our affiliate links.",
            "disclosure",
            id="affiliate-disclosure",
        ),
        pytest.param("Accueil > Actualités > Le budget", "breadcrumb", id="breadcrumb-french"),
        pytest.param("现在位置： 首页 >> 东区新闻 >> 正文", "breadcrumb", id="breadcrumb-chinese"),
        pytest.param("上一篇：关于举办青年学者沙龙的通知", "pagination", id="previous-story"),
        pytest.param("【打印本页】【关闭窗口】", "pagination", id="bracket-widgets"),
        pytest.param("发布时间：2019-05-18 来源：中国地理学会", "dateline", id="dateline-chinese"),
        pytest.param("mercredi 11 septembre 2019", "dateline", id="date-alone"),
        pytest.param("(责编：汤诗瑶、丁涛)", "byline", id="editor-credit"),
        pytest.param("返回首页", "site_chrome", id="back-home"),
    ],
)
def test_boilerplate_lines_are_dropped_with_their_reason(line: str, reason: str) -> None:
    article = parse(f"Title line\n\n{line}\n\nLead paragraph.\n\nWhat now?\n\n{ANSWER}\n", "text")
    assert (line, reason) in {(d.text, d.reason) for d in article.dropped}
    assert line not in article.lead


def test_table_of_contents_repeating_the_questions_is_dropped() -> None:
    article = parse(
        f"Title line\n\nIn this article:\n\n- Why now?\n- What is it?\n\nLead.\n\n"
        f"What is it?\n\n{ANSWER}\n\nWhy now?\n\n{ANSWER}\n",
        "text",
    )
    assert article.lead == "Lead."
    assert [d.reason for d in article.dropped].count(DropReason.TABLE_OF_CONTENTS) == 3


def test_markdown_front_matter_and_link_references_are_accounted_for() -> None:
    article = parse(
        f"---\ntitle: Front Title\n---\n\nLead with a [link][1].\n\n## What?\n\n{ANSWER}\n\n"
        "[1]: https://example.org\n",
        "markdown",
    )
    assert article.title == "Front Title"
    assert article.lead == "Lead with a link."
    assert {d.reason for d in article.dropped} >= {"front_matter", "link_reference"}


def test_html_title_and_page_chrome() -> None:
    article = parse(html_page(f"<h2>What now?</h2><p>{ANSWER}</p>"), "html")
    assert article.title == "The Test Story"
    assert "Home" not in article.lead
    assert any(d.reason == "page_chrome" for d in article.dropped)


@pytest.mark.parametrize(
    ("declared", "words", "language"),
    [
        pytest.param("de-DE", "Wort", "de", id="declared-and-no-evidence-against"),
        pytest.param("ru", "The answer is in the text and it is English.", "en", id="text-wins"),
        pytest.param("en", "这个问题的答案在文章里。", "zh", id="chinese-script"),
    ],
)
def test_language_from_page_unless_the_text_clearly_says_otherwise(
    declared: str, words: str, language: str
) -> None:
    page = (
        f"<html lang='{declared}'><head><title>T</title></head><body><article><h1>T</h1>"
        + f"<p>{words}</p>" * 5
        + "</article></body></html>"
    )
    assert parse(page, "html").language == language


def test_article_without_headings_is_lead_only() -> None:
    parsed = parse_article(b"Just one paragraph of text, nothing else.\n", source="a.txt")
    assert parsed.article.sections == []
    assert parsed.warnings


LINE_LAYOUT_CASES = [
    pytest.param(
        html_page(
            f"<p>Intro sentence of the page.<br><br>What is X?<br>{ANSWER}<br><br>"
            f"Why now?<br><br>{ANSWER}</p>"
        ),
        "html",
        [("What is X?", True), ("Why now?", True)],
        id="html-lines-separated-by-br",
    ),
    pytest.param(
        f"Title line\n\nLead.\n\n1. What is X?\n\n{ANSWER}\n\n2. Why now?\n\n{ANSWER}\n",
        "text",
        [("1. What is X?", True), ("2. Why now?", True)],
        id="text-numbered-faq",
    ),
    pytest.param(
        f"Title line\n\nLead.\n\n1. Buy milk\n\n2. Buy eggs\n\nWhat else?\n\n{ANSWER}\n",
        "text",
        [("What else?", True)],
        id="text-numbered-list-is-not-headings",
    ),
    pytest.param(
        f"Title line\n\nLead.\n\nWhat is X?\n{ANSWER}\n\nWhy now?\n{ANSWER}\n",
        "text",
        [("What is X?", True), ("Why now?", True)],
        id="text-question-directly-above-its-answer",
    ),
    pytest.param(
        html_page(
            f"<h2>By the numbers</h2><p>{ANSWER}</p><h2>Von der Leyen reist nach Kiew</h2>"
            f"<p>{ANSWER}</p><h2>Why it matters:</h2><p>{ANSWER}</p>"
        ),
        "html",
        [
            ("By the numbers", False),
            ("Von der Leyen reist nach Kiew", False),
            ("Why it matters:", False),
        ],
        id="html-headings-that-look-like-bylines-or-labels",
    ),
]


@pytest.mark.parametrize(("source", "fmt", "expected"), LINE_LAYOUT_CASES)
def test_line_layouts(source: str, fmt: SourceFormat, expected: list[tuple[str, bool]]) -> None:
    article = parse(source, fmt)
    assert [(s.heading, s.is_question) for s in article.sections] == expected


def test_hard_wrapped_prose_is_one_paragraph() -> None:
    article = parse(
        "Title line\n\nThis paragraph was hard wrapped by an editor at about seventy\n"
        "Two columns, so a wrapped line may start with a capital letter\nand end here.\n",
        "text",
    )
    assert "\n" not in article.lead


def test_note_prefix_is_not_a_speaker_label() -> None:
    article = parse(
        f"Title line\n\nLead.\n\nWhat is X?\n\nNote: {ANSWER}\n\nWhy now?\n\nNote: {ANSWER}\n",
        "text",
    )
    assert all(s.body.startswith("Note: ") for s in article.sections)


def test_interview_prompt_is_not_part_of_the_slug() -> None:
    article = parse(html_page(f"<h4>Q: Where did you grow up?</h4><p>{ANSWER}</p>"), "html")
    assert article.sections[0].slug == "where-did-you-grow-up"


@pytest.mark.parametrize(
    ("source", "fmt", "expected"),
    [
        pytest.param(
            "<html><head><title>FAQ | Example</title></head><body><div>"
            f"<h1>Domande frequenti</h1><h3>Cos'è?</h3><p>{ANSWER}</p>"
            f"<h3>Come si fa?</h3><p>{ANSWER}</p></div></body></html>",
            "html",
            [("Cos'è?", True), ("Come si fa?", True)],
            id="html-headings-the-extractor-dropped-are-recovered",
        ),
        pytest.param(
            html_page(
                f'<h2>Where is the log?<a class="headerlink" href="#log">¶</a></h2><p>{ANSWER}</p>'
                f"<h2><strong>+ Is it safe?</strong></h2><p>{ANSWER}</p>"
            ),
            "html",
            [("Where is the log?", True), ("Is it safe?", True)],
            id="html-permalink-and-accordion-glyphs",
        ),
        pytest.param(
            f"# Диски\n\n## Сколько места? {{#disk-size}}\n\n{ANSWER}\n\n"
            f"## Зачем нужен swap?\n\n{ANSWER}\n\n## Как изменить размер диска\n\n{ANSWER}\n\n"
            f"## How we evaluated\n\n{ANSWER}\n",
            "markdown",
            [
                ("Сколько места?", True),
                ("Зачем нужен swap?", True),
                ("Как изменить размер диска", True),
                ("How we evaluated", False),
            ],
            id="markdown-attribute-lists-and-question-words-in-a-faq",
        ),
        pytest.param(
            f"Title line\n\nLead.\n\n这个可以用吗\n\n{ANSWER}\n\n它安全吗？\n\n{ANSWER}\n",
            "text",
            [("这个可以用吗", True), ("它安全吗？", True)],
            id="text-chinese-question-particle",
        ),
    ],
)
def test_real_page_patterns(
    source: str, fmt: SourceFormat, expected: list[tuple[str, bool]]
) -> None:
    article = parse(source, fmt)
    assert [(s.heading, s.is_question) for s in article.sections] == expected


def test_plain_text_faq_with_underlined_title_and_wrapped_prompts() -> None:
    article = parse(
        "Netdev FAQ\n----------\n\nQ: I found a bug that might matter.\n   Should I mail the"
        f" maintainer?\n\nA: No. {ANSWER}\n   More of the answer on an indented line.\n\n"
        f"Q: What level of testing is expected?\n\nA: {ANSWER}\n\n"
        "        https://example.org/a/very/long/indented/link\n",
        "text",
    )
    assert article.title == "Netdev FAQ"
    assert [s.heading for s in article.sections] == [
        "Q: I found a bug that might matter. Should I mail the maintainer?",
        "Q: What level of testing is expected?",
    ]
    assert article.sections[0].body == f"No. {ANSWER} More of the answer on an indented line."
    assert article.sections[1].body.endswith("https://example.org/a/very/long/indented/link")


def test_a_long_wrapped_prompt_is_still_a_heading() -> None:
    prompt = (
        "Q: I see a network patch and I think it should be backported to stable.\n"
        "   Should I request it via the stable list like the references in the\n"
        "   kernel's Documentation/stable_kernel_rules.txt file say, or not at all?"
    )
    article = parse(
        f"Netdev FAQ\n\nQ: What is netdev?\n\nA: {ANSWER}\n\n{prompt}\n\nA: No.\n", "text"
    )
    assert len(article.sections[1].heading) > 200
    assert [s.heading.split()[:4] for s in article.sections] == [
        ["Q:", "What", "is", "netdev?"],
        ["Q:", "I", "see", "a"],
    ]
    assert article.sections[1].body == "No."


def test_markdown_without_heading_markup_reads_lone_lines_like_plain_text() -> None:
    source = f"Title line\n\nWhat is it?\n\n{ANSWER}\n\nWhy *now*?\n\n{ANSWER}\n{ANSWER}\n"
    article = parse(source, "markdown")
    assert [s.heading for s in article.sections] == ["What is it?", "Why now?"]
    with_markup = parse(f"# Title\n\n## Section\n\nWhat is it?\n\n{ANSWER}\n", "markdown")
    assert [s.heading for s in with_markup.sections] == ["Section"]


def test_a_link_only_answer_the_extractor_drops_is_put_back() -> None:
    faq = "".join(
        f"<div class='section'><h2>{question}</h2>{answer}</div>"
        for question, answer in [
            ("Where is the log file?", "<p>See <a href='/debug.html'>Debugging the server</a></p>"),
            ("Is it thread-safe?", f"<p>{ANSWER} {ANSWER}</p>"),
            ("How do I compile it?", f"<p>{ANSWER} {ANSWER}</p>"),
        ]
    )
    article = parse(html_page(faq), "html")
    first = article.sections[0]
    assert (first.heading, first.body) == ("Where is the log file?", "See Debugging the server")
    assert len(article.sections) == 3


def test_an_faq_without_a_title_keeps_its_first_question() -> None:
    article = parse(f"## Is it free?\n\n{ANSWER}\n\n## Is it fast?\n\n{ANSWER}\n", "markdown")
    assert [s.heading for s in article.sections] == ["Is it free?", "Is it fast?"]
    assert article.lead == ""


def test_front_matter_title_folded_with_entities_and_its_near_copy_as_h1() -> None:
    article = parse(
        "---\ntitle: Preguntas m&#225;s frecuentes sobre la copia de seguridad\n"
        "  en la nube\n---\n\n# Preguntas más frecuentes sobre la copia de la seguridad en"
        f" la nube\n\n{ANSWER}\n\n## ¿Es gratis?\n\n{ANSWER}\n",
        "markdown",
    )
    assert article.title == "Preguntas más frecuentes sobre la copia de seguridad en la nube"
    assert [(s.heading, s.level) for s in article.sections] == [("¿Es gratis?", 1)]
    assert article.lead == ANSWER


def test_a_lone_heading_after_the_text_is_not_the_title() -> None:
    article = parse(
        f"Some text first.\n\n{ANSWER}\n\n{ANSWER}\n\n### Contents\n\n- a\n", "markdown"
    )
    assert article.title != "Contents"


def test_a_heading_that_asks_and_goes_on_is_a_question() -> None:
    article = parse(
        f"# FAQ\n\n## 我的组件是英文的？如何切回中文。\n\n{ANSWER}\n\n## Background\n\n{ANSWER}\n",
        "markdown",
    )
    assert [s.is_question for s in article.sections] == [True, False]


def test_numbered_questions_over_their_answers_without_blank_lines() -> None:
    article = parse(
        "FAQ\n===\n1. What can be cached?\n * Files in the cache folder.\n"
        "2. How do I add an entry?\n * Call put() with a key.\n",
        "text",
    )
    assert [s.heading for s in article.sections] == [
        "1. What can be cached?",
        "2. How do I add an entry?",
    ]


def test_the_fallback_title_is_never_a_dropped_label() -> None:
    article = parse(f"NOTE:\nThis file is a translation.\n\n{ANSWER}\n", "text")
    assert article.title != "NOTE:"


def test_accordion_toggles_with_glyphs_and_toggle_links_are_questions() -> None:
    items = "".join(
        f"<div class='item'><button type='button'>{q}<span>＋</span></button>"
        f"<div class='panel'><p>{ANSWER}</p></div></div>"
        for q in ("为什么采用这个版本？", "为什么有些地区没有数据？")
    ) + "".join(
        f"<div class='drop'><a href='javascript:;' class='open'>{q}</a>"
        f"<div class='text'><p>{ANSWER}</p><a href='javascript:;'>Fermer</a></div></div>"
        for q in ("A qui s’applique la règle ?", "Puis-je porter plainte ?")
    )
    article = parse(html_page(items, lang="fr"), "html")
    assert [s.heading for s in article.sections] == [
        "为什么采用这个版本？",
        "为什么有些地区没有数据？",
        "A qui s’applique la règle ?",
        "Puis-je porter plainte ?",
    ]
    assert all(s.body == ANSWER for s in article.sections)


def test_inline_code_stays_inside_its_sentence() -> None:
    faq = (
        f"<h2>Why does it match too much?</h2><p>The pattern <code>&lt;font .*&gt;</code> is"
        f" greedy, so <code>.*</code> runs to the last tag.</p><h2>What next?</h2><p>{ANSWER}</p>"
    )
    article = parse(html_page(faq), "html")
    assert article.sections[0].body == (
        "The pattern <font .*> is greedy, so .* runs to the last tag."
    )


def test_an_answer_label_is_not_a_section_and_not_answer_text() -> None:
    faq = (
        f"<h2>Why is it greedy?</h2><p>{ANSWER}</p><p><strong>Ответ</strong></p><p>{ANSWER}</p>"
        f"<h2>Can it parse HTML?</h2><p><strong>Answer:</strong></p><p>{ANSWER}</p>"
    )
    article = parse(html_page(faq), "html")
    assert [s.heading for s in article.sections] == ["Why is it greedy?", "Can it parse HTML?"]
    assert [s.body for s in article.sections] == [f"{ANSWER}\n\n{ANSWER}", ANSWER]
    assert [d.text for d in article.dropped if d.reason == "answer_prefix"] == [
        "Ответ",
        "Answer:",
    ]


def test_a_permalink_hash_before_the_heading_text_is_decoration() -> None:
    faq = "".join(
        f"<h2><a class='header-anchor' href='#{n}'>#</a> {q}</h2><p>{ANSWER}</p>"
        for n, q in enumerate(("为什么屏幕镜像不起作用？", "为什么收不到通知？"))
    )
    article = parse(html_page(faq, lang="zh"), "html")
    assert [s.heading for s in article.sections] == [
        "为什么屏幕镜像不起作用？",
        "为什么收不到通知？",
    ]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_prompt_paragraphs_under_a_plain_heading_are_questions(fmt: SourceFormat) -> None:
    exchanges = [
        ("Q：如何删除备份数据？", "A：", f"{ANSWER}"),
        ("**Вопрос:** Можно ли управлять колонками?", "**Ответ:**", ANSWER),
    ]
    if fmt == "markdown":
        faq = "".join(f"{q}\n\n{a} {text}\n\n" for q, a, text in exchanges)
        source = f"# Help\n\n{ANSWER}\n\n## FAQ\n\n{faq}В: Как изменить тему?\nО: {ANSWER}\n"
    else:
        faq = "".join(
            f"<p>{q.replace('**Вопрос:**', '<b>Вопрос:</b>')}</p>"
            f"<p>{a.replace('**Ответ:**', '<b>Ответ:</b>')} {text}</p>"
            for q, a, text in exchanges
        )
        source = html_page(f"<h2>FAQ</h2>{faq}", lang="ru")
    article = parse(source, fmt)
    faq_section, *questions = article.sections
    assert faq_section.heading == "FAQ"
    assert [(s.heading.split()[0], s.level, s.parent_slug) for s in questions][:2] == [
        ("Q：如何删除备份数据？", 2, "faq"),
        ("Вопрос:", 2, "faq"),
    ]
    assert all(s.body == ANSWER for s in questions)


def test_prompts_quoted_inside_an_answer_stay_in_it() -> None:
    faq = (
        f"<h2>Is it thread-safe?</h2><p>Q: Is it thread-safe?</p><p>A: Generally, no. {ANSWER}</p>"
        f"<h2>Is it fast?</h2><p>{ANSWER}</p>"
    )
    article = parse(html_page(faq), "html")
    assert [s.heading for s in article.sections] == ["Is it thread-safe?", "Is it fast?"]
    assert article.sections[0].body.startswith("Q: Is it thread-safe?\n\nA: Generally, no.")


def test_a_logo_h1_linking_home_is_not_the_title() -> None:
    page = (
        "<html lang='fr'><head><title>Acme™ - FAQ</title></head><body>"
        "<header><h1><a href='index.html'>Acme<sup>™</sup></a></h1></header>"
        f"<section id='main'><h2>FAQ</h2><h4>Mon identité sera-t-elle révélée ?</h4><p>{ANSWER}"
        f"</p><h4>Combien de temps faut-il ?</h4><p>{ANSWER}</p></section></body></html>"
    )
    article = parse(page, "html")
    assert article.title == "FAQ"
    assert [(s.heading, s.level) for s in article.sections] == [
        ("Mon identité sera-t-elle révélée ?", 1),
        ("Combien de temps faut-il ?", 1),
    ]


def test_a_table_of_contents_with_loosely_copied_entries_and_its_heading_go() -> None:
    article = parse(
        "FAQ\n===\n\nContents\n---\n\n * [How do I set up `mail.yml`?](#a)\n"
        " * [How do I set up the queue in queue.ym l?](#b)\n\n"
        f"How do I set up `mail.yml`?\n---\n\n{ANSWER}\n\n"
        f"How do I set up the queue in `queue.yml`?\n---\n\n{ANSWER}\n",
        "markdown",
    )
    assert [s.heading for s in article.sections] == [
        "How do I set up mail.yml?",
        "How do I set up the queue in queue.yml?",
    ]
    assert [d.reason for d in article.dropped].count(DropReason.TABLE_OF_CONTENTS) == 3


def test_an_faq_written_as_a_list_of_bold_questions() -> None:
    markdown = (
        f"# Help\n\n{ANSWER}\n\n## General\n\n-   **¿Cómo puedo saber la versión?**\n\n"
        f"    {ANSWER}\n\n-   **¿Hay asistencia remota?**\n\n    {ANSWER}\n\n"
        "- **Not a question, just bold**\n- plain item\n"
    )
    html = html_page(
        "<h2>General</h2><ul>"
        f"<li><strong>¿Cómo puedo saber la versión?</strong><p>{ANSWER}</p></li>"
        f"<li><strong>¿Hay asistencia remota?</strong><p>{ANSWER}</p></li></ul>",
        lang="es",
    )
    for source, fmt in ((markdown, "markdown"), (html, "html")):
        article = parse(source, fmt)  # type: ignore[arg-type]
        assert [(s.heading, s.level) for s in article.sections] == [
            ("General", 1),
            ("¿Cómo puedo saber la versión?", 2),
            ("¿Hay asistencia remota?", 2),
        ], fmt
        assert article.sections[1].body == ANSWER


def test_a_one_item_question_list_over_its_answer_block() -> None:
    entries = "".join(
        f"<ul class='simple'><li>{q}</li></ul><blockquote><div><p>{ANSWER}</p>"
        f"<pre>$ sudo vi /etc/apt.conf</pre><p>{ANSWER}</p></div></blockquote>"
        for q in ("Ruby 2.0 で動作しますか?", "速度低下を回避するにはどうすればよいか")
    )
    article = parse(html_page(f"<h2>インストール</h2>{entries}", lang="ja"), "html")
    assert [(s.heading, s.is_question) for s in article.sections][1:] == [
        ("Ruby 2.0 で動作しますか?", True),
        ("速度低下を回避するにはどうすればよいか", True),
    ]
    assert "$ sudo vi /etc/apt.conf" in article.sections[1].body


def test_a_line_of_several_questions_is_a_heading_but_prose_is_not() -> None:
    article = parse(
        f"FAQ\n\nWhat is a live CD? Which ones exist? Where do I get one?\n\n{ANSWER}\n\n"
        f"How? Well, it is simple. You download it.\n\n{ANSWER}\n",
        "text",
    )
    assert [s.heading for s in article.sections] == [
        "What is a live CD? Which ones exist? Where do I get one?"
    ]


def test_text_after_a_stray_closing_html_tag_or_a_comment_is_read() -> None:
    page = (
        "<html lang='fr'><head><title>Le budget</title></head><body><div class='top'>"
        "<a href='/'>Accueil</a></div></html><!-- fin de l'en-tête --><article><h1>Le budget</h1>"
        f"<p>Le maire a rappelé que <!-- chiffre -->quatre millions<!-- /chiffre --> iront aux"
        f" écoles. {ANSWER}</p><h2>Pourquoi si long ?</h2><p>{ANSWER}</p>"
        f"<h2>Que change-t-il ?</h2><p>{ANSWER}</p></article></body></html>"
    )
    article = parse(page, "html")
    assert "rappelé que quatre millions iront aux écoles" in article.lead
    assert [s.heading for s in article.sections] == ["Pourquoi si long ?", "Que change-t-il ?"]


def test_headings_directly_in_the_body_survive_extraction() -> None:
    faq = "".join(
        f"<h2>{group}</h2>" + "".join(f"<h3>{q}</h3><p>{ANSWER} {ANSWER}</p>" for q in questions)
        for group, questions in (
            ("Archivierung", ("Wie bewahre ich Daten?", "Kostet es etwas?")),
            ("Suche", ("Wie finde ich Daten?", "Muss ich bezahlen?")),
        )
    )
    article = parse(f"<html><head><title>FAQ</title></head><body><h1>FAQ</h1>{faq}", "html")
    assert [s.heading for s in article.sections] == [
        "Archivierung",
        "Wie bewahre ich Daten?",
        "Kostet es etwas?",
        "Suche",
        "Wie finde ich Daten?",
        "Muss ich bezahlen?",
    ]


def test_a_rail_linking_to_this_very_article_is_not_read_as_the_article() -> None:
    page = (
        "<html lang='fr'><head><title>Réunion du conseil du 3 mars - Le Journal</title></head>"
        "<body><div class='page'><div class='main'><div class='content'><p class='crumbs'>"
        "<a href='/'>Accueil</a> &gt; <strong>Réunion du conseil du 3 mars</strong></p>"
        "<h1>Réunion du conseil du 3 mars</h1><div class='texte'>"
        f"<p>{ANSWER} {ANSWER}</p><p><strong>1) Travaux de la place</strong></p><p>{ANSWER}</p>"
        f"<p><strong>2) Prochaines réunions</strong></p><p>{ANSWER}</p></div></div>"
        "<div class='aside'><div class='menu'><h2>Rubriques</h2><ul><li><a href='/a'>Actualités"
        " et annonces du quartier</a></li></ul></div><div class='menu'><h2>Dans la même rubrique"
        "</h2><ul><li><a href='/a1'>Fermeture de la piscine en juillet</a></li><li><a href='/a2'>"
        "Réunion du conseil du 3 mars</a></li></ul></div></div></div></div></body></html>"
    )
    article = parse(page, "html")
    assert [s.heading for s in article.sections] == [
        "1) Travaux de la place",
        "2) Prochaines réunions",
    ]


def test_plain_text_faq_layouts_without_blank_lines_around_questions() -> None:
    article = parse(
        "Частые вопросы\n\nМожно ли считать фишинг спамом?\n\n"
        "Да, начиная с версии 0.90. До свидания и спасибо за фишинг.\nКак читать файлы?\n\n"
        f"{ANSWER}\n\nУСТАНОВКА\nQ: Что делать при ошибке?\nA: {ANSWER}\n\n"
        f"P: ¿Dónde consigo un visor?\nR:\n{ANSWER}\n",
        "text",
    )
    assert [s.heading for s in article.sections] == [
        "Можно ли считать фишинг спамом?",
        "Как читать файлы?",
        "УСТАНОВКА",
        "Q: Что делать при ошибке?",
        "P: ¿Dónde consigo un visor?",
    ]
    assert [s.body for s in article.sections][3:] == [ANSWER, ANSWER]


def test_asterisk_underlines_and_column_tables_in_plain_text() -> None:
    article = parse(
        "Forum FAQ\n\nINSTALLING :\n************\n\nQ: What if the list is missing?\n"
        f"A: {ANSWER}\n\nWhich options exist?\n\nfile     The file to send.\n"
        "--stdin     Reads the file from standard input\n",
        "text",
    )
    assert [(s.heading, s.level) for s in article.sections] == [
        ("INSTALLING :", 1),
        ("Q: What if the list is missing?", 2),
        ("Which options exist?", 2),
    ]
    assert "--stdin Reads the file from standard input" in article.sections[2].body
    assert not [d for d in article.dropped if d.reason == "caption"]


def test_a_menu_path_inside_an_answer_is_text() -> None:
    line = "Go to Settings > System > Notifications and turn them on."
    article = parse(f"FAQ\n\nWhy no notifications?\n\n{line}\n", "text")
    assert article.sections[0].body == line


def test_dialogue_dashes_open_interview_answers() -> None:
    interview = "".join(
        f"<p><strong>— {q}</strong></p><p>— {ANSWER}</p>"
        for q in ("Почему заказов стало так много?", "Где вы ищете рабочих?")
    )
    article = parse(html_page(interview, lang="ru"), "html")
    assert [s.heading for s in article.sections] == [
        "— Почему заказов стало так много?",
        "— Где вы ищете рабочих?",
    ]
    assert all(s.body == ANSWER for s in article.sections)


def test_site_and_channel_names_are_cut_from_a_page_title() -> None:
    page = (
        "<html><head><title>关于调整国债余额限额的决议__2025年第1号公报_示例政府网</title></head>"
        f"<body><article><p>{ANSWER} {ANSWER}</p></article></body></html>"
    )
    assert parse(page, "html").title == "关于调整国债余额限额的决议"


def test_an_ordered_list_of_questions_with_indented_answers_and_lettered_outlines() -> None:
    article = parse(
        f"# Check\n\n1. Where is the file?\n\n   {ANSWER}\n\n2. Which command runs it?\n\n"
        f"   {ANSWER}\n\n## P. When to use\n\n{ANSWER}\n\n## Q. When not to use\n\n{ANSWER}\n",
        "markdown",
    )
    assert [(s.heading, s.is_question) for s in article.sections] == [
        ("Where is the file?", True),
        ("Which command runs it?", True),
        ("P. When to use", False),
        ("Q. When not to use", False),
    ]


def test_ordinary_text_that_looks_like_furniture_is_kept() -> None:
    source = (
        f"# Versions\n\n{ANSWER}\n\n- 3.9.18\n- 3.10.2\n\n```\n10.2.4\n```\n\n"
        "**When does it start?** 12 May 2025\n\n## Next steps\n\n"
        "Next: configure the firewall so that port 8080 is reachable from outside.\n\n"
        f"## 【案例一】\n\n{ANSWER}\n\n## 编辑 Nginx 配置\n\n{ANSWER}\n\n"
        "## How to switch theme?\n\nHome > Settings > Display, then switch on Dark theme.\n\n"
        "位置：北京市海淀区中关村大街1号\n"
    )
    article = parse(source, "markdown")
    assert article.dropped == []
    assert [s.heading for s in article.sections] == [
        "When does it start?",
        "Next steps",
        "【案例一】",
        "编辑 Nginx 配置",
        "How to switch theme?",
    ]


def test_a_date_answering_the_question_above_it_is_the_answer() -> None:
    article = parse(f"FAQ\n\nWhen does it start?\n\n12 May 2025\n\nWhere?\n\n{ANSWER}\n", "text")
    first = article.sections[0]
    assert (first.heading, first.body) == ("When does it start?", "12 May 2025")


def test_question_teasers_in_a_rail_never_replace_a_short_article() -> None:
    nav = "".join(f"<li><a href='/n{i}'>Navigation link number {i}</a></li>" for i in range(80))
    story = " ".join(["The council met on Tuesday and approved the new school budget."] * 6)
    page = (
        f"<html><head><title>Budget approved | News</title></head><body><nav><ul>{nav}</ul></nav>"
        f"<article><h1>Budget approved</h1><p>{story}</p><p>{story}</p></article>"
        "<div class='related'><h2>Related stories</h2><h3>Is coffee good for you?</h3>"
        f"<h3>Why is the sky blue?</h3><h3>Can cats swim?</h3></div><footer>{nav}</footer>"
        "</body></html>"
    )
    article = parse(page, "html")
    assert article.sections == []
    assert "approved the new school budget" in article.lead


def test_headings_wrapped_in_links_stay_headings() -> None:
    entries = "".join(
        f"<div><a href='#q{i}'><h3>{q}</h3></a></div><div><p>{ANSWER}</p></div>"
        for i, q in enumerate(["What is the tool?", "How do I install it?", "Is it free?"])
    )
    article = parse(f"<html><body><main><h1>Tool FAQ</h1>{entries}</main></body></html>", "html")
    assert [s.heading for s in article.sections] == [
        "What is the tool?",
        "How do I install it?",
        "Is it free?",
    ]


def test_br_tails_sentence_links_and_prompts_sharing_their_answer() -> None:
    page = html_page(
        f"<div><p>{ANSWER}</p>alpha<br>bravo</div>"
        "<p>Many asked <a href='#' onclick='x()'>why is the sunset red?</a> It is light.</p>"
        "<h2>Talk</h2><p>Q: What did you build last year? Three schools in the north.</p>"
    )
    article = parse(page, "html")
    assert [s.heading for s in article.sections] == ["Talk", "Q: What did you build last year?"]
    assert "bravo" in article.lead
    assert "why is the sunset red?" in article.lead
    assert article.sections[1].body == "Three schools in the north."


def test_prose_questions_checklists_negations_and_korean_wraps() -> None:
    story = parse(
        "Story\n\nWe had a leak in the basement.\nWhat else could we do?\nIn the end we called"
        " a plumber who fixed it within the hour.\n\nChecklist\n\n1. Do I need it?\n"
        "2. Can I afford it?\n3. Check the reviews first.\n",
        "text",
    )
    assert [s.heading for s in story.sections] == ["Checklist"]
    docker = parse(
        f"---\ntitle: Why you should use Docker\n---\n\n## Why you should not use Docker\n\n"
        f"{ANSWER}\n\n## The ? operator\n\n{ANSWER}\n",
        "markdown",
    )
    assert [(s.heading, s.is_question) for s in docker.sections] == [
        ("Why you should not use Docker", False),
        ("The ? operator", False),
    ]
    korean = parse(
        "제목\n\n서울은 대한민국의 수도이자 가장 큰 도시이며 많은 사람들이 사는 곳입니다 그리고\n"
        "사람들은 지하철을 탑니다.\n",
        "text",
    )
    assert "그리고 사람들은" in korean.lead


def test_wiki_and_readme_headings_in_plain_text() -> None:
    readme = parse(
        "=== Block XML-RPC ===\n\nContributors: acme\nTags: security\n\n"
        f"== Description ==\n\n{ANSWER}\n\n"
        f"== FAQ ==\n\n**Can I help?**\n\n{ANSWER}\n\n== Changelog ==\n\n= 1.0 =\n* First.\n",
        "text",
    )
    assert readme.title == "Block XML-RPC"
    assert [(s.heading, s.level) for s in readme.sections] == [
        ("Description", 1),
        ("FAQ", 1),
        ("Can I help?", 2),
        ("Changelog", 1),
        ("1.0", 2),
    ]
    wiki = parse(
        f"Intro.\n\n== History ==\n\n{ANSWER}\n\n=== Early years ===\n\n{ANSWER}\n", "text"
    )
    assert [(s.heading, s.level) for s in wiki.sections] == [("History", 1), ("Early years", 2)]


def test_a_repeated_copy_of_the_faq_is_dropped_once() -> None:
    faq = f"<h2>FAQ</h2><h3>Is it safe?</h3><p>{ANSWER}</p><h3>Is it fast?</h3><p>{ANSWER}</p>"
    article = parse(html_page(faq + f"<div>{faq}</div>"), "html")
    assert [s.heading for s in article.sections] == ["FAQ", "Is it safe?", "Is it fast?"]
    assert [d.reason for d in article.dropped].count(DropReason.REPEATED_SECTION) == 3


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        pytest.param('{{% heading "whatsnext" %}}', "template_markup", id="template-markup"),
        pytest.param("**Lire : Que sont les IMSI-catchers ?**", "promo", id="bold-read-promo"),
        pytest.param("**Authors**: Jane Doe (Example Inc)", "byline", id="authors-label"),
    ],
)
def test_markdown_noise_is_dropped(line: str, reason: str) -> None:
    article = parse(
        f"# Title\n\nLead.\n\n## Section\n\n{ANSWER}\n\n{line}\n\n{ANSWER}\n", "markdown"
    )
    assert [s.heading for s in article.sections] == ["Section"]
    assert reason in {d.reason for d in article.dropped}


def test_signature_rating_and_login_widgets_after_the_text() -> None:
    article = parse(
        html_page(
            f"<h2>Wie entsteht es?</h2><p>{ANSWER}</p><p>Jane Doe und Redaktion Example.ch</p>"
            "<table><tr><td>Durchschnittliche Bewertung:</td><td>(2 Bewertungen)</td></tr>"
            "<tr><td>Melde dich an, um eine Bewertung abzugeben</td></tr></table>"
        ),
        "html",
    )
    assert article.sections[-1].body == ANSWER
    assert {"byline", "rating_widget"} <= {d.reason for d in article.dropped}
