"""The composition root: every adapter and service is built here, once, from settings.

The CLI, the API, the Slack bot and the evals all start from ``build_assistant``.
Parts are built on first use, so a command that never embeds never loads torch.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from assistant.catalogue import Catalogue
from assistant.config import Settings
from assistant.offline import enforce_offline

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from assistant.answering.service import AskService
    from assistant.apikeys import KeyStore
    from assistant.calibration import Calibration
    from assistant.channel_settings import ChannelSettingsStore
    from assistant.chat_threads import ThreadStore
    from assistant.evidence.selector import UnitVectors
    from assistant.feedback import FeedbackStore
    from assistant.interviews.bank import QuestionBank
    from assistant.interviews.service import InterviewService
    from assistant.manifest import Manifest
    from assistant.originals import Originals
    from assistant.ports import ChatModel, Embedder, LexicalIndex, VectorStore
    from assistant.ratelimit import Limiter
    from assistant.readiness.service import ReadinessService
    from assistant.request_dedupe import SeenRequests
    from assistant.retrieval import Retriever
    from ingest.intake import Intake
    from ingest.pipeline import IngestPipeline


class Assistant:
    """Holds the wired services. Construct with ``build_assistant``."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        chat_model: ChatModel | None = None,
        *,
        calibrated: bool = True,
    ) -> None:
        self.settings = settings
        self.chat_model = chat_model
        self._calibrated = calibrated  # False only while the calibration itself is being fitted
        if embedder is not None:
            self.__dict__["embedder"] = embedder

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue.load(self.settings.knowledge_dir)

    @cached_property
    def calibration(self) -> Calibration | None:
        """The fitted parameters, checked against the embedder that serves."""
        from assistant.calibration import load_calibration

        if not self._calibrated:
            return None
        return load_calibration(self.settings.knowledge_dir, self.embedder.name)

    @cached_property
    def embedder(self) -> Embedder:
        """The configured model; with ``embedding_cache`` set, behind the shared cache (an
        embedder passed in is used as it is)."""
        model: Embedder
        if self.settings.embedder_backend == "onnx":
            from assistant.adapters.onnx_embedder import OnnxEmbedder

            model = OnnxEmbedder(self.settings.onnx_model_dir)
        else:
            from assistant.adapters.embedder import SentenceTransformerEmbedder

            model = SentenceTransformerEmbedder()
        if self.settings.embedding_cache is None:
            return model
        from assistant.adapters.cached_embedder import CachedEmbedder

        return CachedEmbedder.in_file(model, self.settings.embedding_cache)

    @cached_property
    def store(self) -> VectorStore:
        from assistant.adapters.chroma_store import ChromaStore

        if self.settings.chroma_url:
            return ChromaStore.server(self.settings.chroma_url)
        return ChromaStore.embedded(self.settings.chroma_dir)

    @cached_property
    def lexical(self) -> LexicalIndex:
        """FTS5 in the data folder; with PostgreSQL, the index in the database every node shares."""
        if self.engine.dialect.name == "postgresql":
            from assistant.adapters.pg_lexical import PostgresLexicalIndex

            return PostgresLexicalIndex(self.engine)
        from assistant.adapters.fts_index import FtsIndex

        return FtsIndex(self.settings.lexical_path)

    @cached_property
    def engine(self) -> Engine:
        from assistant.db import create_db_engine

        return create_db_engine(self.settings.resolved_database_url)

    @cached_property
    def manifest(self) -> Manifest:
        from assistant.manifest import Manifest

        return Manifest(self.engine)

    @cached_property
    def pipeline(self) -> IngestPipeline:
        from ingest.pipeline import IngestPipeline

        return IngestPipeline(
            self.settings, self.catalogue, self.embedder, self.store, self.lexical, self.manifest, self.unit_vectors
        )

    @cached_property
    def unit_vectors(self) -> UnitVectors:
        """Answer-unit vectors: embedded at ingest, read by asks, shared by both."""
        from assistant.adapters.sqlite_vectors import SqliteVectorCache
        from assistant.evidence.selector import UnitVectors

        cache = SqliteVectorCache(self.settings.unit_vectors_path, self.embedder.name)
        return UnitVectors(self.embedder, store=cache)

    @cached_property
    def intake(self) -> Intake:
        """Uploads into a workspace, shared by the API and the CLI; originals kept in the database."""
        from ingest.intake import Intake

        return Intake(self.pipeline, self.originals, self.settings.data_dir / "staging")

    @cached_property
    def originals(self) -> Originals:
        """Uploaded files as they arrived, shared by every node through the database."""
        from assistant.originals import DbOriginals

        return DbOriginals(self.engine)

    @cached_property
    def retriever(self) -> Retriever:
        from assistant.retrieval import Retriever

        return Retriever(self.settings, self.catalogue, self.embedder, self.store, self.lexical, self.manifest)

    @cached_property
    def ask(self) -> AskService:
        from assistant.answering.extractive import ExtractiveGenerator
        from assistant.answering.service import AskService
        from assistant.evidence.rules import load_answer_types

        generators = {}
        s = self.settings
        if s.generator == "llm" or s.llm_model or s.llm_model_path or self.chat_model is not None:
            from assistant.answering.llm import LLMGenerator

            chat = self.chat_model
            if chat is None and s.llm_provider == "llamacpp":
                from assistant.adapters.llamacpp_chat import LlamaCppChatModel

                chat = LlamaCppChatModel(s)
            elif chat is None:
                from assistant.adapters.langchain_chat import LangChainChatModel

                chat = LangChainChatModel(s)
            thresholds = self.calibration.thresholds if self.calibration else None
            fallback = ExtractiveGenerator(
                self.catalogue, self.embedder, thresholds, load_answer_types(self.settings.knowledge_dir)
            )
            generators["llm"] = LLMGenerator(self.catalogue, chat, fallback)
        return AskService(
            self.settings,
            self.catalogue,
            self.embedder,
            self.retriever,
            self.store,
            self.lexical,
            self.manifest,
            self.ensure_standard,
            generators,
            readiness=lambda workspace: self.readiness.latest(workspace),
            calibration=self.calibration,
            unit_vectors=self.unit_vectors,
        )

    @cached_property
    def bank(self) -> QuestionBank:
        from assistant.interviews.bank import QuestionBank

        return QuestionBank.load(self.settings.knowledge_dir, self.catalogue)

    @cached_property
    def interviews(self) -> InterviewService:
        from assistant.interviews.service import InterviewService
        from assistant.interviews.store import SessionStore

        return InterviewService(
            self.catalogue, self.bank, self.embedder, self.retriever, self.ask.evidence, SessionStore(self.engine)
        )

    @cached_property
    def readiness(self) -> ReadinessService:
        from assistant.readiness.service import ReadinessService
        from assistant.readiness.store import DbReportStore

        return ReadinessService(
            self.catalogue,
            self.ask.evidence,
            self.store,
            self.manifest,
            reports=DbReportStore(self.engine),
            knowledge_dir=self.settings.knowledge_dir,
        )

    @cached_property
    def limiter(self) -> Limiter:
        """Shared by the API (per key) and the Slack bot (per user), counted in the database
        so that every node shares one budget per caller."""
        from assistant.ratelimit import SharedRateLimiter

        return SharedRateLimiter(
            self.engine,
            {"api": self.settings.rate_limit_per_minute, "slack": self.settings.slack_rate_limit_per_minute},
        )

    @cached_property
    def feedback(self) -> FeedbackStore:
        from assistant.feedback import FeedbackStore

        return FeedbackStore(self.engine)

    @cached_property
    def chat_threads(self) -> ThreadStore:
        """Chat front ends' threads: who asked, and the exchanges so far."""
        from assistant.chat_threads import ThreadStore

        return ThreadStore(self.engine)

    @cached_property
    def channel_settings(self) -> ChannelSettingsStore:
        from assistant.channel_settings import ChannelSettingsStore

        return ChannelSettingsStore(self.engine, self.settings.slack_workspaces)

    @cached_property
    def seen_requests(self) -> SeenRequests:
        """Chat requests already acted on, shared by every node through the database."""
        from assistant.request_dedupe import SeenRequests

        return SeenRequests(self.engine)

    @cached_property
    def keys(self) -> KeyStore:
        from assistant.apikeys import KeyStore

        return KeyStore(self.engine)

    def ensure_standard(self) -> None:
        """Ingest the standard's knowledge on first use (and after the knowledge changes)."""
        from assistant.workspaces import STANDARD_COLLECTION

        if not self.manifest.committed_versions(STANDARD_COLLECTION):
            self.pipeline.ingest_standard()


def build_assistant(
    settings: Settings,
    embedder: Embedder | None = None,
    chat_model: ChatModel | None = None,
    *,
    calibrated: bool = True,
) -> Assistant:
    enforce_offline()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Assistant(settings, embedder, chat_model, calibrated=calibrated)
