"""kg.rdf: the RDF layout of docs/architecture.md."""
from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Literal, URIRef
from rdflib.compare import isomorphic

from kg.model import BuildResult, Document, Entity, Evidence, Fact
from kg.rdf import (
    DCTERMS, DOC, ENT, EV, FACT, KGO, PROV, WD, date_literal, document_iri, entity_iri, evidence_iri,
    example_result, fact_id, fact_iri, source_term, to_rdf,
)


@pytest.fixture(scope="module")
def result() -> BuildResult:
    return example_result()


@pytest.fixture(scope="module")
def graph(result):
    return to_rdf(result)


def test_prefixes_bound(graph):
    bound = {p: str(ns) for p, ns in graph.namespaces()}
    for prefix, ns in [("ent", ENT), ("fact", FACT), ("ev", EV), ("doc", DOC), ("kgo", KGO), ("wd", WD),
                       ("prov", PROV), ("dcterms", DCTERMS), ("skos", SKOS), ("owl", OWL)]:
        assert bound[prefix] == str(ns)


def test_entities(graph):
    peru = ENT.peru
    assert (peru, RDF.type, KGO.Country) in graph
    labels = list(graph.objects(peru, RDFS.label))
    assert labels == [Literal("Peru")] and labels[0].datatype is None and labels[0].language is None
    assert set(graph.objects(peru, SKOS.altLabel)) == {Literal("Peruvian"), Literal("Republic of Peru")}
    assert (peru, OWL.sameAs, WD.Q419) in graph
    assert (ENT.copper, RDF.type, KGO.Mineral) in graph


def test_direct_triples_only_when_asserted(graph):
    assert (ENT.peru, KGO.produces, ENT.copper) in graph
    assert (ENT.japan, KGO.partnersWith, ENT.peru) in graph
    assert (ENT.chile, KGO.produces, ENT.cobalt) not in graph


def test_fact_nodes(graph):
    node = fact_iri("peru", "produces", "copper")
    assert node == FACT[hashlib.sha1(b"peru|produces|copper").hexdigest()[:16]]
    assert set(graph.objects(node, RDF.type)) == {RDF.Statement, KGO.Fact}
    assert graph.value(node, RDF.subject) == ENT.peru
    assert graph.value(node, RDF.predicate) == KGO.produces
    assert graph.value(node, RDF.object) == ENT.copper
    conf = graph.value(node, KGO.confidence)
    assert conf.datatype == XSD.decimal and conf.toPython() == Decimal("0.94")  # noisy-or of .8 and .7
    assert graph.value(node, KGO.evidenceCount) == Literal(2)
    assert graph.value(node, KGO.asserted) == Literal(True)
    negated = fact_iri("chile", "produces", "cobalt")
    assert graph.value(negated, KGO.asserted) == Literal(False)
    assert graph.value(negated, KGO.modality) == Literal("negated")
    assert graph.value(node, KGO.modality) == Literal("asserted")
    assert len(list(graph.subjects(RDF.type, KGO.Fact))) == 3


def test_evidence_nodes(graph, result):
    fact = next(f for f in result.facts if f.predicate == "produces" and f.subject == "peru")
    fid = fact_id("peru", "produces", "copper")
    for ev in fact.evidence:
        node = evidence_iri(fid, ev.doc_id, ev.start, ev.end, ev.rule, ev.modality)
        key = f"{fid}|{ev.doc_id}|{ev.start}|{ev.end}|{ev.rule}|{ev.modality}".encode()
        assert node == EV[hashlib.sha1(key).hexdigest()[:16]]
        assert set(graph.objects(node, RDF.type)) == {RDF.Statement, KGO.Evidence}
        assert graph.value(node, KGO.supports) == FACT[fid]
        assert graph.value(node, PROV.wasDerivedFrom) == document_iri(ev.doc_id)
        assert graph.value(node, KGO.sentence) == Literal(ev.sentence)
        assert graph.value(node, KGO.startChar) == Literal(ev.start)
        assert graph.value(node, KGO.endChar) == Literal(ev.end)
        assert graph.value(node, KGO.confidence) == Literal(str(ev.confidence), datatype=XSD.decimal)
        assert graph.value(node, KGO.rule) == Literal(ev.rule)
        assert graph.value(node, KGO.modality) == Literal(ev.modality)
        assert graph.value(node, RDF.subject) == ENT.peru
    assert len(list(graph.subjects(RDF.type, KGO.Evidence))) == 4
    negated_ev = next(e for e in graph.subjects(KGO.modality, Literal("negated")) if (e, RDF.type, KGO.Evidence) in graph)
    assert graph.value(negated_ev, KGO.supports) == fact_iri("chile", "produces", "cobalt")


def test_documents(graph, result):
    d1, d2 = result.documents
    n1, n2 = document_iri(d1.id), document_iri(d2.id)
    assert set(graph.objects(n1, RDF.type)) == {KGO.Document, PROV.Entity}
    assert graph.value(n1, DCTERMS.source) == URIRef("https://example.org/news/1")
    assert graph.value(n2, DCTERMS.source) == Literal("https://x.example (mirror of https://y.example)")
    assert graph.value(n1, DCTERMS.date) == Literal("2017-04-12", datatype=XSD.date)
    assert graph.value(n2, DCTERMS.date) == Literal("2017-05", datatype=XSD.gYearMonth)
    assert graph.value(n1, DCTERMS.title) == Literal("Japan and Peru")
    assert graph.value(n1, DCTERMS.publisher) == Literal("Example News")
    assert graph.value(n1, KGO.fileName) == Literal("01-japan-peru.txt")


def test_deterministic(result):
    g1, g2 = to_rdf(result), to_rdf(example_result())
    assert set(g1) == set(g2)
    assert isomorphic(g1, g2)
    assert not any(isinstance(t, BNode) for triple in g1 for t in triple)  # IRIs only: stable


def test_min_confidence_drops_facts_entirely(result):
    g = to_rdf(result, min_confidence=0.9)
    assert (ENT.peru, KGO.produces, ENT.copper) in g  # 0.94
    assert (ENT.japan, KGO.partnersWith, ENT.peru) not in g  # 0.75
    assert (fact_iri("japan", "partnersWith", "peru"), None, None) not in g
    assert (None, KGO.supports, fact_iri("japan", "partnersWith", "peru")) not in g
    assert (ENT.japan, RDFS.label, Literal("Japan")) not in g  # no fact left: the entity goes too
    assert (ENT.peru, RDFS.label, Literal("Peru")) in g


@pytest.mark.parametrize("text,expected,understood", [
    ("2017-04-12", Literal("2017-04-12", datatype=XSD.date), True),
    ("12 April 2017", Literal("2017-04-12", datatype=XSD.date), True),
    ("April 12, 2017", Literal("2017-04-12", datatype=XSD.date), True),
    ("Apr 12, 2017", Literal("2017-04-12", datatype=XSD.date), True),
    ("2017-04-12T08:30:00Z", Literal("2017-04-12", datatype=XSD.date), True),
    ("2017-04", Literal("2017-04", datatype=XSD.gYearMonth), True),
    ("2017", Literal("2017", datatype=XSD.gYear), True),
    ("unknown (circa 2017)", Literal("unknown (circa 2017)"), True),  # a statement: kept as written
    ("n.d.", Literal("n.d."), True),
    ("2020-11 (month inferred)", Literal("2020-11 (month inferred)"), True),
    ("2017-13-01", Literal("2017-13-01"), False),
    ("2017-13-01 (typo)", Literal("2017-13-01 (typo)"), False),
    ("circa 2017", Literal("circa 2017"), False),
])
def test_dates(text, expected, understood):
    assert date_literal(text) == (expected, understood)


def test_date_warning():
    doc = Document.from_text("x", name="a.txt", date="circa 2017")
    known = Document.from_text("y", name="b.txt", date="unknown (circa 2017)")
    warnings: list[str] = []
    g = to_rdf(BuildResult(documents=[doc, known]), warnings=warnings)
    assert warnings == ["a.txt: date 'circa 2017' kept as text"]  # "unknown" is a statement, not a problem
    assert g.value(document_iri(doc.id), DCTERMS.date) == Literal("circa 2017")
    assert g.value(document_iri(known.id), DCTERMS.date) == Literal("unknown (circa 2017)")


@pytest.mark.parametrize("source,is_iri", [
    ("https://example.org/a?b=1#c", True),
    ("urn:isbn:0451450523", True),
    ("https://x (mirror of https://y)", False),
    ("example.org/page", False),
    ("https://e.org/<script>", False),
    ('https://e.org/"q"', False),
    ("https://e.org/{x}", False),
    ("Reuters", False),
])
def test_source(source, is_iri):
    assert isinstance(source_term(source), URIRef if is_iri else Literal)


def test_unknown_class_and_relation_warn():
    ev = Evidence("d", "s", 0, 1, "r", 0.5)
    r = BuildResult(entities={"a": Entity("a", "A", "Spaceship"), "b": Entity("b", "B", "Country")},
                    facts=[Fact("a", "teleports", "b", (ev,))])
    warnings: list[str] = []
    g = to_rdf(r, warnings=warnings)
    assert (entity_iri("a"), RDF.type, KGO.Entity) in g
    assert len(warnings) == 2 and "Spaceship" in warnings[0] and "teleports" in warnings[1]
    assert not list(g.subjects(RDF.type, KGO.Fact))


def test_text_kept_exactly_except_unserialisable():
    label = 'Côte d\'Ivoire "CI" \\ <x> {y} \u202eRTL\u202c 😀\t\x00\x1b\ud800'
    r = BuildResult(entities={"ci": Entity("ci", label, "Country")})
    g = to_rdf(r)
    assert g.value(entity_iri("ci"), RDFS.label) == Literal('Côte d\'Ivoire "CI" \\ <x> {y} \u202eRTL\u202c 😀\t')


def _colliding_result(keys_first: bool = True) -> BuildResult:
    """Entities whose keys differ but slugify alike, with facts between them."""
    text = "Nórdica Minerals supplies lithium to Nordica Minerals. A&B partners with A B."
    doc = Document.from_text(text, name="clash.txt")
    ev = lambda s, rule: Evidence(doc.id, s, text.index(s), text.index(s) + len(s), rule, 0.8)  # noqa: E731
    s1, s2 = text.split(". ")[0] + ".", text.split(". ")[1]
    entities = {
        "nórdica minerals": Entity("nórdica minerals", "Nórdica Minerals", "Company"),
        "nordica minerals": Entity("nordica minerals", "Nordica Minerals", "Company"),
        "a&b": Entity("a&b", "A&B", "Company"),
        "a b": Entity("a b", "A B", "Country"),
        "lithium": Entity("lithium", "lithium", "Mineral"),
    }
    if not keys_first:
        entities = dict(reversed(list(entities.items())))
    facts = [
        Fact("nórdica minerals", "supplies", "nordica minerals", (ev(s1, "verb:supply"),)),
        Fact("nordica minerals", "supplies", "nórdica minerals", (ev(s1, "verb:supply"),)),
        Fact("a&b", "partnersWith", "a b", (ev(s2, "verb:partner"),)),
    ]
    return BuildResult(documents=[doc], entities=entities, facts=facts)


def test_slug_collisions_get_distinct_iris_and_conform():
    from kg.model import slugify
    from kg.rdf import entity_slugs
    from kg.validate import validate

    assert slugify("nórdica minerals") == slugify("nordica minerals")  # the premise
    assert slugify("a&b") == slugify("a b")
    warnings: list[str] = []
    g = to_rdf(_colliding_result(), warnings=warnings)
    assert warnings == []
    slugs = entity_slugs(["nórdica minerals", "nordica minerals", "a&b", "a b", "lithium"])
    assert len(set(slugs.values())) == 5
    # the first key in sorted order keeps the plain slug, the other gets a short hash
    assert slugs["a b"] == "a-b" and slugs["nordica minerals"] == "nordica-minerals"
    h = hashlib.sha1("a&b".encode()).hexdigest()[:8]
    assert slugs["a&b"] == f"a-b-{h}"
    assert slugs["nórdica minerals"].startswith("nordica-minerals-")
    for key, label in [("nórdica minerals", "Nórdica Minerals"), ("nordica minerals", "Nordica Minerals"),
                       ("a&b", "A&B"), ("a b", "A B")]:
        assert list(g.objects(ENT[slugs[key]], RDFS.label)) == [Literal(label)]
        assert len(list(g.objects(ENT[slugs[key]], RDF.type))) == 1
    # facts and evidence use the final slugs: three facts, three fact nodes, each evidence on its fact
    assert (ENT[slugs["a&b"]], KGO.partnersWith, ENT[slugs["a b"]]) in g
    fact_nodes = set(g.subjects(RDF.type, KGO.Fact))
    assert fact_nodes == {
        fact_iri(slugs["nórdica minerals"], "supplies", slugs["nordica minerals"]),
        fact_iri(slugs["nordica minerals"], "supplies", slugs["nórdica minerals"]),
        fact_iri(slugs["a&b"], "partnersWith", slugs["a b"]),
    }
    for ev_node in g.subjects(RDF.type, KGO.Evidence):
        fact = g.value(ev_node, KGO.supports)
        assert g.value(ev_node, RDF.subject) == g.value(fact, RDF.subject)
    report = validate(g)
    assert report.conforms, report.text
    # deterministic whatever the order of the entities
    assert isomorphic(g, to_rdf(_colliding_result(keys_first=False)))
    assert set(g) == set(to_rdf(_colliding_result(keys_first=False)))


def test_a_planned_fact_is_in_the_graph_but_not_asserted():
    """ "asserted" means one thing: a fact only planned or hedged keeps its direct triple and its
    modality, and kgo:asserted is false."""
    from kg.model import BuildResult, Document, Entity, Evidence, Fact

    doc = Document.from_text("Japan plans to partner with Peru.")
    ev = Evidence(doc.id, doc.text, 0, len(doc.text), "verb:partner", 0.7, "planned")
    result = BuildResult([doc], {"japan": Entity("japan", "Japan", "Country"), "peru": Entity("peru", "Peru", "Country")},
                         [Fact("japan", "partnersWith", "peru", (ev,))])
    g = to_rdf(result)
    node = fact_iri("japan", "partnersWith", "peru")
    assert (ENT.japan, KGO.partnersWith, ENT.peru) in g
    assert g.value(node, KGO.modality) == Literal("planned") and g.value(node, KGO.asserted) == Literal(False)

