"""Implementations of the core's ports: embedder, chromadb store, SQLite FTS5 index."""
