"""The persistent, incremental store (kg.store): same graph as a plain build, nothing parsed twice,
one transaction per batch (a real SIGKILL), retraction, queries in place, export."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF
from rdflib.compare import isomorphic

from kg import api, cli
from kg import store as kgstore
from kg.errors import KGError
from kg.rdf import document_iri

ROOT = Path(__file__).resolve().parent.parent

TEXTS = {
    "a-peru.txt": "Peru Expands Copper Output\n\nPeru produces copper and zinc. Japan depends on imports of "
                  "critical minerals.\nJapan and Peru signed an agreement to cooperate on critical minerals.\n",
    "b-chile.txt": "Chile Expands Lithium Output\n\nChile produces lithium and copper. Lithium is used in electric "
                   "vehicle batteries.\nChina dominates the processing of rare earths.\n",
    "c-peru-again.txt": "Peru and Copper\n\nPeru produces copper. Australia produces lithium and cobalt.\n",
}


def write_texts(folder: Path, names=TEXTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(TEXTS[name], encoding="utf-8")
    return folder


def union(folder: Path):
    with kgstore.open_store(folder, read_only=True) as st:
        return st.rdflib_graph()


def nquads(folder: Path) -> list[str]:
    with kgstore.open_store(folder, read_only=True) as st:
        return sorted(str(q) for q in st.quads())


@pytest.fixture
def parse_calls(monkeypatch):
    """The documents parsed by spaCy, counted where the extraction driver parses them."""
    from kg.extract import run

    calls: list[str] = []
    real = run.parse_documents

    def counting(documents, nlp, **kw):
        calls.extend(d.name for d in documents)
        return real(documents, nlp, **kw)

    monkeypatch.setattr(run, "parse_documents", counting)
    return calls


def test_store_graph_is_the_plain_build_graph(tmp_path, nlp):
    texts = write_texts(tmp_path / "texts")
    plain = api.build([texts], nlp=nlp).graph
    kg = api.build([texts], nlp=nlp, store=tmp_path / "kb", batch_size=1)
    assert kg.build_report.batches == 3
    assert kg.sparql().store is kg.store.oxigraph  # queries run on the store itself
    assert isomorphic(union(tmp_path / "kb"), plain)
    assert kg.summary() == api.KnowledgeGraph(plain).summary()
    with kgstore.open_store(tmp_path / "kb", read_only=True) as st:  # one graph per document + the entity layer
        names = {str(g.value) for g in st.oxigraph.named_graphs()}
        assert names == {str(document_iri(d)) for d in st.documents()} | {str(kgstore.ENTITY_GRAPH)}
        facts = {q.graph_name.value for q in st.oxigraph.quads_for_pattern(
            None, ox.NamedNode(str(RDF.type)), ox.NamedNode("https://w3id.org/kg-minerals/ontology#Fact"))}
        evidence = {q.graph_name.value for q in st.oxigraph.quads_for_pattern(
            None, ox.NamedNode(str(RDF.type)), ox.NamedNode("https://w3id.org/kg-minerals/ontology#Evidence"))}
    assert facts == {str(kgstore.ENTITY_GRAPH)} and str(kgstore.ENTITY_GRAPH) not in evidence


def test_same_build_twice_parses_nothing_and_changes_nothing(tmp_path, nlp, parse_calls):
    texts = write_texts(tmp_path / "texts", ["a-peru.txt", "b-chile.txt"])
    api.build([texts], nlp=nlp, store=tmp_path / "kb")
    assert sorted(parse_calls) == ["a-peru.txt", "b-chile.txt"]
    before = nquads(tmp_path / "kb")
    parse_calls.clear()
    kg = api.build([texts], nlp=nlp, store=tmp_path / "kb")
    assert parse_calls == [] and kg.build_report.unchanged == 2
    assert nquads(tmp_path / "kb") == before
    write_texts(texts, ["c-peru-again.txt"])  # one new article: only it is parsed
    api.build([texts], nlp=nlp, store=tmp_path / "kb")
    assert parse_calls == ["c-peru-again.txt"]
    assert isomorphic(union(tmp_path / "kb"), api.build([texts], nlp=nlp).graph)


def test_changed_file_replaces_its_old_document(tmp_path, nlp):
    texts = write_texts(tmp_path / "texts", ["a-peru.txt", "b-chile.txt"])
    api.build([texts], nlp=nlp, store=tmp_path / "kb")
    (texts / "b-chile.txt").write_text("Chile Update\n\nChile produces molybdenum. Chile exports copper.\n",
                                       encoding="utf-8")
    kg = api.build([texts], nlp=nlp, store=tmp_path / "kb")
    assert len(kg.build_report.replaced) == 1
    with kgstore.open_store(tmp_path / "kb", read_only=True) as st:
        assert sorted(st.documents().values()) == ["a-peru.txt", "b-chile.txt"]
        assert not st.record_path(kg.build_report.replaced[0]).exists()
    assert isomorphic(union(tmp_path / "kb"), api.build([texts], nlp=nlp).graph)


def test_remove_retracts_a_document_and_the_facts_only_it_supported(tmp_path, nlp, capsys):
    texts = write_texts(tmp_path / "texts", ["a-peru.txt", "c-peru-again.txt"])
    api.build([texts], nlp=nlp, store=tmp_path / "kb")
    both = api.load(tmp_path / "kb").query("SELECT ?n WHERE { ?f rdf:subject ent:peru ; rdf:object ent:copper ; "
                                           "kgo:evidenceCount ?n }").rows
    assert [int(r[0]) for r in both] == [2]
    assert cli.main(["remove", "c-peru-again.txt", "--store", str(tmp_path / "kb")]) == 0
    assert "removed 1 document(s)" in capsys.readouterr().out
    (texts / "c-peru-again.txt").unlink()
    after = api.load(tmp_path / "kb")
    assert isomorphic(after.graph, api.build([texts], nlp=nlp).graph)  # shared fact kept, its evidence recounted
    assert [int(r[0]) for r in after.query("SELECT ?n WHERE { ?f rdf:subject ent:peru ; rdf:object ent:copper ; "
                                           "kgo:evidenceCount ?n }").rows] == [1]
    assert not after.query("ASK { ?s kgo:produces ent:cobalt }").boolean  # only the removed article said it
    assert cli.main(["remove", "nothing.txt", "--store", str(tmp_path / "kb")]) == 2
    assert "no document 'nothing.txt'" in capsys.readouterr().err


def test_sigkill_mid_build_keeps_the_committed_batches_and_resumes(tmp_path, nlp, parse_calls):
    texts = write_texts(tmp_path / "texts")
    kb = tmp_path / "kb"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KG_STORE_PAUSE": "3"}
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(texts), "--store", str(kb),
                             "--batch-size", "1", "-q"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        committed: dict = {}
        while not committed and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            if kgstore.is_store(kb):
                with kgstore.open_store(kb, read_only=True) as st:
                    committed = st.documents()
        assert committed, proc.stderr.read().decode() if proc.poll() is not None else "no batch committed"
        while len(list((kb / "records").glob("*.json"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # the next batch is parsed and its record written; it waits 3 s to commit
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with kgstore.open_store(kb, read_only=True) as st:
        held = st.documents()
    assert list(held.values()) == ["a-peru.txt"]  # exactly the first batch, whole
    assert isomorphic(union(kb), api.build([texts / "a-peru.txt"], nlp=nlp).graph)
    parse_calls.clear()
    kg = api.build([texts], nlp=nlp, store=kb, batch_size=1)  # resume
    assert kg.build_report.unchanged == 1
    assert parse_calls == ["c-peru-again.txt"]  # b-chile.txt's record was written before the kill
    assert isomorphic(union(kb), api.build([texts], nlp=nlp).graph)


def test_query_analyze_view_validate_export_on_a_store(tmp_path, nlp, capsys, monkeypatch):
    texts = write_texts(tmp_path / "texts", ["a-peru.txt", "b-chile.txt"])
    kb = tmp_path / "kb"
    api.build([texts], nlp=nlp, store=kb)
    api.build([texts], nlp=nlp).save(tmp_path / "out")
    from kg import rdfio

    def no_rdflib(*a, **k):
        raise AssertionError("read through rdflib")

    monkeypatch.setattr(rdfio, "parse_rdf", no_rdflib)  # kg query reads files with pyoxigraph's own parser
    for source in (kb, tmp_path / "out", tmp_path / "out" / "graph.ttl"):
        assert cli.main(["query", str(source), "produces", "--format", "csv"]) == 0
    outputs = capsys.readouterr().out.split("producer,class,mineral,confidence")
    assert outputs[1] == outputs[2] == outputs[3] and "Peru,Country,copper" in outputs[1]
    monkeypatch.undo()
    assert cli.main(["validate", str(kb)]) == 0 and "conforms" in capsys.readouterr().out
    assert cli.main(["analyze", str(kb)]) == 0 and (kb / "report.md").is_file()
    assert cli.main(["view", str(kb), "-o", str(tmp_path / "v.html")]) == 0
    assert "Peru" in (tmp_path / "v.html").read_text(encoding="utf-8")  # the view of the store's graph
    for ext in (".ttl", ".nt", ".trig", ".nq"):
        assert cli.main(["export", str(kb), "-o", str(tmp_path / f"g{ext}")]) == 0
    assert isomorphic(rdfio.read_graph(tmp_path / "g.ttl"), api.load(tmp_path / "out").graph)
    assert isomorphic(rdfio.read_graph(tmp_path / "g.nt"), api.load(tmp_path / "out").graph)
    graphs = {q.graph_name for q in ox.parse(path=str(tmp_path / "g.trig"))}
    assert len(graphs) == 3 and graphs == {q.graph_name for q in ox.parse(path=str(tmp_path / "g.nq"))}


def test_one_pyoxigraph_store_per_knowledge_graph(monkeypatch):
    import kg.query as kgquery
    from kg import rdfio
    from kg.rdf import example_result, to_rdf

    copies = []
    real = rdfio.oxigraph_quads

    def counting(graph, **kw):
        copies.append(1)
        return real(graph, **kw)

    monkeypatch.setattr(rdfio, "oxigraph_quads", counting)
    monkeypatch.setattr(kgquery, "oxigraph_quads", counting)
    g = api.KnowledgeGraph(to_rdf(example_result()))
    for _ in range(3):
        assert g.query("ASK { ent:peru kgo:produces ent:copper }").boolean
    assert len(copies) == 1


def test_store_errors_are_one_line(tmp_path, capsys, nlp):
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "notes.txt").write_text("x")
    assert cli.main(["export", str(tmp_path / "plain"), "-o", str(tmp_path / "g.ttl")]) == 2
    assert f"{tmp_path / 'plain'}: not a kg store (no kg-store.json)" in capsys.readouterr().err
    texts = write_texts(tmp_path / "texts", ["a-peru.txt"])
    assert cli.main(["build", str(texts), "--store", str(tmp_path / "plain")]) == 2
    assert "exists and is not a kg store" in capsys.readouterr().err
    api.build([texts], nlp=nlp, store=tmp_path / "kb")
    assert cli.main(["build", str(texts), "--store", str(tmp_path / "kb"), "--extractor", "rules"]) == 2
    assert "built with extractor" in capsys.readouterr().err
    assert cli.main(["export", str(tmp_path / "kb"), "-o", str(tmp_path / "g.xyz")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    with kgstore.open_store(tmp_path / "kb"):  # another writer holds Oxigraph's lock
        assert cli.main(["remove", "a-peru.txt", "--store", str(tmp_path / "kb")]) == 2
    err = capsys.readouterr().err
    assert "the store is open for writing in another process" in err and len(err.strip().splitlines()) == 1
    assert cli.main(["build", str(texts), "--store", str(tmp_path / "kb2"), "-o", str(tmp_path / "o")]) == 2
    assert "-o does not go with --store" in capsys.readouterr().err


def synthetic_record(i: int, rng) -> dict:
    """A document record with names read as different classes in different documents (so classes
    settle differently as documents come and go), facts shared between documents, and a date."""
    from kg.model import Document, Evidence, Fact

    pool = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    classes = ["Country", "Mineral", "Company", "Person"]
    labels, kinds, forms, rows = {}, {}, {}, []
    for _ in range(rng.randint(1, 4)):
        s, o = rng.sample(pool, 2)
        prop = rng.choice(["produces", "partnersWith", "investsIn", "exports"])
        for key in (s, o):
            label = key.title() + rng.choice(["", " Ltd"])
            labels.setdefault(key, {})[label] = labels.get(key, {}).get(label, 0) + 1
            kinds.setdefault(key, {})[rng.choice(classes)] = rng.randint(0, 3)
            forms.setdefault(key, set()).add(label)
        start = rng.randint(0, 50)
        rows.append((s, prop, o, start, rng.choice(["verb:x", "classifier"]), round(rng.uniform(0.3, 0.95), 2),
                     rng.choice(["asserted", "asserted", "hedged", "negated"])))
    doc = Document.from_text(f"synthetic {i}", name=f"d{i:02d}.txt", date=rng.choice(["2024-01-02", "soon"]))
    facts = [Fact(s, p, o, (Evidence(doc.id, f"sentence {start}", start, start + 9, rule, c, m),))
             for s, p, o, start, rule, c, m in rows]
    return kgstore.document_record(doc, facts, labels, kinds, forms)


@pytest.mark.parametrize("seed", range(4))
def test_incremental_commits_keep_the_store_equal_to_a_full_build(tmp_path, seed):
    import random

    rng = random.Random(seed)
    records = [synthetic_record(i, rng) for i in range(12)]
    live: dict[str, dict] = {}
    with kgstore.open_store(tmp_path / "kb", create=True, settings={"min_confidence": 0.5 * (seed % 2)}) as st:
        committer = kgstore.Committer(st)
        for step in range(10):
            added = rng.sample(records, rng.randint(0, 3))
            gone = rng.sample(sorted(live), min(len(live), rng.randint(0, 2)))
            committer.commit([r for r in added if r["id"] not in gone], gone)
            for doc_id in gone:
                live.pop(doc_id)
            live.update((r["id"], r) for r in added if r["id"] not in gone)
            _, expected = kgstore.combine(live.values(), min_confidence=0.5 * (seed % 2))
            assert isomorphic(st.rdflib_graph(), expected), f"step {step}"
            assert sorted(st.documents()) == sorted(live)


def test_texts_given_as_strings_add_up(tmp_path, nlp):
    """Strings are named by their position (text-1...): a later string is another article, not a new
    version of the one before (only files are replaced by name)."""
    api.build(texts=["Peru produces copper."], nlp=nlp, store=tmp_path / "kb")
    kg = api.build(texts=["Chile produces lithium."], nlp=nlp, store=tmp_path / "kb")
    assert kg.build_report.replaced == [] and kg.summary()["documents"] == 2
    assert kg.query("ASK { ent:peru kgo:produces ent:copper . ent:chile kgo:produces ent:lithium }").boolean


def test_a_strict_build_refused_by_the_store_lets_its_spooled_inputs_go(tmp_path, nlp):
    """--strict reads every input into a temporary file before the first commit; when the store
    then refuses the build (other settings), that file is closed, not left to the collector."""
    import gc
    import warnings

    texts = write_texts(tmp_path / "in")
    api.build([texts], nlp=nlp, store=tmp_path / "kb", extractor="hybrid")
    more = write_texts(tmp_path / "more", names=list(TEXTS)[:1])
    (more / "new.txt").write_text("Chile produces lithium at the Atacama salt flat.", encoding="utf-8")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(KGError):
            api.build([more], nlp=nlp, store=tmp_path / "kb", strict=True, extractor="rules")
        gc.collect()
    assert not [w for w in seen if issubclass(w.category, ResourceWarning)]



def test_a_store_build_decides_facts_as_a_plain_build_does(nlp, tmp_path):
    """With the rules alone, a vote for the classifier only (a company named for a mineral) is
    no fact in a store either."""
    texts = tmp_path / "in"
    texts.mkdir()
    (texts / "s.txt").write_text("The shares of Southern Copper Corporation were listed in New York. "
                                 "Chile produces copper.", encoding="utf-8")
    api.build([texts], nlp=nlp, store=tmp_path / "kb", extractor="rules")
    assert isomorphic(union(tmp_path / "kb"), api.build([texts], nlp=nlp, extractor="rules").graph)
