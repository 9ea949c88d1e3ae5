"""A fingerprint of the code that decides what a store holds: the parser and the search
analysis, the libraries slugs are spelled with, and the slug mode. A store written by other
code (or in another slug mode) re-ingests its articles on the next sync, so an upgrade never
serves articles parsed or indexed by rules that no longer exist, and slugs that change on
the way answer 301 from their old URLs."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from app.parsing.slugs import SlugMode

_PACKAGES = ("parsing", "search")
# Their data spell slugs: a new version may spell a title otherwise.
_SLUG_LIBRARIES = ("pykakasi", "python-slugify", "text-unidecode")


@lru_cache(maxsize=4)
def index_fingerprint(slugs: SlugMode = "ascii") -> str:
    digest = hashlib.sha256()
    root = Path(__file__).parent
    for package in _PACKAGES:
        for path in sorted((root / package).glob("*.py")):
            digest.update(f"{package}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    for library in _SLUG_LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}\0".encode())
    digest.update(f"slugs={slugs}\0".encode())
    return digest.hexdigest()[:16]
