"""Scored posting lists as numpy arrays: ids ascending for lookups, impacts descending for pruning.

One list holds a term's (or a merged group's) documents and their precomputed BM25F
contributions. Every operation on it is a vectorised numpy call, so its cost per query
does not grow with Python-level loops over tens of thousands of documents.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from app.search import bitsets

DocIds = npt.NDArray[np.int32]
Impacts = npt.NDArray[np.float32]
Scores = npt.NDArray[np.float64]

# Lists holding at least one id in this many get a dense impact array (4 bytes per id): a
# gather from it costs a sixth of binary searches for a thousand candidates.
DENSE_DENSITY = 32


class Postings:
    """Documents ascending with their score contributions.

    Pruning asks for the documents at or above an impact, and for the few of highest
    impact: both are one vectorised pass over the list (a full impact-ordered copy would
    cost a sort, paid again for every word each time a write makes a new index view).
    """

    __slots__ = ("_bits", "_dense", "docs", "impacts", "max_impact")

    def __init__(self, docs: DocIds, impacts: Impacts) -> None:
        self.docs = docs
        self.impacts = impacts
        self.max_impact = float(impacts.max()) if len(impacts) else 0.0
        self._bits: int | None = None
        self._dense: Impacts | None = None

    def __len__(self) -> int:
        return len(self.docs)

    def head(self, at_least: float) -> DocIds:
        """Documents whose impact is at least `at_least` (ids ascending)."""
        # A float32 needle: a Python float would make numpy convert the whole array first.
        return self.docs[self.impacts >= np.float32(at_least)]

    def head_length(self, at_least: float) -> int:
        return int(np.count_nonzero(self.impacts >= np.float32(at_least)))

    def top(self, count: int) -> DocIds:
        """`count` documents of highest impact (ties broken arbitrarily: pruning only needs
        some documents that score well to set its threshold)."""
        if count >= len(self.docs):
            return self.docs
        # The count-th highest impact, then every document reaching it (ties may add a few).
        kth = np.partition(self.impacts, len(self.impacts) - count)[len(self.impacts) - count]
        chosen: DocIds = self.docs[self.impacts >= kth]
        return chosen

    def impacts_of(self, docs: DocIds) -> Scores:
        """Each document's impact (0.0 where this list does not hold it); `docs` ascending."""
        if not len(self.docs) or not len(docs):
            return np.zeros(len(docs), dtype=np.float64)
        if len(self.docs) * DENSE_DENSITY >= int(self.docs[-1]):
            # A common word: one gather from a dense array beats a binary search per document.
            if self._dense is None:
                dense = np.zeros(int(self.docs[-1]) + 2, dtype=np.float32)
                dense[self.docs] = self.impacts
                self._dense = dense
            dense = self._dense
            # Ids ascending: only the last can lie beyond the array, and then clipping is needed.
            if int(docs[-1]) < len(dense):
                return dense.take(docs).astype(np.float64)
            return dense[np.minimum(docs, len(dense) - 1)].astype(np.float64)
        at = np.searchsorted(self.docs, docs)
        np.minimum(at, len(self.docs) - 1, out=at)
        found = self.docs[at] == docs
        return np.where(found, self.impacts[at], 0.0).astype(np.float64, copy=False)

    def bits(self, max_id: int) -> int:
        if self._bits is None:
            self._bits = bitsets.from_array(self.docs, max_id)
        return self._bits


EMPTY_POSTINGS = Postings(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


def merge_max(parts: Sequence[Postings]) -> Postings:
    """A group of alternative terms (typo candidates, prefix expansions): best impact wins."""
    parts = [part for part in parts if len(part)]
    if not parts:
        return EMPTY_POSTINGS
    if len(parts) == 1:
        return parts[0]
    docs = np.concatenate([part.docs for part in parts])
    impacts = np.concatenate([part.impacts for part in parts])
    # By id, best impact first within an id: the first row of each id is the one to keep.
    order = np.lexsort((-impacts, docs))
    docs, impacts = docs[order], impacts[order]
    first = np.ones(len(docs), dtype=bool)
    first[1:] = docs[1:] != docs[:-1]
    return Postings(docs[first], impacts[first])
