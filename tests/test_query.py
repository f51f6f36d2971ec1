"""kg.query: bundled queries, bindings, timeouts, errors and result formats."""
from __future__ import annotations

import csv
import io
import json
import os
import sys
import time

import pytest
from rdflib import Graph, Literal, URIRef

from kg.errors import InputError, KGError, QueryError
from kg.model import BuildResult, Entity, Evidence, Fact
from kg.query import (
    QUERIES_DIR, QueryResult, about_query, bundled_queries, format_result, load_query, run_query, truncation_note,
)
from kg.rdf import ENT, KGO, example_result, to_rdf


@pytest.fixture(scope="module")
def graph() -> Graph:
    return to_rdf(example_result())


def labels(result: QueryResult) -> list[tuple[str, ...]]:
    return [tuple("" if t is None else str(t) for t in row) for row in result.rows]


def test_bundled_queries_begin_with_a_comment():
    assert set(bundled_queries()) == {"produces", "partners", "evidence", "facts", "dependencies"}
    for name, path in bundled_queries().items():
        assert path.read_text().startswith("# "), name


def test_bundled_queries_run(graph):
    assert labels(run_query(graph, load_query("produces"))) == [("Peru", "Country", "copper", "0.94")]
    assert labels(run_query(graph, load_query("partners"))) == [("Japan", "Peru", "0.75")]
    facts = run_query(graph, load_query("facts"))
    assert facts.vars == ["subject", "property", "object", "confidence", "evidence", "modality", "asserted"]
    assert ("Chile", "produces", "cobalt", "0.8", "1", "negated", "false") in labels(facts)
    evidence = run_query(graph, load_query("evidence"))
    assert evidence.vars == ["subject", "property", "object", "sentence", "title", "source", "confidence", "modality"]
    assert len(evidence.rows) == 4
    assert ("Peru", "produces", "copper", "Peru produces copper.", "Japan and Peru",
            "https://example.org/news/1", "0.8", "asserted") in labels(evidence)
    assert run_query(graph, load_query("dependencies")).rows == []


def test_load_query(tmp_path):
    rq = tmp_path / "mine.rq"
    rq.write_text("ASK { ?s ?p ?o }")
    assert load_query(rq) == load_query(str(rq)) == "ASK { ?s ?p ?o }"
    assert load_query("produces.rq") == (QUERIES_DIR / "produces.rq").read_text()
    with pytest.raises(InputError, match="not found"):
        load_query(tmp_path / "missing.rq")
    with pytest.raises(QueryError, match="no bundled query 'nope'"):
        load_query("nope")


def test_ask_and_construct(graph):
    assert run_query(graph, "ASK { ent:chile kgo:produces ent:cobalt }").boolean is False
    r = run_query(graph, "CONSTRUCT { ?c kgo:produces ?m } WHERE { ?c kgo:produces ?m }")
    assert r.kind == "graph" and set(r.graph) == {(ENT.peru, KGO.produces, ENT.copper)}
    assert "ent:peru" in format_result(r, "table")


def test_bad_sparql_has_position(graph):
    with pytest.raises(QueryError) as err:
        run_query(graph, "SELECT ?s WHERE {\n  ?s ?p \n}")
    msg = str(err.value)
    assert "line 2 column 3: cannot read on from '?s'" in msg and "\n" not in msg
    with pytest.raises(QueryError, match="bad SPARQL"):
        run_query(graph, "SELEKT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="empty query"):
        run_query(graph, "  ")


def test_timeout():
    g = Graph()
    for i in range(200):
        g.add((URIRef(f"https://e.org/s{i}"), URIRef("https://e.org/p"), Literal(i)))
    start = time.monotonic()
    with pytest.raises(QueryError, match=r"query stopped after 0.2 s \(--timeout\)"):
        run_query(g, "SELECT * WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }", timeout=0.2)
    assert time.monotonic() - start < 3


HOSTILE_NAMES = ['x" } UNION { ?s ?p ?o } #', "it's \\\" <b>", '"""', "'; DROP ALL; '", "} UNION {"]


@pytest.fixture(scope="module")
def hostile_graph() -> Graph:
    entities = {"peru": Entity("peru", "Peru", "Country"), "copper": Entity("copper", "copper", "Mineral")}
    facts = [Fact("peru", "produces", "copper", (Evidence("d", "Peru produces copper.", 0, 21, "r", 0.9),))]
    for i, name in enumerate(HOSTILE_NAMES):
        key = f"hostile {i}"
        entities[key] = Entity(key, name, "Country")
        facts.append(Fact(key, "produces", "copper", (Evidence("d", f"{name} produces copper.", 0, 5, "r", 0.5),)))
    return to_rdf(BuildResult(entities=entities, facts=facts))


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_bindings_return_only_the_right_rows(hostile_graph, name):
    r = run_query(hostile_graph, "SELECT ?e ?label WHERE { ?e rdfs:label ?label }", bindings={"label": Literal(name)})
    assert len(r.rows) == 1 and str(r.rows[0][1]) == name
    q, b = about_query(name.upper())
    rows = labels(run_query(hostile_graph, q, bindings=b))
    assert rows == [(name, "produces", "copper", "0.5", "true")]


def test_about_matches_alt_labels_case_insensitively(graph):
    q, b = about_query("japanese")
    assert labels(run_query(graph, q, bindings=b)) == [("Japan", "partnersWith", "Peru", "0.75", "true")]
    q, b = about_query("nobody")
    assert run_query(graph, q, bindings=b).rows == []


def test_bad_binding_name(graph):
    with pytest.raises(QueryError, match="variable name"):
        run_query(graph, "SELECT ?s WHERE { ?s ?p ?o }", bindings={"a b": Literal(1)})


def test_json_format_is_w3c(graph):
    r = run_query(graph, "SELECT ?s ?label ?c ?none WHERE { ?s rdfs:label ?label OPTIONAL { ?s kgo:confidence ?c } "
                         "OPTIONAL { ?s kgo:nothing ?none } } ORDER BY ?label LIMIT 2")
    data = json.loads(format_result(r, "json"))
    assert data["head"] == {"vars": ["s", "label", "c", "none"]}
    first = data["results"]["bindings"][0]
    assert first["s"] == {"type": "uri", "value": str(ENT.chile)}
    assert first["label"] == {"type": "literal", "value": "Chile"}
    assert "none" not in first
    r = run_query(graph, "SELECT ?c WHERE { ?f a kgo:Fact ; kgo:confidence ?c } ORDER BY DESC(?c) LIMIT 1")
    assert json.loads(format_result(r, "json"))["results"]["bindings"][0]["c"] == {
        "type": "literal", "value": "0.94", "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}
    ask = json.loads(format_result(run_query(graph, "ASK { ?s ?p ?o }"), "json"))
    assert ask == {"head": {}, "boolean": True}


def test_csv_tsv_table(graph):
    r = run_query(graph, load_query("produces"))
    rows = list(csv.reader(io.StringIO(format_result(r, "csv"))))
    assert rows[0] == ["producer", "class", "mineral", "confidence"] and rows[1] == ["Peru", "Country", "copper", "0.94"]
    tsv = format_result(r, "tsv").splitlines()
    assert tsv[0] == "?producer\t?class\t?mineral\t?confidence"
    assert tsv[1].split("\t")[0] == '"Peru"'
    table = format_result(run_query(graph, "SELECT ?s WHERE { ?s a kgo:Country } ORDER BY ?s"), "table").splitlines()
    assert table == ["s", "---------", "ent:chile", "ent:japan", "ent:peru"]
    empty = format_result(run_query(graph, "SELECT ?s WHERE { ?s a kgo:Nothing }"), "table")
    assert "(no results)" in empty
    with pytest.raises(QueryError, match="unknown result format"):
        format_result(r, "xml")


def test_service_is_refused_unless_allowed(seed_dir, capsys):
    """A query must not reach the network: SERVICE is one clean line (exit 2), nothing is sent."""
    import socket
    import threading

    from kg.cli import main

    hits = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(2)
    port = server.getsockname()[1]

    def accept():
        try:
            conn, _ = server.accept()
            hits.append(1)
            conn.close()
        except OSError:
            pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    q = f"SELECT * WHERE {{ service <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    assert main(["query", str(seed_dir), q]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--allow-service" in err[0]
    t.join(3)
    server.close()
    assert hits == []


def test_the_word_service_in_a_string_or_a_name_is_no_service_call(seed_dir, capsys):
    from kg.cli import main

    assert main(["query", str(seed_dir), 'SELECT ?s WHERE { ?s ?p "SERVICE" } # SERVICE']) == 0


def test_the_produces_query_lists_every_kind_of_producer(nlp):
    """Companies, mines and regions produce too; the class is a column."""
    from kg.api import build

    g = build(texts=["Peru produces copper. Codelco produces copper. The Escondida mine in Chile produces copper."],
              nlp=nlp, extractor="rules")
    rows = {(p, c) for p, c, m, _ in labels(run_query(g.graph, load_query("produces")))}
    assert {("Peru", "Country"), ("Codelco", "Company"), ("Escondida mine", "Mine")} <= rows



# -- failures are one clean line; memory and rows are bounded ----------------------------------

TRIPLE_TERM = "SELECT (<<( <http://e.org/a> <http://e.org/b> <http://e.org/c> )>> AS ?t) {}"
CROSS_PRODUCT = "SELECT * WHERE {?a ?b ?c . ?d ?e ?f . ?g ?h ?i} ORDER BY ?a ?d ?g"


@pytest.fixture(scope="module")
def big_nt(tmp_path_factory):
    """An N-Triples file of 3,000 triples: its three-way cross product does not fit in memory."""
    g = Graph()
    for i in range(3000):
        g.add((URIRef(f"https://e.org/s{i}"), URIRef("https://e.org/p"), Literal(i)))
    path = tmp_path_factory.mktemp("big") / "big.nt"
    path.write_bytes(g.serialize(format="nt", encoding="utf-8"))
    return path


def test_a_failed_query_prints_one_line_and_no_unsendable_noise(big_nt):
    """A pyoxigraph result dropped in another thread printed 'RuntimeError: ...is unsendable' on stderr."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "kg.cli", "query", str(big_nt), TRIPLE_TERM],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: ") and "unsendable" not in done.stderr


def test_a_failed_query_in_a_thread_drops_its_results_there(graph, monkeypatch):
    import gc
    import sys

    raised = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: raised.append(u.exc_value))
    for _ in range(3):
        with pytest.raises(KGError, match="triple terms"):
            run_query(graph, TRIPLE_TERM)
    gc.collect()
    assert raised == []


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not hasattr(os, "fork") or not os.path.exists("/proc/self/statm"), reason="POSIX with /proc")
def test_memory_is_bounded_in_a_child_process(big_nt, capsys):
    from kg.cli import main

    before = _rss()
    start = time.monotonic()
    assert main(["query", str(big_nt), CROSS_PRODUCT, "--max-memory", "200M"]) == 2
    assert time.monotonic() - start < 10
    assert _rss() - before < 100 * 1024 ** 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "more than 200M of memory" in err[0] and "--max-memory 400M" in err[0]
    assert main(["query", str(big_nt), "ASK { ?s ?p ?o }", "--max-memory", "lots"]) == 2
    assert "--max-memory: 'lots' is not a size" in capsys.readouterr().err
    # the timeout still holds in the child: it is killed, not waited for
    start = time.monotonic()
    assert main(["query", str(big_nt), CROSS_PRODUCT, "--max-memory", "4G", "--timeout", "0.5"]) == 2
    assert time.monotonic() - start < 5
    assert "query stopped after 0.5 s" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX")
def test_a_child_process_gives_the_same_results(graph):
    q = "SELECT ?s ?label ?c WHERE { ?s rdfs:label ?label OPTIONAL { ?s kgo:confidence ?c } } ORDER BY ?label"
    assert run_query(graph, q, max_memory=256 * 1024 ** 2).rows == run_query(graph, q).rows
    r = run_query(graph, "CONSTRUCT { ?c kgo:produces ?m } WHERE { ?c kgo:produces ?m }", max_memory=256 * 1024 ** 2)
    assert set(r.graph) == {(ENT.peru, KGO.produces, ENT.copper)}
    with pytest.raises(QueryError, match="bad SPARQL at line 1 column 1: cannot read on from 'SELEKT'"):
        run_query(graph, "SELEKT * WHERE { ?s ?p ?o }", max_memory=256 * 1024 ** 2)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX")
@pytest.mark.parametrize("frozen_before", [False, True])
def test_the_child_leaves_this_process_objects_alone(frozen_before):
    """The child neither collects nor so writes to the objects it was forked with; this process's
    garbage collector is as it was (and what the caller froze stays frozen)."""
    import gc

    from kg.query import _in_child, wait_for_query_processes

    def state(cancelled):
        return gc.isenabled(), gc.get_freeze_count() > 0

    wait_for_query_processes()  # the collectors of earlier tests' children, not frozen below then freed
    if frozen_before:
        gc.freeze()
    try:
        count = gc.get_freeze_count()
        assert _in_child(state, 30, 256 * 1024 ** 2) == (False, True)
        # a frozen object that is freed leaves the frozen generation, so the count may fall a
        # little while the child runs; unfrozen by the call it would be 0, frozen again, larger
        assert gc.isenabled() and (0 < gc.get_freeze_count() <= count if frozen_before
                                   else gc.get_freeze_count() == 0)
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


def _fresh_heap_report(cancelled):
    """In the query's child: its thread, whether a new block is advised for huge pages, and the
    MiB it can take before the bound refuses: first in 1 MiB blocks from its heap (the 64 MiB
    that glibc reserves for it), then in 40 MiB blocks, each a mapping of its own."""
    import ctypes
    import threading

    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    block = libc.malloc(1024 ** 2)
    huge = inside = False
    with open("/proc/self/smaps") as f:
        for line in f:
            if "-" in line.split()[0]:
                low, high = (int(x, 16) for x in line.split()[0].split("-"))
                inside = low <= block < high
            elif line.startswith("VmFlags:") and inside:
                huge = "hg" in line.split()
    base, taken = block & ~(64 * 1024 ** 2 - 1), 1
    while (block := libc.malloc(1024 ** 2)) and base <= block < base + 64 * 1024 ** 2:
        taken += 1
    while libc.malloc(40 * 1024 ** 2) and taken < 4096:
        taken += 40
    return threading.current_thread().name, huge, taken


@pytest.mark.skipif(not hasattr(os, "fork") or not os.path.exists("/proc/self/smaps"), reason="Linux")
def test_the_query_runs_on_a_heap_of_its_own_in_huge_pages_within_the_bound():
    """With glibc the child's query thread has a fresh heap in huge pages (no copy of the forked
    process's free memory page by page), and the memory bound counts that heap's reserve."""
    from kg import heap
    from kg.query import _in_child

    if heap.glibc() is None:
        pytest.skip("needs glibc and transparent huge pages")
    name, huge, taken = _in_child(_fresh_heap_report, 30, 256 * 1024 ** 2)
    assert name == "kg-query" and huge
    assert 160 <= taken <= 256  # MiB: never more than the bound, and most of it usable
    name, huge, taken = _in_child(_fresh_heap_report, 30, 64 * 1024 ** 2)  # too small to reserve 64 MiB
    assert name != "kg-query"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX")
def test_without_a_thread_to_be_had_the_child_runs_the_query_itself(monkeypatch):
    import threading

    from kg.query import _in_child

    def refused(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refused)
    name, _, taken = _in_child(_fresh_heap_report, 30, 256 * 1024 ** 2)
    assert name == threading.main_thread().name and taken > 0  # ran, in the only thread


def test_limit_stops_reading_rows(big_nt, graph, monkeypatch, capsys):
    from kg.cli import main

    def no_fork():
        raise AssertionError("the Python API must not fork unless asked")

    monkeypatch.setattr(os, "fork", no_fork)
    r = run_query(graph, "SELECT ?s WHERE { ?s a kgo:Country } ORDER BY ?s", limit=2)
    assert labels(r) == [(str(ENT.chile),), (str(ENT.japan),)] and r.truncated
    assert not run_query(graph, "SELECT ?s WHERE { ?s a kgo:Country }", limit=3).truncated
    assert format_result(r, "table").splitlines()[-1] == \
        "(showing 2 of at least 3 rows; use --limit N for more, --limit 0 for all)"
    with pytest.raises(QueryError, match="limit must be"):
        run_query(graph, "ASK {}", limit=-1)
    monkeypatch.undo()

    assert main(["query", str(big_nt), "SELECT ?s WHERE { ?s ?p ?o }"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 + 100 + 1 and out[-1].startswith("(showing 100 of at least 101 rows; use --limit")
    assert main(["query", str(big_nt), "SELECT ?s WHERE { ?s ?p ?o }", "--format", "csv", "--limit", "5"]) == 0
    cap = capsys.readouterr()
    assert len(cap.out.splitlines()) == 6 and cap.err.strip() == \
        "kg: note: showing 5 of at least 6 rows; use --limit N for more, --limit 0 for all"
    assert main(["query", str(big_nt), "SELECT ?s WHERE { ?s ?p ?o }", "--format", "csv"]) == 0
    cap = capsys.readouterr()
    assert len(cap.out.splitlines()) == 3001 and cap.err == ""
    assert main(["query", str(big_nt), "SELECT ?s WHERE { ?s ?p ?o }", "--limit", "0"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3002
    assert main(["query", str(big_nt), "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "--limit", "3"]) == 0
    ttl = capsys.readouterr().out
    assert len(Graph().parse(data=ttl, format="turtle")) == 3 and "# showing 3 of at least 4 triples" in ttl


# -- bad SPARQL in words ------------------------------------------------------------------------

def test_unknown_prefix_is_named_with_the_known_ones(graph):
    with pytest.raises(QueryError) as err:
        run_query(graph, "PREFIX ex: <https://e.org/>\nSELECT ?x WHERE { ?x ex:p ?y ; foo:bar ?z }")
    msg = str(err.value)
    assert "unknown prefix 'foo:' (foo:bar at line 2 column 32)" in msg
    assert "known prefixes: dcterms, doc, ent, ev, fact, kgo, owl, prov, rdf, rdfs, skos, wd, xsd" in msg
    assert "\\u{" not in msg and "'ex:'" not in msg


@pytest.mark.parametrize("update", [
    "INSERT DATA { <https://e.org/a> <https://e.org/b> <https://e.org/c> }",
    "PREFIX ex: <https://e.org/>\n# remove\ndelete where { ?s ex:p ?o }",
    "LOAD <https://e.org/data.ttl>",
    "CLEAR ALL", "CREATE GRAPH <https://e.org/g>", "DROP ALL",
])
def test_updates_are_refused_as_read_only(graph, update):
    with pytest.raises(QueryError) as err:
        run_query(graph, update)
    keyword = update.split("\n")[-1].split()[0].upper()
    assert str(err.value).startswith(f"kg query is read-only: {keyword} would change the graph")
    assert len(run_query(graph, 'SELECT ?s WHERE { ?s ?p "DROP ALL" }').rows) == 0


@pytest.mark.parametrize("query, where", [
    ("SELECT ?s WHERE { ?s ?p ?o } LIMT 3", "at line 1 column 30: cannot read on from 'LIMT'"),
    ("SELEKT * WHERE { ?s ?p ?o }", "at line 1 column 1: cannot read on from 'SELEKT'"),
    ("SELECT * WHERE {\n  ?s ?p ?o FILTER(?o > ) }", "at line 2 column 12: cannot read on from 'FILTER'"),
    ("SELECT * WHERE { ?s ?p ?o", "at line 1 column 26: the query ends too early"),
    ("SELECT (COUNT(*) AS ?c) ?s WHERE { ?s ?p ?o }", "the SELECT contains a variable that is unbound"),
    ("ASK { ?s <p> ?o }", "relative IRI <p> at line 1 column 10"),
])
def test_syntax_errors_say_where_and_what_in_words(graph, query, where):
    with pytest.raises(QueryError) as err:
        run_query(graph, query)
    msg = str(err.value)
    assert msg.startswith("bad SPARQL") and where in msg
    assert "\\u{" not in msg and "[_]" not in msg and "'..='" not in msg and "\n" not in msg


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX")
def test_a_bug_in_the_child_is_reported_as_one(graph, monkeypatch):
    import kg.query

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(kg.query, "_oxigraph_query", broken)
    with pytest.raises(RuntimeError, match="in the query's process: ZeroDivisionError: boom"):
        run_query(graph, "ASK {}", max_memory=256 * 1024 ** 2)

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(kg.query, "_oxigraph_query", exhausted)  # in the child's query thread too
    for bound, shown in ((256 * 1024 ** 2, "256M"), (64 * 1024 ** 2, "64M")):
        with pytest.raises(QueryError, match=f"^query stopped: it needed more than {shown} of memory"):
            run_query(graph, "ASK {}", max_memory=bound)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX")
def test_a_query_rendered_in_its_child_sends_back_only_text(graph, monkeypatch):
    """kg query formats the result where the query ran: the rows never travel back as rdflib terms."""
    import pickle

    from kg import query as kgquery
    from kg.query import RenderedResult, render_query

    sent: list[object] = []
    outcome = kgquery._child_outcome

    def seen(data, errors, status, max_memory):
        sent.append(pickle.loads(data)[1])
        return outcome(data, errors, status, max_memory)

    monkeypatch.setattr(kgquery, "_child_outcome", seen)
    queries = [load_query("produces"), "ASK { ent:peru kgo:produces ?m }",
               "CONSTRUCT { ?c kgo:produces ?m } WHERE { ?c kgo:produces ?m }",
               "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label"]
    for q in queries:
        for fmt in ("table", "csv", "tsv", "json"):
            whole = run_query(graph, q, limit=2)
            got = render_query(graph, q, fmt, limit=2, max_memory=256 * 1024 ** 2)
            assert type(sent[-1]) is RenderedResult  # text, not a QueryResult of terms
            assert got.text == format_result(whole, fmt)
            assert (got.rows, got.truncated, got.note) == (len(whole), whole.truncated, truncation_note(whole))
    assert render_query(graph, queries[0], "csv").text == format_result(run_query(graph, queries[0]), "csv")
    with pytest.raises(QueryError, match="unknown result format 'xml'"):
        render_query(graph, queries[0], "xml")



@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_and_tsv_text_from_pyoxigraph_terms_is_that_of_rdflib_terms(fmt):
    """CSV and TSV are written from pyoxigraph's terms as the query gives them (no rdflib terms
    made for every value); the text is the same as from the rdflib terms, for every kind of term."""
    from rdflib import BNode, Literal, URIRef

    from kg.query import _oxigraph_query, render_query
    from kg.rdf import new_graph

    g = new_graph()
    s, b = URIRef("https://e.org/a"), BNode("b1")
    for o in (Literal("tab\there, \"quoted\"\nline"), Literal("Pérou", lang="fr"), Literal(7),
              Literal("2024-05-01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")), b,
              URIRef("https://e.org/c")):
        g.add((s, URIRef("https://e.org/p"), o))
    q = "SELECT ?o ?missing WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?missing } } ORDER BY STR(?o)"
    import threading

    raw = _oxigraph_query(g, q, {}, threading.Event(), raw=True)
    assert not any(isinstance(t, (URIRef, Literal, BNode)) for row in raw.rows for t in row)
    text = render_query(g, q, fmt).text
    expected = format_result(run_query(g, q), fmt)
    # a blank node's id is the store's in one, a fresh rdflib id in the other: the same apart from that
    bnode_free = [line for line in expected.splitlines() if "_:" not in line]
    assert [line for line in text.splitlines() if "_:" not in line] == bnode_free
    assert len(raw.rows) == 6 and len(text.splitlines()) == len(expected.splitlines())
    assert sum("_:" in line for line in text.splitlines()) == sum("_:" in line for line in expected.splitlines()) == 1


def _big_outcome(cancelled):
    return "x" * (3 * 1024 ** 2 + 17)  # many reads of the pipe, and a length no read ends on


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX")
def test_the_child_outcome_arrives_whole_and_the_child_is_collected():
    """The outcome is framed by its length: all of a large one arrives, the call returns without
    waiting for the child to end, and the child is then collected (no zombie is left)."""
    from kg.query import _in_child, wait_for_query_processes

    for _ in range(3):
        assert _in_child(_big_outcome, 30, 256 * 1024 ** 2) == _big_outcome(None)
    wait_for_query_processes()
    try:
        assert os.waitpid(-1, os.WNOHANG) == (0, 0)  # children still running, if any; none ended and left
    except ChildProcessError:
        pass  # no child at all


def _rss_anon_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("RssAnon:"))


@pytest.mark.skipif(not sys.platform.startswith("linux") or not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"),
                    reason="glibc on Linux")
def test_the_heap_is_trimmed_before_a_query_forks():
    """Memory this process freed but still maps is given back before the fork (fewer pages for it to copy)."""
    from kg import heap

    keep = [bytes(2000) for _ in range(40_000)]  # ~80 MB from malloc, with a block kept after each ten
    pinned = keep[::10]
    del keep
    before = _rss_anon_kb()
    assert heap.trim() is True
    assert before - _rss_anon_kb() > 40_000  # most of the ~72 MB freed above is no longer mapped
    del pinned


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX")
def test_a_query_child_is_forked_after_the_heap_is_trimmed(monkeypatch):
    from kg import heap
    from kg.query import _in_child

    calls = []
    monkeypatch.setattr(heap, "trim", lambda: calls.append(os.getpid()) or True)
    assert _in_child(_big_outcome, 30, 256 * 1024 ** 2) == _big_outcome(None)
    assert calls == [os.getpid()]  # once, in this process, before the fork
