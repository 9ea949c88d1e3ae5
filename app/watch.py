"""Keep the store in step with the articles folder: one background thread syncs it once, then
applies every add, change, rename and delete under it (watchfiles), until stopped. Of the
processes serving one store, only the leader does so (`LeaderWatcher`, app/leadership.py).

A folder that does not exist is not created: the thread polls until it appears, then watches
it and syncs it in full; the same happens when the watched folder is removed or replaced.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import watchfiles

from app.ingest import FileStatus, IngestSummary, apply_changes, sync_folder
from app.leadership import Leadership
from app.parsing.formats import format_from_name
from app.store.base import Store

logger = logging.getLogger("app.watch")

# watchfiles yields a batch once no new change arrived for one step (so a lone save is seen
# after 50-100 ms); DEBOUNCE_MS only caps how long a steady stream of changes (a bulk copy)
# is gathered before a batch is applied, which bounds the latency under load.
STEP_MS = 50
DEBOUNCE_MS = 200
# How often an idle watch wakes up: to notice a removed or replaced folder, and to start the
# first sync once the watch is in place.
TICK_MS = 250
# How often a missing folder is looked for; how long to wait after an error (doubling).
POLL_SECONDS = 0.5
RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 30.0
# How often a process that does not lead tries to take over (a dead leader's successor
# starts within this).
LEADERSHIP_RETRY_SECONDS = 2.0
# A long sync logs its progress this often.
PROGRESS_SECONDS = 5.0
# Levels of report lines: what did not change is not worth an INFO line.
QUIET = frozenset({FileStatus.UNCHANGED, FileStatus.IGNORED})

# One watching thread per process: a second watcher of the same process only syncs.
_watching = threading.Lock()


class _Stopped(Exception):
    """Raised from the progress callback to end a sync early at shutdown."""


class FolderWatcher:
    """Sync `folder` into `store` once (`sync_first`), then apply its changes (`watch`), in
    one daemon thread; `first_sync_done` is set once the first sync is over."""

    def __init__(
        self,
        store: Store,
        folder: Path,
        *,
        sync_first: bool = True,
        watch: bool = True,
        debounce_ms: int = DEBOUNCE_MS,
        step_ms: int = STEP_MS,
    ) -> None:
        self.store = store
        self.folder = folder.absolute()
        self.sync_first = sync_first
        self.watch = watch
        self.debounce_ms = debounce_ms
        self.step_ms = step_ms
        self.first_sync_done = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._holds_slot = False

    @property
    def watching(self) -> bool:
        """True while this watcher's thread is the process's watching thread."""
        return self._holds_slot and self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a FolderWatcher starts once")
        if self.watch:
            # watchfiles logs "N changes detected" at INFO; our own lines say what was applied.
            quieted = logging.getLogger("watchfiles.main")
            if quieted.level == logging.NOTSET:
                quieted.setLevel(logging.WARNING)
            self._holds_slot = _watching.acquire(blocking=False)
            if not self._holds_slot:
                logger.warning("another thread watches already; %s is synced only", self.folder)
        if not self.sync_first and not self._holds_slot:
            self.first_sync_done.set()
            return
        self._thread = threading.Thread(target=self._run, name="article-qa-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the thread (a sync in progress ends after its current file) and wait for it."""
        self._stop.set()
        if self._thread is None:
            return
        self._thread.join(timeout)
        if self._thread.is_alive():
            logger.warning("the watcher of %s did not stop within %.0f s", self.folder, timeout)

    def _run(self) -> None:
        from app.parsing.language import preload_language_model  # only for a watcher

        preload_language_model()
        try:
            if self._holds_slot:
                self._watch_loop()
            else:
                self._sync()
        except _Stopped:
            pass
        except Exception:
            logger.exception("sync of %s failed", self.folder)
        finally:
            self.first_sync_done.set()
            if self._holds_slot:
                _watching.release()

    def _watch_loop(self) -> None:
        if not self.sync_first:
            self.first_sync_done.set()
        resync = self.sync_first
        delay = RETRY_SECONDS
        while not self._stop.is_set():
            try:
                identity = _identity(self.folder)
                if identity is None:
                    if resync:
                        # Reports "not a folder" and removes nothing: a mistyped --data-dir
                        # must not empty the store.
                        self._sync()
                    self._wait_for_folder()
                else:
                    self._watch(identity, resync=resync)
                    delay = RETRY_SECONDS
            except _Stopped:
                raise
            except Exception:
                logger.exception("watching %s failed; again in %.0f s", self.folder, delay)
                if not self.first_sync_done.is_set():
                    self._sync_unwatched()  # readiness must not wait for a watch that fails
                self._stop.wait(delay)
                delay = min(delay * 2, MAX_RETRY_SECONDS)
            # Whatever ended the watch, changes may have been missed meanwhile.
            resync = True

    def _watch(self, identity: tuple[int, int], *, resync: bool) -> None:
        """Apply changes until stopped or until the folder is removed or replaced."""
        batches = watchfiles.watch(
            self.folder,
            stop_event=self._stop,
            debounce=self.debounce_ms,
            step=self.step_ms,
            rust_timeout=TICK_MS,
            yield_on_timeout=True,
            recursive=True,
            raise_interrupt=False,
            ignore_permission_denied=True,
        )
        for changes in batches:
            if resync:
                # The first batch (a change, or an empty one at TICK_MS) means the watch is in
                # place: what changes during the sync waits in watchfiles' buffer and comes in
                # the next batch, so nothing is missed however long the sync takes.
                self._sync()
                resync = False
            paths = self._relevant(changes)
            if paths:
                summary = apply_changes(store=self.store, folder=self.folder, paths=paths)
                _log(summary, counts=False)
            if _identity(self.folder) != identity:
                logger.warning("%s was removed or replaced; watching it again", self.folder)
                return

    def _relevant(self, changes: set[tuple[watchfiles.Change, str]]) -> set[Path]:
        """The changed paths a folder walk would consider: no hidden names, no files of other
        formats, no folder merely modified (its own changes come as their own events)."""
        paths: set[Path] = set()
        for change, name in changes:
            path = Path(name)
            try:
                parts = path.relative_to(self.folder).parts
            except ValueError:
                continue
            if not parts or any(part.startswith(".") for part in parts):
                continue
            if path.is_dir():
                if change is watchfiles.Change.added:  # created, or moved in with its files
                    paths.add(path)
            elif not path.exists() or format_from_name(path.name) is not None:
                paths.add(path)  # a missing path: its article (or folder's articles) goes
        return paths

    def _sync(self) -> None:
        try:
            summary = sync_folder(
                store=self.store, folder=self.folder, progress=_ProgressLog(self._stop)
            )
            _log(summary, counts=True)
        finally:
            self.first_sync_done.set()

    def _sync_unwatched(self) -> None:
        try:
            self._sync()
        except _Stopped:
            raise
        except Exception:
            logger.exception("sync of %s failed", self.folder)

    def _wait_for_folder(self) -> None:
        logger.warning("%s does not exist; waiting for it to appear", self.folder)
        while not self._stop.wait(POLL_SECONDS):
            if _identity(self.folder) is not None:
                logger.info("%s appeared; syncing it", self.folder)
                return


class _ProgressLog:
    """The sync's progress callback: a line every PROGRESS_SECONDS, and a way out at stop."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._last = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if self._stop.is_set():
            raise _Stopped
        now = time.monotonic()
        if now - self._last >= PROGRESS_SECONDS:
            self._last = now
            logger.info("sync: %d/%d files", done, total)


def _identity(folder: Path) -> tuple[int, int] | None:
    """(device, inode) of the folder, None when there is no folder there."""
    try:
        status = os.stat(folder)
    except OSError:
        return None
    return (status.st_dev, status.st_ino) if stat.S_ISDIR(status.st_mode) else None


def _log(summary: IngestSummary, *, counts: bool) -> None:
    for report in summary.reports:
        level = logging.WARNING if report.status is FileStatus.SKIPPED else logging.INFO
        if report.status in QUIET or (level == logging.WARNING and _vanished(report.path)):
            # A file renamed or deleted before it could be read is no problem: the event
            # of its removal is applied next.
            level = logging.DEBUG
        for line in IngestSummary((report,)).lines()[:-1]:  # [:-1]: not its own counts
            logger.log(level, "%s", line)
    if counts and summary.reports:
        logger.info("%s", summary.lines()[-1])


def _vanished(path: str) -> bool:
    """True for a file path (they are absolute here, unlike `http:<slug>`) with nothing there."""
    return os.path.isabs(path) and not os.path.lexists(path)


class LeaderWatcher:
    """The FolderWatcher of the one process, among those serving a store, that holds its
    `leadership`: it syncs the folder (`sync_first`) and watches it (`watch`). The others
    serve the store as it is (ready at once) and, when they would watch, try to take over
    every `retry_seconds`; one that does syncs first (the folder may have changed while
    nobody watched), then watches.

    A leader that does not watch gives leadership up once its sync is over, so that a
    process that does watch can lead. A lock that cannot be taken at all (its file cannot
    be made) is logged, and this process leads without it: better two watchers than none.
    """

    def __init__(
        self,
        store: Store,
        folder: Path,
        leadership: Leadership,
        *,
        sync_first: bool = True,
        watch: bool = True,
        retry_seconds: float = LEADERSHIP_RETRY_SECONDS,
    ) -> None:
        self.store = store
        self.folder = folder.absolute()
        self.leadership = leadership
        self.sync_first = sync_first
        self.watch = watch
        self.retry_seconds = retry_seconds
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # serialises the leadership's calls
        self._watcher: FolderWatcher | None = None
        self._leading = False
        self._threads: list[threading.Thread] = []

    @property
    def first_sync_done(self) -> threading.Event:
        """Readiness: the leader's first sync is over; set at once in the other processes."""
        return self._ready

    @property
    def leading(self) -> bool:
        """True while this process syncs or watches the folder as the leader."""
        return self._leading

    def start(self) -> None:
        if not (self.sync_first or self.watch):
            self._ready.set()  # nothing to lead
            return
        pid = os.getpid()
        try:
            elected = self._try_acquire()
        except OSError as exc:
            logger.warning(
                "process %d cannot take the lock %s (%s): it syncs and watches %s without it",
                pid,
                self.leadership.name,
                exc.strerror or exc,
                self.folder,
            )
            elected = True
        if elected:
            logger.info("process %d leads (%s): it syncs and watches %s", *self._about(pid))
            self._ready = self._lead(sync_first=self.sync_first).first_sync_done
            return
        self._ready.set()
        if not self.watch:
            logger.info("process %d follows: another process holds %s", pid, self.leadership.name)
            return
        logger.info(
            "process %d follows: another process holds %s; trying to take over every %g s",
            pid,
            self.leadership.name,
            self.retry_seconds,
        )
        self._spawn(self._campaign, "article-qa-leadership")

    def stop(self) -> None:
        """Stop trying to lead, stop the watcher, then give leadership up."""
        self._stop.set()
        while self._threads:  # a thread may start another one: join until none is left
            self._threads.pop(0).join()
        with self._lock:
            watcher = self._watcher
        if watcher is not None:
            watcher.stop()
        self._release()

    def _campaign(self) -> None:
        while not self._stop.wait(self.retry_seconds):
            try:
                elected = self._try_acquire()
            except OSError:
                logger.exception("process %d could not try to lead", os.getpid())
                continue
            if elected:
                logger.info(
                    "process %d takes over (%s): it syncs and watches %s",
                    *self._about(os.getpid()),
                )
                self._lead(sync_first=True)
                return

    def _lead(self, *, sync_first: bool) -> FolderWatcher:
        watcher = FolderWatcher(self.store, self.folder, sync_first=sync_first, watch=self.watch)
        with self._lock:
            self._watcher = watcher
            self._leading = True
        watcher.start()
        if not self.watch:
            self._spawn(lambda: self._release_after(watcher), "article-qa-leadership")
        return watcher

    def _release_after(self, watcher: FolderWatcher) -> None:
        while not self._stop.is_set():
            if watcher.first_sync_done.wait(POLL_SECONDS):
                logger.info("process %d synced and does not watch: it stops leading", os.getpid())
                self._release()
                return

    def _try_acquire(self) -> bool:
        with self._lock:
            return self.leadership.try_acquire()

    def _release(self) -> None:
        with self._lock:
            self.leadership.release()
            self._leading = False

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _about(self, pid: int) -> tuple[int, str, Path]:
        return pid, self.leadership.name, self.folder
