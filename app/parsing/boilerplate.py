"""Block rules: each detector returns the rule (a record of rules.py) that drops a block as
not article text, or None.

The patterns describe kinds of page furniture in several languages (read-time lines,
share and comment widgets, promos, bylines), never one site's exact strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from app.parsing.blocks import Block, normalize_space, word_count
from app.parsing.dates import is_date_only
from app.parsing.questions import is_answer_label, is_question
from app.parsing.rules import (
    AFTER_BODY_CHROME,
    ANSWER_LABEL,
    AUTHOR_BLURB,
    BREADCRUMB,
    BYLINE,
    CAPTION,
    COMMENTS_WIDGET,
    DATELINE,
    DISCLOSURE,
    EMPTY,
    FURNITURE,
    IMAGE,
    LABEL,
    LOGIN_PROMPT,
    PAGINATION,
    PHOTO_CREDIT,
    PROMO,
    RATING_WIDGET,
    READING_TIME,
    SHARE_WIDGET,
    SITE_CHROME,
    TEMPLATE_MARKUP,
    THEMATIC_BREAK,
    Rule,
)


def _words(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


_MINUTES = _words(
    r"min\.?",
    "mins",
    "minutes?",
    "minutos?",
    "minuten",
    "minuti",
    "minuut",
    "минут[аы]?",
    "мин\\.?",
    "分钟",
    "分",
    "dakika",
    "minut",
)
_READ = _words(
    "read",
    "reading",
    "read time",
    "de lectura",
    "lectura",
    "lesezeit",
    "lesen",
    "lecture",
    "de lecture",
    "di lettura",
    "leestijd",
    "de leitura",
    "leitura",
    "чтения",
    "чтение",
    "阅读",
    "閱讀",
)
_READING_TIME = re.compile(
    rf"^(?:{_READ}\s*:?\s*)?(?:ca\.?\s*|about\s*|~\s*)?(\d{{1,3}})\s*[-\s]?{_MINUTES}"
    rf"(?:\s*{_READ})?\.?$|^{_READ}\s*(?:time)?\s*:?\s*(\d{{1,3}})\s*{_MINUTES}\.?$",
    re.IGNORECASE,
)
_PROMO = re.compile(
    r"^\W{0,3}"
    + _words(
        "also read",
        "read also",
        "read",
        "see",
        "lire",
        "voir",
        "lesen",
        "siehe",
        "leer",
        "ver",
        "leggi",
        "vedi",
        "leia",
        "lees",
        "читайте",
        "另请阅读",
        "另见",
        "参见",
        "read more",
        "more on this",
        "see also",
        "related",
        "recommended",
        "must read",
        "don[’']t miss",
        "lesen sie auch",
        "lesen sie mehr",
        "mehr zum thema",
        "auch interessant",
        "lee también",
        "leer más",
        "le puede interesar",
        "te puede interesar",
        "lire aussi",
        "à lire aussi",
        "a lire aussi",
        "voir aussi",
        "leggi anche",
        "leia também",
        "lees ook",
        "читайте также",
        "смотрите также",
        "相关阅读",
        "延伸阅读",
        "推荐阅读",
    )
    + r"\b\s*[:：\-–—]",
    re.IGNORECASE,
)
_SHARE_WIDGET = re.compile(
    r"^"
    + _words(
        "share",
        "share this",
        "share this (?:article|story|post|page)",
        "share on \\w+",
        "follow",
        "follow us",
        "follow us on \\w+",
        "tweet",
        "print",
        "email",
        "e-mail",
        "copy link",
        "teilen",
        "artikel teilen",
        "folgen",
        "compartir",
        "comparte",
        "síguenos",
        "partager",
        "partager (?:cet |l['’]\\s?)article",
        "partager sur \\w+",
        "diesen artikel teilen",
        "compartir (?:esta noticia|este artículo|en \\w+)",
        "поделиться (?:статьей|новостью)",
        "分享到\\w*",
        "分享本文",
        "suivez-nous",
        "condividi",
        "seguici",
        "compartilhe",
        "delen",
        "поделиться",
        "分享",
    )
    + r"\s*:?$",
    re.IGNORECASE,
)
_COMMENTS_WIDGET = re.compile(
    r"^(?:"
    + _words(
        "leave a (?:comment|reply)",
        "post a comment",
        "add a comment",
        "comments?",
        "\\d+ comments?",
        "no comments",
        "join the discussion",
        "cancel reply",
        "kommentare?",
        "kommentieren",
        "\\d+ kommentare?",
        "schreiben sie einen kommentar",
        "comentarios?",
        "comentar(?: este artículo)?",
        "deja un comentario",
        "commentaires?",
        "laisser un commentaire",
        "commenti",
        "lascia un commento",
        "комментарии",
        "оставить комментарий",
        "评论",
        "发表评论",
    )
    + r")\s*:?$",
    re.IGNORECASE,
)
# The notes under a comment form, which may run long.
_COMMENT_FORM_NOTE = re.compile(
    r"^(?:your email address will not be published|required fields are marked"
    r"|ihre e-mail-adresse wird nicht veröffentlicht|tu dirección de correo electrónico no será)",
    re.IGNORECASE,
)
_SITE_CHROME = re.compile(
    r"^"
    + _words(
        "exit mobile version",
        "skip to (?:main )?content",
        "back to top",
        "advertisement",
        "advertising",
        "anzeige",
        "werbung",
        "publicidad",
        "publicité",
        "sponsored",
        "scroll to top",
        "toggle navigation",
        "menu",
        "close",
        "fermer",
        "schließen",
        "cerrar",
        "chiudi",
        "fechar",
        "sluiten",
        "закрыть",
        "关闭",
        "收起",
        "返回首页",
        "返回顶部",
        "返回列表",
        "打印本页",
        "关闭窗口",
        "search",
        "subscribe",
        "sign in",
        "log in",
        "login",
        "newsletter",
        "cookie settings",
    )
    + r"\s*:?$",
    re.IGNORECASE,
)
_AUTHOR_BLURB = re.compile(
    r"^(?:welcome to\b|about the author\b|über (?:den|die) autor(?:in)?\b|sobre el autor\b"
    r"|[\w.’' -]{2,60} (?:is|was) an? [\w ,-]{0,80}"
    r"(?:writer|journalist|editor|reporter|correspondent|expert|author|contributor|columnist)\b)",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^[(（]?(?:by|von|por|par|di|door|escribe|texto?|autor(?:in|en|es)?|authors?|auteurs?|"
    r"автор|авторы|作者|责编|责任编辑|记者|撰文)\b\s*[:：]?\s*(?=\S)",
    re.IGNORECASE,
)
# Words that may join the names of a byline: "By Jane Doe and John Roe in Paris".
_BYLINE_JOINERS = frozenset(
    (
        "and",
        "und",
        "y",
        "et",
        "e",
        "&",
        ",",
        "en",
        "in",
        "for",
        "für",
        "de",
        "del",
        "di",
        "da",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "from",
        "of",
        "at",
        "bei",
    )
)
_DATELINE = re.compile(
    r"^(?:published|updated|posted|last updated|veröffentlicht|aktualisiert|stand(?: des artikels)?"
    r"|publicado|actualizado|publié|mis à jour|pubblicato|опубликовано|发布于|更新于"
    r"|发布时间|发布日期|来源|来源于|日期)\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
# "Accueil > Actualités > Le budget", "位置：首页 > 新闻动态": where the page sits in the site.
# It starts at the home page or says where you are; "Settings > System" in an answer is text.
_BREADCRUMB = re.compile(
    r"^(?:(?:(?:当前|现在|您的|您现在的)?位置|you are here|vous êtes ici|sie sind hier|вы здесь)"
    r"\s*[:：]\s*)?(?:home|accueil|startseite|inicio|inizio|início|главная|首页|主页|网站首页)"
    r"\s*(?:>>?|»|›)",
    re.IGNORECASE,
)
# "上一篇：...", "Article précédent : ...": links to the neighbouring stories.
_PAGINATION = re.compile(
    r"^(?:上一篇|下一篇|上一条|下一条|previous (?:article|story|post)|next (?:article|story|post)"
    r"|article (?:précédent|suivant)|vorheriger artikel|nächster artikel|предыдущая статья"
    r"|следующая статья)\s*[:：]|^(?:【[^】]{1,12}】\s*){2,}$",
    re.IGNORECASE,
)
_RATING = re.compile(
    r"^(?:average |durchschnittliche |note |valoración )?(?:rating|bewertung|note moyenne|"
    r"valoración|calificación|valutazione|рейтинг|评分|評価)\b.{0,40}$",
    re.IGNORECASE,
)
_LOGIN = re.compile(
    r"^(?:(?:please )?(?:log|sign) in (?:to|or)|melde dich an|bitte anmelden|anmelden,? um|"
    r"inicia sesión|connectez-vous|accedi per|войдите|登录后|登入)",
    re.IGNORECASE,
)
_TEMPLATE_ONLY = re.compile(r"^(?:\s*(?:\{\{.*?\}\}|\{%.*?%\}|<%.*?%>))+\s*$")
_PHOTO_CREDIT = re.compile(
    r"^(?:photo|photos|foto|fotos|fotocredit|bild|bildquelle|image|images|picture|credit|"
    r"crédit(?: photo)?|crédito|créditos|фото|图片|图|写真)(?:\s*credits?)?\s*[:：|/]",
    re.IGNORECASE,
)
_DISCLOSURE = re.compile(
    r"\b(?:advertiser|affiliate) disclosure\b|\bwe (?:may )?(?:receive|earn) "
    r"(?:compensation|a commission)\b|\baffiliate links?\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?。！？]\W{0,2}$")
# Widgets are a few words: no pattern for a widget label or a read-time line matches more.
_PROMO_MARK = re.compile("[:：\\-–—]")


class BoilerplateContext(NamedTuple):
    """What a rule may know about a block's place in the document (a tuple: one is made
    per block, and tuples are the cheapest immutable records)."""

    blocks: Sequence[Block]
    position: int

    @property
    def next_block(self) -> Block | None:
        following = self.position + 1
        return self.blocks[following] if following < len(self.blocks) else None


BoilerplateRule = Callable[[Block, BoilerplateContext], Rule[Any] | None]


def empty(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    if block.prompt:
        return None  # an interview prompt whose answer comes in the next block
    text = block.text
    if not text.strip():
        return EMPTY
    # Only non-ASCII text can consist of invisible characters alone (zero-width spaces).
    return EMPTY if not text.isascii() and not normalize_space(text) else None


def reading_time(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    return READING_TIME if reading_time_minutes(block.text) is not None else None


def promo(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    text = block.text
    # The promo phrase ends in a colon or dash near the start; most text has none there.
    lead = text[: PROMO.limits.lead_chars]
    if not _PROMO_MARK.search(lead):
        return None
    return PROMO if _PROMO.match(text) else None


def glued_caption(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    """Short text pasted onto a paragraph after a long whitespace run: a photo caption."""
    if block.glued and word_count(block.text) <= CAPTION.limits.max_words:
        return CAPTION
    return None


def share_widget(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    return SHARE_WIDGET if _SHARE_WIDGET.match(block.text) else None


def comments_widget(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    return COMMENTS_WIDGET if _COMMENTS_WIDGET.match(block.text) else None


def comment_form_note(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    """'Your email address will not be published.' under a comment form."""
    return COMMENTS_WIDGET if _COMMENT_FORM_NOTE.match(block.text) else None


def site_chrome(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    return SITE_CHROME if _SITE_CHROME.match(block.text) else None


def breadcrumb(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    text = block.text
    if block.kind == "heading" or len(text) > BREADCRUMB.limits.max_chars:
        return None
    if _SENTENCE_END.search(text):
        return None  # "Home > Settings > Display, then turn it on." is an instruction
    if _BREADCRUMB.match(text):
        return BREADCRUMB
    return PAGINATION if _PAGINATION.match(text) else None


def date_only(block: Block, context: BoilerplateContext) -> Rule[Any] | None:
    """'mardi 4 mars 2025', '2019年5月18日': a date alone is the story's dateline, unless
    it answers the question just above it ("When does it start?")."""
    if block.kind != "paragraph" or not is_date_only(block.text):
        return None
    previous = context.blocks[context.position - 1] if context.position else None
    return None if previous is not None and is_question(previous.text) else DATELINE


def byline(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    """'By Jane Doe', 'Escribe Camila Méndez en Territorio', 'Published 11 May'. The words
    after 'By' must be names: 'By the numbers' and 'Von der Leyen reist...' are headings."""
    text = block.text
    if word_count(text) > BYLINE.limits.max_words:
        return None
    if _DATELINE.match(text) and (not _SENTENCE_END.search(text) or _DIGIT.search(text)):
        return DATELINE  # "Stand des Artikels: 26. Februar 2020, 12:30 Uhr." ends in a dot
    by = _BYLINE.match(text)
    if by is not None and not _SENTENCE_END.search(text) and names_only(text[by.end() :]):
        return BYLINE
    return None


def rating_widget(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    """'Average rating: 4.2 (12 votes)', 'Durchschnittliche Bewertung: | (2 Bewertungen)'."""
    text = block.text
    if len(text) > FURNITURE.widget_chars and "\n" not in text:
        return None
    first_line = text.split("\n", 1)[0]  # a widget laid out as a table: its first row
    return RATING_WIDGET if _RATING.match(first_line) else None


def login_prompt(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    """'Log in to rate this article', 'Melde dich an, um ...', 'Connectez-vous pour ...'."""
    return LOGIN_PROMPT if _LOGIN.match(block.text) else None


def template_markup(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    """Unrendered template syntax ('{{% heading "whatsnext" %}}', '{{< note >}}')."""
    text = block.text
    if "{" not in text and "<%" not in text:
        return None
    return TEMPLATE_MARKUP if _TEMPLATE_ONLY.match(text) else None


def photo_credit(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    """'Fotocredit: Jane Doe © 2021 Studio', 'Photo: Reuters', 'Image credit: NASA'."""
    text = block.text
    if word_count(text) > PHOTO_CREDIT.limits.max_words:
        return None
    return PHOTO_CREDIT if _PHOTO_CREDIT.match(text) or "©" in text else None


def disclosure(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    """Affiliate and advertiser disclosures that sites put above every review."""
    # The regex search is slow; it runs only where one of its key words occurs.
    folded = block.text.casefold()
    if (
        "disclosure" not in folded
        and "affiliate" not in folded
        and "compensation" not in folded
        and "commission" not in folded
    ):
        return None
    return DISCLOSURE if _DISCLOSURE.search(block.text) else None


def names_only(text: str) -> bool:
    words = text.replace(",", " , ").split()
    return (
        bool(words)
        and all(word.casefold() in _BYLINE_JOINERS or not word[:1].islower() for word in words)
        and not words[0][:1].islower()
    )


def answer_label(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    """'**Answer**', 'Ответ:', '答：' alone between a question and its answer: the answer's
    label, like an "A:" prefix."""
    text = block.text
    if len(text) > ANSWER_LABEL.limits.max_chars:
        return None
    return ANSWER_LABEL if is_answer_label(text, bold=block.emphasis) else None


def label(block: Block, context: BoilerplateContext) -> Rule[Any] | None:
    """A short standalone 'Ebrahim Raisi:' line: a name or title-case label before a colon
    that introduces nothing (not a list, not a quote). 'Why it matters:' is text."""
    text = block.text
    if block.kind == "heading" or not text.endswith((":", "：")):
        return None
    if word_count(text) > LABEL.limits.max_words or any(w[:1].islower() for w in text.split()):
        return None
    following = context.next_block
    if following is not None and following.kind in ("list_item", "quote", "table", "code"):
        return None
    return LABEL


def non_text(block: Block, _: BoilerplateContext) -> Rule[Any] | None:
    """Images (their alt text) and thematic breaks are markup, not article text."""
    if block.kind == "image":
        return IMAGE
    return THEMATIC_BREAK if block.kind == "rule" else None


# Order matters only for which reason is recorded when several rules agree.
BOILERPLATE_RULES: tuple[BoilerplateRule, ...] = (
    non_text,
    empty,
    answer_label,
    template_markup,
    rating_widget,
    login_prompt,
    reading_time,
    promo,
    glued_caption,
    share_widget,
    comments_widget,
    comment_form_note,
    site_chrome,
    breadcrumb,
    date_only,
    byline,
    photo_credit,
    disclosure,
    label,
)
# Widget labels and read-time lines are a few words: these rules need not see longer blocks.
_SHORT_BLOCK_RULES = frozenset(
    (reading_time, share_widget, comments_widget, site_chrome, answer_label, date_only)
)
_LONGER_BLOCK_RULES = tuple(rule for rule in BOILERPLATE_RULES if rule not in _SHORT_BLOCK_RULES)


def reading_time_minutes(text: str) -> int | None:
    if len(text) > READING_TIME.limits.max_chars or _DIGIT.search(text) is None:
        return None  # too long, or no number of minutes (pages ask this of every element)
    match = _READING_TIME.match(normalize_space(text))
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def boilerplate_rule(blocks: Sequence[Block], index: int) -> Rule[Any] | None:
    """The block rule that drops blocks[index], or None."""
    block = blocks[index]
    if block.prompt is not None or (block.kind == "heading" and is_question(block.text)):
        return None  # a question (and its answer) is structure, even when it opens like a promo
    if len(block.text) > FURNITURE.max_chars and block.kind not in ("image", "rule"):
        return None  # page furniture is short; long blocks are article text
    context = BoilerplateContext(blocks, index)
    for rule in (
        BOILERPLATE_RULES if len(block.text) <= FURNITURE.widget_chars else _LONGER_BLOCK_RULES
    ):
        fired = rule(block, context)
        if fired is not None:
            return fired
    return None


def block_verdicts(blocks: Sequence[Block]) -> dict[int, Rule[Any]]:
    """The first stage: every block a block rule drops (block index -> rule)."""
    verdicts: dict[int, Rule[Any]] = {}
    for index in range(len(blocks)):
        rule = boilerplate_rule(blocks, index)
        if rule is not None:
            verdicts[index] = rule
    return verdicts


def tail_rule(block: Block) -> Rule[Any]:
    """The rule for a block inside the page furniture that follows the article body."""
    return AUTHOR_BLURB if _AUTHOR_BLURB.match(block.text) else AFTER_BODY_CHROME
