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


def keep_memory_flat() -> bool:
    """Tune glibc's allocator for this process; False where there is no glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(_M_ARENA_MAX, ARENAS)
    )
    if not done:
        logger.debug("mallopt refused the settings; memory is managed as by default")
    return done
