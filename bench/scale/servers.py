"""article-qa and the bare baseline as real uvicorn processes on loopback, pinned to the
server CPUs, each with its output in a log file of the run."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.scale.models import MemorySnapshot, ProcessMemory
from bench.scale.procs import Children, free_port, memory_of, server_processes, wait_ready


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    ready_seconds: float  # from spawning the process to its readiness route answering 200
    log: Path

    def memory(self, label: str) -> MemorySnapshot:
        processes: list[ProcessMemory] = []
        for pid, role in server_processes(self.process.pid).items():
            found = memory_of(pid, role)
            if found is not None:
                processes.append(
                    ProcessMemory(
                        pid=pid,
                        role=role,
                        rss_mb=round(found.rss_kb / 1024, 1),
                        private_mb=round(found.private_kb / 1024, 1),
                    )
                )
        return MemorySnapshot(label=label, processes=processes)


@dataclass(frozen=True)
class ServerOptions:
    workers: int
    pass_workers: bool  # `serve --workers` exists (it is being added): pass it
    log_level: str
    cpus: str | None
    logs: Path


def serve_supports_workers() -> bool:
    help_text = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout
    return "--workers" in help_text


@contextlib.contextmanager
def _running(
    children: Children, name: str, args: list[str], port: int, options: ServerOptions
) -> Iterator[Server]:
    log = options.logs / f"{name}.log"
    with log.open("wb") as output:
        started = time.perf_counter()
        process = children.spawn(args, cpus=options.cpus, output=output)
        try:
            try:
                wait_ready(port, process)
            except (RuntimeError, TimeoutError):
                tail = log.read_text(errors="replace").splitlines()[-30:]
                sys.stderr.write("\n".join(tail) + "\n")
                raise
            yield Server(name, port, process, time.perf_counter() - started, log)
        finally:
            children.stop(process)


def article_qa(
    children: Children, name: str, *, db: str, data_dir: Path, options: ServerOptions
) -> contextlib.AbstractContextManager[Server]:
    """`article-qa serve --no-sync --no-watch` of an existing store. The data dir is the
    corpus's (whose articles/ the store was made from), never the repository's."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "app",
        "serve",
        "--no-sync",
        "--no-watch",
        "--db",
        db,
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--log-level",
        options.log_level,
    ]
    if options.pass_workers:
        args += ["--workers", str(options.workers)]
    return _running(children, name, args, port, options)


def bare(
    children: Children, name: str, *, options: ServerOptions
) -> contextlib.AbstractContextManager[Server]:
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "bench.scale.bare",
        "--port",
        str(port),
        "--workers",
        str(options.workers),
        "--log-level",
        options.log_level,
    ]
    return _running(children, name, args, port, options)
