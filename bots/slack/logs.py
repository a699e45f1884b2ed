"""Log lines about Slack requests are short and cannot forge other lines.

Anything that came from a request is escaped (a newline becomes ``\\n``) and cut to a bound;
Bolt's own "unhandled request" warnings, which quote the request body, lose the body.
"""

from __future__ import annotations

import logging

MAX_LOG_CHARS = 300


def bounded(value: object, limit: int = MAX_LOG_CHARS) -> str:
    """``value`` escaped to one printable line of at most ``limit`` characters."""
    text = str(value)
    escaped = text[: limit * 4].encode("unicode_escape", "backslashreplace").decode("ascii")
    return escaped if len(escaped) <= limit else escaped[: limit - 1] + "…"


class BoundedRecords(logging.Filter):
    """Rewrites a logger's records to one bounded, escaped line without request bodies."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string must not break logging
            message = str(record.msg)
        if message.startswith("Unhandled request"):
            message = "Unhandled request (body not logged)"
        record.msg, record.args = bounded(message), None
        record.exc_text = bounded(record.exc_text) if record.exc_text else record.exc_text
        return True
