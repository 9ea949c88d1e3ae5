"""The baseline server: a bare FastAPI app whose one route returns fixed bytes of a given size,
run by uvicorn with exactly the options `article-qa serve` passes.

`python -m bench.scale.bare --port P [--workers N] [--log-level L]`

`GET /bare/{size}/{anything}` answers `size` bytes of JSON: the path carries the real route's
path after the size, so wrk cycles over as many distinct URLs of about the same length as it
does against article-qa. The uvicorn options are captured from `app.cli.serve` itself (its
call to uvicorn.run is intercepted), so the baseline follows any change made there.
"""

from __future__ import annotations

import argparse
from functools import lru_cache
from typing import Any
from unittest import mock

import uvicorn
from fastapi import FastAPI, Response

app = FastAPI()
MAX_SIZE = 10_000_000


@lru_cache(maxsize=64)
def payload(size: int) -> bytes:
    """`size` bytes of valid JSON (a body a client could parse), at least `{}`."""
    if size < 12:
        return b"{}"
    return b'{"pad":"' + b"x" * (size - 10) + b'"}'


@app.get("/bare/{size}/{rest:path}")
async def bare(size: int, rest: str) -> Response:  # noqa: ARG001 - the path only varies the URL
    return Response(payload(min(size, MAX_SIZE)), media_type="application/json")


@app.get("/readyz")
async def ready() -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


# What `serve` passed before it learnt to capture them; used only if the capture fails.
FALLBACK_OPTIONS: dict[str, Any] = {
    "lifespan": "on",
    "server_header": False,
    "access_log": False,
    "proxy_headers": False,
    "date_header": True,
    "timeout_keep_alive": 5,
    "timeout_graceful_shutdown": 10,
}


def serve_options(*, port: int, workers: int, log_level: str) -> dict[str, Any]:
    """The keyword arguments `article-qa serve` gives uvicorn.run for these settings, minus
    the app itself (and `factory`, which only says how the app is named)."""
    from app.cli import serve  # only here: the workers import this module, not the app
    from app.config import Settings

    fields: dict[str, Any] = {
        "port": port,
        "log_level": log_level,
        "db": ":memory:",
        "ingest_on_start": False,
        "watch": False,
    }
    if "workers" in Settings.model_fields:
        fields["workers"] = workers
    with mock.patch("uvicorn.run") as run:
        serve(Settings(**fields))
    if not run.call_args:
        print("bare: app.cli.serve did not call uvicorn.run; using the fallback options")
        return {**FALLBACK_OPTIONS, "port": port, "log_level": log_level, "workers": workers}
    options = dict(run.call_args.kwargs)
    options.pop("factory", None)
    return options


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the bare FastAPI baseline server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    options = serve_options(port=args.port, workers=args.workers, log_level=args.log_level)
    options["workers"] = args.workers  # uvicorn needs the app by name for several workers
    uvicorn.run("bench.scale.bare:app", **options)


if __name__ == "__main__":
    main()
