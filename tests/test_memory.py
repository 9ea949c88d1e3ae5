"""The server tunes glibc's allocator so that its memory stays flat under load
(app/memory.py); on a machine without glibc nothing happens."""

from __future__ import annotations

import ctypes.util
import gc
import platform

import pytest

from app.memory import give_back_free_memory, keep_memory_flat


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="mallopt is glibc's",
)
def test_glibc_takes_the_settings() -> None:
    assert ctypes.util.find_library("c") is not None
    assert keep_memory_flat() is True
    assert keep_memory_flat() is True  # and again: settings, not a one-off switch


def _private_mb() -> float:
    total = 0.0
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1]) / 1024
    return total


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="malloc_trim is glibc's",
)
def test_freed_small_objects_go_back_to_the_system() -> None:
    """What reading the index view leaves behind (rows: many small objects, freed at once)
    is returned, not kept by the allocator for the life of the process."""
    keep_memory_flat()
    # Blobs past Python's small-object allocator (512 bytes) come from glibc's heap.
    rows = [bytes(1000) + str(n).encode() for n in range(200_000)]
    keeper = rows[::1000]  # a few survivors scattered in the heap, as in real use
    held = _private_mb()
    del rows
    gc.collect()
    assert give_back_free_memory() is True
    assert _private_mb() < held - 60
    assert len(keeper) == 200
