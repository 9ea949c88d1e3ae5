"""GET /healthz (the process answers) and GET /readyz (the store answers too)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.api.deps import StoreDep
from app.api.errors import problem_responses
from app.api.http import NO_STORE
from app.errors import StoreUnavailable
from app.models import Health

router = APIRouter(tags=["health"])

OK = Health(status="ok").model_dump()


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def check_liveness() -> JSONResponse:
    # async and store-free on purpose: it must answer even when the store or threadpool is stuck
    return JSONResponse(OK, headers={"Cache-Control": NO_STORE})


@router.get(
    "/readyz",
    response_model=Health,
    summary="Readiness: the store answers",
    responses=problem_responses(503),
)
def check_readiness(store: StoreDep) -> JSONResponse:
    try:
        store.ping()
    except StoreUnavailable:
        raise
    except Exception as exc:
        # Whatever breaks the ping, the answer to "ready?" is no, never a 500.
        raise StoreUnavailable(f"ping failed: {type(exc).__name__}") from exc
    return JSONResponse(OK, headers={"Cache-Control": NO_STORE})
