"""Readiness evals: the report measured against labelled gaps, and the cached endpoint's speed."""
