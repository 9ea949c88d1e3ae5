"""Keep a long-running server's memory flat (glibc only; elsewhere nothing happens).

Search allocates and frees large numpy arrays in many threads. By default glibc raises its
mmap threshold to the size of every large block freed, so later blocks of that size come
from heaps that are never given back, and it keeps up to eight heaps per core: the resident
size then climbs with load and stays there. A fixed threshold (large blocks always mapped
and unmapped) and two heaps keep it where the data puts it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

logger = logging.getLogger("app.memory")

_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 256 * 1024
ARENAS = 2


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def keep_memory_flat() -> bool:
    """Tune glibc's allocator for this process; False where there is no glibc."""
    libc = _libc()
    try:
        mallopt = libc.mallopt if libc is not None else None
    except AttributeError:
        return False
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(_M_ARENA_MAX, ARENAS)
    )
    if not done:
        logger.debug("mallopt refused the settings; memory is managed as by default")
    return done


def give_back_free_memory() -> bool:
    """Return the heap's free pages to the system (glibc's malloc_trim); False where there
    is none. Reading the index view makes millions of small Python objects (rows) that are
    freed again at once: glibc keeps their pages (about 180 MB at 100k sections on
    PostgreSQL) unless asked, because only the top of a heap is given back by itself."""
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    if trim is None:
        return False
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int
    trim(0)
    return True
