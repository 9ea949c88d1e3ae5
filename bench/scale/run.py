"""The command line and the order of the phases; see bench/bench_scale.py."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.scale import live, phases, servers, store
from bench.scale.context import Bench
from bench.scale.corpus import MissingTool, ensure_corpus, load_vocabulary
from bench.scale.models import Config, CorpusFigures, Machine, RunResult
from bench.scale.procs import REPO, Children
from bench.scale.report import render_run, save
from bench.scale.wrk import check_tools

KEEP_RUNS = 10
PHASES = ("startup", "http", "search", "live")
# (full run, --quick) defaults of the options left unset.
DEFAULTS: dict[str, tuple[int, int] | tuple[float, float]] = {
    "sections": (100_000, 10_000),
    "seconds": (10.0, 3.0),
    "warmup": (2.0, 1.0),
    "rounds": (2, 1),
    "live_seconds": (15.0, 4.0),
    "slugs": (1000, 200),
    "queries": (300, 100),
    "cold_words": (50, 20),
    "startups": (3, 1),
    "passes": (3, 1),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_scale",
        description="Scale benchmark of article-qa: ingest, start-up, HTTP under wrk, search "
        "and search during writes, each beside a baseline; writes bench/results/scale.md and "
        "scale.json.",
    )
    parser.add_argument(
        "--db",
        help="the store: a SQLite file path or a postgresql:// URL (default: a SQLite file in "
        "the cache, per corpus)",
    )
    parser.add_argument("--sections", type=int, help="corpus size (default 100000; quick 10000)")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers N (default 1)")
    parser.add_argument("--quick", action="store_true", help="10k sections, 3 s runs: a smoke test")
    parser.add_argument("--seconds", type=float, help="each measured wrk run (default 10)")
    parser.add_argument("--warmup", type=float, help="the wrk run before each (default 2)")
    parser.add_argument("--rounds", type=int, help="alternations of ours and bare (default 2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1: it has one core)")
    parser.add_argument("--live-seconds", type=float, help="search load with and without writes")
    parser.add_argument("--live-connections", type=int, default=8, help="of that load (8)")
    parser.add_argument(
        "--write-rate", type=float, default=0, help="live articles/s; 0: as fast as it can"
    )
    parser.add_argument("--slugs", type=int, help="articles whose URLs wrk cycles over (1000)")
    parser.add_argument("--queries", type=int, help="queries per search class (300)")
    parser.add_argument("--cold-words", type=int, help="common words searched cold (50)")
    parser.add_argument("--startups", type=int, help="start-ups timed (3)")
    parser.add_argument("--passes", type=int, help="timed passes of warm in-process search (3)")
    parser.add_argument("--client-cpus", default="0", help="taskset CPUs of wrk (0)")
    parser.add_argument("--server-cpus", default="1", help="taskset CPUs of the servers (1)")
    parser.add_argument(
        "--log-level", default="info", help="of both servers (info: serve's default)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "article-qa-bench" / "scale",
        help="corpora, stores and run logs (default: <temp>/article-qa-bench/scale)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        help="folder of scale.md and scale.json (default bench/results; quick: in the cache)",
    )
    parser.add_argument(
        "--fresh-store", action="store_true", help="build (and time) the store even if cached"
    )
    parser.add_argument(
        "--only",
        help=f"comma-separated phases to run after the store is ready: {','.join(PHASES)}",
    )
    return parser


def masked(db: str) -> str:
    parts = urlsplit(db)
    if not parts.scheme or parts.password is None:
        return db
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _output(args: list[str]) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, check=False, cwd=REPO)
    except OSError:
        return "?"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "?"


def machine() -> Machine:
    cpu = platform.processor() or platform.machine()
    memory_gb = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    # Read-only: the commit checked out (the work tree may hold more).
    commit = _output(["git", "rev-parse", "--short=12", "HEAD"])
    return Machine(
        cpu=cpu,
        cores=os.cpu_count() or 0,
        memory_gb=round(memory_gb, 1),
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        versions={name: _version(name) for name in ("uvicorn", "fastapi", "starlette")},
        wrk=_output(["wrk", "-v"]).split(" Copyright")[0],
        commit=commit,
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        load_before=round(os.getloadavg()[0], 2),
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for name, (full, quick) in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    only = set(PHASES if not args.only else args.only.split(","))
    if unknown := only - set(PHASES):
        print(f"bench_scale: unknown phase(s) {sorted(unknown)}; choose from {PHASES}")
        return 2
    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", flush=True)

    try:
        check_tools()
        vocabulary = load_vocabulary(args.seed)
    except (MissingTool, FileNotFoundError) as exc:
        print(f"bench_scale: {exc}", file=sys.stderr)
        return 2
    cores = os.cpu_count() or 1
    client_cpus: str | None = args.client_cpus if cores >= 2 else None
    server_cpus: str | None = args.server_cpus if cores >= 2 else None
    notes: list[str] = []
    if client_cpus is None:
        notes.append("one CPU: wrk and the servers were not pinned apart")
    pass_workers = servers.serve_supports_workers()
    if args.workers != 1 and not pass_workers:
        print("bench_scale: this `article-qa serve` has no --workers option yet", file=sys.stderr)
        return 2
    if server_cpus and args.workers > len(server_cpus.split(",")):
        notes.append(
            f"{args.workers} workers share the server CPUs ({server_cpus}): this measures the "
            "cost of several workers on one core, not their scaling"
        )
    if args.db and "://" in args.db:
        notes.append(
            "the database server's own processes were neither pinned nor counted in the "
            "memory figures: it takes CPU from wherever it runs"
        )
    cache: Path = args.cache.resolve()
    db: str = args.db or str(cache / "stores" / f"store-{args.sections}s-seed{args.seed}.sqlite")
    if "://" not in db:
        db = str(Path(db).resolve())
    backend = db.split("://", 1)[0] if "://" in db else "sqlite"
    key = f"{backend}-{args.sections}-w{args.workers}" + ("-quick" if args.quick else "")
    run_dir = cache / "runs" / f"{key}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    run_dir.mkdir(parents=True)
    # Server access logs add up: only the last runs' logs are kept.
    for old in sorted((cache / "runs").iterdir(), key=lambda p: p.stat().st_mtime)[:-KEEP_RUNS]:
        shutil.rmtree(old, ignore_errors=True)
    # The harness itself (the prober's polls, reading results) stays off the server's CPU.
    if client_cpus:
        os.sched_setaffinity(0, _cpu_set(client_cpus))
    say(f"run {key}: logs in {run_dir}")

    children = Children()
    host = machine()
    corpus, corpus_cached = ensure_corpus(
        cache, sections=args.sections, seed=args.seed, vocabulary=vocabulary, say=say
    )
    bench = Bench(
        db=db,
        corpus=corpus,
        children=children,
        say=say,
        cache=cache,
        run_dir=run_dir,
        server=servers.ServerOptions(
            workers=args.workers,
            pass_workers=pass_workers,
            log_level=args.log_level,
            cpus=server_cpus,
            logs=run_dir,
        ),
        client_cpus=client_cpus,
        seconds=args.seconds,
        warmup=args.warmup,
        rounds=args.rounds,
        connections=args.connections,
        threads=args.threads,
        slugs=args.slugs,
        queries=args.queries,
        commit=host.commit,
    )
    result = RunResult(
        key=key,
        config=Config(
            backend=backend,
            db=masked(db),
            sections=args.sections,
            workers=args.workers,
            quick=args.quick,
            seconds=args.seconds,
            warmup=args.warmup,
            rounds=args.rounds,
            connections=args.connections,
            threads=args.threads,
            live_seconds=args.live_seconds,
            live_connections=args.live_connections,
            write_rate=args.write_rate,
            client_cpus=client_cpus or "any",
            server_cpus=server_cpus or "any",
            log_level=args.log_level,
            seed=args.seed,
            slugs=args.slugs,
            queries=args.queries,
        ),
        machine=host,
        corpus=CorpusFigures(
            key=corpus.key,
            folder=corpus.folder,
            articles=corpus.articles,
            sections=corpus.sections,
            vocabulary=corpus.vocabulary,
            tokens=corpus.tokens,
            megabytes=round(corpus.bytes / 1e6, 1),
            build_seconds=corpus.build_seconds,
            cached=corpus_cached,
        ),
        notes=notes,
    )
    failed = False

    def phase(name: str, action: Callable[[], None]) -> None:
        nonlocal failed
        begun = time.perf_counter()
        say(f"== {name}")
        try:
            action()
        except Exception as exc:
            failed = True
            traceback.print_exc()
            result.notes.append(f"phase {name} failed: {type(exc).__name__}: {exc}")
        result.phase_seconds[name] = round(time.perf_counter() - begun, 1)

    def do_store() -> None:
        result.ingest = store.ensure_store(bench, fresh=args.fresh_store)

    def do_startup() -> None:
        result.startup, result.cold_search = phases.startup(
            bench, starts=args.startups, cold_words=corpus.cold[: args.cold_words]
        )

    def do_http() -> None:
        result.http, memory = phases.http_load(bench)
        result.memory += memory

    def do_search() -> None:
        result.warm_search = phases.warm_search(
            bench, passes=args.passes, cpus=_cpu_set(server_cpus) if server_cpus else None
        )

    def do_live() -> None:
        result.live, memory = live.live(
            bench,
            seconds=args.live_seconds,
            connections=args.live_connections,
            write_rate=args.write_rate,
        )
        result.memory.append(memory)

    try:
        phase("store", do_store)
        if result.ingest is None:
            return 1  # nothing else can run without the store
        for name, action in (
            ("startup", do_startup),
            ("http", do_http),
            ("search", do_search),
            ("live", do_live),
        ):
            if name in only:
                phase(name, action)
    finally:
        children.stop_all()
    result.machine.load_after = round(os.getloadavg()[0], 2)
    if result.machine.load_before > 0.5:
        result.notes.append(
            f"the machine was busy as the run began (load average {result.machine.load_before:.1f}"
            "): other work shared its CPUs, so take the figures as rough"
        )
    results_dir: Path = args.results or (
        cache / "results" if args.quick else REPO / "bench" / "results"
    )
    md_path, json_path = save(result, results_dir)
    print()
    print("\n".join(render_run(result)))
    say(f"results: {md_path} and {json_path}")
    return 1 if failed else 0


def _cpu_set(cpus: str) -> set[int]:
    """taskset's list syntax (`0`, `0,2`, `1-3`) as a set."""
    found: set[int] = set()
    for part in cpus.split(","):
        low, _, high = part.partition("-")
        found.update(range(int(low), int(high or low) + 1))
    return found
