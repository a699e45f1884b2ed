"""Collection names: one for the standard's knowledge, one per organization workspace."""

from __future__ import annotations

from assistant.config import validate_workspace_name
from assistant.errors import InvalidInput

STANDARD_COLLECTION = "auditprep-standard"
_PREFIX = "ws-"


def workspace_collection(workspace: str) -> str:
    try:
        return _PREFIX + validate_workspace_name(workspace)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
