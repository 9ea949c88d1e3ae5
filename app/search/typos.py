"""Nearest indexed terms for a word the index does not know ("did you mean").

A character-bigram index narrows the vocabulary to terms sharing enough bigrams (each edit
breaks at most two), then a bounded edit distance (with transpositions) decides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

MIN_CORRECTABLE = 5
MAX_CANDIDATES = 2


def allowed_edits(word: str) -> int:
    """1 edit for 5-8 letters, 2 above, none for shorter words."""
    if len(word) < MIN_CORRECTABLE:
        return 0
    return 1 if len(word) <= 8 else 2


def _bigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, or limit + 1 once it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        row_min = i
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class TypoIndex:
    """Bigram index over the readable words of a vocabulary, each pointing at its term.

    Comparing what the user typed with real words (not stems) keeps edit distances honest:
    'continous' is one edit from 'continuous', but two from the stem 'continu'.
    """

    def __init__(self, entries: Iterable[tuple[str, str, int]]) -> None:
        self._words: list[str] = []
        self._terms: list[str] = []
        self._frequency: list[int] = []
        self._by_bigram: dict[str, list[int]] = {}
        for word, term, frequency in entries:
            if not word.isalpha() or len(word) < 3:
                continue
            index = len(self._words)
            self._words.append(word)
            self._terms.append(term)
            self._frequency.append(frequency)
            for gram in _bigrams(word):
                self._by_bigram.setdefault(gram, []).append(index)

    def nearest(self, word: str, max_edits: int) -> list[str]:
        """Terms of the closest words within max_edits; ties go to the more frequent term."""
        if max_edits <= 0 or not word:
            return []
        grams = _bigrams(word)
        counts: Counter[int] = Counter()
        for gram in grams:
            counts.update(self._by_bigram.get(gram, ()))
        needed = max(1, len(grams) - 2 * max_edits)
        scored: list[tuple[int, int, str]] = []
        for index, shared in counts.items():
            if shared < needed:
                continue
            distance = edit_distance(word, self._words[index], max_edits)
            if distance <= max_edits:
                scored.append((distance, -self._frequency[index], self._terms[index]))
        scored.sort()
        if not scored:
            return []
        best = scored[0][0]
        terms = [term for distance, _, term in scored if distance == best]
        return list(dict.fromkeys(terms))[:MAX_CANDIDATES]
