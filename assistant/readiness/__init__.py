"""Readiness: the Stage 1 checklist and the clause-by-clause report."""
