"""HTML inside Markdown: content tags keep their text, and what a page would not show as
text (scripts, styles, frames, images, media, forms, comments) is dropped with a reason.

Inline HTML arrives from markdown-it as one token per tag with the text between them as
text tokens; block HTML arrives as one `html_block` token, read here with lxml."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser

from lxml import etree
from lxml import html as lxml_html
from markdown_it.token import Token

from app.parsing.blocks import Block, strip_heading_decoration, word_count
from app.parsing.html_blocks import walk
from app.parsing.html_text import SPAN_TAGS, element_text
from app.parsing.spans import InlineText, safe_href

# (removed markup, reason), as ReadResult.dropped_regions holds them.
Dropped = tuple[str, str]

DROPPED_TAGS: dict[str, str] = {
    "script": "html_script",
    "style": "html_style",
    "iframe": "html_iframe",
    "frame": "html_iframe",
    "frameset": "html_iframe",
    "img": "html_image",
    "picture": "html_image",
    "object": "html_embed",
    "embed": "html_embed",
    "applet": "html_embed",
    "video": "html_embed",
    "audio": "html_embed",
    "source": "html_embed",
    "track": "html_embed",
    "param": "html_embed",
    "canvas": "html_embed",
    "svg": "html_svg",
    "noscript": "html_noscript",
    "form": "html_form",
    "input": "html_form",
    "button": "html_form",
    "select": "html_form",
    "textarea": "html_form",
}
COMMENT_REASON = "html_comment"
# <!DOCTYPE ...>, <?php ... ?>, <![CDATA[ ... ]]>.
DECLARATION_REASON = "html_declaration"
# An HTML block the parser cannot read without losing text (tags nested hundreds deep, a
# tag cut off at the end): dropped whole rather than shown in part.
MALFORMED_REASON = "html_malformed"

# Elements whose content is not markup: an unclosed one runs to the end of the paragraph.
_RAW_TEXT_TAGS = frozenset({"script", "style", "textarea", "iframe", "noscript"})
_VOID_TAGS = frozenset({"img", "embed", "input", "source", "track", "param", "frame"})
# markdown-it has already checked the tag's syntax: only its name is needed here.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# A script or style left open runs to the end of the block; closing it keeps the parser's
# own wrapper markup out of the dropped text.
_RAW_TEXT_OPEN = re.compile(r"<(script|style|textarea)\b[^>]*>", re.I)
_RAW_TEXT_CLOSE = re.compile(r"</(script|style|textarea)\s*>", re.I)
# An attribute's value, quoted either way or bare, as HTML writes it.
_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)
_MAX_SUMMARY_HEADING_WORDS = 40  # as for the FAQ widgets of HTML pages
_SUMMARY_HEADING_TAG = "h6"


def clean_inline(children: Sequence[Token]) -> tuple[list[Token], list[Dropped]]:
    """The inline tokens without dropped HTML (a script with its text, an image, a
    comment), and what was dropped. Content tags (<b>, <a>, <span>...) stay: readers
    skip tag tokens and keep the text between them."""
    kept: list[Token] = []
    dropped: list[Dropped] = []
    index = 0
    while index < len(children):
        child = children[index]
        if child.type != "html_inline":
            kept.append(child)
            index += 1
            continue
        markup = child.content
        if markup.startswith("<!--"):
            dropped.append((markup, COMMENT_REASON))
        elif markup.startswith(("<?", "<!")):
            dropped.append((markup, DECLARATION_REASON))
        elif (name := _opening_tag(markup)) in DROPPED_TAGS:
            end = _element_end(children, index, name)
            dropped.append((_source(children[index:end]).strip(), DROPPED_TAGS[name]))
            index = end
            continue
        else:
            kept.append(child)  # a content tag, a closing tag or <br>
        index += 1
    return kept, dropped


def read_inline_tag(inline: InlineText, markup: str) -> None:
    """An inline HTML tag kept in Markdown text (<b>, </a>, <br>...) read into `inline`:
    <br> is a line break, phrasing tags open or close their span, any other adds nothing."""
    if markup[:3].lower() == "<br":  # as markdown_reader reads it into the text: a space
        inline.line_break()
        return
    found = _TAG.match(markup)
    kind = SPAN_TAGS.get(found.group(2).lower()) if found else None
    if found is None or kind is None:
        return
    if found.group(1):
        inline.close(kind)
    else:
        inline.open(kind, _href(markup) if kind == "link" else None)


def _href(markup: str) -> str | None:
    found = _HREF.search(markup)
    if found is None:
        return None
    value = next(group for group in found.groups() if group is not None)
    return safe_href(html.unescape(value))


def _opening_tag(markup: str) -> str | None:
    found = _TAG.match(markup)
    return found.group(2).lower() if found and not found.group(1) else None


def _element_end(children: Sequence[Token], start: int, name: str) -> int:
    """Index after the element opened at `start`: after its closing tag, or just after
    the opening tag for a void or unclosed element (raw text runs to the end)."""
    if name in _VOID_TAGS or children[start].content.rstrip().endswith("/>"):
        return start + 1
    depth = 0
    for index in range(start, len(children)):
        child = children[index]
        if child.type != "html_inline" or (found := _TAG.match(child.content)) is None:
            continue
        if found.group(2).lower() == name:
            depth += -1 if found.group(1) else 1
            if depth == 0:
                return index + 1
    return len(children) if name in _RAW_TEXT_TAGS else start + 1


def _source(tokens: Sequence[Token]) -> str:
    """The Markdown source of inline tokens, near enough to show what was dropped."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "code_inline":
            parts.append(f"{token.markup}{token.content}{token.markup}")
        elif token.type.endswith(("_open", "_close")) and token.markup in ("*", "_", "**", "__"):
            parts.append(token.markup)
        else:
            parts.append(token.content)
    return "".join(parts)


def read_html_block(content: str, origin: str) -> tuple[list[Block], list[Dropped]]:
    """Blocks of an HTML block's text, read as a page's main content is, and what was
    dropped from it."""
    stripped = content.strip()
    if not stripped:
        return [], []
    if stripped.startswith(("<?", "<!")) and not stripped.startswith("<!--"):
        return [], [(stripped, DECLARATION_REASON)]
    if (unclosed := _unclosed_raw_text(content)) is not None:
        content += f"</{unclosed}>"
    try:
        root = lxml_html.fragment_fromstring(content, create_parent="div")
    except (etree.ParserError, ValueError, AssertionError):
        # lxml asserts on some fragments ("too many bodies" for a bare <html>)
        return [], [(stripped, MALFORMED_REASON)]
    dropped = _drop_hidden(root)
    # The HTML parser gives up on text nested too deep and on tags cut off at the end;
    # the block reader reads all the text it is given.
    if _characters(_all_text(stripped)) - _characters([*root.itertext(), *(t for t, _ in dropped)]):
        return [], [(stripped, MALFORMED_REASON)]
    _promote_summaries(root)
    return [block._replace(origin=origin) for block in walk(root)], dropped


def _unclosed_raw_text(content: str) -> str | None:
    """The name of the first script, style or textarea with no closing tag after it. One
    pass over the closing tags, one over the opening ones: linear in the block's length."""
    last_close: dict[str, int] = {}
    for match in _RAW_TEXT_CLOSE.finditer(content):
        last_close[match.group(1).lower()] = match.start()
    for match in _RAW_TEXT_OPEN.finditer(content):
        name = match.group(1).lower()
        if match.end() > last_close.get(name, -1):
            return name
    return None


class _TextCollector(HTMLParser):
    """Every piece of text in an HTML fragment, comments and cut-off tags included: the
    standard library's tokenizer loses nothing, whatever the markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.parts.append(data)

    def handle_decl(self, decl: str) -> None:
        self.parts.append(decl)

    def handle_pi(self, data: str) -> None:
        self.parts.append(data)

    def unknown_decl(self, data: str) -> None:
        self.parts.append(data)


def _all_text(fragment: str) -> list[str]:
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return collector.parts


def _characters(texts: Iterable[str]) -> Counter[str]:
    """Letters and digits, counted: what must all be placed somewhere."""
    return Counter(char for text in texts for char in text if char.isalnum())


def _drop_hidden(root: lxml_html.HtmlElement) -> list[Dropped]:
    """Remove comments and dropped elements (their tails are text and stay)."""
    found: list[tuple[lxml_html.HtmlElement, str]] = []
    marked: set[lxml_html.HtmlElement] = set()
    for node in root.iterdescendants():
        reason = _hidden_reason(node)
        if reason is None or any(ancestor in marked for ancestor in node.iterancestors()):
            continue
        marked.add(node)
        found.append((node, reason))
    dropped: list[Dropped] = []
    for node, reason in found:
        if reason == COMMENT_REASON:
            text = str(node.text or "")
            # The HTML parser keeps <?php ?> and <![CDATA[ ]]> as comments.
            if text.startswith(("?", "[CDATA[")):
                markup, reason = f"<{text}>", DECLARATION_REASON
            else:
                markup = f"<!--{text}-->"
        else:
            markup = etree.tostring(node, encoding="unicode", method="html", with_tail=False)
        dropped.append((markup.strip(), reason))
        node.drop_tree()
    return dropped


def _hidden_reason(node: lxml_html.HtmlElement) -> str | None:
    if not isinstance(node.tag, str):
        return COMMENT_REASON  # comments and processing instructions
    return DROPPED_TAGS.get(node.tag.lower())


def _promote_summaries(root: lxml_html.HtmlElement) -> None:
    """<details><summary>Question?</summary>answer</details>: the summary heads its answer."""
    for summary in list(root.iter("summary")):
        text = strip_heading_decoration(element_text(summary))
        if text and word_count(text) <= _MAX_SUMMARY_HEADING_WORDS and summary.find(".//p") is None:
            summary.tag = _SUMMARY_HEADING_TAG
