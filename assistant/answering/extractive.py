"""The default generator: offline and deterministic, it composes answers from the most
relevant sentences of the retrieved passages and from the catalogue's own words."""

from __future__ import annotations

from assistant.answering.context import AnswerContext, CitationBook
from assistant.answering.direct import lead_for
from assistant.answering.relevance import states_what_is_asked
from assistant.answering.routing import about_us
from assistant.answering.sentences import pick_sentences
from assistant.calibration import Thresholds
from assistant.catalogue import Catalogue
from assistant.evidence.compose import ANSWER_WORDS, MAX_SUPPORT, choose_units, in_scope, without_repeats
from assistant.evidence.rules import AnswerTypes
from assistant.evidence.selector import ScoredUnit
from assistant.models import (
    Answer,
    DocType,
    ElementFinding,
    ElementStatus,
    Intent,
    Origin,
    Passage,
    Verdict,
)
from assistant.ports import Embedder
from assistant.text import normalize_ws

ABSTAIN_ORG = 0.40  # below this dense similarity, the workspace holds nothing on the topic
ABSTAIN_STANDARD = 0.38
EVIDENCE_SENTENCES = 5  # what the documents say comes first; the element findings follow
EVIDENCE_WORDS = 130
MIN_SHARE = 0.5  # without a clause to steer, a sentence must share half the question's content words
FINDINGS_SHOWN = 4
LOOKUP_MIN_WORDS = 5  # "Role: CAB;" fragments of a table row say too little on their own
EVIDENCE_GAPS = 2  # the requirements an auditor will ask about, nearest the question first
_VERDICT_LEAD = {
    Verdict.COVERED: "Yes: your documents cover {clause} [{marker}].",
    Verdict.PARTIAL: "Partly: your documents cover {clause} [{marker}] only in part.",
    Verdict.NOT_COVERED: "No: your documents do not cover {clause} [{marker}].",
    Verdict.CONSISTENT: "Yes: what your documents say is consistent with {clause} [{marker}].",
    Verdict.INCONSISTENT: "No: what your documents say is not consistent with {clause} [{marker}].",
}
_GUIDANCE_LABEL = "From the ISO/IEC 20000-1 guidance (what auditors typically expect, not your documents):"
_STATUS_LABEL = {
    ElementStatus.EVIDENCED: "Evidenced",
    ElementStatus.WEAK: "Weak",
    ElementStatus.NOT_FOUND: "Not found",
}


class ExtractiveGenerator:
    """Answers shaped by intent, every sentence taken from a cited source."""

    name = "extractive"

    def __init__(
        self,
        catalogue: Catalogue,
        embedder: Embedder | None = None,
        thresholds: Thresholds | None = None,
        answer_types: AnswerTypes | None = None,
    ) -> None:
        self._catalogue = catalogue
        self._embedder = embedder  # for the relevance check of fact lookups; skipped without one
        self._thresholds = thresholds  # fitted; without them lookups fall back to term overlap
        self._answer_types = answer_types  # which cell of a table row answers; rows lead whole without

    def generate(self, ctx: AnswerContext) -> Answer:
        book = CitationBook(self._catalogue)
        handler = {
            Intent.CLAUSE: self._clause,
            Intent.EVIDENCE: self._evidence,
            Intent.READINESS: self._readiness,
            Intent.PROCESS: self._process,
            Intent.GENERAL: self._general,
        }[ctx.intent]
        if ctx.unknown_clauses:
            text, abstained, confidence = self._no_such_clause(ctx)
        elif ctx.unknown_names:
            text, abstained, confidence = self._not_covered(ctx)
        else:
            text, abstained, confidence = handler(ctx, book)
        findings = [f for check in ctx.checks for f in check.findings]
        return Answer(
            question=ctx.question,
            workspace=ctx.workspace,
            intent=ctx.intent,
            text=text.strip(),
            verdict=ctx.verdict,
            elements=findings,
            citations=book.citations,
            passages=ctx.passages,
            disagreements=ctx.disagreements,
            clauses=ctx.clauses,
            confidence=round(confidence, 3),
            abstained=abstained,
            generator=self.name,
        )

    # -- intents ---------------------------------------------------------------------
    def _clause(self, ctx: AnswerContext, book: CitationBook) -> tuple[str, bool, float]:
        if not ctx.clauses:
            return self._general(ctx, book)
        lines: list[str] = []
        for clause_id in ctx.clauses[:2]:
            clause = self._catalogue.get(clause_id)
            m = book.clause(clause_id)
            lines.append(f"Clause {clause.id} {clause.title} [{m}]: {clause.intent.strip()}")
            elements = self._catalogue.elements_for(clause_id)
            if elements:
                lines.append("An auditor checks that:")
                lines += [f"- {e.statement}" for e in elements[:5]]
            if clause.documented_information:
                lines.append("Documented information expected: " + "; ".join(clause.documented_information[:4]) + ".")
        org = [p for p in ctx.retrieved.organization if p.similarity >= ABSTAIN_ORG]
        picks = pick_sentences(ctx.question + " " + " ".join(ctx.clauses), org, max_sentences=1, max_words=50)
        if picks:
            p = picks[0]
            lines.append(f'In your documents: "{p.sentence}" [{book.passage(p.passage, p.sentence)}]')
        return "\n".join(lines), False, 0.9

    def _evidence(self, ctx: AnswerContext, book: CitationBook) -> tuple[str, bool, float]:
        if ctx.scored is not None and self._thresholds is not None and ctx.checks and ctx.verdict:
            return self._judged_evidence(ctx, book)
        org = [p for p in ctx.retrieved.organization if p.doc_type is not DocType.CLAUSE]
        findings = [f for c in ctx.checks for f in c.findings]
        any_evidence = any(f.status is not ElementStatus.NOT_FOUND for f in findings)
        if ctx.org_documents == 0 or (ctx.retrieved.best_org_similarity < ABSTAIN_ORG and not any_evidence):
            return self._abstain_org(ctx, book)
        lines: list[str] = []
        relevant = [p for p in org if p.similarity >= ABSTAIN_ORG] or org[:2]
        picks = pick_sentences(
            ctx.question,
            relevant,
            max_sentences=EVIDENCE_SENTENCES,
            max_words=EVIDENCE_WORDS,
            min_share=0.0 if ctx.checks else MIN_SHARE,
            min_words=LOOKUP_MIN_WORDS,
        )
        if not ctx.checks and not picks:
            return self._abstain_org(ctx, book)
        if picks:
            lines.append("Your documents say:")
            for p in picks:
                lines.append(f'- "{p.sentence}" [{book.passage(p.passage, p.sentence)}]')
        for check in ctx.checks[:2]:
            clause = self._catalogue.get(check.clause_id)
            m = book.clause(clause.id)
            shown = self._focus(ctx, check.findings)
            lines.append(self._verdict_line(ctx, clause.id, clause.title, m, check.findings, check.verdict))
            for f in shown:
                lines.append(self._finding_line(f, ctx, book))
        for d in ctx.disagreements[:2]:
            refs = [
                f"{v} in {p.file_name} [{book.passage(p, self._quote_for(p, v))}]"
                for v, p in zip(d.values, d.statements, strict=True)
            ]
            lines.append(f"Your documents disagree on {d.topic}: " + " versus ".join(refs) + ".")
        if not lines:
            return self._abstain_org(ctx, book)
        confidence = 0.5 + 0.5 * (sum(f.status is ElementStatus.EVIDENCED for f in findings) / max(1, len(findings)))
        return "\n".join(lines), False, confidence

    def _readiness(self, ctx: AnswerContext, book: CitationBook) -> tuple[str, bool, float]:
        if ctx.org_documents == 0:
            return self._abstain_org(ctx, book)
        lines: list[str] = []
        guidance = [p for p in ctx.retrieved.standard if p.doc_type is DocType.GUIDANCE]
        for p in pick_sentences(ctx.question + " stage 1 documents reviewed", guidance, max_sentences=2, max_words=60):
            lines.append(f"{p.sentence} [{book.passage(p.passage, p.sentence)}]")
        by_source = {p.source: p for p in ctx.extra_passages}
        present = [i for i in ctx.checklist if i.status.value == "present"]
        lines.append(f"Stage 1 checklist: {len(present)} of {len(ctx.checklist)} items found in your documents.")
        for item in ctx.checklist:
            refs = []
            for source in item.documents[:2]:
                passage = by_source.get(source)
                if passage is not None:
                    quote = _first_sentence(passage.text)
                    refs.append(f"{passage.file_name} [{book.passage(passage, quote)}]")
            status = item.status.value
            detail = "; ".join(x for x in (", ".join(refs), item.note) if x)
            lines.append(f"- {item.label}: {status}" + (f" ({detail})" if detail else ""))
        lines.append(
            "Stage 1 most often fails because the internal audit or the management review has not "
            f"been done [{book.clause('9.2')}][{book.clause('9.3')}]. The readiness report gives the "
            "clause-by-clause picture."
        )
        return "\n".join(lines), False, 0.7

    def _process(self, ctx: AnswerContext, book: CitationBook) -> tuple[str, bool, float]:
        std = [p for p in ctx.retrieved.standard if p.doc_type is DocType.GUIDANCE] or ctx.retrieved.standard
        best = max((p.similarity for p in std), default=0.0)
        if best < ABSTAIN_STANDARD:
            return self._abstain_all(ctx)
        picks = pick_sentences(ctx.question, std, max_sentences=4, max_words=110)
        if not picks or not states_what_is_asked(ctx.question, [p.sentence for p in picks]):
            return self._abstain_all(ctx)
        lines = [f"{p.sentence} [{book.passage(p.passage, p.sentence)}]" for p in picks]
        if about_organization(ctx):
            # a question about us answered from the knowledge base: never as the organization's facts
            lines.insert(0, _GUIDANCE_LABEL)
        for clause_id in ctx.clauses[:2]:
            clause = self._catalogue.get(clause_id)
            lines.append(f"See clause {clause.id} {clause.title} [{book.clause(clause.id)}].")
        return "\n".join(lines), False, min(1.0, best + 0.2)

    def _general(self, ctx: AnswerContext, book: CitationBook) -> tuple[str, bool, float]:
        """A fact lookup: from the organization's documents when the question is about them,
        else from whichever source states it, guidance labelled as guidance."""
        if ctx.scored is None or self._thresholds is None:
            return self._abstain_all(ctx)  # nothing was ranked: no calibration was loaded
        return self._lookup(ctx, book)

    def _lookup(self, ctx: AnswerContext, book: CitationBook) -> tuple[str, bool, float]:
        """The unit the fitted selector ranks first, said first with where it is stated;
        then the few units that add to it. Knowledge-base units are labelled as guidance and
        never stand in for the organization's own facts."""
        assert ctx.scored is not None and self._thresholds is not None
        scored = in_scope(ctx.scored, ctx.profile, about_organization(ctx))
        chosen = [] if ctx.unanswered else choose_units(scored, self._thresholds)
        if not chosen:
            if about_organization(ctx):
                return self._nothing_in_documents(ctx)
            return self._abstain_all(ctx)
        first = chosen[0]
        lead = lead_for(first.unit, ctx.profile, self._answer_types)
        marker = book.passage(first.unit.passage, first.unit.quote)
        lines = [f"{lead.text[:-1]} [{marker}]."]
        support = ([first] if lead.partial else []) + chosen[1:]
        lines += [f"- {self._quoted(s, book)}" for s in _within(support[:MAX_SUPPORT], ANSWER_WORDS - _words(lines))]
        for clause_id in ctx.clauses[:1]:
            clause = self._catalogue.get(clause_id)
            lines.append(f"Relevant clause: {clause.id} {clause.title} [{book.clause(clause.id)}].")
        return "\n".join(lines), False, chosen[0].probability

    def _judged_evidence(self, ctx: AnswerContext, book: CitationBook) -> tuple[str, bool, float]:
        """The verdict in plain words first; then what the documents say (the units the
        fitted selector ranks best); then the elements an auditor will ask about."""
        assert ctx.scored is not None and self._thresholds is not None and ctx.verdict is not None
        check = ctx.checks[0]
        clause = self._catalogue.get(check.clause_id)
        findings = check.findings
        ev = sum(f.status is ElementStatus.EVIDENCED for f in findings)
        lead = _VERDICT_LEAD[ctx.verdict].format(clause=f"{clause.id} {clause.title}", marker=book.clause(clause.id))
        asked = next((f for f in findings if ctx.focus_elements and f.element_id == ctx.focus_elements[0]), None)
        counted = f"{ev} of {len(findings)} requirement elements are evidenced."
        lines = [f"{lead} {self._asked_line(asked, ctx, book)}{counted}"]
        tail: list[str] = []
        for d in ctx.disagreements[:2]:
            refs = [
                f"{v} in {p.file_name} [{book.passage(p, self._quote_for(p, v))}]"
                for v, p in zip(d.values, d.statements, strict=True)
            ]
            tail.append(f"Your documents disagree on {d.topic}: " + " versus ".join(refs) + ".")
        gaps = [f for f in self._focus(ctx, findings) if f.status is not ElementStatus.EVIDENCED][:EVIDENCE_GAPS]
        if gaps:
            tail.append("An auditor will ask for evidence that:")
            tail += [f"- {f.statement}" for f in gaps]
        supported = [s for s in ctx.scored if s.probability >= self._thresholds.support] or ctx.scored[:1]
        # the requirements listed after the quotes are a list: the quotes keep the answer's length
        quotes = _within(supported[:MAX_SUPPORT], ANSWER_WORDS - _words(lines))
        if quotes:
            lines += ["Your documents say:", *(f"- {self._quoted(s, book)}" for s in quotes)]
        lines += tail
        confidence = ctx.scored[0].probability if ctx.scored else 0.3
        return "\n".join(lines), False, confidence

    def _asked_line(self, f: ElementFinding | None, ctx: AnswerContext, book: CitationBook) -> str:
        """What the element check found for the requirement the question is about, named by
        its topic (the element's first cue); the requirement itself is listed further down
        when it is not evidenced."""
        if f is None or ctx.comparison:
            return ""
        element = self._catalogue.element(f.element_id)
        topic = element.cues[0] if element.cues else _sentence_case(f.statement.split(",")[0].rstrip("."))
        if f.status is ElementStatus.NOT_FOUND:
            return f"On {topic}: not shown in your documents. "
        label = "shown" if f.status is ElementStatus.EVIDENCED else "only weakly shown"
        passage = _holder(ctx, f)
        if passage is None or not f.quote:  # the quote was not retrieved: name the document only
            where = f" in {f.document.rsplit('/', 1)[-1]}" if f.document else ""
            return f"On {topic}: {label}{where}. "
        return f"On {topic}: {label} in {passage.title} [{book.passage(passage, f.quote)}]. "

    def _quoted(self, s: ScoredUnit, book: CitationBook) -> str:
        p = s.unit.passage
        marker = book.passage(p, s.unit.quote)
        label = "Guidance" if p.origin is Origin.STANDARD else p.title
        if s.unit.items:  # a whole list: its lead-in as written, then its items
            return f'{label}: "{s.unit.lead_in}" {"; ".join(s.unit.items)} [{marker}]'
        return f'{label}: "{s.unit.text}" [{marker}]'

    def _nothing_in_documents(self, ctx: AnswerContext) -> tuple[str, bool, float]:
        text = (
            "Your documents don't state this, so I won't guess; the ISO/IEC 20000-1 guidance cannot answer a "
            "question about your organization's own facts."
        )
        return text, True, 0.0

    # -- pieces ----------------------------------------------------------------------
    def _abstain_org(self, ctx: AnswerContext, book: CitationBook) -> tuple[str, bool, float]:
        if not ctx.clauses:
            return self._abstain_all(ctx)
        clause = self._catalogue.get(ctx.clauses[0])
        m = book.clause(clause.id)
        expected = "; ".join(clause.documented_information[:4]) or "documented evidence of the process"
        where = (
            "Your workspace has no documents yet"
            if ctx.org_documents == 0
            else (f"Your documents don't describe {clause.title.lower()}")
        )
        text = (
            f"{where}, so I found no evidence for clause {clause.id} {clause.title} [{m}]. "
            f"An auditor would expect: {expected}."
        )
        return text, True, 0.2

    def _no_such_clause(self, ctx: AnswerContext) -> tuple[str, bool, float]:
        text = (
            "The clause number in your question does not exist in ISO/IEC 20000-1:2018, so I can't say what "
            "it requires. The auditable requirements are clauses 4 to 10.2 (the clause list shows them all)."
        )
        return text, True, 0.0

    def _not_covered(self, ctx: AnswerContext) -> tuple[str, bool, float]:
        names = ", ".join(ctx.unknown_names)
        text = (
            f"Neither your documents nor the ISO/IEC 20000-1:2018 knowledge base mention {names}, so I won't "
            "guess. The standard sets requirements for the service management system and its processes, not "
            'for particular products or places; name a clause (for example "clause 8.5.1") to see what it asks.'
        )
        return text, True, 0.0

    def _abstain_all(self, ctx: AnswerContext) -> tuple[str, bool, float]:
        text = (
            "I found nothing on this in your documents or in the ISO/IEC 20000-1:2018 knowledge base, "
            'so I won\'t guess. If it concerns a clause, name it (for example "clause 8.5.1").'
        )
        return text, True, 0.0

    def _verdict_line(
        self,
        ctx: AnswerContext,
        clause_id: str,
        title: str,
        marker: int,
        findings: list[ElementFinding],
        verdict: Verdict,
    ) -> str:
        n = len(findings)
        ev = sum(f.status is ElementStatus.EVIDENCED for f in findings)
        weak = sum(f.status is ElementStatus.WEAK for f in findings)
        shown = ctx.verdict if ctx.verdict in (Verdict.CONSISTENT, Verdict.INCONSISTENT) else verdict
        label = shown.value.replace("_", " ")
        return (
            f"Verdict for {clause_id} {title} [{marker}]: {label}. "
            f"{ev} of {n} requirement elements evidenced, {weak} weak, {n - ev - weak} not found."
        )

    def _focus(self, ctx: AnswerContext, findings: list[ElementFinding]) -> list[ElementFinding]:
        if ctx.focus_elements:
            focus = [f for f in findings if f.element_id in ctx.focus_elements]
            rest = [f for f in findings if f.element_id not in ctx.focus_elements]
            return (focus + rest)[:FINDINGS_SHOWN]
        order = {ElementStatus.NOT_FOUND: 0, ElementStatus.WEAK: 1, ElementStatus.EVIDENCED: 2}
        return sorted(findings, key=lambda f: order[f.status])[:FINDINGS_SHOWN]

    def _finding_line(self, f: ElementFinding, ctx: AnswerContext, book: CitationBook) -> str:
        label = _STATUS_LABEL[f.status]
        passage = _holder(ctx, f)
        if f.status is ElementStatus.NOT_FOUND or passage is None or not f.quote:
            return f"- {label}: {f.statement}"
        return f'- {label}: {f.statement} "{f.quote}" [{book.passage(passage, f.quote)}]'

    @staticmethod
    def _quote_for(passage: Passage, value: str) -> str:
        from assistant.text import sentences

        for sentence in sentences(passage.text):
            if value.lower() in sentence.lower():
                return sentence
        return sentences(passage.text)[0] if sentences(passage.text) else passage.text[:200]


def about_organization(ctx: AnswerContext) -> bool:
    """The question asks about the organization (we, our, a name only its documents use)."""
    return bool((about_us(ctx.question) or ctx.organization_names) and ctx.org_documents)


def _holder(ctx: AnswerContext, f: ElementFinding) -> Passage | None:
    """The passage that holds a finding's quote verbatim: its own, else another retrieved
    one (a finding can point at the chunk nearest the requirement and quote its neighbour)."""
    if not f.quote:
        return None
    quote = normalize_ws(f.quote)
    own = [p for p in ctx.passages if p.id == f.passage_id]
    rest = [p for p in ctx.passages if p.id != f.passage_id and p.source == f.document]
    return next((p for p in own + rest if quote in normalize_ws(p.text)), None)


def _words(lines: list[str]) -> int:
    return sum(len(line.split()) for line in lines)


def _within(units: list[ScoredUnit], budget: int) -> list[ScoredUnit]:
    """The units, in order, whose quotes fit in ``budget`` words; the first one always."""
    kept: list[ScoredUnit] = []
    used = 0
    for s in without_repeats(units):
        words = s.unit.words + len(s.unit.passage.title.split()) + 2  # "- Title: "…" [n]"
        if kept and used + words > budget:
            break
        kept.append(s)
        used += words
    return kept


def _sentence_case(text: str) -> str:
    """A catalogue statement inside a sentence: lower-case first letter unless an acronym."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _first_sentence(text: str) -> str:
    from assistant.text import sentences

    found = sentences(text)
    return found[0] if found else text.strip()[:200]
