"""HTTP API: the app factory, dependencies, problem+json errors and thin routes."""

from app.api.app import create_app

__all__ = ["create_app"]
