"""Publishing conventions the parser follows, one fixture each, written from the convention
itself (not copied from any page): accordions, repeated interview prompts, contact label
lines, pull quotes, run-in statement prompts, how-to headings, tag questions, a title set as
the first heading of a page without an h1."""

from __future__ import annotations

from app.models import Article
from tests.parsing.test_traps import ANSWER, html_page, parse

LONG_ANSWER = " ".join([ANSWER] * 3)


def headings(article: Article) -> list[tuple[str, bool]]:
    return [(section.heading, section.is_question) for section in article.sections]


def test_accordion_questions_whose_heading_is_a_toggle_link() -> None:
    """Bootstrap and ARIA accordions put each question in a heading whose whole text is a
    link that opens the answer's panel (data-toggle, aria-expanded, aria-controls, or a
    fragment link to the panel)."""
    panels = "".join(
        f"<div class='panel'><div class='panel-heading'><h3 class='panel-title'>"
        f"<a data-toggle='collapse' href='#answer{n}' aria-expanded='false' "
        f"aria-controls='answer{n}'>{question}</a></h3></div>"
        f"<div id='answer{n}' class='panel-collapse collapse'><div class='panel-body'>"
        f"<p>{LONG_ANSWER}</p></div></div></div>"
        for n, question in enumerate(
            ["How do refunds work?", "Can I change my plan?", "Where is my invoice?"]
        )
    )
    article = parse(html_page(f"<h2>FAQs</h2><div class='accordion'>{panels}</div>"), "html")
    assert headings(article) == [
        ("FAQs", False),
        ("How do refunds work?", True),
        ("Can I change my plan?", True),
        ("Where is my invoice?", True),
    ]


def test_a_prompt_repeated_in_every_interview_is_a_heading_even_as_a_statement() -> None:
    """Interview series ask each guest the same prompts; a prompt written as a statement
    ("Your favourite recipe.") is a heading because it repeats, like the questions beside it."""
    guests = "".join(
        f"{name}\n\nWhat got you started?\n\n— {name} says: {ANSWER}\n\n"
        f"Your quickest dinner recipe.\n\n— {name} cooks: {ANSWER}\n\n"
        for name in ("Anna Berg", "Oleg Sokolov", "Maria Lind")
    )
    article = parse(f"Three cooks\n\nThe lead of the series.\n\n{guests}", "text")
    assert [heading for heading, _ in headings(article)].count("Your quickest dinner recipe.") == 3
    assert ("What got you started?", True) in headings(article)
    # Each guest's prompts nest under the guest's name, so each answer is addressed by both.
    by_slug = {section.slug: section for section in article.sections}
    for section in article.sections:
        if section.heading == "Your quickest dinner recipe.":
            assert section.parent_slug is not None
            assert by_slug[section.parent_slug].heading in (
                "Anna Berg",
                "Oleg Sokolov",
                "Maria Lind",
            )


def test_contact_label_lines_are_text_not_headings() -> None:
    """'Account: @handle', 'Website: https://…', 'E-mail: name@example.org' name a contact;
    they stand alone like headings but head nothing."""
    article = parse(
        "Meet the bakers\n\nThe lead.\n\nAnna Berg\n\nAccount: @anna_bakes\n\n"
        f"What got you started?\n\nAnna: {ANSWER}\n\nOleg Sokolov\n\n"
        "Accounts: @oleg, @oleg_cooks\n\n"
        f"What got you started?\n\nOleg: {ANSWER}\n\nWebsite: https://example.org/oleg\n\n"
        f"{ANSWER}\n",
        "text",
    )
    assert [heading for heading, _ in headings(article)] == [
        "Anna Berg",
        "What got you started?",
        "Oleg Sokolov",
        "What got you started?",
    ]
    assert "Accounts: @oleg, @oleg_cooks" in article.sections[2].body


def test_a_pull_quote_set_as_a_heading_stays_in_the_answer() -> None:
    """Magazines repeat a sentence of the answer in large type, in quotation marks, with a
    heading tag; it is part of the answer, not a new section."""
    body = (
        f"<h2>What drives you?</h2><p>{LONG_ANSWER}</p>"
        "<h3>“Curiosity is the engine, and patience is the fuel that keeps it going.”</h3>"
        f"<p>{LONG_ANSWER}</p><h2>What comes next?</h2><p>{LONG_ANSWER}</p>"
    )
    article = parse(html_page(body), "html")
    assert headings(article) == [("What drives you?", True), ("What comes next?", True)]
    assert "Curiosity is the engine" in article.sections[0].body


def test_run_in_statement_prompts_styled_like_the_question_prompts_around_them() -> None:
    """In a Q&A whose prompts are bold run-in leads, the interviewer sometimes states rather
    than asks; the same styling makes it a prompt all the same."""
    turns = [
        "What did you read growing up?",
        "You were drawn to the outsiders.",
        "Was there a turning point?",
        "Your first project never got made.",
        "What did you learn from it?",
    ]
    body = "".join(f"<p><strong>{turn}</strong> {ANSWER}</p>" for turn in turns)
    article = parse(html_page(body), "html")
    assert headings(article) == [(turn, turn.endswith("?")) for turn in turns]


def test_a_bold_lead_in_prose_without_question_prompts_stays_text() -> None:
    body = "".join(
        f"<p><strong>{lead}</strong> {ANSWER}</p>"
        for lead in ("Note.", "The plan was simple.", "It worked.")
    )
    article = parse(html_page(body), "html")
    assert article.sections == []


def test_how_to_headings_are_not_questions() -> None:
    body = "".join(
        f"<h2>{heading}</h2><p>{LONG_ANSWER}</p>"
        for heading in (
            "How do lemon trees grow?",
            "How to Grow a Lemon Tree: What You Need",
            "How to Grow a Lemon Tree: Method 1",
            "Why is my tree not flowering?",
        )
    )
    article = parse(html_page(body), "html")
    assert headings(article) == [
        ("How do lemon trees grow?", True),
        ("How to Grow a Lemon Tree: What You Need", False),
        ("How to Grow a Lemon Tree: Method 1", False),
        ("Why is my tree not flowering?", True),
    ]


def test_a_statement_ending_in_a_tag_question_is_prose() -> None:
    """'…, right?' or '…, isn't it?' after a statement asks nothing: a line of it inside a
    paragraph broken with <br> is not a heading."""
    body = (
        f"<h3>1. Soak the seeds</h3><p>{ANSWER}</p>"
        "<h3>2. Peel the seeds</h3><p>This makes the sprout come out faster since the skin "
        "is gone – makes sense, right?<br>Be careful not to cut the seed itself.</p>"
        f"<h3>3. Plant them</h3><p>{ANSWER}</p>"
    )
    article = parse(html_page(body), "html")
    assert [heading for heading, _ in headings(article)] == [
        "1. Soak the seeds",
        "2. Peel the seeds",
        "3. Plant them",
    ]


def test_a_page_without_h1_takes_its_first_heading_as_title_over_a_generic_one() -> None:
    """A page whose <title> names only the site and its section, and whose article opens
    with a heading (no h1 anywhere): that heading is the title, not the first section."""
    page = (
        "<!doctype html><html lang='en'><head><title>example.org | Prices</title></head><body>"
        "<main><div class='story'><h6>Energy prices: what relief you can claim</h6>"
        f"<p>{LONG_ANSWER}</p><h6>Who pays the levy?</h6><p>{LONG_ANSWER}</p>"
        f"<h6>When does the cap end?</h6><p>{LONG_ANSWER}</p></div></main></body></html>"
    )
    article = parse(page, "html")
    assert article.title == "Energy prices: what relief you can claim"
    assert headings(article) == [("Who pays the levy?", True), ("When does the cap end?", True)]


def test_numbered_steps_nest_under_the_heading_they_follow() -> None:
    """How-to pages mark a method and its steps with one heading level; the numbered steps
    belong to the method before them, and a new unnumbered heading ends them."""
    steps = "".join(f"<h3>{n}. Step number {n} of the method</h3><p>{ANSWER}</p>" for n in (1, 2))
    page = html_page(
        f"<h2>Growing from seed</h2><p>{ANSWER}</p>"
        f"<h3>Method one: a paper towel</h3><p>{ANSWER}</p>{steps}"
        f"<h3>Troubleshooting</h3><p>{ANSWER}</p>"
    )
    article = parse(page, "html")
    by_heading = {section.heading: section for section in article.sections}
    by_slug = {section.slug: section for section in article.sections}
    step = by_heading["1. Step number 1 of the method"]
    assert step.parent_slug is not None
    assert by_slug[step.parent_slug].heading == "Method one: a paper towel"
    assert by_heading["Troubleshooting"].level == by_heading["Method one: a paper towel"].level


def test_questions_on_lines_under_a_bold_label_stay_questions() -> None:
    """<p><b>Shipping</b><br>How long…?<br>answer<br>…: a group of questions, not a bold
    lead-in to one paragraph."""
    page = html_page(
        f"<p>{ANSWER}</p><p><b>Shipping</b><br>How long does delivery take?<br>Three days."
        "<br>Can I return it?<br>Yes, within thirty days.</p>"
    )
    headings = [section.heading for section in parse(page, "html").sections]
    assert headings == ["How long does delivery take?", "Can I return it?"]
