"""Sizes and limits that protect kg from hostile input: parsing ``2G``, the defaults.

Two bounds are set here:

* :func:`max_rdf_bytes`, the largest RDF file kg reads (``kg query``,
  ``validate``, ``analyze``, ``view``, :func:`kg.load`): 256 MiB unless the
  environment variable ``KG_MAX_RDF_SIZE`` says otherwise (``KG_MAX_RDF_SIZE=2G``);
* :func:`default_max_memory`, the memory a ``kg query`` may take: a quarter of
  the physical memory (``kg query --max-memory 2G``).

Examples
--------
>>> parse_size("2G"), parse_size("512m"), parse_size("1.5K"), parse_size("1000")
(2147483648, 536870912, 1536, 1000)
>>> format_size(2147483648), format_size(3 * 1024 ** 2), format_size(1000)
('2G', '3M', '1000 bytes')
"""
from __future__ import annotations

import os
import re

from .errors import InputError

__all__ = ["DEFAULT_MAX_RDF_BYTES", "DEFAULT_TABLE_LIMIT", "RDF_SIZE_VARIABLE", "default_max_memory", "format_size", "max_rdf_bytes", "too_large",
           "parse_size"]

#: The largest RDF input read when ``KG_MAX_RDF_SIZE`` is not set (256 MiB: about two million triples).
DEFAULT_MAX_RDF_BYTES = 256 * 1024 ** 2
#: Rows ``kg query`` shows in a table unless ``--limit`` says otherwise.
DEFAULT_TABLE_LIMIT = 100
#: The environment variable that raises (or lowers) the RDF input bound.
RDF_SIZE_VARIABLE = "KG_MAX_RDF_SIZE"

_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)


def parse_size(text: str | int, what: str = "size") -> int:
    """A number of bytes from ``123``, ``64K``, ``512M``, ``2G``, ``1.5GB`` or ``2GiB`` (powers of 1024).

    Raises :class:`~kg.errors.InputError` naming ``what`` when the text is not a positive size.

    >>> parse_size("lots", "--max-memory")
    Traceback (most recent call last):
    kg.errors.InputError: --max-memory: 'lots' is not a size; give bytes or a number with K, M, G or T (e.g. 2G)
    """
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        m = _SIZE.fullmatch(str(text))
        if not m:
            raise InputError(f"{what}: {str(text)!r} is not a size; give bytes or a number with K, M, G or T (e.g. 2G)")
        value = int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    if value <= 0:
        raise InputError(f"{what}: {text!r} is not a positive size; give bytes or a number with K, M, G or T (e.g. 2G)")
    return value


def too_large(name: str, size: int | str, limit: int) -> InputError:
    """The error for RDF input ``name`` of ``size`` over the bound ``limit`` (bytes)."""
    return InputError(f"{name}: {size} is more than the {format_size(limit)} of RDF kg reads at most (a bound "
                      f"against hostile input); if the file is trusted, raise it, e.g. {RDF_SIZE_VARIABLE}=2G")


def format_size(n: int) -> str:
    """``n`` bytes in the largest unit it reaches, with at most one decimal (``2G``, ``1.5K``).

    >>> format_size(1536), format_size(10 ** 9)
    ('1.5K', '953.7M')
    """
    for unit in ("T", "G", "M", "K"):
        if n >= _UNITS[unit]:
            return f"{n / _UNITS[unit]:.1f}".removesuffix(".0") + unit
    return f"{n} bytes"


def max_rdf_bytes() -> int:
    """The largest RDF input kg reads: ``$KG_MAX_RDF_SIZE`` or :data:`DEFAULT_MAX_RDF_BYTES`.

    >>> os.environ[RDF_SIZE_VARIABLE] = "1M"; max_rdf_bytes()
    1048576
    >>> del os.environ[RDF_SIZE_VARIABLE]; max_rdf_bytes() == DEFAULT_MAX_RDF_BYTES
    True
    """
    text = os.environ.get(RDF_SIZE_VARIABLE, "").strip()
    return parse_size(text, f"${RDF_SIZE_VARIABLE}") if text else DEFAULT_MAX_RDF_BYTES


_CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")


def _cgroup_limit() -> int | None:
    """The memory limit of this process's control group (a container), if it has one."""
    for path in _CGROUP_LIMITS:
        try:
            with open(path, encoding="ascii") as f:
                text = f.read().strip()
        except OSError:
            continue
        if text.isdigit():
            return int(text)
    return None


def default_max_memory() -> int | None:
    """A quarter of the memory (the default of ``kg query --max-memory``), or ``None`` where the
    platform cannot bound a process's memory (no ``fork`` or no ``resource`` module).

    The memory is the physical memory, or a container's limit when that is lower.
    """
    try:
        import resource  # noqa: F401  (POSIX only)

        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, AttributeError, ValueError, OSError):
        return None
    if not hasattr(os, "fork") or total <= 0:
        return None
    total = min(total, _cgroup_limit() or total)
    return max(total // 4, 256 * 1024 ** 2)
