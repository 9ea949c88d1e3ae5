"""A fingerprint of the code that decides what a store holds: the parser and the search
analysis. A store written by other code re-ingests its articles on the next sync, so an
upgrade never serves articles parsed or indexed by rules that no longer exist."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

_PACKAGES = ("parsing", "search")


@lru_cache(maxsize=1)
def index_fingerprint() -> str:
    digest = hashlib.sha256()
    root = Path(__file__).parent
    for package in _PACKAGES:
        for path in sorted((root / package).glob("*.py")):
            digest.update(f"{package}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
