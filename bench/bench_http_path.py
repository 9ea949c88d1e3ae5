"""HTTP path benchmark: the app's GET routes against a bare FastAPI route returning the same
bytes, both under the same uvicorn settings, loaded by wrk.

`python -m bench.bench_http_path [--rounds 5] [--seconds 5] [--connections 8]`

A temp data dir is seeded with data/articles (`article-qa ingest`), then two servers start:
`article-qa serve` (access log on at the default level: its JSON lines go to a temp file)
and a bare FastAPI app in its own uvicorn process with the options `serve` passes, whose
routes return, byte for byte, what the app answers for each target. Each server is pinned to
the last core and wrk to the first (`taskset`), one at a time: every round runs each target
on the app and on the bare server, alternately, and the report gives the median requests/s
of each and the median of the per-round ratios app/bare. Needs `wrk` and `taskset`
(Debian: apt-get install wrk). Not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO, SEED_SLUG, free_port, wait_until_ready

SECTION = "whats-the-status-of-iran-pakistan-ties"
TARGETS = {
    "section": f"/articles/{SEED_SLUG}/sections/{SECTION}",
    "section-by-slug": f"/sections/{SECTION}",
    "article": f"/articles/{SEED_SLUG}",
}
# The options app/cli.py serve() gives uvicorn, less the app and the address.
UVICORN_OPTIONS: dict[str, object] = {
    "lifespan": "on",
    "server_header": False,
    "access_log": False,
    "proxy_headers": False,
    "date_header": True,
    "timeout_keep_alive": 5,
    "timeout_graceful_shutdown": 10,
}
REQUESTS_PER_SECOND = re.compile(r"Requests/sec:\s+([0-9.]+)")
REQUESTS = re.compile(r"(\d+) requests in")
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
SOCKET_ERRORS = re.compile(r"Socket errors:.*")


def bare_server(port: int, bodies: Path) -> None:
    """Serve, at each target's path, the bytes the app answered there (JSON, fixed)."""
    import uvicorn
    from fastapi import FastAPI
    from starlette.responses import Response

    app = FastAPI()
    for name, path in TARGETS.items():
        body = (bodies / name).read_bytes()

        def answer(body: bytes = body) -> Response:
            return Response(body, media_type="application/json")

        async def endpoint() -> Response:
            return answer()

        app.add_api_route(path, endpoint, methods=["GET"], name=name)
    app.add_api_route("/readyz", lambda: {"status": "ready"}, methods=["GET"])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info", **UVICORN_OPTIONS)  # type: ignore[arg-type]


def cores() -> tuple[str, str]:
    """(wrk's core, the server's core)."""
    available = sorted(os.sched_getaffinity(0))
    return str(available[0]), str(available[-1])


@dataclass(frozen=True)
class Server:
    base: str
    pid: int  # taskset execs the server: the same process

    def cpu_seconds(self) -> float:
        """User plus system time the server has used (/proc/<pid>/stat)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(args: list[str], port: int, log: Path) -> Iterator[Server]:
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["taskset", "-c", cores()[1], *args], cwd=REPO, stdout=output, stderr=output
        )
        try:
            wait_until_ready(f"{base}/readyz", process)
            yield Server(base, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)


@dataclass(frozen=True)
class Run:
    per_second: float
    # The server's CPU time per answer: steadier than the rate on a machine shared with
    # other work, which takes cycles from both servers unevenly
    cpu_us: float
    non_2xx: int
    errors: str


def wrk(target: Server, path: str, *, seconds: int, connections: int) -> Run:
    command = ["taskset", "-c", cores()[0], "wrk", "-t1", f"-c{connections}", f"-d{seconds}s"]
    cpu = target.cpu_seconds()
    output = subprocess.run(
        [*command, target.base + path], capture_output=True, text=True, check=True
    ).stdout
    cpu = target.cpu_seconds() - cpu
    rate, requests = REQUESTS_PER_SECOND.search(output), REQUESTS.search(output)
    if rate is None or requests is None:
        raise RuntimeError(f"wrk printed no rate:\n{output}")
    non_2xx = NON_2XX.search(output)
    errors = SOCKET_ERRORS.search(output)
    return Run(
        float(rate.group(1)),
        cpu / max(1, int(requests.group(1))) * 1e6,
        int(non_2xx.group(1)) if non_2xx else 0,
        errors.group(0) if errors else "",
    )


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--targets", nargs="*", default=list(TARGETS), choices=list(TARGETS))
    parser.add_argument("--bare-server", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server is not None:
        bare_server(args.port, args.bare_server)
        return 0
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            print(f"bench_http_path needs {tool} (Debian: apt-get install wrk)", file=sys.stderr)
            return 2

    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        data = root / "data"
        shutil.copytree(REPO / "data" / "articles", data / "articles")
        cli = [sys.executable, "-m", "app"]
        store = ["--data-dir", str(data)]
        subprocess.run([*cli, "ingest", *store], check=True, capture_output=True)
        app_port, bare_port = free_port(), free_port()
        serve = [*cli, "serve", *store, "--port", str(app_port), "--no-sync", "--no-watch"]
        bodies = root / "bodies"
        bodies.mkdir()
        with server(serve, app_port, root / "app.log") as app_server:
            for name, path in TARGETS.items():
                (bodies / name).write_bytes(fetch(app_server.base + path))
        bare = [sys.executable, "-m", "bench.bench_http_path", "--bare-server", str(bodies)]
        runs: dict[tuple[str, str], list[Run]] = {}
        ratios: dict[str, list[tuple[float, float]]] = {name: [] for name in args.targets}
        for round_ in range(args.rounds):
            # One server at a time, in alternating order; per target, app and bare back to
            # back (the servers restarted every round, warmed up before each measured run)
            measured: dict[tuple[str, str], Run] = {}
            for name in args.targets:
                for kind in ("app", "bare") if round_ % 2 == 0 else ("bare", "app"):
                    port = app_port if kind == "app" else bare_port
                    command = serve if kind == "app" else [*bare, "--port", str(port)]
                    with server(command, port, root / f"{kind}.log") as target:
                        wrk(target, TARGETS[name], seconds=1, connections=args.connections)
                        run = wrk(
                            target,
                            TARGETS[name],
                            seconds=args.seconds,
                            connections=args.connections,
                        )
                    if run.non_2xx or run.errors:
                        raise RuntimeError(f"{kind} {name}: {run}")
                    measured[kind, name] = run
                    runs.setdefault((kind, name), []).append(run)
                app, bare_run = measured["app", name], measured["bare", name]
                rate_ratio = app.per_second / bare_run.per_second
                cpu_ratio = bare_run.cpu_us / app.cpu_us
                ratios[name].append((rate_ratio, cpu_ratio))
                print(
                    f"round {round_ + 1}: {name:16} app {app.per_second:6.0f}/s "
                    f"{app.cpu_us:5.0f} us  bare {bare_run.per_second:6.0f}/s "
                    f"{bare_run.cpu_us:5.0f} us  ratio {rate_ratio:.3f} (cpu {cpu_ratio:.3f})",
                    flush=True,
                )
        lines = (root / "app.log").read_text().count('"request_id"')
        print(f"\n(the app's last run wrote {lines} access-log lines)")
        print(f"medians of {args.rounds} rounds; cpu: the server's CPU time per request")
        print(
            f"{'target':16} {'app/s':>7} {'bare/s':>7} {'ratio':>6}   "
            f"{'app us':>7} {'bare us':>7} {'ratio':>6}"
        )
        for name in args.targets:
            app_runs, bare_runs = runs["app", name], runs["bare", name]
            print(
                f"{name:16} {statistics.median(r.per_second for r in app_runs):7.0f} "
                f"{statistics.median(r.per_second for r in bare_runs):7.0f} "
                f"{statistics.median(r for r, _ in ratios[name]):6.3f}   "
                f"{statistics.median(r.cpu_us for r in app_runs):7.0f} "
                f"{statistics.median(r.cpu_us for r in bare_runs):7.0f} "
                f"{statistics.median(c for _, c in ratios[name]):6.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
