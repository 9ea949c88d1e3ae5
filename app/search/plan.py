"""Turn parsed clauses into index terms: analysis per language, stop words, typos, prefixes.

The plan names only terms the vocabulary holds, so the engine never asks the index for
something it cannot have, and corrections are decided here once.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from itertools import zip_longest

from app.models import Correction
from app.search.analysis import (
    COMPOUND_LANGUAGES,
    Token,
    TokenKind,
    distinct,
    part_term,
    stem,
    token_terms,
    tokenize,
)
from app.search.index import Snapshot
from app.search.query import Clause, ClauseKind
from app.search.settings import DEFAULT_SEARCH_SETTINGS, SearchSettings
from app.search.stopwords import is_question_word, is_stop_word
from app.search.typos import allowed_edits, is_identifier, swap_only

MAX_PREFIX_EXPANSIONS = 24
MAX_PREFIX_SCAN = 4000
MAX_PHRASE_TERMS = 12
STOP_WORD_WEIGHT = 0.35
QUESTION_WORD_WEIGHT = 0.6
COMPOUND_WEIGHT = 0.5
# A word found only as the tail of a compound counts for less than the word itself.
COMPOUND_PART_WEIGHT = 0.6
# A synonym (search settings) matches a little below the word the user typed.
SYNONYM_WEIGHT = 0.85
# Bounded work whatever the input: a 500-character CJK run or a-b-c-...-z chain stops here.
MAX_UNITS = 24
MAX_CORRECTIONS = 4
MAX_STEM_EXPANSIONS = 4
# Agglutinative languages: one stem takes chains of suffixes (Turkish, Finnish, Hungarian,
# Estonian), so a word missing from the index may begin words it holds.
SUFFIXING = frozenset({"tr", "fi", "hu", "et"})
MIN_SUFFIXED_STEM = 4
# Documents of a term looked at to tell the language it is written in.
LANGUAGE_SAMPLE = 64
# Languages that write particles onto the front of words (Arabic "و", "ال", "ب").
CLITIC_LANGUAGES = frozenset({"ar"})


@dataclass
class Unit:
    """One query position: alternative index terms, any of which matches it."""

    terms: tuple[str, ...]
    label: str
    required: bool = True
    heading_only: bool = False
    weight: float = 1.0
    stop_word: bool = False
    # Compound tails that match too, scored at COMPOUND_PART_WEIGHT ('virus' in 'Coronavirus').
    parts: tuple[str, ...] = ()
    # Synonyms of the word (search settings), scored at SYNONYM_WEIGHT.
    synonyms: tuple[str, ...] = ()


@dataclass
class Phrase:
    """Consecutive terms that must appear in this order (per article language)."""

    variants: dict[str, tuple[str, ...]]
    units: list[Unit]


Requirement = Unit | Phrase


@dataclass
class Plan:
    """What to match, what to score, what to exclude, and what was corrected."""

    scoring: list[Unit] = field(default_factory=list)
    required: list[Requirement] = field(default_factory=list)
    excluded: list[Requirement] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)


class _Planner:
    def __init__(
        self, snapshot: Snapshot, languages: frozenset[str], settings: SearchSettings
    ) -> None:
        self.snapshot = snapshot
        self.settings = settings
        self.languages = sorted(languages)
        self.language_set = languages
        self.compounding = bool(languages & COMPOUND_LANGUAGES)
        self.plan = Plan()

    def known(self, terms: list[str]) -> tuple[str, ...]:
        snapshot = self.snapshot
        return tuple(term for term in distinct(terms) if snapshot.has_term(term))

    def token_units(
        self, token: Token, *, correct: bool, expand: bool = False
    ) -> tuple[list[Unit], list[Unit]]:
        """Units for the positions of one token, and optional units for its extras; with
        `expand`, each position's synonyms too."""
        per_language = [token_terms(token, language) for language in self.languages]
        parts = token.text.replace("'", "").split("-") if token.kind is TokenKind.WORD else []
        positions = zip_longest(*(terms.stream for terms in per_language))
        units: list[Unit] = []
        for index, alternatives in enumerate(positions):
            candidates = [term for term in alternatives if term]
            surface = parts[index] if index < len(parts) else (candidates[0] if candidates else "")
            stop = token.kind is TokenKind.WORD and (
                is_stop_word(surface, self.language_set)
                or self.settings.is_stop_word(surface, self.languages)
            )
            terms = self.known(candidates)
            tails: tuple[str, ...] = ()
            if self.compounding and not stop and token.kind is TokenKind.WORD:
                tails = self.known([part_term(term) for term in candidates])
            synonyms = self.synonyms(alternatives, terms) if expand and not stop else ()
            # A word whose synonym the index holds is no typo: it is searched as it is.
            if (
                not terms
                and not tails
                and not synonyms
                and correct
                and not stop
                and token.kind is TokenKind.WORD
            ):
                terms = self.correct(surface)
            units.append(Unit(terms, surface, stop_word=stop, parts=tails, synonyms=synonyms))
        extras: list[Unit] = []
        if token.kind is not TokenKind.CJK:
            extra_terms = self.known([t for terms in per_language for t in terms.extras])
            if extra_terms:
                extras.append(Unit(extra_terms, token.text, required=False, weight=COMPOUND_WEIGHT))
        return units, extras

    def synonyms(
        self, alternatives: tuple[str | None, ...], terms: tuple[str, ...]
    ) -> tuple[str, ...]:
        """Indexed synonyms of one query position (its term in each language), but the
        position's own terms."""
        found: list[str] = []
        for language, term in zip(self.languages, alternatives, strict=True):
            if term:
                found.extend(self.settings.expansions(language).get(term, ()))
        return tuple(t for t in self.known(found) if t not in terms)

    def correct(self, surface: str) -> tuple[str, ...]:
        """Nearest indexed words to a word the index does not know ('did you mean'): an
        identifier also by what it starts ('a320' finds 'a320neo')."""
        rules = self.settings.typos
        if not rules.enabled or len(self.plan.corrections) >= MAX_CORRECTIONS:
            # Off means off: no edits, nor the stems and completions a correction reports
            return ()
        swaps = swap_only(surface, rules)
        edits = allowed_edits(surface, rules)
        suffixing = bool(self.language_set & SUFFIXING) and len(surface) >= MIN_SUFFIXED_STEM
        if not edits and not swaps and not suffixing:
            return ()
        terms: tuple[str, ...] = ()
        if is_identifier(surface) and edits:
            terms = self.terms_starting_with(surface)
        typos = self.snapshot.typo_index()
        if not terms:
            terms = tuple(typos.nearest(surface, edits, swaps_only=swaps))
        clitic_languages = [lang for lang in self.languages if lang in CLITIC_LANGUAGES]
        for stemmed in distinct([stem(surface, language) for language in clitic_languages]):
            if terms or stemmed == surface:
                continue
            # The word's stem against indexed stems: a word read with a clitic ("and the")
            # is far from the query's word but near its stem.
            terms = tuple(
                typos.nearest(
                    stemmed,
                    allowed_edits(stemmed, rules),
                    swaps_only=swap_only(stemmed, rules),
                    stems=True,
                )
            )
        if not terms and self.language_set & SUFFIXING and len(surface) >= MIN_SUFFIXED_STEM:
            # Languages that build words by adding suffixes ("litre" -> "litrelik"): a word
            # the index lacks may be the stem of words it holds, in their articles only
            # (an English "mars" is not the stem of "marsh").
            terms = tuple(
                term
                for term in self.terms_starting_with(surface)
                if self.written_in(term, SUFFIXING)
            )
        if terms:
            best = terms[0]
            shown = self.snapshot.surfaces.get(best, best)
            self.plan.corrections.append(Correction(original=surface, corrected=shown))
        return terms

    def written_in(self, term: str, languages: frozenset[str]) -> bool:
        """Most of the documents holding the term are in articles of these languages."""
        snapshot = self.snapshot
        docs = snapshot.term_postings(term, heading_only=False).docs[:LANGUAGE_SAMPLE]
        if not len(docs):
            return False
        articles = snapshot.article_of[docs].tolist()
        inside = sum(1 for article in articles if snapshot.article_language(article) in languages)
        return 2 * inside > len(articles)

    def terms_starting_with(self, surface: str) -> tuple[str, ...]:
        """Indexed terms that extend this word ('rtx40' -> 'rtx4090', 'litre' ->
        'litrelik'), most frequent first."""
        ordered = self.snapshot.sorted_terms()
        start = bisect.bisect_left(ordered, surface)
        found = []
        for term in ordered[start : start + MAX_PREFIX_SCAN]:
            if not term.startswith(surface):
                break
            if term != surface and self.snapshot.has_term(term):
                found.append(term)
        found.sort(key=self.snapshot.document_frequency, reverse=True)
        return tuple(found[:MAX_STEM_EXPANSIONS])

    def prefix_unit(self, prefix: str) -> Unit:
        ordered = self.snapshot.sorted_terms()
        start = bisect.bisect_left(ordered, prefix)
        matches: list[str] = []
        for term in ordered[start : start + MAX_PREFIX_SCAN]:
            if not term.startswith(prefix):
                break
            matches.append(term)
        matches.sort(key=self.snapshot.document_frequency, reverse=True)
        stems = [stem(prefix, language) for language in self.languages]
        terms = self.known([*matches[:MAX_PREFIX_EXPANSIONS], *stems])
        return Unit(terms, prefix)

    def word_clause(self, clause: Clause, *, negated: bool) -> None:
        tokens = list(tokenize(clause.text))
        prefix: str | None = None
        if clause.kind is ClauseKind.PREFIX and tokens and tokens[-1].kind is TokenKind.WORD:
            head, _, last = tokens[-1].text.replace("'", "").rpartition("-")
            prefix = last
            tokens = tokens[:-1] + list(tokenize(head))
        units: list[Unit] = []
        extras: list[Unit] = []
        for token in tokens:
            # Synonyms widen what a word finds; an exclusion leaves out the word itself only.
            token_units, token_extras = self.token_units(
                token, correct=not negated, expand=not negated
            )
            units.extend(token_units)
            extras.extend(token_extras)
        if prefix:
            units.append(self.prefix_unit(prefix))
        if negated:
            content = [u for u in units if not u.stop_word] or units
            if len(content) == 1:
                self.plan.excluded.append(content[0])
            elif content:
                self.plan.excluded.append(self.phrase_of(tokens, content))
            return
        self.plan.scoring.extend(units + extras)
        self.plan.required.extend(units)

    def phrase_of(self, tokens: list[Token], units: list[Unit]) -> Phrase:
        variants: dict[str, tuple[str, ...]] = {}
        for language in self.languages:
            stream: list[str] = []
            for token in tokens:
                stream.extend(token_terms(token, language).stream)
            variants[language] = tuple(stream[:MAX_PHRASE_TERMS])
        return Phrase(variants, units)

    def phrase_clause(self, clause: Clause) -> None:
        tokens = list(tokenize(clause.text))
        units: list[Unit] = []
        for token in tokens:
            units.extend(self.token_units(token, correct=False)[0])
        units = units[:MAX_PHRASE_TERMS]
        if not units:
            return
        if clause.negated:
            requirement: Requirement = (
                units[0] if len(units) == 1 else self.phrase_of(tokens, units)
            )
            self.plan.excluded.append(requirement)
            return
        if len(units) == 1:
            self.plan.scoring.append(units[0])
            self.plan.required.append(units[0])
            return
        for unit in units:
            unit.required = False
        self.plan.scoring.extend(units)
        self.plan.required.append(self.phrase_of(tokens, units))

    def finish(self) -> Plan:
        """Stop words only score on headings, unless the query has nothing else."""
        plan = self.plan
        plan.scoring = plan.scoring[:MAX_UNITS]
        kept = {id(unit) for unit in plan.scoring}
        plan.required = [
            r for r in plan.required[:MAX_UNITS] if isinstance(r, Phrase) or id(r) in kept
        ]
        plan.excluded = plan.excluded[:MAX_UNITS]
        has_content = any(not (isinstance(r, Unit) and r.stop_word) for r in plan.required)
        if has_content:
            plan.required = [r for r in plan.required if not (isinstance(r, Unit) and r.stop_word)]
            for unit in plan.scoring:
                if unit.stop_word:
                    unit.required = False
                    unit.heading_only = True
                    unit.weight = (
                        QUESTION_WORD_WEIGHT if is_question_word(unit.label) else STOP_WORD_WEIGHT
                    )
        return plan


def build_plan(
    clauses: list[Clause],
    snapshot: Snapshot,
    languages: frozenset[str],
    settings: SearchSettings = DEFAULT_SEARCH_SETTINGS,
) -> Plan:
    """Resolve every clause against the vocabulary of `snapshot`."""
    planner = _Planner(snapshot, languages, settings)
    for clause in clauses:
        if clause.kind is ClauseKind.PHRASE:
            planner.phrase_clause(clause)
        else:
            planner.word_clause(clause, negated=clause.negated)
    return planner.finish()
