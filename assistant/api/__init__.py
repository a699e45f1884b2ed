"""The HTTP API and web page: a thin FastAPI adapter over the core services."""
