"""The read phases of a run: start-up and cold search, HTTP under wrk against the bare
baseline, and warm in-process search."""

from __future__ import annotations

import http.client
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from app.store import SearchRequest, open_store
from bench.scale import servers
from bench.scale.context import Bench
from bench.scale.models import (
    ColdSearch,
    HttpTarget,
    Latencies,
    MemorySnapshot,
    Startup,
    WarmSearch,
)
from bench.scale.procs import get, wait_idle
from bench.scale.wrk import WrkRun, write_script

# --- start-up and cold search ---------------------------------------------------------


def _timed_get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Accept": "application/json"})
    response = connection.getresponse()
    body = response.read()
    return response.status, body, (time.perf_counter() - started) * 1000


def startup(bench: Bench, *, starts: int, cold_words: list[str]) -> tuple[Startup, ColdSearch]:
    """Start the server `starts` times on the existing store, timing spawn -> /readyz 200;
    after the last start settles, search each common word once, each its first query."""
    seconds: list[float] = []
    cold: ColdSearch | None = None
    for number in range(starts):
        with servers.article_qa(
            bench.children,
            f"startup-{number}",
            db=bench.db,
            data_dir=Path(bench.corpus.folder),
            options=bench.server,
        ) as server:
            seconds.append(round(server.ready_seconds, 3))
            bench.say(f"start-up {number + 1}/{starts}: ready in {server.ready_seconds:.2f} s")
            if number == starts - 1:
                waited = wait_idle(server.process.pid)
                bench.say(
                    f"cold search: {len(cold_words)} words (server settled in {waited:.0f} s)"
                )
                cold = _cold_search(server.port, cold_words)
    assert cold is not None
    ordered = sorted(seconds)
    return Startup(seconds=seconds, median=ordered[len(ordered) // 2]), cold


def _cold_search(port: int, words: list[str]) -> ColdSearch:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    times: list[float] = []
    try:
        for word in words:
            status, body, ms = _timed_get(connection, f"/search?q={quote(word)}")
            if status != 200:
                raise RuntimeError(f"/search?q={word} answered {status}: {body[:200]!r}")
            times.append(ms)
    finally:
        connection.close()
    return ColdSearch(
        first_ms=round(times[0], 3),
        words=Latencies.of(times),
        milliseconds={word: round(ms, 3) for word, ms in zip(words, times, strict=True)},
    )


# --- HTTP under wrk -------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    route: str
    paths: list[str]


def targets(bench: Bench) -> list[Target]:
    """The routes loaded, each with the real URLs wrk cycles over: articles and sections of
    a seeded sample of the store's articles (read through the library), and the queries."""
    store = open_store(bench.db, create=False)
    try:
        slugs = sorted({slug for slug, _hash in store.source_hashes().values()})
        chosen = random.Random(f"slugs-{bench.corpus.seed}").sample(
            slugs, min(bench.slugs, len(slugs))
        )
        sections: list[str] = []
        for slug in chosen:
            sections += [section.url for section in store.get_article(slug).sections]
    finally:
        store.close()
    random.Random(f"sections-{bench.corpus.seed}").shuffle(sections)
    found = [
        Target("section", "GET /articles/{a}/sections/{s}", sections),
        Target("article", "GET /articles/{a}", [f"/articles/{quote(s)}" for s in chosen]),
    ]
    for name, queries in bench.classes().items():
        paths = [f"/search?q={quote(q)}" for q in queries]
        found.append(Target(f"search {name}", f"GET /search?q= ({name})", paths))
    return found


def body_size(port: int, paths: list[str], samples: int = 100) -> int:
    """The mean body size of the route over a sample of its URLs; every one must be 200."""
    step = max(1, len(paths) // samples)
    sizes: list[int] = []
    for path in paths[::step][:samples]:
        status, body = get(port, path, timeout=120)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        sizes.append(len(body))
    return round(sum(sizes) / len(sizes))


def http_load(bench: Bench) -> tuple[list[HttpTarget], list[MemorySnapshot]]:
    """Each target on article-qa and on the bare route of the same size, alternately (the
    order flips every round), each run after a warm-up run of its own."""
    chosen = targets(bench)
    scripts = bench.run_dir / "lua"
    results: list[HttpTarget] = []
    with (
        servers.article_qa(
            bench.children,
            "http-article-qa",
            db=bench.db,
            data_dir=Path(bench.corpus.folder),
            options=bench.server,
        ) as ours,
        servers.bare(bench.children, "http-bare", options=bench.server) as bare,
    ):
        waited = wait_idle(ours.process.pid)
        bench.say(f"http: servers ready; article-qa settled after {waited:.0f} s")
        memory = [ours.memory("after start")]
        for target in chosen:
            size = body_size(ours.port, target.paths)
            ours_script = write_script(scripts, f"{target.name}-ours", target.paths)
            bare_paths = [f"/bare/{size}{path}" for path in target.paths]
            bare_script = write_script(scripts, f"{target.name}-bare", bare_paths)
            sides = {"ours": (ours.port, ours_script), "bare": (bare.port, bare_script)}
            runs: dict[str, list[WrkRun]] = {"ours": [], "bare": []}
            for round_number in range(bench.rounds):
                order = ("bare", "ours") if round_number % 2 == 0 else ("ours", "bare")
                for side in order:
                    port, script = sides[side]
                    if bench.warmup > 0:
                        bench.wrk(port, script, bench.warmup, bench.connections)
                    run = bench.wrk(port, script, bench.seconds, bench.connections)
                    runs[side].append(run)
                    failures = run.errors + run.non_2xx
                    bench.say(
                        f"http: {target.name:<38} {side:<4} {run.per_second:9,.0f} req/s  "
                        f"p50 {run.p50_ms:7.2f} ms  p99 {run.p99_ms:8.2f} ms"
                        + (f"  ERRORS {failures}" if failures else "")
                    )
            results.append(
                HttpTarget(
                    name=target.name,
                    route=target.route,
                    paths=len(target.paths),
                    body_bytes=size,
                    ours=runs["ours"],
                    bare=runs["bare"],
                )
            )
        memory.append(ours.memory("after load"))
    return results, memory


# --- warm in-process search -----------------------------------------------------------


def warm_search(bench: Bench, *, passes: int, cpus: set[int] | None) -> WarmSearch:
    """store.search in this process, after a warm-up pass, on the server CPUs (the servers
    are stopped by now)."""
    previous = os.sched_getaffinity(0)
    if cpus:
        os.sched_setaffinity(0, cpus)
    store = open_store(bench.db, create=False)
    try:
        figures: dict[str, Latencies] = {}
        for name, queries in bench.classes().items():
            for query in queries:
                store.search(SearchRequest(query=query, limit=10))
            times: list[float] = []
            for _ in range(passes):
                for query in queries:
                    started = time.perf_counter()
                    store.search(SearchRequest(query=query, limit=10))
                    times.append((time.perf_counter() - started) * 1000)
            figures[name] = Latencies.of(times)
            bench.say(
                f"warm search: {name:<30} p50 {figures[name].p50_ms:7.2f} ms  "
                f"p99 {figures[name].p99_ms:7.2f} ms"
            )
    finally:
        store.close()
        os.sched_setaffinity(0, previous)
    return WarmSearch(classes=figures)
