"""Logging for the command line and servers: plain, one line per event, no secrets."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3", "transformers", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
