"""The rule inventory counts what a reviewer would count by hand."""

from __future__ import annotations

from pathlib import Path

import evals.inventory as inventory

MODULE = """
import re
CUT = 0.42
LIMIT = 60
_A = re.compile(r"\\bnot (?:yet|ever)\\b|\\bnever\\b" r"|\\bno\\b")
def f(x, text):
    if x >= 0.55 or x < 1.0:
        return re.search("a|b", text)
    return re.sub(r"\\|", "", text)
"""


def test_regex_sites_alternatives_and_float_thresholds_are_counted(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "assistant" / "answering" / "rules.py"
    path.parent.mkdir(parents=True)
    path.write_text(MODULE)
    monkeypatch.setattr(inventory, "ROOT", tmp_path)
    found = inventory.scan_module(path)
    assert found.regex_sites == 3  # compile, search, sub
    assert found.alternatives == 4 + 2 + 1  # an escaped bar is not a branch
    assert found.thresholds == 2  # CUT and 0.55; integer limits and 1.0 are not thresholds
    assert found.threshold_lines == [3, 7]


def test_patterns_kept_as_data_are_counted_apart_from_code(tmp_path: Path) -> None:
    (tmp_path / "cues.yaml").write_text("negation:\n  - 'not|never'\n  - 'no'\nnested:\n  a:\n    - 'x'\n")
    assert inventory.scan_data(tmp_path) == {"patterns": 3, "alternatives": 4}
