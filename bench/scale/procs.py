"""Child processes the benchmark starts, and what it reads about them from /proc.

Every child starts in a session of its own, so stopping it signals its whole process group
(uvicorn's workers included) and nothing else; whatever is still running when the benchmark
exits, however it exits, is stopped by `Children.stop_all` (atexit and SIGTERM).
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

REPO = Path(__file__).resolve().parents[2]


class Children:
    """The processes this run started, stopped at exit."""

    def __init__(self) -> None:
        self.running: list[subprocess.Popen[bytes]] = []
        atexit.register(self.stop_all)
        signal.signal(signal.SIGTERM, self._terminated)

    def _terminated(self, signum: int, _frame: FrameType | None) -> None:
        # SystemExit unwinds the `finally` blocks and runs atexit: the children go too.
        raise SystemExit(128 + signum)

    def spawn(
        self,
        args: Sequence[str],
        *,
        cpus: str | None = None,
        output: IO[bytes] | int | None = subprocess.DEVNULL,
        stdout: IO[bytes] | int | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start `args` (pinned to `cpus` with taskset when given) in a session of its own;
        stderr goes to `output`, stdout to `stdout` (default: `output` too)."""
        command = ["taskset", "-c", cpus, *args] if cpus else list(args)
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else output,
            stderr=output,
            start_new_session=True,
        )
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], *, grace: float = 15) -> None:
        """SIGTERM to the process's group, then SIGKILL after `grace` seconds."""
        if process in self.running:
            self.running.remove(process)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                continue
            # The leader is gone; a worker it left behind in its group goes now.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            return

    def stop_all(self) -> None:
        for process in list(self.running):
            self.stop(process, grace=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get(port: int, path: str, *, timeout: float = 10) -> tuple[int, bytes]:
    """One GET on a new connection: (status, body); errors are statuses, not exceptions."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_ready(
    port: int, process: subprocess.Popen[bytes], *, path: str = "/readyz", timeout: float = 600
) -> float:
    """Poll `path` every 10 ms until it answers 200; the seconds waited. Fails early if the
    process exits."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before it was ready")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if get(port, path, timeout=2)[0] == 200:
                return time.perf_counter() - started
        time.sleep(0.01)
    raise TimeoutError(f"{path} did not answer 200 within {timeout:.0f} s")


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name may hold spaces and parentheses: split after the last ")".
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
    return parents


def descendants(pid: int) -> list[int]:
    parents = _parents()
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        children = sorted(child for child, ppid in parents.items() if ppid == parent)
        found.extend(children)
        frontier.extend(children)
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def server_processes(pid: int) -> dict[int, str]:
    """The processes of a server started as `pid`, by role: `worker` for those answering
    requests, `supervisor` for a parent of several workers. Multiprocessing's helpers (the
    resource tracker) are left out."""
    children = [
        child
        for child in descendants(pid)
        if "resource_tracker" not in _cmdline(child) and "semaphore_tracker" not in _cmdline(child)
    ]
    if not children:
        return {pid: "worker"}
    return {pid: "supervisor", **dict.fromkeys(children, "worker")}


@dataclass(frozen=True)
class Memory:
    pid: int
    role: str
    rss_kb: int
    private_kb: int  # Private_Clean + Private_Dirty: what this process alone holds


def memory_of(pid: int, role: str) -> Memory | None:
    fields: dict[str, int] = {}
    try:
        text = (Path("/proc") / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        name, _, value = line.partition(":")
        parts = value.split()
        if parts and parts[0].isdigit():
            fields[name.strip()] = int(parts[0])
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return Memory(pid=pid, role=role, rss_kb=fields.get("Rss", 0), private_kb=private)


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of `pids` so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def wait_idle(pid: int, *, share: float = 0.05, window: float = 1.0, timeout: float = 900) -> float:
    """Wait until the server started as `pid` uses under `share` of a core for `window`
    seconds (its start-up integrity check reads the whole store in the background); the
    seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        pids = [pid, *descendants(pid)]
        before = cpu_seconds(pids)
        time.sleep(window)
        if cpu_seconds(pids) - before < share * window:
            break
    return time.perf_counter() - started


def tool_path(name: str, package: str) -> str:
    """The path of a command-line tool, or a clear error saying which package brings it."""
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise FileNotFoundError(
        f"`{name}` is missing: install it with `apt-get install -y {package}` and run again"
    )
