"""HTTP benchmark of the representations: JSON, Markdown and HTML of the same URLs.

GET of a section and of the seed article with `Accept: application/json`, `text/markdown`
and `text/html`, each beside the JSON of the same URL and the bare FastAPI endpoint of
bench/bench_api.py, measured in the same run with the same client (one uvicorn process per
app on loopback, keep-alive HTTP/1.1 connections, interleaved rounds). Not a test: run it
with `python -m bench.bench_representations [--requests N] [--concurrency C] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass

from bench.bench_api import Result, measure, seed_and_bare_servers
from tests.conftest import SEED_SLUG

JSON = "application/json"
MARKDOWN = "text/markdown"
HTML = "text/html"
SECTION_PATH = f"/articles/{SEED_SLUG}/sections/whats-the-status-of-iran-pakistan-ties"
ARTICLE_PATH = f"/articles/{SEED_SLUG}"


@dataclass(frozen=True)
class Target:
    name: str
    base: str  # "bare" or "app": which server answers
    path: str
    accept: str


TARGETS = (
    Target("bare FastAPI endpoint", "bare", "/bare", JSON),
    Target("GET section, JSON", "app", SECTION_PATH, JSON),
    Target("GET section, Markdown", "app", SECTION_PATH, MARKDOWN),
    Target("GET section, HTML", "app", SECTION_PATH, HTML),
    Target("GET article, JSON", "app", ARTICLE_PATH, JSON),
    Target("GET article, Markdown", "app", ARTICLE_PATH, MARKDOWN),
    Target("GET article, HTML", "app", ARTICLE_PATH, HTML),
)


def _total(rounds: list[Result]) -> Result:
    return Result(
        sum(r.requests for r in rounds),
        sum(r.seconds for r in rounds),
        [latency for r in rounds for latency in r.latencies_ms],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=3000, help="per endpoint (default 3000)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    args = parser.parse_args(argv)

    with seed_and_bare_servers() as bases:
        per_round = max(args.concurrency, args.requests // args.rounds)
        results: dict[str, list[Result]] = {target.name: [] for target in TARGETS}
        for _ in range(args.rounds):
            for target in TARGETS:
                measured = measure(
                    bases[target.base],
                    target.path,
                    requests=per_round,
                    concurrency=args.concurrency,
                    accept=target.accept,
                )
                results[target.name].append(asyncio.run(measured))
        print(
            f"{args.rounds} x {per_round} requests per endpoint over {args.concurrency} keep-alive "
            "connections; one uvicorn process per app; client on the same machine\n"
        )
        columns = ("req/s", "p50 ms", "p99 ms", "vs bare", "vs JSON")
        header = f"{'endpoint':<26}" + "".join(f"{column:>9}" for column in columns)
        print(header)
        print("-" * len(header))
        totals = {name: _total(rounds) for name, rounds in results.items()}
        bare = totals[TARGETS[0].name].per_second
        json_rates = {t.path: totals[t.name].per_second for t in TARGETS if t.accept == JSON}
        for target in TARGETS:
            total = totals[target.name]
            print(
                f"{target.name:<26}{total.per_second:>9.0f}{total.percentile(0.5):>9.2f}"
                f"{total.percentile(0.99):>9.2f}{total.per_second / bare:>9.2f}"
                f"{total.per_second / json_rates[target.path]:>9.2f}"
            )


if __name__ == "__main__":
    main()
