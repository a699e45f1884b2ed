"""Fixed fit/check splits of the eval datasets.

Everything fitted (the unit selector, thresholds, the intent and verdict models) sees only
the fit part of a dataset; the floors are held on the check parts. The split is committed
(``evals/splits/<dataset file stem>.yaml``) so it never drifts when items are added: new
items are assigned by ``assign_split`` and written with ``auditprep calibrate --resplit``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import yaml

from assistant.errors import InvalidInput
from evals.dataset import Dataset, EvalItem

Part = Literal["fit", "check", "all"]
SPLITS_DIR = Path(__file__).resolve().parent / "splits"
CHECK_SHARE = 3  # one item in three, per kind, is held out for checking


def split_rank(item_id: str) -> str:
    """A stable order for an id, independent of where it sits in the file."""
    return hashlib.sha256(item_id.encode()).hexdigest()


def assign_split(items: list[EvalItem]) -> dict[str, list[str]]:
    """Per kind, items ordered by a hash of their id; every third goes to ``check``."""
    split: dict[str, list[str]] = {"fit": [], "check": []}
    for kind in sorted({i.kind for i in items}):
        ordered = sorted((i for i in items if i.kind == kind), key=lambda i: split_rank(i.id))
        for n, item in enumerate(ordered):
            split["check" if n % CHECK_SHARE == CHECK_SHARE - 1 else "fit"].append(item.id)
    return {k: sorted(v) for k, v in split.items()}


def split_path(dataset: Dataset) -> Path:
    return SPLITS_DIR / f"{dataset.path.stem}.yaml"


def load_split(dataset: Dataset) -> dict[str, list[str]]:
    path = split_path(dataset)
    if not path.exists():
        raise InvalidInput(f"no fit/check split for {dataset.path.name}: expected {path}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), list) for k in ("fit", "check")):
        raise InvalidInput(f"split file {path}: expected lists 'fit' and 'check'")
    return {"fit": [str(i) for i in raw["fit"]], "check": [str(i) for i in raw["check"]]}


def write_split(dataset: Dataset) -> Path:
    path = split_path(dataset)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(assign_split(dataset.items), sort_keys=True)
    path.write_text(f"# fit/check split of {dataset.path.name} ({dataset.name})\n{body}", encoding="utf-8")
    return path


def select_part(dataset: Dataset, part: Part) -> Dataset:
    """The dataset restricted to one part; items missing from the split file are refused."""
    if part == "all":
        return dataset
    split = load_split(dataset)
    listed = set(split["fit"]) | set(split["check"])
    unlisted = [i.id for i in dataset.items if i.id not in listed]
    if unlisted:
        raise InvalidInput(
            f"{len(unlisted)} items of {dataset.path.name} are in neither part of {split_path(dataset).name} "
            f"(first: {unlisted[0]}): run `auditprep calibrate --resplit`"
        )
    keep = set(split[part])
    return Dataset(
        f"{dataset.name} [{part}]",
        dataset.path,
        [i for i in dataset.items if i.id in keep],
        dataset.corpus,
        dataset.unknown_keys,
    )
