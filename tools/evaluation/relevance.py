"""Search relevance harness: judged queries in, MRR@10, recall@1/3 and nDCG@10 out.

Judgements name a section by (source file, heading text), so they survive slug changes and
work with whatever the parser returns. Run `python -m tools.evaluation.relevance` to print a
report; tests/test_search_relevance.py holds the thresholds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.models import Article, Section
from app.search.request import SearchRequest
from app.store.base import Store
from tools.evaluation import REPO, SHARED_CORPUS

QUERIES = REPO / "tests" / "relevance" / "queries.json"
SEED_DIR = REPO / "data" / "articles"
# Small articles written for the harness, in languages the seed and corpus lack.
FIXTURE_DIR = REPO / "tests" / "relevance" / "fixtures"
CORPUS_DIR = SHARED_CORPUS / "files"
_PREFIX_MATCH_MIN = 25


@dataclass(frozen=True, slots=True)
class Judgement:
    source: str
    heading: str


@dataclass(frozen=True, slots=True)
class RelevanceQuery:
    id: str
    kind: str
    query: str
    relevant: tuple[Judgement, ...]


@dataclass(frozen=True, slots=True)
class QueryOutcome:
    query: RelevanceQuery
    rank: int | None  # 1-based rank of the first relevant hit within the top 10
    gains: tuple[int, ...]  # 1 where the hit at that rank is relevant
    returned: tuple[tuple[str, str | None], ...]
    total: int


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

    def _mean(self, values: Iterable[float]) -> float:
        items = list(values)
        return sum(items) / len(items) if items else 0.0

    @property
    def mrr_at_10(self) -> float:
        return self._mean(1.0 / o.rank if o.rank else 0.0 for o in self.answerable)

    def recall_at(self, k: int) -> float:
        return self._mean(1.0 if o.rank and o.rank <= k else 0.0 for o in self.answerable)

    @property
    def ndcg_at_10(self) -> float:
        def ndcg(outcome: QueryOutcome) -> float:
            dcg = sum(g / math.log2(i + 2) for i, g in enumerate(outcome.gains))
            ideal_count = min(len(outcome.query.relevant), 10)
            ideal = sum(1 / math.log2(i + 2) for i in range(ideal_count))
            return dcg / ideal if ideal else 0.0

        return self._mean(ndcg(o) for o in self.answerable)

    @property
    def no_answer_rate(self) -> float:
        """Share of no-answer queries that returned nothing."""
        return self._mean(1.0 if o.total == 0 else 0.0 for o in self.no_answer)

    def summary(self) -> str:
        lines = [
            f"queries: {len(self.answerable)} answerable, {len(self.no_answer)} no-answer,"
            f" {len(self.skipped)} skipped",
            f"MRR@10 {self.mrr_at_10:.3f}  recall@1 {self.recall_at(1):.3f}"
            f"  recall@3 {self.recall_at(3):.3f}  nDCG@10 {self.ndcg_at_10:.3f}"
            f"  no-answer empty {self.no_answer_rate:.2f}",
        ]
        kinds = sorted({o.query.kind for o in self.answerable})
        for kind in kinds:
            chosen = [o for o in self.answerable if o.query.kind == kind]
            mrr = sum(1.0 / o.rank if o.rank else 0.0 for o in chosen) / len(chosen)
            lines.append(f"  {kind:16} n={len(chosen):3}  MRR@10 {mrr:.3f}")
        for outcome in self.outcomes:
            missed = outcome.query.relevant and outcome.rank != 1
            wrong = not outcome.query.relevant and outcome.total
            if missed or wrong:
                top = outcome.returned[0] if outcome.returned else None
                lines.append(
                    f"  [{outcome.query.id} {outcome.query.kind}] {outcome.query.query!r}:"
                    f" rank {outcome.rank}, total {outcome.total}, top {top}"
                )
        return "\n".join(lines)


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
                word_count=len(body.split()),
                url=f"/articles/{article_slug}/sections/{section_slug}",
            )
        )
    text = "\n".join([title, lead, *(f"{h}\n{b}" for h, b in sections)])
    return Article(
        slug=article_slug,
        title=title,
        lead=lead,
        language=language,
        source=source or f"{article_slug}.txt",
        format="text",
        reading_time_minutes=None,
        word_count=len(text.split()),
        content_hash=content_hash or hashlib.sha256(text.encode()).hexdigest(),
        sections=built,
        dropped=[],
    )


def load_queries(path: Path = QUERIES) -> list[RelevanceQuery]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        RelevanceQuery(
            id=item["id"],
            kind=item["kind"],
            query=item["query"],
            relevant=tuple(Judgement(r["source"], r["heading"]) for r in item["relevant"]),
        )
        for item in data["queries"]
    ]


def normalise_heading(text: str) -> str:
    """Compare headings the way a reader would: spacing and NBSP do not matter."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().casefold()


def heading_matches(judged: str, returned: str | None) -> bool:
    if returned is None:
        return False
    wanted, got = normalise_heading(judged), normalise_heading(returned)
    return got == wanted or (len(wanted) >= _PREFIX_MATCH_MIN and got.startswith(wanted))


def evaluate(store: Store, queries: Sequence[RelevanceQuery]) -> RelevanceReport:
    """Run every query whose judged sources are in the store."""
    sources = {slug: source for source, (slug, _) in store.source_hashes().items()}
    available = set(sources.values())
    report = RelevanceReport()
    for query in queries:
        if query.relevant and not any(j.source in available for j in query.relevant):
            report.skipped.append(query.id)
            continue
        results = store.search(SearchRequest(query=query.query, limit=10))
        returned = tuple((sources.get(h.article_slug, "?"), h.heading) for h in results.hits)
        gains = tuple(
            int(any(j.source == src and heading_matches(j.heading, head) for j in query.relevant))
            for src, head in returned
        )
        rank = next((i + 1 for i, gain in enumerate(gains) if gain), None)
        report.outcomes.append(QueryOutcome(query, rank, gains, returned, results.total))
    return report


def source_files(
    *, seed_dir: Path = SEED_DIR, corpus_dir: Path = CORPUS_DIR, fixture_dir: Path = FIXTURE_DIR
) -> list[Path]:
    """The seed articles and the harness fixtures, plus the shared corpus where it exists."""
    files = sorted(p for p in seed_dir.glob("*") if p.is_file())
    files += sorted(p for p in fixture_dir.glob("*.txt") if p.is_file())
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
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument(
        "--db",
        default=":memory:",
        help="store to load and search: a SQLite file, a postgresql:// URL of an empty"
        " database, or :memory: (default, a private SQLite store)",
    )
    args = parser.parse_args(argv)
    store = open_store(args.db)
    try:
        for problem in load_store(source_files(corpus_dir=args.corpus), store):
            print(f"not indexed: {problem}")
        print(evaluate(store, load_queries(args.queries)).summary())
    finally:
        store.close()


if __name__ == "__main__":
    main()
