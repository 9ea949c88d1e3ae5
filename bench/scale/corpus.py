"""A deterministic corpus of question-headed Markdown articles whose words are drawn with a
Zipf distribution over the real English words of /usr/share/dict/words (Debian: wamerican).

Each article is `# Title`, a lead paragraph, then about five `## Question?` sections of about
100 words: the shape app/parsing reads as a title, a lead and question headings. The corpus
is written once per (sections, seed, word list) into the cache folder and reused; the queries
of each class are drawn from it at the same time and kept in its manifest.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

WORDS_FILE = Path("/usr/share/dict/words")
# Part of a cached corpus's key: bump it whenever the generated text changes.
CORPUS_VERSION = 1
ZIPF_EXPONENT = 1.05
SECTIONS_PER_ARTICLE = (4, 6)
SECTION_WORDS = (80, 120)
LEAD_WORDS = (30, 50)
FILES_PER_FOLDER = 1000
QUERIES_PER_CLASS = 1000
COLD_WORDS = 100
# The common-word queries use the top content words; the typos are of middle-rank words.
COMMON_RANKS = 50
MIDDLE_RANKS = (500, 5000)
# How many sections are kept aside while generating, to draw rare co-occurring words from.
RARE_SAMPLES = 2000

# The top ranks of the one Zipf law are function words, as in real English (they make up
# about 35% of the words drawn); below them come the dictionary's words, less the search
# engine's English stop words (copied from app/search/stopwords.py), so that every
# common-word query asks the engine for real work.


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FILLERS = _words(
    "the of and to in a is that for it as was with on by at be this from or are which an "
    "but not have has were their its"
)
_STOP_WORDS = frozenset(
    _words(
        """a about above after again against all am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves whats hows whos wheres whens whys thats its
    theres isnt dont doesnt didnt wont cant also get got go goes went"""
    )
)
_FUNCTION_WORDS = frozenset(FILLERS)
_QUESTIONS = (
    "What is the {0} of {1}?",
    "Why does the {0} {1} the {2}?",
    "How do {0} and {1} {2}?",
    "When will the {0} {1}?",
    "Who {0} the {1} {2}?",
    "Where can a {0} {1}?",
    "Which {0} {1} the {2} best?",
    "How does the {0} affect {1}?",
    "Is the {0} {1} {2}?",
    "Should the {0} {1} {2}?",
)


class MissingTool(Exception):
    """A system package the benchmark needs is not installed; the message says how to fix it."""


@dataclass(frozen=True)
class Vocabulary:
    """Words in rank order (index 0 is the most frequent), the function words first, and
    their Zipf weights."""

    ranked: list[str]
    cumulative: list[float]
    dictionary: frozenset[str]  # every word of the file, lower-cased: a typo must not be one
    digest: str  # of the words file: a changed list means another corpus

    def draw(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.ranked, cum_weights=self.cumulative, k=count)

    @property
    def content(self) -> list[str]:
        """The dictionary's words, most frequent first."""
        return self.ranked[len(FILLERS) :]


def load_vocabulary(seed: int, path: Path = WORDS_FILE) -> Vocabulary:
    if not path.is_file():
        raise MissingTool(
            f"{path} is missing: the corpus is made of its real English words. Install it with"
            " `apt-get install -y wamerican` (Debian/Ubuntu) and run again."
        )
    data = path.read_bytes()
    lines = data.decode("utf-8", errors="replace").split()
    # Lower-case alphabetic words only: no proper nouns, no possessives ("dog's").
    words = sorted(
        {w for w in lines if w.isascii() and w.isalpha() and w.islower() and len(w) >= 2}
        - _STOP_WORDS
    )
    if len(words) < 10_000:
        raise MissingTool(f"{path} holds only {len(words)} usable words; install wamerican")
    # Which word is common is a seeded draw, not alphabetical order.
    random.Random(f"vocabulary-{seed}").shuffle(words)
    words = [*FILLERS, *words]
    running = 0.0
    cumulative: list[float] = []
    for rank in range(len(words)):
        running += 1.0 / (rank + 1) ** ZIPF_EXPONENT
        cumulative.append(running)
    return Vocabulary(
        ranked=words,
        cumulative=cumulative,
        dictionary=frozenset(w.lower() for w in lines),
        digest=hashlib.sha256(data).hexdigest(),
    )


@dataclass(frozen=True)
class GeneratedArticle:
    markdown: str
    content_words: list[str]  # every Zipf-drawn word, for the corpus's counts
    sections: list[list[str]]  # the Zipf-drawn words of each section body


class ArticleMaker:
    """Builds one article from a seeded random source: same seed, same bytes."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary

    def _sentence(self, rng: random.Random, drawn: list[str]) -> tuple[str, int]:
        words = self.vocabulary.draw(rng, rng.randint(8, 18))
        drawn.extend(w for w in words if w not in _FUNCTION_WORDS)
        return " ".join(words).capitalize() + ".", len(words)

    def _paragraphs(self, rng: random.Random, low: int, high: int, drawn: list[str]) -> str:
        target = rng.randint(low, high)
        paragraphs: list[list[str]] = [[]]
        total = 0
        while total < target:
            if len(paragraphs[-1]) >= 3 and rng.random() < 0.5:
                paragraphs.append([])
            sentence, count = self._sentence(rng, drawn)
            paragraphs[-1].append(sentence)
            total += count
        return "\n\n".join(" ".join(p) for p in paragraphs)

    def _question(self, rng: random.Random, drawn: list[str]) -> str:
        template = rng.choice(_QUESTIONS)
        # Content words only: "What is the of the?" is no question anyone asks.
        words = [w for w in self.vocabulary.draw(rng, 12) if w not in _FUNCTION_WORDS][:3]
        while len(words) < 3:
            words.append(rng.choice(self.vocabulary.content[:1000]))
        drawn.extend(words[: template.count("{")])
        return template.format(*words)

    def article(self, rng: random.Random, sections: int, marker: str = "") -> GeneratedArticle:
        drawn: list[str] = []
        title = self._question(rng, drawn)
        lead = self._paragraphs(rng, *LEAD_WORDS, drawn)
        if marker:
            lead = f"{lead} {marker.capitalize()}."
        parts = [f"# {title}", lead]
        bodies: list[list[str]] = []
        for _ in range(sections):
            parts.append(f"## {self._question(rng, drawn)}")
            body_words: list[str] = []
            parts.append(self._paragraphs(rng, *SECTION_WORDS, body_words))
            drawn.extend(body_words)
            bodies.append(body_words)
        return GeneratedArticle("\n\n".join(parts) + "\n", drawn, bodies)


class CorpusManifest(BaseModel):
    """What was generated, written beside the folder once it is complete."""

    key: str
    folder: str  # holds articles/, the articles folder of a data dir
    seed: int
    sections: int
    articles: int
    vocabulary: int
    words_sha256: str
    tokens: int
    bytes: int
    build_seconds: float
    common: list[str]  # two common words
    rare: list[str]  # two rare words found together in one section
    typo: list[str]  # one middle-rank word with one letter dropped, swapped or changed
    cold: list[str]  # the most common words, one a query

    @property
    def articles_dir(self) -> Path:
        return Path(self.folder) / "articles"


def corpus_key(sections: int, seed: int, vocabulary: Vocabulary) -> str:
    return f"{sections}s-seed{seed}-words{vocabulary.digest[:8]}-v{CORPUS_VERSION}"


def article_path(articles_dir: Path, number: int) -> Path:
    # Folders of 1000: a million-section corpus is 200,000 files.
    return articles_dir / f"{number // FILES_PER_FOLDER:04d}" / f"a{number:07d}.md"


def article_rng(seed: int, number: int) -> random.Random:
    return random.Random(f"article-{seed}-{number}")


def ensure_corpus(
    cache: Path, *, sections: int, seed: int, vocabulary: Vocabulary, say: Callable[[str], None]
) -> tuple[CorpusManifest, bool]:
    """The corpus of exactly `sections` sections, and whether it came from the cache."""
    key = corpus_key(sections, seed, vocabulary)
    folder = cache / "corpus" / key
    manifest_path = cache / "corpus" / f"{key}.json"
    if manifest_path.is_file() and folder.is_dir():
        say(f"corpus: cached {folder}")
        return CorpusManifest.model_validate_json(manifest_path.read_text()), True
    shutil.rmtree(folder, ignore_errors=True)  # an interrupted build
    say(f"corpus: generating {sections:,} sections into {folder}")
    started = time.perf_counter()
    maker = ArticleMaker(vocabulary)
    counts: Counter[str] = Counter()
    samples: list[list[str]] = []
    every = max(1, sections // RARE_SAMPLES)
    written = tokens = size = number = 0
    articles_dir = folder / "articles"
    while written < sections:
        rng = article_rng(seed, number)
        count = min(rng.randint(*SECTIONS_PER_ARTICLE), sections - written)
        article = maker.article(rng, count)
        path = article_path(articles_dir, number)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = article.markdown.encode()
        path.write_bytes(data)
        counts.update(article.content_words)
        for body in article.sections:
            if (written := written + 1) % every == 0:
                samples.append(body)
        tokens += len(article.markdown.split())
        size += len(data)
        number += 1
        if number % 5000 == 0:
            say(f"  {written:,} sections written ({time.perf_counter() - started:.0f} s)")
    rng = random.Random(f"queries-{seed}")
    manifest = CorpusManifest(
        key=key,
        folder=str(folder),
        seed=seed,
        sections=sections,
        articles=number,
        vocabulary=len(vocabulary.ranked),
        words_sha256=vocabulary.digest,
        tokens=tokens,
        bytes=size,
        build_seconds=round(time.perf_counter() - started, 2),
        common=_common_queries(vocabulary, rng),
        rare=_rare_queries(samples, counts, rng),
        typo=_typo_queries(vocabulary, rng),
        cold=vocabulary.content[:COLD_WORDS],
    )
    # Written last: a manifest means the folder is complete.
    manifest_path.write_text(manifest.model_dump_json(indent=1))
    say(f"corpus: {number:,} articles, {size / 1e6:.0f} MB in {manifest.build_seconds:.0f} s")
    return manifest, False


def _common_queries(vocabulary: Vocabulary, rng: random.Random) -> list[str]:
    top = vocabulary.content[:COMMON_RANKS]
    return [" ".join(rng.sample(top, 2)) for _ in range(QUERIES_PER_CLASS)]


def _rare_queries(samples: list[list[str]], counts: Counter[str], rng: random.Random) -> list[str]:
    """The two rarest distinct words of sampled sections: both rare, and one section at least
    holds both, so the query has an answer."""
    queries: list[str] = []
    for words in samples:
        rarest = sorted(set(words), key=lambda w: (counts[w], w))[:2]
        if len(rarest) == 2:
            queries.append(" ".join(rarest))
    rng.shuffle(queries)
    return queries[:QUERIES_PER_CLASS]


def typo_of(word: str, rng: random.Random) -> str:
    cut = rng.randrange(1, len(word) - 1)
    how = rng.randrange(3)
    if how == 0:  # a letter dropped
        return word[:cut] + word[cut + 1 :]
    if how == 1:  # two letters swapped
        return word[: cut - 1] + word[cut] + word[cut - 1] + word[cut + 1 :]
    return word[:cut] + rng.choice("aeioulnrst") + word[cut + 1 :]  # a letter changed


def _typo_queries(vocabulary: Vocabulary, rng: random.Random) -> list[str]:
    low, high = MIDDLE_RANKS
    middle = [w for w in vocabulary.content[low:high] if len(w) >= 6]
    queries: list[str] = []
    while len(queries) < QUERIES_PER_CLASS:
        typo = typo_of(rng.choice(middle), rng)
        if typo not in vocabulary.dictionary:  # still a real word: not a typo to correct
            queries.append(typo)
    return queries
