"""The judged queries of the relevance harness, from two sets in one shape.

- `ours`: `tests/relevance/queries.json`, written with the search (seed, harness fixtures,
  `../shared/corpus`).
- `corpus-extra`: `../shared/corpus-extra/queries.jsonl`, written by others over the seed and
  both corpora (read its README), never tuned on one by one.

Every query has one of the kinds below and a language (ISO 639-1). A judgement names a
section by its source file and heading (None for the article's lead) and, where the heading
repeats in the article, by its parent heading too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from tools.evaluation import REPO, SHARED_CORPUS_EXTRA

Kind = Literal[
    "keyword", "paraphrase", "heading", "entity", "phrase", "non-english", "typo", "none"
]
KINDS: tuple[Kind, ...] = get_args(Kind)
QuerySet = Literal["ours", "corpus-extra"]

OUR_QUERIES = REPO / "tests" / "relevance" / "queries.json"
EXTRA_QUERIES = SHARED_CORPUS_EXTRA / "queries.jsonl"
SEED_SOURCE = "raisi-visit-pakistan.txt"
LEAD = "__lead__"

# The corpus-extra README's kind names, in our words.
_EXTRA_KINDS: dict[str, Kind] = {"multiword-phrase": "phrase"}


@dataclass(frozen=True, slots=True)
class Judgement:
    source: str
    heading: str | None  # None: the article's lead
    parent: str | None = None  # the heading above, where the path has two levels or more


@dataclass(frozen=True, slots=True)
class RelevanceQuery:
    id: str
    kind: Kind
    language: str
    query: str
    relevant: tuple[Judgement, ...]
    origin: QuerySet = "ours"


def load_queries(
    ours: Path = OUR_QUERIES, extra: Path | None = EXTRA_QUERIES
) -> list[RelevanceQuery]:
    """Our queries, then corpus-extra's where the file exists (`extra=None`: ours only)."""
    queries = load_our_queries(ours)
    if extra is not None and extra.is_file():
        queries += load_extra_queries(extra)
    return queries


def load_our_queries(path: Path = OUR_QUERIES) -> list[RelevanceQuery]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        RelevanceQuery(
            id=item["id"],
            kind=_kind(item["kind"]),
            language=item["language"],
            query=item["query"],
            relevant=tuple(
                Judgement(r["source"], r["heading"], r.get("parent")) for r in item["relevant"]
            ),
        )
        for item in data["queries"]
    ]


def load_extra_queries(path: Path = EXTRA_QUERIES) -> list[RelevanceQuery]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        source = SEED_SOURCE if item["file"] == "seed" else item["file"]
        relevant = tuple(_judgement(source, path) for path in item.get("relevant_paths") or [])
        queries.append(
            RelevanceQuery(
                id=f"x{item['id']}",
                kind=_kind(_EXTRA_KINDS.get(item["kind"], item["kind"])),
                language=item["lang"],
                query=item["query"],
                relevant=relevant,
                origin="corpus-extra",
            )
        )
    return queries


def _judgement(source: str, path: list[str]) -> Judgement:
    heading = None if path[-1] == LEAD else path[-1]
    return Judgement(source, heading, path[-2] if len(path) >= 2 else None)


def _kind(name: str) -> Kind:
    for kind in KINDS:
        if kind == name:
            return kind
    raise ValueError(f"unknown query kind {name!r}; kinds are {', '.join(KINDS)}")
