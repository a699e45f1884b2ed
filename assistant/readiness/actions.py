"""The actions to take before the audit, from the graded findings.

Ordered as an auditor would rank them: grade first, then what a Stage 1 auditor reviews,
then clause order. Each says what to do, who typically owns it and the evidence that closes
it. Majors and the findings that name a document, a register or a date are always listed;
the rest (one element of one clause) fill the list up to its length."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assistant.catalogue import Catalogue
from assistant.readiness.checklist import STAGE1
from assistant.readiness.findings import GRADE_ORDER
from assistant.readiness.grading import GradingRules
from assistant.readiness.models import Action, ClauseReadiness, Finding, Severity

MAX_ACTIONS = 10
# Findings about a named document, register or date: never crowded out by element findings.
SPECIFIC = frozenset({"checklist", "freshness", "register", "inconsistency"})
STAGE1_CLAUSES = frozenset(c for spec in STAGE1 for c in spec.clauses)


@dataclass(frozen=True, slots=True)
class _Sort:
    grade: int
    stage1: int
    clause: int


class ActionPlanner:
    def __init__(self, rules: GradingRules, catalogue: Catalogue) -> None:
        self._rules = rules
        self._catalogue = catalogue
        self._order = {c.id: i for i, c in enumerate(catalogue)}

    def plan(self, clauses: list[ClauseReadiness], limit: int = MAX_ACTIONS) -> list[Action]:
        findings = [f for c in clauses for f in c.findings]
        actions = self._stage1_missing(findings) + self._absent(findings) + self._specific(findings)
        actions += self._per_clause(findings)
        actions.sort(key=self._key)
        kept = [a for a in actions if a.severity is Severity.MAJOR or a.source in SPECIFIC]
        rest = [a for a in actions if a not in kept]
        kept += rest[: max(0, limit - len(kept))]
        return sorted(kept, key=self._key)

    def _key(self, action: Action) -> tuple[int, int, int]:
        stage1 = 2 if action.source == "checklist" else 1 if action.stage1 else 0
        first = min((self._order.get(c, 10_000) for c in action.clause_ids), default=10_000)
        return GRADE_ORDER.index(action.severity), -stage1, first

    def _action(
        self, finding: Finding, subject: str, detail: str, clause_ids: list[str], documents: Iterable[str]
    ) -> Action:
        rule = next(r for r in self._rules.rules if r.id == finding.rule)
        clause = self._catalogue.get(clause_ids[0])
        records = "; ".join(clause.records_sampled[:2]) or "the records of the process"
        fill = {"subject": subject, "detail": detail, "records": records}
        return Action(
            severity=finding.grade,
            title=rule.do.format(**fill),
            detail=detail,
            clause_ids=clause_ids,
            documents=sorted(set(documents)),
            owner=self._rules.owner(clause_ids[0]),
            closes=rule.closes.format(**fill),
            stage1=any(c in STAGE1_CLAUSES for c in clause_ids),
            source=finding.source,
        )

    def _stage1_missing(self, findings: list[Finding]) -> list[Action]:
        """Every absent Stage 1 document in one action: they are written together."""
        missing = [f for f in findings if f.source == "checklist" and f.state == "missing"]
        if not missing:
            return []
        labels = list(dict.fromkeys(f.summary.split(":")[0] for f in missing))
        clause_ids = list(dict.fromkeys(f.clause_id for f in missing))
        return [self._action(missing[0], "; ".join(labels), "none was found", clause_ids, [])]

    def _absent(self, findings: list[Finding]) -> list[Action]:
        """Clauses with no evidence at all, one action per clause group."""
        absent = [f for f in findings if f.source == "clause" and f.state == "absent"]
        groups: dict[str, list[Finding]] = {}
        for f in absent:
            groups.setdefault(self._catalogue.get(f.clause_id).group, []).append(f)
        out = []
        for members in groups.values():
            ids = [f.clause_id for f in members]
            subject = ", ".join(f"{c} {self._catalogue.get(c).title}" for c in ids)
            out.append(self._action(members[0], subject, f"no document evidences {', '.join(ids)}", ids, []))
        return out

    def _specific(self, findings: list[Finding]) -> list[Action]:
        """One action per checklist, freshness, register or inconsistency finding (a finding
        that names several clauses gives one action)."""
        seen: dict[tuple[str, str, str], Action] = {}
        for f in findings:
            if f.source not in SPECIFIC or (f.source == "checklist" and f.state == "missing"):
                continue
            key = (f.source, f.state, f.summary)
            if key in seen:
                if f.clause_id not in seen[key].clause_ids:
                    seen[key].clause_ids.append(f.clause_id)
                continue
            subject, _, detail = f.summary.partition(": ")
            seen[key] = self._action(f, subject, detail or f.summary, [f.clause_id], f.documents)
        return list(seen.values())

    def _per_clause(self, findings: list[Finding]) -> list[Action]:
        """Element findings: one action per clause and grade, led by its first finding."""
        grouped: dict[tuple[str, Severity], list[Finding]] = {}
        for f in findings:
            if f.source == "element":
                grouped.setdefault((f.clause_id, f.grade), []).append(f)
        out = []
        for (clause_id, _), members in grouped.items():
            lead = members[0]
            element = self._catalogue.element(lead.element_id) if lead.element_id else None
            subject = element.statement if element else lead.summary
            detail = "; ".join(f.summary for f in members[:3])
            if len(members) > 3:
                detail += f"; and {len(members) - 3} more"
            docs = [d for f in members for d in f.documents]
            out.append(self._action(lead, _lower_first(subject), detail, [clause_id], docs))
        return out


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
