"""A flood of requests for missing slugs never stalls the server: /healthz keeps answering
while a real server serves 16 clients asking for near-miss slugs over 3,000 articles."""

from __future__ import annotations

from pathlib import Path

from tests.flood import run_flood

# Generous: the Docker HEALTHCHECK allows 4 s; the tight figures are in bench/bench_flood.py.
HEALTHZ_DEADLINE_MS = 1500


def test_missing_slugs_do_not_stall_the_server(tmp_path: Path) -> None:
    outcome = run_flood(tmp_path, articles=3000, clients=16, seconds=4.0)

    assert outcome.misses > 100
    assert outcome.server_errors == 0
    assert outcome.not_problem_json == 0
    assert len(outcome.probe_latencies) >= 10
    assert max(outcome.probe_latencies) * 1000 < HEALTHZ_DEADLINE_MS, outcome.probe_ms(1.0)
