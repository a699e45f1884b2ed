"""Where sentences part into clauses (the fast lane)."""

from __future__ import annotations

from assistant.text import clauses

SENTENCE = "We raise the RFC, then the CAB approves it but only on Tuesdays and the change manager signs it off."


def test_clauses_part_at_punctuation_and_at_words_of_contrast_or_next_step():
    assert clauses(SENTENCE) == [
        "We raise the RFC",
        "the CAB approves it",
        "only on Tuesdays and the change manager signs it off.",
    ]


def test_fine_clauses_also_part_statements_joined_by_and():
    assert clauses(SENTENCE, fine=True)[2:] == ["only on Tuesdays", "the change manager signs it off."]
    assert clauses("We look at the volumes (by hour) so we can plan the rota", fine=True) == [
        "We look at the volumes",
        "by hour",
        "we can plan the rota",
    ]


def test_no_clause_is_empty():
    assert clauses("") == []
    assert clauses(", and ; but", fine=True) == []
