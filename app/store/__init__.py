"""Storage backends behind one protocol; `open_store` picks one from a path or URL."""

from app.store.base import SearchRequest, Store, UpsertOutcome, open_store

__all__ = ["SearchRequest", "Store", "UpsertOutcome", "open_store"]
