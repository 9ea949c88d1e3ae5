"""Evaluation harnesses: heading segmentation against a ground truth, search relevance.

They run from a checkout: the shared corpus lies beside the repository, never inside it.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
SHARED_CORPUS_EXTRA = REPO.parent / "shared" / "corpus-extra"
