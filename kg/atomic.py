"""Write output files atomically: readers see the old file or the new one, never half of one.

:func:`atomic_write` writes one file through a temporary file in the same
folder (flushed and fsynced) and :func:`os.replace`; :func:`replace_outputs`
does the same for several files, preparing every temporary file before it
renames any, so that a failure while preparing leaves all old files intact.

Examples
--------
>>> import tempfile
>>> d = Path(tempfile.mkdtemp())
>>> atomic_write(d / "a.txt", "hello")
>>> replace_outputs({d / "a.txt": "new", d / "sub" / "b.bin": b"\\x00"})
>>> (d / "a.txt").read_text(), (d / "sub" / "b.bin").read_bytes()
('new', b'\\x00')
>>> sorted(p.name for p in d.rglob("*"))
['a.txt', 'b.bin', 'sub']
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Mapping

from .errors import OutputError

__all__ = ["atomic_write", "replace_outputs"]

TEMP_SUFFIX = ".kgtmp"


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot create the output folder ({_reason(exc)}); check the path and its permissions"
        ) from None
    if not folder.is_dir():
        raise OutputError(f"{folder}: not a folder; choose another output path")


def _write_temp(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file next to ``path`` and return its path."""
    _ensure_folder(path.parent)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise OutputError(
            f"{path.parent}: cannot write in the output folder ({_reason(exc)}); check its permissions"
        ) from None
    tmp = Path(name)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:
        _remove(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write ({_reason(exc)}); check free space and permissions") from None
        raise
    return tmp


def _remove(tmp: Path) -> None:
    try:
        tmp.unlink()
    except OSError:
        pass


def _rename(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot replace the file ({_reason(exc)}); is it a folder or read-only?") from None


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not supported (e.g. Windows): the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Replace ``path`` with ``data`` atomically (``str`` is written as UTF-8).

    The parent folder is created if needed. On any error, including
    :class:`KeyboardInterrupt`, the temporary file is removed and the old
    file (if any) is left as it was.

    Raises
    ------
    kg.errors.OutputError
        When the folder cannot be created or the file cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "out" / "x.ttl"
    >>> atomic_write(p, "data")
    >>> p.read_text()
    'data'
    """
    replace_outputs({Path(path): data})


def replace_outputs(files: Mapping[str | os.PathLike[str], bytes | str]) -> None:
    """Atomically replace several files: prepare every temporary file, then rename them all.

    A failure while preparing (a full disk, a missing permission, Ctrl-C)
    removes the temporary files and leaves every old file untouched. The
    renames follow one another; each of them is atomic. Serialize all data
    before calling, so that a serializer error cannot leave a mixed set.

    Raises
    ------
    kg.errors.OutputError
        When a folder cannot be created or a file cannot be written.
    """
    prepared: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            target = Path(path)
            prepared.append((_write_temp(target, _as_bytes(data)), target))
        for tmp, target in prepared:
            _rename(tmp, target)
    except BaseException:
        for tmp, _ in prepared:
            if tmp.exists():
                _remove(tmp)
        raise
    for folder in sorted({target.parent for _, target in prepared}):
        _fsync_dir(folder)
