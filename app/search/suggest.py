"""The existing slugs nearest to one that does not exist, for a 404's suggestions.

Comparison ignores case ('WHAT-IS-A-POD' finds 'what-is-a-pod') and tolerates typos and
transposed letters ('what-is-a-pdo'). Over every section of a large store, a trigram index
narrows 100,000 slugs to a few hundred candidates before difflib orders them.
"""

from __future__ import annotations

import difflib
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence

# Slugs share many words ("whats-the-..."), so a fairly high cutoff keeps suggestions relevant.
SIMILARITY_CUTOFF = 0.6
# Candidates difflib compares after the trigram count, and how much posting work finds them.
MAX_CANDIDATES = 60
MAX_GRAMS = 10
MAX_POSTINGS = 60_000


def _trigrams(text: str) -> set[str]:
    padded = f"^{text}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def closest(wanted: str, options: Sequence[str], *, limit: int, cutoff: float) -> list[str]:
    """The options most similar to `wanted` (case ignored), best first."""
    folded: dict[str, str] = {}
    for option in options:
        folded.setdefault(option.casefold(), option)
    matches = difflib.get_close_matches(wanted.casefold(), list(folded), n=limit, cutoff=cutoff)
    return [folded[match] for match in matches]


class SlugIndex:
    """Distinct slugs with a trigram index over their folded forms. It only grows: a store
    adds the slugs written since it last looked, and checks that a suggestion still exists
    before offering it (so a write never makes the next 404 rebuild the whole index)."""

    def __init__(self, slugs: Iterable[str] = ()) -> None:
        self._slugs: list[str] = []
        # Compact id arrays (4 bytes an entry, a tenth of a list of ints).
        self._by_gram: dict[str, array[int]] = {}
        self._seen: set[str] = set()
        self.add(slugs)

    def add(self, slugs: Iterable[str]) -> None:
        by_gram = self._by_gram
        for slug in slugs:
            folded = slug.casefold()
            if folded in self._seen:
                continue
            self._seen.add(folded)
            index = len(self._slugs)
            self._slugs.append(slug)
            # Repeated trigrams are listed twice: harmless for ranking, cheaper to build.
            padded = f"^{folded}$"
            for start in range(len(padded) - 2):
                gram = padded[start : start + 3]
                postings = by_gram.get(gram)
                if postings is None:
                    postings = by_gram[gram] = array("i")
                postings.append(index)

    def __len__(self) -> int:
        return len(self._slugs)

    def nearest(
        self, wanted: str, *, limit: int = 3, cutoff: float = SIMILARITY_CUTOFF
    ) -> list[str]:
        """The indexed slugs most similar to `wanted`, best first."""
        folded = wanted.casefold()
        # The rarest shared trigrams say most about a slug and cost least to count.
        grams = sorted(
            (gram for gram in _trigrams(folded) if gram in self._by_gram),
            key=lambda gram: len(self._by_gram[gram]),
        )
        counts: Counter[int] = Counter()
        work = 0
        for gram in grams[:MAX_GRAMS]:
            postings = self._by_gram[gram]
            if work and work + len(postings) > MAX_POSTINGS:
                break
            counts.update(postings)
            work += len(postings)
        options = [self._slugs[index] for index, _ in counts.most_common(MAX_CANDIDATES)]
        return closest(wanted, options, limit=limit, cutoff=cutoff)
