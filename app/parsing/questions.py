"""Is a heading a question? Named rules over several scripts and interview conventions."""

from __future__ import annotations

import re

# Closing brackets, quotes and spaces that may follow the question mark: "?)", "？）", "?»".
_TRAILING_CLOSERS = re.compile(r"[\s)\]}）】」』〕》〉\"'“”‘’«»‹›]+$")
_QUESTION_MARKS = {
    "?": "question_mark",
    "？": "fullwidth_question_mark",
    "؟": "arabic_question_mark",
    "⸮": "question_mark",
}
# "Q:", "Q.", "Frage:", "Pregunta:", "Question :", "В:", "Вопрос:", "问：", "問：".
# Single letters other than Q need a colon: "F. Scott Fitzgerald" is no prompt.
INTERVIEW_PROMPT = re.compile(
    r"^\s*(?:q\s*[:：.)\]]|(?:f|p|в|frage|pregunta|question|domanda|pergunta|vraag|вопрос|问|問|提问)"
    r"\s*[:：])\s*(?=\S)",
    re.IGNORECASE,
)
# "A:", "Antwort:", "R:", "Respuesta:", "Réponse :", "О:", "Ответ:", "答：".
ANSWER_PREFIX = re.compile(
    r"^\s*(?:a|r|o|о|antwort|respuesta|réponse|reponse|risposta|resposta|antwoord|ответ|答)"
    r"\s*[:：]\s*(?=\S)",
    re.IGNORECASE,
)


def question_rule(heading: str) -> str | None:
    """Name of the rule that makes `heading` a question, or None."""
    text = heading.strip()
    if INTERVIEW_PROMPT.match(text):
        return "interview_prompt"
    if "¿" in text and ("?" in text or "？" in text):
        return "inverted_question_mark"
    core = _TRAILING_CLOSERS.sub("", text)
    if not core:
        return None
    rule = _QUESTION_MARKS.get(core[-1])
    if rule is None:
        return None
    if core[-1] == "?" and core[:-1].endswith(("\u00a0", "\u202f", " ")):
        return "question_mark_after_space"
    return rule


def is_question(heading: str) -> bool:
    return question_rule(heading) is not None


def is_prompt(text: str) -> bool:
    """A run-in bold lead-in that asks something: a question or a 'Q:' interview prompt."""
    return is_question(text) or INTERVIEW_PROMPT.match(text) is not None
