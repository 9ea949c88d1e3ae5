"""The default access-log handler (observability.AccessLines): lines written on the event
loop's next turn, at once off a loop, nothing lost at close or when a real server stops."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.api.observability import AccessLines
from tests.conftest import REPO, free_port, http_get, seeded_data_dir, wait_until_ready


def test_lines_logged_on_a_loop_are_written_on_its_next_turn() -> None:
    stream = io.StringIO()
    handler = AccessLines(stream)

    async def answer_two() -> str:
        handler.add("one")
        handler.add("two")
        await asyncio.sleep(0)
        return stream.getvalue()

    assert asyncio.run(answer_two()) == "one\ntwo\n"


def test_lines_logged_off_a_loop_are_written_at_once() -> None:
    stream = io.StringIO()
    handler = AccessLines(stream)

    handler.add("one")

    assert stream.getvalue() == "one\n"


def test_closing_writes_what_is_held() -> None:
    stream = io.StringIO()
    handler = AccessLines(stream)

    async def answer_then_close() -> None:
        handler.add("last")
        handler.close()

    asyncio.run(answer_then_close())

    assert stream.getvalue() == "last\n"


def test_a_real_server_writes_every_line_while_serving_and_loses_none_at_shutdown(
    tmp_path: Path,
) -> None:
    data_dir = seeded_data_dir(tmp_path)
    port = free_port()
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "app", "serve", "--port", str(port)]
    flags = ["--data-dir", str(data_dir), "--no-sync", "--no-watch", "--log-level", "info"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, *flags],
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_ready(f"{base}/readyz", server)
            ids = [f"stream-{n}" for n in range(20)]
            for request_id in ids:
                http_get(f"{base}/sections/no-such-section", {"X-Request-ID": request_id})
            # Written while the server runs, with no more requests to push them out
            deadline = time.monotonic() + 30
            while not all(request_id in log.read_text() for request_id in ids):
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
            http_get(f"{base}/sections/no-such-section", {"X-Request-ID": "the-last"})
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    logged = [line["request_id"] for line in lines if line["route"] == "/sections/{section_slug}"]
    assert logged == [*ids, "the-last"]
