"""Questions are read the way coordinators ask them: the intent decides what kind of answer
they get (a clause explanation, an evidence verdict, a certification answer, a fact)."""

from __future__ import annotations

import pytest

from assistant.answering.intent import IntentClassifier
from assistant.models import Intent

CASES = [
    ("What does clause 8.6.3 require?", Intent.CLAUSE),
    ("What does the standard expect for configuration management?", Intent.CLAUSE),
    ("Do we have evidence for change management?", Intent.EVIDENCE),
    ("Has top management reviewed the SMS in the last twelve months?", Intent.EVIDENCE),
    ("Is our emergency change approval consistent with 8.5.1?", Intent.EVIDENCE),
    ("Would our top-level service management policy stand up to a stage 1 review?", Intent.EVIDENCE),
    ("Did this year's internal audit cover the whole standard before stage 1?", Intent.EVIDENCE),
    ("Are we ready for Stage 1?", Intent.READINESS),
    ("How long is the certificate valid?", Intent.PROCESS),
    ("What's the difference between the stage 1 and stage 2 visits?", Intent.PROCESS),
    ("Is ISO 20000-1 the same thing as ITIL?", Intent.PROCESS),
    ("We have about 300 people in scope - how many audit days should we budget?", Intent.PROCESS),
    ("Do we have to do anything about an observation?", Intent.PROCESS),
    ("Can we book stage 1 before we've done our internal audit?", Intent.PROCESS),
    ("What do auditors most often write people up for in change management?", Intent.PROCESS),
    ("Where did 'governance of processes operated by other parties' go in the new edition?", Intent.PROCESS),
    ("What could get our certificate suspended or withdrawn?", Intent.PROCESS),
    ("Who chairs the problem review meeting?", Intent.GENERAL),
    ("Which certification body issued our ISO 27001 certificate?", Intent.GENERAL),
]


@pytest.fixture(scope="module")
def classifier(embedder) -> IntentClassifier:
    return IntentClassifier(embedder)


@pytest.mark.parametrize(("question", "intent"), CASES)
def test_intent(question, intent, classifier, embedder, catalogue):
    vector = embedder.embed_query(question)
    assert classifier.classify(question, vector, catalogue.resolve(question)) is intent
