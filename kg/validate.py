"""Check a kg graph against its SHACL shapes with pySHACL.

The shapes are ``ontologies/shapes.ttl`` (entities, facts, evidence,
documents) plus the domain and range shapes of the relations, generated
here from the ontology so that ``kg.ttl`` stays their single source: for
each relation ``kgo:p`` a node shape targets the subjects of ``kgo:p``,
requires one of the domain classes (``sh:or`` of ``sh:class``) and requires
every object to be of one of the range classes.

pySHACL runs without inference, with the ontology as the ontology graph: it
is mixed into (a copy of) the data graph, so ``sh:class`` follows
``rdfs:subClassOf`` (a ``kgo:Country`` is a ``kgo:Place``).

Examples
--------
>>> from kg.rdf import example_result, to_rdf
>>> report = validate(to_rdf(example_result()))
>>> report.conforms, report.results
(True, [])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from .errors import OntologyError
from .ontology import KGO, ONTOLOGY_DIR, Ontology, load_ontology
from .query import short_name

__all__ = ["ValidationReport", "validate", "shapes_graph", "relation_shapes", "KGS", "SHAPES_FILE"]

KGS = Namespace("https://w3id.org/kg-minerals/shapes#")
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`.

    ``text`` is a short summary (one line per problem), ``results`` the
    problem lines themselves and ``details`` pySHACL's full report text.
    """

    conforms: bool
    text: str
    results: list[str] = field(default_factory=list)
    details: str = ""


def _class_alternatives(g: Graph, classes: frozenset[str]) -> list[BNode]:
    alternatives = []
    for cls in sorted(classes):
        alt = BNode()
        g.add((alt, SH["class"], KGO[cls]))
        alternatives.append(alt)
    return alternatives


def _require_classes(g: Graph, shape: BNode | URIRef, classes: frozenset[str]) -> None:
    """``sh:class C`` for one class, ``sh:or ([sh:class C1] [sh:class C2] ...)`` for several."""
    if len(classes) == 1:
        g.add((shape, SH["class"], KGO[next(iter(classes))]))
        return
    head = BNode()
    Collection(g, head, _class_alternatives(g, classes))
    g.add((shape, SH["or"], head))


def relation_shapes(ontology: Ontology | None = None) -> Graph:
    """The domain and range shapes of every relation, generated from the ontology.

    >>> g = relation_shapes()
    >>> (KGS["produces-DomainRange"], SH.targetSubjectsOf, KGO.produces) in g
    True
    """
    onto = ontology if ontology is not None else load_ontology()
    g = Graph()
    g.bind("sh", SH)
    g.bind("kgs", KGS)
    g.bind("kgo", KGO)
    for name in sorted(onto.properties):
        spec = onto.properties[name]
        shape = KGS[f"{name}-DomainRange"]
        g.add((shape, RDF.type, SH.NodeShape))
        g.add((shape, SH.targetSubjectsOf, KGO[name]))
        if spec.domain:
            _require_classes(g, shape, spec.domain)
            g.add((shape, SH.message, Literal(
                f"the subject of kgo:{name} must be a {' or '.join(sorted(spec.domain))} (domain in kg.ttl)")))
        if spec.range:
            prop = BNode()
            g.add((shape, SH.property, prop))
            g.add((prop, SH.path, KGO[name]))
            _require_classes(g, prop, spec.range)
            g.add((prop, SH.message, Literal(
                f"the object of kgo:{name} must be a {' or '.join(sorted(spec.range))} (range in kg.ttl)")))
    return g


def shapes_graph(ontology: Ontology | None = None, shapes_file: str | Path | None = None) -> Graph:
    """``shapes.ttl`` plus the generated relation shapes, in one graph."""
    path = Path(shapes_file) if shapes_file else SHAPES_FILE
    g = relation_shapes(ontology)
    try:
        g.parse(path, format="turtle")
    except FileNotFoundError:
        raise OntologyError(f"{path}: SHACL shapes file not found; reinstall kg") from None
    except Exception as exc:  # rdflib raises many kinds
        raise OntologyError(f"{path}: not valid Turtle: {str(exc).splitlines()[0]}") from None
    return g


def _result_lines(results: Graph) -> list[str]:
    lines = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        message = results.value(r, SH.resultMessage) or "does not conform"
        where = short_name(focus) + (f" {short_name(path)}" if isinstance(path, URIRef) else "")
        line = f"{where}: {' '.join(str(message).split())}"
        if value is not None and value != focus:
            line += f" (value: {' '.join(short_name(value).split())})"
        lines.append(line)
    return sorted(set(lines))


def validate(graph: Graph, *, ontology: Ontology | None = None) -> ValidationReport:
    """Validate ``graph`` against the kg SHACL shapes.

    Parameters
    ----------
    graph
        A kg graph (as made by :func:`kg.rdf.to_rdf` or read by :func:`kg.rdfio.read_graph`).
        It is not modified.
    ontology
        The ontology (default: the bundled one): the source of the relation
        shapes and the class hierarchy.

    Returns
    -------
    ValidationReport
        ``conforms``, a short ``text`` and one line per problem in ``results``.

    Examples
    --------
    >>> from kg.rdf import ENT, example_result, to_rdf
    >>> g = to_rdf(example_result())
    >>> _ = g.add((ENT.copper, KGO.produces, ENT.peru))
    >>> report = validate(g)
    >>> report.conforms
    False
    >>> print(report.text)
    2 problems with the SHACL shapes:
      ent:copper kgo:produces: the object of kgo:produces must be a Mineral (range in kg.ttl) (value: ent:peru)
      ent:copper: the subject of kgo:produces must be a Company or Facility or Organisation or Place (domain in kg.ttl)
    """
    onto = ontology if ontology is not None else load_ontology()
    conforms, results, details = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph(onto),
        ont_graph=onto.graph,
        inference="none",
        abort_on_first=False,
        meta_shacl=False,
        advanced=False,
        allow_warnings=False,
    )
    lines = _result_lines(results)
    if conforms:
        text = "conforms"
    else:
        n = len(lines)
        text = f"{n} problem{'s' if n != 1 else ''} with the SHACL shapes:\n" + "\n".join(f"  {x}" for x in lines)
    return ValidationReport(bool(conforms), text, lines, str(details))
