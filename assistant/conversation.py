"""Follow-up questions in a conversation (a Slack thread, for one): which messages are
questions, and what an answer service is told of the conversation so far.

The answer service takes one question. A follow-up ("and who chairs it?") only makes sense
with what came before, so the earlier questions and the gist of their answers travel with
it, newest first, inside the question-length limit; the new question always comes first
and whole, so it is what retrieval weighs most.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.text import split_sentences

MAX_EXCHANGES = 3
ANSWER_GIST_CHARS = 160
_MARKER = re.compile(r"\s*\[\d+\]")


@dataclass(frozen=True, slots=True)
class Exchange:
    """One question of a conversation and the answer it got."""

    question: str
    answer: str


def is_question(*, mentioned: bool, author: str, asker: str | None) -> bool:
    """In a conversation someone started, a message is a question only when it names the
    assistant or comes from the person who asked; other people's chatter ("thanks!") is not."""
    return mentioned or (asker is not None and author == asker)


def gist(answer: str, limit: int = ANSWER_GIST_CHARS) -> str:
    """An answer's first sentence without citation markers, cut to ``limit``."""
    text = _MARKER.sub("", " ".join(answer.split()))
    first = next(iter(split_sentences(text, strict=False)), "")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def with_context(question: str, history: Sequence[Exchange], limit: int) -> str:
    """``question`` followed by as much of ``history`` (oldest first in, newest kept first)
    as fits in ``limit`` characters."""
    if limit < 1:
        raise ValueError(f"limit must be positive; got {limit}")
    question = question.strip()[:limit]
    lines: list[str] = []
    used = len(question) + len("\n\nEarlier in this conversation:")
    for exchange in reversed(history[-MAX_EXCHANGES:]):
        line = f"\n- Q: {exchange.question.strip()} A: {gist(exchange.answer)}"
        if used + len(line) > limit:
            break
        lines.insert(0, line)
        used += len(line)
    if not lines:
        return question
    return question + "\n\nEarlier in this conversation:" + "".join(lines)
