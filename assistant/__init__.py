"""auditprep core."""
