"""GET /metrics: Prometheus metrics (kept out of the OpenAPI document)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.deps import StoreDep
from app.api.http import NO_STORE
from app.api.observability import Metrics, articles_gauge

router = APIRouter()
logger = logging.getLogger("app.api")


@router.get("/metrics", include_in_schema=False)
def get_metrics(request: Request, store: StoreDep) -> Response:
    """Request counts and latencies (all workers' with PROMETHEUS_MULTIPROC_DIR) and the
    number of articles, counted at scrape time (one count(*); a sync def: in the threadpool)."""
    metrics: Metrics = request.app.state.metrics
    extra = []
    try:
        extra.append(articles_gauge(store.list_articles(limit=1, offset=0).total))
    except Exception as exc:  # a scrape still answers when the store does not
        logger.warning("metrics: cannot count articles: %s", type(exc).__name__)
    body, media_type = metrics.exposition(request.headers.get("accept", ""), extra)
    return Response(body, media_type=media_type, headers={"Cache-Control": NO_STORE})
