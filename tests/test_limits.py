"""kg.limits: sizes, the RDF input bound and the default memory bound of a query."""
from __future__ import annotations

import os

import pytest

from kg import limits
from kg.errors import InputError


@pytest.mark.parametrize("text, size", [("1", 1), ("64K", 65536), ("512m", 512 * 1024 ** 2), ("2G", 2 * 1024 ** 3),
                                        ("1.5GB", 3 * 1024 ** 3 // 2), ("2GiB", 2 * 1024 ** 3), (" 3 M ", 3 * 1024 ** 2)])
def test_parse_size(text, size):
    assert limits.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "2X", "-1G", "0", "1e9", "lots"])
def test_bad_sizes_name_the_setting(text):
    with pytest.raises(InputError, match=r"^--max-memory: .* (is not a size|is not a positive size)"):
        limits.parse_size(text, "--max-memory")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX")
def test_default_memory_is_a_quarter_of_the_container_limit(tmp_path, monkeypatch):
    cgroup = tmp_path / "memory.max"
    cgroup.write_text("4294967296\n")
    monkeypatch.setattr(limits, "_CGROUP_LIMITS", (str(tmp_path / "none"), str(cgroup)))
    assert limits.default_max_memory() == 1024 ** 3
    cgroup.write_text("max\n")  # no limit: a quarter of the physical memory
    physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert limits.default_max_memory() == max(physical // 4, 256 * 1024 ** 2)
