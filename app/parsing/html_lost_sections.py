"""Runs of whole sections the extractor dropped from the article's container (a collapsed
second half, product boxes between kept sections), read back in document order, and the
words of the container left to page chrome."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Literal

from lxml import html as lxml_html

from app.parsing.blocks import Block, normalize_space, strip_heading_decoration, word_count
from app.parsing.html_blocks import walk
from app.parsing.html_chrome import HIDDEN_TAGS, article_chrome, inside_any, without_spaces
from app.parsing.html_recovery import HEADING_TAGS, MIN_MATCH_CHARS, ArticleContainer
from app.parsing.html_text import element_text

# Fewer words left out than this cannot hold a run of sections worth reading back.
MIN_LOST_RUN_WORDS = 40
_MIN_SECTION_BODY_WORDS = 8
_MIN_LOST_SECTIONS = 2


class ArticleText:
    """The article's container and its text (whitespace normalised), and (found when first
    asked for, as few pages need them) the chrome inside it."""

    def __init__(self, container: ArticleContainer) -> None:
        self.container = container
        self.text = normalize_space(container.element.text_content())
        # Scripts and styles are in the text, never in the page's words.
        self.hidden_texts = [
            normalize_space(element.text_content())
            for element in container.element.iter(*HIDDEN_TAGS)
        ]

    @cached_property
    def chrome(self) -> list[lxml_html.HtmlElement]:
        """The outermost chrome elements, in document order."""
        root = self.container.element
        return sorted(article_chrome(root), key=lambda element: _child_path(element, root))

    @cached_property
    def chrome_texts(self) -> list[str]:
        return [normalize_space(element.text_content()) for element in self.chrome]

    def without_chrome(self) -> lxml_html.HtmlElement:
        """A copy of the container without its chrome and hidden elements; the page stays
        as it is."""
        root = self.container.element
        dropped = [*self.chrome, *_outermost(list(root.iter(*HIDDEN_TAGS)), root)]
        paths = [_child_path(element, root) for element in dropped]
        copied: lxml_html.HtmlElement = copy.deepcopy(root)
        copied.tail = None
        for element in [_at_child_path(copied, path) for path in paths]:
            if element.getparent() is not None:  # not inside one dropped before
                element.drop_tree()
        return copied


def _outermost(
    elements: list[lxml_html.HtmlElement], root: lxml_html.HtmlElement
) -> list[lxml_html.HtmlElement]:
    found = set(elements)
    return [element for element in elements if not inside_any(element, found, root)]


def _child_path(element: lxml_html.HtmlElement, root: lxml_html.HtmlElement) -> list[int]:
    """Where the element is below the root: the index of each ancestor among its siblings."""
    path: list[int] = []
    while element is not root:
        parent = element.getparent()
        assert parent is not None  # the element is inside the root
        path.append(parent.index(element))
        element = parent
    return path[::-1]


def _at_child_path(root: lxml_html.HtmlElement, path: list[int]) -> lxml_html.HtmlElement:
    element = root
    for index in path:
        element = element[index]
    return element


def words_left_to_chrome(article: ArticleText, blocks: Sequence[Block]) -> int:
    """Words of the article's container, its chrome apart, that no block holds: what the
    extraction left to page chrome. Where fewer than MIN_LOST_RUN_WORDS are left out of the
    container in all, they are counted as they are: too few to hold a section worth
    reading back, and too few to be worth telling chrome apart (the cost of that falls on
    the pages that need it)."""
    coverage = _Coverage(article.text)
    coverage.cover_texts(article.hidden_texts)
    coverage.cover_blocks(blocks)
    left = coverage.words_outside()
    if left < MIN_LOST_RUN_WORDS or not article.chrome:
        return left
    coverage.cover_texts(article.chrome_texts)  # chrome is no article text, held or not
    return coverage.words_outside()


def _words_left_out(article: ArticleText, blocks: Sequence[Block]) -> int:
    """Words of the article's container, its chrome included, that no block holds."""
    coverage = _Coverage(article.text)
    coverage.cover_texts(article.hidden_texts)
    coverage.cover_blocks(blocks)
    return coverage.words_outside()


class _Coverage:
    """The parts of a text that blocks (or chrome) hold, found in order: each search starts
    where the last one matched, as blocks come in document order. Words are counted in what
    is left: the text of a container runs its paragraphs together where the markup has no
    space between them ("…size</li><li>Two…"), so its own word count would be short.

    Text found nowhere is sought once more without spaces: the extractor drops the space
    after inline markup ("Superman.</em> You" -> "Superman.You"); its words are taken off
    the count at the end."""

    def __init__(self, text: str) -> None:
        self._text = text
        self.squeezed: str | None = None
        self._cursor = 0
        self._spans: list[tuple[int, int]] = []
        self._unplaced_words = 0

    def cover_blocks(self, blocks: Iterable[Block]) -> None:
        self._cursor = 0
        for block in blocks:
            if block.kind == "table":
                for cell in _cells(block.text):
                    self._cover(cell)
            elif block.text:
                self._cover(block.prompt or "")
                self._cover(block.text)

    def cover_texts(self, texts: Iterable[str]) -> None:
        """Texts in document order, like blocks."""
        self._cursor = 0
        for text in texts:
            self._cover(text)

    def _cover(self, part: str) -> None:
        if not part:
            return
        at = self._text.find(part, self._cursor)
        if at < 0:
            at = self._text.find(part)
        if at >= 0:
            self._cursor = at + len(part)
            self._spans.append((at, at + len(part)))
            return
        if self.squeezed is None:
            self.squeezed = without_spaces(self._text)
        if without_spaces(part) in self.squeezed:
            self._unplaced_words += len(part.split())

    def words_outside(self) -> int:
        words = 0
        end = 0
        for start, stop in sorted(self._spans):
            if start > end:
                words += len(self._text[end:start].split())
            end = max(end, stop)
        words += len(self._text[end:].split())
        return max(words - self._unplaced_words, 0)


def _cells(table: str) -> list[str]:
    """A table block's cells: html_blocks joins a row's cells with " | ", rows with lines."""
    return [cell for row in table.split("\n") for cell in row.split(_CELL_SEPARATOR) if cell]


_CELL_SEPARATOR = " | "


def recover_lost_sections(article: ArticleText, blocks: list[Block]) -> list[Block]:
    """The extracted blocks with the runs of sections the extraction left out read back in,
    in document order.

    The convention: an article's container holds the article, and chrome inside it is
    marked or shaped as chrome (see article_chrome). So a run of headings with their
    paragraphs, lists or <details> that the container (without chrome) holds after or
    between extracted blocks, and that the extraction left out, is article: a second half
    behind a "Continue reading" toggle, product boxes that look like widgets, an FAQ at the
    end. Text before the first extracted block (the header: title, standfirst, byline) and
    text that heads nothing stay out. At least two sections with a body of running text
    must be lost, as one lost heading over a paragraph is as often an author box, a promo
    or a list of sources."""
    # Cheap tests first: the lost sections start with lost headings and hold many words
    # (chrome apart, which costs finding it).
    if _lost_headings(article, blocks, outside_chrome=False) < _MIN_LOST_SECTIONS:
        return blocks
    if _words_left_out(article, blocks) < MIN_LOST_RUN_WORDS:
        return blocks
    if _lost_headings(article, blocks, outside_chrome=True) < _MIN_LOST_SECTIONS:
        return blocks
    if words_left_to_chrome(article, blocks) < MIN_LOST_RUN_WORDS:
        return blocks
    runs = _lost_runs(list(walk(article.without_chrome())), blocks)
    if sum(_sections_with_body(run) for _, run in runs) < _MIN_LOST_SECTIONS:
        return blocks
    recovered = list(blocks)
    for anchor, run in reversed(runs):  # later first: anchors stay valid
        recovered[anchor + 1 : anchor + 1] = run
    return recovered


def _lost_headings(article: ArticleText, blocks: list[Block], *, outside_chrome: bool) -> int:
    """Headings of the container that the extraction lacks (optionally only those outside
    its chrome, which costs finding the chrome)."""
    kept = {block.text for block in blocks if block.kind == "heading"}
    chrome = set(article.chrome) if outside_chrome else set()
    return sum(
        1
        for heading in article.container.element.iter(*HEADING_TAGS)
        if strip_heading_decoration(element_text(heading)) not in kept
        and not (
            chrome and (heading in chrome or inside_any(heading, chrome, article.container.element))
        )
    )


_Status = Literal["kept", "lost", "short"]


def _lost_runs(walked: list[Block], blocks: list[Block]) -> list[tuple[int, list[Block]]]:
    """Runs of blocks of the container that the extraction lacks, each trimmed to the
    sections it holds, with the index of the extracted block it follows."""
    statuses = _statuses(walked, blocks)
    squeezed = [without_spaces(block.text) for block in blocks]
    runs: list[tuple[int, list[Block]]] = []
    anchor = -1  # the extracted block that the last kept one matched
    run: list[Block] = []
    for block, status in zip(walked, statuses, strict=True):
        if status == "lost":
            run.append(block)
            continue
        if run and anchor >= 0 and (sections := _trimmed_to_sections(run)):
            runs.append((anchor, sections))
        run = []
        if status == "kept":
            anchor = _matching_block(blocks, squeezed, block, start=max(anchor, 0), default=anchor)
    if run and anchor >= 0 and (sections := _trimmed_to_sections(run)):
        runs.append((anchor, sections))
    return runs


def _statuses(walked: list[Block], blocks: list[Block]) -> list[_Status]:
    """Whether the extraction kept each block of the container: a heading if an extracted
    heading has its text (each extracted heading answers for one, in order: "Pros" repeats
    in every product box), longer text if the extracted text holds it. Short text ("Yes.")
    belongs with the block before it."""
    headings: dict[str, int] = {}
    for block in blocks:
        if block.kind == "heading":
            headings[block.text] = headings.get(block.text, 0) + 1
    extracted = without_spaces("".join(b.text for b in blocks if b.kind != "heading"))
    statuses: list[_Status] = []
    previous: _Status = "kept"
    for block in walked:
        status: _Status
        if block.kind == "heading":
            status = "kept" if headings.get(block.text, 0) > 0 else "lost"
            headings[block.text] = headings.get(block.text, 0) - 1
        elif len(block.text) < MIN_MATCH_CHARS:
            status = "lost" if previous == "lost" else "short"
        else:
            status = "kept" if without_spaces(block.text) in extracted else "lost"
        statuses.append(status)
        if status != "short":
            previous = status
    return statuses


def _matching_block(
    blocks: list[Block], squeezed: list[str], block: Block, *, start: int, default: int
) -> int:
    """The index of the extracted block, from `start` on, that holds this kept block, or
    its end: where the extractor split a paragraph, what follows it comes after the last
    piece."""
    end = without_spaces(block.text)[-MIN_MATCH_CHARS:]
    for index in range(start, len(blocks)):
        candidate = blocks[index]
        if candidate.kind == "heading":
            if block.kind == "heading" and candidate.text == block.text:
                return index
        elif block.kind != "heading" and end in squeezed[index]:
            return index
    return default


def _trimmed_to_sections(run: list[Block]) -> list[Block]:
    """The run from its first heading to its last block of body: text that heads nothing
    before it (a toggle's label, a caption) and headings over nothing after it stay out."""
    first = next((i for i, b in enumerate(run) if b.kind == "heading"), len(run))
    last = max((i for i, b in enumerate(run) if b.kind != "heading"), default=-1)
    return run[first : last + 1] if first < last else []


def _sections_with_body(run: list[Block]) -> int:
    """Headings in the run over a body of running text before the next heading: some words,
    a paragraph among them (a list alone is as often sources, tags or links)."""
    count = 0
    body: list[Block] | None = None  # None before the first heading
    for block in [*run, Block("heading", "", "end")]:
        if block.kind != "heading":
            if body is not None:
                body.append(block)
            continue
        if body is not None and _is_running_text(body):
            count += 1
        body = []
    return count


def _is_running_text(body: list[Block]) -> bool:
    words = sum(word_count(block.full_text) for block in body)
    paragraph = any(block.kind in ("paragraph", "quote") for block in body)
    return paragraph and words >= _MIN_SECTION_BODY_WORDS
