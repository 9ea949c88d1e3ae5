"""The server tunes glibc's allocator so that its memory stays flat under load
(app/memory.py); on a machine without glibc nothing happens."""

from __future__ import annotations

import ctypes.util
import platform

import pytest

from app.memory import keep_memory_flat


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="mallopt is glibc's",
)
def test_glibc_takes_the_settings() -> None:
    assert ctypes.util.find_library("c") is not None
    assert keep_memory_flat() is True
    assert keep_memory_flat() is True  # and again: settings, not a one-off switch
