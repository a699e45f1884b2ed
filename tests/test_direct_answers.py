"""The sentence an answer leads with: the cell of a table row the question asks for, said
with its row key and where it is stated; a sentence said whole with its place."""

from __future__ import annotations

from assistant.answering.direct import lead_for, row_fields, where
from assistant.config import DEFAULT_KNOWLEDGE_DIR
from assistant.evidence.question import profile_question
from assistant.evidence.rules import load_answer_types
from assistant.evidence.units import units_of
from assistant.models import Origin, Passage

TYPES = load_answer_types(DEFAULT_KNOWLEDGE_DIR)
ROW = (
    "Priority: P2 High; Definition: A single service degraded; Initial response: 30 minutes; "
    "Resolution target: 8 hours; Customer updates: Every 2 hours"
)


def _passage(text: str, origin: Origin = Origin.ORGANIZATION, section: str = "Targets") -> Passage:
    return Passage(
        id="p1",
        text=text,
        origin=origin,
        document_id="d1",
        source="ops/handbook.md",
        title="Ops Handbook",
        section=section,
    )


def _lead(question: str, text: str, origin: Origin = Origin.ORGANIZATION):
    unit = units_of(_passage(text, origin))[0]
    return lead_for(unit, profile_question(question, TYPES, []), TYPES)


def test_a_row_is_read_as_its_cells_in_order():
    assert row_fields(ROW)[0] == ("Priority", "P2 High")
    assert row_fields(ROW)[2] == ("Initial response", "30 minutes")
    assert row_fields("Just a sentence; with a semicolon.") == []


def test_the_cell_whose_column_the_question_names_leads_with_its_row_key():
    lead = _lead("What is the resolution target for P2?", ROW)
    assert lead.text == "Resolution target for priority P2 High: 8 hours (Ops Handbook, Targets)."
    assert lead.partial  # the whole row follows as a quote


def test_a_typo_in_the_column_name_still_finds_the_cell():
    assert _lead("how soon is the intial respnse for P2?", ROW).text.startswith("Initial response for priority P2")


def test_the_kind_of_value_asked_for_picks_the_cell_when_no_column_is_named():
    lead = _lead("How often are customers told about a P2?", ROW)
    assert lead.text.startswith("Customer updates for priority P2 High: Every 2 hours")


def test_a_row_no_cell_of_which_is_asked_for_leads_whole():
    lead = _lead("Tell me about P2", ROW)
    assert not lead.partial and lead.text.startswith("Priority: P2 High; Definition")


def test_a_sentence_leads_whole_with_where_it_is_stated():
    lead = _lead("Who approves normal changes?", "Normal changes are approved by the change advisory board.")
    assert lead.text == "Normal changes are approved by the change advisory board (Ops Handbook, Targets)."
    assert not lead.partial


def test_knowledge_base_text_is_labelled_as_guidance_not_as_the_organizations():
    assert where(_passage("x", Origin.STANDARD, "Stage 1")) == "the ISO/IEC 20000-1 guidance, Stage 1"
