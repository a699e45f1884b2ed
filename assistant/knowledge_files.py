"""Reading the knowledge folder's data files: parsed, validated, and every failure turned
into one ``KnowledgeError`` that names the file and the entry at fault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assistant.errors import KnowledgeError

M = TypeVar("M", bound=BaseModel)
# libyaml's parser when PyYAML was built with it: the same data as ``yaml.safe_load``, parsed
# about ten times faster (the clause catalogue alone took seconds of a cold `auditprep ask`)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(source: str | IO[str]) -> object:
    """``yaml.safe_load``, faster."""
    return yaml.load(source, Loader=_LOADER)


def read_validated(path: Path, model: type[M], what: str = "rules file", missing_hint: str = "") -> M:
    """``path`` (YAML, or JSON for ``.json``) validated by ``model``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError(f"{what} {path} is missing{missing_hint}") from None
    try:
        raw = json.loads(text) if path.suffix == ".json" else load_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix == ".json" else "YAML"
        raise KnowledgeError(f"{what} {path} is not valid {kind}: {exc}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "file"
        raise KnowledgeError(f"{what} {path}: {where}: {err['msg']}") from None
