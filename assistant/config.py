"""Configuration: one settings object, built at start-up and passed down.

Every setting can come from the environment with the ``AUDITPREP_`` prefix or from a
``.env`` file. Nothing reads the environment at import time: call ``load_settings()``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = PACKAGE_ROOT / "knowledge"

WORKSPACE_PATTERN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$")


def validate_workspace_name(name: str) -> str:
    """Workspace names become collection names: keep them to what chromadb accepts."""
    if not WORKSPACE_PATTERN.fullmatch(name) or ".." in name:
        raise ValueError(
            f"invalid workspace name {name!r}: use 3-64 characters of letters, digits, "
            "'.', '_' or '-', starting and ending with a letter or digit"
        )
    return name


class Settings(BaseSettings):
    """All of auditprep's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="AUDITPREP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("data"), description="Where the store, index and database live.")
    knowledge_dir: Path = Field(DEFAULT_KNOWLEDGE_DIR, description="The knowledge base folder.")
    workspace: str = Field("default", description="Workspace used when none is given.")
    chroma_url: str = Field("", description="Chroma server URL; empty = embedded store.")
    database_url: str = Field("", description="SQLAlchemy URL; empty = SQLite in data_dir.")

    # Limits
    max_file_bytes: int = Field(50 * 1024 * 1024, gt=0, description="Largest file ingested.")
    max_question_chars: int = Field(2000, gt=0)
    lock_timeout_s: float = Field(0.0, ge=0, description="How long an ingest waits for a lock.")

    # Embedder
    embedder_backend: Literal["torch", "onnx"] = Field(
        "torch",
        description="torch: sentence-transformers on PyTorch; onnx: the int8 ONNX export made by `make install`.",
    )
    onnx_model_dir: Path | None = Field(None, description="Exported ONNX embedder; empty = the one in the venv.")
    embedding_cache: Path | None = Field(
        None,
        description="A SQLite file of document embeddings that several data directories share (evals, "
        "calibration, test runs): text any of them embedded is not embedded again. Empty = none; answer-unit "
        "vectors then stay in the data directory.",
    )

    # Retrieval
    top_k: int = Field(8, gt=0, le=50)
    candidates: int = Field(40, gt=0, le=500)
    lexical: bool = Field(True, description="Use BM25 alongside dense search.")
    clause_steering: bool = Field(True, description="Boost chunks tagged with named clauses.")

    # Generation
    generator: Literal["extractive", "llm"] = "extractive"
    llm_provider: str = "openai"
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_temperature: float = 0.0
    llm_timeout_s: float = 30.0
    llm_max_tokens: int = 600
    llm_model_path: Path | None = Field(None, description="GGUF file for the in-process llamacpp provider.")

    # API
    auth: Literal["on", "off"] = "on"
    rate_limit_per_minute: int = Field(60, gt=0)
    max_upload_bytes: int = Field(20 * 1024 * 1024, gt=0)
    workers: int = Field(
        0,
        ge=0,
        le=64,
        description="`auditprep serve` worker processes, each with its own model and caches; 0 = one per CPU core.",
    )

    # Slack
    slack_bot_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_app_token: SecretStr = SecretStr("")
    slack_client_id: str = Field("", description="Slack app client id; with the secret, turns on the install flow.")
    slack_client_secret: SecretStr = SecretStr("")
    slack_api_url: str = Field("", description="Slack Web API base URL (tests point it at a local fake).")
    slack_workspaces: dict[str, str] = Field(
        default_factory=dict, description='Slack team (or "team/channel") id -> workspace, as JSON.'
    )
    slack_rate_limit_per_minute: int = Field(10, gt=0)
    slack_workers: int = Field(
        4, gt=0, le=64, description="Threads that answer Slack questions; acknowledgements never wait for them."
    )
    public_url: str = Field(
        "", description="Public address of the web page (https://host); Slack citations link to it."
    )

    log_level: str = "INFO"

    @field_validator("workspace")
    @classmethod
    def _workspace(cls, value: str) -> str:
        return validate_workspace_name(value)

    @field_validator("llm_model_path", "onnx_model_dir", "embedding_cache", mode="before")
    @classmethod
    def _blank_path_is_none(cls, value: object) -> object:
        """An empty AUDITPREP_LLM_MODEL_PATH means "not set", not the current directory."""
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'auditprep.db').resolve()}"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lexical_path(self) -> Path:
        return self.data_dir / "lexical.sqlite"

    @property
    def unit_vectors_path(self) -> Path:
        return self.embedding_cache or self.data_dir / "unit_vectors.sqlite"


def load_settings(**overrides: object) -> Settings:
    """Build the settings from environment, ``.env`` and explicit overrides."""
    return Settings(**overrides)  # type: ignore[arg-type]
