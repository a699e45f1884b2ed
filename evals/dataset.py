"""Eval datasets: the YAML format, loaded strictly (the item id and field at fault) and
tolerantly (unknown keys are ignored and reported once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import InvalidInput

Kind = Literal["lookup", "gap", "consistency", "clause", "process", "unanswerable"]
ExpectedVerdict = Literal["covered", "partial", "not_covered", "consistent", "inconsistent"]


class EvalItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    question: str = Field(min_length=1)
    kind: Kind
    expected_clauses: list[str] = Field(default_factory=list)
    expected_sources: list[str] = Field(default_factory=list)
    expected_facts: list[str] = Field(default_factory=list)
    expected_verdict: ExpectedVerdict | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("expected_clauses", mode="before")
    @classmethod
    def _clause_text(cls, value: object) -> object:
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) else v for v in value]
        return value


@dataclass(slots=True)
class Dataset:
    name: str
    path: Path
    items: list[EvalItem]
    corpus: Path | None = None
    unknown_keys: list[str] = field(default_factory=list)


def read_items(path: Path, model: type[BaseModel], top_keys: set[str]) -> tuple[dict, list, list[str]]:
    """Read a YAML dataset of items validated by ``model``: the raw mapping, the items, and
    the unknown keys. Errors name the item id and the field at fault."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"dataset {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"dataset {path} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list):
        raise InvalidInput(f"dataset {path}: expected a mapping with 'name' and a list of 'items'")
    known = set(model.model_fields)
    unknown: set[str] = set(raw) - top_keys
    items: list = []
    seen: set[str] = set()
    for index, entry in enumerate(raw["items"]):
        ident = entry.get("id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        if not isinstance(entry, dict):
            raise InvalidInput(f"dataset {path}: item {ident} is not a mapping")
        unknown |= {f"items.{k}" for k in set(entry) - known}
        try:
            item = model.model_validate(entry)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "item"
            raise InvalidInput(f"dataset {path}: item {ident}: field '{where}': {err['msg']}") from None
        if item.id in seen:
            raise InvalidInput(f"dataset {path}: item id {item.id} is used twice")
        seen.add(item.id)
        items.append(item)
    return raw, items, sorted(unknown)


def load_dataset(path: Path) -> Dataset:
    """Load and validate a dataset file; errors name the item id and the field."""
    raw, items, unknown = read_items(path, EvalItem, {"name", "corpus", "items", "description"})
    corpus = raw.get("corpus")
    corpus_path = (path.parent / corpus).resolve() if corpus else None
    if corpus_path is not None and not corpus_path.exists():
        raise InvalidInput(f"dataset {path}: corpus {corpus} does not exist")
    return Dataset(str(raw.get("name") or path.stem), path, items, corpus_path, unknown)
