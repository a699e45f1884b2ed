"""API keys scoped to one workspace. Only a hash is stored; the key is shown once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from assistant.db import ensure_schema
from assistant.errors import NotFound
from assistant.schema import api_keys
from assistant.workspaces import workspace_collection

PREFIX = "apk_"


@dataclass(frozen=True, slots=True)
class KeyInfo:
    id: str
    workspace: str
    label: str | None
    revoked: bool
    created_at: datetime


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        ensure_schema(engine)

    def create(self, workspace: str, label: str | None = None) -> tuple[str, KeyInfo]:
        """A new key for ``workspace``: returns the secret (show it once) and its record."""
        workspace_collection(workspace)
        key_id = secrets.token_hex(4)
        secret = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        info = KeyInfo(key_id, workspace, label, False, datetime.now(UTC))
        with self._engine.begin() as conn:
            conn.execute(
                insert(api_keys).values(
                    id=key_id,
                    workspace=workspace,
                    key_hash=_hash(secret),
                    label=label,
                    revoked=False,
                    created_at=info.created_at,
                )
            )
        return secret, info

    def authenticate(self, secret: str) -> KeyInfo | None:
        """The key's record when ``secret`` is a valid, unrevoked key; else None."""
        if not secret.startswith(PREFIX) or len(secret) > 200:
            return None
        digest = _hash(secret)
        with self._engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.key_hash == digest)).first()
        if row is None or row.revoked or not hmac.compare_digest(row.key_hash, digest):
            return None
        return KeyInfo(row.id, row.workspace, row.label, row.revoked, row.created_at)

    def list(self, workspace: str | None = None) -> list[KeyInfo]:
        query = select(api_keys).order_by(api_keys.c.created_at)
        if workspace:
            query = query.where(api_keys.c.workspace == workspace)
        with self._engine.connect() as conn:
            return [KeyInfo(r.id, r.workspace, r.label, r.revoked, r.created_at) for r in conn.execute(query).all()]

    def revoke(self, key_id: str) -> None:
        with self._engine.begin() as conn:
            result = conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked=True))
        if result.rowcount == 0:
            raise NotFound(f"no API key with id {key_id!r}")
