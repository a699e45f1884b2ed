"""``auditprep bench``: ingest throughput against the bare embedder, ask latency at 1k-100k
chunks against its irreducible part, peak memory per phase, cold start, and an HTTP load run.

Benchmarks report figures; they never assert timings. Every phase records the machine's
load average, because on a shared machine a figure means little without it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from assistant.bootstrap import Assistant, build_assistant
from assistant.config import Settings, load_settings
from assistant.ports import StoredChunk
from assistant.workspaces import STANDARD_COLLECTION, workspace_collection
from evals.bench_stats import load_average, peak_rss_mb, percentile, reset_peak_rss, targets

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
SAMPLE_ORG = Path("samples") / "kestrel" / "documents"
SYNTHETIC_NOTE = (
    "filler chunks mix sentences of real knowledge-base and sample-organization chunks; their vectors "
    "are precomputed mixes of those chunks' real embeddings plus noise, not embeddings of the filler text"
)


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


def _committed_chunks(a: Assistant, collection: str) -> list[StoredChunk]:
    ids = [cid for r in a.manifest.list(collection) for cid in a.manifest.chunk_ids(collection, r.document_id)]
    return a.store.get(collection, ids)


def _timed(fn, *args, **kwargs) -> tuple[Any, float, float]:
    """Result, wall seconds and this process's CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def bench_ingest(settings: Settings, chunks: int) -> dict:
    """Whole pipeline vs the bare embedder on the same chunk texts, in one process.

    CPU-time rates sit next to wall-clock rates: on a machine shared with other work the
    CPU-time ratio is the steadier measure of the pipeline's own overhead.
    """
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        docs = _corpus(settings.knowledge_dir, chunks, corpus)
        # no shared embedding cache here: texts embedded in an earlier run would be read back, not timed
        s = load_settings(
            data_dir=root / "data", knowledge_dir=settings.knowledge_dir, embedding_cache=None, _env_file=None
        )
        a = build_assistant(s)
        a.embedder.embed_query("warm up")
        a.pipeline._tagger._elements()  # the element matrix is built once per process, not per run
        load_before = load_average()
        reset_peak_rss()
        report, first, first_cpu = _timed(a.pipeline.ingest_paths, [corpus], "bench")
        peak = peak_rss_mb()
        written = report.chunks_written
        stored = _committed_chunks(a, workspace_collection("bench"))
        texts = [f"{c.metadata['title']}. {c.metadata['section']}\n{c.text}" for c in stored]
        _, bare, bare_cpu = _timed(a.embedder.embed_documents, texts)
        backends = _backend_rates(s, a, texts, (len(texts) / bare, len(texts) / bare_cpu))
        rerun, second, _ = _timed(a.pipeline.ingest_paths, [corpus], "bench")
        unchanged = sum(1 for r in rerun.results if r.outcome.value == "unchanged")
        standard, standard_s, standard_cpu = _timed(a.pipeline.ingest_standard)
        load_after = load_average()
    pipeline_rate, bare_rate = written / first, len(texts) / bare
    return {
        "documents": docs,
        "chunks": written,
        "pipeline_chunks_per_s": round(pipeline_rate, 1),
        "embedder_chunks_per_s": round(bare_rate, 1),
        "ratio": round(pipeline_rate / bare_rate, 3),
        "pipeline_chunks_per_cpu_s": round(written / first_cpu, 2),
        "embedder_chunks_per_cpu_s": round(len(texts) / bare_cpu, 2),
        "ratio_cpu": round((written / first_cpu) / (len(texts) / bare_cpu), 3),
        "first_run_s": round(first, 2),
        "no_change_rerun_s": round(second, 3),
        "no_change_rerun_unchanged_files": unchanged,
        "rerun_share_of_first": round(second / first, 4),
        "peak_rss_mb": peak,
        "standard_ingest_s": round(standard_s, 2),
        "standard_ingest_cpu_s": round(standard_cpu, 2),
        "standard_chunks": standard.chunks_written,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "backends": backends,
    }


def _backend_rates(settings: Settings, a: Assistant, texts: list[str], serving: tuple[float, float]) -> dict:
    """Bare embedding rates of both backends on the same chunk texts, in this process: the
    serving one as measured above, the other one timed here (when it is installed)."""
    from assistant.adapters.embedder import SentenceTransformerEmbedder
    from assistant.adapters.onnx_embedder import OnnxEmbedder
    from assistant.errors import KnowledgeError

    rates = {settings.embedder_backend: serving}
    other = (
        SentenceTransformerEmbedder() if settings.embedder_backend == "onnx" else OnnxEmbedder(settings.onnx_model_dir)
    )
    try:
        other.embed_query("warm up")
    except KnowledgeError as exc:
        return {"note": str(exc)}
    _, wall, cpu = _timed(other.embed_documents, texts)
    rates["onnx" if settings.embedder_backend == "torch" else "torch"] = (len(texts) / wall, len(texts) / cpu)
    out: dict = {k: {"chunks_per_s": round(w, 1), "chunks_per_cpu_s": round(c, 2)} for k, (w, c) in rates.items()}
    out["onnx_speedup"] = round(rates["onnx"][0] / rates["torch"][0], 2)
    out["onnx_speedup_cpu"] = round(rates["onnx"][1] / rates["torch"][1], 2)
    return out


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in text.replace("\n", " ").split(". ") if len(s.split()) > 3]


def _synthetic(
    a: Assistant, collection: str, n: int, base: list[StoredChunk], base_vecs: np.ndarray, doc_size: int = 20
) -> None:
    """Write ``n`` varied filler chunks straight to both indexes and the manifest.

    Each chunk mixes sentences of two or three real chunks and carries a precomputed vector
    (the mix of their embeddings plus noise), so 100k chunks take minutes, not hours of
    embedding; see ``SYNTHETIC_NOTE``.
    """
    from assistant.manifest import documents

    rng = np.random.default_rng(n)
    pyrng = random.Random(n)
    sentences = [_sentences(c.text) or [c.text] for c in base]
    dim = base_vecs.shape[1]
    now = datetime.now(UTC)
    batch: list[StoredChunk] = []
    vecs: list[np.ndarray] = []
    rows: list[dict] = []
    doc_ids: list[str] = []
    for i in range(n):
        picks = rng.choice(len(base), size=int(rng.integers(2, 4)), replace=False)
        weights = rng.dirichlet(np.ones(len(picks)))
        parts: list[str] = []
        for j, w in zip(picks, weights, strict=True):
            pool = sentences[j]
            parts += pyrng.sample(pool, k=max(1, min(len(pool), round(6 * w))))
        vec = weights @ base_vecs[picks] + rng.normal(scale=0.03, size=dim).astype(np.float32)
        vecs.append((vec / np.linalg.norm(vec)).astype(np.float32))
        lead = base[int(picks[int(np.argmax(weights))])].metadata
        doc_id = f"syn{i // doc_size:06d}"
        cid = f"{doc_id}-v1-{i % doc_size:05d}"
        doc_ids.append(cid)
        batch.append(
            StoredChunk(
                cid,
                ". ".join(parts) + ".",
                {
                    "workspace": collection,
                    "origin": "organization",
                    "document_id": doc_id,
                    "version": 1,
                    "source": f"synthetic/{doc_id}-{lead.get('source', 'doc')}",
                    "title": f"{lead.get('title', 'Document')} ({doc_id})",
                    "doc_type": lead.get("doc_type", "procedure"),
                    "section": lead.get("section", ""),
                    "page": 0,
                    "chunk_index": i % doc_size,
                    "clauses": lead.get("clauses", ""),
                    "clause_scores": lead.get("clause_scores", "{}"),
                },
            )
        )
        if (i + 1) % doc_size == 0 or i == n - 1:
            rows.append(
                {
                    "workspace": collection,
                    "document_id": doc_id,
                    "source": batch[-1].metadata["source"],
                    "title": batch[-1].metadata["title"],
                    "doc_type": batch[-1].metadata["doc_type"],
                    "content_hash": doc_id,
                    "version": 1,
                    "chunk_ids": json.dumps(doc_ids),
                    "status": "indexed",
                    "last_error": None,
                    "ingested_at": now,
                }
            )
            doc_ids = []
        if len(batch) >= 2000 or i == n - 1:
            a.store.upsert(collection, batch, np.stack(vecs))
            a.lexical.upsert(collection, batch)
            batch, vecs = [], []
    with a.engine.begin() as conn:  # one transaction: the manifest is not what is measured here
        conn.execute(documents.insert(), rows)


def _raw_query(a: Assistant, collection: str, vector: np.ndarray, k: int) -> None:
    """One query straight to the chromadb collection: no adapter, no filters, no mapping."""
    a.store._collection(collection).query(
        query_embeddings=vector.reshape(1, -1), n_results=k, include=["documents", "metadatas", "distances"]
    )


def _latencies(a: Assistant, settings: Settings, workspace: str, rounds: int) -> dict:
    collection = workspace_collection(workspace)
    ask, irreducible, retrieval, embed, query = [], [], [], [], []
    per_question: dict[str, list[float]] = {q: [] for q in QUESTIONS}
    for _ in range(rounds):
        for q in QUESTIONS:
            t = time.perf_counter()
            a.ask.ask(q, workspace)
            ask.append((time.perf_counter() - t) * 1000)
            per_question[q].append(ask[-1])
            t = time.perf_counter()
            a.retriever.retrieve(q, workspace)
            retrieval.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            vector = a.embedder.embed_query(q)
            embedded = time.perf_counter()
            _raw_query(a, collection, vector, settings.candidates)
            done = time.perf_counter()
            embed.append((embedded - t) * 1000)
            query.append((done - embedded) * 1000)
            irreducible.append((done - t) * 1000)
    p95, p95_irr = percentile(ask, 95), percentile(irreducible, 95)
    return {
        "query_embed_p50_ms": round(statistics.median(embed), 1),
        "raw_chroma_query_p50_ms": round(statistics.median(query), 1),
        "ask_p50_ms": round(statistics.median(ask), 1),
        "ask_p95_ms": round(p95, 1),
        "retrieval_p50_ms": round(statistics.median(retrieval), 1),
        "retrieval_p95_ms": round(percentile(retrieval, 95), 1),
        "irreducible_p50_ms": round(statistics.median(irreducible), 1),
        "irreducible_p95_ms": round(p95_irr, 1),
        "ratio_p95": round(p95 / p95_irr, 2),
        "ratio_p50": round(statistics.median(ask) / statistics.median(irreducible), 2),
        "ask_p50_ms_per_question": {q: round(statistics.median(v), 1) for q, v in per_question.items()},
    }


def bench_ask(settings: Settings, sizes: list[int], rounds: int = 3) -> dict:
    """Warm-process ask latency per corpus size, next to one embedding plus one raw query.

    With AUDITPREP_DATABASE_URL set (an empty PostgreSQL database), keyword search and the
    manifest are in that database, as on several nodes; otherwise FTS5 and SQLite."""
    results: dict = {"note": SYNTHETIC_NOTE}
    with tempfile.TemporaryDirectory() as tmp:
        s = load_settings(
            data_dir=Path(tmp) / "data",
            knowledge_dir=settings.knowledge_dir,
            database_url=settings.database_url,
            _env_file=None,
        )
        a = build_assistant(s)
        results["lexical"] = a.engine.dialect.name  # sqlite: FTS5; postgresql: the index in the database
        reset_peak_rss()
        started = time.perf_counter()
        a.ensure_standard()
        sample = settings.knowledge_dir / SAMPLE_ORG
        if sample.exists():
            a.pipeline.ingest_paths([sample], "seed")
        results["setup"] = {
            "standard_and_sample_ingest_s": round(time.perf_counter() - started, 1),
            "peak_rss_mb": peak_rss_mb(),
        }
        base = _committed_chunks(a, workspace_collection("seed")) + _committed_chunks(a, STANDARD_COLLECTION)
        base_vecs = a.embedder.embed_documents([c.text for c in base])
        for n in sizes:
            ws = f"bench{n}"
            reset_peak_rss()
            load_before = load_average()
            started = time.perf_counter()
            _synthetic(a, workspace_collection(ws), n, base, base_vecs)
            build_s = time.perf_counter() - started
            build_peak = peak_rss_mb()
            for q in QUESTIONS:  # warm up caches, as a long-running server would be
                a.ask.ask(q, ws)
            reset_peak_rss()
            figures = _latencies(a, s, ws, rounds)
            results[str(n)] = {
                "chunks": n,
                "build_s": round(build_s, 1),
                "build_peak_rss_mb": build_peak,
                **figures,
                "ask_peak_rss_mb": peak_rss_mb(),
                "load_average_before": load_before,
                "load_average_after": load_average(),
            }
            console.print(f"ask @ {n} chunks: {results[str(n)]}")
        results["cold_start"] = cold_start(s, "seed")
    return results


def cold_start(settings: Settings, workspace: str, runs: int = 2) -> dict:
    """Process start to printed answer for ``auditprep ask``, over an already ingested store."""
    exe = Path(sys.executable).with_name("auditprep")
    env = {**os.environ, "AUDITPREP_KNOWLEDGE_DIR": str(settings.knowledge_dir)}
    times, codes = [], []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(
            [str(exe), "--data-dir", str(settings.data_dir), "ask", "-w", workspace, "Who approves emergency changes?"],
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
        times.append(round(time.perf_counter() - started, 2))
        codes.append(proc.returncode)
    return {"cold_start_s": times, "exit": codes, "load_average": load_average()}


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    figures: dict = {}
    what = args.what
    if what in ("ingest", "all"):
        figures["ingest"] = bench_ingest(settings, args.ingest_chunks)
        console.print(f"ingest: {figures['ingest']}")
    if what in ("ask", "all"):
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
        figures["ask"] = bench_ask(settings, sizes)
        console.print(f"cold start: {figures['ask']['cold_start']}")
    if what in ("api", "all"):
        from evals.bench_api import bench_api

        figures["api"] = bench_api(settings, clients=args.clients, seconds=args.seconds, workers=args.api_workers)
        console.print(f"api: {figures['api']}")
    figures["targets"] = targets(figures, load_average())
    table = Table(title="targets")
    for column in ("target", "figure", "met", "load average"):
        table.add_column(column)
    for t in figures["targets"]:
        met = {True: "yes", False: "NO", None: "n/a"}[t["met"]]
        table.add_row(t["target"], str(t["figure"]), met, ", ".join(str(x) for x in t["load_average"]))
    console.print(table)
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0
