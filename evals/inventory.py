"""How many hand-written rules the decision layer holds: regex call sites and their
alternatives, and numeric literals that act as thresholds, per module; and how many
patterns are kept as data under ``knowledge/rules/``.

Decisions should come from fitted models and the calibration file; this command keeps
the count honest over time (``python -m evals.inventory [--json OUT] [--top N]``).
A threshold here is a float literal compared with something or bound to a module-level
constant; integer counts and limits (``[:3]``, ``MAX_ELEMENTS = 60``) are not counted.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DECISION_LAYER = ("assistant/answering", "assistant/evidence", "assistant/readiness", "assistant/interviews")
_RE_CALLS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"}


@dataclass
class ModuleRules:
    path: str
    regex_sites: int = 0
    alternatives: int = 0
    thresholds: int = 0
    threshold_lines: list[int] = field(default_factory=list)


def _literal(node: ast.AST) -> str | None:
    """The text of a string literal, an implicit or ``+`` concatenation, or an f-string's
    constant parts (what a pattern's alternatives can be counted in)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return (left or "") + (right or "") if left is not None or right is not None else None
    return None


def _alternatives(pattern: str) -> int:
    """Branches of a pattern: one, plus one per unescaped ``|``."""
    count, escaped = 1, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            count += 1
    return count


def _is_float(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, float) and node.value not in (0.0, 1.0)


def scan_module(path: Path) -> ModuleRules:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rules = ModuleRules(str(path.relative_to(ROOT)))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in _RE_CALLS
        ):
            rules.regex_sites += 1
            pattern = _literal(node.args[0]) if node.args else None
            if pattern is not None:
                rules.alternatives += _alternatives(pattern)
        elif isinstance(node, ast.Compare) and any(_is_float(c) for c in [node.left, *node.comparators]):
            rules.thresholds += 1
            rules.threshold_lines.append(node.lineno)
    for node in tree.body:  # module-level constants bound to a float: named thresholds
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and _is_float(node.value):
            rules.thresholds += 1
            rules.threshold_lines.append(node.lineno)
    rules.threshold_lines.sort()
    return rules


def scan_data(rules_dir: Path) -> dict[str, int]:
    """Patterns kept as data: every string under a YAML file's lists, and their branches."""
    patterns = alternatives = 0

    def walk(value: object) -> None:
        nonlocal patterns, alternatives
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, str):
                    patterns += 1
                    alternatives += _alternatives(v)
                else:
                    walk(v)

    for path in sorted(rules_dir.glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return {"patterns": patterns, "alternatives": alternatives}


def inventory(root: Path = ROOT) -> dict:
    modules = [scan_module(p) for d in DECISION_LAYER for p in sorted((root / d).rglob("*.py"))]
    modules = [m for m in modules if m.regex_sites or m.thresholds]
    return {
        "decision_layer": list(DECISION_LAYER),
        "regex_sites": sum(m.regex_sites for m in modules),
        "alternatives": sum(m.alternatives for m in modules),
        "thresholds": sum(m.thresholds for m in modules),
        "modules": [asdict(m) for m in modules],
        "data": scan_data(root / "knowledge" / "rules"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.inventory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the inventory here")
    parser.add_argument("--top", type=int, default=10, help="modules to list, most rules first")
    args = parser.parse_args(argv)
    found = inventory()
    print(
        f"decision layer: {found['regex_sites']} regex call sites, {found['alternatives']} alternatives, "
        f"{found['thresholds']} float thresholds in code; "
        f"knowledge/rules: {found['data']['patterns']} patterns, {found['data']['alternatives']} alternatives"
    )
    ranked = sorted(found["modules"], key=lambda m: m["alternatives"] + 10 * m["thresholds"], reverse=True)
    for m in ranked[: args.top]:
        print(
            f"  {m['path']}: {m['regex_sites']} sites, {m['alternatives']} alternatives, {m['thresholds']} thresholds"
        )
    if args.json:
        args.json.write_text(json.dumps(found, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
