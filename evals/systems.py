"""The systems an eval compares: ours (any generator), ``dense-only`` (our pipeline without
BM25 and clause steering) and ``naive`` (a tutorial RAG built with LangChain)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from assistant.bootstrap import Assistant
from assistant.models import Answer


@dataclass(slots=True)
class Response:
    """What every system returns to the metrics, whatever produced it."""

    text: str
    cited_clauses: list[str]
    cited_sources: list[str]  # file names
    ranked_sources: list[str]  # file names of retrieved passages, best first
    abstained: bool
    verdict: str | None
    latency_ms: float
    details: dict = field(default_factory=dict)


class System(Protocol):
    name: str

    def respond(self, question: str, workspace: str) -> Response: ...


def _file(source: str) -> str:
    return source.rsplit("/", 1)[-1]


def response_from_answer(answer: Answer, latency_ms: float) -> Response:
    ranked = answer.passages  # in the pipeline's own order of relevance to the question
    return Response(
        text=answer.text,
        cited_clauses=answer.cited_clause_ids(),
        cited_sources=[_file(d) for d in answer.cited_documents()],
        ranked_sources=[_file(p.source) for p in ranked],
        abstained=answer.abstained,
        verdict=answer.verdict.value if answer.verdict else None,
        latency_ms=latency_ms,
        details={
            "intent": answer.intent.value,
            "top_sources": [_file(p.source) for p in ranked[:10]],
            "removed_citations": [r.model_dump() for r in answer.metadata.removed_citations],
            "fallback": answer.metadata.fallback_reason,
            "unsupported_removed": answer.metadata.unsupported_sentences_removed,
            "generator_called": answer.metadata.llm_ms is not None,
            "llm_ms": answer.metadata.llm_ms,
        },
    )


class OurSystem:
    """Our full pipeline through the public ask service."""

    def __init__(self, assistant: Assistant, generator: str | None = None, name: str | None = None) -> None:
        self._ask = assistant.ask
        self._generator = generator
        self.name = name or (generator or assistant.settings.generator)

    def respond(self, question: str, workspace: str) -> Response:
        started = time.perf_counter()
        answer = self._ask.ask(question, workspace, self._generator)
        return response_from_answer(answer, (time.perf_counter() - started) * 1000)


class DenseOnlySystem(OurSystem):
    """Our pipeline with lexical search and clause steering switched off."""

    def __init__(self, assistant: Assistant) -> None:
        from assistant.answering.service import AskService
        from assistant.retrieval import Retriever

        a = assistant
        retriever = Retriever(
            a.settings,
            a.catalogue,
            a.embedder,
            a.store,
            a.lexical,
            a.manifest,
            use_lexical=False,
            clause_steering=False,
        )
        self._ask = AskService(
            a.settings, a.catalogue, a.embedder, retriever, a.store, a.lexical, a.manifest, a.ensure_standard
        )
        self._generator = "extractive"
        self.name = "dense-only"


class NaiveSystem:
    """What a user assembles from a tutorial: 1000/200 character splits, the same embedder,
    Chroma similarity top-4, the top passages as the answer, truncated to ``answer_words``."""

    name = "naive"

    def __init__(self, assistant: Assistant, files: list[Path], answer_words: int) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from evals.langchain_embeddings import LangChainEmbeddings
        from ingest.loaders import load_document

        self._catalogue = assistant.catalogue
        self._answer_words = max(20, answer_words)
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        docs: list[Document] = []
        for path in files:
            try:
                loaded, _ = load_document(path, assistant.settings.max_file_bytes)
            except Exception:  # the baseline skips what it cannot read, as a tutorial would
                continue
            for piece in splitter.split_text(loaded.text):
                docs.append(Document(page_content=piece, metadata={"source": path.name}))
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self._store = Chroma(
            collection_name=f"naive-{id(self)}",
            embedding_function=LangChainEmbeddings(assistant.embedder),
            client=client,
        )
        if docs:
            self._store.add_documents(docs)

    def respond(self, question: str, workspace: str) -> Response:
        started = time.perf_counter()
        hits = self._store.similarity_search(question, k=4)
        words = " ".join(h.page_content for h in hits).split()
        text = " ".join(words[: self._answer_words])
        clauses: list[str] = []
        for hit in hits:
            for cid in self._catalogue.resolve(hit.page_content):
                if cid not in clauses:
                    clauses.append(cid)
        sources = [str(h.metadata.get("source", "")) for h in hits]
        return Response(
            text=text,
            cited_clauses=clauses,
            cited_sources=list(dict.fromkeys(sources)),
            ranked_sources=sources,
            abstained=False,
            verdict=None,
            latency_ms=(time.perf_counter() - started) * 1000,
        )
