"""The user's query language: plain words, "exact phrase", -exclude, prefix*; the rest is literal.

Parsing never fails: every string becomes a (possibly empty) list of clauses, and the
length and number of clauses are capped so that any input means bounded work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 12

_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»＂〝〞", '"'))
_CHUNK_RE = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)"?|(?P<bare>[^\s"]+)')


class ClauseKind(Enum):
    WORD = "word"
    PHRASE = "phrase"
    PREFIX = "prefix"


@dataclass(frozen=True, slots=True)
class Clause:
    """One unit of the query: its kind, its text (without operators) and whether it excludes."""

    kind: ClauseKind
    text: str
    negated: bool = False


def _bare_clause(chunk: str) -> Clause | None:
    negated = len(chunk) > 1 and chunk[0] == "-" and chunk[1] not in "-*"
    body = chunk[1:] if negated else chunk
    if len(body) > 1 and body.endswith("*") and body.rstrip("*"):
        return Clause(ClauseKind.PREFIX, body.rstrip("*"), negated)
    body = body.strip("*") if body.strip("*") else body
    return Clause(ClauseKind.WORD, body, negated) if body else None


def parse_query(raw: str) -> list[Clause]:
    """Split a raw query into clauses; operators that make no sense are taken literally."""
    text = raw[:MAX_QUERY_CHARS].translate(_QUOTES)
    clauses: list[Clause] = []
    for match in _CHUNK_RE.finditer(text):
        if len(clauses) >= MAX_CLAUSES:
            break
        phrase = match.group("phrase")
        if phrase is not None:
            if phrase.strip():
                clauses.append(Clause(ClauseKind.PHRASE, phrase.strip(), bool(match["neg"])))
            continue
        clause = _bare_clause(match.group("bare"))
        if clause is not None:
            clauses.append(clause)
    return clauses
