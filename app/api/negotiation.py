"""Proactive content negotiation (RFC 9110 12.5.1): which of the media types a route can
produce an Accept header ranks highest, or none (406)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from fastapi import Request
from starlette.responses import Response

from app.api.errors import problem_response

MARKDOWN_MEDIA_TYPE = "text/markdown"
HTML_MEDIA_TYPE = "text/html"


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the Accept header weighs most, the first offered on a tie
    (the server's preference: no Accept, `*/*` and `application/*` get JSON); None when
    the header gives every offered type the weight 0 (or names none of them).

    Each offered type gets the weight of the most specific range that matches it: the type
    itself, then `type/*`, then `*/*`. Parameters other than q are not compared."""
    if accept is None or not accept.strip():
        return offered[0]
    # media type -> (specificity of the best range matching it so far, its weight)
    best = dict.fromkeys(offered, (0, 0.0))
    for element in accept.split(","):
        media_range, *parameters = (part.strip() for part in element.split(";"))
        media_range = media_range.lower()
        weight = _weight(parameters)
        for media_type, (specificity, _) in best.items():
            matched = _specificity(media_range, media_type)
            if matched > specificity:
                best[media_type] = (matched, weight)
    chosen = max(offered, key=lambda media_type: best[media_type][1])  # first of equals
    return chosen if best[chosen][1] > 0 else None


def _weight(parameters: Sequence[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 0.0  # a weight that is not one: the range counts for nothing
            return min(max(weight, 0.0), 1.0) if math.isfinite(weight) else 0.0
    return 1.0


def _specificity(media_range: str, media_type: str) -> int:
    """3 for the type itself, 2 for `type/*`, 1 for `*/*`, 0 when the range misses it."""
    if media_range == media_type:
        return 3
    if media_range == media_type.partition("/")[0] + "/*":
        return 2
    return 1 if media_range == "*/*" else 0


def not_acceptable(request: Request, offered: Sequence[str]) -> Response:
    """406: the route produces none of what the Accept header asks for."""
    return problem_response(
        request,
        status=406,
        detail="This resource is available as " + ", ".join(offered) + ".",
        headers={"Vary": "Accept"},
    )
