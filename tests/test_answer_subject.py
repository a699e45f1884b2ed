"""A question that names a clause only through a document's name is answered on what it
really asks about: the document's control, or the subject two documents are compared on."""

from __future__ import annotations

import pytest

from assistant.answering.subject import asks_about_document_control, compared_subject, with_subject_first


@pytest.mark.parametrize(
    "question",
    [
        "Is the supplier policy still showing the right person as its owner?",
        "Is the configuration management procedure still in date for its periodic review?",
        "Who is the owner of the capacity plan?",
        "Is the review status of the CMDB procedure consistent with our document review rules?",
    ],
)
def test_questions_about_a_documents_owner_or_review_are_about_document_control(question, catalogue):
    assert asks_about_document_control(question)
    named = catalogue.resolve(question)
    assert with_subject_first(question, named, catalogue)[0] == "7.5.2"


@pytest.mark.parametrize(
    "question",
    [
        "Who approves emergency changes?",
        "Is the CI register in line with the configuration procedure's rule on CI ownership?",
        "Who owns the major incident process?",
    ],
)
def test_other_questions_keep_their_clauses(question, catalogue):
    named = catalogue.resolve(question)
    assert with_subject_first(question, named, catalogue) == named


def test_documents_compared_on_a_subject_cite_the_subject(catalogue):
    question = "Do the incident procedure and the Harbour contract agree on what counts as a major incident?"
    assert compared_subject(question, catalogue) == ["8.6.1"]


def test_a_target_stated_in_two_documents_is_an_objective(catalogue):
    question = "Is the customer satisfaction target the same in the policy and in the Harbour SLA?"
    assert catalogue.resolve(question)[0] != "6.2.1"
    assert compared_subject(question, catalogue) == ["6.2.1"]


def test_no_document_named_or_no_subject_left_gives_nothing(catalogue):
    assert compared_subject("Is our change approval consistent with 8.5.1?", catalogue) is None
    assert compared_subject("Do the SMS plan and the scope agree?", catalogue) is None


@pytest.mark.parametrize(
    ("question", "first"),
    [
        # how long records are kept is retention, whatever process made them
        ("How long do we hang on to incident tickets and other process records?", "7.5.3"),
        ("What is our retention period for change records?", "7.5.3"),
        ("How long do we keep the project team on hypercare?", None),
        # root cause analysis of an audit finding is corrective action, of incidents problem management
        ("Has the audit finding been root-caused and closed out?", "10.1"),
        ("Does the register reflect the audit's insistence on root cause analysis?", "10.1"),
        ("Do we do root cause analysis for recurring incidents?", None),
        # what we promised a customer is a service level commitment
        ("Could an auditor measure how we perform against what we've promised Brightwell?", "8.3.3"),
        ("Are we keeping our own promise that the executive team reviews the SMS?", None),
    ],
)
def test_the_subject_a_question_is_really_about_leads(question, first, catalogue):
    named = catalogue.resolve(question)
    chosen = with_subject_first(question, named, catalogue)
    assert (chosen[:1] == [first]) if first else chosen == named
