"""Missing-slug flood: `python -m bench.bench_flood [--articles N] [--clients C] [--seconds S]`.

A real server over a store of N small articles; C clients ask for near-miss article slugs
back to back (each 404 carries up to three suggestions) while a probe asks /healthz every
50 ms. Prints the misses answered per second and the probe's latency (p50, p99, max).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.flood import run_flood


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        outcome = run_flood(
            Path(workdir), articles=args.articles, clients=args.clients, seconds=args.seconds
        )
    print(
        f"{args.clients} clients, {args.articles} articles, {outcome.seconds:.1f} s: "
        f"{outcome.misses} misses ({outcome.misses_per_second:.0f}/s), "
        f"{outcome.server_errors} 5xx, {outcome.not_problem_json} not problem+json"
    )
    print(
        f"/healthz while flooded: p50 {outcome.probe_median_ms:.1f} ms, "
        f"p99 {outcome.probe_ms(0.99):.1f} ms, max {outcome.probe_ms(1.0):.1f} ms "
        f"({len(outcome.probe_latencies)} probes)"
    )


if __name__ == "__main__":
    main()
