"""kg.validate: SHACL shapes conform on good graphs and catch broken ones."""
from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal
from rdflib.namespace import SH

from kg.model import BuildResult, Entity, Evidence, Fact
from kg.ontology import load_ontology
from kg.rdf import DCTERMS, ENT, KGO, PROV, document_iri, example_result, fact_iri, to_rdf
from kg.rdfio import parse_rdf, serialize
from kg.validate import KGS, relation_shapes, validate


@pytest.fixture()
def graph() -> Graph:
    return to_rdf(example_result())


def evidence_nodes(g: Graph) -> list:
    return sorted(g.subjects(RDF.type, KGO.Evidence))


def test_good_graph_conforms(graph):
    report = validate(graph)
    assert report.conforms and report.results == [] and report.text == "conforms"


@pytest.mark.parametrize("fmt", ["ttl", "nt", "trig", "jsonld"])
def test_reread_graph_conforms(graph, fmt):
    assert validate(parse_rdf(serialize(graph, fmt), fmt)).conforms


def test_relation_shapes_follow_the_ontology():
    onto = load_ontology()
    shapes = relation_shapes(onto)
    assert set(shapes.objects(None, SH.targetSubjectsOf)) == {KGO[p] for p in onto.properties}
    assert (KGS["leaderOf-DomainRange"], SH["class"], KGO.Person) in shapes  # one domain class: sh:class


def problems(g: Graph) -> str:
    report = validate(g)
    assert not report.conforms
    assert report.text.splitlines()[0].endswith("with the SHACL shapes:")
    return "\n".join(report.results)


def test_evidence_confidence_out_of_range(graph):
    ev = evidence_nodes(graph)[0]
    graph.set((ev, KGO.confidence, Literal("1.5", datatype=XSD.decimal)))
    assert "kgo:confidence" in problems(graph)


def test_person_produces_mineral():
    r = example_result()
    r.entities["tom"] = Entity("tom", "Tom", "Person")
    r.facts.append(Fact("tom", "produces", "copper", (Evidence(r.documents[0].id, "Tom produces copper.", 0, 19,
                                                               "verb:produce", 0.6),)))
    text = problems(to_rdf(r))
    assert "ent:tom: the subject of kgo:produces must be" in text


def test_mineral_as_object_of_partnership(graph):
    graph.add((ENT.japan, KGO.partnersWith, ENT.copper))
    assert "the object of kgo:partnersWith must be a Country or Organisation" in problems(graph)


def test_bad_modality_and_offsets(graph):
    ev = evidence_nodes(graph)[0]
    graph.set((ev, KGO.modality, Literal("rumoured")))
    graph.set((ev, KGO.startChar, Literal(-3)))
    text = problems(graph)
    assert "kgo:modality" in text and "kgo:startChar" in text


def test_evidence_without_document_or_fact(graph):
    ev = evidence_nodes(graph)[0]
    graph.remove((ev, PROV.wasDerivedFrom, None))
    graph.remove((ev, KGO.supports, None))
    text = problems(graph)
    assert "prov:wasDerivedFrom" in text and "kgo:supports" in text


def test_fact_fields(graph):
    node = fact_iri("peru", "produces", "copper")
    graph.set((node, KGO.evidenceCount, Literal(0)))
    graph.set((node, KGO.asserted, Literal("yes")))
    graph.set((node, RDF.predicate, KGO.teleports))
    text = problems(graph)
    assert "kgo:evidenceCount" in text and "kgo:asserted" in text and "sub-property of kgo:relatedTo" in text


def test_entity_labels_and_class(graph):
    graph.add((ENT.peru, RDFS.label, Literal("Perú")))
    graph.add((ENT.copper, RDFS.label, Literal("cobre", lang="es")))
    graph.remove((ENT.chile, RDF.type, None))
    graph.add((ENT.chile, RDF.type, KGO.Fact))
    text = problems(graph)
    assert "ent:peru rdfs:label" in text and "ent:copper rdfs:label" in text and "ent:chile" in text


def test_document_at_most_one_title(graph):
    doc = document_iri(example_result().documents[0].id)
    graph.add((doc, DCTERMS.title, Literal("Another title")))
    assert "dcterms:title" in problems(graph)


def test_subclasses_satisfy_domains():
    # kgo:Mine is a kgo:Facility, which may produce; kgo:Alliance is an Organisation, which may partner
    ev = Evidence("d", "s", 0, 1, "r", 0.5)
    r = BuildResult(entities={"m": Entity("m", "Big Mine", "Mine"), "cu": Entity("cu", "copper", "Mineral"),
                              "a": Entity("a", "MSP", "Alliance"), "jp": Entity("jp", "Japan", "Country")},
                    facts=[Fact("m", "produces", "cu", (ev,)), Fact("a", "partnersWith", "jp", (ev,))])
    report = validate(to_rdf(r))
    # the evidence's document "d" is not in the graph: that is the only problem
    assert not report.conforms
    assert all("prov:wasDerivedFrom" in line for line in report.results)
