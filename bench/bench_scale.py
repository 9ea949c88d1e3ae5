"""Scale benchmark: `python -m bench.bench_scale [--sections 100000] [--workers 1] [--db DB]`.

For one store backend (`--db`: a SQLite file, the default, or a postgresql:// URL), one
corpus size and one worker count, it measures, each figure beside a baseline of the same run:

- ingest: `article-qa ingest` of the generated corpus into an empty store (parsing included),
  articles/s, against plain SQLite + FTS5 storing the same rows (bench/scale/fts_baseline.py);
- start-up: spawning `article-qa serve --no-sync --no-watch` to `/readyz` answering 200;
- cold search: each common word's first query after the start (once start-up work settled);
- HTTP: wrk (pinned to one CPU, the servers to the other) on a section, an article and three
  classes of search (common words, rare words, a typo), against a bare FastAPI route
  returning as many bytes under the same uvicorn options (bench/scale/bare.py), alternately;
- warm search in process: store.search over the same queries;
- memory: private (Private_Clean + Private_Dirty) and RSS of each server process after
  start, after the load and after the live writes;
- live: search under wrk while another process ingests new articles (bench/scale/writer.py),
  the writes that landed, and how soon the server shows each write.

The corpus (real words of /usr/share/dict/words, Debian's `wamerican`, Zipf-distributed) and
the store are built once and cached in <temp>/article-qa-bench/scale; the store's ingest
figures are those of the run that built it (`--fresh-store` builds and times it again).
Results: bench/results/scale.md (one section per backend, size and workers) and scale.json
(`--quick`, 10k sections and 3 s runs for a smoke test, writes them under the cache instead).
Needs `wrk` and `taskset`: `apt-get install -y wrk wamerican`. Not a test.
"""

from __future__ import annotations

import sys

from bench.scale.run import main

if __name__ == "__main__":
    sys.exit(main())
