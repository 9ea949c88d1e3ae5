"""GET /healthz (the process answers) and GET /readyz (the first sync is done and the store
answers)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.api.deps import StoreDep
from app.api.errors import problem_responses
from app.api.http import NO_STORE
from app.errors import StoreDamaged, StoreUnavailable
from app.models import Health

router = APIRouter(tags=["health"])

OK = Health(status="ok").model_dump()


@dataclass(frozen=True)
class Readiness:
    """Lifespan state: set once the first sync of the articles folder is over (the watcher's
    thread sets it; at once when there is no first sync)."""

    first_sync: threading.Event


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def check_liveness() -> JSONResponse:
    # async and store-free on purpose: it must answer even when the store or threadpool is stuck
    return JSONResponse(OK, headers={"Cache-Control": NO_STORE})


@router.get(
    "/readyz",
    response_model=Health,
    summary="Readiness: the first sync is done and the store answers",
    responses=problem_responses(503),
)
def check_readiness(request: Request, store: StoreDep) -> JSONResponse:
    readiness: Readiness = request.state.readiness
    if not readiness.first_sync.is_set():
        # The server listens during a long first sync; load balancers wait for this 200.
        raise StoreUnavailable("the first sync of the articles folder is still running")
    try:
        store.ping()
    except (StoreUnavailable, StoreDamaged):
        raise  # 503 "try later", or 500 "damaged: rebuild" (a fault that will not pass)
    except Exception as exc:
        # Whatever else breaks the ping, the answer to "ready?" is no, never a 500.
        raise StoreUnavailable(f"ping failed: {type(exc).__name__}") from exc
    return JSONResponse(OK, headers={"Cache-Control": NO_STORE})
