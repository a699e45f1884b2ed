"""Chat adapters over the core services."""
