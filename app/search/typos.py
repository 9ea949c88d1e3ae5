"""Nearest indexed terms for a word the index does not know ("did you mean").

A character-bigram index narrows the vocabulary to terms sharing enough bigrams (each edit
breaks at most three), then a bounded edit distance (with transpositions) decides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from app.search.settings import Typos

MIN_CORRECTABLE = 5
# Three- and four-letter words: only two neighbours swapped ("wrok"), which keeps the word's
# letters; any other edit of so short a word makes another real word too often.
MIN_SWAPPABLE = 3
# Identifiers with digits (model numbers, codes: "rtx4090", "a320"): one edit from this
# length, since each of their characters is deliberate and other identifiers rarely lie
# one edit apart.
MIN_IDENTIFIER = 3
MAX_CANDIDATES = 2
# The built-in rules, as settings: 1 edit from MIN_CORRECTABLE letters, 2 above 8, swaps
# from MIN_SWAPPABLE (a search settings file can change them; see app/search/settings.py).
DEFAULT_TYPOS = Typos(
    min_word_length_one_typo=MIN_CORRECTABLE,
    min_word_length_two_typos=9,
    min_word_length_swap=MIN_SWAPPABLE,
)


def is_identifier(word: str) -> bool:
    """Letters and digits together: a model number or a code."""
    return word.isalnum() and any(c.isdigit() for c in word) and any(c.isalpha() for c in word)


def allowed_edits(word: str, rules: Typos = DEFAULT_TYPOS) -> int:
    """By default 1 edit for 5-8 letters and for identifiers of 3 or more, 2 above 8 letters;
    none for shorter words (see swap_only for those), nor with typos off."""
    if not rules.enabled:
        return 0
    if is_identifier(word):
        return 1 if len(word) >= MIN_IDENTIFIER else 0
    if len(word) < rules.min_word_length_one_typo:
        return 0
    return 1 if len(word) < rules.min_word_length_two_typos else 2


def swap_only(word: str, rules: Typos = DEFAULT_TYPOS) -> bool:
    """A short word that may only be corrected by swapping two neighbouring letters."""
    return (
        rules.enabled
        and rules.min_word_length_swap <= len(word) < rules.min_word_length_one_typo
        and word.isalpha()
    )


def is_swap(a: str, b: str) -> bool:
    """b is a with two neighbouring characters swapped."""
    if len(a) != len(b) or a == b:
        return False
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and a[differ[0]] == b[differ[1]]
        and a[differ[1]] == b[differ[0]]
    )


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
            if not (word.isalpha() or is_identifier(word)) or len(word) < 3:
                continue
            index = len(self._words)
            self._words.append(word)
            self._terms.append(term)
            self._frequency.append(frequency)
            for gram in _bigrams(word):
                self._by_bigram.setdefault(gram, []).append(index)

    def nearest(self, word: str, max_edits: int, *, swaps_only: bool = False) -> list[str]:
        """Terms of the closest words within max_edits (or one neighbour swap only); ties go
        to the more frequent term."""
        if swaps_only:
            max_edits = 1
        if max_edits <= 0 or not word:
            return []
        grams = _bigrams(word)
        counts: Counter[int] = Counter()
        for gram in grams:
            counts.update(self._by_bigram.get(gram, ()))
        # A substitution breaks at most two bigrams, a swap of neighbours three.
        needed = max(1, len(grams) - 3 * max_edits)
        scored: list[tuple[int, int, str]] = []
        for index, shared in counts.items():
            if shared < needed:
                continue
            if swaps_only and not is_swap(word, self._words[index]):
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
