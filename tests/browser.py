"""Headless Debian Chromium for the tests of the HTML pages (/docs, /redoc, /ui): the DOM
after the page's scripts ran, and its console, where Chromium reports CSP violations.

render() runs it with --dump-dom; DevTools drives a page over the DevTools protocol, to press
keys and measure the layout. Tests that need it call require_chromium(): a skip (with the
reason) where Chromium is absent, a failure when REQUIRE_CHROMIUM=1 (CI, whose .ci/run
installs it).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


class DevTools:
    """One headless Chromium page driven over the DevTools protocol (CDP) on a pipe
    (`--remote-debugging-pipe`: commands on the child's fd 3, answers on its fd 4, each a
    JSON object ended by NUL), for what --dump-dom cannot do: type keys, measure the layout.
    Every console message, uncaught exception and log entry (CSP violations) is kept."""

    def __init__(self, profile: Path) -> None:
        # The child's ends above 4, so that moving them to 3 and 4 cannot overwrite either
        to_child, self._commands = (above_4(fd) for fd in os.pipe())
        self._answers, from_child = (above_4(fd) for fd in os.pipe())

        def pipes_at_3_and_4() -> None:
            os.dup2(to_child, 3)
            os.dup2(from_child, 4)

        self._process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=pipes_at_3_and_4,
        )
        os.close(to_child)
        os.close(from_child)
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict[str, Any]] = []
        self.session = ""
        try:
            self._attach()
        except BaseException:
            self.close()  # no browser left behind by a failed start
            raise

    def _attach(self) -> None:
        """Talk to the page from here on, and hear its console and log."""
        [target] = [
            t["targetId"]
            for t in self.call("Target.getTargets")["targetInfos"]
            if t["type"] == "page"
        ]
        attached = self.call("Target.attachToTarget", targetId=target, flatten=True)
        self.session = attached["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.call(f"{domain}.enable")

    def close(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._commands)
        os.close(self._answers)

    def __enter__(self) -> DevTools:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command (to the attached page, once attached) and wait for its answer."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            if "method" in answer:
                self.events.append(answer)

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._answers], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20) -> Any:
        """Poll until `expression` is truthy in the page; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"never true in the page: {expression}")
            time.sleep(0.05)

    def open(self, url: str, ready: str) -> None:
        """Navigate to `url` and wait until the `ready` expression holds."""
        self.call("Page.navigate", url=url)
        self.wait_for(f"document.readyState === 'complete' && ({ready})")

    def press(self, key: str) -> None:
        """A key pressed and released, as the keyboard would (Tab moves the focus)."""
        code, text = KEYS[key]
        down: dict[str, Any] = {"key": key, "code": key, "windowsVirtualKeyCode": code}
        if text:
            down["text"] = text
        self.call("Input.dispatchKeyEvent", type="keyDown", **down)
        self.call(
            "Input.dispatchKeyEvent", type="keyUp", key=key, code=key, windowsVirtualKeyCode=code
        )

    def type(self, text: str) -> None:
        self.call("Input.insertText", text=text)

    def phone(self, width: int = 360, height: int = 800) -> None:
        """Lay the page out as a phone of `width` CSS pixels would (its meta viewport
        honoured)."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=2,
            mobile=True,
        )

    def complaints(self) -> list[str]:
        """Console messages, uncaught exceptions and log entries (CSP violations among them)
        since the start."""
        self.evaluate("0")  # collect what arrived meanwhile
        kinds = {"Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded"}
        return [
            json.dumps(event["params"])[:500] for event in self.events if event["method"] in kinds
        ]


def above_4(fd: int) -> int:
    """`fd` moved to a descriptor number above 4."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5)
    os.close(fd)
    return moved


# key: (Windows virtual key code, the text it types)
KEYS = {"Tab": (9, ""), "Enter": (13, "\r"), " ": (32, " ")}
