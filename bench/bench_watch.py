"""Live-folder benchmark: how long from writing a file in articles/ to serving it.

A real `python -m app serve` process watches a temp data dir; each change is made one at a
time and GET /articles/{slug} is polled until it shows the change. Not a test: run it with
`python -m bench.bench_watch [--changes N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from tests.conftest import SEED_FILE, free_port, http_get, running_server

POLL_SECONDS = 0.005
TIMEOUT_SECONDS = 30.0


def article(title: str, token: str) -> str:
    return f"# {title}\n\nA lead paragraph.\n\n## What changed?\n\nThe token is {token}.\n"


def wait_for(check: Callable[[], bool]) -> float:
    """Seconds until `check` is true (polled every POLL_SECONDS)."""
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > TIMEOUT_SECONDS:
            raise TimeoutError("a change was not served within 30 s")
        time.sleep(POLL_SECONDS)
    return time.perf_counter() - started


def shows(url: str, token: str) -> Callable[[], bool]:
    def check() -> bool:
        status, _, body = http_get(url)
        return status == 200 and token.encode() in body

    return check


def measure_edits(base: str, articles: Path, count: int, label: str) -> list[float]:
    """Rewrite one file's body `count` times, each time with a token never used before."""
    path = articles / "edited.md"
    url = f"{base}/articles/bench-edited-article"
    seconds = []
    for n in range(count):
        token = f"{label}-{n}"
        seconds.append(
            _time(partial(_write, path, "Bench edited article", token), shows(url, token))
        )
    return seconds


def measure_adds(base: str, articles: Path, count: int) -> list[float]:
    """Write `count` new files, one at a time."""
    seconds = []
    for n in range(count):
        path, title, token = articles / f"added-{n:03}.md", f"Bench added article {n}", f"add-{n}"
        url = f"{base}/articles/bench-added-article-{n}"
        seconds.append(_time(partial(_write, path, title, token), shows(url, token)))
    return seconds


def _write(path: Path, title: str, token: str) -> None:
    path.write_text(article(title, token), "utf-8")


def measure_burst(base: str, articles: Path, count: int) -> float:
    """Seconds from the first of `count` files written at once to all of them served."""
    total = json.loads(http_get(f"{base}/articles?limit=1")[2])["total"]

    def all_served() -> bool:
        return bool(json.loads(http_get(f"{base}/articles?limit=1")[2])["total"] == total + count)

    def write_all() -> None:
        for n in range(count):
            text = article(f"Bench burst article {n}", f"burst-{n}")
            (articles / f"burst-{n:03}.md").write_text(text, "utf-8")

    return _time(write_all, all_served)


def _time(change: Callable[[], object], check: Callable[[], bool]) -> float:
    """Seconds from the start of `change` until `check` holds."""
    started = time.perf_counter()
    change()
    wait_for(check)
    return time.perf_counter() - started


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    return (
        f"{name:<8} n={len(ms):<4} p50 {statistics.median(ms):6.0f} ms   "
        f"p99 {p99:6.0f} ms   max {ms[-1]:6.0f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--changes", type=int, default=100, help="edits and adds (default 100)")
    parser.add_argument("--burst", type=int, default=200, help="files written at once (200)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as temp:
        data_dir = Path(temp) / "data"
        articles = data_dir / "articles"
        articles.mkdir(parents=True)
        (articles / SEED_FILE.name).write_bytes(SEED_FILE.read_bytes())
        port = free_port()
        serve = ["-m", "app", "serve", "--port", str(port), "--data-dir", str(data_dir)]
        with running_server([*serve, "--log-level", "warning"], port=port) as base:
            # The first change pays one-off costs (the language model loads on first use).
            cold = measure_edits(base, articles, 1, "cold")
            edits = measure_edits(base, articles, args.changes, "edit")
            adds = measure_adds(base, articles, args.changes)
            burst = measure_burst(base, articles, args.burst)
    print("write -> GET /articles/{slug} shows it, one change at a time:")
    print(f"first change (cold): {cold[0] * 1000:.0f} ms")
    print(summary("edits", edits))
    print(summary("adds", adds))
    print(f"burst: {args.burst} files written at once, all served after {burst * 1000:.0f} ms")


if __name__ == "__main__":
    main()
