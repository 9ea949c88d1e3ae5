"""What every phase of a run needs: its settings, the corpus and where things go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.scale import servers
from bench.scale.corpus import CorpusManifest
from bench.scale.procs import Children
from bench.scale.wrk import WrkRun, run_wrk

Say = Callable[[str], None]


@dataclass(frozen=True)
class Bench:
    """What every phase needs: the settings of the run and where things are."""

    db: str  # the store, unmasked
    corpus: CorpusManifest
    children: Children
    say: Say
    cache: Path
    run_dir: Path  # logs and wrk scripts of this run
    server: servers.ServerOptions
    client_cpus: str | None
    seconds: float
    warmup: float
    rounds: int
    connections: int
    threads: int
    slugs: int
    queries: int
    commit: str

    @property
    def is_sqlite(self) -> bool:
        return "://" not in self.db

    def classes(self) -> dict[str, list[str]]:
        """The search queries of each class, as many as asked for."""
        return {
            "common words": self.corpus.common[: self.queries],
            "rare words": self.corpus.rare[: self.queries],
            "typo of a mid-frequency word": self.corpus.typo[: self.queries],
        }

    def wrk(self, port: int, script: Path, seconds: float, connections: int) -> WrkRun:
        return run_wrk(
            self.children,
            port=port,
            script=script,
            seconds=seconds,
            connections=connections,
            threads=self.threads,
            cpus=self.client_cpus,
        )
