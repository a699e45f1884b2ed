"""The vocabulary of admitted nonconforming practice (``knowledge/rules/admissions.yaml``).

Staff rarely say "we are nonconforming"; they say "we just merge it", "nobody reviews it",
"we haven't tested it yet". The cues and example sentences here are features of the fitted
red-flag model, validated when loaded so a bad pattern fails at start-up with its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from assistant.evidence.rules import compile_patterns
from assistant.knowledge_files import read_validated

CUE_KINDS = ("skip", "after", "nobody", "never_done")


class _AdmissionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    skip: list[str] = Field(min_length=1)
    after: list[str] = Field(min_length=1)
    nobody: list[str] = Field(min_length=1)
    never_done: list[str] = Field(min_length=1)
    examples: list[str] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Admissions:
    """Compiled cue patterns per kind and the example sentences."""

    cues: dict[str, re.Pattern[str]]
    examples: tuple[str, ...]

    def kinds(self, text: str) -> int:
        """How many kinds of admission cue a sentence carries (0-4)."""
        return sum(bool(p.search(text)) for p in self.cues.values())


def load_admissions(knowledge_dir: Path) -> Admissions:
    path = knowledge_dir / "rules" / "admissions.yaml"
    data = read_validated(path, _AdmissionsFile)
    cues = {kind: compile_patterns(getattr(data, kind), f"{path}: {kind}") for kind in CUE_KINDS}
    return Admissions(cues, tuple(data.examples))
