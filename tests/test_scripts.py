"""scripts/_venv.sh installs only when pyproject.toml (or the extras asked for) changed.

Each test sources the real script in bash inside a temporary copy of the files it reads,
with a fake `.venv/bin/python` that logs its arguments instead of running pip.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(BASH is None, reason="scripts/_venv.sh needs bash")

STAMP = ".venv/.article-qa-installed"


@dataclass
class Project:
    root: Path
    log: Path

    def ensure_venv(
        self, *extras: str, fail_pip: bool = False, reinstall: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """Run `ensure_venv EXTRAS` as the scripts do (set -euo pipefail; source)."""
        assert BASH is not None
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"ARTICLE_QA_REINSTALL", "PYTHON"}
        }
        environment["FAKE_PYTHON_LOG"] = str(self.log)
        environment["FAKE_PYTHON_EXIT"] = "1" if fail_pip else "0"
        if reinstall:
            environment["ARTICLE_QA_REINSTALL"] = "1"
        return subprocess.run(
            [
                BASH,
                "-c",
                'set -euo pipefail; source scripts/_venv.sh; ensure_venv "$@"',
                "ensure_venv",
                *extras,
            ],
            cwd=self.root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def pip_installs(self) -> list[str]:
        """The `-m pip install` calls the fake python received, in order."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [line for line in lines if "-m pip install" in line]

    @property
    def stamp(self) -> Path:
        return self.root / STAMP


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(REPO / "scripts" / "_venv.sh", root / "scripts" / "_venv.sh")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    # Logs every call; `-c` snippets (a hash, should no hashing tool be found) really run
    python.write_text(
        f"#!{BASH}\n"
        'printf \'%s\\n\' "$*" >>"$FAKE_PYTHON_LOG"\n'
        f'if [ "${{1:-}}" = -c ]; then exec "{sys.executable}" "$@"; fi\n'
        'exit "${FAKE_PYTHON_EXIT:-0}"\n',
        encoding="utf-8",
    )
    article_qa = bin_dir / "article-qa"
    article_qa.write_text(f"#!{BASH}\nexit 0\n", encoding="utf-8")
    for script in (python, article_qa):
        script.chmod(0o755)
    return Project(root=root, log=tmp_path / "python.log")


def ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr


def test_the_first_call_installs_and_the_second_does_not(project: Project) -> None:
    ok(project.ensure_venv())
    [install] = project.pip_installs()
    assert install.endswith("-e .")
    assert project.stamp.is_file()

    ok(project.ensure_venv())

    assert len(project.pip_installs()) == 1


def test_a_changed_pyproject_installs_again(project: Project) -> None:
    ok(project.ensure_venv())
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")

    ok(project.ensure_venv())
    ok(project.ensure_venv())

    assert len(project.pip_installs()) == 2


def test_reinstall_forces_pip(project: Project) -> None:
    ok(project.ensure_venv())

    ok(project.ensure_venv(reinstall=True))

    assert len(project.pip_installs()) == 2


def test_a_failed_install_writes_no_stamp_and_is_tried_again(project: Project) -> None:
    failed = project.ensure_venv(fail_pip=True)

    assert failed.returncode != 0
    assert "error: pip could not install article-qa" in failed.stderr
    assert not project.stamp.exists()

    ok(project.ensure_venv())
    ok(project.ensure_venv())

    assert len(project.pip_installs()) == 2
    assert project.stamp.is_file()


def test_a_failed_reinstall_removes_the_old_stamp(project: Project) -> None:
    ok(project.ensure_venv())

    assert project.ensure_venv(fail_pip=True, reinstall=True).returncode != 0

    assert not project.stamp.exists()
    ok(project.ensure_venv())
    assert len(project.pip_installs()) == 3


def test_dev_extras_satisfy_a_plain_call(project: Project) -> None:
    ok(project.ensure_venv("dev"))
    [install] = project.pip_installs()
    assert install.endswith("-e .[dev]")

    ok(project.ensure_venv())
    ok(project.ensure_venv("dev"))

    assert len(project.pip_installs()) == 1


def test_a_plain_install_does_not_satisfy_dev_and_then_records_both(project: Project) -> None:
    ok(project.ensure_venv())
    ok(project.ensure_venv("dev"))

    assert [line.rsplit(" ", 1)[-1] for line in project.pip_installs()] == [".", ".[dev]"]
    ok(project.ensure_venv("dev"))
    ok(project.ensure_venv())
    assert len(project.pip_installs()) == 2


def test_a_missing_entry_point_installs_again(project: Project) -> None:
    ok(project.ensure_venv())
    (project.root / ".venv" / "bin" / "article-qa").unlink()

    ok(project.ensure_venv())

    assert len(project.pip_installs()) == 2


def test_the_stamp_records_the_pyproject_hash_and_extras(project: Project) -> None:
    ok(project.ensure_venv("dev"))

    digest = hashlib.sha256((project.root / "pyproject.toml").read_bytes()).hexdigest()
    assert project.stamp.read_text(encoding="utf-8") == f"sha256={digest}\nextras=dev\n"
