"""The error hierarchy. Adapters translate library errors into these; the edges
(CLI, API, Slack) turn them into messages and status codes.

::

    AuditprepError
    ├── ConfigurationError      settings that cannot work
    ├── InvalidInput            a question, name or argument the user must fix
    │   └── UnknownClause       a clause id that is not in the catalogue
    ├── NotFound                a document, session or workspace that does not exist
    ├── KnowledgeError          the knowledge base itself is malformed
    ├── IngestError             one file could not be ingested (reason in the message)
    │   └── UnsupportedFormat
    ├── WorkspaceBusy           another ingest holds the workspace lock
    ├── StoreUnavailable        the vector store or index cannot be reached
    └── GeneratorError          a generator failed (the caller may fall back)
"""

from __future__ import annotations


class AuditprepError(Exception):
    """Base of every error auditprep raises on purpose."""

    code = "error"


class ConfigurationError(AuditprepError):
    code = "configuration_error"


class InvalidInput(AuditprepError):
    code = "invalid_input"


class UnknownClause(InvalidInput):
    code = "unknown_clause"


class NotFound(AuditprepError):
    code = "not_found"


class KnowledgeError(AuditprepError):
    code = "knowledge_error"


class IngestError(AuditprepError):
    code = "ingest_error"


class UnsupportedFormat(IngestError):
    code = "unsupported_format"


class WorkspaceBusy(AuditprepError):
    code = "workspace_busy"


class StoreUnavailable(AuditprepError):
    code = "store_unavailable"


class GeneratorError(AuditprepError):
    code = "generator_error"
