"""The admission cues of knowledge/rules/admissions.yaml, features of the fitted red-flag
model (no embedder: the fast lane)."""

from __future__ import annotations

import pytest

from assistant.interviews.admissions import load_admissions
from tests.conftest import KNOWLEDGE


@pytest.fixture(scope="module")
def admissions():
    return load_admissions(KNOWLEDGE)


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        ("Honestly, nobody owns the capacity plan.", 1),
        ("The engineer made the fix without waiting for approval and never wrote it up.", 2),
        ("The sign-off is an email after the fact.", 1),
        # independence, not an admission: "their own process" is not "nobody owns"
        ("The auditors come from other teams, so nobody audits their own process.", 0),
        ("The change manager approves every normal change before it is scheduled.", 0),
    ],
)
def test_a_sentence_carries_the_kinds_of_admission_cue_it_says(admissions, sentence, kinds):
    assert admissions.kinds(sentence) == kinds
