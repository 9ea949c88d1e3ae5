"""Storage backends behind one protocol; `open_store` picks one from a path or URL."""

from app.search.request import SearchRequest
from app.store.base import Precondition, RawSource, Store, Upserted, UpsertOutcome, open_store

__all__ = [
    "Precondition",
    "RawSource",
    "SearchRequest",
    "Store",
    "UpsertOutcome",
    "Upserted",
    "open_store",
]
