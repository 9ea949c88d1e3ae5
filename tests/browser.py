"""Headless Debian Chromium for the tests of the HTML pages (/docs, /redoc, /ui): the DOM
after the page's scripts ran, and its console, where Chromium reports CSP violations.

Tests that need it call require_chromium(): a skip (with the reason) where Chromium is
absent, a failure when REQUIRE_CHROMIUM=1 (CI, whose .ci/run installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OFF_ORIGIN_LOAD = re.compile(r"Loading the \w+ '(https?://[^']+)'")


@dataclass(frozen=True)
class Rendered:
    dom: str  # the DOM after the page's scripts ran
    console: list[str]  # the page's console messages, CSP violations included


def render(url: str, profile: Path, *, window_size: tuple[int, int] | None = None) -> Rendered:
    """The page after Chromium ran its scripts, with no network beyond loopback; in a window
    of `window_size` (width, height) CSS pixels when given."""
    size = [f"--window-size={window_size[0]},{window_size[1]}"] if window_size else []
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            # The page's console (where Chromium reports each CSP violation) goes to stderr
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            *size,
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Rendered(dom=done.stdout, console=console)


def csp_violations(page: Rendered, origin: str) -> list[str]:
    """The console's CSP violations, but for loads from another origin: the docs must make
    none, and the policy blocking one (ReDoc's "Redocly" badge names a CDN logo) is it
    doing its job, not the page breaking."""
    violations = []
    for line in page.console:
        if "Content Security Policy" not in line:
            continue
        load = OFF_ORIGIN_LOAD.search(line)
        if load is None or load.group(1).startswith(origin):
            violations.append(line)
    return violations


def require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"Chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    if os.environ.get("REQUIRE_CHROMIUM") == "1":
        pytest.fail(message)  # CI sets REQUIRE_CHROMIUM: there a skip would hide a failure
    pytest.skip(message)
