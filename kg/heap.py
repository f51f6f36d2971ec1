"""Fresh memory, in huge pages, for a query run in a forked child process (glibc on 64-bit Linux).

A forked child shares the memory of the process it was forked from until it writes to it, and
glibc's ``malloc`` in the child hands out the free blocks that process left in its heap. Each page
of them that the query writes to is then copied on its first write (a page fault of 2 to 3 µs):
in a long-lived process that has run queries before, a query of 0.1 s spends 10 to 15 ms of its
time on these faults, where the same query in the long-lived process itself reuses memory it holds.

:func:`prepare` gives the thread that calls it a heap that no other process shares and that
faults in 2 MiB pages (transparent huge pages, ``MADV_HUGEPAGE``): the thread's own ``malloc``
arena (a thread other than the one that forked gets an arena apart from the main heap), its
reserved 64 MiB advised for huge pages and made writable up front, the blocks it hands out
starting at a 2 MiB boundary, and blocks of up to 32 MiB taken from it rather than mapped one by
one. Where any of this is not available (another C library, 32-bit, huge pages switched off)
the query runs as before, only without the gain.

The arena's reserve is address space that the process holds already, so a bound on the address
space (``RLIMIT_AS``) set after it does not see it being used: :func:`prepare` returns its size,
which the caller takes off the bound.
"""
from __future__ import annotations

import functools
import os
import sys
from typing import Any

__all__ = ["HEAP_RESERVE", "glibc", "prepare", "trim"]

#: The address space glibc reserves for each heap of a thread's arena (``HEAP_MAX_SIZE``, 64-bit).
HEAP_RESERVE = 64 * 1024 ** 2
_HUGE_PAGE = 2 * 1024 ** 2
_CHUNK_HEADER = 16  # glibc's malloc: the size field before each block, 64-bit

# glibc's mallopt parameters and Linux's madvise advice
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_MMAP_MAX = -1, -3, -4
_DEFAULT_MMAP_MAX = 65536
_MADV_HUGEPAGE = 14


@functools.cache
def _libc() -> Any | None:
    """glibc through :mod:`ctypes` with the functions this module calls typed, or ``None`` off
    Linux or with another C library (loaded once per process)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return None
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
        libc.free.restype, libc.free.argtypes = None, [ctypes.c_void_p]
        libc.mallopt.restype, libc.mallopt.argtypes = ctypes.c_int, [ctypes.c_int, ctypes.c_int]
        libc.madvise.restype, libc.madvise.argtypes = ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        libc.sbrk.restype, libc.sbrk.argtypes = ctypes.c_void_p, [ctypes.c_ssize_t]
        libc.malloc_trim.restype, libc.malloc_trim.argtypes = ctypes.c_int, [ctypes.c_size_t]
    except (ValueError, OSError, ImportError, AttributeError):
        return None
    return libc


def glibc() -> Any | None:
    """glibc through :mod:`ctypes`, or ``None`` where :func:`prepare` cannot work.

    ``None`` off Linux, with another C library, in a 32-bit process, when glibc's huge-page
    tunable changes its heap size, or when transparent huge pages are switched off.
    """
    if "hugetlb" in os.environ.get("GLIBC_TUNABLES", "") or sys.maxsize <= 2 ** 32:
        return None
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled", encoding="ascii") as f:
            if "[never]" in f.read():
                return None
    except OSError:
        return None
    return _libc()


def _in_main_heap(libc: Any, address: int) -> bool:
    """Whether ``address`` is in the process's main heap (from where it starts to its break)."""
    try:
        with open("/proc/self/stat", "rb") as f:
            start = int(f.read().rsplit(b")", 1)[1].split()[44])  # field 47 of proc(5): start_brk
    except (OSError, IndexError, ValueError):
        return True
    return start <= address < (libc.sbrk(0) or 0)


def prepare(libc: Any) -> int:
    """Give the calling thread's ``malloc`` arena a fresh heap in huge pages; the bytes it reserves.

    Call it in the thread that will use the memory, in a forked child, before bounding the
    address space; the return value (0 when nothing was changed) is address space that the
    thread can now use without mapping more, to be taken off the bound.
    """
    probe = libc.malloc(64)
    if not probe:
        return 0
    try:
        if _in_main_heap(libc, probe):  # this thread shares the main arena: nothing of its own to prepare
            return 0
        base = probe & ~(HEAP_RESERVE - 1)  # a thread arena's heap is aligned to its size
        libc.mallopt(_M_TRIM_THRESHOLD, 2 * HEAP_RESERVE)  # freed memory stays in the heap
        if libc.madvise(base, HEAP_RESERVE, _MADV_HUGEPAGE) != 0:
            return 0
        # make the rest of the reserve writable in one step (one block taken and given back):
        # a huge page needs its 2 MiB inside one writable mapping, which glibc otherwise grows
        # a page at a time as the blocks are handed out
        room = (base + HEAP_RESERVE - probe - 2 * _HUGE_PAGE) // _HUGE_PAGE * _HUGE_PAGE
        libc.mallopt(_M_MMAP_MAX, 0)  # taken from the heap, however large
        block = libc.malloc(room) if room > 0 else None
        libc.mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)
        libc.mallopt(_M_MMAP_THRESHOLD, HEAP_RESERVE // 2)  # blocks up to 32 MiB from the heap too
        if not block:
            return HEAP_RESERVE
        libc.free(block)
        if base <= block < base + HEAP_RESERVE:
            # the free space now starts where the block did; keep what lies before the next 2 MiB
            # boundary taken (never written), so that the query's blocks start on a huge page
            start = block - _CHUNK_HEADER
            spacer = -start % _HUGE_PAGE - _CHUNK_HEADER
            taken = libc.malloc(spacer) if spacer > 0 else None
            if taken and taken != block:  # it came from elsewhere in the heap: no use
                libc.free(taken)
        return HEAP_RESERVE
    finally:
        libc.free(probe)


def trim() -> bool:
    """Give the free memory of this process's heaps back to the system (glibc's ``malloc_trim``).

    Called before forking a query's child: a fork copies the page tables of every page this
    process has mapped, free or not, so a process that once held a large result (its memory now
    free but still mapped) forks in twice the time or more. ``False`` where glibc is not the C
    library (nothing is done).
    """
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
