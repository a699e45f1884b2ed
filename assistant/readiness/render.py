"""The readiness report as Markdown and as a self-contained HTML page (inline CSS and
SVG charts: it opens on an air-gapped laptop). The page leads with the graded actions, then
each clause's findings with their quotes in context, majors first; its print view puts one
section on each landscape page, to drop into management-review slides."""

from __future__ import annotations

from html import escape

from assistant.models import ElementStatus
from assistant.readiness.models import ClauseReadiness, Finding, Quote, ReadinessReport, Severity

_STATUS_COLOUR = {
    "covered": "#2e7d32",
    "partial": "#f9a825",
    "missing": "#c62828",
    "present": "#2e7d32",
    "weak": "#f9a825",
}
_ELEMENT_COLOUR = {"evidenced": "#2e7d32", "weak": "#f9a825", "not_found": "#c62828"}
_GRADE_COLOUR = {"major": "#b71c1c", "minor": "#e65100", "observation": "#546e7a"}
MAX_QUOTES = 2


def to_markdown(report: ReadinessReport) -> str:
    lines = [
        f"# Readiness report — workspace `{report.workspace}`",
        "",
        f"As of {report.as_of.isoformat()} · {report.documents} documents · overall score "
        f"{report.overall_score:.0%} · **{report.overall_status}**",
        "",
        "## Top actions before Stage 1",
        "",
    ]
    lines += [
        f"{i}. **[{a.severity.value}]** {a.title} — {a.detail} (clauses {', '.join(a.clause_ids)}; "
        f"owner: {a.owner or '—'}; closed by: {a.closes or '—'})"
        for i, a in enumerate(report.actions, 1)
    ] or ["No actions."]
    lines += ["", "## Stage 1 checklist", "", "| item | status | documents | note |", "|---|---|---|---|"]
    lines += [f"| {c.label} | {c.status} | {', '.join(c.documents) or '—'} | {c.note} |" for c in report.checklist]
    lines += [
        "",
        "## Coverage by clause group",
        "",
        "| group | score | covered | partial | missing |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {g.label} | {g.score:.0%} | {g.covered} | {g.partial} | {g.missing} |" for g in report.groups]
    if report.freshness:
        lines += ["", "## Record freshness", ""]
        lines += [f"- {f.document}: {f.kind} — {f.detail}" for f in report.freshness]
    if report.records:
        lines += ["", "## Register records", ""]
        lines += [f"- {r.document} ({', '.join(r.clause_ids)}): {r.kind} — {r.detail}" for r in report.records]
    if report.inconsistencies:
        lines += ["", "## Inconsistencies between documents", ""]
        for d in report.inconsistencies:
            refs = "; ".join(f"{v} ({p.source}, {p.section})" for v, p in zip(d.values, d.statements, strict=True))
            lines.append(f"- {d.topic}: {refs}")
    lines += ["", "## Clauses", ""]
    for c in report.clauses:
        lines.append(f"### {c.clause_id} {c.title} — {c.status.value} ({c.score:.0%})")
        lines.append("")
        for f in c.findings:
            quote = f.quotes[0] if f.quotes else None
            where = f" — “{quote.sentence}” ({quote.document}, {quote.section or '—'})" if quote else ""
            lines.append(f"- **{f.grade.value}**: {f.summary}{where}")
        if not c.findings:
            lines.append("- no findings")
        lines.append("")
    return "\n".join(lines)


def _bar_chart(report: ReadinessReport) -> str:
    width, row, label_w = 640, 26, 300
    height = row * len(report.groups) + 30
    parts = [
        f'<svg role="img" aria-label="Coverage by clause group" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, g in enumerate(report.groups):
        y = 10 + i * row
        w = int((width - label_w - 60) * g.score)
        colour = "#2e7d32" if g.score >= 0.8 else "#f9a825" if g.score >= 0.5 else "#c62828"
        parts.append(f'<text x="0" y="{y + 15}" font-size="13">{escape(g.label)}</text>')
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y}" width="{max(w, 1)}" height="18" fill="{colour}">'
            f"<title>{escape(g.label)}: {g.score:.0%}</title></rect>"
        )
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 14}" font-size="12">{g.score:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _status_chart(report: ReadinessReport) -> str:
    total = sum(report.element_counts.values()) or 1
    width, x = 640, 0
    parts = [
        f'<svg role="img" aria-label="Requirement element status" width="{width}" height="60" '
        f'viewBox="0 0 {width} 60" xmlns="http://www.w3.org/2000/svg">'
    ]
    for status in ElementStatus:
        count = report.element_counts.get(status.value, 0)
        w = width * count / total
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="0" width="{w:.1f}" height="30" '
            f'fill="{_ELEMENT_COLOUR[status.value]}"><title>{status.value}: {count}</title></rect>'
        )
        if w > 60:
            parts.append(
                f'<text x="{x + 6:.1f}" y="20" fill="#fff" font-size="13">{status.value.replace("_", " ")}'
                f" {count}</text>"
            )
        x += w
    parts.append(
        '<text x="0" y="52" font-size="12">'
        + " · ".join(f"{s.value.replace('_', ' ')}: {report.element_counts.get(s.value, 0)}" for s in ElementStatus)
        + "</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _badge(status: str) -> str:
    colour = _STATUS_COLOUR.get(status, _GRADE_COLOUR.get(status, "#555"))
    return f'<span class="badge" style="background:{colour}">{escape(status.replace("_", " "))}</span>'


def _quote(q: Quote) -> str:
    """A quote in its context: the sentences around it, the quoted one marked."""
    e = escape
    context = q.context or q.sentence
    at = context.find(q.sentence)
    if at >= 0 and q.sentence:
        body = e(context[:at]) + "<mark>" + e(q.sentence) + "</mark>" + e(context[at + len(q.sentence) :])
    else:
        body = e(context)
    where = " · ".join(x for x in (q.document, q.section) if x)
    return f"<blockquote><p>{body}</p><cite>{e(where)}</cite></blockquote>"


def _finding(f: Finding) -> str:
    e = escape
    quotes = "".join(_quote(q) for q in f.quotes[:MAX_QUOTES])
    docs = f"<p class='docs'>Documents: {e(', '.join(f.documents))}</p>" if f.documents and not f.quotes else ""
    return (
        f'<li class="finding {e(f.grade.value)}">{_badge(f.grade.value)} {e(f.summary)}'
        f'<p class="why">{e(f.why)}</p>{quotes}{docs}</li>'
    )


def _clause_section(c: ClauseReadiness) -> str:
    """A clause with its findings in collapsible details, majors first; observations folded
    under their own summary so the page holds no long tail of loose quotes."""
    e = escape
    raised = [f for f in c.findings if f.grade is not Severity.OBSERVATION]
    notes = [f for f in c.findings if f.grade is Severity.OBSERVATION]
    counts = " · ".join(
        f"{n} {g.value}{'s' if n != 1 else ''}" for g in Severity if (n := sum(f.grade is g for f in c.findings))
    )
    body = f"<ul>{''.join(_finding(f) for f in raised)}</ul>" if raised else ""
    if notes:
        body += (
            f"<details class='notes'><summary>{len(notes)} observation{'s' if len(notes) != 1 else ''}</summary>"
            f"<ul>{''.join(_finding(f) for f in notes)}</ul></details>"
        )
    worst = c.findings[0].grade.value if c.findings else "none"
    return (
        f'<details class="clause worst-{worst}" id="c-{e(c.clause_id)}"><summary>{_badge(c.status.value)} '
        f"<strong>{e(c.clause_id)} {e(c.title)}</strong> · {c.score:.0%} <small>{e(counts)}</small></summary>"
        f"{body}</details>"
    )


def to_html(report: ReadinessReport) -> str:
    e = escape
    actions = "".join(
        f"<tr><td>{i}</td><td>{_badge(a.severity.value)}</td><td><strong>{e(a.title)}</strong>"
        f"{'' if a.detail in a.title else '<br><small>' + e(a.detail) + '</small>'}</td>"
        f"<td>{e(a.owner)}</td><td>{e(a.closes)}</td>"
        f"<td>{e(', '.join(a.clause_ids[:6]))}{'…' if len(a.clause_ids) > 6 else ''}</td></tr>"
        for i, a in enumerate(report.actions, 1)
    )
    checklist = "".join(
        f"<tr><td>{e(c.label)}</td><td>{_badge(c.status)}</td><td>{e(', '.join(c.documents) or '—')}</td>"
        f"<td>{e(c.note)}</td></tr>"
        for c in report.checklist
    )
    order = {g: i for i, g in enumerate(Severity)}
    with_findings = sorted(
        (c for c in report.clauses if any(f.grade is not Severity.OBSERVATION for f in c.findings)),
        key=lambda c: order[c.findings[0].grade],
    )
    sound = [c for c in report.clauses if c not in with_findings]
    sound_rows = "".join(
        f"<tr><td>{e(c.clause_id)} {e(c.title)}</td><td>{_badge(c.status.value)}</td><td>{c.score:.0%}</td>"
        f"<td>{len(c.findings) or '—'}</td></tr>"
        for c in sound
    )
    grades = {g: sum(f.grade is g for c in report.clauses for f in c.findings) for g in Severity}
    tally = " · ".join(f"{_badge(g.value)} {n}" for g, n in grades.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Readiness report — {e(report.workspace)}</title>
<style>
body{{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1080px;margin:2rem auto;padding:0 1rem;
color:#1b1b1b;line-height:1.45}}
h1{{font-size:1.6rem}} h2{{margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}}
table{{border-collapse:collapse;width:100%}} td,th{{border:1px solid #ddd;padding:.35rem .5rem;text-align:left;
vertical-align:top}}
.badge{{color:#fff;border-radius:4px;padding:0 .4rem;font-size:.8rem;white-space:nowrap}}
details.clause{{border:1px solid #ddd;border-radius:6px;margin:.4rem 0;padding:.3rem .6rem}}
details.worst-major{{border-left:6px solid {_GRADE_COLOUR["major"]}}}
details.worst-minor{{border-left:6px solid {_GRADE_COLOUR["minor"]}}}
summary{{cursor:pointer}} .why{{color:#555;font-size:.9rem;margin:.1rem 0}} .docs{{font-size:.85rem;color:#555}}
li.finding{{margin:.5rem 0}}
blockquote{{border-left:4px solid #90a4ae;margin:.4rem 0;padding:.2rem .8rem;background:#f7f9fa}}
mark{{background:#fff3c4}} cite{{font-size:.85rem;color:#555}} .summary{{font-size:1.1rem}}
@media print{{
  @page{{size:A4 landscape;margin:12mm}}
  body{{max-width:none;margin:0;font-size:11pt}}
  h2{{break-before:page;font-size:18pt}} h1+p+h2{{break-before:avoid}}
  tr,details.clause,blockquote{{break-inside:avoid}}
  details.notes,.sound,.why{{display:none}}
  a{{color:inherit;text-decoration:none}}
}}
</style></head><body>
<h1>Readiness report — {e(report.workspace)}</h1>
<p class="summary">As of {report.as_of.isoformat()} · {report.documents} documents · overall score
<strong>{report.overall_score:.0%}</strong> · <strong>{e(report.overall_status)}</strong><br>Findings: {tally}</p>
<h2>Top actions before Stage 1</h2>
<table><thead><tr><th>#</th><th>Grade</th><th>What to do</th><th>Owner</th><th>Evidence that closes it</th>
<th>Clauses</th></tr></thead><tbody>{actions or "<tr><td colspan='6'>No actions.</td></tr>"}</tbody></table>
<h2>Coverage by clause group</h2>{_bar_chart(report)}
<h2>Requirement elements</h2>{_status_chart(report)}
<h2>Stage 1 checklist</h2><table><thead><tr><th>Item</th><th>Status</th><th>Documents</th><th>Note</th></tr></thead>
<tbody>{checklist}</tbody></table>
<h2>Findings by clause</h2>
{"".join(_clause_section(c) for c in with_findings) or "<p>No major or minor findings.</p>"}
<div class="sound"><h2>Clauses without major or minor findings</h2>
<table><thead><tr><th>Clause</th><th>Status</th><th>Score</th><th>Observations</th></tr></thead>
<tbody>{sound_rows}</tbody></table></div>
</body></html>"""
