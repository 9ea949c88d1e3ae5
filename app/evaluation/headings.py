"""Score section-heading detection against a hand-checked ground truth.

Usage: python -m app.evaluation.headings [CORPUS_DIR]  (default ../shared/corpus)
Reports per-file and overall precision, recall and F1 of section headings, the same for
question headings, and trap hits (heading-like lines that must not become sections).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from app.evaluation import SHARED_CORPUS
from app.parsing import parse_article

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'}
)


def normalize_heading(text: str) -> str:
    """NFKC, straight quotes, one space, case-folded: how headings are compared."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).replace("⍽", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Counts:
    true_positives: int
    predicted: int
    expected: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.true_positives + other.true_positives,
            self.predicted + other.predicted,
            self.expected + other.expected,
        )


@dataclass(frozen=True)
class FileScore:
    file: str
    sections: Counts
    questions: Counts
    trap_hits: list[str]
    title_ok: bool | None


def _match(predicted: list[str], expected: list[str]) -> Counts:
    overlap = Counter(predicted) & Counter(expected)
    return Counts(sum(overlap.values()), len(predicted), len(expected))


def score_file(path: Path, truth: dict[str, object]) -> FileScore:
    article = parse_article(path.read_bytes(), source=path.name).article
    expected = truth["sections"]
    traps = truth.get("not_section_heading_like", [])
    assert isinstance(expected, list) and isinstance(traps, list)
    predicted = [normalize_heading(s.heading) for s in article.sections]
    wanted = [normalize_heading(str(s["text"])) for s in expected]
    predicted_questions = [normalize_heading(s.heading) for s in article.sections if s.is_question]
    wanted_questions = [normalize_heading(str(s["text"])) for s in expected if s["question"]]
    made = set(predicted)
    hits = sorted(
        {str(t["text"]) for t in traps if normalize_heading(str(t["text"])) in made}
        - {str(s["text"]) for s in expected}
    )
    title = truth.get("title")
    title_ok = (
        normalize_heading(article.title) == normalize_heading(str(title["text"]))
        if isinstance(title, dict)
        else None
    )
    return FileScore(
        path.name,
        _match(predicted, wanted),
        _match(predicted_questions, wanted_questions),
        hits,
        title_ok,
    )


def score_corpus(corpus: Path) -> list[FileScore]:
    truth = json.loads((corpus / "ground_truth.json").read_text(encoding="utf-8"))
    return [score_file(corpus / "files" / name, entry) for name, entry in sorted(truth.items())]


def overall(scores: list[FileScore]) -> tuple[Counts, Counts, int]:
    sections = sum((s.sections for s in scores), Counts(0, 0, 0))
    questions = sum((s.questions for s in scores), Counts(0, 0, 0))
    return sections, questions, sum(len(s.trap_hits) for s in scores)


def render(scores: list[FileScore]) -> str:
    lines = [f"{'file':<45} {'P':>5} {'R':>5} {'F1':>5}  {'qF1':>5}  traps  title"]
    for s in scores:
        title = {True: "ok", False: "WRONG", None: "-"}[s.title_ok]
        lines.append(
            f"{s.file:<45} {s.sections.precision:5.2f} {s.sections.recall:5.2f} "
            f"{s.sections.f1:5.2f}  {s.questions.f1:5.2f}  {len(s.trap_hits):>5}  {title}"
        )
        lines.extend(f"    trap hit: {hit}" for hit in s.trap_hits)
    sections, questions, traps = overall(scores)
    lines.append(
        f"{'overall (micro)':<45} {sections.precision:5.2f} {sections.recall:5.2f} "
        f"{sections.f1:5.2f}  {questions.f1:5.2f}  {traps:>5}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("corpus", nargs="?", type=Path, default=SHARED_CORPUS)
    args = parser.parse_args(argv)
    if not (args.corpus / "ground_truth.json").is_file():
        print(f"no ground_truth.json under {args.corpus}", file=sys.stderr)
        return 2
    print(render(score_corpus(args.corpus)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
