"""The Python API: kg.build, kg.load and KnowledgeGraph."""
from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

import kg
from kg.api import KnowledgeGraph, StrictModeError, build, load, normalise_formats
from kg.errors import InputError, KGError, OutputError
from kg.model import BuildResult, SentenceTrace

SEED = Path(__file__).resolve().parent.parent / "seeds" / "japan-peru-critical-minerals.txt"


def test_lazy_reexports():
    assert kg.build is build and kg.load is load and kg.KnowledgeGraph is KnowledgeGraph


def test_seed_graph(seed_graph):
    assert isinstance(seed_graph.graph, rdflib.Graph)
    assert isinstance(seed_graph.result, BuildResult)
    s = seed_graph.summary()
    assert s["documents"] == 1 and s["entities"] > 3 and s["facts"] > 3
    assert (s["warnings"], s["skipped"]) == (0, 0)
    assert [d.name for d in seed_graph.result.documents] == ["japan-peru-critical-minerals.txt"]
    assert "KnowledgeGraph" in repr(seed_graph) and len(seed_graph) == len(seed_graph.graph)


def test_build_texts_is_deterministic(nlp):
    texts = ["Peru produces copper and zinc.", "Japan and Peru signed an agreement to cooperate."]
    a, b = build(texts=texts), build(texts=texts)
    assert len(a.graph) > 0 and set(a.graph) == set(b.graph)
    assert a.summary()["documents"] == 2


def test_build_paths_and_texts_together(nlp):
    g = build([SEED], texts=["Chile produces lithium."])
    assert g.summary()["documents"] == 2


def test_build_needs_input():
    with pytest.raises(InputError, match="nothing to build"):
        build()


def test_missing_path_is_an_input_error():
    with pytest.raises(InputError) as exc:
        build(["no/such/file.txt"])
    assert exc.value.exit_code == 2 and "no/such/file.txt" in str(exc.value)


def test_bad_min_confidence():
    with pytest.raises(InputError, match="between 0 and 1"):
        build(texts=["Peru produces copper."], min_confidence=1.5)


def test_strict_and_warnings(nlp):
    heard = []
    g = build(texts=["Peru produces copper.", ""], on_warning=heard.append)
    assert heard == ["text-2: empty, skipped"]
    assert g.summary()["warnings"] == 1 and g.summary()["skipped"] == 1
    with pytest.raises(StrictModeError) as exc:
        build(texts=["Peru produces copper.", ""], strict=True)
    assert exc.value.exit_code == 1 and isinstance(exc.value, KGError)


def test_a_repeated_text_is_not_a_strict_failure(nlp):
    g = build(texts=["Peru produces copper.", "Peru produces copper."], strict=True)
    assert g.summary()["documents"] == 1


def test_nothing_readable(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(InputError, match="no readable articles"):
        build([tmp_path])


def test_explain_collects_traces(nlp):
    traces: list = []
    build(texts=["Peru produces copper and zinc."], explain=traces)
    assert traces and all(isinstance(t, SentenceTrace) for t in traces)
    kept = [c for t in traces for c in t.candidates if c.kept]
    assert any(c.predicate == "produces" for c in kept)


def _fact_confidences(graph: rdflib.Graph) -> dict:
    from kg.ontology import KGO

    return {f: float(graph.value(f, KGO.confidence)) for f in graph.subjects(rdflib.RDF.type, KGO.Fact)}


def test_min_confidence_filters(seed_graph):
    every = _fact_confidences(seed_graph.graph)
    levels = sorted(set(every.values()))
    assert len(levels) >= 2, "the seed should give facts of different confidences"
    threshold = levels[len(levels) // 2]  # an actual confidence above the lowest one
    filtered = build([SEED], min_confidence=threshold)
    kept = _fact_confidences(filtered.graph)
    assert kept and all(c >= threshold for c in kept.values())
    assert set(kept) == {f for f, c in every.items() if c >= threshold}
    assert len(kept) < len(every)  # at least one fact was dropped


def test_views(seed_graph):
    G = seed_graph.networkx()
    assert G.number_of_nodes() > 3 and seed_graph.networkx() is G
    assert seed_graph.analyze() is seed_graph.analyze()
    assert seed_graph.report().startswith("#")
    assert "<html" in seed_graph.html().lower()
    assert seed_graph.validate().conforms
    rows = seed_graph.query("SELECT ?m WHERE { ?c kgo:produces ?m }")
    assert len(rows) >= 1


def test_save_and_load_round_trip(seed_graph, tmp_path):
    paths = seed_graph.save(tmp_path / "out", formats="nt,jsonld")
    assert sorted(paths) == ["html", "jsonld", "manifest", "nt", "report", "ttl"]
    assert all(p.is_file() for p in paths.values())
    for source in (tmp_path / "out", paths["ttl"], paths["nt"], paths["jsonld"]):
        loaded = load(source)
        assert loaded.result is None
        assert len(loaded.graph) == len(seed_graph.graph)
        s, t = loaded.summary(), seed_graph.summary()
        assert {k: s[k] for k in ("documents", "entities", "facts")} == \
               {k: t[k] for k in ("documents", "entities", "facts")}


def test_save_is_all_or_nothing(seed_graph, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.ttl").write_text("OLD")
    import kg.rdfio

    real = kg.rdfio.serialize

    def failing(graph, fmt):
        if fmt == "jsonld":
            raise RuntimeError("serializer failed")
        return real(graph, fmt)

    monkeypatch.setattr(kg.rdfio, "serialize", failing)
    with pytest.raises(RuntimeError):
        seed_graph.save(out, formats=("nt", "jsonld"))
    assert [p.name for p in out.iterdir()] == ["graph.ttl"]
    assert (out / "graph.ttl").read_text() == "OLD"


def test_save_into_a_file_fails(seed_graph, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        seed_graph.save(f)


def test_formats():
    assert normalise_formats(None) == ("ttl",)
    assert normalise_formats(["turtle", "N-Triples", "trig,json-ld"]) == ("ttl", "nt", "trig", "jsonld")
    with pytest.raises(OutputError, match="unknown output format 'xml'"):
        normalise_formats("xml")


def test_load_missing():
    with pytest.raises(InputError):
        load("no/such/graph.ttl")


def test_lone_surrogate_in_a_text_is_removed_not_a_crash(nlp):
    g = build(texts=["Chile\ud800 exports lithium.", "Peru produces copper \ud83d\ude00."])
    from kg.model import content_id

    # the documents are kept without their text (a build streams them): their ids are the cleaned texts' hashes
    ids = {d.id for d in g.result.documents}
    assert ids == {content_id("Chile exports lithium."), content_id("Peru produces copper \U0001F600.")}
    assert g.validate().conforms


def test_duplicate_between_files_and_texts_keeps_the_first(nlp, tmp_path):
    (tmp_path / "a.txt").write_text("Peru produces copper.", encoding="utf-8")
    heard: list[str] = []
    g = build([tmp_path], texts=["Peru produces copper.", "Chile produces lithium."], on_warning=heard.append)
    assert [d.name for d in g.result.documents] == ["a.txt", "text-2"]
    assert heard == ["text-1: duplicate of a.txt, skipped"]
    s = g.summary()
    assert (s["documents"], s["warnings"], s["skipped"]) == (2, 1, 1)  # the repeat is skipped, and counted
    strict = build([tmp_path], texts=["Peru produces copper."], strict=True)  # a duplicate is no problem
    assert [d.name for d in strict.result.documents] == ["a.txt"]


def test_exclude_keeps_the_output_folder_out_of_the_inputs(nlp, tmp_path):
    (tmp_path / "a.txt").write_text("Peru produces copper.", encoding="utf-8")
    build([tmp_path]).save(tmp_path / "out")
    again = build([tmp_path], exclude=[tmp_path / "out"])
    assert [d.name for d in again.result.documents] == ["a.txt"]
    assert again.summary()["warnings"] == 0


def test_save_makes_the_entity_graph_and_centrality_once(seed_graph, tmp_path, monkeypatch):
    from kg import analysis, view

    calls = {"entity_graph": 0, "centrality": 0}

    def counted(name, fn):
        def wrapper(*args, **kw):
            calls[name] += 1
            return fn(*args, **kw)
        return wrapper

    for module in (analysis, view):
        for name in calls:
            if hasattr(module, name):  # kg.view computes only PageRank, and only when not given it
                monkeypatch.setattr(module, name, counted(name, getattr(analysis, name)))
    fresh = KnowledgeGraph(seed_graph.graph, seed_graph.result)
    paths = fresh.save(tmp_path / "out")
    assert calls == {"entity_graph": 1, "centrality": 1}
    assert "<html" in paths["html"].read_text(encoding="utf-8").lower()
    assert paths["report"].read_text(encoding="utf-8") == seed_graph.report()
    assert fresh.html() == seed_graph.html()


def test_an_article_not_in_english_is_named_and_skipped(tmp_path, nlp):
    """It used to build silently to 0 entities and 0 facts."""
    from kg.api import build

    (tmp_path / "es.txt").write_text("El Perú es uno de los mayores productores de cobre del mundo y también tiene "
                                     "grandes reservas de zinc y plata; la mayor parte de su producción se exporta "
                                     "a China, que la compra para sus fundiciones.")
    (tmp_path / "en.txt").write_text("Peru produces copper and zinc.")
    warnings = []
    g = build([tmp_path], on_warning=warnings.append, nlp=nlp)
    assert [d.name for d in g.result.documents] == ["en.txt"]
    assert any("es.txt" in w and "not English (looks like es)" in w for w in warnings)
    assert g.summary()["skipped"] == 1


def test_terse_english_is_never_taken_for_another_language(nlp):
    from kg.api import build

    g = build(texts=["Peru produces copper. Chile mines lithium. " * 10], nlp=nlp)
    assert g.summary()["documents"] == 1 and g.summary()["facts"] >= 2
