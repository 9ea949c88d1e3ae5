"""Search relevance harness: judged queries in, MRR@10, recall@1/3 and nDCG@10 out, per
query set, kind and language.

Judgements name a section by (source file, heading text), so they survive slug changes and
work with whatever the parser returns; headings match as the corpus-extra README says judges
match them (normalised text, or a similarity ratio of 0.9), and where a heading repeats, its
parent heading must match too. Run `python -m tools.evaluation.relevance` to print a report;
tests/test_search_relevance.py holds the thresholds.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from app.errors import ArticleQAError
from app.models import Article, SearchHit, Section
from app.parsing.body_markdown import markdown_of_plain
from app.search.confidence import ANSWER_THRESHOLD
from app.search.request import SearchRequest
from app.store.base import Store
from tools.evaluation import REPO, SHARED_CORPUS, SHARED_CORPUS_EXTRA
from tools.evaluation.queries import KINDS, Judgement, RelevanceQuery, load_queries

SEED_DIR = REPO / "data" / "articles"
# Small articles written for the harness, in languages the seed and corpus lack.
FIXTURE_DIR = REPO / "tests" / "relevance" / "fixtures"
CORPUS_DIR = SHARED_CORPUS / "files"
EXTRA_CORPUS_DIR = SHARED_CORPUS_EXTRA / "files"
_PREFIX_MATCH_MIN = 25
_FUZZY_MATCH_MIN = 0.9
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"'})


@dataclass(frozen=True, slots=True)
class QueryOutcome:
    query: RelevanceQuery
    rank: int | None  # 1-based rank of the first relevant hit within the top 10
    gains: tuple[int, ...]  # 1 where the hit at that rank is relevant
    returned: tuple[tuple[str, str | None], ...]
    total: int
    confidences: tuple[float, ...] = ()  # of the hits returned, in order
    scores: tuple[float, ...] = ()


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def _silent(outcome: QueryOutcome) -> bool:
    return all(value < ANSWER_THRESHOLD for value in outcome.confidences)


def _reciprocal_rank(outcome: QueryOutcome) -> float:
    return 1.0 / outcome.rank if outcome.rank else 0.0


@dataclass
class RelevanceReport:
    outcomes: list[QueryOutcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def answerable(self) -> list[QueryOutcome]:
        return [o for o in self.outcomes if o.query.relevant]

    @property
    def no_answer(self) -> list[QueryOutcome]:
        return [o for o in self.outcomes if not o.query.relevant]

    def part(
        self, *, kind: str | None = None, language: str | None = None, origin: str | None = None
    ) -> RelevanceReport:
        """The report of the queries of one kind, language or set."""

        def keep(query: RelevanceQuery) -> bool:
            return (
                kind in (None, query.kind)
                and language in (None, query.language)
                and origin in (None, query.origin)
            )

        return RelevanceReport([o for o in self.outcomes if keep(o.query)], self.skipped)

    @property
    def mrr_at_10(self) -> float:
        return _mean(_reciprocal_rank(o) for o in self.answerable)

    def recall_at(self, k: int) -> float:
        return _mean(1.0 if o.rank and o.rank <= k else 0.0 for o in self.answerable)

    @property
    def ndcg_at_10(self) -> float:
        def ndcg(outcome: QueryOutcome) -> float:
            dcg = sum(g / math.log2(i + 2) for i, g in enumerate(outcome.gains))
            ideal_count = min(len(outcome.query.relevant), 10)
            ideal = sum(1 / math.log2(i + 2) for i in range(ideal_count))
            return dcg / ideal if ideal else 0.0

        return _mean(ndcg(o) for o in self.answerable)

    @property
    def no_answer_rate(self) -> float:
        """Share of no-answer queries that returned nothing, or only hits under the answer
        threshold of confidence."""
        return _mean(1.0 if _silent(o) else 0.0 for o in self.no_answer)

    @property
    def answered_rate(self) -> float:
        """Share of answerable queries whose first relevant hit is at or above the answer
        threshold of confidence (a chatbot would give that answer)."""
        return _mean(
            1.0 if o.rank and o.confidences[o.rank - 1] >= ANSWER_THRESHOLD else 0.0
            for o in self.answerable
        )

    def by_kind(self) -> dict[str, RelevanceReport]:
        parts = {kind: self.part(kind=kind) for kind in KINDS}
        return {kind: part for kind, part in parts.items() if part.outcomes}

    def by_language(self) -> dict[str, RelevanceReport]:
        languages = sorted({o.query.language for o in self.outcomes})
        return {language: self.part(language=language) for language in languages}

    def summary(self, *, misses: bool = True) -> str:
        lines = [
            f"queries: {len(self.answerable)} answerable, {len(self.no_answer)} no-answer,"
            f" {len(self.skipped)} skipped",
            f"MRR@10 {self.mrr_at_10:.3f}  recall@1 {self.recall_at(1):.3f}"
            f"  recall@3 {self.recall_at(3):.3f}  nDCG@10 {self.ndcg_at_10:.3f}"
            f"  no-answer silent {self.no_answer_rate:.2f}"
            f"  answered {self.answered_rate:.2f}",
        ]
        for title, parts in (("kind", self.by_kind()), ("language", self.by_language())):
            for name, part in parts.items():
                lines.append(f"  {title} {name:12} {part.line()}")
        if misses:
            lines.extend(self._misses())
        return "\n".join(lines)

    def line(self) -> str:
        """The figures of this report on one line."""
        if not self.answerable:
            return f"n={len(self.no_answer):3}  no-answer silent {self.no_answer_rate:.2f}"
        return (
            f"n={len(self.answerable):3}  MRR@10 {self.mrr_at_10:.3f}"
            f"  recall@3 {self.recall_at(3):.3f}"
        )

    def _misses(self) -> list[str]:
        lines = []
        for outcome in self.outcomes:
            missed = outcome.query.relevant and outcome.rank != 1
            wrong = not outcome.query.relevant and not _silent(outcome)
            if missed or wrong:
                top = outcome.returned[0] if outcome.returned else None
                lines.append(
                    f"  [{outcome.query.id} {outcome.query.kind} {outcome.query.language}]"
                    f" {outcome.query.query!r}: rank {outcome.rank}, total {outcome.total},"
                    f" top {top}"
                )
        return lines


def article_from_sections(
    *,
    title: str,
    sections: Sequence[tuple[str, str]],
    lead: str = "",
    slug: str | None = None,
    language: str = "en",
    source: str | None = None,
    content_hash: str | None = None,
) -> Article:
    """Build an Article by hand from (heading, body) pairs (synthetic corpora and tests)."""
    from slugify import slugify

    article_slug = slug or slugify(title)
    built: list[Section] = []
    for position, (heading, body) in enumerate(sections, 1):
        section_slug = slugify(heading) or f"section-{position}"
        built.append(
            Section(
                slug=section_slug,
                article_slug=article_slug,
                position=position,
                heading=heading,
                is_question=heading.rstrip().endswith("?"),
                level=1,
                parent_slug=None,
                body=body,
                body_markdown=markdown_of_plain(body),
                word_count=len(body.split()),
                url=f"/articles/{article_slug}/sections/{section_slug}",
            )
        )
    text = "\n".join([title, lead, *(f"{h}\n{b}" for h, b in sections)])
    return Article(
        slug=article_slug,
        title=title,
        lead=lead,
        lead_markdown=markdown_of_plain(lead),
        language=language,
        source=source or f"{article_slug}.txt",
        format="text",
        reading_time_minutes=None,
        word_count=len(text.split()),
        content_hash=content_hash or hashlib.sha256(text.encode()).hexdigest(),
        sections=built,
        dropped=[],
    )


def normalise_heading(text: str) -> str:
    """Compare headings the way a reader would: Unicode forms, quotes, spacing and case do
    not matter."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split()).casefold()


def heading_matches(judged: str | None, returned: str | None) -> bool:
    """The lead matches the lead; a heading matches the same text, a long heading the
    longer one it starts, or text at least 90% alike."""
    if judged is None or returned is None:
        return judged is None and returned is None
    wanted, got = normalise_heading(judged), normalise_heading(returned)
    if got == wanted or (len(wanted) >= _PREFIX_MATCH_MIN and got.startswith(wanted)):
        return True
    return SequenceMatcher(None, wanted, got).ratio() >= _FUZZY_MATCH_MIN


@dataclass
class _Parents:
    """Parent headings of sections, read from the store once per article."""

    store: Store
    known: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def of(self, hit: SearchHit) -> str | None:
        if hit.section_slug is None:
            return None
        if hit.article_slug not in self.known:
            article = self.store.get_article(hit.article_slug)
            headings = {s.slug: s.heading for s in article.sections}
            self.known[hit.article_slug] = {
                s.slug: headings.get(s.parent_slug) if s.parent_slug else None
                for s in article.sections
            }
        return self.known[hit.article_slug].get(hit.section_slug)


def _relevant(judgement: Judgement, source: str, hit: SearchHit, parents: _Parents) -> bool:
    if judgement.source != source or not heading_matches(judgement.heading, hit.heading):
        return False
    return judgement.parent is None or heading_matches(judgement.parent, parents.of(hit))


def evaluate(store: Store, queries: Sequence[RelevanceQuery]) -> RelevanceReport:
    """Run every query whose judged sources are in the store."""
    sources = {slug: source for source, (slug, _) in store.source_hashes().items()}
    available = set(sources.values())
    parents = _Parents(store)
    report = RelevanceReport()
    for query in queries:
        if query.relevant and not any(j.source in available for j in query.relevant):
            report.skipped.append(query.id)
            continue
        try:
            results = store.search(SearchRequest(query=query.query, limit=10))
        except ArticleQAError:  # a query the search refuses finds nothing
            report.outcomes.append(QueryOutcome(query, None, (), (), 0))
            continue
        found = [(sources.get(hit.article_slug, "?"), hit) for hit in results.hits]
        gains = tuple(
            int(any(_relevant(j, source, hit, parents) for j in query.relevant))
            for source, hit in found
        )
        rank = next((i + 1 for i, gain in enumerate(gains) if gain), None)
        returned = tuple((source, hit.heading) for source, hit in found)
        sure = tuple(hit.confidence for hit in results.hits)
        scores = tuple(hit.score for hit in results.hits)
        report.outcomes.append(
            QueryOutcome(query, rank, gains, returned, results.total, sure, scores)
        )
    return report


def source_files(
    *,
    seed_dir: Path = SEED_DIR,
    fixture_dir: Path = FIXTURE_DIR,
    corpus_dirs: Sequence[Path] = (CORPUS_DIR, EXTRA_CORPUS_DIR),
) -> list[Path]:
    """The seed articles and the harness fixtures, plus the shared corpora where they exist."""
    files = sorted(p for p in seed_dir.glob("*") if p.is_file())
    files += sorted(p for p in fixture_dir.glob("*.txt") if p.is_file())
    for corpus_dir in corpus_dirs:
        if corpus_dir.is_dir():
            files += sorted(p for p in corpus_dir.glob("*") if p.is_file())
    return files


def load_store(files: Iterable[Path], store: Store) -> list[str]:
    """Parse and store each file; returns the files the parser could not handle, with why."""
    from app.parsing import parse_article

    problems: list[str] = []
    for path in files:
        try:
            article = parse_article(path.read_bytes(), source=path.name).article
            store.upsert_article(article)
        except Exception as error:  # any parser gap skips that file's queries, visibly
            problems.append(f"{path.name}: {type(error).__name__}: {error}")
    return problems


def main(argv: list[str] | None = None) -> None:
    from app.store import open_store

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list every query not ranked 1")
    parser.add_argument(
        "--db",
        default=":memory:",
        help="store to load and search: a SQLite file, a postgresql:// URL of an empty"
        " database, or :memory: (default, a private SQLite store)",
    )
    args = parser.parse_args(argv)
    store = open_store(args.db)
    try:
        for problem in load_store(source_files(), store):
            print(f"not indexed: {problem}")
        report = evaluate(store, load_queries())
        for origin in ("ours", "corpus-extra"):
            part = report.part(origin=origin)
            print(f"== {origin}\n{part.summary(misses=False)}\n")
        print(f"== all\n{report.summary(misses=args.misses)}")
    finally:
        store.close()


if __name__ == "__main__":
    main()
