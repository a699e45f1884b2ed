"""In-memory stand-ins for the adapters, for fast tests of the logic above them.

They keep the ports' contracts (the same contract tests run against them and against the
real adapters in ``tests/test_store_contract.py``) but hold everything in dictionaries and
embed by hashing words, so a test using them loads no model and opens no database.
"""

from assistant.testing.memory import HashEmbedder, InMemoryLexicalIndex, InMemoryVectorStore

__all__ = ["HashEmbedder", "InMemoryLexicalIndex", "InMemoryVectorStore"]
