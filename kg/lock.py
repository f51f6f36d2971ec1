"""One build at a time per output folder.

:func:`build_lock` takes an exclusive lock on an output folder for the whole of a build: a lock
file beside the folder (``.OUT.kglock``, so that a failed first build leaves no empty folder)
created atomically and holding the builder's process id. A second build fails at once with a
message naming that process, or waits with ``wait=True``; the lock of a process that no longer
runs is taken over; the thread that holds the lock may take it again (a build, then its save).
Under the lock, what dead builds left is removed: temporary files in the folder
(``.graph.ttl.*.kgtmp``) and unfinished output sets beside it (``.OUT.kgnew-*``, see
:mod:`kg.outset`); no other build can be writing them.

Examples
--------
>>> import tempfile
>>> out = Path(tempfile.mkdtemp()) / "out"
>>> with build_lock(out):
...     lock_path(out).is_file()
True
>>> lock_path(out).exists()
False
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .atomic import TEMP_SUFFIX
from .errors import OutputError
from .outset import recover

_HELD: dict[Path, int] = {}  # lock file -> the thread of this process that holds it


def lock_path(out: str | os.PathLike[str]) -> Path:
    """The lock file of an output folder: ``.NAME.kglock`` beside it."""
    out = Path(out).resolve()
    return out.parent / f".{out.name}.kglock"


def _holder(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii").strip() or "0") or None
    except (OSError, ValueError):
        return None


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


def _try_take(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(f"{os.getpid()}\n")
    return True


@contextlib.contextmanager
def build_lock(out: str | os.PathLike[str], *, wait: bool = False, poll: float = 0.2) -> Iterator[Path]:
    """Hold the exclusive build lock of ``out`` (see the module docstring).

    Raises
    ------
    kg.errors.OutputError
        When another running process holds the lock and ``wait`` is false, or the lock file
        cannot be made (the parent folder is missing or read-only).
    """
    path = lock_path(out)
    if _HELD.get(path) == threading.get_ident() and _holder(path) == os.getpid():
        yield path  # this thread holds it already (kg build, then its save)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot make the output folder's parent ({exc.strerror})") from None
    while True:
        try:
            if _try_take(path):
                break
        except OSError as exc:
            raise OutputError(f"{path}: cannot take the build lock ({exc.strerror}); "
                              "check that the output folder's parent is writable") from None
        pid = _holder(path)
        if not _alive(pid):  # left by a build that died: take it over
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        if not wait:
            raise OutputError(f"{out}: another kg build (process {pid}) is writing this folder; wait for it "
                              "to end, pass --wait, or choose another folder with -o")
        time.sleep(poll)
    try:
        remove_stale_temporaries(out)
        recover(out)  # folders of killed builds beside OUT
        _HELD[path] = threading.get_ident()
        yield path
    finally:
        _HELD.pop(path, None)
        if _holder(path) == os.getpid():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def remove_stale_temporaries(out: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files that killed builds left in ``out``; call it under the lock."""
    out = Path(out)
    removed = []
    if out.is_dir():
        for p in out.glob(f".*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed
