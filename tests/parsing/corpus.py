"""Where the shared real-article corpora live, and how tests behave without them: a plain
clone skips the tests that read them, with a clear message; CI sets REQUIRE_CORPUS=1, under
which a missing corpus fails instead (a test that silently skipped would prove nothing)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.evaluation import SHARED_CORPUS, SHARED_CORPUS_EXTRA

CORPUS = SHARED_CORPUS
CORPUS_EXTRA = SHARED_CORPUS_EXTRA
CORPUS_FILES = sorted((CORPUS / "files").glob("*")) if CORPUS.is_dir() else []
REQUIRED = os.environ.get("REQUIRE_CORPUS") == "1"


def missing_reason(path: Path) -> str:
    return (
        f"the shared corpus is not at {path} (it belongs to its publishers and is not part "
        "of the repository; CI provides it and sets REQUIRE_CORPUS=1)"
    )


# Under REQUIRE_CORPUS the tests run, and fail on the missing files.
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir() and not REQUIRED, reason=missing_reason(CORPUS)
)


def skip_or_fail_without(path: Path) -> None:
    """Skip (plain clone) or fail (REQUIRE_CORPUS=1) when a shared corpus is missing."""
    if path.is_dir():
        return
    if REQUIRED:
        pytest.fail(missing_reason(path))
    pytest.skip(missing_reason(path))
