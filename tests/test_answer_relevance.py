"""Sentences that only share the question's names do not count as an answer: the fact
lookup abstains instead of quoting them."""

from __future__ import annotations

import pytest

from assistant.answering.relevance import states_what_is_asked


@pytest.mark.parametrize(
    ("question", "sentences", "answers"),
    [
        ("How much does VaultStream charge us per terabyte?", ["VaultStream availability is 99.9% per month."], False),
        ("How much does VaultStream charge us per terabyte?", ["VaultStream charges £18 per terabyte."], True),
        ("How much does a body charge per audit day?", ["Certification typically costs €15,000 in total."], False),
        ("How much does a body charge per audit day?", ["Expect a day rate of €1,200 per audit day."], True),
        ("How much money is set aside for the SMS?", ["The SMS budget for 2026 is GBP 120,000."], True),
        ("How many Annex A controls does ISO 27001:2022 have?", ["ISO/IEC 27001 follows Annex SL."], False),
        ("How many Annex A controls does ISO 27001:2022 have?", ["It lists 93 controls."], True),
        ("How many certification bodies should we ask?", ["Ask at least three bodies for quotes."], True),
        ("How many emergency changes so far in 2026?", ["Change CHG-2026 was an emergency in 2026."], False),
        ("How many controls does Annex A have?", ["Clauses 4 to 7, 9 and 10 are common to Annex SL standards."], False),
        ("Who chairs the problem review?", ["The Problem Manager chairs it."], True),
    ],
)
def test_a_question_for_an_amount_or_count_needs_one(question, sentences, answers):
    assert states_what_is_asked(question, sentences) is answers
