"""Every console example of the README works as printed: its commands run, in README order,
in a copy of the repository's data/ against a real server started as the README says
(`ARTICLE_QA_WRITE_TOKEN=s3cret ./scripts/run --search-settings
data/search-settings.example.toml`), and print what the README shows.

What changes from run to run is compared as a placeholder: timestamps, ETags, request ids.
A GET that follows a change to a file is tried again for a few seconds (the folder watcher
takes about one). The examples use curl; .ci/run installs it, and without it (a plain
clone on a machine without curl) the test skips, unless REQUIRE_CURL=1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, free_port, running_server

README = REPO / "README.md"
DOCUMENTED_PORT = "127.0.0.1:8000"
TOKEN = "s3cret"
RETRY_SECONDS = 10
# What differs between runs, and what it is compared as
VOLATILE = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"), "<time>"),
    (re.compile(r'"[0-9a-f]{32}(-gzip)?"'), '"<etag>"'),
    (re.compile(r'("request_id": ?)"[0-9a-f]{32}"'), r'\1"<id>"'),
)


@dataclass(frozen=True)
class Step:
    """One `$ command` of a console block and the output printed under it."""

    line: int
    command: str
    expected: str


def console_steps(text: str) -> list[Step]:
    steps: list[Step] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() != "```console":
            index += 1
            continue
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            if not lines[index].startswith("$ "):
                raise AssertionError(f"README line {index + 1}: output before any command")
            start = index
            command = lines[index][2:]
            while command.endswith("\\"):  # continued on the next line (bash reads it so)
                index += 1
                command += "\n" + lines[index]
            index += 1
            output: list[str] = []
            while index < len(lines) and not lines[index].startswith("$ "):
                if lines[index].strip() == "```":
                    break
                output.append(lines[index])
                index += 1
            steps.append(Step(start + 1, command, "\n".join(output)))
        index += 1
    return steps


STEPS = console_steps(README.read_text(encoding="utf-8"))


def normalised(output: str) -> str:
    output = output.replace("\r\n", "\n").rstrip("\n")
    for pattern, placeholder in VOLATILE:
        output = pattern.sub(placeholder, output)
    return output


def test_the_readme_has_console_examples() -> None:
    assert len(STEPS) >= 10


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A copy of data/ (the seed and the example settings), served as the README says."""
    if shutil.which("curl") is None:
        if os.environ.get("REQUIRE_CURL") == "1":
            pytest.fail("curl is not installed (REQUIRE_CURL=1)")
        pytest.skip("the README's examples use curl, which is not installed")
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO / "data" / "articles", root / "data" / "articles")
    settings_file = "data/search-settings.example.toml"
    shutil.copy(REPO / settings_file, root / settings_file)
    port = free_port()
    old_token = os.environ.get("ARTICLE_QA_WRITE_TOKEN")
    os.environ["ARTICLE_QA_WRITE_TOKEN"] = TOKEN
    try:
        args = ["-m", "app", "serve", "--port", str(port), "--search-settings", settings_file]
        with running_server([*args, "--log-level", "warning"], port=port, cwd=root):
            yield root, f"127.0.0.1:{port}"
    finally:
        if old_token is None:
            os.environ.pop("ARTICLE_QA_WRITE_TOKEN", None)
        else:
            os.environ["ARTICLE_QA_WRITE_TOKEN"] = old_token


@dataclass(frozen=True)
class Ran:
    output: str
    errors: str
    status: int

    @property
    def clean(self) -> bool:
        """Every command of the pipeline succeeded and said nothing on stderr."""
        return self.status == 0 and not self.errors


def run(command: str, *, cwd: Path, address: str) -> Ran:
    # `article-qa` and `python3` as an activated environment has them
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command.replace(DOCUMENTED_PORT, address)],
        cwd=cwd,
        env={**os.environ, "PATH": path},
        capture_output=True,
        timeout=60,
        check=False,
    )
    return Ran(
        done.stdout.decode(errors="replace"),
        done.stderr.decode(errors="replace"),
        done.returncode,
    )


def retried(step: Step) -> bool:
    """A read that may have to wait for the watcher (any curl but a write)."""
    return step.command.startswith("curl") and " -X " not in step.command


def test_every_console_example_prints_what_the_readme_shows(
    workdir: tuple[Path, str],
) -> None:
    """With UPDATE_README=1, the README's outputs are rewritten with what was printed (for
    a maintainer who changed an answer on purpose; read the diff before committing)."""
    cwd, address = workdir
    updating = os.environ.get("UPDATE_README") == "1"
    printed: dict[int, str] = {}
    for step in STEPS:
        expected = normalised(step.expected)
        deadline = time.monotonic() + (RETRY_SECONDS if retried(step) else 0)
        while True:
            ran = run(step.command, cwd=cwd, address=address)
            actual = normalised(ran.output)
            if (ran.clean and actual == expected) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        where = f"README line {step.line}: $ {step.command}"
        assert ran.clean, f"{where}\nexit status {ran.status}\n{ran.errors}"
        if updating:
            printed[step.line] = ran.output.replace("\r\n", "\n").rstrip("\n")
            continue
        assert actual == expected, where
    if updating:
        README.write_text(with_outputs(README.read_text(encoding="utf-8"), printed))


def with_outputs(text: str, printed: dict[int, str]) -> str:
    """The README with the output under each command (by its line) replaced."""
    lines = text.splitlines()
    by_line = {step.line: step for step in STEPS}
    out: list[str] = []
    index = 0
    while index < len(lines):
        step = by_line.get(index + 1)
        if step is None:
            out.append(lines[index])
            index += 1
            continue
        command_lines = step.command.count("\n") + 1
        out.extend(lines[index : index + command_lines])
        index += command_lines
        index += len(step.expected.splitlines()) if step.expected else 0
        if printed.get(step.line):
            out.extend(printed[step.line].split("\n"))
    return "\n".join(out) + "\n"
