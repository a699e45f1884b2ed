"""Answer units: table rows keep their row and headers, list items their lead-in, quotes
stay verbatim; question profiles find the answer type, the named documents and typos."""

from __future__ import annotations

import pytest

from assistant.config import DEFAULT_KNOWLEDGE_DIR
from assistant.evidence import UnitKind, load_answer_types, load_statement_cues, profile_question, units_of
from assistant.evidence.compose import in_scope
from assistant.evidence.features import FEATURES
from assistant.evidence.question import DocumentNames, fuzzy_index, fuzzy_present, name_terms
from assistant.evidence.selector import ScoredUnit
from assistant.models import Origin, Passage

TYPES = load_answer_types(DEFAULT_KNOWLEDGE_DIR)
CUES = load_statement_cues(DEFAULT_KNOWLEDGE_DIR)


def _passage(text: str, source: str = "sla-acme.md", origin: Origin = Origin.ORGANIZATION) -> Passage:
    return Passage(
        id=f"{source}-1",
        text=text,
        origin=origin,
        document_id=source,
        source=source,
        title=source.rsplit(".", 1)[0],
        section="Targets",
    )


TABLE = (
    "Response targets are measured in business hours.\n"
    "Priority: P1; Initial response: 15 minutes; Resolution: 4 hours\n"
    "Priority: P2; Initial response: 1 hour; Resolution: 8 hours\n"
    "The service desk escalates a breach to the duty manager:\n"
    "- by phone within ten minutes\n"
    "- by e-mail to the <b>customer</b> contact"
)


def test_a_table_row_is_one_unit_that_keeps_its_row_key_and_headers():
    units = units_of(_passage(TABLE))
    rows = [u for u in units if u.kind is UnitKind.TABLE_ROW]
    assert [r.text for r in rows] == [
        "Priority: P1; Initial response: 15 minutes; Resolution: 4 hours",
        "Priority: P2; Initial response: 1 hour; Resolution: 8 hours",
    ]


def test_a_list_item_carries_the_sentence_that_introduces_it():
    items = [u for u in units_of(_passage(TABLE)) if u.kind is UnitKind.LIST_ITEM]
    assert items[0].text == "by phone within ten minutes"
    assert items[0].lead_in == "The service desk escalates a breach to the duty manager:"
    assert items[0].context_text.startswith("The service desk escalates")


def test_a_short_list_under_its_lead_in_is_also_one_unit_with_every_item_even_one_word_ones():
    text = (
        "As well as users, these people are told about a P1:\n\n- Head of Hosting\n\n- Delivery Manager\n\n"
        "- Product Owner\n### Recording notes\nNotes go in the incident channel."
    )
    units = units_of(_passage(text))
    whole = [u for u in units if u.items]
    assert len(whole) == 1
    assert whole[0].items == ("Head of Hosting", "Delivery Manager", "Product Owner")
    assert whole[0].lead_in == "As well as users, these people are told about a P1:"
    assert whole[0].quote == whole[0].lead_in  # the citation quotes what is written
    single = [u for u in units if u.kind is UnitKind.LIST_ITEM and not u.items]
    assert [u.text for u in single] == ["Head of Hosting"]  # two-word items say nothing alone
    assert single[0].repeats(whole[0]) and whole[0].repeats(single[0])
    lead = [u for u in units if u.text == whole[0].lead_in]
    assert lead and lead[0].repeats(whole[0]) and not lead[0].repeats(single[0])
    assert not any(u.items for u in units_of(_passage("Intro:\n- only one item here")))


def test_a_list_whose_bullets_were_dropped_at_extraction_is_still_one_unit_under_its_lead_in():
    text = (
        "As well as users, the following people should be told about a P1:\n"
        "Head of Platforms and Architecture\nHead of Hosting\nProduct Manager/Delivery Manager\n"
        "Entries on the incident can be created from Slack using the Add a Note action on the incident post\n"
        "The duty manager closes the incident."
    )
    whole = [u for u in units_of(_passage(text)) if u.items]
    assert [u.items for u in whole] == [
        ("Head of Platforms and Architecture", "Head of Hosting", "Product Manager/Delivery Manager")
    ]
    prose = "The review covers these points: scope and findings.\nIt is held monthly by the board."
    assert not any(u.items for u in units_of(_passage(prose)))


def test_a_quote_is_verbatim_even_when_markup_was_cleaned_for_display():
    item = [u for u in units_of(_passage(TABLE)) if "customer" in u.text][0]
    assert "<b>" not in item.text
    assert item.quote is not None and item.quote in " ".join(TABLE.split())


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How long do we have to answer a P1?", "duration"),
        ("how often is the capacity plan reviewed", "frequency"),
        ("Who approves emergency changes at Acme?", "person"),
        ("How many suppliers are in scope?", "quantity"),
        ("When does the change freeze start?", "date"),
    ],
)
def test_the_answer_type_a_question_asks_for_is_detected(question, kind):
    assert kind in TYPES.asked(question)


def test_a_unit_stating_the_asked_type_is_recognised_and_one_that_does_not_is_not():
    assert "duration" in TYPES.stated("Initial response: 15 minutes")
    assert "duration" not in TYPES.stated("The service desk answers the phone")


def test_planned_and_negated_statements_are_recognised_as_such():
    assert CUES.future.search("Next review: April 2026")
    assert CUES.future.search("A continuity test will be scheduled in Q3")
    assert CUES.negation.search("We don't do post-implementation reviews")
    assert not CUES.future.search("The CAB reviewed 42 changes last quarter")


def test_typos_within_one_edit_still_match():
    vocab = {"problem", "manager", "review"}
    index = fuzzy_index(vocab)
    assert fuzzy_present("problm", vocab, index)
    assert fuzzy_present("manger", vocab, index)
    assert not fuzzy_present("incident", vocab, index)
    assert not fuzzy_present("sla", {"ola"}, fuzzy_index({"ola"}))  # short words match exactly


def test_scope_terms_are_the_words_that_name_some_documents_but_not_all():
    names = [name_terms("sla-harbour-logistics.md"), name_terms("sla-brightwell-retail.md"), name_terms("sms-plan.md")]
    profile = profile_question("What is the P1 response time in the Harbour SLA?", TYPES, names)
    assert {"harbour", "sla"} <= set(profile.scope)
    assert "response" not in profile.scope


def test_indexed_document_names_count_holders_as_a_pass_over_every_document_does():
    sources = sorted(p.name for p in (DEFAULT_KNOWLEDGE_DIR / "samples").rglob("*.*"))
    names = [name_terms(s) for s in sources] + [set(), name_terms("sla-harbour-logistics.md")]
    indexed = DocumentNames(names)
    assert len(indexed) == len([n for n in names if n])
    words = sorted({t for n in names for t in n}) + ["harbr", "logistcs", "procedur", "sla", "ola", "zzzzzz"]
    for word in words:
        expected = sum(1 for n in names if n and fuzzy_present(word, n, fuzzy_index(n)))
        assert indexed.holders(word) == expected, word
    question = "Is the Harbour Logistcs SLA consistent with the incident procedure?"
    assert profile_question(question, TYPES, names) == profile_question(question, TYPES, indexed)


def _scored(source: str, origin: Origin, scope_miss: float) -> ScoredUnit:
    features = [0.0] * len(FEATURES)
    features[FEATURES.index("scope_miss")] = scope_miss
    import numpy as np

    unit = units_of(_passage("Priority: P1; Initial response: 15 minutes; Resolution: 4 hours", source, origin))[0]
    return ScoredUnit(unit, 0.9, np.array(features))


def test_a_question_naming_a_document_is_answered_from_that_document_only():
    names = [name_terms("sla-harbour.md"), name_terms("capacity-plan.md")]
    profile = profile_question("What does the Harbour SLA promise for P1?", TYPES, names)
    other = _scored("capacity-plan.md", Origin.ORGANIZATION, 1.0)
    named = _scored("sla-harbour.md", Origin.ORGANIZATION, 0.0)
    assert in_scope([other, named], profile, about_organization=False) == [named]


def test_knowledge_base_units_never_answer_a_question_about_the_organization():
    profile = profile_question("When is our Stage 1 audit?", TYPES, [])
    guidance = _scored("stage-1-audit.md", Origin.STANDARD, 0.0)
    ours = _scored("sms-plan.md", Origin.ORGANIZATION, 0.0)
    assert in_scope([guidance, ours], profile, about_organization=True) == [ours]
    assert in_scope([guidance], profile, about_organization=False) == [guidance]


def test_abstention_masks_the_names_a_question_uses_but_not_its_acronyms():
    from assistant.evidence.abstention import mask, question_names

    profile = profile_question("Who is the chief executive of Harbour Logistics under the SLA?", TYPES, [])
    names = question_names(profile)
    assert "Harbour Logistics" in names and "SLA" not in names
    assert mask("Harbour Logistics renews its SLA in March.", names) == "renews its SLA in March."


def test_term_share_counts_typos_as_the_fuzzy_index_does():
    from assistant.evidence.features import _share

    vocabulary = {"incident", "manager", "problem", "sla", "escalation"}
    weights = {"incident": 2.5, "manger": 0.5}
    for terms in (["incident", "manger", "ola", "sla"], ["problm", "zzzzz"], ["sla"], []):
        index = fuzzy_index(vocabulary)
        total = sum(weights.get(t, 1.0) for t in terms)
        got = sum(weights.get(t, 1.0) for t in terms if fuzzy_present(t, vocabulary, index))
        assert _share(terms, vocabulary, weights) == (got / total if total else 0.0), terms


def test_words_naming_a_document_do_not_make_any_of_its_sentences_the_answer():
    """The asked share counts the question's other words: every sentence of the named
    document shares its name, only the answer shares what is asked."""
    import numpy as np

    from assistant.evidence.features import unit_features

    names = [name_terms("acme_disaster-recovery-policy.md"), name_terms("globex_change-policy.md")]
    profile = profile_question("How often does Acme test its disaster recovery policy?", TYPES, names)
    assert {"acme", "disast", "recoveri"} & set(profile.scope)
    text = (
        "The Acme disaster recovery plan sets how Acme recovers from a disaster.\n"
        "At a minimum the plan shall be tested annually."
    )
    units = units_of(_passage(text, "acme_disaster-recovery-policy.md"))
    x = unit_features(profile, units, np.array([0.7, 0.5]), [0, 0], TYPES)
    asked, whole = FEATURES.index("asked_idf_share"), FEATURES.index("idf_share")
    assert x[0, whole] > x[1, whole]  # the name-heavy sentence shares more of the question's words
    assert x[1, asked] > x[0, asked]  # but only the answer shares what is asked ("how often … test")


def test_asking_for_a_kind_of_value_no_best_unit_states_is_a_feature_of_abstention():
    import numpy as np

    from assistant.evidence.abstention import ABSTAIN_FEATURES, abstention_features

    profile = profile_question("How much does Acme pay for its hosting?", TYPES, [])
    assert "money" in profile.asks
    unit = units_of(_passage("Acme hosts its services with Globex in two regions."))[0]
    features = np.zeros(len(FEATURES))
    scored = [ScoredUnit(unit, 0.8, features)]

    def vectors(texts):
        return np.eye(len(texts), 4)

    absent = ABSTAIN_FEATURES.index("asked_type_absent")
    assert abstention_features(profile, scored, vectors, np.zeros(4))[absent] == 1.0
    features[FEATURES.index("type_match")] = 1.0
    assert abstention_features(profile, scored, vectors, np.zeros(4))[absent] == 0.0
