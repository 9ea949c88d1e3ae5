"""Soak benchmark: `python -m bench.bench_soak [--minutes 5] [--clients 8] [--rate R]`.

A bounded load-and-soak run against one real `python -m app serve` process on loopback. The
server gets a temp data dir seeded with the repository's `data/articles` plus ~200 generated
Markdown articles (written before it starts, so its own first sync ingests them), a write
token (`ARTICLE_QA_WRITE_TOKEN`) and `--log-level info`, its output kept in a temp file.

Several client threads, each on its own keep-alive `http.client` connection, send a mix:

- ~50% hits: `GET /articles/{slug}`, `/sections/{slug}`, `/articles/{a}/sections/{s}` and
  the `/articles` list (expected 200);
- ~15% misses: near-miss slugs of real articles and sections (expected 404 + suggestions);
- ~25% searches: 2-3 words taken from one section of the articles, some with a typo; one in
  five asks for small pages and follows the `Link: rel="next"` cursor for up to two more;
- ~10% writes: `PUT /articles/{slug}` of a small Markdown body with the bearer token,
  alternately creating a new slug and replacing one of the client's own HTTP articles, and
  now and then a `DELETE` of one of them (each client keeps at most `--http-cap` live, so the
  live set stops growing once warm; deletions still leave 410 records and change entries).

One more thread rewrites a generated file in `articles/` every few seconds (atomically, the
lead only, so no URL changes) and polls the article until the server shows the edit.

Measured, every minute and for the whole run: requests by kind, status counts, 5xx (target
zero), transport errors, statuses other than the expected one, p50/p99/max latency per kind
(client side, send to last body byte), the watcher's edit-to-served time, and the server's
resident memory (VmRSS of its pid in /proc, sampled every second) after the warm-up
(`--warmup`, 30 s of the same load) and at the end, each the median of the last 10 s of
samples (a single sample can catch a search view being rebuilt beside the old one), with the
growth in percent (target under 10%), and the store's size on disk. Exit code 1 on any 5xx,
transport error, server exit, or growth of 10% or more. On failure, the server log lines of
the failing request ids and every traceback are printed and the whole log is kept.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from tests.conftest import REPO, free_port, wait_until_ready

TOKEN = "soak-write-token"
KINDS = ("hit", "miss", "search", "search-next", "put", "delete", "watch")
EXPECTED: dict[str, frozenset[int]] = {
    "hit": frozenset({200}),
    "miss": frozenset({404}),
    "search": frozenset({200}),
    "search-next": frozenset({200}),
    "put": frozenset({200, 201}),
    "delete": frozenset({204}),
    "watch": frozenset({200}),
}
LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
WORD = re.compile(r"[a-z]{4,}")
GROWTH_LIMIT = 10.0  # percent
RSS_SPAN = 10.0  # seconds of RSS samples whose median is the start or end figure


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Vocabulary of the generated articles: plain words, so searches find several of them.
TOPICS = _words(
    "trade energy border pipeline water grain harvest railway shipping tariff currency "
    "inflation budget election parliament drought monsoon fisheries mining copper lithium "
    "solar turbine battery refinery customs migration tourism vaccine hospital school "
    "university housing rental mortgage wages pension subsidy satellite telescope glacier "
    "volcano earthquake flood wildfire forest coral river harbour airport highway bridge"
)
VERBS = _words("affect change protect threaten shape limit boost delay reshape fund")
FILLER = _words(
    "officials said the plan would take several years and cost more than expected while "
    "local groups asked for clearer rules and regular reports on progress across the region "
    "analysts noted that prices rose sharply during the winter before falling again in spring"
)


# --- the corpus ---------------------------------------------------------------------------


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(TOPICS if rng.random() < 0.35 else FILLER) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def generated_article(number: int, rng: random.Random, marker: str = "") -> str:
    """A Markdown article: a title, a lead, and 3-6 question sections (headings unique to
    the article number, so section slugs rarely collide across articles)."""
    topic, other = rng.sample(TOPICS, 2)
    lines = [f"# Soak explainer {number}: why does {topic} matter for {other}?", ""]
    lead = " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(2))
    lines += [f"{lead} {marker}".rstrip(), ""]
    for part in range(rng.randint(3, 6)):
        a, b = rng.sample(TOPICS, 2)
        lines += [f"## How does {a} {rng.choice(VERBS)} {b} in case {number}-{part}?", ""]
        for _ in range(rng.randint(1, 3)):
            lines += [" ".join(sentence(rng, rng.randint(10, 24)) for _ in range(3)), ""]
    return "\n".join(lines)


def write_atomically(path: Path, text: str, scratch: Path) -> None:
    """Write outside the watched folder, then rename into place: the watcher never sees a
    half-written file (which would briefly drop sections and serve 410s)."""
    temp = scratch / f".{path.name}.tmp"
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


@dataclass
class Corpus:
    """What the server actually serves from the articles folder, read back after ready."""

    articles: list[str]
    # (article slug, section slug) for every section; unique_sections: served by exactly one
    # article, so /sections/{slug} answers 200 rather than 409.
    sections: list[tuple[str, str]]
    unique_sections: list[str]
    texts: list[list[str]]  # the words (4+ letters) of each section body
    by_source: dict[str, str]  # file name -> article slug

    def near_miss(self, rng: random.Random, slug: str) -> str:
        cut = rng.randrange(len(slug))
        typo = "q" if slug[cut] != "q" else "z"
        return f"{slug[:cut]}{typo}{slug[cut + 1 :]}"


def typo(rng: random.Random, word: str) -> str:
    cut = rng.randrange(1, len(word) - 1)
    how = rng.randrange(3)
    if how == 0:  # drop a letter
        return word[:cut] + word[cut + 1 :]
    if how == 1:  # swap two letters
        return word[: cut - 1] + word[cut] + word[cut - 1] + word[cut + 1 :]
    return word[:cut] + rng.choice("aeiou") + word[cut + 1 :]  # replace a letter


def fetch_json(port: int, path: str) -> object:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {body[:200]!r}")
        return json.loads(body)
    finally:
        connection.close()


def discover(port: int) -> Corpus:
    slugs: list[str] = []
    by_source: dict[str, str] = {}
    offset = 0
    while True:
        page = fetch_json(port, f"/articles?limit=100&offset={offset}")
        assert isinstance(page, dict)
        items = page["items"]
        for item in items:
            slugs.append(item["slug"])
        offset += len(items)
        if not items or offset >= page["total"]:
            break
    sections: list[tuple[str, str]] = []
    texts: list[list[str]] = []
    for slug in slugs:
        article = fetch_json(port, f"/articles/{slug}")
        assert isinstance(article, dict)
        by_source[Path(str(article["source"])).name] = slug
        for section in article["sections"]:
            sections.append((slug, section["slug"]))
            words = WORD.findall(str(section["body"]).lower())
            if len(words) >= 3:
                texts.append(words)
    counts = Counter(section for _, section in sections)
    unique = sorted(section for section, count in counts.items() if count == 1)
    return Corpus(slugs, sections, unique, texts, by_source)


# --- measurements -------------------------------------------------------------------------


@dataclass
class Failure:
    kind: str
    method: str
    path: str
    status: int | None  # None: no answer (transport error)
    request_id: str
    detail: str


@dataclass
class Window:
    started: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    errors: Counter[str] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, status: int | None, ms: float) -> None:
        if status is None:
            self.errors[kind] += 1
            return
        self.latencies[kind].append(ms)
        self.statuses[kind][status] += 1
        if status not in EXPECTED[kind]:
            self.unexpected[kind] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for c in self.statuses.values() for status, n in c.items() if status >= 500)


class Recorder:
    def __init__(self, started: float) -> None:
        self.lock = threading.Lock()
        self.total = Window(started)
        self.window = Window(started)
        self.failures: list[Failure] = []  # 5xx and transport errors (the first 100)
        self.odd: list[Failure] = []  # other unexpected statuses (the first 20)
        self.misses_without_suggestions = 0
        self.edit_seconds: list[float] = []
        self.edits_not_seen = 0

    def add(
        self, kind: str, method: str, path: str, answer: Answer | None, ms: float, rid: str
    ) -> None:
        status = None if answer is None else answer.status
        with self.lock:
            self.total.add(kind, status, ms)
            self.window.add(kind, status, ms)
            if answer is None or answer.status >= 500:
                if len(self.failures) < 100:
                    detail = "no answer" if answer is None else answer.body[:300].decode("replace")
                    self.failures.append(Failure(kind, method, path, status, rid, detail))
            elif answer.status not in EXPECTED[kind] and len(self.odd) < 20:
                detail = answer.body[:200].decode("replace")
                self.odd.append(Failure(kind, method, path, answer.status, rid, detail))
            if kind == "miss" and status == 404 and answer and b"suggestions" not in answer.body:
                self.misses_without_suggestions += 1

    def roll(self, now: float) -> Window:
        with self.lock:
            done, self.window = self.window, Window(now)
            return done


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def median_rss(samples: list[tuple[float, int]], since: float, until: float) -> int:
    """The median RSS sampled in [since, until] seconds: one sample can be a search view
    being rebuilt next to the old one, tens of MB above the level."""
    chosen = sorted(kb for at, kb in samples if since <= at <= until + 1.0)
    return chosen[len(chosen) // 2] if chosen else 0


def db_bytes(data_dir: Path) -> dict[str, int]:
    """The store's size on disk: the SQLite file and its WAL and shared-memory files."""
    return {path.name: path.stat().st_size for path in sorted(data_dir.glob("article-qa.db*"))}


def sizes(files: dict[str, int]) -> str:
    listed = ", ".join(f"{name} {size / 1e6:.1f}" for name, size in files.items())
    return f"{sum(files.values()) / 1e6:.1f} MB ({listed})"


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def rss_kb(pid: int, field_name: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field_name} for pid {pid}")


def print_window(title: str, window: Window, seconds: float, rss: int | None) -> None:
    count = sum(sum(c.values()) for c in window.statuses.values())
    errors = sum(window.errors.values())
    memory = f", server RSS {rss / 1024:.1f} MB" if rss is not None else ""
    print(
        f"\n{title}: {count} requests ({count / seconds:.0f}/s), 5xx {window.server_errors}, "
        f"transport errors {errors}, unexpected status {sum(window.unexpected.values())}{memory}"
    )
    header = f"  {'kind':<12}{'n':>7}{'share':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses"
    print(header)
    for kind in KINDS:
        ordered = sorted(window.latencies[kind])
        if not ordered and not window.errors[kind]:
            continue
        statuses = " ".join(f"{s}:{n}" for s, n in sorted(window.statuses[kind].items()))
        if window.errors[kind]:
            statuses += f" err:{window.errors[kind]}"
        print(
            f"  {kind:<12}{len(ordered):>7}{100 * len(ordered) / max(count, 1):>6.1f}%"
            f"{percentile(ordered, 0.5):>9.1f}"
            f"{percentile(ordered, 0.99):>9.1f}{percentile(ordered, 1.0):>9.1f}  {statuses}"
        )
    sys.stdout.flush()


# --- the clients --------------------------------------------------------------------------


class Connection:
    """One keep-alive connection; reconnects (once, silently) when the server closed it idle."""

    def __init__(self, port: int, name: str) -> None:
        self.port = port
        self.name = name
        self.sent = 0
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.used = 0

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[Answer | None, str]:
        self.sent += 1
        rid = f"{self.name}-{self.sent}"
        sent_headers = {"Accept": "application/json", "X-Request-ID": rid, **(headers or {})}
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=sent_headers)
                response = self.connection.getresponse()
                data = response.read()
                self.used += 1
                if response.getheader("connection", "").lower() == "close":
                    self.reset()
                headers_lower = {k.lower(): v for k, v in response.getheaders()}
                return Answer(response.status, headers_lower, data), rid
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                reused = self.used > 0
                self.reset()
                if not (reused and attempt == 0):
                    return None, rid
            except (OSError, http.client.HTTPException):
                self.reset()
                return None, rid
        return None, rid

    def reset(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.used = 0

    def close(self) -> None:
        self.connection.close()


class Client:
    def __init__(
        self,
        index: int,
        port: int,
        corpus: Corpus,
        recorder: Recorder,
        stop: threading.Event,
        interval: float,
        http_cap: int,
        writes: bool = True,
    ) -> None:
        self.index = index
        self.writes = writes
        self.rng = random.Random(1000 + index)
        self.connection = Connection(port, f"c{index}")
        self.corpus = corpus
        self.recorder = recorder
        self.stop = stop
        self.interval = interval
        self.http_cap = http_cap
        self.live: list[str] = []  # this client's HTTP articles
        self.created = 0
        self.versions = 0
        self.create_next = True

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer | None:
        started = time.perf_counter()
        answer, rid = self.connection.request(method, path, body, headers)
        ms = (time.perf_counter() - started) * 1000
        self.recorder.add(kind, method, path, answer, ms, rid)
        return answer

    def run(self) -> None:
        next_at = time.perf_counter()
        try:
            while not self.stop.is_set():
                if self.interval:
                    next_at += self.interval
                    pause = next_at - time.perf_counter()
                    if pause > 0:
                        self.stop.wait(pause)
                    elif pause < -1.0:  # far behind: do not burst to catch up
                        next_at = time.perf_counter()
                draw = self.rng.random() * (1.0 if self.writes else 0.885)
                # Shares of operations; a search that pages sends 2-3 requests, so of the
                # requests about 50% are hits, 15% misses, 25% searches and 10% writes.
                if draw < 0.53:
                    self.hit()
                elif draw < 0.69:
                    self.miss()
                elif draw < 0.885:
                    self.search()
                else:
                    self.write()
        finally:
            self.connection.close()

    def hit(self) -> None:
        rng, corpus = self.rng, self.corpus
        draw = rng.random()
        if draw < 0.3:
            path = f"/articles/{rng.choice(corpus.articles)}"
        elif draw < 0.6:
            path = f"/sections/{rng.choice(corpus.unique_sections)}"
        elif draw < 0.9:
            article, section = rng.choice(corpus.sections)
            path = f"/articles/{article}/sections/{section}"
        else:
            path = f"/articles?limit=20&offset={rng.randrange(len(corpus.articles))}"
        self.call("hit", "GET", path)

    def miss(self) -> None:
        rng, corpus = self.rng, self.corpus
        draw = rng.random()
        if draw < 0.4:
            path = f"/articles/{corpus.near_miss(rng, rng.choice(corpus.articles))}"
        elif draw < 0.8:
            path = f"/sections/{corpus.near_miss(rng, rng.choice(corpus.unique_sections))}"
        else:
            article, section = rng.choice(corpus.sections)
            path = f"/articles/{article}/sections/{corpus.near_miss(rng, section)}"
        self.call("miss", "GET", path)

    def search(self) -> None:
        rng = self.rng
        text = rng.choice(self.corpus.texts)
        words = rng.sample(text, min(len(text), rng.choice((2, 2, 3))))
        if rng.random() < 0.3:
            long_words = [i for i, word in enumerate(words) if len(word) >= 5]
            if long_words:
                at = rng.choice(long_words)
                words[at] = typo(rng, words[at])
        paging = rng.random() < 0.2
        limit = 3 if paging else 10
        answer = self.call("search", "GET", f"/search?q={quote(' '.join(words))}&limit={limit}")
        for _ in range(2 if paging else 0):
            link = LINK_NEXT.search(answer.headers.get("link", "")) if answer else None
            if answer is None or answer.status != 200 or link is None or self.stop.is_set():
                break
            answer = self.call("search-next", "GET", link.group(1))

    def note(self, slug: str) -> bytes:
        self.versions += 1
        rng = self.rng
        name = slug.removeprefix("soak-http-")
        text = (
            f"# Soak note {name}\n\n{sentence(rng, 10)}\n\n"
            f"## What does soak note {name} say?\n\n"
            f"{sentence(rng, rng.randint(12, 30))} Version {self.versions}.\n"
        )
        return text.encode()

    def write(self) -> None:
        headers = {
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "text/markdown; charset=utf-8",
        }
        rng = self.rng
        if self.live and rng.random() < 1 / 8:
            slug = self.live.pop(rng.randrange(len(self.live)))
            self.call("delete", "DELETE", f"/articles/{slug}", headers=headers)
            return
        create = (self.create_next and len(self.live) < self.http_cap) or not self.live
        self.create_next = not self.create_next
        if create:
            self.created += 1
            slug = f"soak-http-c{self.index}-{self.created}"
        else:
            slug = rng.choice(self.live)
        answer = self.call("put", "PUT", f"/articles/{slug}", self.note(slug), headers)
        if create and answer is not None and answer.status == 201:
            self.live.append(slug)


def edit_files(
    port: int,
    articles: Path,
    scratch: Path,
    corpus: Corpus,
    recorder: Recorder,
    stop: threading.Event,
    every: float,
) -> None:
    """Rewrite a generated file's lead every `every` seconds; poll until the server shows it."""
    rng = random.Random(7)
    connection = Connection(port, "edit")
    names = sorted(name for name in corpus.by_source if name.startswith("soak-"))
    edits = 0
    while not stop.wait(every):
        edits += 1
        name = rng.choice(names)
        number = int(name.removeprefix("soak-").removesuffix(".md"))
        marker = f"Soakmarker{edits}x."
        # Same seed as when generated: same title and headings, only the marker is new.
        write_atomically(
            articles / name, generated_article(number, random.Random(number), marker), scratch
        )
        written = time.perf_counter()
        path = f"/articles/{corpus.by_source[name]}"
        while True:
            started = time.perf_counter()
            answer, rid = connection.request("GET", path)
            recorder.add("watch", "GET", path, answer, (time.perf_counter() - started) * 1000, rid)
            if answer is not None and answer.status == 200 and marker.encode() in answer.body:
                with recorder.lock:
                    recorder.edit_seconds.append(time.perf_counter() - written)
                break
            if time.perf_counter() - written > 30 or stop.is_set():
                with recorder.lock:
                    recorder.edits_not_seen += 1
                break
            time.sleep(0.02)
    connection.close()


# --- the server ---------------------------------------------------------------------------


def prepare(data_dir: Path, generated: int) -> None:
    articles = data_dir / "articles"
    articles.mkdir(parents=True)
    for source in sorted((REPO / "data" / "articles").iterdir()):
        if source.is_file():
            shutil.copy(source, articles / source.name)
    for number in range(generated):
        text = generated_article(number, random.Random(number))
        (articles / f"soak-{number:03d}.md").write_text(text, encoding="utf-8")


def start_server(data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_QA_")}
    env.update(PYTHONUNBUFFERED="1", ARTICLE_QA_WRITE_TOKEN=TOKEN)
    args = ["-m", "app", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, *args, "--log-level", "info"],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_excerpts(log: Path, failures: list[Failure], context: int = 3) -> Iterator[str]:
    """Server log lines naming a failing request id, and every traceback, with context."""
    lines = log.read_text(errors="replace").splitlines()
    ids = {failure.request_id for failure in failures}
    wanted: set[int] = set()
    for number, line in enumerate(lines):
        named = any(f'"{rid}"' in line or f"[{rid}]" in line for rid in ids)
        if named or "Traceback" in line or line.startswith(("ERROR", "CRITICAL")):
            end = number + 1
            if "Traceback" in line:  # through the indented frames to the exception line
                while end < len(lines) and lines[end][:1] in (" ", ""):
                    end += 1
                end += 1
            wanted.update(range(max(0, number - context), min(len(lines), end + context)))
    previous = -2
    for number in sorted(wanted):
        if number != previous + 1:
            yield "  ..."
        yield f"  {number + 1}: {lines[number][:300]}"
        previous = number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=5.0, help="load duration (default 5)")
    parser.add_argument("--clients", type=int, default=8, help="client threads (default 8)")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="total requests/s to aim at (default 0: no cap)"
    )
    parser.add_argument("--articles", type=int, default=200, help="generated files (200)")
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds before RSS start")
    parser.add_argument("--edit-every", type=float, default=3.0, help="seconds between edits")
    parser.add_argument("--http-cap", type=int, default=25, help="live HTTP articles per client")
    parser.add_argument("--keep-log", type=Path, help="copy the server log here at the end")
    parser.add_argument(
        "--no-writes", action="store_true", help="no PUT/DELETE (to tell where memory goes)"
    )
    args = parser.parse_args(argv)
    duration = args.minutes * 60
    interval = args.clients / args.rate if args.rate > 0 else 0.0

    with tempfile.TemporaryDirectory(prefix="bench-soak-") as temp:
        root = Path(temp)
        data_dir = root / "data"
        prepare(data_dir, args.articles)
        log = root / "server.log"
        port = free_port()
        booted = time.perf_counter()
        process = start_server(data_dir, port, log)
        failed_reasons: list[str] = []
        recorder: Recorder | None = None
        try:
            wait_until_ready(f"http://127.0.0.1:{port}/readyz", process, timeout=300)
            corpus = discover(port)
            idle_rss = rss_kb(process.pid)
            print(
                f"server pid {process.pid} ready after {time.perf_counter() - booted:.1f} s: "
                f"{len(corpus.articles)} articles, {len(corpus.sections)} sections "
                f"({len(corpus.unique_sections)} with a unique slug), RSS {idle_rss / 1024:.1f} MB"
            )
            rate = f"{args.rate:.0f} req/s in total" if args.rate > 0 else "no rate cap"
            print(
                f"load: {args.clients} clients, {rate}, {args.minutes:g} min "
                f"(RSS start after {args.warmup:g} s), file edit every {args.edit_every:g} s"
            )
            sys.stdout.flush()

            stop = threading.Event()
            started = time.perf_counter()
            recorder = Recorder(started)
            clients = [
                Client(i, port, corpus, recorder, stop, interval, args.http_cap, not args.no_writes)
                for i in range(args.clients)
            ]
            threads = [threading.Thread(target=client.run, daemon=True) for client in clients]
            threads.append(
                threading.Thread(
                    target=edit_files,
                    args=(
                        port,
                        data_dir / "articles",
                        root,
                        corpus,
                        recorder,
                        stop,
                        args.edit_every,
                    ),
                    daemon=True,
                )
            )
            for thread in threads:
                thread.start()

            warmup = min(args.warmup, duration)
            # Anonymous memory (the heap: where a leak shows) and file pages (the store's
            # memory map, which fills as more of the file is read), at start and at the end.
            split: dict[str, tuple[int, int]] = {}
            samples: list[tuple[float, int]] = []  # (seconds into the load, VmRSS kB)
            start_db = db_bytes(data_dir)
            minute = 1
            events = sorted({min(args.warmup, duration), *range(60, int(duration) + 1, 60)})
            if duration not in events:
                events.append(duration)
            for at in events:
                while (left := started + at - time.perf_counter()) > 0:
                    if process.poll() is not None:
                        break
                    time.sleep(min(left, 1.0))
                    with contextlib.suppress(OSError):
                        samples.append((time.perf_counter() - started, rss_kb(process.pid)))
                if process.poll() is not None:
                    failed_reasons.append(f"server exited with {process.returncode}")
                    break
                now = time.perf_counter()
                rss = rss_kb(process.pid)
                if at in (warmup, duration):
                    which = "start" if at == warmup else "end"
                    split[which] = (rss_kb(process.pid, "RssAnon"), rss_kb(process.pid, "RssFile"))
                if at == warmup:
                    print(f"\n[{at:.0f} s] warm-up done: server RSS {rss / 1024:.1f} MB")
                if at % 60 == 0 or at >= duration:
                    window = recorder.roll(now)
                    title = f"[minute {minute}, {window.started - started:.0f}-{at:.0f} s]"
                    print_window(title, window, now - window.started, rss)
                    minute += 1
            end_db = db_bytes(data_dir)
            stop.set()
            for thread in threads:
                thread.join(timeout=90)
            hwm = rss_kb(process.pid, "VmHWM") if process.poll() is None else 0
            ended = time.perf_counter()
        finally:
            stop_server(process)

        assert recorder is not None
        total = recorder.total
        print_window("[whole run]", total, ended - started, None)
        edits = sorted(recorder.edit_seconds)
        print(
            f"\nfile edits served: {len(edits)} (not seen in 30 s: {recorder.edits_not_seen}); "
            f"write-to-served p50 {percentile(edits, 0.5) * 1000:.0f} ms, "
            f"max {percentile(edits, 1.0) * 1000:.0f} ms"
        )
        print(f"misses (404) without suggestions: {recorder.misses_without_suggestions}")
        live = sum(len(client.live) for client in clients)
        print(f"HTTP articles live at the end: {live}")
        server_errors = total.server_errors
        transport = sum(total.errors.values())
        growth = 0.0
        start_rss = median_rss(samples, warmup - RSS_SPAN, warmup)
        end_rss = median_rss(samples, duration - RSS_SPAN, duration)
        if start_rss and end_rss:
            growth = 100 * (end_rss - start_rss) / start_rss
            print(
                f"server RSS (median of {RSS_SPAN:g} s of 1 s samples): idle "
                f"{idle_rss / 1024:.1f} MB, start {start_rss / 1024:.1f} MB "
                f"(at {warmup:g} s), end {end_rss / 1024:.1f} MB, growth {growth:+.1f}% "
                f"(target < {GROWTH_LIMIT:g}%), peak {hwm / 1024:.1f} MB"
            )
        if len(split) == 2:
            (anon0, file0), (anon1, file1) = split["start"], split["end"]
            print(
                f"  of which anonymous {anon0 / 1024:.1f} -> {anon1 / 1024:.1f} MB, "
                f"file-backed {file0 / 1024:.1f} -> {file1 / 1024:.1f} MB (single samples)"
            )
        print(f"store files at start: {sizes(start_db)}; at the end: {sizes(end_db)}")
        print(f"5xx: {server_errors} (target 0); transport errors: {transport}")
        if server_errors:
            failed_reasons.append(f"{server_errors} 5xx")
        if transport:
            failed_reasons.append(f"{transport} transport errors")
        if growth >= GROWTH_LIMIT:
            failed_reasons.append(f"RSS growth {growth:.1f}%")
        for failure in recorder.failures[:20]:
            print(
                f"  FAILED {failure.kind} {failure.method} {failure.path} -> {failure.status} "
                f"[{failure.request_id}] {failure.detail}"
            )
        for odd in recorder.odd[:10]:
            print(f"  unexpected {odd.kind} {odd.method} {odd.path} -> {odd.status} {odd.detail}")
        excerpts = list(log_excerpts(log, recorder.failures))
        if excerpts:
            print(f"server log ({len(excerpts)} lines around failures, ERRORs and tracebacks):")
            print("\n".join(excerpts[:200]))
        keep = args.keep_log
        if keep is None and (failed_reasons or excerpts):
            keep = Path(tempfile.gettempdir()) / f"bench-soak-{int(time.time())}.log"
        if keep is not None:
            shutil.copy(log, keep)
            print(f"server log kept at {keep}")
    if failed_reasons:
        print("FAILED: " + "; ".join(failed_reasons))
        return 1
    print("OK: no 5xx, no transport errors, RSS growth under 10%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
