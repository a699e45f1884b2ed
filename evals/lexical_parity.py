"""Retrieval parity of the two lexical adapters, SQLite FTS5 and PostgreSQL, in one run.

One ingest writes every chunk to both indexes (the same chunks, the same Chroma store
and manifest), then each dataset's questions are asked of each index twice: keyword
search alone (the adapter itself) and the hybrid retriever that serves answers (dense +
keywords, fused). hit@5 and MRR are the runner's, over the source files of the passages
in rank order; the standard's questions are scored on the standard's passages and the
organization's on the workspace's.

    python -m evals.lexical_parity --database-url postgresql+psycopg://user@host/db
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from assistant.adapters.fts_index import FtsIndex
from assistant.adapters.pg_lexical import PostgresLexicalIndex
from assistant.bootstrap import Assistant, build_assistant
from assistant.config import DEFAULT_KNOWLEDGE_DIR, load_settings
from assistant.db import create_db_engine
from assistant.ports import Filter, LexicalIndex, ScoredChunk, StoredChunk
from assistant.retrieval import Retriever
from assistant.workspaces import STANDARD_COLLECTION, workspace_collection
from evals import metrics as m
from evals.dataset import load_dataset

DATASETS = Path(__file__).with_name("datasets")
SAMPLE_WORKSPACE = "kestrel"
SAMPLE_DOCS = DEFAULT_KNOWLEDGE_DIR / "samples" / "kestrel" / "documents"
K = 10


class BothIndexes:
    """Writes go to every index (searches to the first), so one ingest fills them all."""

    def __init__(self, *indexes: LexicalIndex) -> None:
        self._all = indexes

    def upsert(self, collection: str, chunks: Sequence[StoredChunk]) -> None:
        for index in self._all:
            index.upsert(collection, chunks)

    def replace_document(self, collection: str, document_id: str, chunks: Sequence[StoredChunk]) -> None:
        for index in self._all:
            index.replace_document(collection, document_id, chunks)

    def delete_document(self, collection: str, document_id: str) -> int:
        return [index.delete_document(collection, document_id) for index in self._all][0]

    def delete_chunks(self, collection: str, chunk_ids: Sequence[str]) -> None:
        for index in self._all:
            index.delete_chunks(collection, chunk_ids)

    def search(self, collection: str, query: str, k: int, where: Filter | None = None) -> list[ScoredChunk]:
        return self._all[0].search(collection, query, k, where)

    def count(self, collection: str) -> int:
        return self._all[0].count(collection)

    def chunk_ids(self, collection: str, document_id: str) -> list[str]:
        return self._all[0].chunk_ids(collection, document_id)

    def drop_collection(self, collection: str) -> None:
        for index in self._all:
            index.drop_collection(collection)


def _file(source: str) -> str:
    return source.rsplit("/", 1)[-1]


def measure(assistant: Assistant, indexes: dict[str, LexicalIndex]) -> list[dict[str, object]]:
    """One row per dataset, mode and adapter: hit@5 and MRR over the answerable items."""
    rows: list[dict[str, object]] = []
    for dataset_file, collection, workspace in (
        ("standard.yaml", STANDARD_COLLECTION, SAMPLE_WORKSPACE),
        ("sample_org.yaml", workspace_collection(SAMPLE_WORKSPACE), SAMPLE_WORKSPACE),
    ):
        dataset = load_dataset(DATASETS / dataset_file)
        items = [i for i in dataset.items if i.kind != "unanswerable" and i.expected_sources]
        for name, index in indexes.items():
            retriever = Retriever(
                assistant.settings, assistant.catalogue, assistant.embedder, assistant.store, index, assistant.manifest
            )
            for mode in ("keywords", "hybrid"):
                hits: list[float | None] = []
                ranks: list[float | None] = []
                for item in items:
                    if mode == "keywords":
                        ranked = [
                            _file(str(h.chunk.metadata.get("source", "")))
                            for h in index.search(collection, item.question, K)
                        ]
                    else:
                        found = retriever.retrieve(item.question, workspace, K)
                        passages = found.standard if collection == STANDARD_COLLECTION else found.organization
                        ranked = [_file(p.source) for p in passages]
                    hits.append(m.hit_at_k(ranked, item.expected_sources, 5))
                    ranks.append(m.reciprocal_rank(ranked, item.expected_sources))
                rows.append(
                    {
                        "dataset": dataset.name,
                        "items": len(items),
                        "mode": mode,
                        "index": name,
                        "hit@5": m.mean(hits),
                        "mrr": m.mean(ranks),
                    }
                )
    return rows


def table(rows: list[dict[str, object]]) -> str:
    lines = ["| dataset | items | search | index | hit@5 | MRR |", "|---|---:|---|---|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['items']} | {r['mode']} | {r['index']} | {r['hit@5']:.3f} | {r['mrr']:.3f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database to fill")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="auditprep-parity-") as tmp:
        settings = load_settings(data_dir=Path(tmp), workspace=SAMPLE_WORKSPACE)
        assistant = build_assistant(settings)
        fts = FtsIndex(settings.lexical_path)
        pg = PostgresLexicalIndex(create_db_engine(args.database_url))
        for collection in (STANDARD_COLLECTION, workspace_collection(SAMPLE_WORKSPACE)):
            pg.drop_collection(collection)
        from ingest.pipeline import IngestPipeline

        pipeline = IngestPipeline(
            settings, assistant.catalogue, assistant.embedder, assistant.store, BothIndexes(fts, pg), assistant.manifest
        )
        pipeline.ingest_standard()
        pipeline.ingest_paths([SAMPLE_DOCS], SAMPLE_WORKSPACE)
        for collection in (STANDARD_COLLECTION, workspace_collection(SAMPLE_WORKSPACE)):
            if fts.count(collection) != pg.count(collection):
                print(f"error: the indexes differ in {collection}", file=sys.stderr)
                return 1
        print(table(measure(assistant, {"fts5": fts, "postgresql": pg})))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
