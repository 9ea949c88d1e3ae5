"""/ui, the page to look at: served from the package under its own CSP, same-origin assets
only, and, in headless Chromium against a real server, the seed's outline, a search's
highlighted hits and the API's errors really render, with nothing in the console."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from lxml import html as lxml_html

from app.api.routes import ui
from tests.browser import DevTools, Rendered, csp_violations, render, require_chromium
from tests.conftest import REPO, SEED_SLUG, http_get, serving_seed

PAGE = "/ui"
ASSETS = {"/ui/ui.css": "text/css", "/ui/ui.js": "text/javascript"}
UI_DIR = REPO / "app" / "api" / "ui"


def page_tree(markup: str) -> Any:
    return lxml_html.fromstring(markup)


def text_of(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


# --- In process ----------------------------------------------------------------------------


def test_the_page_is_html_under_its_own_policy(client: TestClient) -> None:
    response = client.get(PAGE)
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().partition(" ")[::2] for part in policy.split(";"))

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert directives["default-src"] == "'none'"
    # This origin's script and style files and fetches; nothing inline, nothing elsewhere
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    # The API keeps its narrowest policy
    api_policy = client.get("/articles").headers["content-security-policy"]
    assert api_policy.startswith("default-src 'none';") and "script-src" not in api_policy


def test_the_page_has_landmarks_one_h1_and_labelled_controls(client: TestClient) -> None:
    tree = page_tree(client.get(PAGE).text)

    assert tree.get("lang") == "en"
    viewport = tree.xpath("//meta[@name='viewport']/@content")
    assert viewport == ["width=device-width, initial-scale=1"]
    for landmark in ("header", "nav", "main", "footer"):
        assert len(tree.xpath(f"//{landmark}")) == 1, landmark
    assert len(tree.xpath("//h1")) == 1
    [search] = tree.xpath("//form[@role='search']//input")
    assert search.get("type") == "search"
    assert tree.xpath(f"//label[@for='{search.get('id')}']")
    assert tree.xpath("//form[@role='search']//button[@type='submit']")
    # Result counts are announced
    assert tree.xpath("//*[@role='status' and @aria-live='polite']")


def references(markup: str) -> list[str]:
    tree = page_tree(markup)
    return [str(url) for url in tree.xpath("//@src | //@href")]


def test_every_asset_is_same_origin_and_served_with_its_type(client: TestClient) -> None:
    markup = client.get(PAGE).text
    base = f"http://testserver{PAGE}"
    loaded = {urlsplit(urljoin(base, url)).path for url in references(markup)}

    assert set(ASSETS) <= loaded, "the page loads its stylesheet and script"
    for url in references(markup):
        if url.startswith("#") or url == "data:,":  # hash routes; the empty favicon
            continue
        target = urlsplit(urljoin(base, url))
        assert target.netloc == "testserver", f"off-origin reference: {url}"
        assert client.get(target.path).status_code == 200, f"{url} is not served"
    for path, media_type in ASSETS.items():
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    # No CDN, nor any other site: nothing names an absolute URL
    for text in (markup, client.get("/ui/ui.css").text, client.get("/ui/ui.js").text):
        assert not re.search(r"https?:|[\"'(`]//", text, re.IGNORECASE)


def test_server_strings_only_become_text_nodes() -> None:
    """Titles, bodies and snippets come from articles: never parsed as markup."""
    script = (UI_DIR / "ui.js").read_text(encoding="utf-8")

    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    assert "createTextNode" in script


@pytest.mark.parametrize("path", ["/ui/nope", "/ui/index.html", "/ui/ui.js/x", "/ui/__init__.py"])
def test_unknown_paths_under_ui_are_problems(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


@pytest.mark.parametrize("path", [PAGE, *ASSETS])
def test_head_and_conditional_get(client: TestClient, path: str) -> None:
    get = client.get(path, headers={"Accept-Encoding": "identity"})
    head = client.head(path, headers={"Accept-Encoding": "identity"})

    assert head.status_code == 200 and head.content == b""
    for name in ("content-type", "content-length", "etag", "cache-control"):
        assert head.headers[name] == get.headers[name], name
    assert get.headers["cache-control"] == "no-cache"  # revalidated: new versions show at once
    again = client.get(path, headers={"If-None-Match": get.headers["etag"]})
    assert again.status_code == 304


def test_the_files_ship_as_package_data() -> None:
    """A non-editable install (the Docker image) carries every file the route serves, and
    every file of app/api/ui is served or is the package's __init__."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["app.api.ui"]
    package = resources.files("app.api.ui")

    for name in ui.FILES:
        assert any(fnmatch(name, pattern) for pattern in patterns), name
        assert package.joinpath(name).is_file(), name
    shipped = {path.name for path in UI_DIR.iterdir() if path.is_file()}
    assert shipped - {"__init__.py"} == set(ui.FILES)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of `#rrggbb`."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# Text colour on the background it is drawn on, as ui.css pairs them
TEXT_ON_BACKGROUND = [
    ("--text", "--background"),
    ("--muted", "--background"),
    ("--link", "--background"),
    ("--text", "--surface"),
    ("--mark-text", "--mark-background"),
    ("--question-text", "--question-background"),
    ("--plain-text", "--plain-background"),
    ("--problem-text", "--problem-background"),
    ("--link", "--problem-background"),
    ("--button-text", "--link"),  # the search button
]


def test_colours_have_a_contrast_of_at_least_4_5() -> None:
    css = (UI_DIR / "ui.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-f]{6});", css))

    for text, background in TEXT_ON_BACKGROUND:
        ratio = contrast(colours[text], colours[background])
        assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}"
    # The focus outline stands out from the page (non-text contrast, 3:1)
    assert contrast(colours["--focus"], colours["--background"]) >= 3
    # Every colour the stylesheet uses is one of its variables, so the pairs above cover it
    assert set(re.findall(r"#[0-9a-f]{3,6}\b", css)) == set(colours.values())


# --- In headless Chromium, against a real server with the seed ---------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    with serving_seed(tmp_path_factory.mktemp("served")) as base_url:
        yield base_url


def api_json(url: str) -> Any:
    status, _, body = http_get(url)
    assert status == 200, (url, status)
    return json.loads(body)


def quiet(page: Rendered, origin: str) -> None:
    """No CSP violation and no console message at all: the page logs nothing when it works."""
    assert csp_violations(page, origin) == []
    assert page.console == []


def test_the_article_list_renders(server: str, tmp_path: Path) -> None:
    articles = api_json(f"{server}/articles?limit=100")
    page = render(f"{server}/ui", tmp_path / "profile")
    tree = page_tree(page.dom)

    quiet(page, server)
    items = tree.xpath("//li[@class='article-item']")
    assert articles["items"] and len(items) == len(articles["items"])
    for item, article in zip(items, articles["items"], strict=True):
        [link] = item.xpath("./a[@class='article-link']")
        assert link.get("href") == f"#/articles/{article['slug']}"
        assert text_of(link) == article["title"]
        meta = text_of(item.xpath("./p[@class='meta']")[0])
        assert meta.startswith(f"{article['section_count']} sections · language ")
        assert article["language"] in meta
    assert tree.xpath("//a[@id='nav-articles']/@aria-current") == ["page"]


def test_the_outline_of_the_seed_renders(server: str, tmp_path: Path) -> None:
    article = api_json(f"{server}/articles/{SEED_SLUG}")
    page = render(f"{server}/ui#/articles/{SEED_SLUG}", tmp_path / "profile")
    tree = page_tree(page.dom)

    quiet(page, server)
    [title] = tree.xpath("//h1")
    assert text_of(title) == article["title"]
    facts = {text_of(row[0]): text_of(row[1]) for row in tree.xpath("//dl[@class='facts']/div")}
    assert facts["Language"] == article["language"]
    assert facts["Format"] == article["format"]
    assert facts["Source"] == article["source"]
    assert " ".join(article["lead"].split()) in text_of(tree.xpath("//section[@class='lead']")[0])
    items = tree.xpath("//li[@class='section']")
    assert [item.get("data-slug") for item in items] == [s["slug"] for s in article["sections"]]
    for item, section in zip(items, article["sections"], strict=True):
        [heading] = item.xpath("./details/summary/span[@class='section-heading']")
        assert text_of(heading) == " ".join(section["heading"].split())
        assert item.get("data-level") == str(section["level"])
        markers = item.xpath("./details/summary/span[contains(@class, 'badge-question')]")
        assert [text_of(m) for m in markers] == (["Question"] if section["is_question"] else [])
        [api_link] = item.xpath(".//a[@class='api-link']")
        assert api_link.get("href") == section["url"] + "?format=json"
        # Closed until asked for: the outline first
        assert item.xpath("./details/@open") == []
    dropped = tree.xpath("//li[@class='dropped']")
    assert article["dropped"], "the seed has dropped text"
    assert [d.get("data-reason") for d in dropped] == [d["reason"] for d in article["dropped"]]
    for item, block in zip(dropped, article["dropped"], strict=True):
        [reason] = item.xpath(".//p[@class='reason']")
        readable = block["reason"].replace("_", " ")  # share_widget: "Share widget"
        assert text_of(reason) == f"{readable[0].upper()}{readable[1:]} {block['reason']}"
        if block["text"].strip():
            assert text_of(item.xpath(".//blockquote")[0]) == " ".join(block["text"].split())


def test_a_deep_link_opens_its_section_on_a_phone(server: str, tmp_path: Path) -> None:
    article = api_json(f"{server}/articles/{SEED_SLUG}")
    section = article["sections"][1]
    url = f"{server}/ui#/articles/{SEED_SLUG}/sections/{section['slug']}"
    page = render(url, tmp_path / "profile", window_size=(360, 800))
    tree = page_tree(page.dom)

    quiet(page, server)
    opened = tree.xpath("//details[@open]")
    assert [d.get("id") for d in opened] == [f"section-{section['slug']}"]
    assert "current" in opened[0].get("class")
    first_paragraph = section["body"].split("\n\n")[0]
    assert " ".join(first_paragraph.split()) in text_of(opened[0])


def test_a_search_shows_its_hits_highlighted(server: str, tmp_path: Path) -> None:
    article = api_json(f"{server}/articles/{SEED_SLUG}")
    word = "pipeline"
    assert word in article["sections"][-1]["body"], "a word of the seed"
    results = api_json(f"{server}/search?q={word}&limit=20")
    page = render(f"{server}/ui#/search?q={quote(word)}", tmp_path / "profile")
    tree = page_tree(page.dom)

    quiet(page, server)
    assert results["hits"], "the seed answers the query"
    hits = tree.xpath("//li[@class='hit']")
    assert len(hits) == len(results["hits"])
    for item, hit in zip(hits, results["hits"], strict=True):
        [link] = item.xpath(".//a[@class='hit-link']")
        in_outline = f"#/articles/{hit['article_slug']}/sections/{hit['section_slug']}"
        assert link.get("href") == in_outline
        assert text_of(link) == hit["heading"]
        [snippet] = item.xpath(".//p[@class='snippet']")
        assert "".join(snippet.itertext()) == hit["text"]
        marked = [text_of(mark) for mark in snippet.xpath("./mark")]
        assert marked == [hit["text"][h["start"] : h["end"]] for h in hit["highlights"]]
        assert all(mark.lower().startswith(word[:5]) for mark in marked)
        assert item.xpath(f".//a[@class='api-link' and @href='{hit['url']}?format=json']")
    [announced] = tree.xpath("//*[@role='status']")
    assert text_of(announced).startswith(f"{results['total']} hit")


def test_an_api_error_is_shown_with_its_suggestions(server: str, tmp_path: Path) -> None:
    near = "why-is-irans-president-raisi"  # not a slug, but close to the seed's
    status, _, body = http_get(f"{server}/articles/{near}")
    problem = json.loads(body)
    page = render(f"{server}/ui#/articles/{near}", tmp_path / "profile")
    tree = page_tree(page.dom)

    assert status == 404 and problem["suggestions"] == [SEED_SLUG]
    [alert] = tree.xpath("//*[@role='alert']")
    assert text_of(alert).startswith(f"404 {problem['title']}: {problem['detail']}")
    assert alert.xpath(f".//a[@href='#/articles/{SEED_SLUG}']")


FOCUSED = "(e => e.id || e.className || e.tagName)(document.activeElement)"


def tab_to(page: DevTools, expression: str, presses: int = 30) -> list[str]:
    """Press Tab until `expression` holds of the focused element; what took the focus on
    the way, each with a visible focus outline."""
    visited = []
    for _ in range(presses):
        page.press("Tab")
        visited.append(page.evaluate(FOCUSED))
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid", f"no visible focus on {visited[-1]}"
        if page.evaluate(f"(e => {expression})(document.activeElement)"):
            return visited
    raise AssertionError(f"Tab never reached {expression}: {visited}")


def test_the_keyboard_alone_searches_and_opens_a_hit(server: str, tmp_path: Path) -> None:
    word = "pipeline"
    [hit] = api_json(f"{server}/search?q={word}&limit=20")["hits"][:1]
    with DevTools(tmp_path / "profile") as page:
        page.open(f"{server}/ui", "document.querySelector('.article-item') !== null")

        visited = tab_to(page, "e.id === 'search-input'")
        assert visited[0] == "skip-link"
        page.type(word)
        page.press("Enter")
        page.wait_for("document.querySelectorAll('.hit').length > 0")
        assert page.evaluate("location.hash") == f"#/search?q={word}"
        announced = page.wait_for("document.getElementById('status').textContent")
        assert announced.endswith(f"for “{word}”")

        tab_to(page, "e.classList.contains('hit-link')")
        page.press("Enter")
        page.wait_for("document.activeElement.tagName === 'SUMMARY'")
        section = f"#/articles/{hit['article_slug']}/sections/{hit['section_slug']}"
        assert page.evaluate("location.hash") == section
        opened = "document.activeElement.parentElement"
        assert page.evaluate(f"{opened}.id") == f"section-{hit['section_slug']}"
        assert page.evaluate(f"{opened}.open") is True
        page.press("Enter")  # the focused summary closes its section
        assert page.evaluate(f"{opened}.open") is False

        page.evaluate("history.back()")  # Back returns to the hits
        page.wait_for("document.querySelectorAll('.hit').length > 0")
        assert page.evaluate("document.getElementById('search-input').value") == word
        assert page.complaints() == []


def test_every_view_fits_a_phone(server: str, tmp_path: Path) -> None:
    """Nothing is wider than a 360 px screen: no sideways scrolling, whatever is open."""
    views = {
        "#/": ".article-item",
        f"#/articles/{SEED_SLUG}": ".dropped",
        "#/search?q=pakistan": ".hit",
    }
    with DevTools(tmp_path / "profile") as page:
        page.phone(360, 800)
        for hash_route, shown in views.items():
            page.open(f"{server}/ui{hash_route}", f"document.querySelector('{shown}') !== null")
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert width == [360, 360], hash_route
        assert page.complaints() == []
