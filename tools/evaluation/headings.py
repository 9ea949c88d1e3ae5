"""Score section-heading detection against a hand-checked ground truth.

Usage: python -m tools.evaluation.headings [CORPUS_DIR ...]
(default: ../shared/corpus and ../shared/corpus-extra)

Reports, per file, per corpus and over all of them: precision, recall and F1 of section
headings (micro: over all headings; macro: the mean of the files' F1), the same for question
headings, trap hits (heading-like lines that must not become sections) and wrong titles.
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

from app.parsing import parse_article
from tools.evaluation import SHARED_CORPUS, SHARED_CORPUS_EXTRA

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


def macro_f1(scores: list[FileScore]) -> float:
    """The mean of the files' section-heading F1: each page counts once, long or short."""
    return sum(s.sections.f1 for s in scores) / len(scores) if scores else 1.0


def render(scores: list[FileScore], *, label: str = "overall") -> str:
    lines = [f"{'file':<48} {'P':>5} {'R':>5} {'F1':>5}  {'qF1':>5}  traps  title"]
    for s in scores:
        title = {True: "ok", False: "WRONG", None: "-"}[s.title_ok]
        lines.append(
            f"{s.file:<48} {s.sections.precision:5.2f} {s.sections.recall:5.2f} "
            f"{s.sections.f1:5.2f}  {s.questions.f1:5.2f}  {len(s.trap_hits):>5}  {title}"
        )
        lines.extend(f"    trap hit: {hit}" for hit in s.trap_hits)
    lines.append(summary_line(scores, label=label))
    return "\n".join(lines)


def summary_line(scores: list[FileScore], *, label: str) -> str:
    sections, questions, traps = overall(scores)
    wrong_titles = sum(s.title_ok is False for s in scores)
    return (
        f"{label + ' (micro)':<48} {sections.precision:5.2f} {sections.recall:5.2f} "
        f"{sections.f1:5.3f}  {questions.f1:5.3f}  {traps:>5}  {wrong_titles} wrong\n"
        f"{label + ' (macro F1, ' + str(len(scores)) + ' files)':<48} {'':>5} {'':>5} "
        f"{macro_f1(scores):5.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "corpora", nargs="*", type=Path, default=[SHARED_CORPUS, SHARED_CORPUS_EXTRA]
    )
    args = parser.parse_args(argv)
    missing = [c for c in args.corpora if not (c / "ground_truth.json").is_file()]
    if missing:
        print(f"no ground_truth.json under {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    every: list[FileScore] = []
    for corpus in args.corpora:
        scores = score_corpus(corpus)
        every += scores
        print(f"## {corpus.name}\n{render(scores, label=corpus.name)}\n")
    if len(args.corpora) > 1:
        print(summary_line(every, label="all"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
