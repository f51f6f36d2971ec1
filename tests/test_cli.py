"""The kg command line, called in-process (``kg.cli.main``) plus a few real subprocesses."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "japan-peru-critical-minerals.txt"
DATA = Path(__file__).resolve().parent / "data"
COMMANDS = ["build", "query", "analyze", "view", "validate", "eval"]
SUMMARY = re.compile(r"^built (.+graph\.ttl): (\d+) documents, (\d+) entities, (\d+) facts, "
                     r"(\d+) warnings \((\d+) skipped\)$")


def run(capsys, *argv):
    """Run ``kg ARGV`` in-process; return (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.endswith(".kgtmp") or ".tmp" in p.name]


# -- help and usage errors ---------------------------------------------------------------

@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_has_description_and_example(capsys, command):
    argv = ["--help"] if command is None else [command, "--help"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert "Example" in out
    assert "usage: kg" in out


def test_no_command_prints_help(capsys):
    code, _, err = run(capsys)
    assert code == 2 and "usage: kg" in err


@pytest.mark.parametrize("argv", [
    ["build", "no/such/folder"],
    ["query", "no/such/folder", "produces"],
    ["analyze", "no/such/graph.ttl"],
    ["view", "no/such/folder"],
    ["validate", "no/such/folder"],
    ["eval", "no/such/gold.jsonl", "no/such/texts"],
])
def test_missing_path_is_one_line_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    line = one_error_line(err)
    assert line.startswith("kg: error: ") and "no/such" in line


def test_output_is_a_file_exit_2(capsys, tmp_path):
    f = tmp_path / "taken"
    f.write_text("x")
    code, _, err = run(capsys, "build", SEED, "-o", f)
    assert code == 2
    assert "not a folder" in one_error_line(err)
    assert f.read_text() == "x"


def test_bad_format_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "build", SEED, "-o", tmp_path / "o", "--format", "rdfxml")
    assert code == 2 and "unknown output format" in one_error_line(err)
    assert not (tmp_path / "o").exists()


def test_internal_error_is_one_line_and_debug_shows_traceback(capsys, monkeypatch, tmp_path):
    import kg.api

    def boom(*a, **k):
        raise RuntimeError("something broke\nsecond line")

    monkeypatch.setattr(kg.api, "build", boom)
    code, _, err = run(capsys, "build", SEED, "-o", tmp_path)
    assert code == 1
    line = one_error_line(err)
    assert line.startswith("kg: internal error: RuntimeError: something broke second line")
    assert "--debug" in line
    code, _, err = run(capsys, "build", SEED, "-o", tmp_path, "--debug")
    assert code == 1 and "Traceback" in err


def test_keyboard_interrupt_in_process(capsys, monkeypatch, tmp_path):
    import kg.api

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(kg.api, "build", interrupted)
    code, _, err = run(capsys, "build", SEED, "-o", tmp_path)
    assert code == 130 and one_error_line(err) == "kg: interrupted"


# -- build ---------------------------------------------------------------------------------

def test_build_seed(capsys, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "build", SEED, "-o", out)
    assert code == 0, err
    for name in ("graph.ttl", "graph.html", "report.md"):
        assert (out / name).stat().st_size > 0, name
    m = SUMMARY.match(stdout.strip().splitlines()[-1])
    assert m, stdout
    assert m.group(1) == str(out / "graph.ttl")
    assert int(m.group(2)) == 1 and int(m.group(3)) > 3 and int(m.group(4)) > 3
    assert (m.group(5), m.group(6)) == ("0", "0")
    assert err == ""
    assert no_temp_files(out)


def test_build_formats(capsys, tmp_path):
    from kg.rdfio import read_graph

    out = tmp_path / "out"
    code, _, err = run(capsys, "build", SEED, "-o", out, "--format", "nt,trig", "--format", "jsonld", "--quiet")
    assert code == 0, err
    sizes = {}
    for ext in ("ttl", "nt", "trig", "jsonld"):
        sizes[ext] = len(read_graph(out / f"graph.{ext}"))
    assert len(set(sizes.values())) == 1 and sizes["ttl"] > 0, sizes


def test_build_quiet_prints_nothing(capsys, tmp_path):
    code, out, err = run(capsys, "build", SEED, "-o", tmp_path / "o", "--quiet")
    assert code == 0 and out == "" and err == ""


def test_failed_output_step_leaves_existing_out_untouched(capsys, monkeypatch, tmp_path):
    import kg.view

    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.ttl").write_bytes(b"OLD GRAPH")
    (out / "report.md").write_bytes(b"OLD REPORT")

    def broken(*a, **k):
        raise RuntimeError("view failed")

    monkeypatch.setattr(kg.view, "generate_html", broken)
    code, _, err = run(capsys, "build", SEED, "-o", out)
    assert code == 1 and "view failed" in one_error_line(err)
    assert sorted(p.name for p in out.iterdir()) == ["graph.ttl", "report.md"]
    assert (out / "graph.ttl").read_bytes() == b"OLD GRAPH"
    assert (out / "report.md").read_bytes() == b"OLD REPORT"


def _folder_with_problem(tmp_path: Path) -> Path:
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(SEED, inp / "seed.txt")
    (inp / "empty.txt").write_text("")
    return inp


def test_warnings_are_one_line_each_and_counted(capsys, tmp_path):
    inp = _folder_with_problem(tmp_path)
    code, out, err = run(capsys, "build", inp, "-o", tmp_path / "out")
    assert code == 0
    warnings = err.strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("warning: ") and "empty.txt" in warnings[0]
    m = SUMMARY.match(out.strip().splitlines()[-1])
    assert m and (m.group(5), m.group(6)) == ("1", "1")


def test_strict_writes_nothing_and_exits_1(capsys, tmp_path):
    inp = _folder_with_problem(tmp_path)
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "build", inp, "-o", out, "--strict")
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[0].startswith("warning: ") and lines[-1].startswith("kg: error: --strict")
    assert not out.exists()
    assert stdout == ""


def test_explain_prints_candidates_and_rules(capsys, tmp_path):
    code, out, err = run(capsys, "build", SEED, "-o", tmp_path / "o", "--explain")
    assert code == 0, err
    assert "== japan-peru-critical-minerals.txt" in out
    kept = [l for l in out.splitlines() if l.startswith("  + ")]
    assert kept and all("[rule " in l for l in kept)
    assert SUMMARY.match(out.strip().splitlines()[-1])


def test_min_confidence_drops_facts(capsys, tmp_path):
    code, out_all, _ = run(capsys, "build", SEED, "-o", tmp_path / "a")
    code2, out_hi, _ = run(capsys, "build", SEED, "-o", tmp_path / "b", "--min-confidence", "0.99")
    assert code == code2 == 0
    facts = lambda s: int(SUMMARY.match(s.strip().splitlines()[-1]).group(4))  # noqa: E731
    assert facts(out_hi) < facts(out_all)
    code, _, err = run(capsys, "build", SEED, "--min-confidence", "2")
    assert code == 2 and "between 0 and 1" in err


# -- query, analyze, view, validate ----------------------------------------------------------

def test_query_formats(capsys, seed_dir):
    code, out, err = run(capsys, "query", seed_dir, "produces")
    assert code == 0, err
    assert "copper" in out.lower()
    code, out, _ = run(capsys, "query", seed_dir, "SELECT ?s ?o WHERE { ?s kgo:produces ?o }", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["s", "o"] and len(rows) > 1
    code, out, _ = run(capsys, "query", seed_dir / "graph.ttl", "SELECT ?s WHERE { ?s a kgo:Document }",
                       "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["head"]["vars"] == ["s"] and len(data["results"]["bindings"]) == 1
    code, out, _ = run(capsys, "query", seed_dir, "SELECT ?s ?o WHERE { ?s kgo:produces ?o }", "--format", "tsv")
    assert code == 0 and "\t" in out.splitlines()[0]


def test_query_from_rq_file(capsys, seed_dir, tmp_path):
    rq = tmp_path / "docs.rq"
    rq.write_text("SELECT (COUNT(?d) AS ?n) WHERE { ?d a kgo:Document }")
    code, out, err = run(capsys, "query", seed_dir, rq, "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[1].strip() == "1"


def test_query_about(capsys, seed_dir):
    code, out, err = run(capsys, "query", seed_dir, "--about", "Peru")
    assert code == 0, err
    assert "copper" in out.lower()


def test_bad_sparql_is_one_line_with_position(capsys, seed_dir):
    code, _, err = run(capsys, "query", seed_dir, "SELECT ?s WHERE { ?s ?p }")
    assert code == 2
    line = one_error_line(err)
    assert line.startswith("kg: error: ")
    assert re.search(r"line|column|position|char", line, re.I), line


def test_query_needs_a_query(capsys, seed_dir):
    code, _, err = run(capsys, "query", seed_dir)
    assert code == 2 and "no query" in one_error_line(err)


@pytest.mark.parametrize("timeout", ["nan", "inf", "-inf", "-1", "0"])
def test_query_timeout_must_be_positive_and_finite(capsys, seed_dir, timeout):
    code, out, err = run(capsys, "query", seed_dir, "produces", f"--timeout={timeout}")
    assert code == 2 and out == ""
    assert one_error_line(err).startswith("kg: error: timeout must be a positive, finite number of seconds")


def test_query_huge_timeout_is_fine(capsys, seed_dir):
    code, out, err = run(capsys, "query", seed_dir, "produces", "--timeout", "1e300")
    assert code == 0 and "copper" in out.lower(), err


def test_build_output_inside_input_does_not_read_itself(capsys, tmp_path):
    src = tmp_path / "self"
    src.mkdir()
    shutil.copy(SEED, src / SEED.name)
    first = run(capsys, "build", src, "-o", src / "out")
    second = run(capsys, "build", src, "-o", src / "out")
    for code, stdout, err in (first, second):
        assert code == 0 and err == "", err
        m = SUMMARY.match(stdout.strip().splitlines()[-1])
        assert m and (m.group(2), m.group(5), m.group(6)) == ("1", "0", "0"), stdout
    assert first[1] == second[1]
    # OUT is INPUT itself: the articles are read, kg's own report.md and graph.html are not
    shutil.rmtree(src / "out")
    for _ in range(2):
        code, stdout, err = run(capsys, "build", src, "-o", src)
        assert code == 0 and err == "" and SUMMARY.match(stdout.strip()).group(2) == "1", err + stdout


def test_build_jsonl_with_a_lone_surrogate(capsys, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "news.jsonl").write_text('{"text": "Chile\\ud800 exports lithium to Japan."}\n',
                                                encoding="utf-8")
    code, stdout, err = run(capsys, "build", tmp_path / "in", "-o", tmp_path / "out")
    assert code == 0 and "internal error" not in err, err
    assert SUMMARY.match(stdout.strip()).group(2) == "1"
    assert "\\ud800" not in (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")


def test_analyze(capsys, seed_dir, tmp_path):
    report = tmp_path / "r.md"
    code, out, err = run(capsys, "analyze", seed_dir / "graph.ttl", "--report", report,
                         "--graphml", tmp_path / "g.graphml", "--gexf", tmp_path / "g.gexf")
    assert code == 0, err
    assert "Peru" in out
    assert report.read_text().startswith("#")
    assert (tmp_path / "g.graphml").stat().st_size > 0 and (tmp_path / "g.gexf").stat().st_size > 0


def test_analyze_default_report_next_to_folder(capsys, seed_graph, tmp_path):
    seed_graph.save(tmp_path)
    (tmp_path / "report.md").unlink()
    code, out, err = run(capsys, "analyze", tmp_path)
    assert code == 0, err
    assert (tmp_path / "report.md").is_file()


def test_view(capsys, seed_dir, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url))
    target = tmp_path / "v.html"
    code, out, err = run(capsys, "view", seed_dir, "-o", target, "--open")
    assert code == 0, err
    assert "<html" in target.read_text(encoding="utf-8").lower()
    assert opened == [target.resolve().as_uri()]


def test_validate_conforms(capsys, seed_dir):
    code, out, err = run(capsys, "validate", seed_dir)
    assert (code, out.strip()) == (0, "conforms"), err


def test_validate_reports_violations(capsys, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix kgo: <https://w3id.org/kg-minerals/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/kg-minerals/evidence/x> a kgo:Evidence ; kgo:confidence \"7.5\"^^xsd:decimal .\n")
    code, out, err = run(capsys, "validate", bad)
    assert code == 1 and "conforms" not in out.splitlines()[0:1]


# -- eval ------------------------------------------------------------------------------------

def test_eval_text_and_json(capsys, tmp_path):
    code, out, err = run(capsys, "eval", DATA / "gold.jsonl", DATA / "texts")
    assert code == 0, err
    assert "property" in out.splitlines()[0] and "missed (" in out and "false positives (" in out
    assert re.match(r"precision \d\.\d{3} recall \d\.\d{3} f1 \d\.\d{3} \(\d+ correct of \d+ predicted, "
                    r"9 gold, 2 docs\)$", out.strip().splitlines()[-1])
    code, out, err = run(capsys, "eval", DATA / "gold.jsonl", DATA / "texts", "--json", "-o", tmp_path / "ev")
    assert code == 0, err
    data = json.loads(out)
    assert data["gold"] == 9 and 0.0 <= data["f1"] <= 1.0
    assert data["recall"] > 0.3  # the easy sentences of the fixture are found
    assert json.loads((tmp_path / "ev" / "score.json").read_text()) == data
    assert (tmp_path / "ev" / "graph.ttl").is_file()



def test_eval_confidence_table_and_min_confidence(capsys):
    """--confidence-table scores the facts at or above each cutoff of one build; its row at a
    cutoff is what --min-confidence gives (same predicted, same correct)."""
    code, out, err = run(capsys, "eval", DATA / "gold.jsonl", DATA / "texts", "--json", "--confidence-table")
    assert code == 0, err
    data = json.loads(out)
    rows = {r["min_confidence"]: r for r in data["confidence_table"]}
    assert rows[0.0]["predicted"] == data["predicted"] and rows[0.0]["correct"] == data["correct"]
    kept = [r["predicted"] for r in data["confidence_table"]]
    assert kept == sorted(kept, reverse=True) and kept[0] > kept[-1]  # higher cutoffs keep fewer facts
    cutoff = next(c for c, r in rows.items() if 0 < r["predicted"] < data["predicted"])
    code, out, err = run(capsys, "eval", DATA / "gold.jsonl", DATA / "texts", "--json", "--min-confidence", str(cutoff))
    assert code == 0, err
    built = json.loads(out)
    assert (built["predicted"], built["correct"]) == (rows[cutoff]["predicted"], rows[cutoff]["correct"])
    # the bands of confidence partition the predictions that have one; the band counts are the
    # differences of the cumulative table's
    bands = data["calibration"]["bands"]
    assert [b["predicted"] for b in bands] == [a - b for a, b in zip(kept, kept[1:] + [0])]
    assert [b["correct"] for b in bands] == [a["correct"] - b["correct"] for a, b in
                                             zip(data["confidence_table"], data["confidence_table"][1:] + [{"correct": 0}])]
    assert all(b["low"] <= b["mean_confidence"] <= b["high"] for b in bands if b["predicted"])
    mean = sum(b["mean_confidence"] * b["predicted"] for b in bands) / sum(b["predicted"] for b in bands)
    assert 0 <= data["calibration"]["error"] <= 1 and data["calibration"]["error"] >= abs(
        mean - data["correct"] / data["predicted"]) - 1e-3  # at least the gap of the whole
    code, out, err = run(capsys, "eval", DATA / "gold.jsonl", DATA / "texts", "--confidence-table")
    assert code == 0 and "min confidence  predicted  correct" in out
    assert "confidence band  predicted  correct  mean confidence  share right" in out
    assert "expected calibration error" in out
    # with --min-confidence the table starts there (below it, rows would repeat the cut build's)
    code, out, err = run(capsys, "eval", DATA / "gold.jsonl", DATA / "texts", "--json", "--confidence-table",
                         "--min-confidence", str(cutoff))
    assert code == 0 and min(r["min_confidence"] for r in json.loads(out)["confidence_table"]) == cutoff

def test_eval_bad_gold_is_one_line(capsys, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("{oops\n")
    code, _, err = run(capsys, "eval", gold, DATA / "texts")
    assert code == 2 and "gold.jsonl:1: not valid JSON" in one_error_line(err)


# -- real processes ----------------------------------------------------------------------------

def _kg_command() -> list[str]:
    exe = shutil.which("kg")
    return [exe] if exe else [sys.executable, "-m", "kg.cli"]


def test_console_script(seed_dir):
    exe = shutil.which("kg")
    assert exe, "the kg console script is not installed (pip install -e .)"
    p = subprocess.run([exe, "query", str(seed_dir), "SELECT (COUNT(?d) AS ?n) WHERE { ?d a kgo:Document }",
                        "--format", "csv"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[1].strip() == "1"
    p = subprocess.run([exe, "validate", "no/such/dir"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig, code, message", [(signal.SIGINT, 130, "kg: interrupted"),
                                                (signal.SIGTERM, 143, "kg: terminated")])
def test_interrupted_build_leaves_out_untouched(tmp_path, sig, code, message):
    inp = tmp_path / "many"
    inp.mkdir()
    text = SEED.read_text(encoding="utf-8")
    (inp / "000-empty.txt").write_text("")  # its warning tells us that the build has started
    for i in range(1, 401):
        (inp / f"{i:03d}.txt").write_text(f"{text}\n\nCopy number {i} of the article.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    old = b"@prefix ex: <http://example.org/> .\nex:old ex:is ex:kept .\n"
    (out / "graph.ttl").write_bytes(old)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # a shell starts a background job with Ctrl-C ignored, and a child keeps that: give it the
    # default, so that its Python turns SIGINT into KeyboardInterrupt however pytest was started
    proc = subprocess.Popen(_kg_command() + ["build", str(inp), "-o", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stderr.readline()  # the ingest warning: the inputs have been read
        assert first.startswith("warning: "), first
        time.sleep(2.5)  # model loaded, extraction under way
        assert proc.poll() is None, "the build finished before it could be interrupted; add more copies"
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, stderr
    assert stderr.strip().splitlines() == [message]
    assert "built" not in stdout
    assert (out / "graph.ttl").read_bytes() == old
    assert sorted(p.name for p in out.iterdir()) == ["graph.ttl"]


def test_a_second_build_into_a_folder_being_built_fails_at_once_naming_the_process(tmp_path, capsys):
    """Two builds into one folder used to both exit 0, the last to finish winning file by file."""
    from kg.lock import lock_path

    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock_path(out).write_text(f"{holder.pid}\n")
        assert main(["build", str(SEED), "-o", str(out)]) == 2
        err = one_error_line(capsys.readouterr().err)
        assert f"process {holder.pid}" in err and "--wait" in err
        assert not out.exists()
    finally:
        holder.kill()
        holder.wait()
    # the holder is dead now: its lock is stale and taken over
    assert main(["build", str(SEED), "-o", str(out), "-q"]) == 0
    assert (out / "graph.ttl").is_file() and not lock_path(out).exists()


def test_wait_takes_the_lock_when_the_other_build_ends(tmp_path):
    import threading

    from kg.lock import build_lock

    out = tmp_path / "out"
    order = []
    with build_lock(out):
        def second():
            with build_lock(out, wait=True, poll=0.05):
                order.append("second")

        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.3)
        order.append("first done")
    t.join(5)
    assert order == ["first done", "second"]


def test_temporaries_of_a_killed_build_are_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".graph.ttl.abc123.kgtmp"
    stale.write_bytes(b"half a graph")
    assert main(["build", str(SEED), "-o", str(out), "-q"]) == 0
    assert not stale.exists() and (out / "graph.ttl").is_file()


@pytest.mark.slow
def test_builds_are_reproducible_whatever_the_hash_seed(tmp_path):
    """Set order (string hashing is seeded per process) must not leak into the graph."""
    text = tmp_path / "tfm.txt"  # two trigger forms ("producer in", "producers in") read one fact
    text.write_text("Tenke Fungurume Mining SA (TFM) is one of the largest copper and cobalt producers in "
                    "the Democratic Republic of Congo (DRC).\n", encoding="utf-8")
    outs = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"out{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run(_kg_command() + ["build", str(text), str(SEED), "-o", str(out), "-q"],
                              capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        outs.append((out / "graph.ttl").read_bytes())
    assert outs[0] == outs[1] == outs[2]
