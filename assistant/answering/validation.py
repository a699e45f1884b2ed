"""Citation validation: every answer, from every generator, passes here before it leaves
the core. Invented clause ids, citations of passages that were never retrieved, and quotes
that are not verbatim in their passage are removed and recorded; an answer left with no
support abstains."""

from __future__ import annotations

import re

from assistant.catalogue import Catalogue
from assistant.models import Answer, Citation, RemovedCitation
from assistant.text import CLAUSE_NUMBER, normalize_ws, split_sentences

_MARKER = re.compile(r"\s?\[(\d{1,3})\]")
_CLAUSE_MENTION = re.compile(
    r"\b(?:clauses?|§|section)\s*("
    + CLAUSE_NUMBER
    + r")\b|(?<![\w.])(\d{1,2}\.\d{1,2}(?:\.\d{1,2}){0,2})(?![\w.]|\.\d)",
    re.I,
)


def _check(citation: Citation, catalogue: Catalogue, passages: dict) -> str | None:
    """The reason a citation is invalid, or None when it holds."""
    if citation.kind == "clause":
        if not citation.clause_id or citation.clause_id not in catalogue:
            return f"clause {citation.clause_id!r} does not exist in ISO/IEC 20000-1:2018"
        return None
    passage = passages.get(citation.chunk_id or "")
    if passage is None:
        return f"document citation {citation.document!r} does not point to a retrieved passage"
    if citation.document and citation.document != passage.source:
        return f"document {citation.document!r} is not the source of passage {passage.id}"
    if citation.quote is not None and normalize_ws(citation.quote) not in normalize_ws(passage.text):
        return f"quote is not verbatim in {passage.source}"
    return None


def validate_answer(answer: Answer, catalogue: Catalogue) -> Answer:
    """Return a copy of ``answer`` with only supported citations and clause mentions."""
    passages = {p.id: p for p in answer.passages}
    removed: list[dict[str, str]] = []
    kept: dict[int, Citation] = {}
    for citation in answer.citations:
        reason = _check(citation, catalogue, passages)
        if reason:
            removed.append({"marker": str(citation.marker), "reason": reason})
        else:
            kept[citation.marker] = citation

    text = _strip_invented_mentions(answer.text, catalogue, removed)
    text = _MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in kept else "", text)
    # Renumber markers 1..n in order of first appearance, then any unreferenced ones.
    order: list[int] = []
    for m in _MARKER.finditer(text):
        if int(m.group(1)) not in order:
            order.append(int(m.group(1)))
    order += [n for n in kept if n not in order]
    renumber = {old: new for new, old in enumerate(order, start=1)}
    text = _MARKER.sub(lambda m: f" [{renumber[int(m.group(1))]}]", text).strip()
    citations = [kept[old].model_copy(update={"marker": renumber[old]}) for old in order]

    elements = [
        f
        if (f.passage_id is None or f.passage_id in passages)
        else f.model_copy(update={"passage_id": None, "quote": None, "document": None})
        for f in answer.elements
    ]
    metadata = answer.metadata.model_copy(
        update={"removed_citations": [*answer.metadata.removed_citations, *(RemovedCitation(**r) for r in removed)]}
    )
    abstained = answer.abstained
    if not citations and not abstained:
        abstained = True
        text = (
            "I can't give a supported answer to this: none of the sources I found back it up. "
            "Try naming the clause or the document you mean."
        )
        metadata.abstain_reason = "no valid citation left after validation"
    return answer.model_copy(
        update={
            "text": text,
            "citations": citations,
            "elements": elements,
            "metadata": metadata,
            "abstained": abstained,
        }
    )


def _strip_invented_mentions(text: str, catalogue: Catalogue, removed: list[dict[str, str]]) -> str:
    """Drop sentences that name a clause number the catalogue does not hold."""
    out: list[str] = []
    for line in text.split("\n"):
        parts = split_sentences(line, strict=False)
        keep = []
        for sentence in parts:
            bad = [
                (m.group(1) or m.group(2))
                for m in _CLAUSE_MENTION.finditer(sentence)
                if (m.group(1) or m.group(2)) not in catalogue and _looks_like_clause(m, sentence)
            ]
            if bad:
                removed.append({"marker": "-", "reason": f"sentence names unknown clause {bad[0]}"})
                continue
            keep.append(sentence)
        if keep or not line.strip():
            out.append(" ".join(keep))
    return "\n".join(out)


def _looks_like_clause(match: re.Match, sentence: str) -> bool:
    if match.group(1):
        return True  # "clause 8.9.4" is a claim about a clause, whatever the number
    value = match.group(2)
    major = int(value.split(".")[0])
    window = sentence[max(0, match.start() - 12) : match.end() + 12].lower()
    if any(w in window for w in ("version", "v.", "%", "hours", "days", "minutes", "£", "$", "€")):
        return False
    return 4 <= major <= 10
