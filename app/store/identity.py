"""Which article keeps a slug that several sources' titles give, and the slug of the others.

The rule depends only on the sources, never on the order they were ingested in:
- a slug given by a URL (an article written over HTTP) is that article's own;
- otherwise the file whose path sorts first keeps the bare title slug: fewer folders first,
  then by path, case ignored (`FAQ.md` before `help/FAQ.md` before `help/more/FAQ.md`);
- every other file gets the title slug plus a short suffix made from its path
  (`faq-3f2a9c`), the same on every machine and across re-ingests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import PurePosixPath

from app.parsing.slugs import MAX_SLUG_LENGTH

_SUFFIX_CHARS = 6


def claim_key(source: str) -> tuple[int, str, str]:
    """Sort key of a file's claim on a shared slug: the smallest key keeps the bare slug."""
    return (len(PurePosixPath(source).parts), source.casefold(), source)


def suffixed_slug(base: str, source: str, *, taken: Callable[[str], bool]) -> str:
    """`base` plus a suffix from the path; longer suffixes in the unlikely case of a clash."""
    digest = hashlib.sha256(source.encode()).hexdigest()
    for length in range(_SUFFIX_CHARS, len(digest) + 1, 2):
        suffix = f"-{digest[:length]}"
        head = base[: MAX_SLUG_LENGTH - len(suffix)].rstrip("-")
        slug = f"{head}{suffix}"
        if not taken(slug):
            return slug
    raise RuntimeError(f"no free slug for {source!r}")  # 2**256 clashes: unreachable
