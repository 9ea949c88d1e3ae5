"""Interview conventions that need the whole article to see: a statement set in the same
bold run-in style as the questions around it is a prompt too."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.parsing.blocks import Block, word_count
from app.parsing.questions import INTERVIEW_PROMPT
from app.parsing.rules import STATEMENT_PROMPT
from app.parsing.spans import with_spans_from

# A statement prompt is a sentence: it ends like one, not like a label ("Note:", "Photo:").
_SENTENCE_END = re.compile(r"[.!…»”\"')]$")


def promote_statement_leads(blocks: Sequence[Block]) -> list[Block]:
    """Blocks whose bold lead-in states something become prompts when the article's other
    bold lead-ins are questions; otherwise the blocks are returned as they are."""
    # Bold run-in questions; "Q: ..." prompts are another convention and do not count.
    questions = sum(
        1
        for block in blocks
        if block.prompt is not None and INTERVIEW_PROMPT.match(block.prompt) is None
    )
    statements = [block for block in blocks if block.lead is not None]
    limits = STATEMENT_PROMPT.limits
    if not statements or questions < limits.min_question_leads:
        return list(blocks)
    if questions < limits.min_question_share * (questions + len(statements)):
        return list(blocks)
    return [_as_prompt(block) if _is_statement_prompt(block) else block for block in blocks]


def _is_statement_prompt(block: Block) -> bool:
    lead = block.lead
    return (
        lead is not None
        and word_count(lead) >= STATEMENT_PROMPT.limits.min_words
        and _SENTENCE_END.search(lead) is not None
        and block.text.startswith(lead)
    )


def _as_prompt(block: Block) -> Block:
    lead = block.lead or ""
    rest = block.text[len(lead) :].strip()
    promoted = block._replace(text=rest, prompt=lead, lead=None)
    return with_spans_from(promoted, block.text, block.spans)
