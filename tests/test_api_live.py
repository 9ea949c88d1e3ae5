"""Permanent URLs (301 where content moved, 410 where it went) and the change feed, through
the real app on a real store that files in articles/ keep changing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sites import Site, site_at

FAQ = """# Travel FAQ

Answers for travellers.

## {first}

Bring your passport and a printed ticket.

## Can I bring my dog?

Small dogs travel in a carrier.
"""


SECTION = "/articles/travel-faq/sections"


def test_a_reworded_heading_moves_its_url(site: Site) -> None:
    site.write("faq.md", FAQ.format(first="What should I bring?"))
    site.write("faq.md", FAQ.format(first="What do I need to bring?"))

    moved = site.client.get(f"{SECTION}/what-should-i-bring")
    bare = site.client.get("/sections/what-should-i-bring")

    assert moved.status_code == 301
    assert moved.headers["location"] == f"{SECTION}/what-do-i-need-to-bring"
    assert bare.status_code == 301
    assert bare.headers["location"] == f"{SECTION}/what-do-i-need-to-bring"
    assert site.client.get(moved.headers["location"]).status_code == 200


def test_a_chain_of_renames_resolves_in_one_hop(site: Site) -> None:
    for first in ("What should I bring?", "What do I bring?", "What must I pack?"):
        site.write("faq.md", FAQ.format(first=first))

    for old in ("what-should-i-bring", "what-do-i-bring"):
        response = site.client.get(f"{SECTION}/{old}")
        assert response.status_code == 301
        assert response.headers["location"] == f"{SECTION}/what-must-i-pack"


def test_a_heading_given_back_its_old_words_answers_again(site: Site) -> None:
    site.write("faq.md", FAQ.format(first="What should I bring?"))
    site.write("faq.md", FAQ.format(first="What do I bring?"))
    site.write("faq.md", FAQ.format(first="What should I bring?"))

    assert site.client.get(f"{SECTION}/what-should-i-bring").status_code == 200
    assert site.client.get(f"{SECTION}/what-do-i-bring").headers["location"] == (
        f"{SECTION}/what-should-i-bring"
    )


def test_a_removed_section_and_article_are_gone(site: Site) -> None:
    site.write("faq.md", FAQ.format(first="What should I bring?"))
    site.write("faq.md", FAQ.format(first="What should I bring?").split("## Can I")[0])

    gone = site.client.get(f"{SECTION}/can-i-bring-my-dog")
    assert gone.status_code == 410
    assert gone.headers["content-type"] == "application/problem+json"
    assert gone.json()["type"].endswith(":gone")
    assert site.client.get("/sections/can-i-bring-my-dog").status_code == 410

    site.remove("faq.md")

    for path in ("/articles/travel-faq", "/articles/travel-faq/sections", SECTION + "/x"):
        assert site.client.get(path).status_code == 410, path
    assert site.client.get("/articles/never-existed").status_code == 404


def test_a_retitled_article_moves_with_its_sections(site: Site) -> None:
    site.write("faq.md", FAQ.format(first="What should I bring?"))
    site.write("faq.md", FAQ.format(first="What should I bring?").replace("Travel", "Trip"))

    article = site.client.get("/articles/travel-faq")
    sections = site.client.get("/articles/travel-faq/sections")
    section = site.client.get(f"{SECTION}/can-i-bring-my-dog?x=1")

    assert article.headers["location"] == "/articles/trip-faq"
    assert sections.headers["location"] == "/articles/trip-faq/sections"
    assert section.headers["location"] == "/articles/trip-faq/sections/can-i-bring-my-dog?x=1"


def test_search_never_leads_to_a_url_that_is_not_there(site: Site) -> None:
    for first in ("What should I bring?", "What do I pack?", "Which papers do I need?"):
        site.write("faq.md", FAQ.format(first=first))
        for hit in site.client.get("/search", params={"q": "passport dog"}).json()["hits"]:
            assert site.client.get(hit["url"]).status_code == 200


def test_the_change_feed_lists_every_change_in_order(site: Site) -> None:
    site.write("faq.md", FAQ.format(first="What should I bring?"))
    site.write("faq.md", FAQ.format(first="What do I pack?").replace("Small", "Big"))
    site.remove("faq.md")

    page = site.client.get("/changes").json()

    assert [(c["kind"], c["article_slug"]) for c in page["items"]] == [
        ("created", "travel-faq"),
        ("updated", "travel-faq"),
        ("deleted", "travel-faq"),
    ]
    created, updated, deleted = page["items"]
    assert created["sections_added"] == ["what-should-i-bring", "can-i-bring-my-dog"]
    assert updated["sections_added"] == ["what-do-i-pack"]
    assert updated["sections_changed"] == ["can-i-bring-my-dog"]
    assert updated["sections_removed"] == ["what-should-i-bring"]
    assert deleted["sections_removed"] == ["what-do-i-pack", "can-i-bring-my-dog"]
    assert page["next"] == deleted["cursor"] and page["more"] is False


def test_the_feed_pages_with_its_cursor(site: Site) -> None:
    for number in range(3):
        site.write(f"faq-{number}.md", FAQ.format(first=f"Question {number}?"))

    first = site.client.get("/changes", params={"limit": 2}).json()
    rest = site.client.get("/changes", params={"since": first["next"]}).json()
    latest = site.client.get("/changes", params={"since": rest["next"]})

    assert first["more"] is True and len(first["items"]) == 2
    assert len(rest["items"]) == 1 and rest["more"] is False
    assert latest.json()["items"] == [] and latest.json()["next"] == rest["next"]
    again = site.client.get(
        "/changes",
        params={"since": rest["next"]},
        headers={"If-None-Match": latest.headers["etag"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize("cursor", ["abc", "-1", "1" * 30, ""])
def test_a_bad_cursor_is_a_422(site: Site, cursor: str) -> None:
    response = site.client.get("/changes", params={"since": cursor})

    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "since"


def test_articles_updated_since(site: Site) -> None:
    site.write("old.md", FAQ.format(first="Old question?").replace("Travel", "Old"))
    time.sleep(0.01)
    moment = site.client.get("/articles").json()["items"][0]["updated_at"]
    time.sleep(0.01)
    site.write("new.md", FAQ.format(first="New question?").replace("Travel", "New"))

    since = site.client.get("/articles", params={"updated_since": moment}).json()
    later = site.client.get("/articles", params={"updated_since": "2999-01-01T00:00:00"}).json()
    invalid = site.client.get("/articles", params={"updated_since": "yesterday"})
    small_letters = site.client.get("/articles", params={"updated_since": "2999-01-01t00:00z"})
    for not_iso in ("0.5", "1700000000", "2024-01-01", "2024-02-30T00:00:00Z"):
        refused = site.client.get("/articles", params={"updated_since": not_iso})
        assert refused.status_code == 422, not_iso
    assert small_letters.status_code == 200 and small_letters.json()["total"] == 0

    assert [item["slug"] for item in since["items"]] == ["new-faq", "old-faq"]
    assert since["total"] == 2
    assert later["items"] == [] and later["total"] == 0
    assert invalid.status_code == 422
    newest = since["items"][0]
    assert newest["origin"] == "file" and newest["created_at"] <= newest["updated_at"]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with site_at(tmp_path) as opened:
        yield opened
