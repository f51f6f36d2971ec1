"""Tests of kg.analysis on small RDF graphs built by hand in the documented layout."""
from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import networkx as nx
import pytest
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.analysis import (
    Analysis,
    analyze,
    centrality,
    clean_text,
    communities,
    components,
    entity_graph,
    format_table,
    generate_report,
    supply_chains,
    write_gexf,
    write_graphml,
    write_report,
)
from kg.ontology import KGO, WD

ENT = Namespace("https://w3id.org/kg-minerals/entity/")
FACT = Namespace("https://w3id.org/kg-minerals/fact/")
EV = Namespace("https://w3id.org/kg-minerals/evidence/")
DOC = Namespace("https://w3id.org/kg-minerals/document/")

ENTITIES = {
    "peru": ("Peru", "Country", "Q419"),
    "chile": ("Chile", "Country", None),
    "japan": ("Japan", "Country", "Q17"),
    "china": ("China", "Country", "Q148"),
    "copper": ("copper", "Mineral", "Q753"),
    "lithium": ("lithium", "Mineral", None),
    "codelco": ("Codelco", "Company", None),
    "ev-batteries": ("electric vehicle batteries", "Product", None),
    "usa": ("United States", "Country", None),
    "australia": ("Australia", "Country", None),
}
DOCUMENTS = {
    "doc-a": {"title": "Peru and its copper", "source": "https://example.org/news/peru-copper",
              "file": "01-peru.txt"},
    "doc-b": {"title": None, "source": "not a url", "file": "02-chile.txt"},
}
# (subject, property, object, [(sentence, doc, confidence, modality)], fact confidence)
FACTS = [
    ("peru", "produces", "copper", [("Peru is rich in copper.", "doc-a", 0.8, "asserted"),
                                    ("Peru mines copper in the Andes.", "doc-b", 0.7, "asserted")], 0.87),
    ("chile", "produces", "copper", [("Chile produces copper.", "doc-b", 0.9, "asserted")], 0.9),
    ("chile", "produces", "lithium", [("Chile extracts lithium.", "doc-b", 0.8, "asserted")], 0.8),
    ("codelco", "locatedIn", "chile", [("Codelco, based in Chile, ...", "doc-b", 0.7, "asserted")], 0.7),
    ("peru", "partnersWith", "japan", [("Peru and Japan signed a partnership.", "doc-a", 0.75, "hedged")], 0.75),
    ("chile", "supplies", "china", [("Chile supplies China.", "doc-b", 0.6, "asserted")], 0.6),
    ("china", "imports", "copper", [("China imports copper.", "doc-a", 0.85, "asserted")], 0.85),
    ("lithium", "usedIn", "ev-batteries", [("Lithium is essential for EV batteries.", "doc-a", 0.9,
                                            "asserted")], 0.9),
    ("usa", "partnersWith", "australia", [("The US and Australia agreed to cooperate.", "doc-a", 0.8,
                                           "planned")], 0.8),
    ("japan", "produces", "lithium", [("Japan does not produce lithium.", "doc-a", 0.8, "negated")], 0.8),
]


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def build_graph(entities=None, facts=None, documents=None) -> Graph:
    """An RDF graph in the layout of docs/architecture.md (what kg.rdf writes)."""
    entities = ENTITIES if entities is None else entities
    facts = FACTS if facts is None else facts
    documents = DOCUMENTS if documents is None else documents
    g = Graph()
    for doc_id, meta in documents.items():
        d = DOC[doc_id]
        g.add((d, RDF.type, KGO.Document))
        g.add((d, RDF.type, PROV.Entity))
        if meta.get("title"):
            g.add((d, DCTERMS.title, Literal(meta["title"])))
        src = meta.get("source")
        if src:
            g.add((d, DCTERMS.source, URIRef(src) if src.startswith("http") else Literal(src)))
        if meta.get("file"):
            g.add((d, KGO.fileName, Literal(meta["file"])))
    for slug, (label, cls, qid) in entities.items():
        g.add((ENT[slug], RDF.type, KGO[cls]))
        g.add((ENT[slug], RDFS.label, Literal(label)))
        if qid:
            g.add((ENT[slug], OWL.sameAs, WD[qid]))
    for s, p, o, evidence, conf in facts:
        f = FACT[_sha(f"{s}|{p}|{o}")]
        asserted = any(m != "negated" for *_, m in evidence)
        if asserted:
            g.add((ENT[s], KGO[p], ENT[o]))
        for node, cls in ((f, KGO.Fact),):
            g.add((node, RDF.type, RDF.Statement))
            g.add((node, RDF.type, cls))
        g.add((f, RDF.subject, ENT[s]))
        g.add((f, RDF.predicate, KGO[p]))
        g.add((f, RDF.object, ENT[o]))
        g.add((f, KGO.confidence, Literal(str(conf), datatype=XSD.decimal)))
        g.add((f, KGO.evidenceCount, Literal(len(evidence))))
        g.add((f, KGO.asserted, Literal(asserted)))
        for i, (sentence, doc_id, c, modality) in enumerate(evidence):
            e = EV[_sha(f"{f}|{doc_id}|{i}|{modality}")]
            g.add((e, RDF.type, RDF.Statement))
            g.add((e, RDF.type, KGO.Evidence))
            g.add((e, RDF.subject, ENT[s]))
            g.add((e, RDF.predicate, KGO[p]))
            g.add((e, RDF.object, ENT[o]))
            g.add((e, KGO.supports, f))
            g.add((e, PROV.wasDerivedFrom, DOC[doc_id]))
            g.add((e, KGO.sentence, Literal(sentence)))
            g.add((e, KGO.startChar, Literal(i * 100)))
            g.add((e, KGO.endChar, Literal(i * 100 + len(sentence))))
            g.add((e, KGO.confidence, Literal(str(c), datatype=XSD.decimal)))
            g.add((e, KGO.rule, Literal("test")))
            g.add((e, KGO.modality, Literal(modality)))
    return g


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return entity_graph(build_graph())


@pytest.fixture(scope="module")
def analysis(G) -> Analysis:
    return analyze(G)


def n(slug: str) -> str:
    return str(ENT[slug])


# --------------------------------------------------------------------------- entity_graph

def test_nodes_are_entities_with_attributes(G):
    assert set(G) == {n(s) for s in ENTITIES}
    assert G.nodes[n("peru")] == {"label": "Peru", "cls": "Country", "wikidata": "Q419"}
    assert G.nodes[n("codelco")]["cls"] == "Company"
    assert G.nodes[n("chile")]["wikidata"] is None
    assert G.graph["documents"] == 2


def test_edges_are_asserted_relation_triples(G):
    edges = {(u, k, v) for u, v, k in G.edges(keys=True)}
    assert (n("peru"), "produces", n("copper")) in edges
    assert (n("peru"), "partnersWith", n("japan")) in edges
    # the fact whose only evidence is negated is not asserted, so it is no edge
    assert (n("japan"), "produces", n("lithium")) not in edges
    assert G.number_of_edges() == len(FACTS) - 1


def test_edge_weight_confidence_and_evidence(G):
    data = G.get_edge_data(n("peru"), n("copper"), key="produces")
    assert data["predicate"] == str(KGO.produces)
    assert data["weight"] == 2
    assert data["confidence"] == pytest.approx(0.87)
    assert data["evidence"] == [
        {"sentence": "Peru mines copper in the Andes.", "source": "02-chile.txt", "modality": "asserted",
         "confidence": pytest.approx(0.7)},
        {"sentence": "Peru is rich in copper.", "source": "Peru and its copper", "modality": "asserted",
         "confidence": pytest.approx(0.8)},
    ]
    assert G.get_edge_data(n("peru"), n("japan"), key="partnersWith")["evidence"][0]["modality"] == "hedged"


def test_direct_triple_without_fact_node_still_counts_once():
    g = Graph()
    g.add((ENT.a, KGO.dominates, ENT.b))
    g.add((ENT.a, RDFS.comment, Literal("not a relation")))
    G = entity_graph(g)
    assert list(G.edges(keys=True, data="weight")) == [(n("a"), n("b"), "dominates", 1)]
    assert G.nodes[n("a")] == {"label": "a", "cls": "Entity", "wikidata": None}


def test_empty_graph():
    G = entity_graph(Graph())
    assert G.number_of_nodes() == 0
    a = analyze(G)
    assert "no facts" in generate_report(a)
    assert "no facts" in format_table(a)


# --------------------------------------------------------------------------- measures

def test_centrality_values_are_sane(G):
    c = centrality(G)
    assert set(c) == set(G)
    assert math.isclose(sum(v["pagerank"] for v in c.values()), 1.0, rel_tol=1e-6)
    assert all(0.0 <= v["betweenness"] <= 1.0 for v in c.values())
    assert c[n("chile")]["degree"] == 4
    assert c[n("chile")]["out_degree"] == 3 and c[n("chile")]["in_degree"] == 1
    # Chile joins copper, lithium, China and Codelco: the most central node
    assert max(c, key=lambda v: c[v]["betweenness"]) == n("chile")
    assert c[n("copper")]["pagerank"] > c[n("usa")]["pagerank"]
    assert c[n("codelco")]["betweenness"] == 0.0


def test_communities_are_deterministic_and_partition(G):
    first = communities(G)
    assert first == communities(G) == communities(entity_graph(build_graph()))
    members = [m for c in first for m in c]
    assert sorted(members) == sorted(G)
    assert [n("australia"), n("usa")] in first


def test_components(G):
    comps = components(G)
    assert [len(c) for c in comps] == [8, 2]
    assert comps[1] == [n("australia"), n("usa")]


def test_supply_chain_of_copper(G):
    (chain,) = supply_chains(G, "Copper")
    assert chain.label == "copper"
    assert [p.label for p in chain.producers] == ["Chile", "Peru"]
    chile, peru = chain.producers
    assert peru.relations == ("produces",)
    # no fact links Peru to China: China importing copper does not make it Peru's customer
    assert peru.customers == ()
    assert [p.label for p in peru.partners] == ["Japan"]
    assert [(c.label, c.relations) for c in chile.customers] == [("China", ("imports", "supplies"))]
    assert chain.paths() == [
        "copper ← Chile (produces) → customers: China (imports, supplies)",
        "copper ← Peru (produces) → partners: Japan",
        "copper → importers: China (imports)",
    ]
    assert [i.label for i in chain.importers] == ["China"]


def test_supply_chains_all_minerals_and_lookup(G):
    chains = supply_chains(G)
    assert [c.label for c in chains] == ["copper", "lithium"]
    assert supply_chains(G, n("lithium"))[0].producers[0].label == "Chile"
    assert supply_chains(G, "unobtainium") == []


# --------------------------------------------------------------------------- reports

def test_report_content(analysis):
    text = generate_report(analysis)
    assert text.startswith("# Knowledge graph report")
    assert "10 entities, 9 facts, 10 evidence sentences, 2 documents." in text
    assert "| Country | 6 |" in text and "| mineral | 2 |" not in text  # class names, not labels
    assert "| produces | 3 |" in text and "| partners with | 2 |" in text
    assert "## Top entities by PageRank" in text
    top = [line for line in text.splitlines() if line.startswith("| 1 |")][0]
    assert analysis.graph.nodes[analysis.top(1)[0]]["label"] in top
    assert "Australia, United States" in text  # a community with member labels
    assert "2 weakly connected components; the largest has 8 entities." in text
    assert "- copper ← Peru (produces) → partners: Japan" in text and "- copper → importers: China (imports)" in text
    assert "Peru (produces) → customers" not in text  # no invented chain


def test_report_escapes_markdown_and_html():
    ents = {"a": ("A | B <script>", "Country", None), "b": ("copper", "Mineral", None)}
    facts = [("a", "produces", "b", [("s", "doc-a", 0.5, "asserted")], 0.5)]
    text = generate_report(analyze(entity_graph(build_graph(ents, facts))))
    assert "<script>" not in text
    row = [line for line in text.splitlines() if "A \\| B" in line and line.startswith("| ")][0]
    assert row.count(" | ") == 5  # six cells: the label's pipe is escaped


def test_format_table(analysis):
    text = format_table(analysis)
    lines = text.splitlines()
    assert lines[0].startswith("10 entities, 9 facts")
    assert lines[2].split() == ["#", "entity", "class", "degree", "pagerank", "betweenness", "community"]
    assert any("Chile" in line and "Country" in line for line in lines[4:])


def test_format_table_strips_terminal_escapes():
    ents = {"a": ("Evil\x1b[2J\nName", "Country", None), "b": ("copper", "Mineral", None)}
    facts = [("a", "produces", "b", [("s", "doc-a", 0.5, "asserted")], 0.5)]
    text = format_table(analyze(entity_graph(build_graph(ents, facts))))
    assert "\x1b" not in text and "Evil[2J Name" in text


def test_clean_text():
    # lone surrogates are removed (kg.text.clean_text, as in the RDF and the documents), pairs joined
    assert clean_text("a\ud800b\x07c\td\n") == "abc\td\n"
    assert clean_text("x\ud83d\ude00\x9b") == "x\U0001F600"


def test_write_report(tmp_path, analysis):
    path = tmp_path / "out" / "report.md"
    write_report(analysis, path)
    assert path.read_text(encoding="utf-8") == generate_report(analysis)
    assert [p.name for p in path.parent.iterdir()] == ["report.md"]


# --------------------------------------------------------------------------- exports

def test_graphml_round_trip(tmp_path, G):
    path = tmp_path / "g.graphml"
    write_graphml(G, path)
    H = nx.read_graphml(path, force_multigraph=True)
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    assert H.nodes[n("peru")]["label"] == "Peru"
    assert "wikidata" not in H.nodes[n("chile")]
    edge = [d for u, v, d in H.edges(data=True) if u == n("peru") and d["property"] == "produces"][0]
    assert edge["weight"] == 2
    assert json.loads(edge["evidence"])[1]["sentence"] == "Peru is rich in copper."
    ids = [e for _, _, e in H.edges(keys=True)]
    assert len(ids) == len(set(ids))  # GraphML edge ids are unique


def test_gexf_round_trip(tmp_path, G):
    path = tmp_path / "g.gexf"
    write_gexf(G, path)
    H = nx.read_gexf(path)
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    assert {d["label"] for _, d in H.nodes(data=True)} >= {"Peru", "copper"}
    assert sorted(d["weight"] for *_, d in H.edges(data=True))[-1] == 2


@pytest.mark.parametrize("writer, reader", [(write_graphml, nx.read_graphml), (write_gexf, nx.read_gexf)])
def test_exports_survive_hostile_text(tmp_path, writer, reader):
    ents = {"a": ("bad\x00\x0b\ud800 name", "Country", None), "b": ("<copper>&", "Mineral", None)}
    facts = [("a", "produces", "b", [("x\x1f\udfff y", "doc-a", 0.5, "asserted")], 0.5)]
    path = tmp_path / "g.out"
    writer(entity_graph(build_graph(ents, facts)), path)
    H = reader(path)
    labels = {d["label"] for _, d in H.nodes(data=True)}
    assert labels == {"bad name", "<copper>&"}


def test_write_to_unwritable_path_is_output_error(tmp_path, G):
    from kg.errors import OutputError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_graphml(G, Path(blocker) / "g.graphml")


def test_the_table_says_when_it_stops():
    import networkx as nx

    from kg.analysis import analyze, format_table

    G = nx.MultiDiGraph()
    G.add_node("p", label="Peru", cls="Country")
    G.add_node("c", label="copper", cls="Mineral")
    G.add_edge("p", "c", key="produces", weight=1)
    assert format_table(analyze(G), top=1).endswith("1 of 2 entities (use --top N)")
    assert "use --top" not in format_table(analyze(G), top=20)


def test_entity_graph_reads_the_graph_a_fixed_number_of_times():
    """The graph is scanned predicate by predicate, not entity by entity (that grew as N squared)."""
    import rdflib
    from rdflib import RDF, RDFS, URIRef

    from kg.analysis import entity_graph
    from kg.ontology import KGO

    class Counting(rdflib.Graph):
        calls = 0

        def triples(self, *a, **kw):
            Counting.calls += 1
            return super().triples(*a, **kw)

    def calls_for(n: int) -> int:
        g = Counting()
        for i in range(n):
            e = URIRef(f"urn:x:c{i}")
            g.add((e, RDF.type, KGO.Company if i % 2 else KGO.Country))
            g.add((e, RDFS.label, rdflib.Literal(f"entity {i}")))
            if i:
                g.add((e, KGO.partnersWith, URIRef(f"urn:x:c{i - 1}")))
        Counting.calls = 0
        G = entity_graph(g)
        assert len(G) == n and G.number_of_edges() == n - 1
        return Counting.calls

    assert calls_for(50) == calls_for(400)


def test_entity_graph_from_a_pyoxigraph_store_is_the_same(seed_dir):
    """kg analyze reads the file straight into pyoxigraph: the entity graph must not change."""
    import kg
    from kg.analysis import entity_graph
    from kg.rdfio import read_store

    def as_data(G):
        return (sorted(G.nodes(data=True)),
                sorted((u, v, k, repr(sorted(d.items()))) for u, v, k, d in G.edges(keys=True, data=True)),
                dict(G.graph))

    a, b = entity_graph(kg.load(seed_dir).graph), entity_graph(read_store(seed_dir))
    assert as_data(a) == as_data(b) and a.number_of_edges() >= 8
