"""`parse --explain` says how much of a page was chrome, and how much of that the article's
own container held: text the extraction left out of the article itself."""

from __future__ import annotations

import re

from app.parsing import parse_article
from app.parsing.explain import render_outline

ANSWER = "The answer is long enough to be a real paragraph of body text in this story."
NAV = ["Home", "Kit"]
FOOTER = "Copyright the site"
# One product box that the extractor drops (it looks like a widget) and that is no run of
# sections to read back (one section alone), with its shop button.
BOX_HEADING = "Fellrunner Shell"
BOX_TEXT = (
    "The Fellrunner kept us dry through six hours of driving rain on an exposed ridge, and "
    "its wired hood stayed in place in the wind. Pit zips let out the heat on steep climbs "
    "without letting in the weather."
)
BOX_ITEMS = ["Seams stayed sealed after washing", "Hood adjusts with one hand"]
BUTTON = "Check the price"


def jacket_page() -> str:
    items = "\n".join(f"<li>{item}</li>" for item in BOX_ITEMS)
    links = "\n".join(f"<li><a href='/{word.lower()}'>{word}</a></li>" for word in NAV)
    return f"""<!doctype html><html lang="en"><head><title>Rain jackets | Site</title></head>
<body>
<nav><ul>{links}</ul></nav>
<main><article>
<h1>Rain jackets</h1>
<p>{ANSWER}</p>
<h2>How did we choose?</h2>
<p>{ANSWER}</p>
<div class="product-widget">
<h3>{BOX_HEADING}</h3>
<p>{BOX_TEXT}</p>
<ul>{items}</ul>
<p><a href="https://shop.example/fellrunner">{BUTTON}</a></p>
</div>
<h2>Which one should you buy?</h2>
<p>{ANSWER}</p>
</article></main>
<footer><p>{FOOTER}</p></footer>
</body></html>"""


def words(*texts: str) -> int:
    return sum(len(text.split()) for text in texts)


def test_the_outline_counts_page_chrome_and_the_containers_share_of_it() -> None:
    parsed = parse_article(jacket_page().encode(), source="jackets.html")
    assert BOX_HEADING not in [section.heading for section in parsed.article.sections]
    # The box's text is the article's, left out; its shop button is chrome like the rest.
    inside = words(BOX_HEADING, BOX_TEXT, *BOX_ITEMS)
    outside = words(*NAV, FOOTER, BOX_HEADING, BOX_TEXT, *BOX_ITEMS, BUTTON)
    assert parsed.container_words_to_chrome == inside
    expected = (
        f"page chrome: {outside} words outside the main content "
        f"({inside} of them inside the article's container)"
    )
    outline = render_outline(parsed).splitlines()
    assert expected in outline
    # Near the dropped list: right after it, past one blank line.
    dropped = outline.index(next(line for line in outline if line.startswith("dropped (")))
    assert outline.index(expected) > dropped
    assert outline[outline.index(expected) - 1] == ""


def test_large_counts_are_grouped_in_thousands() -> None:
    footer = " ".join(["Links to every section of the site and its sister sites."] * 120)
    page = jacket_page().replace(f"<p>{FOOTER}</p>", f"<p>{footer}</p>")
    outline = render_outline(parse_article(page.encode(), source="jackets.html"))
    assert re.search(r"^page chrome: 1,\d{3} words outside the main content \(", outline, re.M)


def test_a_page_without_an_article_container_says_so() -> None:
    """Short lines only (opening hours): no extracted paragraph long enough to find the
    article's container by."""
    days = "".join(f"<p>{day}: 9 to 5</p>" for day in ("Tuesday", "Wednesday", "Friday"))
    page = (
        "<!doctype html><html lang='en'><head><title>Opening hours | Hall</title></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/hire'>Hire</a></li></ul></nav>"
        f"<main><h1>Opening hours</h1>{days}</main><footer><p>Church Lane</p></footer>"
        "</body></html>"
    )
    parsed = parse_article(page.encode(), source="hours.html")
    assert parsed.container_words_to_chrome is None
    outline = render_outline(parsed)
    assert re.search(r"^page chrome: \d+ words .*\(no article container found\)$", outline, re.M)


def test_text_and_markdown_have_no_page_chrome_line() -> None:
    for source, name in [
        (f"Title line\n\nLead.\n\nWhat happened?\n\n{ANSWER}\n", "a.txt"),
        (f"# Title\n\nLead.\n\n## What happened?\n\n{ANSWER}\n", "a.md"),
    ]:
        parsed = parse_article(source.encode(), source=name)
        assert parsed.container_words_to_chrome is None
        assert "page chrome:" not in render_outline(parsed)
