"""The readiness report as Markdown and as a self-contained HTML page (inline CSS and
SVG charts: it opens on an air-gapped laptop)."""

from __future__ import annotations

from html import escape

from assistant.models import ElementStatus
from assistant.readiness.models import ReadinessReport

_STATUS_COLOUR = {
    "covered": "#2e7d32",
    "partial": "#f9a825",
    "missing": "#c62828",
    "present": "#2e7d32",
    "weak": "#f9a825",
}
_ELEMENT_COLOUR = {"evidenced": "#2e7d32", "weak": "#f9a825", "not_found": "#c62828"}


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
        f"{i}. **[{a.severity.value}]** {a.title} — {a.detail} (clauses {', '.join(a.clause_ids)})"
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
        for f in c.elements:
            where = f" — “{f.quote}” ({f.document}, {f.section})" if f.quote else ""
            lines.append(f"- {f.status.value}: {f.statement}{where}")
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
    return f'<span class="badge" style="background:{_STATUS_COLOUR.get(status, "#555")}">{escape(status)}</span>'


def to_html(report: ReadinessReport) -> str:
    e = escape
    passages: dict[str, tuple[str, str, str]] = {}
    for c in report.clauses:
        for f in c.elements:
            if f.passage_id and f.quote:
                passages.setdefault(f.passage_id, (f.document or "", f.section or "", f.quote))
    actions = "".join(
        f"<li><strong>[{e(a.severity.value)}]</strong> {e(a.title)} — {e(a.detail)} "
        f"<small>clauses {e(', '.join(a.clause_ids))}</small></li>"
        for a in report.actions
    )
    checklist = "".join(
        f"<tr><td>{e(c.label)}</td><td>{_badge(c.status)}</td><td>{e(', '.join(c.documents) or '—')}</td>"
        f"<td>{e(c.note)}</td></tr>"
        for c in report.checklist
    )
    clause_rows = []
    for c in report.clauses:
        items = []
        for f in c.elements:
            link = f' — <a href="#p-{e(f.passage_id)}">{e(f.document or "")}</a>' if f.passage_id and f.quote else ""
            items.append(f"<li>{_badge(f.status.value.replace('_', ' '))} {e(f.statement)}{link}</li>")
        clause_rows.append(
            f'<details id="c-{e(c.clause_id)}"><summary>{_badge(c.status.value)} <strong>{e(c.clause_id)} '
            f"{e(c.title)}</strong> · {c.score:.0%}</summary><ul>{''.join(items)}</ul></details>"
        )
    freshness = (
        "".join(f"<li><strong>{e(f.document)}</strong>: {e(f.kind)} — {e(f.detail)}</li>" for f in report.freshness)
        or "<li>No freshness issues found.</li>"
    )
    records = (
        "".join(
            f"<li><strong>{e(r.document)}</strong> ({e(', '.join(r.clause_ids))}): {e(r.kind)} — {e(r.detail)}</li>"
            for r in report.records
        )
        or "<li>No register rows fall short.</li>"
    )
    inconsistencies = (
        "".join(
            "<li>"
            + e(d.topic)
            + ": "
            + " vs ".join(
                f'<a href="#p-{e(p.id)}">{e(v)} ({e(p.source)})</a>'
                for v, p in zip(d.values, d.statements, strict=True)
            )
            + "</li>"
            for d in report.inconsistencies
        )
        or "<li>No disagreements found.</li>"
    )
    for d in report.inconsistencies:
        for p in d.statements:
            passages.setdefault(p.id, (p.source, p.section, p.text[:400]))
    quoted = "".join(
        f'<blockquote id="p-{e(pid)}"><p>“{e(quote)}”</p><cite>{e(doc)} · {e(section)}</cite></blockquote>'
        for pid, (doc, section, quote) in passages.items()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Readiness report — {e(report.workspace)}</title>
<style>
body{{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;
color:#1b1b1b;line-height:1.45}}
h1{{font-size:1.6rem}} h2{{margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}}
table{{border-collapse:collapse;width:100%}} td,th{{border:1px solid #ddd;padding:.35rem .5rem;text-align:left;
vertical-align:top}}
.badge{{color:#fff;border-radius:4px;padding:0 .4rem;font-size:.8rem}} details{{margin:.3rem 0}}
blockquote{{border-left:4px solid #90a4ae;margin:.6rem 0;padding:.2rem .8rem;background:#f7f9fa}}
cite{{font-size:.85rem;color:#555}} .summary{{font-size:1.1rem}}
</style></head><body>
<h1>Readiness report — {e(report.workspace)}</h1>
<p class="summary">As of {report.as_of.isoformat()} · {report.documents} documents · overall score
<strong>{report.overall_score:.0%}</strong> · <strong>{e(report.overall_status)}</strong></p>
<h2>Top actions before Stage 1</h2><ol>{actions or "<li>No actions.</li>"}</ol>
<h2>Coverage by clause group</h2>{_bar_chart(report)}
<h2>Requirement elements</h2>{_status_chart(report)}
<h2>Stage 1 checklist</h2><table><thead><tr><th>Item</th><th>Status</th><th>Documents</th><th>Note</th></tr></thead>
<tbody>{checklist}</tbody></table>
<h2>Record freshness</h2><ul>{freshness}</ul>
<h2>Register records</h2><ul>{records}</ul>
<h2>Inconsistencies between documents</h2><ul>{inconsistencies}</ul>
<h2>Clauses</h2>{"".join(clause_rows)}
<h2>Passages</h2>{quoted or "<p>No passages.</p>"}
</body></html>"""
