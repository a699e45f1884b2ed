"""A continuity plan that says it is untested and one with no record of a test are two
different findings: the first shows the control is not done, the second lacks evidence."""

from __future__ import annotations

from datetime import date

from assistant.readiness.freshness import check_document

AS_OF = date(2026, 11, 23)


def _kinds(text: str) -> list[str]:
    return [f.kind for f in check_document("continuity-plan.md", "Service continuity plan", text, AS_OF)]


def test_a_plan_that_says_it_is_untested_and_one_with_no_test_record_differ():
    assert _kinds("Recovery within 4 hours. Testing is planned for the first quarter of 2027.") == ["untested plan"]
    assert _kinds("Recovery within 4 hours. The BC plan is reviewed every year.") == ["no test record"]
    assert _kinds("Recovery within 4 hours. Last tested: 2026-05-14, test report TR-12.") == []
