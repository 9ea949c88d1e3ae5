"""The raw figures of a run, as written to the JSON results file (and read back from it, to
render every run it holds as Markdown)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from pydantic import BaseModel, Field

from bench.scale.wrk import WrkRun


class Config(BaseModel):
    backend: str  # sqlite or postgresql
    db: str  # a URL's password is masked
    sections: int
    workers: int
    quick: bool
    seconds: float
    warmup: float
    rounds: int
    connections: int
    threads: int
    live_seconds: float
    live_connections: int
    write_rate: float
    client_cpus: str
    server_cpus: str
    log_level: str
    seed: int
    slugs: int
    queries: int


class Machine(BaseModel):
    cpu: str
    cores: int
    memory_gb: float
    python: str
    sqlite: str
    versions: dict[str, str]
    wrk: str
    commit: str
    date: str
    load_before: float  # 1-minute load average as the run began: others' work skews figures
    load_after: float = 0.0


class Latencies(BaseModel):
    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, milliseconds: Sequence[float]) -> Latencies:
        if not milliseconds:
            return cls(count=0, p50_ms=0, p99_ms=0, max_ms=0)
        ordered = sorted(milliseconds)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return cls(
            count=len(ordered),
            p50_ms=round(statistics.median(ordered), 3),
            p99_ms=round(p99, 3),
            max_ms=round(ordered[-1], 3),
        )


class CorpusFigures(BaseModel):
    key: str
    folder: str
    articles: int
    sections: int
    vocabulary: int
    tokens: int
    megabytes: float
    build_seconds: float
    cached: bool


class IngestFigures(BaseModel):
    """`article-qa ingest` of the corpus into an empty store, and the SQLite + FTS5 baseline
    storing the same rows, timed in the same run (wall clock of each process)."""

    articles: int
    sections: int
    skipped: int
    seconds: float
    per_second: float
    baseline_seconds: float
    baseline_per_second: float
    ratio: float  # article-qa's articles/s over the baseline's
    store_megabytes: float
    baseline_megabytes: float
    commit: str
    measured_at: str
    cached: bool = False  # figures of the run that built the cached store


class Startup(BaseModel):
    seconds: list[float]
    median: float


class ColdSearch(BaseModel):
    """GET /search?q=<one common word>, each word's first query since the server started
    (after its start-up work settled)."""

    first_ms: float  # the very first search of the process
    words: Latencies
    milliseconds: dict[str, float] = Field(default_factory=dict)  # each word's, in order


class HttpTarget(BaseModel):
    name: str
    route: str
    paths: int  # distinct URLs wrk cycles over
    body_bytes: int  # mean body size of ours; the bare route answers this many bytes
    ours: list[WrkRun]
    bare: list[WrkRun]

    @property
    def per_second(self) -> float:
        return statistics.median(r.per_second for r in self.ours)

    @property
    def bare_per_second(self) -> float:
        return statistics.median(r.per_second for r in self.bare)

    def ratio(self, field: str) -> float:
        """Median over the rounds of ours / bare for one figure (rounds are paired in time)."""
        pairs = [
            getattr(o, field) / getattr(b, field)
            for o, b in zip(self.ours, self.bare, strict=True)
            if getattr(b, field)
        ]
        return statistics.median(pairs) if pairs else 0.0

    def median(self, side: str, field: str) -> float:
        runs: list[WrkRun] = self.ours if side == "ours" else self.bare
        return float(statistics.median(float(getattr(r, field)) for r in runs))

    @property
    def failures(self) -> int:
        return sum(r.errors + r.non_2xx for r in self.ours + self.bare)


class ProcessMemory(BaseModel):
    pid: int
    role: str  # worker or supervisor
    rss_mb: float
    private_mb: float


class MemorySnapshot(BaseModel):
    label: str
    processes: list[ProcessMemory]


class WarmSearch(BaseModel):
    """In-process store.search(SearchRequest(query, limit=10)), after one warm-up pass."""

    classes: dict[str, Latencies]


class LiveFigures(BaseModel):
    """Search under a steady wrk load while another process keeps ingesting new articles."""

    seconds: float
    connections: int
    idle: WrkRun  # the same load just before the writer started
    during: WrkRun
    writes: int  # commits that landed while wrk ran
    writes_per_second: float
    failed_writes: int
    write_ms: Latencies  # one article's ingest_paths call in the writer
    visible_article: Latencies  # commit -> GET /articles/{slug} answers 200
    visible_search: Latencies  # commit -> GET /search?q=<its marker> finds it
    unseen: int  # probes that timed out


class RunResult(BaseModel):
    key: str
    config: Config
    machine: Machine
    corpus: CorpusFigures
    ingest: IngestFigures | None = None
    startup: Startup | None = None
    cold_search: ColdSearch | None = None
    http: list[HttpTarget] = Field(default_factory=list)
    warm_search: WarmSearch | None = None
    memory: list[MemorySnapshot] = Field(default_factory=list)
    live: LiveFigures | None = None
    phase_seconds: dict[str, float] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


class Results(BaseModel):
    """Every run kept in the results file, by key (backend, sections, workers)."""

    runs: dict[str, RunResult] = Field(default_factory=dict)
