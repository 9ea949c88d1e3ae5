"""PostgreSQL backend: not built yet; opening a postgresql:// URL says so clearly."""

from __future__ import annotations

from app.errors import StoreUnavailable
from app.store.base import Store


def PostgresStore(url: str) -> Store:  # a class in waiting: `open_store` calls it like one
    """Placeholder for the `Store` protocol on PostgreSQL (deployments beyond one machine)."""
    scheme = url.split(":", 1)[0]
    raise StoreUnavailable(
        f"The {scheme}:// store is not available in this build; use a SQLite file path."
    )
