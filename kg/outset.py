"""Output sets: the files of one build, switched as one.

A build writes several files into its output folder OUT (``graph.ttl``, other RDF formats,
``graph.html``, ``report.md``) plus a manifest, ``kg-manifest.json``, that lists them with
their SHA-256 and a build id. :func:`write_output_set` makes the whole new set in a fresh
sibling folder (``.OUT.kgnew-*``), carries over what else OUT holds (hard links, so nothing is
copied), and then exchanges the two folders with one atomic ``renameat2(RENAME_EXCHANGE)``:
a reader that opens ``OUT/...`` sees the old set or the new one, never a mix, and a failure or a
signal at any point before the exchange leaves OUT exactly as it was.

Where the exchange is impossible (not Linux, a file system without it, OUT a mount point, or
the working directory inside OUT), the set is written in place file by file with the manifest
last, and :func:`read_set_file` lets a reader notice a set left mixed by a crash.

The pure part, :func:`generate_manifest`, makes the manifest of a set of files; the build id is
a hash of their contents, so the same build gives the same manifest.

Examples
--------
>>> import tempfile
>>> out = Path(tempfile.mkdtemp()) / "out"
>>> sorted(write_output_set(out, {"graph.ttl": "a", "report.md": "b"}))
['graph.ttl', 'kg-manifest.json', 'report.md']
>>> read_manifest(out)["files"]["report.md"]["bytes"]
1
>>> _ = write_output_set(out, {"graph.ttl": "c"}, keep_set=True)
>>> sorted(p.name for p in out.iterdir()), (out / "graph.ttl").read_text()
(['graph.ttl', 'kg-manifest.json', 'report.md'], 'c')
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .atomic import _UMASK, TEMP_SUFFIX, _as_bytes, _fsync_dir, _reason, replace_outputs
from .errors import InputError, OutputError

__all__ = [
    "MANIFEST",
    "SET_NAMES",
    "generate_manifest",
    "is_output_set",
    "parse_manifest",
    "read_manifest",
    "read_set_file",
    "recover",
    "staging_leftovers",
    "write_into",
    "write_output_set",
]

MANIFEST = "kg-manifest.json"
#: Names a build writes; older builds wrote them without a manifest.
SET_NAMES = frozenset({"graph.ttl", "graph.nt", "graph.trig", "graph.jsonld", "graph.html", "report.md", MANIFEST})
#: A folder holding all the files of one of these sets is a kg output folder: the manifest of a
#: build, or the older layout without one.
SET_MARKERS: tuple[tuple[str, ...], ...] = ((MANIFEST,), ("graph.ttl", "report.md"))
NEW_TAG = ".kgnew-"
_FORMAT_VERSION = 1


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the manifest (pure) ------------------------------------------------------------------

def generate_manifest(files: Mapping[str, bytes | str]) -> bytes:
    """The manifest of a set of files (name -> content), as UTF-8 JSON.

    The build id hashes the names and contents, so equal sets have equal manifests.

    Examples
    --------
    >>> m = json.loads(generate_manifest({"graph.ttl": b"x"}))
    >>> m["files"]["graph.ttl"]["bytes"], len(m["build"])
    (1, 16)
    >>> generate_manifest({"a": "1"}) == generate_manifest({"a": b"1"})
    True
    """
    from . import __version__

    entries = {name: {"bytes": len(b), "sha256": _digest(b)}
               for name, b in sorted((n, _as_bytes(d)) for n, d in files.items())}
    build = _digest("".join(f"{n}\0{e['sha256']}\n" for n, e in entries.items()).encode())[:16]
    doc = {"kg_output_set": _FORMAT_VERSION, "build": build, "kg_version": __version__, "files": entries}
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def parse_manifest(data: bytes | str, *, name: str = MANIFEST) -> dict:
    """Read a manifest made by :func:`generate_manifest`.

    Raises
    ------
    kg.errors.InputError
        When it is not such a manifest.

    Examples
    --------
    >>> parse_manifest(generate_manifest({"a": "1"}))["files"]["a"]["bytes"]
    1
    >>> parse_manifest("[]")
    Traceback (most recent call last):
    kg.errors.InputError: kg-manifest.json: not a kg output manifest; rebuild with kg build
    """
    try:
        doc = json.loads(data)
    except ValueError:
        doc = None
    if (not isinstance(doc, dict) or not isinstance(doc.get("files"), dict)
            or not isinstance(doc.get("build"), str)):
        raise InputError(f"{name}: not a kg output manifest; rebuild with kg build")
    return doc


# -- reading --------------------------------------------------------------------------------

def is_output_set(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` holds a kg output set (a manifest, or the older graph.ttl + report.md)."""
    f = Path(folder)
    return any(all((f / name).is_file() for name in marker) for marker in SET_MARKERS)


def read_manifest(folder: str | os.PathLike[str]) -> dict | None:
    """The manifest of an output folder, or ``None`` when it has none (an older build)."""
    path = Path(folder) / MANIFEST
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); check its permissions") from None
    return parse_manifest(data, name=str(path))


def read_set_file(folder: str | os.PathLike[str], name: str, *, max_bytes: int | None = None) -> bytes:
    """Read one file of an output set, checked against the set's manifest.

    The folder is opened once and both files are read through it, so a build that switches
    in a new set meanwhile cannot make them disagree: both come from the same set. A file
    larger than ``max_bytes`` is refused before it is read.

    Raises
    ------
    kg.errors.InputError
        When the file is missing or unreadable, or differs from the manifest (a set written in
        place by an interrupted build, or edited by hand).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> _ = write_output_set(out, {"graph.ttl": "x"})
    >>> read_set_file(out, "graph.ttl")
    b'x'
    """
    folder = Path(folder)
    try:
        dfd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise InputError(f"{folder}: cannot open the folder ({_reason(exc)}); check the path") from None
    try:
        def read(n: str) -> bytes | None:
            try:
                fd = os.open(n, os.O_RDONLY, dir_fd=dfd)
            except FileNotFoundError:
                return None
            with os.fdopen(fd, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if max_bytes is not None and size > max_bytes:
                    from .limits import format_size, too_large

                    raise too_large(str(folder / n), format_size(size), max_bytes)
                return fh.read() if max_bytes is None else fh.read(max_bytes + 1)

        try:
            raw_manifest, data = read(MANIFEST), read(name)
        except OSError as exc:
            raise InputError(f"{folder / name}: cannot read ({_reason(exc)}); check its permissions") from None
    finally:
        os.close(dfd)
    if data is None:
        raise InputError(f"{folder}: no {name} in this folder; run `kg build` first or pass an RDF file")
    if raw_manifest is not None:
        entry = parse_manifest(raw_manifest, name=str(folder / MANIFEST))["files"].get(name)
        if entry is not None and entry.get("sha256") != _digest(data):
            raise InputError(f"{folder / name}: does not match {MANIFEST} (written in place by an interrupted "
                             "build, or edited); rebuild with kg build, or pass the file itself")
    return data


# -- writing --------------------------------------------------------------------------------

def _write_file(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o666 & ~_UMASK)


def _link(src: Path, dst: Path) -> None:
    """Carry one entry of the old folder into the new one (hard link; a copy where links fail)."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(src, dst)


def _link_or_copy(src: str | Path, dst: str | Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _libc_renameat2():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_renameat2 = _libc_renameat2()


def _exchange(a: Path, b: Path) -> None:
    """Swap two folders atomically (Linux ``renameat2``); ``OSError`` when impossible here."""
    if _renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def staging_leftovers(out: str | os.PathLike[str]) -> list[Path]:
    """Folders that killed builds of ``out`` left beside it (``.OUT.kgnew-*``: a new set not yet
    switched in, or an old one not yet removed)."""
    out = Path(out).resolve()
    if not out.parent.is_dir():
        return []
    return sorted(p for p in out.parent.glob(f".{out.name}{NEW_TAG}*") if p.is_dir())


def recover(out: str | os.PathLike[str]) -> list[Path]:
    """Remove what killed builds of ``out`` left beside it; call it under the build lock."""
    leftovers = staging_leftovers(out)
    for p in leftovers:
        _rmtree(p)
    return leftovers


def _in_place_needed(out: Path) -> bool:
    with contextlib.suppress(OSError):
        cwd = Path.cwd().resolve()
        if cwd == out or out in cwd.parents:
            return True  # moving OUT would leave the user's shell in a deleted folder
    return os.path.ismount(out)


def write_output_set(out: str | os.PathLike[str], files: Mapping[str, bytes | str], *,
                     keep_set: bool = False) -> dict[str, Path]:
    """Replace the output set in ``out`` with ``files`` (name -> content), all or nothing.

    Parameters
    ----------
    out
        The output folder (created when missing; a symbolic link is followed).
    files
        The new set, by file name (no folders). The manifest is added.
    keep_set
        Keep the files of the old set that ``files`` does not replace (``kg view OUT`` rewrites
        ``graph.html`` only); by default they go (an old ``graph.nt`` must not sit beside a new
        ``graph.ttl``). Files that are not kg's are always kept.

    Returns
    -------
    dict[str, pathlib.Path]
        The path of each file written, manifest included.

    Raises
    ------
    kg.errors.OutputError
        When OUT cannot be written, or one of the set's names is taken by a folder there.
        OUT is then left as it was.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another output folder with -o")
    out = out.resolve()
    data = {name: _as_bytes(d) for name, d in files.items()}
    for name in data:
        if not name or "/" in name or name in (".", "..") or name == MANIFEST:
            raise OutputError(f"{name!r}: not a plain file name for the output set")
    old_manifest = None
    if out.is_dir():
        with contextlib.suppress(InputError):
            old_manifest = read_manifest(out)
        for name in data:
            target = out / name
            if target.is_dir() and not target.is_symlink():
                raise OutputError(f"{target}: is a folder, and kg writes a file there; move or rename it, "
                                  "or choose another output folder with -o")
    old_set = set(SET_NAMES) | set((old_manifest or {}).get("files", {}))
    if keep_set and out.is_dir():
        for name in sorted(old_set - set(data) - {MANIFEST}):
            p = out / name
            if p.is_file() and not p.is_symlink():
                data[name] = p.read_bytes()
    data[MANIFEST] = generate_manifest(data)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out.parent}: cannot create the output folder ({_reason(exc)}); "
                          "check the path and its permissions") from None
    if out.is_dir() and _in_place_needed(out):
        return _write_in_place(out, data, old_set)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}{NEW_TAG}", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"{out.parent}: cannot write beside the output folder ({_reason(exc)}); "
                          "check its permissions") from None
    try:
        os.chmod(stage, (out.stat().st_mode & 0o7777) if out.is_dir() else 0o777 & ~_UMASK)
        if out.is_dir():
            for entry in sorted(os.listdir(out)):
                if entry in data or entry in old_set or entry.endswith(TEMP_SUFFIX):
                    continue
                _link(out / entry, stage / entry)
        for name in sorted(data, key=lambda n: n == MANIFEST):  # the manifest last
            _write_file(stage / name, data[name])
        _fsync_dir(stage)
        if not out.exists():
            os.rename(stage, out)
            stage = None
        else:
            try:
                _exchange(stage, out)
            except OSError as exc:
                if exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.EXDEV, errno.EBUSY, errno.EPERM,
                                     errno.ENOTSUP):
                    raise
                _rmtree(stage)
                stage = None
                return _write_in_place(out, data, old_set)
        _fsync_dir(out.parent)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the output set ({_reason(exc)}); check free space and "
                          "permissions; the folder was left as it was") from None
    finally:
        if stage is not None:
            _rmtree(stage)  # the new set on failure, the old one after the exchange
    return {name: out / name for name in data}


def _write_in_place(out: Path, data: dict[str, bytes], old_set: set[str]) -> dict[str, Path]:
    """The fallback: replace the files one by one (each atomically), the manifest last."""
    body = {out / n: d for n, d in data.items() if n != MANIFEST}
    replace_outputs(body)
    for name in sorted(old_set - set(data)):
        p = out / name
        if p.is_file():
            with contextlib.suppress(OSError):
                p.unlink()
    replace_outputs({out / MANIFEST: data[MANIFEST]})
    return {name: out / name for name in data}


def write_into(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write one file; when it belongs to an output set (``kg view OUT``), switch the set as one.

    A file of an output folder (``OUT/graph.html``, ``OUT/report.md``) is written under the
    folder's build lock with :func:`write_output_set` (``keep_set=True``), so the manifest stays
    true; any other path is written atomically on its own.
    """
    from .atomic import atomic_write
    from .lock import build_lock

    path = Path(path)
    folder = path.parent
    if path.name in SET_NAMES and is_output_set(folder):
        with build_lock(folder):
            write_output_set(folder, {path.name: data}, keep_set=True)
    else:
        atomic_write(path, data)
    return path
