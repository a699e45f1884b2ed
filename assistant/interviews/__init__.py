"""Mock auditor interviews: plan, ask, grade, follow up, summarise — state in the database."""

from assistant.interviews.models import (
    Assessment,
    Finding,
    InterviewSession,
    InterviewState,
    InterviewSummary,
    Turn,
    TurnResult,
)

__all__ = [
    "Assessment",
    "Finding",
    "InterviewSession",
    "InterviewState",
    "InterviewSummary",
    "Turn",
    "TurnResult",
]
