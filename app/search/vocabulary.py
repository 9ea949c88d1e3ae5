"""Every term the index has seen, shared by all views of one process (it only grows).

Terms are never renumbered: a view knows the highest id it may use, so terms appended for
later views are invisible to it. The sorted list (for prefix queries) and the typo index
are derived on demand and kept until the vocabulary has grown enough to refresh them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.search.typos import TypoIndex

if TYPE_CHECKING:
    from app.search.index import TermColumns

# The typo index is rebuilt once the vocabulary has grown by this share since it was built:
# until then words new to the index are not offered as corrections (they are rare).
TYPO_REFRESH_GROWTH = 0.05


class Vocabulary:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.surfaces: dict[str, str] = {}
        self.max_id = 0
        self._lock = threading.Lock()
        self._sorted: list[str] = []
        self._unsorted: list[str] = []
        self._typos: TypoIndex | None = None
        self._typos_size = 0
        self._stem_typos: TypoIndex | None = None
        self._stem_typos_size = 0

    def add(self, new: TermColumns) -> int:
        """Learn new terms (ids above every known one); return the highest term id known."""
        with self._lock:
            self.ids.update(zip(new.terms, new.ids, strict=True))
            self.surfaces.update(
                (term, surface)
                for term, surface in zip(new.terms, new.surfaces, strict=True)
                if surface != term
            )
            self._unsorted.extend(new.terms)
            if new.ids:
                self.max_id = max(self.max_id, max(new.ids))
            return self.max_id

    def sorted_terms(self) -> list[str]:
        """Every term in order (a view filters out those it does not hold)."""
        with self._lock:
            if self._unsorted:
                # One sorted run plus a short one: Timsort merges them in linear time.
                self._sorted = sorted(self._sorted + self._unsorted)
                self._unsorted = []
            return self._sorted

    def typo_index(self, frequency: Callable[[str], int]) -> TypoIndex:
        with self._lock:
            size = len(self.ids)
            if self._typos is None or size > self._typos_size * (1 + TYPO_REFRESH_GROWTH):
                self._typos = TypoIndex(
                    (self.surfaces.get(term, term), term, frequency(term)) for term in self.ids
                )
                self._typos_size = size
            return self._typos

    def stem_typo_index(self, frequency: Callable[[str], int]) -> TypoIndex:
        """The same over the terms themselves (stems), for languages whose words carry
        particles a stem sheds ("والبسكويت" -> "بسكويت"); built only when one asks."""
        with self._lock:
            size = len(self.ids)
            if self._stem_typos is None or size > self._stem_typos_size * (1 + TYPO_REFRESH_GROWTH):
                self._stem_typos = TypoIndex((term, term, frequency(term)) for term in self.ids)
                self._stem_typos_size = size
            return self._stem_typos
