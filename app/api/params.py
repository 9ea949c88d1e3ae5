"""Query parameters a route does not declare are an error, not silently ignored: a typo
(`limt=5`, `is_questoin=true`) would otherwise return a different answer than was asked for.
"""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

# A parameter name is named back in the problem only when it is this plain: problem bodies
# never echo arbitrary client input.
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,39}")
# By id() with the route itself kept beside: routes are unhashable, and a route of an app
# gone could share its id with a new one.
_known: dict[int, tuple[APIRoute, frozenset[str]]] = {}


def reject_unknown_parameters(request: Request) -> None:
    """Raise a 422 naming the first query parameter the route does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    cached = _known.get(id(route))
    if cached is not None and cached[0] is route:
        known = cached[1]
    else:
        known = frozenset(_query_names(route.dependant))
        _known[id(route)] = (route, known)
    for name in request.query_params:
        if name not in known:
            shown = name if _PLAIN_NAME.fullmatch(name) else "(a parameter)"
            accepted = ", ".join(sorted(known)) or "none"
            raise RequestValidationError(
                [
                    {
                        "loc": ("query", shown),
                        "msg": f"unknown parameter; this route takes {accepted}",
                    }
                ]
            )


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters of a route and of every dependency it uses."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names
