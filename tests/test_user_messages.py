"""What a new user meets (issue 9): outputs checked before the work, a missing browser, dates that
say they are unknown, repeats counted as skipped, and near names for an unknown entity."""
from __future__ import annotations

import os
import re
import tempfile
import webbrowser
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS

from kg.cli import main

DEV_TEXTS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "texts"
DATA = Path(__file__).resolve().parent / "data"
SUMMARY = re.compile(r"^built .+: (\d+) documents, \d+ entities, \d+ facts, (\d+) warnings \((\d+) skipped\)$")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _sys_is_read_only() -> bool:
    try:
        fd, name = tempfile.mkstemp(dir="/sys")
    except OSError:
        return Path("/sys").is_dir()
    os.close(fd)
    os.unlink(name)
    return False


# -- outputs are checked before the work -----------------------------------------------------------

@pytest.fixture
def no_analysis(monkeypatch):
    """Make the analysis fail loudly: a test that uses it shows that the command stopped before it."""
    import kg.api

    def never(self):
        raise AssertionError("the graph was analysed before the output was checked")

    monkeypatch.setattr(kg.api.KnowledgeGraph, "analyze", never)


def test_analyze_report_under_a_file_fails_before_the_analysis(capsys, seed_dir, tmp_path, no_analysis):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    code, out, err = run(capsys, "analyze", seed_dir, "--report", blocker / "sub" / "report.md")
    assert code == 2 and out == ""
    line = one_line(err)
    assert line.startswith("kg: error: ") and str(blocker) in line and "--report" in line


@pytest.mark.parametrize("option", ["--graphml", "--gexf"])
def test_analyze_other_outputs_are_checked_too(capsys, seed_dir, tmp_path, no_analysis, option):
    (tmp_path / "f").write_text("x")
    code, _, err = run(capsys, "analyze", seed_dir, "--report", tmp_path / "r.md", option, tmp_path / "f" / "g")
    assert code == 2 and option in one_line(err)
    assert not (tmp_path / "r.md").exists()


@pytest.mark.skipif(not _sys_is_read_only(), reason="needs a read-only mount (/sys)")
def test_analyze_report_on_a_read_only_mount(capsys, seed_dir, no_analysis):
    """A read-only file system stops root too: the check writes a probe file, it does not read mode bits."""
    code, out, err = run(capsys, "analyze", seed_dir, "--report", "/sys/kg-test/report.md")
    assert code == 2 and out == ""
    assert "cannot write in /sys" in one_line(err)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write in any folder")
def test_analyze_report_in_a_read_only_folder(capsys, seed_dir, tmp_path, no_analysis):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        code, out, err = run(capsys, "analyze", seed_dir, "--report", ro / "report.md")
    finally:
        ro.chmod(0o700)
    assert code == 2 and out == "" and "cannot write in" in one_line(err)


def test_eval_output_under_a_file_fails_before_the_build(capsys, tmp_path, monkeypatch):
    import kg.api

    def never(*a, **k):
        raise AssertionError("built before the output folder was checked")

    monkeypatch.setattr(kg.api, "build", never)
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    code, out, err = run(capsys, "eval", DATA / "gold.jsonl", DATA / "texts", "-o", blocker / "ev")
    assert code == 2 and out == ""
    assert str(blocker) in one_line(err) and "-o" in one_line(err)
    code, out, err = run(capsys, "eval", DATA / "gold.jsonl", DATA / "texts", "-o", blocker)
    assert code == 2 and "exists and is not a folder" in one_line(err)


def test_view_output_under_a_file_is_one_line(capsys, seed_dir, tmp_path):
    (tmp_path / "f").write_text("x")
    code, out, err = run(capsys, "view", seed_dir, "-o", tmp_path / "f" / "v.html")
    assert code == 2 and out == "" and "is a file, not a folder" in one_line(err)


# -- kg view --open without a browser ----------------------------------------------------------------

def _no_browser(url):
    return False


def _browser_error(url):
    raise webbrowser.Error("could not locate runnable browser")


@pytest.mark.parametrize("fake_open", [_no_browser, _browser_error])
def test_view_open_without_a_browser_says_where_the_file_is(capsys, seed_dir, tmp_path, monkeypatch, fake_open):
    monkeypatch.setattr(webbrowser, "open", fake_open)
    target = tmp_path / "v.html"
    code, out, err = run(capsys, "view", seed_dir, "-o", target, "--open")
    assert code == 0  # the file is written: the view is there to open by hand
    assert target.is_file() and out.strip() == f"wrote {target}"
    line = one_line(err)
    assert "no web browser" in line and str(target.resolve()) in line
    monkeypatch.setattr(webbrowser, "open", lambda url: True)  # with a browser: nothing to say
    code, out, err = run(capsys, "view", seed_dir, "-o", target, "--open")
    assert code == 0 and err == ""


# -- a date that says it is unknown -------------------------------------------------------------------

STATED_DATES = ["unknown", "unknown (2023-10 snapshot)", "Unknown (after 2023-10-20, per text)", "n.d.",
                "undated", "2020-11 (month inferred; the page text shown carries no date)"]


def test_unknown_dates_are_recorded_without_a_warning(capsys, tmp_path, nlp):
    texts = tmp_path / "texts"
    texts.mkdir()
    for i, date in enumerate(STATED_DATES):
        (texts / f"{i}.md").write_text(f'---\ntitle: "Article {i}"\ndate: "{date}"\n---\n'
                                       f"Peru produces copper number {i}.\n")
    code, out, err = run(capsys, "build", texts, "-o", tmp_path / "out", "--strict")
    assert code == 0 and err == "", err
    assert SUMMARY.match(out.strip()).group(2) == "0"
    from kg.api import load

    dates = {str(o) for o in load(tmp_path / "out").graph.objects(None, DCTERMS.date)}
    assert dates == set(STATED_DATES)  # kept as written
    assert all(o.datatype is None for o in load(tmp_path / "out").graph.objects(None, DCTERMS.date)
               if isinstance(o, Literal))
    # a date that is neither a date nor a statement about one is still reported
    (texts / "odd.md").write_text('---\ndate: "someday (maybe)"\n---\nChile produces lithium.\n')
    code, out, err = run(capsys, "build", texts, "-o", tmp_path / "out2")
    assert code == 0 and "odd.md: date 'someday (maybe)' kept as text" in one_line(err)


@pytest.mark.skipif(not DEV_TEXTS.is_dir(), reason="the shared development set is not available")
def test_the_dev_set_front_matter_gives_no_warning():
    """`kg build --strict ../shared/eval/dev/texts` failed on its dates; each is now understood."""
    from kg.ingest import read_documents
    from kg.rdf import date_literal

    result = read_documents([DEV_TEXTS])
    assert result.problems == [] and len(result.documents) >= 10
    dated = [d for d in result.documents if d.date]
    assert len(dated) >= 10
    assert [d.date for d in dated if not date_literal(d.date)[1]] == []


# -- a repeated text is counted as skipped ---------------------------------------------------------------

def test_duplicate_is_counted_in_the_summary(capsys, tmp_path, nlp):
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("Peru produces copper.\n")
    (texts / "b.txt").write_text("Peru produces copper.\n")
    (texts / "c.txt").write_text("")
    code, out, err = run(capsys, "build", texts, "-o", tmp_path / "out")
    assert code == 0
    docs, warnings, skipped = SUMMARY.match(out.strip()).groups()
    assert (docs, warnings, skipped) == ("1", "2", "2")  # b.txt (a repeat) and c.txt (empty)
    assert "b.txt: duplicate of a.txt, skipped" in err


# -- --about NAME with no match ---------------------------------------------------------------------------

def test_about_an_unknown_name_suggests_near_names(capsys, seed_dir):
    code, out, err = run(capsys, "query", seed_dir, "--about", "Peruu")
    assert code == 2 and out == ""
    line = one_line(err)
    assert "'Peruu'" in line and re.search(r"near names: Peru\b", line)
    code, out, err = run(capsys, "query", seed_dir, "--about", "ishiba")
    assert code == 2 and "near names: Shigeru Ishiba" in one_line(err)
    code, out, err = run(capsys, "query", seed_dir, "--about", "Xq7")
    assert code == 2 and "no name is close" in one_line(err)
    code, out, err = run(capsys, "query", seed_dir, "--about", "peruvian")  # an alias, in another case
    assert code == 0 and err == "" and "copper" in out
