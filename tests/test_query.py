"""kg.query: bundled queries, bindings, timeouts, errors and result formats."""
from __future__ import annotations

import csv
import io
import json
import time

import pytest
from rdflib import Graph, Literal, URIRef

from kg.errors import InputError, QueryError
from kg.model import BuildResult, Entity, Evidence, Fact
from kg.query import (
    QUERIES_DIR, QueryResult, about_query, bundled_queries, format_result, load_query, run_query,
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
    assert "line 3 column" in msg and "\n" not in msg
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

