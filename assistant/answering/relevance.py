"""Does a picked sentence answer what was asked, or only mention the same names?

"Who is the chief executive of Harbour Logistics?" retrieves every sentence about Harbour
Logistics, and a bi-encoder scores them high because of the shared name. Masking the names
(capitalised words inside the question) from both sides leaves what is being asked about —
"who is the chief executive of" — to be compared with what each sentence says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.ports import Embedder

ANSWERS_MIN = 0.39  # below this, the sentences share names with the question but not its subject
_NAME = re.compile(r"(?<=\s)([A-Z][\w'’-]*(?:\s+(?:of\s+|&\s+)?[A-Z][\w'’-]*)*)")


def names_in(question: str) -> list[str]:
    """Capitalised words and runs of them after the first word: names, places, acronyms."""
    return sorted({m.group(1) for m in _NAME.finditer(" " + question.strip()[1:])}, key=len, reverse=True)


def mask(text: str, names: Sequence[str]) -> str:
    for name in names:
        base = re.sub(r"['’]s?$", "", name)
        text = re.sub(r"\b" + re.escape(base) + r"(?:['’]s?)?", " ", text, flags=re.I)
    return re.sub(r"\s+", " ", text).strip()


def answer_similarity(question: str, sentences: Sequence[str], embedder: Embedder) -> float:
    """Best cosine between the question and a sentence, both with the question's names masked."""
    if not sentences:
        return 0.0
    names = names_in(question)
    vectors = embedder.embed_documents([mask(s, names) or s for s in sentences])
    query = embedder.embed_query(mask(question, names) or question)
    return float(np.max(vectors @ query))
