"""Thin routes: validate the request, call the store or a lookup, shape the response."""
