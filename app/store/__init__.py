"""Storage backends behind one protocol; `open_store` picks one from a path or URL."""

from app.search.request import SearchRequest
from app.store.base import Store, UpsertOutcome, open_store

__all__ = ["SearchRequest", "Store", "UpsertOutcome", "open_store"]
