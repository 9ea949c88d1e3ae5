"""Is a heading a question? Named rules over several scripts and interview conventions."""

from __future__ import annotations

import re
from functools import lru_cache

from app.parsing import rules
from app.parsing.rules import NoLimits, Rule

# Closing brackets and quotes that may follow the question mark (with spaces): "?)", "？）".
_CLOSERS = frozenset(")]}）】」』〕》〉\"'“”‘’«»‹›")
_QUESTION_MARKS: dict[str, Rule[NoLimits]] = {
    "?": rules.QUESTION_MARK,
    "？": rules.FULLWIDTH_QUESTION_MARK,
    "؟": rules.ARABIC_QUESTION_MARK,
    "⸮": rules.QUESTION_MARK,
}
# "Q:", "Q.", "Frage:", "Pregunta:", "Question :", "В:", "Вопрос:", "问：", "問：".
# Sentence-final particles that make a question without a mark: Chinese 吗/呢, Japanese ですか.
_QUESTION_PARTICLE_ENDINGS = ("吗", "呢", "嗎", "か")  # Japanese か: ですか, よいか
# Words that open a question, per language (accented Spanish forms only: "cuando" without
# the accent is a conjunction). Used only where the article already asks in its headings.
_QUESTION_WORDS = re.compile(
    r"^(?:what|why|how|when|where|who|whom|whose|which|can|could|should|would|will|is|are|"
    r"do|does|did|may|must|"
    r"was|wie|warum|wieso|weshalb|wann|wo|woher|wohin|wer|wen|wem|welche[rsmn]?|kann|können|"
    r"soll|sollte|muss|gibt|ist|sind|darf|"
    r"qué|cómo|por qué|cuándo|dónde|quién|quiénes|cuál|cuáles|cuánto|cuánta|cuántos|cuántas|"
    r"que|qu['’]est-ce|quoi|comment|pourquoi|quand|où|qui|quel|quelle|quels|quelles|combien|"
    r"est-ce|puis-je|peut-on|faut-il|"
    r"что|как|почему|зачем|когда|где|кто|какой|какая|какое|какие|каким|сколько|можно|стоит|"
    r"нужно|чем|куда|откуда|"
    r"cosa|come|perché|dove|chi|quale|quali|quanto|quanta|posso|"
    r"o que|como|por que|porque|onde|quem|qual|quais|quanto|"
    r"wat|hoe|waarom|wanneer|waar|welke|"
    r"为什么|什么|如何|怎么|怎样|哪|谁|何时|是否|能否|为何|なぜ|どう|何|いつ|どこ|誰)"
    r"(?=$|[\s,]|(?<=[\u3000-\u9fff]))",
    re.IGNORECASE,
)
# "How we evaluated", "What I learned": a statement about the writer, not a question.
_FIRST_PERSON_NEXT = re.compile(
    r"^\S+\s+(?:we|i|our|my|wir|ich|nous|je|nosotros|yo|мы|я|noi|io|nós|eu|wij|ik)\b",
    re.IGNORECASE,
)


# Single letters other than Q need a colon: "F. Scott Fitzgerald" is no prompt.
# "Q." and "Q)" only before an actual question: "P. When to use", "Q. When not to" are an
# outline's lettered items.
INTERVIEW_PROMPT = re.compile(
    r"^\s*(?:q\s*[:：]|q\s*[.)\]](?=.*[?？])"
    r"|(?:f|p|в|frage|pregunta|question|domanda|pergunta|vraag|вопрос|问|問|提问)\s*[:：])\s*(?=\S)",
    re.IGNORECASE,
)
# "A:", "Antwort:", "R:", "Respuesta:", "Réponse :", "О:", "Ответ:", "答：", and the dash that
# opens a reply in Russian, French or Spanish interviews ("— После закрытия...").
ANSWER_PREFIX = re.compile(
    r"^\s*(?:(?:a|r|o|о|antwort|respuesta|réponse|reponse|risposta|resposta|antwoord|ответ|答)"
    r"\s*[:：]|[—–](?=\s))\s*(?=\S)",
    re.IGNORECASE,
)


# A paragraph that only says "Answer" between a question and its answer (a bold label).
_ANSWER_LABEL = re.compile(
    r"^(?:answer|antwort|respuesta|r[ée]ponse|risposta|resposta|antwoord|ответ|答|回答|答案|解答)"
    r"\s*[:：.]?$|^(?:a|r|o|о)\s*[:：]$",
    re.IGNORECASE,
)


MAX_PROMPT_WORDS = 80
_FIRST_QUESTION = re.compile(r"^.*?[?？؟][\"'”’»)）]*(?=\s)")


def split_prompt(text: str) -> tuple[str, str]:
    """'Q: What did you build? Three schools.' -> the prompt and the answer after it, when
    the answer shares the prompt's paragraph; ('Q: ...', '') when it does not."""
    match = _FIRST_QUESTION.match(text)
    if match is None:
        return text, ""
    return match.group(0), text[match.end() :].strip()


def is_answer_label(text: str, *, bold: bool) -> bool:
    """An answer's label on a line of its own: bold or with a colon ("**Ответ**", "答：");
    a plain "answer" line is text."""
    return (bold or text.endswith((":", "："))) and _ANSWER_LABEL.match(text) is not None


def question_rule(heading: str) -> Rule[NoLimits] | None:
    """The rule that makes `heading` a question, or None."""
    # Every stage asks this of the same candidate lines; only short ones are cached so the
    # cache stays small whatever the input.
    if len(heading) <= _MAX_CACHED_CHARS:
        return _cached_question_rule(heading)
    return _question_rule(heading)


def _question_rule(heading: str) -> Rule[NoLimits] | None:
    text = heading.strip()
    if INTERVIEW_PROMPT.match(text):
        return rules.INTERVIEW_PROMPT
    if "¿" in text and ("?" in text or "？" in text):
        return rules.INVERTED_QUESTION_MARK
    core = _without_trailing_closers(text)
    if not core:
        return None
    rule = _QUESTION_MARKS.get(core[-1])
    if rule is None:
        return rules.QUESTION_PARTICLE if core.endswith(_QUESTION_PARTICLE_ENDINGS) else None
    if core[-1] == "?" and core[:-1].endswith(("\u00a0", "\u202f", " ")):
        return rules.QUESTION_MARK_AFTER_SPACE
    return rule


_MAX_CACHED_CHARS = 400
_cached_question_rule = lru_cache(maxsize=4096)(_question_rule)


def _without_trailing_closers(text: str) -> str:
    end = len(text)
    while end and (text[end - 1] in _CLOSERS or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def is_question(heading: str) -> bool:
    return question_rule(heading) is not None


# "How to grow a lemon tree", "What to expect", "Wie man ...": an instruction or a topic,
# not a question, when no question mark says otherwise.
_INFINITIVE_NEXT = re.compile(
    r"^(?:(?:how|what|where|when|which|who|why)\s+to|wie\s+man|comment\s+faire)\b",
    re.IGNORECASE,
)


def opens_like_a_question(heading: str) -> bool:
    """Starts with a question word ("Как изменить размер диска", "什么时候移除") and is not a
    statement about the writer ("How we evaluated") nor an instruction ("How to ...")."""
    text = heading.strip()
    return (
        bool(_QUESTION_WORDS.match(text))
        and not _FIRST_PERSON_NEXT.match(text)
        and not _INFINITIVE_NEXT.match(text)
    )


# A statement closed by a tag question asks nothing: "…, right?", "…, isn't it?",
# "…, n'est-ce pas ?", "…, oder?", "…, ¿verdad?".
_TAG_QUESTION = re.compile(
    r"[,–—]\s*(?:\w+\s+){0,2}(?:right|isn['’]t it|aren['’]t they|don['’]t you|no|eh|okay|ok|"
    r"n['’]est-ce pas|nicht wahr|oder|¿?verdad|non|да|правда)\s*[?？]$",
    re.IGNORECASE,
)


def ends_with_tag_question(text: str) -> bool:
    return _TAG_QUESTION.search(text.strip()) is not None
