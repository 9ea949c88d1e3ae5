"""`python -m tests.ingest_loop SECONDS ARGS...`: run `article-qa ARGS...` again and again in
one real process for SECONDS, then print how many runs ended with exit code 0 and how many
did not. The interpreter starts once, so a few processes can race many ingests a second."""

from __future__ import annotations

import contextlib
import io
import sys
import time

from app.cli import main


def loop(seconds: float, args: list[str]) -> tuple[int, int]:
    succeeded = failed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(args)
        succeeded += code == 0
        failed += code != 0
    return succeeded, failed


if __name__ == "__main__":
    ok, not_ok = loop(float(sys.argv[1]), sys.argv[2:])
    print(ok, not_ok)
