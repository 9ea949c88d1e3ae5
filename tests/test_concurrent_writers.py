"""Several real ingest processes against a file that keeps changing: the served version
never goes backwards, a read never mixes two versions, and the last version is what stays;
on a SQLite file and on a PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import StoreFactory
from tests.writers import run_scenario


def test_the_served_version_never_goes_backwards(
    tmp_path: Path, store_factory: StoreFactory
) -> None:
    outcome = run_scenario(tmp_path, writers=4, seconds=6.0, db=store_factory.location)

    assert outcome.ingests >= 4
    assert len(set(outcome.seen)) >= 3, "the race needs several stored versions to mean much"
    assert outcome.regressions == 0, outcome.seen
    assert outcome.mixed == 0
    assert outcome.final == outcome.last_written
