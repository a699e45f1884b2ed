"""Readiness: the clause-by-clause report with findings graded as an auditor grades them
(``grading``, ``findings``), the actions to take first (``actions``), the Stage 1 checklist,
and the latest report served from cache (``cache``). Modules are imported where used: the
service depends on the answering package, which reads the checklist from here."""
