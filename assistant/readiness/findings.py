"""Findings: what an auditor would raise at each clause, graded by the grading table, with
the quotes that show it in their context (document, section, the sentences around it)."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.catalogue import Catalogue
from assistant.models import Disagreement, DocType, ElementFinding
from assistant.readiness.elements import about
from assistant.readiness.grading import PRESCRIBING, Facts, GradingRules
from assistant.readiness.models import ChecklistEntry, Finding, FreshnessFlag, Quote, RecordFinding, Severity
from assistant.text import sentences

GRADE_ORDER = (Severity.MAJOR, Severity.MINOR, Severity.OBSERVATION)
STATE_WORDS = {
    "absent": "Not addressed",
    "deferred": "Put off until later",
    "negated": "The documents say it is not done",
    "hedged": "Optional in the documents",
    "unclear": "Evidence unclear",
}
CONTEXT_CHARS = 600


class FindingBuilder:
    """Turns what the report found into graded findings, one workspace at a time."""

    def __init__(
        self,
        rules: GradingRules,
        catalogue: Catalogue,
        texts: Mapping[str, str],
        kinds: Mapping[str, DocType],
        addressed: Mapping[str, set[str]] | None = None,
    ) -> None:
        """``addressed``: for each document, the clauses it is mostly about (all, when None)."""
        self._rules = rules
        self._catalogue = catalogue
        self._texts = texts
        self._kinds = kinds
        self._addressed = addressed
        self._sentences: dict[str, list[str]] = {}

    def _finding(self, facts: Facts, clause_id: str, summary: str, **extra) -> Finding:
        rule = self._rules.rule(facts)
        return Finding(
            clause_id=clause_id,
            grade=rule.grade,
            source=facts.source,
            state=facts.state,
            rule=rule.id,
            why=rule.why,
            summary=summary,
            **extra,
        )

    def element(self, finding: ElementFinding, state: str) -> Finding:
        element = self._catalogue.element(finding.element_id)
        kind = self._kinds.get(finding.document or "")
        facts = Facts(
            "element",
            state,
            required=element.documented,
            prescribed=kind in PRESCRIBING if kind else False,
            named=bool(finding.matched_cues) and self._addresses(finding.document, finding.clause_id),
        )
        quoted = self.quote(finding.document, finding.section or "", finding.quote) if finding.document else None
        quotes = [quoted] if quoted and finding.quote else []
        return self._finding(
            facts,
            finding.clause_id,
            f"{STATE_WORDS.get(state, state)}: {element.statement}",
            element_id=element.id,
            quotes=quotes,
            documents=[finding.document] if finding.document else [],
        )

    def _addresses(self, document: str | None, clause_id: str) -> bool:
        if self._addressed is None:
            return True
        return bool(document) and about(self._addressed.get(document or "", ()), clause_id)

    def clause_absent(self, clause_id: str) -> Finding:
        title = self._catalogue.get(clause_id).title
        return self._finding(Facts("clause", "absent"), clause_id, f"No document evidences {clause_id} {title}.")

    def checklist(self, entry: ChecklistEntry) -> list[Finding]:
        if not entry.finding:
            return []
        summary = f"{entry.label}: {entry.note}" if entry.note else entry.label
        return [
            self._finding(Facts("checklist", entry.finding), c, summary, documents=entry.documents)
            for c in entry.clauses
        ]

    def freshness(self, flag: FreshnessFlag) -> list[Finding]:
        return [
            self._finding(
                Facts("freshness", flag.kind),
                c,
                f"{flag.document}: {flag.detail}",
                documents=[flag.document],
            )
            for c in flag.clause_ids
        ]

    def register(self, record: RecordFinding) -> list[Finding]:
        return [
            self._finding(
                Facts("register", record.kind), c, f"{record.document}: {record.detail}", documents=[record.document]
            )
            for c in record.clause_ids
        ]

    def inconsistency(self, d: Disagreement) -> list[Finding]:
        quoted = (
            self.quote(p.source, p.section, _sentence_with(p.text, v))
            for v, p in zip(d.values, d.statements, strict=True)
        )
        quotes = [q for q in quoted if q is not None]  # a statement its document no longer holds has no quote
        summary = f"{d.topic}: " + " vs ".join(f"{v} ({p.source})" for v, p in zip(d.values, d.statements, strict=True))
        docs = sorted({p.source for p in d.statements})
        return [
            self._finding(Facts("inconsistency", "disagree"), c, summary, documents=docs, quotes=quotes)
            for c in d.clause_ids
        ]

    def quote(self, document: str, section: str, sentence: str | None) -> Quote | None:
        """The sentence with the one before and after it in the document; None when the
        document does not hold it (a finding about what is absent has nothing to quote)."""
        if not sentence:
            return None
        found = self._sentences.get(document)
        if found is None:
            found = self._sentences[document] = sentences(self._texts.get(document, ""))
        index = next((i for i, s in enumerate(found) if sentence in s or (len(s) > 20 and s in sentence)), None)
        if index is None:
            return None
        context = " ".join(found[max(0, index - 1) : index + 2])
        return Quote(document=document, section=section, sentence=sentence, context=context[:CONTEXT_CHARS])


def _sentence_with(text: str, value: str) -> str:
    """The sentence of a passage that states a value (the whole passage when none does)."""
    return next((s for s in sentences(text) if value.lower() in s.lower()), text[:300])


def ordered(findings: list[Finding]) -> list[Finding]:
    """Majors first, then minors, then observations; stable within a grade."""
    return sorted(findings, key=lambda f: GRADE_ORDER.index(f.grade))
