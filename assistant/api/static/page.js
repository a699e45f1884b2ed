// auditprep web page: plain DOM code over the /v1 API, no build step and nothing from the network.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY_STORE = "auditprep-key";

// Example questions per kind of question the assistant answers; any workspace can ask them.
const EXAMPLES = [
  { intent: "Evidence checks", questions: [
    "Do we have evidence for change management?",
    "Is our emergency change approval consistent with 8.5.1?",
    "Do we review supplier performance?",
  ] },
  { intent: "Facts from your documents", questions: [
    "Who approves emergency changes?",
    "How often is the SMS plan reviewed?",
  ] },
  { intent: "What a clause asks for", questions: [
    "What does clause 8.7.1 require?",
    "What documented information does 8.5.1 expect?",
  ] },
  { intent: "Readiness", questions: [
    "Are we ready for the Stage 1 audit?",
    "What should we fix first before the audit?",
  ] },
  { intent: "The certification journey", questions: [
    "What happens in a Stage 2 audit?",
    "How long is the certificate valid?",
  ] },
];

/** Build an element: el("p", {class: "x"}, "text", child, …). Text is always set as text. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replace a node's children with nodes, text and (nested) arrays of them, skipping empties. */
function fill(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false));
  return node;
}

const plural = (n, word) => n + " " + word + (n === 1 ? "" : "s");
const label = (value) => String(value || "").replace(/_/g, " ");
const badge = (value, text) => el("span", { class: "badge " + String(value || "").replace(/\s+/g, "_") }, text || label(value));

function setStatus(id, text, isError) {
  const box = $(id);
  box.textContent = text || "";
  box.classList.toggle("error", Boolean(isError));
}

// -- API key: kept in sessionStorage, so it lasts until the tab closes --------------------
function currentKey() {
  return sessionStorage.getItem(KEY_STORE) || "";
}

function showKeyState() {
  $("key-state").textContent = currentKey() ? "set" : "not set";
}

$("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const key = $("apikey").value.trim();
  if (key) sessionStorage.setItem(KEY_STORE, key);
  else sessionStorage.removeItem(KEY_STORE);
  $("apikey").value = "";
  showKeyState();
  $("key-control").open = false;
  loadWorkspace();
  openLinked(); // a link opened before the key was given
});
$("key-forget").addEventListener("click", () => {
  sessionStorage.removeItem(KEY_STORE);
  $("apikey").value = "";
  showKeyState();
  loadWorkspace();
});
$("key-control").addEventListener("toggle", () => { if ($("key-control").open) $("apikey").focus(); });

class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

function authHeaders() {
  const key = currentKey();
  return key ? { Authorization: "Bearer " + key } : {};
}

async function api(method, path, body) {
  const headers = { Accept: "application/json", ...authHeaders() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(errorMessage(response.status, data), response.status);
  return data;
}

function errorMessage(status, data) {
  const message = data && data.error ? data.error.message : "request failed";
  if (status === 401) return message + ". Enter your API key (top right).";
  return message + " (" + status + ")";
}

/** Run a request with its button disabled and its status line telling what happens. */
async function busy(button, statusId, text, work) {
  if (button) button.disabled = true;
  setStatus(statusId, text);
  try {
    return await work();
  } catch (err) {
    setStatus(statusId, err.message, true);
    if (err.status === 401) $("key-control").open = true;
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// -- Tabs: click, arrow keys, Home and End ----------------------------------------------
const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
function selectTab(tab, focus = true) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute("aria-controls")).hidden = !on;
  }
  if (focus) tab.focus();
}
tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (e) => {
    const moves = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 };
    if (!(e.key in moves)) return;
    e.preventDefault();
    selectTab(tabs[(moves[e.key] + tabs.length) % tabs.length]);
  });
});

// -- Workspace and documents --------------------------------------------------------------
async function loadWorkspace() {
  try {
    const info = await api("GET", "/v1/workspace");
    $("ws-name").textContent = info.workspace;
    const failed = info.failed ? ", " + info.failed + " failed" : "";
    $("ws-docs").textContent = "· " + info.documents + " document" + (info.documents === 1 ? "" : "s") + failed;
    $("doc-count").textContent = String(info.documents);
    await loadDocuments();
  } catch (err) {
    $("ws-name").textContent = err.status === 401 ? "needs an API key" : "unavailable";
    $("ws-docs").textContent = "";
    $("doc-count").textContent = "";
    setStatus("documents-status", err.message, true);
    if (err.status === 401) $("key-control").open = true;
  }
}

async function loadDocuments() {
  const docs = await api("GET", "/v1/documents");
  const body = $("documents").querySelector("tbody");
  body.replaceChildren();
  // Failed documents first: they are the ones to act on.
  docs.sort((a, b) => (a.status === "failed") === (b.status === "failed") ? a.source.localeCompare(b.source) : a.status === "failed" ? -1 : 1);
  for (const d of docs) body.append(documentRow(d));
  setStatus("documents-status", docs.length ? "" : "No documents yet: add your SMS documents above.");
}

function documentRow(d) {
  const notes = el("td", {});
  if (d.status === "failed") {
    notes.append(el("div", { class: "reason" }, "Not ingested: " + (d.last_error || "unknown reason")));
  } else if (d.last_error) {
    notes.append(el("div", { class: "reason" }, "The latest upload failed (this version is kept): " + d.last_error));
  }
  if (d.warnings && d.warnings.length) {
    notes.append(el("div", {}, "Left out at ingest:"), el("ul", {}, d.warnings.map((w) => el("li", {}, w))));
  }
  const when = d.ingested_at ? new Date(d.ingested_at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "";
  return el("tr", { class: d.status },
    el("td", { class: "name" }, d.source, d.title && d.title !== d.source ? el("div", { class: "hint" }, d.title) : null),
    el("td", {}, label(d.doc_type)),
    el("td", {}, badge(d.status)),
    el("td", {}, d.status === "failed" ? "–" : String(d.chunk_count)),
    el("td", {}, when, d.version > 1 ? el("div", { class: "hint" }, "version " + d.version) : null),
    notes);
}

$("upload-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const files = Array.from($("files").files);
  if (!files.length) {
    setStatus("upload-status", "Choose one or more files first.", true);
    $("files").focus();
    return;
  }
  upload(files, e.submitter);
});

/** Upload with XMLHttpRequest: fetch cannot report upload progress. */
function upload(files, button) {
  const form = new FormData();
  for (const f of files) form.append("files", f, f.name);
  const bar = $("upload-progress");
  bar.hidden = false;
  bar.value = 0;
  if (button) button.disabled = true;
  $("upload-results").hidden = true;
  setStatus("upload-status", "Uploading " + files.length + " file" + (files.length === 1 ? "" : "s") + "…");
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/v1/documents");
  for (const [name, value] of Object.entries({ Accept: "application/json", ...authHeaders() })) xhr.setRequestHeader(name, value);
  xhr.upload.addEventListener("progress", (ev) => {
    if (!ev.lengthComputable) return;
    bar.value = Math.round((ev.loaded / ev.total) * 100);
    if (ev.loaded === ev.total) setStatus("upload-status", "Uploaded; reading and indexing the documents…");
  });
  xhr.addEventListener("load", () => {
    let data = {};
    try { data = JSON.parse(xhr.responseText); } catch (_) { /* not JSON: reported below */ }
    finishUpload(button);
    if (xhr.status >= 200 && xhr.status < 300) {
      showUploadResults(data.results || []);
      $("files").value = "";
      loadWorkspace();
    } else {
      setStatus("upload-status", errorMessage(xhr.status, data), true);
    }
  });
  xhr.addEventListener("error", () => { finishUpload(button); setStatus("upload-status", "The upload did not reach the server.", true); });
  xhr.send(form);
}

function finishUpload(button) {
  if (button) button.disabled = false;
  $("upload-progress").hidden = true;
}

function showUploadResults(results) {
  const list = $("upload-results");
  list.replaceChildren(...results.map((r) => el("li", {},
    badge(r.outcome), " ", el("strong", {}, r.source),
    r.outcome === "failed" ? [" — ", el("span", { class: "error" }, r.reason || "failed")] : r.chunks ? " — " + plural(r.chunks, "passage") : "",
    r.warnings && r.warnings.length ? el("div", { class: "hint" }, "Left out: " + r.warnings.join("; ")) : null)));
  list.hidden = false;
  const failed = results.filter((r) => r.outcome === "failed").length;
  setStatus("upload-status", (results.length - failed) + " of " + results.length + " files ingested" + (failed ? "; " + failed + " failed (see below)" : "."), failed > 0);
}

// -- Ask ---------------------------------------------------------------------------------
function renderExamples() {
  const box = $("examples");
  for (const group of EXAMPLES) {
    box.append(el("h3", {}, group.intent), el("ul", {}, group.questions.map((q) =>
      el("li", {}, el("button", { type: "button", onclick: () => { $("question").value = q; $("ask-form").requestSubmit(); } }, q)))));
  }
}

$("question").addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); $("ask-form").requestSubmit(); } });
$("ask-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  const button = $("ask-form").querySelector("button[type=submit]");
  const answer = await busy(button, "ask-status", "Looking through your documents…", () => api("POST", "/v1/ask", { question }));
  if (!answer) return;
  setStatus("ask-status", answer.abstained ? "No supported answer in your documents or the knowledge base." : "");
  renderAnswer(answer);
});

/** Answer text with each [n] turned into a link to source n. */
function withMarkers(text) {
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(/\[(\d+)\]/g)) {
    parts.push(text.slice(last, m.index));
    parts.push(el("a", { class: "marker", href: "#source-" + m[1], "aria-label": "source " + m[1] }, "[" + m[1] + "]"));
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

function renderAnswer(answer) {
  $("ask-result").hidden = false;
  const verdict = $("verdict");
  verdict.hidden = !answer.verdict;
  if (answer.verdict) {
    verdict.className = "badge " + answer.verdict;
    verdict.textContent = label(answer.verdict);
  }
  const lines = answer.text.split("\n").map((l) => l.trim()).filter(Boolean);
  $("answer-lead").replaceChildren(...withMarkers(lines[0] || ""));
  fill($("answer-rest"), answerBlocks(lines.slice(1)));
  $("examples").open = false;
  const passages = new Map((answer.passages || []).map((p) => [p.id, p]));
  $("sources").replaceChildren(...answer.citations.map((c) => sourceItem(c, passages.get(c.chunk_id))));
  $("sources-title").hidden = answer.citations.length === 0;
}

/** Lines of the answer as paragraphs, with runs of "- " lines as one list. */
function answerBlocks(lines) {
  const blocks = [];
  for (const line of lines) {
    if (line.startsWith("- ")) {
      if (!blocks.length || blocks[blocks.length - 1].tagName !== "UL") blocks.push(el("ul", {}));
      blocks[blocks.length - 1].append(el("li", {}, withMarkers(line.slice(2))));
    } else {
      blocks.push(el("p", {}, withMarkers(line)));
    }
  }
  return blocks;
}

function sourceItem(c, passage) {
  const body = el("div", {});
  if (c.kind === "clause") {
    body.append(el("div", { class: "where" }, el("span", { class: "crumb" }, "ISO/IEC 20000-1:2018 › "),
      el("a", { href: "#clause=" + encodeURIComponent(c.clause_id) }, "clause " + c.clause_id + " " + (c.title || ""))));
  } else {
    const crumbs = [c.document, c.section, c.page ? "p. " + c.page : null].filter(Boolean);
    body.append(el("div", { class: "where" }, crumbs.join(" › ")));
    body.append(quoteInContext(c.quote || "", passage ? passage.text : ""));
  }
  return el("li", { id: "source-" + c.marker, tabindex: "-1" }, el("span", { class: "num", "aria-hidden": "true" }, String(c.marker)),
    el("span", { class: "visually-hidden" }, "Source " + c.marker + ": "), body);
}

const CONTEXT_CHARS = 260;

/** The quote marked inside its passage, with up to CONTEXT_CHARS of text either side. */
function quoteInContext(quote, text) {
  const box = el("blockquote", { class: "context" });
  const at = quote && text ? text.indexOf(quote) : -1;
  if (at < 0) {
    box.append(el("mark", {}, quote || text));
    return box;
  }
  let start = Math.max(0, at - CONTEXT_CHARS);
  let end = Math.min(text.length, at + quote.length + CONTEXT_CHARS);
  if (start > 0) start = text.indexOf(" ", start) + 1 || start; // whole words only
  if (end < text.length) end = Math.max(at + quote.length, text.lastIndexOf(" ", end));
  if (start > 0) box.append(el("span", { class: "gap" }, "… "));
  box.append(text.slice(start, at), el("mark", {}, quote), text.slice(at + quote.length, end));
  if (end < text.length) box.append(el("span", { class: "gap" }, " …"));
  return box;
}

// -- Interview: a transcript of question, answer and assessment ---------------------------
let session = null;
let currentTurn = null;
let questionNumber = 0;
let sessionLength = 0;

$("start-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { target: $("target").value.trim(), length: Number($("length").value) || 3 };
  const state = await busy(e.submitter, "iv-status", "Preparing the auditor…", () => api("POST", "/v1/interviews", body));
  if (!state) return;
  session = state.session.id;
  sessionLength = state.session.length;
  questionNumber = 0;
  $("transcript").replaceChildren();
  $("iv-summary").hidden = true;
  setStatus("iv-status", "Rehearsing " + label(state.session.target_kind) + " “" + state.session.target + "”, " + state.session.length + " questions.");
  showTurn(state.current);
});

function turnMeta(turn) {
  if (turn.kind === "follow_up") return "follow-up on question " + questionNumber;
  return "question " + (questionNumber + 1) + " of " + sessionLength + (turn.clauses.length ? " · clause " + turn.clauses.join(", ") : "");
}

function showTurn(turn) {
  currentTurn = turn;
  $("iv-turn").hidden = !turn;
  if (!turn) return;
  $("iv-prompt-meta").textContent = "· " + turnMeta(turn);
  $("iv-prompt").textContent = turn.prompt;
  $("iv-answer").value = "";
  $("iv-answer").focus();
}

async function sendAnswer(text, button) {
  if (!session || !currentTurn) return;
  const asked = currentTurn;
  const meta = turnMeta(asked);
  const result = await busy(button, "iv-status", "The auditor is assessing your answer…", () =>
    api("POST", "/v1/interviews/" + session + "/answers", { answer: text, turn: asked.index }));
  if (!result) return;
  if (result.next && result.next.index === asked.index) {
    setStatus("iv-status", result.message || result.assessment.reason, true); // not assessed: answer again
    return;
  }
  if (asked.kind !== "follow_up") questionNumber += 1;
  setStatus("iv-status", "");
  $("transcript").append(transcriptEntry(result.answered, result.assessment, meta));
  if (result.summary) {
    showTurn(null);
    renderSummary(result.summary);
  } else {
    showTurn(result.next);
  }
}
$("answer-form").addEventListener("submit", (e) => { e.preventDefault(); sendAnswer($("iv-answer").value, e.submitter); });
$("iv-skip").addEventListener("click", (e) => sendAnswer("skip", e.currentTarget));
$("iv-end").addEventListener("click", async (e) => {
  if (!session) return;
  const summary = await busy(e.currentTarget, "iv-status", "Writing the auditor's summary…", () => api("POST", "/v1/interviews/" + session + "/end"));
  if (!summary) return;
  setStatus("iv-status", "Interview ended.");
  showTurn(null);
  renderSummary(summary);
});

function transcriptEntry(turn, assessment, meta) {
  const skipped = assessment.kind === "skipped";
  return el("li", {},
    el("p", { class: "who" }, "Auditor ", el("span", { class: "meta" }, "· " + meta)),
    el("p", { class: "prompt" }, turn.prompt),
    el("p", { class: "who you" }, "You"),
    el("p", { class: "said" + (skipped ? " skipped" : "") }, skipped ? "Skipped" : turn.answer || ""),
    assessmentBox(assessment));
}

function assessmentBox(a) {
  const score = a.score == null ? "not scored" : "Score " + a.score + "/4";
  const box = el("div", { class: "assessment", role: "group", "aria-label": "Assessment of your answer" },
    el("p", {}, el("span", { class: "score" }, score), a.reason ? " — " + a.reason : ""));
  if (a.kind === "skipped") {
    // Nothing was said, so nothing was missed: the points are what to prepare.
    if (a.missing_points.length) box.append(el("p", {}, "An auditor listens for:"), el("ul", {}, a.missing_points.map((p) => el("li", {}, p))));
    return box;
  }
  const points = [
    ...a.covered_points.map((p) => el("li", { class: "ok" }, el("span", { class: "mark", "aria-label": "covered" }, "✓"), p)),
    ...a.missing_points.map((p) => el("li", { class: "gap" }, el("span", { class: "mark", "aria-label": "missing" }, "✗"), p)),
  ];
  if (points.length) box.append(el("ul", { class: "points" }, points));
  for (const c of a.contradictions) {
    box.append(el("p", { class: "error" }, "Differs from your documents (" + c.kind + "): you said " + c.answer_says + "; " + c.passage.document + " says " + c.document_says + "."),
      quoteInContext(c.passage.quote, ""));
  }
  for (const f of a.red_flags) box.append(el("p", { class: "error" }, "Red flag: " + f));
  if (a.strong_answer_adds && (a.score == null || a.score < 4)) box.append(el("p", { class: "hint" }, a.strong_answer_adds));
  return box;
}

function renderSummary(s) {
  const box = $("iv-summary");
  const findings = [...s.findings].sort((a, b) => gradeRank(a.grade) - gradeRank(b.grade));
  fill(box,
    el("h2", { id: "iv-summary-title", tabindex: "-1" }, "Summary"),
    el("p", {}, s.average_score == null ? "No answer was scored." : "Average score " + s.average_score.toFixed(1) + "/4 over " + s.questions.length + " questions."),
    s.grade ? el("p", {}, "Grade: ", el("span", { class: "badge " + gradeClass(s.grade) }, label(s.grade)), " — the most serious finding an auditor would likely raise.") : null,
    el("ol", {}, s.questions.map((q) => el("li", {}, q.question + " — ", el("strong", {}, q.skipped ? "skipped" : q.score == null ? "not scored" : q.score + "/4")))),
    el("h3", {}, "Findings"),
    findings.length ? findings.map((f) => findingDetails(f.grade, f.statement, f.clause_ids, [
      ...(f.rationale ? ["Why: " + f.rationale] : []),
      ...(f.answer_excerpt ? ["You said: “" + f.answer_excerpt + "”"] : []),
      ...f.passages.map((p) => p.document + (p.section ? " › " + p.section : "") + ": “" + p.quote + "”")]))
      : el("p", {}, "No findings."),
    s.prepare.length ? [el("h3", {}, "Prepare before the real audit"), el("ul", {}, s.prepare.map((p) => el("li", {}, p)))] : null);
  box.hidden = false;
  $("iv-summary-title").focus();
}

// -- Readiness -----------------------------------------------------------------------------
// A grade (or an action's severity) orders findings: majors first.
const GRADE_ORDER = ["major", "major nonconformity", "minor", "minor nonconformity", "observation"];
function gradeRank(grade) {
  const at = GRADE_ORDER.indexOf(String(grade || "").toLowerCase());
  return at < 0 ? GRADE_ORDER.length : at;
}
const gradeClass = (grade) => String(grade || "").toLowerCase().split(" ")[0];

function findingDetails(grade, title, clauses, lines) {
  return el("details", { class: "finding" },
    el("summary", {}, grade ? [el("span", { class: "badge " + gradeClass(grade) }, label(grade)), " "] : null, title,
      clauses && clauses.length ? el("span", { class: "meta" }, " · " + clauses.join(", ")) : null),
    el("div", { class: "body" }, lines.filter(Boolean).map((l) => (l instanceof Node ? l : el("p", {}, l)))));
}

$("load-readiness").addEventListener("click", async (e) => {
  const report = await busy(e.currentTarget, "rd-status", "Checking every clause against your documents…", () => api("GET", "/v1/readiness"));
  if (!report) return;
  setStatus("rd-status", "");
  renderReadiness(report);
});

$("readiness-html").addEventListener("click", async (e) => {
  if (!currentKey()) return; // no key: the link opens the report as it is
  e.preventDefault();
  const response = await fetch("/v1/readiness?format=html", { headers: authHeaders() });
  if (!response.ok) { setStatus("rd-status", errorMessage(response.status, await response.json().catch(() => ({}))), true); return; }
  const url = URL.createObjectURL(await response.blob());
  window.open(url, "_blank", "noopener");
});

/** The report's findings as one list (title, grade, clauses, detail), majors first. Graded
 *  clause findings are used when the report has them; otherwise the actions and the stale,
 *  register and inconsistency flags stand in. */
function readinessFindings(r) {
  const items = [];
  for (const c of r.clauses) {
    for (const f of c.findings || []) {
      items.push({ grade: f.grade, title: f.summary || f.state, clauses: [f.clause_id],
        lines: [f.why, ...(f.quotes || []).map(quoteLine), docs(f.documents)] });
    }
  }
  if (!items.length) {
    for (const a of r.actions) items.push({ grade: a.grade || a.severity, title: a.title, clauses: a.clause_ids, lines: [a.detail, docs(a.documents)] });
    for (const f of r.freshness) items.push({ grade: f.grade, title: f.document + ": " + f.kind, clauses: f.clause_ids, lines: [f.detail, f.dated ? "Dated " + f.dated : ""] });
    for (const f of r.records || []) items.push({ grade: f.grade, title: f.document + ": " + f.kind, clauses: f.clause_ids, lines: [f.detail, ...(f.rows || []).slice(0, 8)] });
    for (const d of r.inconsistencies) {
      items.push({ grade: d.grade, title: "Documents disagree on " + d.topic, clauses: d.clause_ids,
        lines: d.statements.map((p, i) => (d.values[i] ? d.values[i] + " — " : "") + p.source + (p.section ? " › " + p.section : "") + ": “" + p.text.slice(0, 300) + "”") });
    }
  }
  return items.sort((a, b) => gradeRank(a.grade) - gradeRank(b.grade));
}
const docs = (list) => (list && list.length ? "Documents: " + list.join(", ") : "");

/** A quoted sentence with where it stands, in its context when the report gives one. */
function quoteLine(q) {
  const where = el("div", { class: "where" }, [q.document, q.section].filter(Boolean).join(" › "));
  const context = q.context || "";
  return el("div", {}, where, quoteInContext(q.sentence, context.includes(q.sentence) ? context : ""));
}

function servedLine(served) {
  if (!served) return null;
  const seconds = served.age_seconds ?? (Date.now() - Date.parse(served.generated_at)) / 1000;
  if (!Number.isFinite(seconds)) return null;
  const minutes = Math.max(0, Math.floor(seconds / 60));
  const ago = minutes < 1 ? "just now" : minutes < 120 ? plural(minutes, "minute") + " ago" : plural(Math.floor(minutes / 60), "hour") + " ago";
  const tail = served.current ? "" : served.refreshing ? "; your documents changed since, and a newer report is on its way — check again shortly" : "; your documents changed since";
  return el("p", { class: "hint" }, "Computed " + ago + tail + ".");
}

function renderReadiness(r) {
  const findings = readinessFindings(r);
  const majors = findings.filter((f) => gradeRank(f.grade) <= 1).length;
  const counts = r.element_counts || {};
  const overall = el("div", { class: "overall", role: "group", "aria-label": "Overall readiness" },
    badge(overallClass(r.overall_status), r.overall_status),
    el("span", { class: "big" }, Math.round(r.overall_score * 100) + "%"),
    el("span", {}, plural(r.documents, "document") + " · " + (counts.evidenced || 0) + " requirement elements evidenced, " + (counts.weak || 0) + " weak, " + (counts.not_found || 0) + " not found"),
    el("span", { class: majors ? "error" : "" }, majors + " major finding" + (majors === 1 ? "" : "s")));
  const graded = r.clauses.some((c) => (c.findings || []).length);
  fill($("rd-result"),
    el("h2", {}, "Overall"), overall, servedLine(r.served),
    el("h2", { id: "chart-title" }, "Clauses by group"), clauseChart(r),
    el("h2", {}, "Findings (" + findings.length + ")"),
    findings.length ? findingsByGrade(findings) : el("p", {}, "No findings."),
    graded && r.actions.length ? [el("h2", {}, "Top actions"), el("ol", {}, r.actions.slice(0, 5).map((a) => el("li", {}, badge(a.severity), " ", a.title,
      a.owner ? el("span", { class: "hint" }, " — " + a.owner) : null)))] : null,
    el("h2", {}, "Stage 1 checklist"),
    el("ul", { class: "checklist" }, r.checklist.map((c) => el("li", {}, badge(c.status), " ", c.label, c.note ? el("span", { class: "hint" }, " — " + c.note) : null))));
}

/** The overall status as a badge colour: "ready…" green, "not ready…" red, anything else amber. */
function overallClass(status) {
  const text = String(status || "").toLowerCase();
  if (text.startsWith("not")) return "not_covered";
  return text.startsWith("ready") ? "covered" : "partial";
}

const SHOWN = 12;
const GRADE_TITLES = { major: "Major nonconformities", minor: "Minor nonconformities", observation: "Observations", "": "Other findings" };

/** Findings in one section per grade, majors first and open; long sections show the first
 *  SHOWN findings and a button for the rest. */
function findingsByGrade(findings) {
  const sections = new Map();
  for (const f of findings) {
    const key = gradeClass(f.grade) in GRADE_TITLES ? gradeClass(f.grade) : "";
    (sections.get(key) || sections.set(key, []).get(key)).push(f);
  }
  let first = true;
  return Array.from(sections, ([key, items]) => {
    const list = el("div", {}, items.slice(0, SHOWN).map((f) => findingDetails(f.grade, f.title, f.clauses, f.lines)));
    if (items.length > SHOWN) {
      const more = el("button", { type: "button", class: "secondary small", onclick: () => {
        list.append(...items.slice(SHOWN).map((f) => findingDetails(f.grade, f.title, f.clauses, f.lines)));
        more.remove();
      } }, "Show all " + items.length);
      list.append(more);
    }
    const section = el("details", { class: "grade-section", open: first || undefined },
      el("summary", {}, el("h3", {}, GRADE_TITLES[key] + " (" + items.length + ")")), list);
    first = false;
    return section;
  });
}

/** One stacked bar per clause group (covered, partial, missing clauses), each group expandable
 *  to its clauses. Counts are written out, so the chart reads without colour. */
function clauseChart(r) {
  const byGroup = new Map();
  for (const c of r.clauses) (byGroup.get(c.group) || byGroup.set(c.group, []).get(c.group)).push(c);
  const legend = el("p", { class: "legend", "aria-hidden": "true" },
    ["covered", "partial", "missing"].map((s) => el("span", {}, el("i", { class: "bar-" + s, style: "background:var(--" + (s === "covered" ? "ok" : s === "partial" ? "partial" : "bad") + ")" }), s)));
  const rows = r.groups.map((g) => {
    const pct = (n) => (g.clauses ? (100 * n) / g.clauses : 0) + "%";
    const text = g.covered + " covered, " + g.partial + " partial, " + g.missing + " missing of " + g.clauses;
    const clauses = (byGroup.get(g.key) || byGroup.get(g.label) || []);
    return el("details", { class: "group" },
      el("summary", {}, el("span", { class: "chart-row" },
        el("span", { class: "label" }, g.label),
        el("span", { class: "bar", role: "img", "aria-label": text },
          el("span", { class: "covered", style: "width:" + pct(g.covered) }), el("span", { class: "partial", style: "width:" + pct(g.partial) }),
          el("span", { class: "missing", style: "width:" + pct(g.missing) })),
        el("span", {}, Math.round(g.score * 100) + "%"))),
      el("div", { class: "body" }, clauses.length ? el("ul", {}, clauses.map((c) => el("li", {}, badge(c.status), " ", c.clause_id + " " + c.title,
        c.documented_missing.length ? el("span", { class: "hint" }, " — missing: " + c.documented_missing.join(", ")) : null))) : el("p", {}, text)));
  });
  return el("div", { class: "chart", role: "group", "aria-labelledby": "chart-title" }, legend, rows);
}

// -- Links to a source: #passage=<id> and #clause=<id> (the Slack bot's citations use them) --
async function openLinked() {
  const match = /^#(passage|clause)=(.+)$/.exec(location.hash);
  const box = $("linked");
  if (!match) { box.hidden = true; return; }
  selectTab($("tab-ask"), false);
  const [, kind, id] = match;
  const path = kind === "passage" ? "/v1/passages/" : "/v1/clauses/";
  const item = await busy(null, "ask-status", "Opening the linked " + kind + "…", () => api("GET", path + encodeURIComponent(decodeURIComponent(id))));
  if (!item) { box.hidden = true; return; }
  setStatus("ask-status", "");
  const close = el("button", { type: "button", class: "secondary small close", onclick: () => {
    history.replaceState(null, "", location.pathname + location.search);
    box.hidden = true;
    $("question").focus();
  } }, "Close");
  fill(box, close, kind === "passage" ? passageCard(item) : clauseCard(item));
  box.hidden = false;
  box.focus();
}

function passageCard(p) {
  const where = [p.source, p.section, p.page ? "p. " + p.page : null].filter(Boolean).join(" › ");
  return [el("h2", {}, "Linked source"), el("p", { class: "where" }, where),
    p.title ? el("p", { class: "hint" }, p.title + " · " + label(p.doc_type)) : null,
    el("blockquote", { class: "context" }, p.text)];
}

function clauseCard(c) {
  const list = (title, items) => (items && items.length ? [el("h3", {}, title), el("ul", {}, items.map((i) => el("li", {}, i)))] : null);
  return [el("h2", {}, "Clause " + c.id + " " + c.title), el("p", {}, c.intent),
    list("Documented information an auditor expects", c.documented_information),
    list("Records auditors sample", c.records_sampled),
    list("What auditors look at", c.auditor_focus),
    el("p", { class: "hint" }, "ISO/IEC 20000-1:2018, described in our own words.")];
}
window.addEventListener("hashchange", openLinked);

// -- Start ---------------------------------------------------------------------------------
renderExamples();
showKeyState();
loadWorkspace();
openLinked();
