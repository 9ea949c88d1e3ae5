"""HTTP benchmark: GET /sections/{slug} and GET /search against a bare FastAPI endpoint.

Each app runs as a real single-process uvicorn server on loopback; a small keep-alive
HTTP/1.1 client (asyncio streams, far cheaper than a full client library) sends a bounded
number of requests over a few connections and records each latency. Not a test: run it with
`./scripts/bench` or `python -m bench.bench_api [--requests N] [--concurrency C]`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from tests.conftest import SEED_SLUG, free_port, running_server, serving_seed

bare_app = FastAPI()


@bare_app.get("/bare")
async def bare() -> dict[str, str]:
    """The baseline: FastAPI and uvicorn doing nothing but answering a tiny JSON."""
    return {"status": "ok"}


@dataclass(frozen=True)
class Target:
    name: str
    base: str  # "bare" or "app": which server answers
    path: str


TARGETS = (
    Target("bare FastAPI endpoint", "bare", "/bare"),
    Target("GET /healthz", "app", "/healthz"),
    Target("GET /sections/{slug}", "app", "/sections/whats-the-status-of-iran-pakistan-ties"),
    Target(
        "GET /articles/{a}/sections/{s}",
        "app",
        f"/articles/{SEED_SLUG}/sections/whats-the-status-of-iran-pakistan-ties",
    ),
    Target("GET /search?q=pakistan trade", "app", "/search?q=pakistan%20trade"),
    Target("GET /search?q=kashmr (typo)", "app", "/search?q=kashmr"),
)


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _worker(host: str, port: int, request: bytes, count: int, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(count):
            started = time.perf_counter()
            status = await _fetch(reader, writer, request)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"unexpected status {status}")
    finally:
        writer.close()
        await writer.wait_closed()


async def measure(
    base_url: str,
    path: str,
    *,
    requests: int,
    concurrency: int,
    accept: str = "application/json",
) -> Result:
    host, port = base_url.removeprefix("http://").split(":")
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: {accept}\r\n\r\n".encode()
    # Warm-up: imports, caches, connection setup are not what is measured.
    await asyncio.gather(*(_worker(host, int(port), request, 20, []) for _ in range(concurrency)))
    latencies: list[float] = []
    per_worker = requests // concurrency
    started = time.perf_counter()
    await asyncio.gather(
        *(_worker(host, int(port), request, per_worker, latencies) for _ in range(concurrency))
    )
    return Result(per_worker * concurrency, time.perf_counter() - started, latencies)


@contextmanager
def seed_and_bare_servers() -> Iterator[dict[str, str]]:
    """The app serving the seed and the bare endpoint, each a uvicorn process; their base
    URLs by name ("app", "bare")."""
    with tempfile.TemporaryDirectory() as temp, ExitStack() as servers:
        bare_port = free_port()
        bare_args = ["-m", "uvicorn", "bench.bench_api:bare_app", "--port", str(bare_port)]
        yield {
            "app": servers.enter_context(serving_seed(Path(temp))),
            "bare": servers.enter_context(
                running_server(
                    [*bare_args, "--log-level", "warning"], port=bare_port, ready_path="/bare"
                )
            ),
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=3000, help="per endpoint (default 3000)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    args = parser.parse_args(argv)

    with seed_and_bare_servers() as bases:
        # Interleaved rounds: a burst of background load on the machine hits every endpoint
        # alike instead of skewing one ratio.
        per_round = max(args.concurrency, args.requests // args.rounds)
        results: dict[str, list[Result]] = {target.name: [] for target in TARGETS}
        for _ in range(args.rounds):
            for target in TARGETS:
                url = bases[target.base]
                measured = measure(
                    url, target.path, requests=per_round, concurrency=args.concurrency
                )
                results[target.name].append(asyncio.run(measured))
        print(
            f"{args.rounds} x {per_round} requests per endpoint over {args.concurrency} keep-alive "
            "connections; one uvicorn process per app; client on the same machine\n"
        )
        header = f"{'endpoint':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}"
        print(header)
        print("-" * len(header))
        baseline: float | None = None
        for target in TARGETS:
            rounds = results[target.name]
            total = Result(
                sum(r.requests for r in rounds),
                sum(r.seconds for r in rounds),
                [latency for r in rounds for latency in r.latencies_ms],
            )
            baseline = baseline or total.per_second
            print(
                f"{target.name:<34}{total.per_second:>9.0f}{total.percentile(0.5):>9.2f}"
                f"{total.percentile(0.99):>9.2f}{total.per_second / baseline:>9.2f}"
            )


if __name__ == "__main__":
    main()
