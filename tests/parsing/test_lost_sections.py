"""Runs of sections that the main-content extractor left out of the article's own container
are read back in document order; chrome inside the container stays out. Pages of our own
under tests/fixtures/lost_sections, written from the conventions: a product test whose
second half sits behind a "Continue reading" toggle (with a <details> FAQ at the end),
product boxes between kept sections, and, as negatives, a "More stories" teaser feed, a
comment thread and a sign-up box inside the article element."""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html

from app.models import Article
from app.parsing import parse_article
from app.parsing.html_chrome import article_chrome
from app.parsing.html_page import parse_page
from app.parsing.html_reader import _main_content
from app.parsing.html_widgets import prepare_for_extraction

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lost_sections"


def page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def parse(html: str) -> Article:
    return parse_article(html.encode(), source="page.html").article


def extractor_headings(html: str) -> list[str]:
    """The headings the main-content extractor keeps by itself: each test's premise (if a
    new extractor keeps what a fixture's page loses, the test would prove nothing)."""
    tree = parse_page(html)
    assert tree is not None
    prepare_for_extraction(tree)
    main = _main_content(tree)
    assert main is not None
    return [heading.text_content().strip() for heading in main.iter("h1", "h2", "h3", "h6")]


def headings(article: Article) -> list[str]:
    return [section.heading for section in article.sections]


def body_of(article: Article, heading: str) -> str:
    return next(section.body for section in article.sections if section.heading == heading)


def all_text(article: Article) -> str:
    return "\n".join([article.lead, *(f"{s.heading}\n{s.body}" for s in article.sections)])


def test_a_collapsed_second_half_is_read_back_in_document_order() -> None:
    """Long tests put their second half behind a "Continue reading" toggle; the extractor
    drops it with its wrapper. The article's container still holds it: the products (h3
    under an h2) and the FAQ (<details>) come back after the kept sections, in order."""
    html = page("product_test_collapsed.html")
    assert extractor_headings(html) == [
        "Cordless drills tested: which one should you buy?",
        "How did we test the drills?",
        "What matters most when you buy one?",
    ]
    article = parse(html)
    assert headings(article) == [
        "How did we test the drills?",
        "What matters most when you buy one?",
        "The drills we tested",
        "Harbor 18V compact: the best all-rounder",
        "Kestrel Pro combi: for heavy work",
        "Wren Mini: best on a budget",
        "Frequently asked questions",
        "How long does a drill battery last?",
        "Do I need a brushless motor?",
        "Can I use one brand's battery in another brand's drill?",
    ]
    harbor = body_of(article, "Harbor 18V compact: the best all-rounder")
    assert "driving eighty-seven screws on one charge" in harbor
    assert "Two batteries and a charger included" in harbor  # its list of pros and cons
    battery = body_of(article, "How long does a drill battery last?")
    assert battery.startswith("A lithium-ion battery keeps most of its capacity")
    assert [s.is_question for s in article.sections][-3:] == [True, True, True]
    # The toggle's label and the shop buttons are controls, not text.
    assert "Continue reading" not in all_text(article)
    assert "See current prices" not in all_text(article)


def test_product_boxes_between_kept_sections_come_back_between_them() -> None:
    """Product boxes that look like widgets to the extractor are dropped from the middle of
    the article; they return where they stood, between the sections around them."""
    html = page("product_boxes.html")
    assert extractor_headings(html) == [
        "The best rain jackets for walkers",
        "How we chose",
        "Which jacket should you buy?",
    ]
    article = parse(html)
    assert headings(article) == [
        "How we chose",
        "Fellrunner Shell",
        "Harbour Packable",
        "Moorland Insulated",
        "Which jacket should you buy?",
    ]
    assert "Folded into its own pocket" in body_of(article, "Harbour Packable")
    assert "Not for long days in heavy rain" in body_of(article, "Harbour Packable")
    assert body_of(article, "Which jacket should you buy?").startswith("For most walkers")
    assert "Check the price" not in all_text(article)


def test_a_more_stories_teaser_feed_inside_the_article_stays_chrome() -> None:
    """A feed of teasers (each a box whose one heading links to another story, over a short
    blurb) at the end of the article element is related stories, not sections of it."""
    html = page("more_stories_feed.html")
    assert "More stories" not in extractor_headings(html)
    parsed = parse_article(html.encode(), source="page.html")
    assert headings(parsed.article) == [
        "How do we know they never land?",
        "When do they sleep?",
    ]
    assert "kingfishers" not in all_text(parsed.article)
    # Only the feed's own heading is left of the container: the teasers are chrome.
    assert parsed.container_words_to_chrome == 2  # "More stories"


def test_a_comment_thread_and_a_sign_up_box_inside_the_article_stay_chrome() -> None:
    """Comment threads (WordPress's #comments) and a sign-up box (a form with a line of
    text) inside the article element hold headings over paragraphs too; they stay out."""
    html = page("comments_and_signup.html")
    assert extractor_headings(html) == [
        "How do I keep basil alive on a windowsill?",
        "Why does supermarket basil die so quickly?",
        "How often should I water it?",
    ]
    parsed = parse_article(html.encode(), source="page.html")
    assert headings(parsed.article) == [
        "Why does supermarket basil die so quickly?",
        "How often should I water it?",
    ]
    assert "Friday letter" not in all_text(parsed.article)
    assert "coriander" not in all_text(parsed.article)
    assert parsed.container_words_to_chrome == 0


def test_one_lost_section_alone_is_not_read_back() -> None:
    """One heading over a paragraph left out at the end is as often an author box, a promo
    or a list of sources as article: a run needs two sections."""
    extra = (
        "<div class='cta-widget'><h2>About the author</h2><p>Jane Doe has grown herbs on "
        "balconies in three cities and writes about small gardens every week. Before that "
        "she ran a market stall selling seedlings, and she still answers every reader's "
        "question about pots, compost and the light on a north-facing windowsill.</p></div>"
    )
    html = page("comments_and_signup.html").replace("<section id=", f"{extra}<section id=", 1)
    assert "About the author" not in extractor_headings(html)
    assert "About the author" not in headings(parse(html))


CHROME_CASES = {
    "comments": "<section id='comments'><h2>2 comments</h2><p>Nice one, thanks!</p></section>",
    "sign-up box": "<div><h3>Our letter</h3><p>Every Friday.</p><form><input></form></div>",
    "teaser card": "<div><h3><a href='/other'>Another story</a></h3><p>Its blurb.</p></div>",
    "link list": "<ul><li><a href='/a'>First guide</a></li><li><a href='/b'>Second</a></li></ul>",
    "shop button": "<p><a href='https://shop.example/x'>See current prices</a></p>",
}
ARTICLE_CASES = {
    "linked product heading over its review": (
        "<section><h3><a href='https://shop.example/x'>Harbor 18V</a></h3><p>"
        + "The compact drill finished every task in our test without complaint. " * 8
        + "</p></section>"
    ),
    "link inside a sentence": "<p>Read <a href='/guide'>our guide</a> before you buy.</p>",
    "author named inline": "<p>As <span class='author'>Jane Doe</span> found, it works.</p>",
}


def chrome_of(fragment: str) -> list[str]:
    article = lxml_html.fragment_fromstring(f"<article><p>Lead.</p>{fragment}</article>")
    return [" ".join(element.text_content().split()) for element in article_chrome(article)]


def test_chrome_inside_the_container_is_told_by_name_and_shape() -> None:
    for case, fragment in CHROME_CASES.items():
        whole = " ".join(lxml_html.fragment_fromstring(fragment).text_content().split())
        assert chrome_of(fragment) == [whole], case


def test_article_text_inside_the_container_is_not_chrome() -> None:
    for case, fragment in ARTICLE_CASES.items():
        assert chrome_of(fragment) == [], case
