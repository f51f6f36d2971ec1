"""A persistent, incremental knowledge graph: an on-disk Oxigraph store that builds add to.

``kg build INPUT... --store DIR`` keeps the graph in ``DIR``:

=====================  ==========================================================================
``DIR/kg-store.json``  what makes the folder a store: the format version and the build settings
                       that shape the graph (extractor, model, weights, minimum confidence)
``DIR/oxigraph/``      the Oxigraph database (:class:`pyoxigraph.Store`)
``DIR/records/``       one JSON record per document: what extraction read in it (names, classes,
                       candidate facts with their evidence), named by the document's content hash
=====================  ==========================================================================

The database holds one named graph per document (its IRI is the document's ``doc:`` IRI: the
document node and the evidence read in it) and one named graph for the merged entity layer
(:data:`ENTITY_GRAPH`: entities, labels, classes, Wikidata links, the direct fact triples and the
reified facts with their combined confidence). The union of the graphs is exactly the graph that a
plain ``kg build`` of the same documents writes to ``graph.ttl``: the layer is remade from the
records by the same steps (:func:`combine`: entity resolution, class settling, :func:`kg.rdf.to_rdf`).

Incremental: a document whose content hash is already in the store is not parsed again; a file
met again with new content (same name) replaces its old document. Transactional: documents are
added in batches, and each batch is one SPARQL update (one Oxigraph transaction) that changes the
document graphs and the entity layer together, so a build killed at any point leaves the store as
it was after the last committed batch; a record is written before its batch commits and is reused
when the next build meets the same text again, so a killed build resumes without parsing again.

Examples
--------
>>> import tempfile
>>> from kg.rdf import example_result
>>> folder = Path(tempfile.mkdtemp()) / "store"
>>> with open_store(folder, create=True) as st:
...     _ = commit(st, result_records(example_result()), [])
...     sorted(st.documents().values())
['01-japan-peru.txt', '02-peru.txt']
>>> with open_store(folder, read_only=True) as st:
...     st.summary()["facts"]
2
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import PROV

from .atomic import atomic_write
from .errors import InputError, OutputError
from .model import BuildResult, Document, Entity, Evidence, Fact, merge_facts
from .ontology import Ontology, load_ontology
from .rdf import DOC, PREFIXES, document_iri, new_graph, to_rdf
from .rdfio import to_oxigraph, to_rdflib_term

__all__ = [
    "StoreError", "KGStore", "SparqlTarget", "ENTITY_GRAPH", "STORE_FILE", "DEFAULT_BATCH_SIZE", "is_store",
    "known_ids",
    "open_store", "open_source", "document_record", "result_records", "combine", "commit", "build_store",
    "remove_documents", "export", "EXPORT_FORMATS",
]

#: The marker file of a store folder.
STORE_FILE = "kg-store.json"
#: The named graph of the merged entity layer.
ENTITY_GRAPH = URIRef("https://w3id.org/kg-minerals/graph/entities")
#: Documents extracted and committed together by default (``--batch-size``).
DEFAULT_BATCH_SIZE = 32
#: Formats ``kg export`` writes, by file extension (TriG and N-Quads keep the named graphs).
EXPORT_FORMATS = {".ttl": "ttl", ".nt": "nt", ".trig": "trig", ".nq": "nq", ".jsonld": "jsonld"}

_VERSION = 1
_DATA = "oxigraph"
_RECORDS = "records"
_PAUSE_ENV = "KG_STORE_PAUSE"  # seconds to wait before each commit (the kill test's window)
_KGO_TYPES = "https://w3id.org/kg-minerals/ontology#"


class StoreError(InputError):
    """A store folder cannot be used: not a store, locked by another process, other settings."""


# --------------------------------------------------------------------------- the store
def is_store(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a store folder (it has ``kg-store.json``).

    >>> is_store("no/such/folder")
    False
    """
    return (Path(path) / STORE_FILE).is_file()


def known_ids(folder: str | os.PathLike[str]) -> set[str]:
    """The ids (content hashes) of the documents in a store; none when ``folder`` is not a store yet."""
    if not is_store(folder):
        return set()
    with open_store(folder, read_only=True) as st:
        return set(st.documents())


def _read_settings(folder: Path) -> dict[str, Any]:
    path = folder / STORE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{folder}: not a kg store (no {STORE_FILE}); make one with "
                         f"kg build INPUT --store {folder}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: cannot be read ({exc}); the store is damaged, rebuild it into a new "
                         "folder") from None
    if not isinstance(data, dict) or data.get("kg-store") != _VERSION:
        raise StoreError(f"{path}: not a kg store of version {_VERSION}; rebuild it into a new folder")
    return data


def _open_oxigraph(folder: Path, read_only: bool, attempts: int = 20) -> ox.Store:
    """Open the database; a read-only snapshot is retried while a writer replaces the files it lists."""
    data = folder / _DATA
    if not data.is_dir():
        raise StoreError(f"{folder}: the store has no database ({_DATA}/ is missing); it is damaged: rebuild it into "
                         "a new folder")
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(data)) if read_only else ox.Store(str(data))
        except OSError as exc:
            text = " ".join(str(exc).split())
            if "lock" in text.lower():
                raise StoreError(f"{folder}: the store is open for writing in another process (a kg build or "
                                 "remove); wait for it to end and try again") from None
            raise StoreError(f"{folder}: cannot open the store ({text}); check the folder and its "
                             "permissions") from None
        except RuntimeError as exc:  # RocksDB: a file the snapshot lists was compacted away meanwhile
            text = " ".join(str(exc).split())
            if not read_only or "No such file" not in text or attempt == attempts - 1:
                raise StoreError(f"{folder}: the store cannot be opened ({text[:300]}); it is damaged: rebuild it "
                                 "into a new folder") from None
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


class KGStore:
    """An open store folder (see the module docstring); close it, or use it as a context manager."""

    def __init__(self, folder: Path, store: ox.Store, settings: dict[str, Any], read_only: bool):
        self.folder = folder
        self.oxigraph = store
        self.settings = settings
        self.read_only = read_only

    def __enter__(self) -> "KGStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Flush (when writable) and let the database go."""
        if self.oxigraph is not None and not self.read_only:
            self.oxigraph.flush()
        self.oxigraph = None

    # -- reading -------------------------------------------------------------
    def documents(self) -> dict[str, str]:
        """The documents in the store: id -> file name (the id when it has none)."""
        rows = self.oxigraph.query(
            "SELECT ?d ?name WHERE { GRAPH ?d { ?d a kgo:Document OPTIONAL { ?d kgo:fileName ?name } } }",
            prefixes=PREFIXES)
        out = {}
        for row in rows:
            iri = row["d"].value
            doc_id = iri.removeprefix(str(DOC))
            out[doc_id] = row["name"].value if row["name"] is not None else doc_id
        return dict(sorted(out.items()))

    def record_path(self, doc_id: str) -> Path:
        """Where the record of a document is kept (``records/<id>.json``)."""
        return self.folder / _RECORDS / f"{doc_id}.json"

    def read_record(self, doc_id: str) -> dict | None:
        """The extraction record of a document, or ``None`` when there is none."""
        path = self.record_path(doc_id)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: cannot read the document's record ({exc}); remove the file and build "
                             "again (the document is parsed again)") from None

    def write_record(self, record: dict) -> None:
        """Write a document's record (atomically: a reader sees all of it or none)."""
        atomic_write(self.record_path(record["id"]), json.dumps(record, ensure_ascii=False, sort_keys=False))

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the store (the document graphs and the entity layer)."""
        return self.oxigraph.quads_for_pattern(None, None, None, None)

    def __len__(self) -> int:
        return len(self.oxigraph)

    def rdflib_graph(self) -> Graph:
        """The union of the store's graphs as an rdflib graph (for analysis, the view and SHACL)."""
        g = new_graph()
        g.addN((to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object), g)
               for q in self.quads())
        return g

    def summary(self) -> dict[str, int]:
        """Counts on the store, as :meth:`kg.api.KnowledgeGraph.summary` counts them on a graph."""
        q = f"""SELECT
          (COUNT(DISTINCT ?d) AS ?documents)
          (COUNT(DISTINCT ?e) AS ?entities)
          (COUNT(DISTINCT ?f) AS ?facts)
        WHERE {{
          {{ ?d a kgo:Document }}
          UNION {{ ?e a ?c . FILTER (STRSTARTS(STR(?c), "{_KGO_TYPES}") && isIRI(?e)
                   && ?c NOT IN (kgo:Fact, kgo:Evidence, kgo:Document))
                   FILTER NOT EXISTS {{ ?e a kgo:Document }} }}
          UNION {{ ?f a kgo:Fact . OPTIONAL {{ ?f kgo:modality ?m }} OPTIONAL {{ ?f kgo:asserted ?a }}
                   FILTER (IF(BOUND(?m), STR(?m) != "negated", !BOUND(?a) || ?a)) }}
        }}"""
        row = next(iter(self.oxigraph.query(q, prefixes=PREFIXES, use_default_graph_as_union=True)))
        return {k: int(row[k].value) for k in ("documents", "entities", "facts")}


def open_store(folder: str | os.PathLike[str], *, read_only: bool = False, create: bool = False,
               settings: dict[str, Any] | None = None) -> KGStore:
    """Open a store folder.

    Parameters
    ----------
    folder
        The store folder.
    read_only
        Open a snapshot for reading (several readers, and readers while a build writes).
    create
        Make the store when the folder is missing or empty.
    settings
        The build settings (``extractor``, ``model``, ``models``, ``min_confidence``) of a new
        store; an existing store must have the same ones.

    Raises
    ------
    StoreError
        Not a store (and not to be created), a non-empty folder that is not a store, other
        settings, or the store is open for writing elsewhere.
    """
    folder = Path(folder)
    if create and not is_store(folder):
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise StoreError(f"{folder}: exists and is not a kg store (no {STORE_FILE}); give a new or empty folder "
                             "to --store")
        try:
            (folder / _RECORDS).mkdir(parents=True, exist_ok=True)
            ox.Store(str(folder / _DATA)).flush()
        except OSError as exc:
            raise OutputError(f"{folder}: cannot make the store ({exc.strerror or exc}); check the path and its "
                              "permissions") from None
        atomic_write(folder / STORE_FILE, json.dumps({"kg-store": _VERSION, **(settings or {})}, indent=1) + "\n")
    elif not folder.exists():
        raise StoreError(f"{folder}: no such store folder; make one with kg build INPUT --store {folder}")
    stored = _read_settings(folder)
    for key, value in (settings or {}).items():
        if stored.get(key) != value:
            raise StoreError(f"{folder}: the store was built with {key} {stored.get(key)!r}, not {value!r}; build "
                             f"with the same {key}, or into a new store folder")
    return KGStore(folder, _open_oxigraph(folder, read_only), stored, read_only)


# --------------------------------------------------------------------------- querying
class SparqlTarget:
    """A pyoxigraph store that :func:`kg.query.run_query` queries in place (the union of its graphs).

    It quacks like the parts of an rdflib graph that ``run_query`` uses: ``namespaces()`` and
    ``query()`` (rdflib's ``initBindings`` form runs on :meth:`rdflib_graph`).
    """

    def __init__(self, store: ox.Store, rdflib_graph: Callable[[], Graph] | None = None):
        self.store = store
        self._rdflib = rdflib_graph
        self._graph: Graph | None = None

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        """The kg prefixes (what ``run_query`` predeclares)."""
        return iter((p, URIRef(ns)) for p, ns in PREFIXES.items())

    def rdflib_graph(self) -> Graph:
        """The store's triples as an rdflib graph, made when first asked for."""
        if self._graph is None:
            if self._rdflib is not None:
                self._graph = self._rdflib()
            else:
                self._graph = new_graph()
                self._graph.addN((to_rdflib_term(q.subject), to_rdflib_term(q.predicate),
                                  to_rdflib_term(q.object), self._graph) for q in self.store)
        return self._graph

    def query(self, query: str, **kw: Any):
        """Run a query on the union of the store's graphs (rdflib's keywords: on :meth:`rdflib_graph`)."""
        if "initBindings" in kw or "initNs" in kw:
            return self.rdflib_graph().query(query, **kw)
        return self.store.query(query, use_default_graph_as_union=True, **kw)


def memory_target(graph: Graph) -> SparqlTarget:
    """An in-memory store holding ``graph``, made once (for :meth:`kg.api.KnowledgeGraph.query`)."""
    from .rdfio import oxigraph_quads

    store = ox.Store()
    store.extend(oxigraph_quads(graph, sort=False))
    return SparqlTarget(store, lambda: graph)


def open_source(source: str | os.PathLike[str]) -> SparqlTarget:
    """What ``kg query SOURCE`` queries: a store folder in place, or an RDF file or build folder
    read straight into an in-memory pyoxigraph store by its own parser (never through rdflib).

    Raises
    ------
    kg.errors.InputError
        A missing source, or a file that is not valid RDF (with the line and column).
    """
    from . import rdfio

    p = Path(source)
    if is_store(p):
        st = open_store(p, read_only=True)
        return SparqlTarget(st.oxigraph, st.rdflib_graph)
    if not p.exists():
        raise InputError(f"{p}: no such file or folder; give an RDF file, a build folder or a store folder")
    return SparqlTarget(rdfio.read_store(p))  # bounded, no DTD, a build folder checked against its manifest


# --------------------------------------------------------------------------- records
def _facts_of(record: dict) -> Iterator[Fact]:
    for s, p, o, start, end, rule, confidence, modality, sentence in record["facts"]:
        yield Fact(s, p, o, (Evidence(record["id"], sentence, start, end, rule, confidence, modality),))


def _document_of(record: dict) -> Document:
    meta = {k: record.get(k) for k in ("path", "title", "source", "date", "publisher", "license")}
    return Document(id=record["id"], text="", name=record["name"], **meta)


def document_record(doc: Document, facts: Iterable[Fact], labels: dict, classes: dict, forms: dict) -> dict:
    """The record of one document: its metadata, the names read in it and its candidate facts.

    ``labels`` and ``classes`` map an entity key to the counts of the labels and classes its
    mentions had in this document; ``forms`` to the names it was written as. Counts of 0 are kept
    (a reading that stays on record for class settling, see :func:`kg.extract.run.settle_classes`).
    """
    rows = sorted({(f.subject, f.predicate, f.object, e.start, e.end, e.rule, e.confidence, e.modality, e.sentence)
                   for f in facts for e in f.evidence})
    return {
        "id": doc.id, "name": doc.name, "path": doc.path, "title": doc.title, "source": doc.source,
        "date": doc.date, "publisher": doc.publisher, "license": doc.license,
        "labels": {k: dict(v) for k, v in labels.items()},
        "classes": {k: dict(v) for k, v in classes.items()},
        "forms": {k: sorted(v) for k, v in forms.items()},
        "facts": [list(r) for r in rows],
    }


def result_records(result: BuildResult) -> list[dict]:
    """Records of a build result whose entities are final (examples, tests, synthetic stores):
    each entity counts once, with its label and class, in the first document of its facts."""
    first: dict[str, str] = {}
    for f in merge_facts(result.facts):
        for key in (f.subject, f.object):
            first.setdefault(key, min(e.doc_id for e in f.evidence))
    records = []
    for doc in result.documents:
        keys = [k for k, d in first.items() if d == doc.id and k in result.entities]
        ents: list[Entity] = [result.entities[k] for k in keys]
        facts = [Fact(f.subject, f.predicate, f.object, tuple(e for e in f.evidence if e.doc_id == doc.id))
                 for f in result.facts]
        records.append(document_record(
            doc, [f for f in facts if f.evidence], {e.key: {e.label: 1} for e in ents},
            {e.key: {e.cls: 1} for e in ents}, {e.key: set(e.aliases) | {e.label} for e in ents}))
    return records


def _record_order(record: dict) -> tuple:
    return tuple(str(record["name"]).split("/")), record["id"]


def settle(records: Iterable[dict], *, ontology: Ontology | None = None) -> BuildResult:
    """The documents, entities and facts of a set of document records, as a plain build of the same
    documents has them before :func:`kg.rdf.to_rdf`: the names and classes of every record counted
    together (:class:`kg.resolve.Resolver`), the evidence of equal facts merged, classes settled
    over all the facts (:func:`kg.extract.run.settle_classes`), only the entities of kept facts.

    Records are taken in the order of their file names (the order a build reads a folder in).
    """
    from .extract.run import settle_classes
    from .resolve import Resolver

    onto = ontology or load_ontology()
    resolver = Resolver(onto)
    documents: list[Document] = []
    facts: list[Fact] = []
    for record in sorted(records, key=_record_order):
        for key, counts in record["labels"].items():
            resolver.labels[key].update(counts)
        for key, counts in record["classes"].items():
            resolver.classes[key].update(counts)
        for key, forms in record["forms"].items():
            resolver.forms[key].update(forms)
        documents.append(_document_of(record))
        facts.extend(_facts_of(record))
    entities, kept = settle_classes(resolver.entities(), merge_facts(facts), onto, resolver.classes)
    used = {k for f in kept for k in (f.subject, f.object)}
    return BuildResult(documents=documents, entities={k: e for k, e in entities.items() if k in used}, facts=kept)


def combine(records: Iterable[dict], *, ontology: Ontology | None = None, min_confidence: float = 0.0,
            warnings: list[str] | None = None) -> tuple[BuildResult, Graph]:
    """The build result (:func:`settle`) and the graph of a set of document records: the graph a
    plain build of the same documents writes."""
    onto = ontology or load_ontology()
    result = settle(records, ontology=onto)
    return result, to_rdf(result, onto, min_confidence=min_confidence, warnings=warnings)


def partition(graph: Graph, doc_ids: Iterable[str]) -> dict[ox.NamedNode, set[ox.Quad]]:
    """Split a kg graph into the store's named graphs: the node of each of ``doc_ids`` and the
    evidence read in a document in the document's graph, the rest (entities, facts, direct
    triples) in :data:`ENTITY_GRAPH`."""
    docs = {document_iri(d) for d in doc_ids}
    evidence_doc = dict(graph.subject_objects(PROV.wasDerivedFrom))
    names: dict[Any, ox.NamedNode] = {}
    entity_graph = ox.NamedNode(str(ENTITY_GRAPH))
    out: dict[ox.NamedNode, set[ox.Quad]] = defaultdict(set)
    for s, p, o in graph:
        home = s if s in docs else evidence_doc.get(s)
        if home is None:
            g = entity_graph
        elif home in names:
            g = names[home]
        else:
            g = names[home] = ox.NamedNode(str(home))
        out[g].add(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), g))
    return out


@dataclass
class _State:
    """What the graph of a set of records holds, by part: each part gives the same triples whatever
    the other parts are (entity slugs are the keys themselves), so two states differ in the
    triples of the parts that differ."""

    documents: dict[str, Document]
    entities: dict[str, Entity]
    facts: dict[tuple[str, str, str], Fact]


def _state(records: Iterable[dict], onto: Ontology, min_confidence: float) -> _State:
    from .rdf import entity_slugs

    result = settle(records, ontology=onto)
    facts = {(f.subject, f.predicate, f.object): f for f in result.facts if f.confidence >= min_confidence}
    keys = {k for s, _, o in facts for k in (s, o)}
    if any(key != slug for key, slug in entity_slugs(result.entities).items()):  # pragma: no cover
        raise StoreError("entity keys that are not their own IRI slugs; kg.store needs resolver keys")
    return _State({d.id: d for d in result.documents}, {k: e for k, e in result.entities.items() if k in keys}, facts)


def _changed(old: dict, new: dict) -> tuple[list, list]:
    keys = [k for k in old.keys() | new.keys() if old.get(k) != new.get(k)]
    return [old[k] for k in keys if k in old], [new[k] for k in keys if k in new]


def _part_graph(documents: list[Document], entities: list[Entity], facts: list[Fact], onto: Ontology,
                warnings: list[str] | None, other: dict[tuple, Fact]) -> dict[ox.NamedNode, set[ox.Quad]]:
    """The triples of some documents, entities and facts; the evidence that the same fact has in the
    ``other`` state gives the same ``ev:`` nodes there, so only the rest is made."""
    def evidence_of(f: Fact) -> list[Evidence]:
        twin = other.get((f.subject, f.predicate, f.object))
        if twin is None:
            return list(f.evidence)
        shared = set(twin.evidence)
        return [e for e in f.evidence if e not in shared]

    part = BuildResult(documents=documents, entities={e.key: e for e in entities}, facts=facts)
    return partition(to_rdf(part, onto, warnings=warnings, evidence_of=evidence_of), [d.id for d in documents])


def _ntriples(quads: Iterable[ox.Quad]) -> str:
    return ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def _flatten(graphs: dict[ox.NamedNode, set[ox.Quad]]) -> set[ox.Quad]:
    return set().union(*graphs.values()) if graphs else set()


def _group(quads: Iterable[ox.Quad]) -> dict[Any, list[ox.Quad]]:
    out: dict[Any, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        out[q.graph_name].append(q)
    return out


class Committer:
    """Commits batches to an open store, keeping the records of its documents and the state of its
    graph between batches (read once per build)."""

    def __init__(self, st: KGStore, onto: Ontology | None = None):
        self.st = st
        self.onto = onto or load_ontology()
        self.min_confidence = float(st.settings.get("min_confidence") or 0.0)
        self.records: dict[str, dict] = {}
        for doc_id in st.documents():
            record = st.read_record(doc_id)
            if record is None:
                raise StoreError(f"{st.record_path(doc_id)}: the record of a document of the store is missing; "
                                 f"remove the document (kg remove {doc_id} --store {st.folder}) and add it again")
            self.records[doc_id] = record
        self.state = _state(self.records.values(), self.onto, self.min_confidence)

    def commit(self, records: list[dict], removed: Iterable[str], *, warnings: list[str] | None = None,
               before: Callable[[list[str]], None] | None = None) -> dict[str, int]:
        """See :func:`commit`."""
        removed = set(removed) & set(self.records)
        for record in records:  # first: a record on disk whose document is not in the store is harmless
            if not self.st.record_path(record["id"]).is_file():
                self.st.write_record(record)
        live = {k: v for k, v in self.records.items() if k not in removed}
        live.update((r["id"], r) for r in records)
        new = _state(live.values(), self.onto, self.min_confidence)
        old_docs, new_docs = _changed(self.state.documents, new.documents)
        old_ents, new_ents = _changed(self.state.entities, new.entities)
        old_facts, new_facts = _changed(self.state.facts, new.facts)
        graph_warnings: list[str] = []
        before_q = _flatten(_part_graph(old_docs, old_ents, old_facts, self.onto, None, new.facts))
        after_q = _flatten(_part_graph(new_docs, new_ents, new_facts, self.onto, graph_warnings, self.state.facts))
        if warnings is not None:
            warnings.extend(graph_warnings)
        if before is not None:
            before(graph_warnings)
        dropped = {ox.NamedNode(str(document_iri(d))) for d in removed}
        adds = after_q - before_q
        dels = {q for q in before_q - after_q if q.graph_name not in dropped}
        parts = [f"DROP SILENT GRAPH {g}" for g in sorted(dropped, key=str)]
        parts += [f"DELETE DATA {{ GRAPH {g} {{\n{_ntriples(qs)}}} }}" for g, qs in _group(dels).items()]
        parts += [f"INSERT DATA {{ GRAPH {g} {{\n{_ntriples(qs)}}} }}" for g, qs in _group(adds).items()]
        pause = os.environ.get(_PAUSE_ENV)
        if pause:
            time.sleep(float(pause))
        if parts:
            self.st.oxigraph.update(" ;\n".join(parts))  # one transaction
            self.st.oxigraph.flush()
        self.records, self.state = live, new
        return {"added": len(adds), "removed": len(dels)}


def commit(st: KGStore, records: list[dict], removed: Iterable[str], *, warnings: list[str] | None = None,
           before: Callable[[list[str]], None] | None = None) -> dict[str, int]:
    """Make the store hold the documents it holds plus ``records`` less ``removed``, in one transaction.

    The records not on disk yet are written first (a record whose document is not in the store is
    harmless: it is reused or removed by the next build). The documents, entities and facts of
    the store before and after are worked out from all the records (:func:`settle`); only the
    parts that differ are made into triples (:func:`kg.rdf.to_rdf`), split into the named graphs
    (:func:`partition`), and the difference (and the graphs of removed documents) is applied as
    one SPARQL update, which Oxigraph runs in one transaction: a process killed meanwhile leaves
    the store as it was.

    ``before`` is called with the new triples' warnings before anything is written (it may raise).
    Returns the numbers of quads added and removed.
    """
    return Committer(st).commit(records, removed, warnings=warnings, before=before)


# --------------------------------------------------------------------------- extraction
class _Resolvers:
    """One :class:`kg.resolve.Resolver` per document, so that each document's counts stay its own
    (keys are the same as with one resolver: they depend on the lexicon and the document only)."""

    def __init__(self, onto: Ontology):
        from .resolve import Resolver

        self.onto = onto
        self.make = Resolver
        self.of: dict[str, Any] = {}

    def get(self, doc_id: str):
        """The resolver of a document."""
        if doc_id not in self.of:
            self.of[doc_id] = self.make(self.onto)
        return self.of[doc_id]

    def observe_doc(self, doc_id: str, doc) -> None:
        """What :func:`kg.extract.run.read_sentences` tells a resolver about a parsed document."""
        self.get(doc_id).observe_doc(doc_id, doc)


def _sentence_span(d: Document, sent, off: int) -> tuple[int, int]:
    start, end = sent.start_char + off, sent.end_char + off
    text = d.text[start:end]
    return start + len(text) - len(text.lstrip()), end - (len(text) - len(text.rstrip()))


@dataclass
class Extractor:
    """What extraction needs once per build: the pipeline, the ontology, the triggers, the decider."""

    nlp: Any
    onto: Ontology
    extractor: str
    models: str | None = None
    triggers: Any = None
    decider: Any = None
    parsed: int = 0

    def __post_init__(self):
        from .extract.rules import TriggerIndex

        self.triggers = TriggerIndex.from_ontology(self.onto)
        if self.extractor != "rules":
            from .extract.decide import Decider

            self.decider = Decider.load(self.onto, self.triggers, self.models, mode=self.extractor)

    def records(self, documents: list[Document], *, progress: bool = False, on_warning=None) -> list[dict]:
        """Parse ``documents`` and return one record each (:func:`document_record`)."""
        from .extract.run import decide, read_sentences

        resolvers = _Resolvers(self.onto)
        raw: dict[str, list] = defaultdict(list)
        typer = self.decider.typer if self.decider is not None else None
        for d, off, ctx, sent, kept, rejected in read_sentences(documents, self.nlp, self.onto, self.triggers,
                                                               resolver=resolvers, typer=typer,
                                                               progress=progress, on_warning=on_warning):
            kept, rejected = decide(self.decider, ctx, sent, kept, rejected)
            start, end = _sentence_span(d, sent, off)
            raw[d.id].extend((c, start, end) for c in kept)
        self.parsed += len(documents)
        return [self._record(d, resolvers.get(d.id), raw[d.id]) for d in documents]

    def _record(self, d: Document, resolver, raw: list) -> dict:
        from .extract.run import choose_evidence

        best = choose_evidence(((d, c, start, end) for c, start, end in raw), resolver, self.onto)
        facts = [Fact(s, p, o, (ev,)) for (s, p, o, _, _), ev in best.items()]
        return document_record(d, facts, resolver.labels, resolver.classes, resolver.forms)


# --------------------------------------------------------------------------- building
@dataclass
class StoreBuild:
    """What :func:`build_store` did."""

    folder: Path
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: int = 0
    parsed: int = 0
    batches: int = 0
    quads_added: int = 0
    warnings: list[str] = field(default_factory=list)


def settle_files(st: KGStore, added: int) -> bool:
    """After a build that added a tenth of the store or more, compact the database files
    (:meth:`pyoxigraph.Store.optimize`): queries on a freshly loaded store are up to twice as fast
    after it. Small additions leave it to the database's own background work."""
    if added * 10 < len(st):
        return False
    st.oxigraph.optimize()
    return True


def _batches(items: Iterable, size: int) -> Iterator[list]:
    """Lists of ``size`` items (the last one shorter), taken from ``items`` as they are asked for."""
    items = iter(items)
    while batch := list(itertools.islice(items, size)):
        yield batch


def build_store(documents: Iterable[Document], folder: str | os.PathLike[str], *, nlp=None, model: str | None = None,
                extractor: str | None = None, models: str | os.PathLike | None = None, min_confidence: float = 0.0,
                batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = False, on_warning=None,
                strict: bool = False, on_batch: Callable[[int], None] | None = None) -> StoreBuild:
    """Add documents to the store in ``folder`` (made when missing), in batches.

    ``documents`` may be a stream: it is read one batch at a time, and a batch's texts are not
    kept once it is committed.

    Documents whose content hash is in the store are skipped (not parsed); a document whose file
    name is in the store with other content replaces the old document, in the same batch. A
    document whose record was written by an earlier build (one that was killed before its batch
    committed) is not parsed again either. Each batch is committed as one transaction
    (:func:`commit`); ``on_batch(done)`` is called after each commit with the batches done so far.

    Raises
    ------
    StoreError
        Not a store, another process writing it, or other build settings than the store's.
    kg.api.StrictModeError
        ``strict`` and making the graph gave a warning (the batches before are committed).
    """
    from .extract.decide import default_extractor
    from .pipeline import load_pipeline

    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise InputError(f"batch size must be a whole number of at least 1, not {batch_size!r}")
    folder = Path(folder)
    settings = {"extractor": extractor or default_extractor(models), "model": model,
                "models": str(Path(models).resolve()) if models else None, "min_confidence": float(min_confidence)}
    report = StoreBuild(folder)
    with open_store(folder, create=True, settings=settings) as st:
        present = st.documents()

        def new_documents() -> Iterator[Document]:
            for d in documents:
                if d.id in present:
                    report.unchanged += 1
                else:
                    yield d

        engine: Extractor | None = None
        committer: Committer | None = None
        by_name: dict[str, list[str]] = defaultdict(list)  # files only: texts given as strings are named by position
        for n, batch in enumerate(_batches(new_documents(), batch_size), 1):
            if committer is None:  # the store's records are read once there is something to add
                committer = Committer(st)
                for doc_id, record in committer.records.items():
                    if record.get("path") is not None:
                        by_name[record["name"]].append(doc_id)
            records, missing = {}, []
            for d in batch:
                record = st.read_record(d.id)
                if record is None:
                    missing.append(d)
                else:
                    records[d.id] = record
            if missing:
                if engine is None:
                    engine = Extractor(nlp or load_pipeline(model), load_ontology(), settings["extractor"],
                                       str(models) if models else None)
                for record in engine.records(missing, progress=progress, on_warning=on_warning):
                    st.write_record(record)  # now: a build killed before the commit resumes without parsing
                    records[record["id"]] = record
            del missing
            replaced = sorted({old for d in batch if d.path is not None for old in by_name.get(d.name, ())
                               if old != d.id})

            check = functools.partial(_tell_warnings, on_warning=on_warning, strict=strict, done=n - 1, folder=folder)
            changes = committer.commit([records[d.id] for d in batch], replaced, warnings=report.warnings,
                                       before=check)
            report.quads_added += changes["added"]
            for old in replaced:
                with contextlib.suppress(OSError):
                    st.record_path(old).unlink()
            report.added.extend(d.id for d in batch)
            report.replaced.extend(replaced)
            report.batches += 1
            del batch  # its texts go before the next batch is read
            if on_batch is not None:
                on_batch(n)
        if committer is None:  # nothing new
            return report
        report.parsed = engine.parsed if engine is not None else 0
        _remove_orphan_records(st)
        settle_files(st, report.quads_added)
    return report


def _tell_warnings(graph_warnings: list[str], *, on_warning, strict: bool, done: int, folder: Path) -> None:
    """Pass on the warnings of a batch's new triples; with ``strict``, any warning stops the batch."""
    for w in graph_warnings:
        if on_warning is not None:
            on_warning(w)
    if strict and graph_warnings:
        from .api import StrictModeError

        raise StrictModeError(f"--strict: {len(graph_warnings)} warning(s) while making the graph; {done} batch(es) "
                              f"were committed to {folder}, this one was not; fix the inputs or drop --strict")


def _remove_orphan_records(st: KGStore) -> None:
    """Records of documents that are not in the store (left by a killed build, now committed or not)."""
    live = set(st.documents())
    for path in (st.folder / _RECORDS).glob(".*"):  # temporary files of killed writes
        with contextlib.suppress(OSError):
            path.unlink()
    for path in (st.folder / _RECORDS).glob("*.json"):
        if path.stem not in live:
            with contextlib.suppress(OSError):
                path.unlink()


def find_documents(st: KGStore, doc: str) -> list[str]:
    """The ids of the documents that ``doc`` names: a document id or IRI, a file name, or the last
    part of a file name."""
    docs = st.documents()
    text = str(doc).strip().removeprefix(str(DOC))
    if text in docs:
        return [text]
    exact = [d for d, name in docs.items() if name == text]
    if exact:
        return exact
    return [d for d, name in docs.items() if name.rsplit("/", 1)[-1] == text.rsplit("/", 1)[-1]]


def remove_documents(folder: str | os.PathLike[str], docs: Iterable[str], *, all_matches: bool = False) -> list[str]:
    """Retract documents from a store, with the facts only they supported; shared facts keep their
    other evidence (and their confidence is combined again from it). One transaction.

    Returns the ids of the removed documents.

    Raises
    ------
    StoreError
        Not a store, a name that matches no document, or one that matches several (unless
        ``all_matches``).
    """
    folder = Path(folder)
    with open_store(folder) as st:
        ids: list[str] = []
        for doc in docs:
            found = find_documents(st, doc)
            if not found:
                raise StoreError(f"{folder}: no document {doc!r} in the store; give a file name or a document id "
                                 "(kg export shows them as kgo:fileName and doc: IRIs)")
            if len(found) > 1 and not all_matches:
                names = ", ".join(f"{d} ({st.documents()[d]})" for d in found[:5])
                raise StoreError(f"{folder}: {doc!r} names {len(found)} documents: {names}; give the document id "
                                 "or the full file name")
            ids.extend(found)
        commit(st, [], ids)
        for doc_id in ids:
            with contextlib.suppress(OSError):
                st.record_path(doc_id).unlink()
    return ids


# --------------------------------------------------------------------------- export
def export(folder: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Write the store's graph to ``target`` (format from its extension), atomically.

    ``.trig`` and ``.nq`` keep the named graphs (one per document, and the entity layer);
    ``.ttl``, ``.nt`` and ``.jsonld`` write their union (the graph a plain build writes).

    Raises
    ------
    StoreError, kg.errors.OutputError
        Not a store, or an extension that is not one of :data:`EXPORT_FORMATS`.
    """
    from . import rdfio

    target = Path(target)
    key = EXPORT_FORMATS.get(target.suffix.lower())
    if key is None:
        raise OutputError(f"{target}: cannot tell the format from {target.suffix or 'no extension'!r}; end the file "
                          f"name with one of {', '.join(EXPORT_FORMATS)}")
    with open_store(folder, read_only=True) as st:
        if key in ("trig", "nq"):
            fmt = ox.RdfFormat.TRIG if key == "trig" else ox.RdfFormat.N_QUADS
            kw = {"prefixes": PREFIXES} if key == "trig" else {}
            data = st.oxigraph.dump(format=fmt, **kw)
        elif key == "nt":
            data = ox.serialize(sorted({q.triple for q in st.quads()}, key=str), format=ox.RdfFormat.N_TRIPLES)
        else:
            data = rdfio.serialize(st.rdflib_graph(), key)
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name such as {target / 'graph.ttl'}")
    atomic_write(target, data)
    return target

