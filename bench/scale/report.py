"""Markdown of every run in the results file, and the file writes themselves (atomic)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import ValidationError

from bench.scale.models import Latencies, MemorySnapshot, Results, RunResult

HEADER = """# Scale benchmark

Written by `python -m bench.bench_scale` (`bench/bench_scale.py`, `bench/scale/`); the raw
figures are in [`scale.json`](scale.json). Do not edit by hand: each run replaces its own
section (one per store backend, size and worker count).

Every HTTP figure stands beside a **bare FastAPI route** returning the same number of bytes,
served by uvicorn with the options `article-qa serve` uses, loaded by wrk in the same run with
the same settings, alternately with article-qa. A ratio is article-qa / baseline: below 1 for
requests/s and above 1 for latencies means slower than the baseline. The corpus is generated:
articles of about 5 question-headed sections of about 100 words, drawn with a Zipf
distribution over the real words of `/usr/share/dict/words`.
"""


def _n(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _ms(value: float) -> str:
    if value >= 100:
        return _n(value)
    if value >= 10:
        return _n(value, 1)
    return _n(value, 2)


def _ratio(value: float) -> str:
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _lat(latencies: Latencies) -> str:
    return f"{_ms(latencies.p50_ms)} / {_ms(latencies.p99_ms)} / {_ms(latencies.max_ms)}"


def title(run: RunResult) -> str:
    backend = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
        run.config.backend, run.config.backend
    )
    workers = "1 worker" if run.config.workers == 1 else f"{run.config.workers} workers"
    quick = " (quick)" if run.config.quick else ""
    return f"{backend}, {run.config.sections:,} sections, {workers}{quick}"


def render_run(run: RunResult) -> list[str]:
    c, m, corpus = run.config, run.machine, run.corpus
    lines = [
        f"## {title(run)}",
        "",
        f"{m.date}, commit `{m.commit}`; {m.cpu}, {m.cores} cores, {m.memory_gb:.0f} GB; "
        f"Python {m.python}, SQLite {m.sqlite}, uvicorn {m.versions.get('uvicorn', '?')}, "
        f"{m.wrk}; load average {m.load_before:.1f} before, {m.load_after:.1f} after. "
        f"Store: `{c.db}`.",
        "",
        f"Corpus: {corpus.articles:,} articles, {corpus.sections:,} sections, "
        f"{corpus.tokens:,} words ({corpus.megabytes:.0f} MB of Markdown), vocabulary of "
        f"{corpus.vocabulary:,} words. wrk: {c.connections} connections, "
        f"{_count(c.threads, 'thread')}, {c.seconds:g} s runs after {c.warmup:g} s of warm-up, "
        f"{_count(c.rounds, 'round')}; wrk on "
        f"CPU {c.client_cpus}, the servers on CPU {c.server_cpus}; server log level "
        f"{c.log_level}.",
        "",
        "| Measure | article-qa | Baseline | Ratio |",
        "|---|---:|---:|---:|",
    ]
    if run.ingest is not None:
        i = run.ingest
        lines.append(
            "| Ingest into an empty store, parsing included (articles/s) "
            f"| {_n(i.per_second, 1)} | {_n(i.baseline_per_second)} (SQLite + FTS5) "
            f"| {_ratio(i.ratio)} |"
        )
        store_mb = _n(i.store_megabytes) if i.store_megabytes else "n/a"
        lines.append(
            f"| Ingest wall time (s) / store size (MB) | {_n(i.seconds, 1)} / {store_mb} "
            f"| {_n(i.baseline_seconds, 1)} / {_n(i.baseline_megabytes)} | |"
        )
    if run.startup is not None:
        runs = ", ".join(f"{s:.2f}" for s in run.startup.seconds)
        lines.append(
            f"| Start-up to `/readyz` 200, existing store (s; median of {runs}) "
            f"| {run.startup.median:.2f} | | |"
        )
    if run.cold_search is not None:
        cold = run.cold_search
        lines.append(
            f"| Cold search, first query of each of {cold.words.count} common words: "
            f"p50 / p99 / max (ms) | {_lat(cold.words)} | | |"
        )
        lines.append(f"| The process's very first search (ms) | {_ms(cold.first_ms)} | | |")
    lines.append("")
    if run.http:
        lines += [
            "| HTTP route | bytes | req/s | p50 ms | p99 ms | bare req/s | bare p50 | bare p99 "
            "| req/s ratio | p50 ratio | p99 ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for t in run.http:
            failed = f" ({t.failures:,} errors)" if t.failures else ""
            lines.append(
                f"| {t.route}{failed} | {t.body_bytes:,} | {_n(t.per_second)} "
                f"| {_ms(t.median('ours', 'p50_ms'))} | {_ms(t.median('ours', 'p99_ms'))} "
                f"| {_n(t.bare_per_second)} | {_ms(t.median('bare', 'p50_ms'))} "
                f"| {_ms(t.median('bare', 'p99_ms'))} | {_ratio(t.ratio('per_second'))} "
                f"| {_ratio(t.ratio('p50_ms'))} | {_ratio(t.ratio('p99_ms'))} |"
            )
        lines.append("")
    if run.warm_search is not None:
        lines += [
            "| In-process search, warm (`store.search`, limit 10) | queries | p50 ms | p99 ms "
            "| max ms |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, lat in run.warm_search.classes.items():
            lines.append(
                f"| {name} | {lat.count:,} | {_ms(lat.p50_ms)} | {_ms(lat.p99_ms)} "
                f"| {_ms(lat.max_ms)} |"
            )
        lines.append("")
    if run.memory:
        lines += _memory(run.memory)
    if run.live is not None:
        live = run.live
        lines += [
            f"Search during a continuous ingest: wrk, {live.connections} connections, "
            f"{live.seconds:g} s, cycling over the three query classes; another process "
            "ingests new generated articles one by one through the library meanwhile.",
            "",
            "| Search load | req/s | p50 ms | p99 ms | max ms | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for label, w in (("alone", live.idle), ("during the ingest", live.during)):
            lines.append(
                f"| {label} | {_n(w.per_second)} | {_ms(w.p50_ms)} | {_ms(w.p99_ms)} "
                f"| {_ms(w.max_ms)} | {w.errors + w.non_2xx:,} |"
            )
        lines += [
            "",
            f"Writes landed while wrk ran: {live.writes:,} ({live.writes_per_second:.1f}/s, "
            f"{live.failed_writes} failed); one write p50 / p99 / max: {_lat(live.write_ms)} ms. "
            f"Visible in the server after the commit, p50 / p99 / max: "
            f"`/articles/{{slug}}` {_lat(live.visible_article)} ms, `/search` "
            f"{_lat(live.visible_search)} ms ({live.visible_search.count} probes"
            f"{f', {live.unseen} never seen' if live.unseen else ''}).",
            "",
        ]
    if run.phase_seconds:
        phases = ", ".join(
            f"{name} {seconds:,.0f} s" for name, seconds in run.phase_seconds.items()
        )
        lines += [f"Phase times: {phases}.", ""]
    notes = list(run.notes)
    if run.ingest is not None and run.ingest.cached:
        notes.insert(
            0,
            f"The store was cached: its ingest figures are those of the run that built it "
            f"({run.ingest.measured_at}, commit `{run.ingest.commit}`).",
        )
    lines += [f"- {note}" for note in notes]
    if notes:
        lines.append("")
    return lines


def _memory(snapshots: list[MemorySnapshot]) -> list[str]:
    labels = [s.label for s in snapshots]
    lines = [
        "| Memory per process, private / RSS (MB) | " + " | ".join(labels) + " |",
        "|---|" + "---:|" * len(labels),
    ]
    # Rows by position within the role: pids differ between the HTTP and live servers.
    rows: dict[str, list[str]] = {}
    for column, snapshot in enumerate(snapshots):
        seen: dict[str, int] = {}
        for process in snapshot.processes:
            seen[process.role] = seen.get(process.role, 0) + 1
            name = f"{process.role} {seen[process.role]}"
            cells = rows.setdefault(name, [""] * len(snapshots))
            cells[column] = f"{process.private_mb:.0f} / {process.rss_mb:.0f}"
    for name, cells in sorted(rows.items()):
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Private memory is Private_Clean + Private_Dirty of /proc/PID/smaps_rollup: what the "
        "process alone holds. RSS also counts pages shared with other processes (libraries, "
        "and a memory-mapped SQLite file once per mapping), so it overstates what is used.",
        "",
    ]
    return lines


def render(results: Results) -> str:
    def order(run: RunResult) -> tuple[bool, str, int, int]:
        return (run.config.quick, run.config.backend, run.config.sections, run.config.workers)

    lines = [HEADER]
    for run in sorted(results.runs.values(), key=order):
        lines += render_run(run)
    return "\n".join(lines).rstrip() + "\n"


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def save(run: RunResult, folder: Path, stem: str = "scale") -> tuple[Path, Path]:
    """Add `run` to the results in `folder` (replacing the run of the same key) and rewrite
    both files; their paths."""
    json_path = folder / f"{stem}.json"
    results = Results()
    if json_path.is_file():
        for key, raw in json.loads(json_path.read_text()).get("runs", {}).items():
            try:
                results.runs[key] = RunResult.model_validate(raw)
            except ValidationError as exc:
                # Written by an older harness: dropped rather than rendered half-right.
                print(
                    f"results: dropping the run {key!r}, of an older format "
                    f"({exc.error_count()} errors)"
                )
    results.runs[run.key] = run
    write_atomically(json_path, results.model_dump_json(indent=1) + "\n")
    md_path = folder / f"{stem}.md"
    write_atomically(md_path, render(results))
    return md_path, json_path
