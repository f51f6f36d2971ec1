"""Output sets switch as one (kg.outset): fault injection at every write, link and rename."""
from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from kg import outset
from kg.cli import main
from kg.errors import InputError, KGError, OutputError

OLD = {"graph.ttl": "old ttl", "graph.nt": "old nt", "graph.html": "old html", "report.md": "old report"}
NEW = {"graph.ttl": "new ttl", "graph.html": "new html", "report.md": "new report"}


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder`` by relative path (folders as None)."""
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def make_old(out: Path) -> dict[str, bytes | None]:
    outset.write_output_set(out, OLD)
    (out / ".gitkeep").write_text("")
    (out / "notes").mkdir()
    (out / "notes" / "mine.txt").write_text("the user's own file")
    return snapshot(out)


def leftovers(out: Path) -> list[str]:
    beside = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")]
    inside = [str(p) for p in out.rglob("*") if p.name.endswith(".kgtmp")]
    return beside + inside


class Fault:
    """Make the n-th call to any of the patched functions raise ``exc``."""

    def __init__(self, n: int, exc: BaseException):
        self.n, self.exc, self.calls = n, exc, 0

    def wrap(self, fn):
        def wrapped(*a, **kw):
            self.calls += 1
            if self.calls == self.n:
                raise self.exc
            return fn(*a, **kw)
        return wrapped


def patch_all(monkeypatch, fault: Fault, *, in_place: bool = False) -> None:
    for name in ("_write_file", "_link", "_exchange", "_fsync_dir", "_link_or_copy"):
        monkeypatch.setattr(outset, name, fault.wrap(getattr(outset, name)))
    monkeypatch.setattr(outset.os, "rename", fault.wrap(os.rename))
    from kg import atomic

    monkeypatch.setattr(atomic, "_write_temp", fault.wrap(atomic._write_temp))
    monkeypatch.setattr(atomic.os, "replace", fault.wrap(os.replace))
    if in_place:
        def no_exchange(a, b):
            raise OSError(errno.ENOSYS, "no exchange")
        monkeypatch.setattr(outset, "_exchange", fault.wrap(no_exchange))


@pytest.mark.parametrize("exc", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()],
                         ids=["disk-full", "ctrl-c"])
def test_a_fault_at_any_step_leaves_the_old_set_or_the_new_one(tmp_path, monkeypatch, exc):
    out = tmp_path / "out"
    old = make_old(out)
    reference = tmp_path / "ref" / "out"
    make_old(reference)
    outset.write_output_set(reference, NEW)
    new = snapshot(reference)
    assert new != old and "graph.nt" not in new and "notes/mine.txt" in new
    outcomes = set()
    n = 0
    while True:
        n += 1
        fault = Fault(n, exc)
        with monkeypatch.context() as m:
            patch_all(m, fault)
            try:
                outset.write_output_set(out, NEW)
                failed = False
            except (KGError, KeyboardInterrupt, OSError):
                failed = True
        now = snapshot(out)
        assert now in (old, new), f"a fault at step {n} left a mixed set"
        assert not leftovers(out), f"step {n} left {leftovers(out)}"
        outcomes.add("old" if now == old else "new")
        if not failed:
            assert fault.calls < n  # no fault was injected: every step has been tried
            break
        if now == new:  # the fault came after the switch (the old set's removal): put the old back
            outset.write_output_set(out, OLD)
            (out / "notes" / "mine.txt").write_text("the user's own file")
            assert snapshot(out) == old
    assert n > 8 and outcomes == {"old", "new"}


def test_in_place_fallback_never_lets_a_reader_see_a_mix(tmp_path, monkeypatch):
    """Where folders cannot be exchanged, a half-written set is refused by readers."""
    out = tmp_path / "out"
    make_old(out)
    n = 0
    while True:
        n += 1
        fault = Fault(n, OSError(errno.EIO, "Input/output error"))
        with monkeypatch.context() as m:
            patch_all(m, fault, in_place=True)
            try:
                outset.write_output_set(out, NEW)
                done = True
            except KGError:
                done = False
        try:
            ttl = outset.read_set_file(out, "graph.ttl")
            html = outset.read_set_file(out, "graph.html")
            assert (ttl, html) in ((b"old ttl", b"old html"), (b"new ttl", b"new html"))
        except InputError as e:
            assert "does not match kg-manifest.json" in str(e)
        if done:
            break
        outset.write_output_set(out, OLD)  # each round starts from the old set
    assert n > 4


def test_a_folder_in_the_way_fails_before_anything_changes(tmp_path):
    out = tmp_path / "out"
    make_old(out)
    (out / "report.md").unlink()
    (out / "report.md").mkdir()
    before = snapshot(out)
    with pytest.raises(OutputError, match="report.md: is a folder"):
        outset.write_output_set(out, NEW)
    assert snapshot(out) == before and not leftovers(out)


def test_kg_build_with_a_folder_in_the_way_changes_nothing(tmp_path, seed_dir, capsys):
    """The issue's reproduction: OUT/report.md is a folder; graph.ttl must not be new."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("graph.ttl", "graph.html"):
        (out / name).write_text(f"an older {name}")
    (out / "report.md").mkdir()
    before = snapshot(out)
    assert main(["build", str(Path(__file__).parent.parent / "seeds"), "-o", str(out), "-q"]) == 2
    assert "report.md: is a folder" in capsys.readouterr().err
    assert snapshot(out) == before


def test_manifest_lists_the_set_and_is_reproducible(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    outset.write_output_set(a, NEW)
    outset.write_output_set(b, NEW)
    m = json.loads((a / outset.MANIFEST).read_text())
    assert sorted(m["files"]) == sorted(NEW)
    assert (a / outset.MANIFEST).read_bytes() == (b / outset.MANIFEST).read_bytes()
    outset.write_output_set(b, {**NEW, "report.md": "other"})
    assert json.loads((b / outset.MANIFEST).read_text())["build"] != m["build"]


def test_the_switch_is_one_folder_exchange(tmp_path, monkeypatch):
    """The files are written in a sibling folder, and OUT is switched with one exchange."""
    out = tmp_path / "out"
    make_old(out)
    seen = []
    real = outset._exchange

    def spy(a, b):
        seen.append(sorted(p.name for p in Path(a).iterdir()))
        assert (out / "graph.ttl").read_text() == "old ttl"  # nothing new in OUT before the exchange
        real(a, b)
    monkeypatch.setattr(outset, "_exchange", spy)
    outset.write_output_set(out, NEW)
    assert seen == [[".gitkeep", "graph.html", "graph.ttl", "kg-manifest.json", "notes", "report.md"]]
    assert (out / "graph.ttl").read_text() == "new ttl"


def test_leftovers_of_a_killed_build_are_removed_under_the_lock(tmp_path):
    from kg.lock import build_lock

    out = tmp_path / "out"
    make_old(out)
    stale = tmp_path / ".out.kgnew-abc123"
    stale.mkdir()
    (stale / "graph.ttl").write_text("half")
    with build_lock(out):
        pass
    assert not stale.exists() and (out / "graph.ttl").read_text() == "old ttl"


def test_readers_refuse_a_set_that_does_not_match_its_manifest(seed_dir, tmp_path):
    import shutil

    import kg

    out = tmp_path / "out"
    shutil.copytree(seed_dir, out)
    assert kg.load(out).summary()["documents"] == 1
    with open(out / "graph.ttl", "a") as fh:
        fh.write("\n# a line added by hand\n")
    with pytest.raises(InputError, match="does not match kg-manifest.json"):
        kg.load(out)
    assert len(kg.load(out / "graph.ttl")) > 0  # the file itself can still be read


def test_view_into_a_build_folder_keeps_the_manifest_true(seed_dir, tmp_path, capsys):
    import shutil

    import kg

    out = tmp_path / "out"
    shutil.copytree(seed_dir, out)
    before = json.loads((out / outset.MANIFEST).read_text())
    assert main(["view", str(out)]) == 0
    after = json.loads((out / outset.MANIFEST).read_text())
    assert after["files"]["graph.ttl"] == before["files"]["graph.ttl"]
    assert set(after["files"]) == set(before["files"])
    for name, entry in after["files"].items():
        assert outset._digest((out / name).read_bytes()) == entry["sha256"]
    kg.load(out)


def test_working_directory_inside_out_is_written_in_place(tmp_path, monkeypatch):
    """Exchanging OUT would leave the user's shell in a deleted folder: write in place instead."""
    out = tmp_path / "out"
    make_old(out)
    inode = out.stat().st_ino
    monkeypatch.chdir(out / "notes")
    outset.write_output_set(out, NEW)
    assert out.stat().st_ino == inode and Path.cwd().exists()
    assert outset.read_set_file(out, "graph.ttl") == b"new ttl" and not (out / "graph.nt").exists()
