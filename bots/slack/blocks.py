"""Block Kit rendering, trimmed to Slack's limits (50 blocks, 3000 characters a section,
10 context elements) without ever dropping a cited source."""

from __future__ import annotations

from urllib.parse import quote

from assistant.interviews.models import Assessment, InterviewSummary, Turn, TurnKind
from assistant.models import Answer, Citation
from assistant.readiness.models import ReadinessReport

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_CONTEXT = 10
MAX_FALLBACK = 3500
MAX_LABEL = 150
MAX_ELEMENT = 2000
_VERDICT = {"covered": "🟢", "consistent": "🟢", "partial": "🟡", "not_covered": "🔴", "inconsistent": "🔴"}


def trim(text: str, limit: int = MAX_SECTION) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Slack mrkdwn escaping: document text must never become a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": trim(text)}}


def context(items: list[str]) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": trim(t, 300)} for t in items[:MAX_CONTEXT]]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    b = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        b["style"] = style
    return b


def cap(blocks: list[dict]) -> list[dict]:
    return blocks[:MAX_BLOCKS]


def source_url(citation: Citation, public_url: str) -> str | None:
    """Where the web page at ``public_url`` shows a cited passage or clause; None without one."""
    base = public_url.strip().rstrip("/")
    if not base:
        return None
    if citation.kind == "clause" and citation.clause_id:
        return f"{base}/#clause={quote(citation.clause_id, safe='')}"
    if citation.chunk_id:
        return f"{base}/#passage={quote(citation.chunk_id, safe='')}"
    return None


def source_label(citation: Citation) -> str:
    """``[n] document › section`` (or ``[n] clause 8.5.1 title``), escaped and bounded."""
    if citation.kind == "clause":
        label = f"[{citation.marker}] clause {citation.clause_id} {citation.title or ''}".strip()
    else:
        where = " › ".join(x for x in (citation.document, citation.section) if x)
        label = f"[{citation.marker}] {where}" + (f", p. {citation.page}" if citation.page else "")
    return escape(trim(label, MAX_LABEL))


def source_link(citation: Citation, public_url: str) -> str:
    """A Slack link ``<url|[n] document › section>``, or the label alone without a public URL."""
    url = source_url(citation, public_url)
    return f"<{url}|{source_label(citation)}>" if url else source_label(citation)


def source_blocks(citations: list[Citation], public_url: str, budget: int) -> list[dict]:
    """Every citation as a context element, ten to a block; when more blocks than ``budget``
    would be needed, several sources share an element instead of any being dropped."""
    links = [source_link(c, public_url) for c in citations]
    if not links:
        return []
    per_element = max(1, -(-len(links) // (max(1, budget) * MAX_CONTEXT)))
    elements = ["\n".join(links[i : i + per_element]) for i in range(0, len(links), per_element)]
    return [
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": e[:MAX_ELEMENT]} for e in elements[i : i + MAX_CONTEXT]],
        }
        for i in range(0, len(elements), MAX_CONTEXT)
    ]


def answer_blocks(
    answer: Answer, feedback_id: str, public_url: str = "", outcome: str | None = None, share: str | None = None
) -> tuple[str, list[dict]]:
    """The answer with its sources and buttons; once rated, ``outcome`` takes the feedback
    buttons' place. ``share`` (the thread to share into, "" for none) adds "Share in channel"
    to an answer only its asker sees."""
    blocks: list[dict] = []
    if answer.verdict:
        icon = _VERDICT.get(answer.verdict.value, "")
        blocks.append(section(f"{icon} *Verdict: {answer.verdict.value.replace('_', ' ')}*"))
    blocks.append(section(escape(answer.text)))
    blocks += source_blocks(answer.citations, public_url, MAX_BLOCKS - len(blocks) - 2)
    actions = [] if outcome else [button("👍", "feedback_up", feedback_id), button("👎", "feedback_down", feedback_id)]
    if share is not None:
        actions.insert(0, button("Share in channel", "share_answer", f"{feedback_id}:{share}", style="primary"))
    if any(c.kind == "document" for c in answer.citations):
        actions.insert(0, button("Show passages", "show_passages", feedback_id))
    if actions:
        blocks.append({"type": "actions", "block_id": "answer_actions", "elements": actions})
    if outcome:
        blocks.append(context([outcome]))
    return trim(answer.text, MAX_FALLBACK), cap(blocks)


def settled(message_blocks: list[dict], outcome: str) -> list[dict]:
    """A message's blocks with its buttons replaced by what became of them."""
    kept = [b for b in message_blocks if b.get("type") != "actions"]
    return cap([*kept, context([outcome])])


def passages_blocks(answer: Answer, public_url: str = "") -> tuple[str, list[dict]]:
    quoted = [c for c in answer.citations if c.kind == "document" and c.quote]
    blocks = [section("*Quoted passages*")]
    per_block = max(1, -(-len(quoted) // (MAX_BLOCKS - 1)))
    for i in range(0, len(quoted), per_block):
        group = quoted[i : i + per_block]
        budget = MAX_SECTION // len(group) - 60
        blocks.append(
            section("\n".join(f"{source_link(c, public_url)}\n> {escape(trim(c.quote or '', budget))}" for c in group))
        )
    return "Quoted passages", cap(blocks)


def feedback_reason_blocks(feedback_id: str) -> tuple[str, list[dict]]:
    reasons = [
        ("Wrong clause", "wrong_clause"),
        ("Wrong document", "wrong_document"),
        ("Missing evidence", "missing_evidence"),
        ("Other", "other"),
    ]
    return "What was wrong?", [
        section("Thanks — what was wrong with the answer?"),
        {
            "type": "actions",
            "block_id": "feedback_reasons",
            "elements": [button(label, f"feedback_reason_{key}", feedback_id) for label, key in reasons],
        },
    ]


def turn_blocks(turn: Turn, session_id: str, user: str, number: int, total: int) -> tuple[str, list[dict]]:
    label = "Follow-up" if turn.kind is TurnKind.FOLLOW_UP else f"Question {number} of {total}"
    text = f"<@{user}> *{label}* ({', '.join(turn.clauses)})\n{escape(turn.prompt)}"
    blocks = [
        section(text),
        context(["Reply in this thread to answer. Only your replies count."]),
        {
            "type": "actions",
            "block_id": f"interview_{session_id}",
            "elements": [
                button("Skip", "interview_skip", f"{session_id}:{turn.index}"),
                button("End", "interview_end", session_id, style="danger"),
            ],
        },
    ]
    return f"{label}: {turn.prompt}", blocks


def assessment_blocks(a: Assessment) -> tuple[str, list[dict]]:
    score = "–" if a.score is None else f"{a.score}/4"
    lines = [f"*Score {score}* — {escape(a.reason)}"]
    if a.covered_points:
        lines.append("✅ " + "; ".join(escape(p) for p in a.covered_points[:5]))
    if a.missing_points:
        lines.append("❌ Missing: " + "; ".join(escape(p) for p in a.missing_points[:5]))
    for c in a.contradictions[:3]:
        lines.append(
            f"⚠️ Differs from *{escape(c.passage.document)}* ({c.kind}): you said {escape(c.answer_says)}, "
            f"the document says {escape(c.document_says)}\n> {escape(c.passage.quote)}"
        )
    for flag in a.red_flags[:3]:
        lines.append(f"🚩 Red flag: {escape(flag)}")
    return f"Score {score}", [section("\n".join(lines))]


def summary_blocks(summary: InterviewSummary) -> tuple[str, list[dict]]:
    blocks = [
        section(
            "*Mock audit summary*"
            + (f" — average {summary.average_score}/4" if summary.average_score is not None else "")
            + (f" — most serious finding: *{summary.grade.value}*" if summary.grade is not None else "")
        )
    ]
    rows = []
    for q in summary.questions:
        score = "skipped" if q.skipped else ("–" if q.score is None else f"{q.score}/4")
        rows.append(f"• {score} — {escape(q.question)}")
    if rows:
        blocks.append(section("\n".join(rows)))
    for f in summary.findings[:10]:
        quote = f"\n> {escape(f.passages[0].quote)} ({escape(f.passages[0].document)})" if f.passages else ""
        why = f"\n_{escape(f.rationale)}_" if f.rationale else ""
        said = f"\nYou said: “{escape(f.answer_excerpt)}”" if f.answer_excerpt else ""
        text = f"*{f.grade.value}* ({', '.join(f.clause_ids)}): {escape(f.statement)}{why}{said}{quote}"
        blocks.append(section(text))
    if summary.prepare:
        blocks.append(
            section("*Prepare before the real audit*\n" + "\n".join(f"• {escape(p)}" for p in summary.prepare))
        )
    return "Mock audit summary", cap(blocks)


def readiness_blocks(report: ReadinessReport, report_hint: str) -> tuple[str, list[dict]]:
    groups = "\n".join(f"• {g.label}: {g.score:.0%}" for g in report.groups)
    actions = "\n".join(f"{i}. [{a.severity.value}] {escape(a.title)}" for i, a in enumerate(report.actions[:5], 1))
    blocks = [
        section(
            f"*Readiness: {report.overall_status}* — overall {report.overall_score:.0%}, {report.documents} documents"
        ),
        section("*By clause group*\n" + groups),
        section("*Top actions*\n" + (actions or "none")),
        context([report_hint]),
    ]
    return f"Readiness: {report.overall_status}", blocks
