"""Element checks the similarity search cannot make on its own.

The evidence check cites the passage most similar to each requirement element, so a
procedure *about* problem management evidences "problems are identified proactively" even
when it never mentions trend analysis, and a plan that defers its forecast still reads as
a capacity plan. Two document-level rules close that gap:

- **deferral**: a sentence that names an element's subject and puts it off ("scheduled for
  January 2027", "will be prepared once ...") means the element is not yet in place;
- **absence**: an element none of whose specific cues appears in any document that
  addresses its clause is not evidenced, however similar the nearest passage reads.

And two in the other direction. **Corroboration**: an element the similarity search rated
weak is evidenced when a passage of a document addressing its clause names several of its
specific cues without hedging them (an "Exclusions" table in the scope statement).
**Planning is not hedging**: "the next management review is scheduled for ..." states a
recurring plan; it does not qualify the evidence the way "testing is scheduled" does.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.answering.evidence import EVIDENCED, NEGATION, STRONG, best_sentence, qualifying_sentence
from assistant.catalogue import Catalogue, Element
from assistant.knowledge_files import read_validated
from assistant.models import ElementFinding, ElementStatus, Passage
from assistant.text import content_terms, sentences

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_PERIOD = (
    rf"(?:(?:early|mid|late|the end of)[ -])?(?:{_MONTH}\s+20\d\d|Q[1-4]\s+20\d\d|20\d\d\b|"
    r"(?:the )?(?:first|second|third|fourth) (?:quarter|half) of 20\d\d)"
)
DEFERRAL = re.compile(
    rf"\b(?:scheduled|planned|deferred|postponed) (?:for|until|to) {_PERIOD}|"
    r"\bwill be (?:prepared|produced|developed|drafted|written|defined|carried out|completed|performed|"
    r"established|introduced|agreed) (?:once|when|after|following)\b|"
    r"\b(?:is|are) being (?:prepared|developed|drafted|planned)\b",
    re.I,
)
_PLANNED = re.compile(r"(?:testing|test|review|assessment) (?:is|are|was) (?:planned|scheduled)", re.I)
_RECURRING = re.compile(r"\bnext\b", re.I)  # "the next review is scheduled for ..." is planning, not deferral
# A cue is specific when one of its terms is rare across the catalogue's elements.
SPECIFIC_DF = 3
# Evidence with no cue at all must read this close to the element unless the documents that
# address the clause use the element's specific vocabulary somewhere. The report uses the
# value fitted by `python -m evals.readiness.fit` (knowledge/rules/readiness_fit.yaml); this
# one is the default before any fit.
LIKENESS_ALONE = 0.70
# ...or paraphrase it: this many of the statement's word pairs appear in those documents.
PARAPHRASE_PAIRS = 3
CORROBORATING_CUES = 2
RELEVANT_TAGS = 3


FIT_FILE = Path("rules") / "readiness_fit.yaml"


class _Fit(BaseModel):
    likeness_alone: float = Field(gt=0.0, lt=1.0)
    embedder: str
    fitted_on: list[str]


def fitted_likeness_alone(knowledge_dir: Path) -> float:
    """The likeness-alone threshold fitted on the fit organizations, or the default when no
    fit has been written yet."""
    path = knowledge_dir / FIT_FILE
    if not path.is_file():
        return LIKENESS_ALONE
    return read_validated(path, _Fit).likeness_alone


@dataclass(frozen=True, slots=True)
class Downgrade:
    """A reason to hold an element below "evidenced", with the sentence that shows it."""

    element_id: str
    document: str
    quote: str


def cue_hits(cues: Iterable[str], text: str) -> list[str]:
    """Cues a text contains: acronyms ("RTO", "PIR") by case, everything else in any case."""
    lower = text.lower()
    return [cue for cue in cues if _cue_pattern(cue).search(text if _acronym(cue) else lower)]


def _acronym(cue: str) -> bool:
    return cue.isupper() and len(cue) <= 6


@lru_cache(maxsize=4096)
def _cue_pattern(cue: str) -> re.Pattern[str]:
    word = cue if _acronym(cue) else cue.lower()
    return re.compile(r"(?<![\w])" + re.escape(word) + r"(?:s|es)?(?![\w])")


class ElementRules:
    """Deferral and absence checks over a workspace's documents, built once per report."""

    def __init__(self, catalogue: Catalogue, likeness_alone: float = LIKENESS_ALONE) -> None:
        self._catalogue = catalogue
        self._likeness_alone = likeness_alone
        elements = list(catalogue.elements.values())
        df: Counter[str] = Counter()
        for element in elements:
            df.update(set(content_terms(element.statement + " " + " ".join(element.cues))))
        self._df = df
        self._elements = elements

    def element(self, element_id: str) -> Element:
        return self._catalogue.element(element_id)

    def specific_cues(self, element: Element) -> list[str]:
        """The cues that name this element's subject rather than its clause's."""
        title = set(content_terms(self._catalogue.get(element.clause_id).title))
        return [
            cue
            for cue in element.cues
            if any(self._df[t] <= SPECIFIC_DF and t not in title for t in content_terms(cue))
        ]

    def deferrals(self, texts: Mapping[str, str], addressed: Mapping[str, set[str]]) -> list[Downgrade]:
        """Elements a document defers: those it names among the clauses the document
        addresses, else the element it names most exactly."""
        out: list[Downgrade] = []
        for source, text in texts.items():
            for sentence in sentences(text):
                m = DEFERRAL.search(sentence)
                if not m or _RECURRING.search(sentence[: m.start()]):
                    continue
                scored = [(self._match(e, sentence), e) for e in self._elements if e.documented]
                scored = [(s, e) for s, e in scored if s > 0]
                named = [e for _, e in scored if about(addressed.get(source, ()), e.clause_id)]
                if not named and scored:
                    best = max(s for s, _ in scored)
                    named = [e for s, e in scored if s >= best * 0.8]
                out.extend(Downgrade(e.id, source, sentence) for e in named)
        return out

    def _match(self, element: Element, sentence: str) -> float:
        hits = cue_hits(element.cues, sentence)
        if not hits:
            return 0.0
        return sum(len(h) for h in hits) + math.log1p(len(hits))

    def absences(
        self,
        clause_id: str,
        findings: Iterable[ElementFinding],
        texts: Mapping[str, str],
        relevant: list[str],
        passages: Iterable[Passage] = (),
    ) -> list[Downgrade]:
        """Elements evidenced by likeness alone, from a document addressing the clause, when no
        document addressing it names the element's specific cues or paraphrases it, and no
        passage elsewhere corroborates it (the SMS plan may state what a policy leaves out)."""
        if not relevant:
            return []
        pool = list(passages)
        corpus = "\n".join(texts.get(d, "") for d in relevant)
        corpus_pairs = _pairs(corpus)
        out: list[Downgrade] = []
        for finding in findings:
            element = self._catalogue.element(finding.element_id)
            if (
                finding.status is not ElementStatus.EVIDENCED
                or not element.documented
                or finding.matched_cues
                or finding.score >= self._likeness_alone
                or finding.document not in relevant
            ):
                continue
            specific = self.specific_cues(element)
            title = set(content_terms(self._catalogue.get(element.clause_id).title))
            pairs = {p for p in _pairs(element.statement) if not set(p) & title}
            if (
                specific
                and not cue_hits(specific, corpus)
                and len(pairs & corpus_pairs) < PARAPHRASE_PAIRS
                and not any(_corroborates(p, element, specific) for p in pool)
            ):
                where = ", ".join(relevant)
                out.append(Downgrade(element.id, finding.document or relevant[0], f"not mentioned in {where}"))
        return out


def corroborate(
    findings: list[ElementFinding], passages: Iterable[Passage], relevant: list[str], rules: ElementRules
) -> list[ElementFinding]:
    """Weak, unhedged findings upgraded where a passage of a document addressing the clause
    names several of the element's specific cues and does not hedge them."""
    pool = [p for p in passages if p.source in relevant]
    out = []
    for f in findings:
        element = rules.element(f.element_id)
        if f.status is not ElementStatus.WEAK or (f.quote and qualifying_sentence(f.quote, element)):
            out.append(f)
            continue
        specific = rules.specific_cues(element)
        support = next((p for p in pool if _corroborates(p, element, specific)), None)
        if support is None:
            out.append(f)
            continue
        hits = cue_hits(element.cues, f"{support.section} {support.text}")
        out.append(
            f.model_copy(
                update={
                    "status": ElementStatus.EVIDENCED,
                    "passage_id": support.id,
                    "document": support.source,
                    "section": support.section,
                    "quote": best_sentence(support.text, element),
                    "matched_cues": hits,
                }
            )
        )
    return out


def unhedge(findings: list[ElementFinding]) -> list[ElementFinding]:
    """Strong findings held weak only by a "next ... is scheduled" sentence, restored."""
    out = []
    for f in findings:
        strong = f.score >= STRONG or (f.score >= EVIDENCED and f.matched_cues)
        if f.status is ElementStatus.WEAK and strong and f.quote and _only_recurring_plans(f.quote):
            out.append(f.model_copy(update={"status": ElementStatus.EVIDENCED}))
        else:
            out.append(f)
    return out


def _only_recurring_plans(sentence: str) -> bool:
    hedges = list(NEGATION.finditer(sentence))
    return bool(hedges) and all(
        _PLANNED.fullmatch(m.group(0)) and _RECURRING.search(sentence[: m.start()]) for m in hedges
    )


def _corroborates(passage: Passage, element: Element, specific: list[str]) -> bool:
    text = f"{passage.section} {passage.text}"
    return (
        len(cue_hits(element.cues, text)) >= CORROBORATING_CUES
        and bool(cue_hits(specific, text))
        and not qualifying_sentence(passage.text, element)
    )


def _pairs(text: str) -> set[tuple[str, str]]:
    terms = content_terms(text)
    return set(zip(terms, terms[1:], strict=False))


def about(topics: Iterable[str], clause_id: str) -> bool:
    """Whether a document whose passages are most about ``topics`` addresses a clause: the
    clause is among them, or the group of sub-clauses it belongs to is (a change management
    handbook about 8.5.1 addresses the change policy 8.5.1.1), never a whole section (8)."""
    topics = set(topics)
    parent = clause_id.rsplit(".", 1)[0]
    return clause_id in topics or (clause_id.count(".") >= 2 and parent in topics)


def relevant_documents(tags: Mapping[str, Counter[str]], clause_id: str) -> list[str]:
    """Documents that address a clause: it is among the clauses their passages are most about."""
    return sorted(
        source for source, counts in tags.items() if about((c for c, _ in counts.most_common(RELEVANT_TAGS)), clause_id)
    )


def apply(findings: list[ElementFinding], downgrades: Iterable[Downgrade]) -> list[ElementFinding]:
    """Findings with each downgraded element held at "weak" and the reason quoted."""
    by_id = {d.element_id: d for d in downgrades}
    out = []
    for f in findings:
        d = by_id.get(f.element_id)
        if d is None or f.status is not ElementStatus.EVIDENCED:
            out.append(f)
            continue
        out.append(f.model_copy(update={"status": ElementStatus.WEAK, "document": d.document, "quote": d.quote}))
    return out


def addressed_clauses(tags: Mapping[str, Counter[str]]) -> dict[str, set[str]]:
    """For each document, the clauses its passages are most about."""
    return {source: {c for c, _ in counts.most_common(RELEVANT_TAGS)} for source, counts in tags.items()}


def clause_tags(passages: Iterable[Passage]) -> dict[str, Counter[str]]:
    """For each document, how many of its passages are tagged with each clause."""
    tags: dict[str, Counter[str]] = {}
    for p in passages:
        tags.setdefault(p.source, Counter()).update(p.clauses)
    return tags
