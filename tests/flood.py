"""Many clients asking for slugs that do not exist, against a real server over a store of a
few thousand articles, while a probe keeps asking /healthz: does anyone else slow down?

Shared by tests/test_flood.py (one short run) and bench/bench_flood.py (the figures).
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.store import open_store
from tests.conftest import free_port, running_server
from tools.evaluation.relevance import article_from_sections


def fill_store(db: Path, articles: int) -> list[str]:
    """`articles` small articles, by the library; returns their slugs."""
    store = open_store(db)
    slugs: list[str] = []
    try:
        for number in range(articles):
            article = article_from_sections(
                title=f"Explainer {number}: how the {number % 97}th rule of trade works",
                sections=[(f"Why does rule {number} matter?", f"Because of trade {number}.")],
                source=f"explainer-{number}.md",
            )
            slugs.append(store.upsert_article(article).slug)
    finally:
        store.close()
    return slugs


@dataclass
class FloodOutcome:
    misses: int = 0
    not_problem_json: int = 0
    server_errors: int = 0
    probe_latencies: list[float] = field(default_factory=list)  # seconds
    seconds: float = 0.0
    odd: list[tuple[int, str | None]] = field(default_factory=list)  # status, content type

    @property
    def misses_per_second(self) -> float:
        return self.misses / self.seconds if self.seconds else 0.0

    def probe_ms(self, quantile: float) -> float:
        ordered = sorted(self.probe_latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]

    @property
    def probe_median_ms(self) -> float:
        return 1000 * statistics.median(self.probe_latencies)


def run_flood(
    workdir: Path, *, articles: int = 3000, clients: int = 16, seconds: float = 5.0
) -> FloodOutcome:
    data_dir = workdir / "data"
    (data_dir / "articles").mkdir(parents=True, exist_ok=True)
    slugs = fill_store(data_dir / "article-qa.db", articles)
    port = free_port()
    args = ["-m", "app", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    outcome = FloodOutcome()
    lock = threading.Lock()
    stop = threading.Event()

    def flood(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not stop.is_set():
            # A near miss: the slug of a real article with a typo, the costliest to suggest for.
            slug = rng.choice(slugs)
            cut = rng.randrange(len(slug))
            typo = "q" if slug[cut] != "q" else "z"
            connection.request("GET", f"/articles/{slug[:cut]}{typo}{slug[cut + 1 :]}")
            response = connection.getresponse()
            body = response.read()
            with lock:
                outcome.misses += 1
                outcome.server_errors += response.status >= 500
                problem = response.getheader("content-type") == "application/problem+json"
                if not problem or json.loads(body)["status"] != response.status:
                    outcome.not_problem_json += 1
                    outcome.odd.append((response.status, response.getheader("content-type")))
        connection.close()

    def probe() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not stop.is_set():
            started = time.perf_counter()
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            outcome.probe_latencies.append(time.perf_counter() - started)
            time.sleep(0.05)
        connection.close()

    serve = [*args, "--no-sync", "--no-watch", "--log-level", "warning"]
    with running_server(serve, port=port):
        threads = [threading.Thread(target=flood, args=(seed,)) for seed in range(clients)]
        threads.append(threading.Thread(target=probe))
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in threads:
            thread.join()
        outcome.seconds = time.perf_counter() - started
    return outcome
