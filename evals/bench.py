"""``auditprep bench``: ingest throughput against the bare embedder, ask latency at 1k-100k
chunks against its irreducible part, peak memory per phase, and cold start."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console

from assistant.bootstrap import build_assistant
from assistant.config import Settings, load_settings
from assistant.ports import StoredChunk
from assistant.workspaces import workspace_collection

console = Console()
QUESTIONS = [
    "Who approves emergency changes?",
    "Do we have evidence for change management?",
    "What does clause 8.6.3 require?",
    "How long is the certificate valid?",
    "Is our major incident priority consistent across documents?",
    "How often is the continuity plan tested?",
    "What are the SLA targets for Harbour Logistics?",
    "Who owns the capacity plan?",
    "Are we ready for Stage 1?",
    "What does the internal audit programme cover?",
]


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return


def _corpus(knowledge: Path, target_chunks: int, out: Path) -> int:
    """Markdown documents built from the knowledge base and the sample organization."""
    texts: list[str] = []
    for path in sorted((knowledge / "guidance").glob("*.md")) + sorted((knowledge / "samples").rglob("*.md")):
        texts += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 20]
    rng = random.Random(7)
    out.mkdir(parents=True, exist_ok=True)
    doc, made = 0, 0
    while made < target_chunks:
        sections = []
        for s in range(8):
            paras = rng.sample(texts, k=min(3, len(texts)))
            sections.append(f"## {s + 1} Section {rng.randint(1, 999)}\n\n" + "\n\n".join(paras))
        (out / f"doc-{doc:05d}.md").write_text(f"# Synthetic document {doc}\n\n" + "\n\n".join(sections))
        doc += 1
        made += 8
    return doc


def bench_ingest(settings: Settings, chunks: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        docs = _corpus(settings.knowledge_dir, chunks, corpus)
        s = load_settings(data_dir=root / "data", knowledge_dir=settings.knowledge_dir, _env_file=None)
        a = build_assistant(s)
        a.embedder.embed_query("warm up")
        a.pipeline._tagger._elements()  # the element matrix is built once per process, not per run
        reset_peak()
        started = time.perf_counter()
        report = a.pipeline.ingest_paths([corpus], "bench")
        first = time.perf_counter() - started
        peak_ingest = peak_rss_mb()
        written = report.chunks_written
        stored = a.store.get(workspace_collection("bench"), [])  # noqa: F841 - keeps API warm
        ids = [
            cid
            for r in a.manifest.list(workspace_collection("bench"))
            for cid in a.manifest.chunk_ids(workspace_collection("bench"), r.document_id)
        ]
        texts = [
            f"{c.metadata['title']}. {c.metadata['section']}\n{c.text}"
            for c in a.store.get(workspace_collection("bench"), ids)
        ]
        started = time.perf_counter()
        a.embedder.embed_documents(texts)
        bare = time.perf_counter() - started
        started = time.perf_counter()
        rerun = a.pipeline.ingest_paths([corpus], "bench")
        second = time.perf_counter() - started
        assert rerun.count(rerun.results[0].outcome) >= 0
    return {
        "documents": docs,
        "chunks": written,
        "pipeline_chunks_per_s": round(written / first, 1),
        "embedder_chunks_per_s": round(len(texts) / bare, 1),
        "ratio": round((written / first) / (len(texts) / bare), 3),
        "first_run_s": round(first, 2),
        "no_change_rerun_s": round(second, 3),
        "rerun_share_of_first": round(second / first, 4),
        "peak_rss_mb": round(peak_ingest, 1),
    }


def _synthetic(a, collection: str, n: int, base_texts: list[str], base_vecs: np.ndarray) -> None:
    rng = np.random.default_rng(n)
    version = 1
    batch: list[StoredChunk] = []
    vecs: list[np.ndarray] = []
    doc_size = 20
    from assistant.manifest import DocumentRecord
    from assistant.models import DocType, DocumentStatus

    for i in range(n):
        j = i % len(base_texts)
        words = base_texts[j].split()
        rng.shuffle(words[: max(1, len(words) // 5)])
        vec = base_vecs[j] + rng.normal(scale=0.08, size=base_vecs.shape[1]).astype(np.float32)
        vec /= np.linalg.norm(vec)
        doc_id = f"syn{i // doc_size:06d}"
        batch.append(
            StoredChunk(
                f"{doc_id}-v1-{i % doc_size:05d}",
                " ".join(words),
                {
                    "document_id": doc_id,
                    "version": version,
                    "source": f"synthetic/{doc_id}.md",
                    "title": f"Doc {doc_id}",
                    "doc_type": "procedure",
                    "section": "Synthetic",
                    "page": 0,
                    "chunk_index": i % doc_size,
                    "clauses": "",
                    "clause_scores": "{}",
                    "origin": "organization",
                },
            )
        )
        vecs.append(vec)
        if len(batch) >= 2000 or i == n - 1:
            a.store.upsert(collection, batch, np.stack(vecs))
            a.lexical.upsert(collection, batch)
            batch, vecs = [], []
    from datetime import UTC, datetime

    for d in range((n + doc_size - 1) // doc_size):
        doc_id = f"syn{d:06d}"
        a.manifest.commit(
            DocumentRecord(
                workspace=collection,
                document_id=doc_id,
                source=f"synthetic/{doc_id}.md",
                title=doc_id,
                doc_type=DocType.PROCEDURE,
                content_hash=doc_id,
                version=1,
                chunk_count=doc_size,
                status=DocumentStatus.INDEXED,
                ingested_at=datetime.now(UTC),
            ),
            [],
            [],
        )


def bench_ask(settings: Settings, sizes: list[int]) -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        s = load_settings(data_dir=Path(tmp) / "data", knowledge_dir=settings.knowledge_dir, _env_file=None)
        a = build_assistant(s)
        a.ensure_standard()
        sample = settings.knowledge_dir / "samples" / "kestrel" / "documents"
        if sample.exists():
            a.pipeline.ingest_paths([sample], "seed")
        seed_col = workspace_collection("seed")
        ids = [cid for r in a.manifest.list(seed_col) for cid in a.manifest.chunk_ids(seed_col, r.document_id)]
        base = a.store.get(seed_col, ids) or [StoredChunk("x", "change approval by the CAB", {})]
        base_texts = [c.text for c in base]
        base_vecs = a.embedder.embed_documents(base_texts)
        for n in sizes:
            ws = f"bench{n}"
            collection = workspace_collection(ws)
            started = time.perf_counter()
            _synthetic(a, collection, n, base_texts, base_vecs)
            build_s = time.perf_counter() - started
            for q in QUESTIONS:  # warm up caches, as a long-running server would be
                a.ask.ask(q, ws)
            reset_peak()
            latencies, irreducible = [], []
            for _ in range(3):
                for q in QUESTIONS:
                    t = time.perf_counter()
                    a.ask.ask(q, ws)
                    latencies.append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    vec = a.embedder.embed_query(q)
                    a.store.query(collection, vec, s.candidates)
                    irreducible.append((time.perf_counter() - t) * 1000)
            p95 = float(np.percentile(latencies, 95))
            p95_irr = float(np.percentile(irreducible, 95))
            results[str(n)] = {
                "chunks": n,
                "build_s": round(build_s, 1),
                "ask_p50_ms": round(statistics.median(latencies), 1),
                "ask_p95_ms": round(p95, 1),
                "irreducible_p50_ms": round(statistics.median(irreducible), 1),
                "irreducible_p95_ms": round(p95_irr, 1),
                "ratio_p95": round(p95 / p95_irr, 2),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
            console.print(f"ask @ {n} chunks: {results[str(n)]}")
    return results


def cold_start(settings: Settings) -> dict:
    exe = Path(sys.executable).with_name("auditprep")
    started = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "--data-dir", str(settings.data_dir), "ask", "How long is the certificate valid?"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return {"cold_start_s": round(time.perf_counter() - started, 2), "exit": proc.returncode}


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    figures: dict = {}
    if args.what in ("ingest", "all"):
        figures["ingest"] = bench_ingest(settings, args.ingest_chunks)
        console.print(f"ingest: {figures['ingest']}")
    if args.what in ("ask", "all"):
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
        figures["ask"] = bench_ask(settings, sizes)
        figures["cold_start"] = cold_start(settings)
        console.print(f"cold start: {figures['cold_start']}")
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0
