"""Which questions a session asks, in what order: matched to the target, the
organization's weak spots first, then as an auditor would (open, evidence, edge case)."""

from __future__ import annotations

import random
import re

from assistant.catalogue import Catalogue
from assistant.errors import InvalidInput
from assistant.interviews.bank import ROLES, STAGE_ORDER, BankQuestion, QuestionBank
from assistant.interviews.models import TargetKind
from assistant.text import CLAUSE_NUMBER

ROLE_SYNONYMS = {
    "service desk": "service desk agent",
    "service desk analyst": "service desk agent",
    "help desk": "service desk agent",
    "helpdesk": "service desk agent",
    "agent": "service desk agent",
    "management": "top management",
    "ceo": "top management",
    "director": "top management",
    "executive": "top management",
    "auditor": "internal auditor",
    "sms owner": "SMS manager",
    "sms coordinator": "SMS manager",
    "ciso": "information security manager",
    "security manager": "information security manager",
    "capacity manager": "capacity/availability manager",
    "availability manager": "capacity/availability manager",
    "slm": "service level manager",
    "continuity": "continuity manager",
    "supplier": "supplier manager",
}
_CLAUSE_ID = re.compile(r"^(?:clause\s*)?(" + CLAUSE_NUMBER + r")$", re.I)


def resolve_target(text: str, catalogue: Catalogue) -> tuple[TargetKind, str, list[str]]:
    """(kind, canonical target, clause ids) for a clause id, a role or a process name."""
    cleaned = " ".join(text.split()).strip()
    if not cleaned:
        raise InvalidInput("give a target: a clause (8.5.1), a process (change management) or a role")
    if m := _CLAUSE_ID.match(cleaned):
        clause_id = m.group(1)
        catalogue.get(clause_id)  # raises UnknownClause with a helpful message
        return TargetKind.CLAUSE, clause_id, [clause_id]
    lower = cleaned.lower()
    for role in ROLES:
        if lower in (role.lower(), role.lower() + "s"):
            return TargetKind.ROLE, role, []
    if lower in ROLE_SYNONYMS:
        return TargetKind.ROLE, ROLE_SYNONYMS[lower], []
    clause_ids = catalogue.resolve(cleaned)
    if clause_ids:
        return TargetKind.PROCESS, cleaned, clause_ids
    raise InvalidInput(
        f"I don't know the target {cleaned!r}: use a clause id (e.g. 8.5.1), a process "
        f"(e.g. change management) or a role ({', '.join(ROLES[:4])}, …)"
    )


def candidates(
    bank: QuestionBank, catalogue: Catalogue, kind: TargetKind, target: str, clause_ids: list[str]
) -> list[BankQuestion]:
    if kind is TargetKind.ROLE:
        return [q for q in bank.questions if target in q.roles]

    def matches(q: BankQuestion) -> bool:
        return any(catalogue.is_within(c, t) or catalogue.is_within(t, c) for c in q.clauses for t in clause_ids)

    return [q for q in bank.questions if matches(q)]


def plan_session(pool: list[BankQuestion], length: int, seed: int, weak_first: list[str]) -> list[str]:
    """Question ids: those probing the organization's weak elements first (in the order
    given), then the auditor's usual focus: open, evidence, edge, shuffled within a stage
    by ``seed``. No question is planned twice."""
    if not pool:
        return []
    by_id = {q.id: q for q in pool}
    chosen = list(dict.fromkeys(q for q in weak_first if q in by_id))[:length]
    rng = random.Random(seed)
    rest = [q for q in pool if q.id not in chosen]
    rng.shuffle(rest)
    rest.sort(key=lambda q: STAGE_ORDER[q.stage])
    chosen += [q.id for q in rest[: max(0, length - len(chosen))]]
    return chosen
