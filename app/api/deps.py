"""Dependencies as Annotated aliases; the store comes from the lifespan state, never a global."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.search.settings import SearchSettings
from app.store.base import Store


async def get_store(request: Request) -> Store:
    """The store the lifespan opened for this app (async: no threadpool hop to read it)."""
    store: Store = request.state.store
    return store


async def current_settings(request: Request) -> Settings:
    """The settings the lifespan resolved once (from create_app's argument or get_settings)."""
    settings: Settings = request.state.settings
    return settings


async def current_search_settings(request: Request) -> SearchSettings:
    """The search settings file the lifespan read once (app/search/settings.py)."""
    settings: SearchSettings = request.state.search_settings
    return settings


SettingsDep = Annotated[Settings, Depends(current_settings)]
SearchSettingsDep = Annotated[SearchSettings, Depends(current_search_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
