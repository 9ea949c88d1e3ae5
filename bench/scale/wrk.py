"""wrk runs: a Lua script cycles over a list of request paths, and its `done` hook prints the
totals and latency percentiles as one JSON line, so nothing is scraped from wrk's text."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from bench.scale.procs import Children, tool_path

MARK = "WRK_JSON "

_SCRIPT = """
local paths = {%(paths)s}
local next_id = 0

setup = function(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

init = function(args)
  -- Each thread starts at its own place in the list, so they do not ask in lockstep.
  counter = (id or 0) * 7919
  wrk.headers["Accept"] = "application/json"
end

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests":%%d,"duration_us":%%d,"bytes":%%d,"connect":%%d,"read":%%d,' ..
    '"write":%%d,"status":%%d,"timeout":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,' ..
    '"p999_us":%%d,"max_us":%%d,"mean_us":%%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end
"""


class WrkRun(BaseModel):
    """One wrk run's totals; latencies in milliseconds."""

    requests: int
    seconds: float
    bytes: int
    errors: int  # connect, read, write and timeout errors
    non_2xx: int  # answers with a status of 400 or more (wrk counts 4xx and 5xx)
    per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    mean_ms: float


def lua_string(text: str) -> str:
    if not text.isascii():
        raise ValueError(f"not an ASCII path (quote it first): {text!r}")
    return json.dumps(text)  # a JSON string of ASCII is a valid Lua string literal


def write_script(folder: Path, name: str, paths: Sequence[str]) -> Path:
    if not paths:
        raise ValueError(f"no paths for {name}")
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / f"{name}.lua"
    body = ",\n".join(lua_string(p) for p in paths)
    script.write_text(_SCRIPT % {"paths": body, "mark": MARK})
    return script


def run_wrk(
    children: Children,
    *,
    port: int,
    script: Path,
    seconds: float,
    connections: int,
    threads: int,
    cpus: str | None,
) -> WrkRun:
    wrk = tool_path("wrk", "wrk")
    args = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
    ]
    with tempfile.TemporaryFile() as output:
        process = children.spawn(args, cpus=cpus, output=output)
        try:
            process.wait(timeout=seconds + 60)
        finally:
            children.stop(process, grace=5)
        output.seek(0)
        text = output.read().decode(errors="replace")
    line = next((ln for ln in text.splitlines() if ln.startswith(MARK)), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (exit {process.returncode}):\n{text}")
    raw = json.loads(line.removeprefix(MARK))
    elapsed = raw["duration_us"] / 1e6
    return WrkRun(
        requests=raw["requests"],
        seconds=round(elapsed, 3),
        bytes=raw["bytes"],
        errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        non_2xx=raw["status"],
        per_second=round(raw["requests"] / elapsed, 1),
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        p999_ms=raw["p999_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        mean_ms=round(raw["mean_us"] / 1000, 3),
    )


def check_tools() -> None:
    """Fail at once, saying what to install, rather than after the corpus is built."""
    tool_path("wrk", "wrk")
    tool_path("taskset", "util-linux")
