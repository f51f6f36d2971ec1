"""Network analysis of a kg graph with NetworkX: centrality, communities, supply chains.

:func:`entity_graph` reads an RDF graph in the layout of
``docs/architecture.md`` into a :class:`networkx.MultiDiGraph` whose nodes are
the entities and whose edges are the asserted facts, each carrying its
evidence. The other functions follow the NetworkX style, ``f(G, ...)``, and
:func:`analyze` bundles them into an :class:`Analysis` that
:func:`generate_report` turns into Markdown and :func:`format_table` into a
plain-text table for the terminal.

Examples
--------
>>> import rdflib
>>> ttl = '''
... @prefix kgo: <https://w3id.org/kg-minerals/ontology#> .
... @prefix ent: <https://w3id.org/kg-minerals/entity/> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... ent:peru a kgo:Country ; rdfs:label "Peru" .
... ent:copper a kgo:Mineral ; rdfs:label "copper" .
... ent:japan a kgo:Country ; rdfs:label "Japan" .
... ent:peru kgo:produces ent:copper ; kgo:partnersWith ent:japan .
... '''
>>> G = entity_graph(rdflib.Graph().parse(data=ttl, format="turtle"))
>>> sorted(G.nodes[n]["label"] for n in G)
['Japan', 'Peru', 'copper']
>>> a = analyze(G)
>>> a.supply_chains[0].path()
'copper ← Peru (produces) → partners: Japan'
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable

import networkx as nx
import rdflib
from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from .atomic import atomic_write
from .ontology import KGO, WD, load_ontology
from .text import clean_text as _clean_text

__all__ = [
    "Analysis",
    "ChainLink",
    "Producer",
    "SupplyChain",
    "entity_graph",
    "centrality",
    "betweenness_sample",
    "communities",
    "components",
    "supply_chains",
    "analyze",
    "generate_report",
    "format_table",
    "write_report",
    "write_graphml",
    "write_gexf",
    "clean_text",
]

#: Properties whose subject makes a mineral available (the producers of a chain).
PRODUCER_PROPERTIES = ("produces", "processes", "exports")
#: Seed of the Louvain community detection, so that reports are reproducible.
LOUVAIN_SEED = 42
#: Betweenness is exact while it costs at most about this many edge visits (one breadth-first
#: search per node); above, it is estimated from as many sampled sources as the budget allows.
BETWEENNESS_WORK = 1_000_000
#: The fewest sampled sources of an estimated betweenness.
BETWEENNESS_MIN_SAMPLE = 24


# --------------------------------------------------------------------------- text hygiene

def clean_text(text: Any) -> str:
    """Make a string safe to print or write anywhere (:func:`kg.text.clean_text` with ``display=True``).

    Lone surrogates are removed (a valid pair is joined); control characters
    other than tab, newline and carriage return (C0, DEL, C1) and U+FFFE/U+FFFF
    are dropped.

    Examples
    --------
    >>> clean_text("Peru\\x00\\udc80 copper\\x1b[31m\\x9b")
    'Peru copper[31m'
    >>> clean_text(None)
    ''
    """
    return _clean_text(text, display=True)


def _one_line(text: Any) -> str:
    return re.sub(r"\s+", " ", clean_text(text)).strip()


# --------------------------------------------------------------------------- RDF -> networkx

def _local(iri: Any) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1] if "#" in s else s.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class _Lit:
    """A literal read from either backend: its lexical form and language tag."""

    value: str
    lang: str | None = None

    def __str__(self) -> str:
        return self.value


def _norm(term: Any) -> Any:
    """An IRI or blank node as its string, a literal as :class:`_Lit` (rdflib or pyoxigraph terms)."""
    if isinstance(term, Literal):
        return _Lit(str(term), term.language)
    if isinstance(term, (URIRef, rdflib.BNode)):
        return str(term) if isinstance(term, URIRef) else f"_:{term}"
    kind = type(term).__name__  # pyoxigraph: NamedNode, BlankNode, Literal
    if kind == "Literal":
        return _Lit(term.value, term.language)
    if kind == "BlankNode":
        return f"_:{term.value}"
    return term.value


def _pairs(graph: Any, predicate: URIRef):
    """(subject, object) of every triple with ``predicate``, normalised, from rdflib or pyoxigraph."""
    if isinstance(graph, rdflib.Graph):
        for s, o in graph.subject_objects(predicate):
            yield _norm(s), _norm(o)
        return
    import pyoxigraph as ox

    named, lit = ox.NamedNode, ox.Literal

    def norm(term: Any) -> Any:  # exact type checks: this runs once per triple read
        kind = type(term)
        if kind is named:
            return term.value
        if kind is lit:
            return _Lit(term.value, term.language)
        return f"_:{term.value}"

    quads = graph.quads_for_pattern(None, named(str(predicate)), None, None)
    if not any(True for _ in graph.named_graphs()):
        for q in quads:
            yield norm(q.subject), norm(q.object)
        return
    seen = set()  # one triple may be in several named graphs
    for q in quads:
        pair = (norm(q.subject), norm(q.object))
        if pair not in seen:
            seen.add(pair)
            yield pair


def _multi(graph: Any, predicate: URIRef) -> dict[Any, list]:
    out: dict[Any, list] = {}
    for s, o in _pairs(graph, predicate):
        out.setdefault(s, []).append(o)
    return out


def _best_literal(values: list | None) -> str | None:
    """The English or untagged literal among ``values`` (deterministic when several)."""
    lits = [v for v in values or () if isinstance(v, _Lit)]
    if not lits:
        return None
    lits.sort(key=lambda lit: (lit.lang not in (None, "en"), lit.lang or "", lit.value))
    return lits[0].value


def _first(values: list | None) -> Any:
    return min(values, key=str) if values else None


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        f = float(value.toPython() if isinstance(value, Literal) else str(value))
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _document_name(doc: Any, titles: dict, file_names: dict, sources: dict) -> str:
    """A document's name: its title, else its file name, else its source, else its IRI's last part
    (the ``dict`` arguments are :func:`_multi` tables)."""
    name = (_best_literal(titles.get(doc)) or _best_literal(file_names.get(doc))
            or _first(sources.get(doc)) or _local(doc))
    return _one_line(name)


def _entity_class(types: list[str], onto) -> str:
    """The most specific ontology entity class among ``types`` (``Entity`` when none)."""
    names = [_local(t) for t in types if str(t).startswith(str(KGO))]
    names = [n for n in names if n in onto.classes and onto.is_a(n, "Entity")]
    if not names:
        return "Entity"
    return sorted(names, key=lambda n: (-len(onto.ancestors(n)), n))[0]


def entity_graph(graph: Any) -> nx.MultiDiGraph:
    """Read the entities and asserted facts of a kg RDF graph into a NetworkX graph.

    Parameters
    ----------
    graph : rdflib.Graph or pyoxigraph.Store
        A graph in the layout of ``docs/architecture.md``. A pyoxigraph store (all its named
        graphs together) is read without going through rdflib, which is much faster on large
        graphs; both give the same result.

    Returns
    -------
    G : networkx.MultiDiGraph
        One node per entity (the IRI string), with attributes ``label``,
        ``cls`` (the local name of its most specific ontology class) and
        ``wikidata`` (a QID such as ``"Q419"``, or ``None``). One edge per
        direct fact triple whose predicate is a relation of the ontology
        (a sub-property of ``kgo:relatedTo``), keyed by the property's local
        name, with attributes ``predicate`` (IRI string), ``weight`` (number
        of evidence nodes, at least 1), ``confidence`` (of the fact node)
        and ``evidence``: a list of dicts with ``sentence``, ``source``
        (document title or file name), ``modality`` and ``confidence``.
        ``G.graph["documents"]`` is the number of documents in the graph.

    Notes
    -----
    The graph is read one predicate at a time (a linear scan per predicate), never entity by
    entity, so the time grows with the number of triples.

    Examples
    --------
    >>> import rdflib
    >>> from kg.ontology import KGO
    >>> g = rdflib.Graph()
    >>> peru, cu = rdflib.URIRef("urn:x:peru"), rdflib.URIRef("urn:x:copper")
    >>> g.add((peru, KGO.produces, cu))
    <Graph identifier=...>
    >>> G = entity_graph(g)
    >>> list(G.edges(keys=True, data="weight"))
    [('urn:x:peru', 'urn:x:copper', 'produces', 1)]
    >>> import pyoxigraph as ox
    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("urn:x:peru"), ox.NamedNode(str(KGO.produces)), ox.NamedNode("urn:x:copper")))
    >>> list(entity_graph(store).edges(keys=True))
    [('urn:x:peru', 'urn:x:copper', 'produces')]
    """
    onto = load_ontology()
    relations = {str(spec.iri): name for name, spec in onto.properties.items()}
    types = _multi(graph, RDF.type)
    r_subject, r_predicate, r_object = (_multi(graph, p) for p in (RDF.subject, RDF.predicate, RDF.object))

    def statements(cls: str) -> dict[tuple, list]:
        """Reified statements of class ``cls`` grouped by their (subject, predicate, object)."""
        out: dict[tuple, list] = {}
        for node, ts in types.items():
            if cls in ts:
                spo = (_first(r_subject.get(node)), _first(r_predicate.get(node)), _first(r_object.get(node)))
                if None not in spo:
                    out.setdefault(spo, []).append(node)
        return out

    facts, evidence = statements(str(KGO.Fact)), statements(str(KGO.Evidence))
    # evidence linked to its fact only by kgo:supports still counts for that fact
    supporters = _multi(graph, KGO.supports)
    supported_by: dict[Any, list] = {}
    for ev, targets in supporters.items():
        for f in targets:
            supported_by.setdefault(f, []).append(ev)
    for fact_spo, fact_nodes in facts.items():
        for fact in fact_nodes:
            for ev in supported_by.get(fact, ()):
                if ev not in evidence.get(fact_spo, ()):
                    evidence.setdefault(fact_spo, []).append(ev)

    entity_classes = {str(KGO[c]) for c in onto.classes if onto.is_a(c, "Entity")}
    entity_nodes = {n for n, ts in types.items()
                    if isinstance(n, str) and not n.startswith("_:") and entity_classes.intersection(ts)}
    triples = sorted(
        ((s, p, o) for p in relations for s, o in _pairs(graph, URIRef(p))
         if isinstance(s, str) and isinstance(o, str) and not s.startswith("_:") and not o.startswith("_:")),
        key=lambda spo: (spo[0], relations[spo[1]], spo[2]),
    )
    for s, _, o in triples:
        entity_nodes.update((s, o))

    labels, same_as = _multi(graph, RDFS.label), _multi(graph, OWL.sameAs)
    G = nx.MultiDiGraph()
    G.graph["documents"] = sum(1 for ts in types.values() if str(KGO.Document) in ts)
    for node in sorted(entity_nodes):
        qids = sorted(_local(o) for o in same_as.get(node, ()) if str(o).startswith(str(WD)))
        G.add_node(
            node,
            label=_one_line(_best_literal(labels.get(node)) or _local(node)),
            cls=_entity_class(types.get(node, []), onto),
            wikidata=qids[0] if qids else None,
        )

    if not triples:
        return G
    sentence, modality, confidence = (_multi(graph, p) for p in (KGO.sentence, KGO.modality, KGO.confidence))
    derived = _multi(graph, PROV.wasDerivedFrom)
    titles, file_names, sources = (_multi(graph, p) for p in (DCTERMS.title, KGO.fileName, DCTERMS.source))
    doc_names: dict[Any, str] = {}

    def document_name(doc: Any) -> str:
        if doc is None:
            return ""
        if doc not in doc_names:
            doc_names[doc] = _document_name(doc, titles, file_names, sources)
        return doc_names[doc]

    def record(ev: Any) -> dict[str, Any]:
        docs = sorted(derived.get(ev, ()), key=str)
        return {
            "sentence": _one_line(_first(sentence.get(ev))),
            "source": document_name(docs[0] if docs else None),
            "modality": str(_first(modality.get(ev)) or "asserted"),
            "confidence": _float(_first(confidence.get(ev))),
        }

    for s, p, o in triples:
        evs = sorted(set(evidence.get((s, p, o), ())), key=str)
        records = sorted((record(ev) for ev in evs), key=lambda r: (r["source"], r["sentence"], r["modality"]))
        fact_conf = [_float(_first(confidence.get(f))) for f in sorted(facts.get((s, p, o), ()), key=str)]
        fact_conf = [c for c in fact_conf if c is not None]
        ev_conf = [r["confidence"] for r in records if r["confidence"] is not None]
        conf = fact_conf[0] if fact_conf else (max(ev_conf) if ev_conf else 1.0)
        G.add_edge(s, o, key=relations[p], predicate=p, weight=max(1, len(records)), confidence=conf,
                   evidence=records)
    return G


# --------------------------------------------------------------------------- measures

def _undirected(G: nx.MultiDiGraph) -> nx.Graph:
    """Simple undirected projection; parallel and opposite edges add their weights."""
    U = nx.Graph()
    U.add_nodes_from(G.nodes)
    for u, v, w in G.edges(data="weight", default=1):
        if U.has_edge(u, v):
            U[u][v]["weight"] += w
        else:
            U.add_edge(u, v, weight=w)
    return U


def _label(G: nx.Graph, node: Hashable) -> str:
    return str(G.nodes[node].get("label", node))


def centrality(G: nx.MultiDiGraph) -> dict[Hashable, dict[str, float]]:
    """Degree, weighted PageRank and betweenness of every node.

    PageRank and betweenness are computed on the undirected projection of
    ``G``: the direction of a relation is a grammatical choice ("X supplies
    Y", "Y imports from X"), not a flow of importance. PageRank weighs edges
    by their evidence count. Betweenness is normalised; it is exact while one
    breadth-first search per node stays within ``BETWEENNESS_WORK`` edge
    visits, and estimated from a seeded sample of sources above (see
    :func:`betweenness_sample`), so that its time grows with the graph, not
    with its square.

    Returns
    -------
    dict
        ``{node: {"degree", "in_degree", "out_degree", "pagerank", "betweenness"}}``.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("c", "b")])
    >>> c = centrality(G)
    >>> c["b"]["degree"], round(c["b"]["betweenness"], 2), c["b"]["pagerank"] > c["a"]["pagerank"]
    (2, 1.0, True)
    """
    if G.number_of_nodes() == 0:
        return {}
    U = _undirected(G)
    pagerank = nx.pagerank(U, weight="weight") if U.number_of_edges() else {
        n: 1.0 / U.number_of_nodes() for n in U}
    k = betweenness_sample(U)
    betweenness = nx.betweenness_centrality(U, k=k, normalized=True, seed=LOUVAIN_SEED if k else None)
    return {
        n: {
            "degree": G.degree(n),
            "in_degree": G.in_degree(n),
            "out_degree": G.out_degree(n),
            "pagerank": pagerank[n],
            "betweenness": betweenness[n],
        }
        for n in G
    }


def betweenness_sample(G: nx.Graph) -> int | None:
    """How many sources estimate the betweenness of ``G`` (``None``: compute it exactly).

    Examples
    --------
    >>> betweenness_sample(nx.path_graph(100)) is None
    True
    >>> betweenness_sample(nx.path_graph(2_000))
    250
    >>> betweenness_sample(nx.path_graph(50_000))
    24
    """
    n, m = G.number_of_nodes(), G.number_of_edges()
    if n * (n + m) <= BETWEENNESS_WORK:
        return None
    return min(n, max(BETWEENNESS_MIN_SAMPLE, BETWEENNESS_WORK // (n + m)))


def _sorted_groups(G: nx.Graph, groups: Iterable[Iterable[Hashable]]) -> list[list[Hashable]]:
    """Groups as lists sorted by label, largest group first, ties by first label."""
    key = lambda n: (_label(G, n).casefold(), str(n))  # noqa: E731
    out = [sorted(g, key=key) for g in groups]
    out.sort(key=lambda g: (-len(g), key(g[0]) if g else ("", "")))
    return out


def communities(G: nx.MultiDiGraph, *, seed: int = LOUVAIN_SEED) -> list[list[Hashable]]:
    """Louvain communities of the undirected, evidence-weighted projection of ``G``.

    The seed is fixed, so the same graph always gives the same communities.
    Largest community first; members sorted by label.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y")])
    >>> communities(G)
    [['a', 'b', 'c'], ['x', 'y']]
    """
    if G.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(_undirected(G), weight="weight", seed=seed)
    return _sorted_groups(G, found)


def components(G: nx.MultiDiGraph) -> list[list[Hashable]]:
    """Weakly connected components of ``G``, largest first, members sorted by label.

    Examples
    --------
    >>> components(nx.MultiDiGraph([("a", "b"), ("c", "d"), ("d", "e")]))
    [['c', 'd', 'e'], ['a', 'b']]
    """
    return _sorted_groups(G, nx.weakly_connected_components(G))


@dataclass(frozen=True)
class ChainLink:
    """One entity on a supply chain and the relation that puts it there."""

    node: Hashable
    label: str
    relations: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.label} ({', '.join(self.relations)})"


@dataclass(frozen=True)
class Producer:
    """A producer of a mineral, with its customers and partners."""

    node: Hashable
    label: str
    relations: tuple[str, ...]
    customers: tuple[ChainLink, ...] = ()
    partners: tuple[ChainLink, ...] = ()


@dataclass(frozen=True)
class SupplyChain:
    """The producers of one mineral and where the mineral goes from them."""

    mineral: Hashable
    label: str
    producers: tuple[Producer, ...] = ()
    importers: tuple[ChainLink, ...] = ()

    def paths(self) -> list[str]:
        """One line per producer, ``copper ← Peru (produces) → customers: ... → partners: ...``,
        where the customers are only those a fact links to the producer (it supplies them); then,
        when the graph has them, one line of the mineral's importers, ``copper → importers: ...``:
        that a country imports copper does not say from whom."""
        lines = []
        for p in self.producers:
            line = f"{self.label} ← {p.label} ({', '.join(p.relations)})"
            if p.customers:
                line += " → customers: " + ", ".join(c.describe() for c in p.customers)
            if p.partners:
                line += " → partners: " + ", ".join(c.label for c in p.partners)
            lines.append(line)
        if self.importers:
            lines.append(f"{self.label} → importers: " + ", ".join(c.describe() for c in self.importers))
        return lines

    def path(self) -> str:
        """All the paths of :meth:`paths` on separate lines."""
        return "\n".join(self.paths())


def _links(G: nx.MultiDiGraph, found: dict[Hashable, set[str]]) -> tuple[ChainLink, ...]:
    links = [ChainLink(n, _label(G, n), tuple(sorted(rels))) for n, rels in found.items()]
    return tuple(sorted(links, key=lambda c: (c.label.casefold(), str(c.node))))


def _is_mineral(G: nx.MultiDiGraph, node: Hashable) -> bool:
    cls = G.nodes[node].get("cls")
    onto = load_ontology()
    return cls in onto.classes and onto.is_a(cls, "Mineral")


def _producer_links(G: nx.MultiDiGraph, p: Hashable) -> tuple[dict[Hashable, set[str]], tuple[ChainLink, ...]]:
    """Whom a producer supplies (``supplies`` facts) and its partners (``partnersWith``, either way)."""
    supplied: dict[Hashable, set[str]] = {}
    for _, v, key in G.out_edges(p, keys=True):
        if key == "supplies" and v != p:
            supplied.setdefault(v, set()).add(key)
    partners: dict[Hashable, set[str]] = {}
    for u, v, key in [*G.out_edges(p, keys=True), *G.in_edges(p, keys=True)]:
        other = v if u == p else u
        if key == "partnersWith" and other != p:
            partners.setdefault(other, set()).add(key)
    return supplied, _links(G, partners)


def supply_chains(G: nx.MultiDiGraph, mineral: str | None = None) -> list[SupplyChain]:
    """The supply chain of every mineral (or of one): producers, customers, partners.

    The producers of a mineral are the subjects of ``produces``,
    ``processes`` or ``exports`` facts about it. A producer's customers are
    the objects of its ``supplies`` facts: only a fact that links the two makes
    a customer (that Chile produces lithium and China imports it does not say
    that China buys Chile's). The importers of the mineral are listed apart;
    a producer's partners are linked to it by ``partnersWith`` (either way).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph from :func:`entity_graph`.
    mineral : str, optional
        Node id (IRI) or label (case-insensitive) of the one mineral wanted.

    Returns
    -------
    list of SupplyChain
        One per mineral node, sorted by label.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("cu", {"label": "copper", "cls": "Mineral"}), ("pe", {"label": "Peru"}),
    ...                   ("jp", {"label": "Japan"}), ("cn", {"label": "China"})])
    >>> _ = G.add_edge("pe", "cu", key="produces"); _ = G.add_edge("cn", "cu", key="imports")
    >>> _ = G.add_edge("jp", "pe", key="partnersWith")
    >>> supply_chains(G, "Copper")[0].paths()
    ['copper ← Peru (produces) → partners: Japan', 'copper → importers: China (imports)']
    >>> _ = G.add_edge("pe", "cn", key="supplies")
    >>> supply_chains(G, "Copper")[0].paths()[0]
    'copper ← Peru (produces) → customers: China (imports, supplies) → partners: Japan'

    """
    wanted = mineral.casefold() if mineral is not None else None
    chains = []
    around: dict[Hashable, tuple[dict[Hashable, set[str]], tuple[ChainLink, ...]]] = {}
    for m in G:
        if not _is_mineral(G, m):
            continue
        if wanted is not None and wanted not in (str(m).casefold(), _label(G, m).casefold()):
            continue
        producers: dict[Hashable, set[str]] = {}
        importers: dict[Hashable, set[str]] = {}
        for u, _, key in G.in_edges(m, keys=True):
            if key in PRODUCER_PROPERTIES:
                producers.setdefault(u, set()).add(key)
            elif key == "imports":
                importers.setdefault(u, set()).add(key)
        records = []
        for p, rels in producers.items():
            if p not in around:  # a producer of many minerals: its links are read once
                around[p] = _producer_links(G, p)
            supplied, partners = around[p]
            customers = {v: set(keys) for v, keys in supplied.items()}
            for imp in importers:  # an importer that the producer supplies: both links are facts
                if imp in customers:
                    customers[imp].add("imports")
            records.append(Producer(p, _label(G, p), tuple(sorted(rels)), _links(G, customers), partners))
        records.sort(key=lambda r: (r.label.casefold(), str(r.node)))
        chains.append(SupplyChain(m, _label(G, m), tuple(records), _links(G, importers)))
    chains.sort(key=lambda c: (c.label.casefold(), str(c.mineral)))
    return chains


# --------------------------------------------------------------------------- bundle and report

@dataclass
class Analysis:
    """Everything :func:`analyze` computed about one entity graph."""

    graph: nx.MultiDiGraph
    centrality: dict[Hashable, dict[str, float]] = field(default_factory=dict)
    communities: list[list[Hashable]] = field(default_factory=list)
    components: list[list[Hashable]] = field(default_factory=list)
    supply_chains: list[SupplyChain] = field(default_factory=list)
    class_counts: dict[str, int] = field(default_factory=dict)
    property_counts: dict[str, int] = field(default_factory=dict)

    @property
    def evidence_count(self) -> int:
        return sum(w for *_, w in self.graph.edges(data="weight", default=1))

    def top(self, n: int = 10) -> list[Hashable]:
        """The ``n`` nodes with the highest PageRank (ties by label)."""
        nodes = sorted(self.centrality, key=lambda v: (-self.centrality[v]["pagerank"],
                                                       _label(self.graph, v).casefold(), str(v)))
        return nodes[:n]

    def community_of(self, node: Hashable) -> int | None:
        """1-based number of the community of ``node``."""
        for i, members in enumerate(self.communities, 1):
            if node in members:
                return i
        return None


def _counts(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def analyze(G: nx.MultiDiGraph) -> Analysis:
    """Compute centrality, communities, components and supply chains of ``G``.

    Examples
    --------
    >>> a = analyze(nx.MultiDiGraph())
    >>> a.communities, a.supply_chains
    ([], [])
    """
    return Analysis(
        graph=G,
        centrality=centrality(G),
        communities=communities(G),
        components=components(G),
        supply_chains=supply_chains(G),
        class_counts=_counts(str(c) for _, c in G.nodes(data="cls", default="Entity")),
        property_counts=_counts(str(k) for *_, k in G.edges(keys=True)),
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


def _md(text: Any) -> str:
    """Inline Markdown text: one line, Markdown and HTML syntax escaped."""
    return _MD_SPECIAL.sub(r"\\\1", _one_line(text))


def _n(count: int, singular: str) -> str:
    """``count`` and the noun, plural when needed: ``_n(1, "entity")`` is ``'1 entity'``."""
    if count == 1:
        return f"1 {singular}"
    plural = singular[:-1] + "ies" if singular.endswith("y") else singular + "s"
    return f"{count} {plural}"


def _summary(analysis: Analysis) -> str:
    G = analysis.graph
    return (f"{_n(G.number_of_nodes(), 'entity')}, {_n(G.number_of_edges(), 'fact')}, "
            f"{_n(analysis.evidence_count, 'evidence sentence')}")


def _md_table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _names(G: nx.Graph, nodes: Iterable[Hashable], limit: int = 30) -> str:
    nodes = list(nodes)
    text = ", ".join(_md(_label(G, n)) for n in nodes[:limit])
    return text + (f", … ({len(nodes) - limit} more)" if len(nodes) > limit else "")


def generate_report(analysis: Analysis, *, top: int = 15) -> str:
    """A Markdown report: counts, top entities, communities, components, supply chains.

    Examples
    --------
    >>> print(generate_report(analyze(nx.MultiDiGraph())))
    # Knowledge graph report
    <BLANKLINE>
    The graph has no facts.
    <BLANKLINE>
    """
    G = analysis.graph
    out = ["# Knowledge graph report", ""]
    if G.number_of_edges() == 0:
        out.append("The graph has no facts." if G.number_of_nodes() == 0 else
                   f"The graph has {_n(G.number_of_nodes(), 'entity')} but no facts.")
        out.append("")
        return "\n".join(out)

    onto = load_ontology()
    docs = G.graph.get("documents")
    out += [
        _summary(analysis) + (f", {_n(docs, 'document')}." if docs else "."),
        "",
        "## Entities by class",
        "",
        *_md_table(["class", "entities"], [[_md(c), n] for c, n in analysis.class_counts.items()]),
        "",
        "## Facts by property",
        "",
        *_md_table(["property", "facts"], [
            [_md(onto.properties[p].label if p in onto.properties else p), n]
            for p, n in analysis.property_counts.items()]),
        "",
        "## Top entities by PageRank",
        "",
    ]
    rows = []
    for rank, n in enumerate(analysis.top(top), 1):
        c = analysis.centrality[n]
        rows.append([rank, _md(_label(G, n)), _md(G.nodes[n].get("cls", "")), c["degree"],
                     f"{c['pagerank']:.4f}", f"{c['betweenness']:.4f}"])
    out += _md_table(["#", "entity", "class", "degree", "PageRank", "betweenness"], rows)

    out += ["", "## Communities", "", f"{_n(len(analysis.communities), 'community')} (Louvain, seed {LOUVAIN_SEED}).", ""]
    shown = [c for c in analysis.communities if len(c) > 1]
    for i, members in enumerate(shown, 1):
        out.append(f"{i}. ({len(members)}) {_names(G, members)}")
    singles = len(analysis.communities) - len(shown)
    if singles:
        out.append(f"\n{_n(singles, 'single-entity community')} not listed.")

    comps = analysis.components
    out += ["", "## Connected components", "",
            f"{_n(len(comps), 'weakly connected component')}; the largest has {_n(len(comps[0]), 'entity')}.", ""]
    for i, members in enumerate(comps[:10], 1):
        out.append(f"{i}. ({len(members)}) {_names(G, members, limit=12)}")
    if len(comps) > 10:
        out.append(f"\n{_n(len(comps) - 10, 'smaller component')} not listed.")

    out += ["", "## Supply chains", ""]
    with_producers = [c for c in analysis.supply_chains if c.producers]
    if not with_producers:
        out.append("No mineral has a known producer.")
    for chain in with_producers:
        out.append(f"### {_md(chain.label)}")
        out.append("")
        out += [f"- {_md(line)}" for line in chain.paths()]
        out.append("")
    rest = len(analysis.supply_chains) - len(with_producers)
    if rest:
        out.append(f"{_n(rest, 'mineral')} without a known producer.")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _text_table(headers: list[str], rows: list[list[Any]], *, max_width: int = 40) -> str:
    def cell(v: Any) -> str:
        s = _one_line(v)
        return s if len(s) <= max_width else s[: max_width - 1] + "…"

    body = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(headers)]
    numeric = [all(re.fullmatch(r"-?[\d.]+", r[i] or "0") for r in body) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)).rstrip()

    return "\n".join([fmt(headers), "  ".join("-" * w for w in widths), *map(fmt, body)])


def format_table(analysis: Analysis, *, top: int = 20) -> str:
    """A plain-text summary and table of the top entities, for the terminal.

    Labels are reduced to one line without control characters, so article
    text cannot send escape sequences to the terminal.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p", label="Peru", cls="Country"); G.add_node("c", label="copper", cls="Mineral")
    >>> _ = G.add_edge("p", "c", key="produces", weight=2)
    >>> print(format_table(analyze(G)))
    2 entities, 1 fact, 2 evidence sentences, 1 community, 1 component
    <BLANKLINE>
    #  entity  class    degree  pagerank  betweenness  community
    -  ------  -------  ------  --------  -----------  ---------
    1  copper  Mineral       1    0.5000       0.0000          1
    2  Peru    Country       1    0.5000       0.0000          1
    """
    G = analysis.graph
    if G.number_of_nodes() == 0:
        return "The graph has no facts."
    head = (f"{_summary(analysis)}, {_n(len(analysis.communities), 'community')}, "
            f"{_n(len(analysis.components), 'component')}")
    rows = []
    for rank, n in enumerate(analysis.top(top), 1):
        c = analysis.centrality[n]
        rows.append([rank, _label(G, n), G.nodes[n].get("cls", ""), c["degree"], f"{c['pagerank']:.4f}",
                     f"{c['betweenness']:.4f}", analysis.community_of(n) or ""])
    table = _text_table(["#", "entity", "class", "degree", "pagerank", "betweenness", "community"], rows)
    total = G.number_of_nodes()
    if len(rows) < total:  # say that the table stops, and how to see more
        table += f"\n{len(rows)} of {total} entities (use --top N)"
    return head + "\n\n" + table


# --------------------------------------------------------------------------- files

def write_report(analysis: Analysis, path: str | os.PathLike) -> None:
    """Write :func:`generate_report` of ``analysis`` to ``path`` (UTF-8, atomically)."""
    atomic_write(path, generate_report(analysis))


_XML_INVALID = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_value(value: Any) -> Any:
    """An attribute value that the GraphML and GEXF writers accept (or ``None`` to drop it)."""
    if value is None:
        return None
    if isinstance(value, bool | int | float) and not (isinstance(value, float) and not math.isfinite(value)):
        return value
    if isinstance(value, list | tuple | dict | set):
        value = json.dumps(value if not isinstance(value, set) else sorted(value, key=str),
                           ensure_ascii=False, sort_keys=True, default=str)
    return _XML_INVALID.sub("", clean_text(value))


def _exportable(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``G`` with only scalar attributes, unique edge ids and a ``property`` attribute."""
    H = nx.MultiDiGraph()
    H.graph.update({k: v for k, v in ((k, _xml_value(v)) for k, v in G.graph.items()) if v is not None})
    for n, data in G.nodes(data=True):
        H.add_node(_xml_value(n), **{k: v for k, v in ((k, _xml_value(v)) for k, v in data.items()) if v is not None})
    for i, (u, v, key, data) in enumerate(G.edges(keys=True, data=True)):
        attrs = {k: x for k, x in ((k, _xml_value(x)) for k, x in data.items()) if x is not None}
        attrs["property"] = _xml_value(key)
        attrs["id"] = f"e{i}"
        H.add_edge(_xml_value(u), _xml_value(v), key=attrs["id"], **attrs)
    return H


def write_graphml(G: nx.MultiDiGraph, path: str | os.PathLike) -> None:
    """Write ``G`` as GraphML (lists such as ``evidence`` become JSON strings).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", key="produces", evidence=[{"sentence": "a makes b"}])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "g.graphml"
    >>> write_graphml(G, path)
    >>> H = nx.read_graphml(path)
    >>> [(u, v, d["property"]) for u, v, d in H.edges(data=True)]
    [('a', 'b', 'produces')]
    """
    H = _exportable(G)
    atomic_write(path, "\n".join(nx.generate_graphml(H, edge_id_from_attribute="id")) + "\n")


def write_gexf(G: nx.MultiDiGraph, path: str | os.PathLike) -> None:
    """Write ``G`` as GEXF 1.2 for Gephi (lists such as ``evidence`` become JSON strings).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", key="produces", weight=2)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "g.gexf"
    >>> write_gexf(G, path)
    >>> [d["weight"] for *_, d in nx.read_gexf(path).edges(data=True)]
    [2.0]
    """
    H = _exportable(G)
    atomic_write(path, "\n".join(nx.generate_gexf(H)) + "\n")
