"""Where the shared real-article corpus lives, and a skip marker for clones without it."""

from __future__ import annotations

import pytest

from app.evaluation import SHARED_CORPUS

CORPUS = SHARED_CORPUS
CORPUS_FILES = sorted((CORPUS / "files").glob("*")) if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"the shared corpus is not at {CORPUS} (it belongs to its publishers and is not "
    "part of the repository; CI provides it)",
)
