"""`article-qa` commands through main(argv), plus `python -m app` as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import __version__
from app.cli import build_parser, main, settings_from
from app.config import Settings
from app.parsing.pipeline import parse_article
from tests.conftest import REPO, SEED_FILE, SEED_SLUG, TWIN_TEXT


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_parse_prints_what_the_api_serves(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["parse", str(SEED_FILE)], capsys)

    assert code == 0
    served = client.get(f"/articles/{SEED_SLUG}").json()
    # The API adds the store's timestamps; everything else is the parser's Article as is.
    assert set(served.keys() - json.loads(out).keys()) == {"created_at", "updated_at"}
    for stamp in ("created_at", "updated_at"):
        del served[stamp]
    assert out.rstrip("\n") == json.dumps(served, ensure_ascii=False, separators=(",", ":"))


def test_parse_explain_prints_the_outline(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["parse", str(SEED_FILE), "--explain"], capsys)

    assert code == 0
    assert "What’s the status of Iran-Pakistan ties?" in out
    assert "whats-the-status-of-iran-pakistan-ties" in out
    assert "dropped (" in out


def test_rules_prints_every_name_explain_and_dropped_can_show(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["rules"], capsys)
    assert code == 0
    names = {line.split()[0] for line in out.splitlines() if not line.startswith(" ")}
    parsed = parse_article(SEED_FILE.read_bytes(), source=SEED_FILE.name)
    assert {d.reason.value for d in parsed.article.dropped} <= names
    assert {d.heading_rule.split("(")[0] for d in parsed.decisions} <= names
    assert "limits: max_words 16" in out  # a short standalone line: its bound is shown


def test_parse_format_flag_picks_the_reader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A .txt holding Markdown: --format markdown makes the '#' lines headings.
    source = tmp_path / "primer.txt"
    source.write_text(TWIN_TEXT, encoding="utf-8")

    code, out, _ = run(["parse", str(source), "--format", "markdown"], capsys)

    assert code == 0
    assert '"format":"markdown"' in out
    assert '"slug":"where-do-the-two-countries-meet"' in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "cannot read", id="missing"),
        pytest.param(b"", "", id="empty"),
    ],
)
def test_parse_unreadable_file_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)

    code, out, err = run(["parse", str(path)], capsys)

    assert code == 1
    assert out == ""
    assert err.startswith("article-qa: ")
    assert message in err


def test_ingest_files_then_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "cli.db"

    code, out, _ = run(["ingest", str(SEED_FILE), "--db", str(db)], capsys)
    again, out_again, _ = run(["ingest", str(SEED_FILE), "--db", str(db)], capsys)

    assert (code, again) == (0, 0)
    assert out.splitlines()[0] == f"ingested  {SEED_FILE} -> {SEED_SLUG}"
    assert out.splitlines()[-1].startswith("summary: 1 ingested,")
    assert out_again.splitlines()[0].startswith("unchanged")


def test_ingest_reports_skips_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4")

    code, out, _ = run(["ingest", str(pdf), str(SEED_FILE), "--db", str(tmp_path / "x.db")], capsys)

    assert code == 1
    assert f"skipped   {pdf}: unsupported extension '.pdf'" in out
    assert "1 ingested" in out
    assert "1 skipped" in out


def test_ingest_without_paths_syncs_the_data_dir(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["ingest", "--data-dir", str(data_dir)], capsys)

    assert code == 0
    assert "1 ingested" in out
    assert (data_dir / "article-qa.db").is_file()


def test_search_json_is_what_the_api_serves(
    client: TestClient, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["search", "Kashmir", "--db", settings.db_location, "--json"], capsys)

    assert code == 0
    assert out.rstrip("\n").encode() == client.get("/search", params={"q": "Kashmir"}).content


def test_search_prints_hits(
    client: TestClient, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    del client  # only for the seeded store it leaves behind
    code, out, _ = run(
        ["search", "Kashmir", "--data-dir", str(settings.data_dir), "--limit", "1"], capsys
    )

    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith("hit(s) for 'Kashmir'")
    assert lines[2].startswith("What’s the Ebrahim Raisi agenda of the trip?")
    assert (
        lines[3] == f"  /articles/{SEED_SLUG}/sections/whats-the-ebrahim-raisi-agenda-of-the-trip"
    )


def test_search_limit_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["search", "x", "--limit", "0"], capsys)

    assert code == 2
    assert "--limit" in err


def test_environment_sets_defaults_and_flags_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLE_QA_HOST", "0.0.0.0")
    monkeypatch.setenv("ARTICLE_QA_PORT", "9000")
    monkeypatch.setenv("ARTICLE_QA_DB", "/tmp/from-env.db")

    args = build_parser().parse_args(["serve", "--port", "9100"])
    settings = settings_from(args)

    assert (settings.host, settings.port, settings.db_location) == (
        "0.0.0.0",
        9100,
        "/tmp/from-env.db",
    )


def test_invalid_environment_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARTICLE_QA_PORT", "not-a-port")

    code, _, err = run(["search", "x"], capsys)

    assert code == 2
    assert "ARTICLE_QA_PORT" in err or "port" in err


def test_python_dash_m_app_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0
    assert done.stdout.strip() == f"article-qa {__version__}"


def test_ingest_prune_removes_articles_not_in_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "prune.db")
    twin = tmp_path / "primer.md"
    twin.write_text(TWIN_TEXT, encoding="utf-8")
    run(["ingest", str(SEED_FILE), str(twin), "--db", db], capsys)

    code, out, _ = run(["ingest", str(SEED_FILE), "--db", db, "--prune"], capsys)

    assert code == 0
    # Outside the articles folder a file is known by its full path.
    assert f"removed   {twin} -> iran-and-pakistan-a-primer" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["search", "pakistan"], "run `article-qa ingest` first", id="no-index-yet"),
        pytest.param(
            ["search", "pakistan", "--db", "mysql://db.example/aq"],
            "mysql:// stores are not supported",
            id="unsupported-store-url",
        ),
        pytest.param(
            ["search", "pakistan", "--db", "postgresql://nobody@127.0.0.1:9/aq"],
            "Cannot open the store at postgresql://nobody@127.0.0.1:9/aq",
            id="unreachable-postgresql",
        ),
    ],
)
def test_search_without_a_usable_store_explains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run([*argv, "--data-dir", str(tmp_path / "empty")], capsys)

    assert code == 1
    assert message in err
    assert not (tmp_path / "empty").exists()
