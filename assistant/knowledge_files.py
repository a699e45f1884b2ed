"""Reading the knowledge folder's data files: parsed, validated, and every failure turned
into one ``KnowledgeError`` that names the file and the entry at fault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assistant.errors import KnowledgeError

M = TypeVar("M", bound=BaseModel)


def read_validated(path: Path, model: type[M], what: str = "rules file", missing_hint: str = "") -> M:
    """``path`` (YAML, or JSON for ``.json``) validated by ``model``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError(f"{what} {path} is missing{missing_hint}") from None
    try:
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix == ".json" else "YAML"
        raise KnowledgeError(f"{what} {path} is not valid {kind}: {exc}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "file"
        raise KnowledgeError(f"{what} {path}: {where}: {err['msg']}") from None
