"""The scale benchmark (`python -m bench.bench_scale`): a generated corpus of real words, the
ingest, start-up, HTTP, search, memory and live-write figures, each beside a baseline."""
