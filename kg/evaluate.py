"""Score a knowledge graph against gold triples (the contract of ``SCHEMA.md``).

A gold file (``gold.jsonl``) holds one JSON object per document with the
entities named in it (canonical name -> aliases) and the triples that the
text states. :func:`score` reads the graph's direct triples whose property
local name is one of the 16 of the extraction schema, maps each node to gold
entities through its labels, and compares distinct (subject, property,
object) triples, ``partnersWith`` in either direction. Every false positive
comes with the sentences that support it (the graph's ``kgo:Evidence``
nodes), every miss with the gold documents that hold it.

Examples
--------
>>> import io, json, rdflib
>>> from rdflib import RDFS, URIRef
>>> gold = load_gold(io.StringIO(json.dumps({
...     "doc": "a.txt", "entities": {"Peru": ["Peruvian"], "copper": [], "zinc": []},
...     "triples": [["Peru", "produces", "copper"], ["Peru", "produces", "zinc"]]})))
>>> g = rdflib.Graph()
>>> E, O = "https://example.org/e/", "https://example.org/o#"
>>> for slug, label in [("peru", "Peru"), ("copper", "copper"), ("tin", "tin")]:
...     _ = g.add((URIRef(E + slug), RDFS.label, rdflib.Literal(label)))
>>> _ = g.add((URIRef(E + "peru"), URIRef(O + "produces"), URIRef(E + "copper")))
>>> _ = g.add((URIRef(E + "peru"), URIRef(O + "produces"), URIRef(E + "tin")))
>>> s = score(g, gold)
>>> (s.correct, s.predicted, s.gold), round(s.f1, 3)
((1, 2, 2), 0.5)
>>> [m.triple for m in s.missed], [fp.triple for fp in s.false_positives]
([('Peru', 'produces', 'zinc')], [('Peru', 'produces', '?tin')])
"""
from __future__ import annotations

import io
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, AbstractSet, Iterable, Sequence

import rdflib
from rdflib import RDF, RDFS, SKOS, Literal
from rdflib.namespace import DCTERMS, PROV

from .errors import InputError
from .ontology import KGO

#: The 16 properties every build is scored on (``SCHEMA.md``).
PROPERTIES: frozenset[str] = frozenset({
    "partnersWith", "produces", "processes", "exports", "imports", "supplies",
    "dependsOn", "usedIn", "investsIn", "operates", "locatedIn", "leaderOf",
    "visits", "attends", "memberOf", "dominates",
})
#: Properties matched in either direction.
SYMMETRIC: frozenset[str] = frozenset({"partnersWith"})

Triple = tuple[str, str, str]

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    """Normalise a name the way ``SCHEMA.md`` says: case, quotes, "the", "'s", spaces.

    >>> normalise("  The   Peru\u2019s ")
    'peru'
    """
    t = re.sub(r"\s+", " ", text.translate(_QUOTES).lower().strip())
    t = re.sub(r"^the ", "", t)
    t = re.sub(r"(?:'s|')$", "", t)
    return t.strip(" .,;:\"'()[]")


def match_keys(text: str) -> set[str]:
    """The keys a name matches under: its normal form, and without a plural ``s``.

    >>> sorted(match_keys("Rare Earths"))
    ['rare earth', 'rare earths']
    >>> sorted(match_keys("gas"))
    ['gas']
    """
    n = normalise(text)
    keys = {n}
    if len(n) > 3 and n.endswith("s"):
        keys.add(n[:-1])
    return keys


def local_name(iri: object) -> str:
    """The local name of an IRI: the part after the last ``#`` or ``/``.

    >>> local_name("https://w3id.org/kg-minerals/ontology#produces")
    'produces'
    """
    return re.split(r"[#/]", str(iri).rstrip("/#"))[-1]


def _canonical(s: str, p: str, o: str) -> Triple:
    if p in SYMMETRIC and o < s:
        s, o = o, s
    return (s, p, o)


@dataclass(frozen=True)
class Gold:
    """Gold annotations: the union over all documents of a gold file.

    Attributes
    ----------
    entities
        Canonical entity name -> the match keys of its name and aliases.
    triples
        Distinct gold triples of canonical names (symmetric ones ordered).
    docs
        The document names, in file order.
    sources
        Gold triple -> the documents that list it.
    doc_entities
        Document -> the match keys of the entities its own record names (what
        the reference scorer reads when it is given that document's line alone).
    """

    entities: dict[str, frozenset[str]]
    triples: frozenset[Triple]
    docs: tuple[str, ...]
    sources: dict[Triple, tuple[str, ...]] = field(default_factory=dict)
    doc_entities: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)

    def for_doc(self, doc: str) -> Gold:
        """The gold of one document alone: its own entities and triples.

        >>> g = load_gold(io.StringIO(
        ...     '{"doc": "a", "entities": {"Peru": [], "zinc": []}, "triples": [["Peru", "produces", "zinc"]]}\\n'
        ...     '{"doc": "b", "entities": {"Chile": [], "copper": []}, "triples": [["Chile", "produces", "copper"]]}'))
        >>> b = g.for_doc("b")
        >>> sorted(b.entities), sorted(b.triples), b.docs
        (['Chile', 'copper'], [('Chile', 'produces', 'copper')], ('b',))
        """
        triples = frozenset(t for t, docs in self.sources.items() if doc in docs)
        return Gold(entities=dict(self.doc_entities.get(doc, {})), triples=triples, docs=(doc,),
                    sources={t: (doc,) for t in triples}, doc_entities={doc: self.doc_entities.get(doc, {})})

    def key_index(self) -> dict[str, set[str]]:
        """Match key -> the gold entity names it stands for."""
        index: dict[str, set[str]] = defaultdict(set)
        for name, keys in self.entities.items():
            for k in keys:
                index[k].add(name)
        return index


def load_gold(path: str | os.PathLike | IO[str]) -> Gold:
    """Read a ``gold.jsonl`` file (or an open text stream).

    Parameters
    ----------
    path
        The gold file: one JSON object per line with ``doc``, ``entities``
        and ``triples`` (``SCHEMA.md``). Blank lines are ignored.

    Returns
    -------
    Gold

    Raises
    ------
    kg.errors.InputError
        When the file is missing or a line is malformed (names the line).

    Examples
    --------
    >>> import io
    >>> g = load_gold(io.StringIO('{"doc": "d", "entities": {"Peru": [], "Japan": []},'
    ...                           ' "triples": [["Peru", "partnersWith", "Japan"]]}'))
    >>> sorted(g.triples)
    [('Japan', 'partnersWith', 'Peru')]
    """
    if isinstance(path, (str, os.PathLike)):
        where = str(path)
        p = Path(path)
        if not p.is_file():
            raise InputError(f"{where}: gold file not found; pass the path of a gold.jsonl file")
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{where}: cannot read the gold file ({exc.__class__.__name__}: {exc})") from None
        stream: IO[str] = io.StringIO(text)
    else:
        where = getattr(path, "name", "<gold>")
        stream = path

    entities: dict[str, set[str]] = {}
    triples: set[Triple] = set()
    sources: dict[Triple, list[str]] = defaultdict(list)
    docs: list[str] = []
    doc_entities: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        at = f"{where}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{at}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(rec, dict) or not {"doc", "entities", "triples"} <= rec.keys():
            raise InputError(f"{at}: a gold record needs the keys doc, entities and triples")
        doc, ents, trs = rec["doc"], rec["entities"], rec["triples"]
        if not isinstance(ents, dict) or not isinstance(trs, list):
            raise InputError(f"{at}: entities must be an object and triples a list")
        docs.append(str(doc))
        for name, aliases in ents.items():
            if not isinstance(aliases, list):
                raise InputError(f"{at}: the aliases of {name!r} must be a list")
            keys = set().union(*(match_keys(str(alias)) for alias in (name, *aliases)))
            entities.setdefault(name, set()).update(keys)
            doc_entities[str(doc)].setdefault(name, set()).update(keys)
        for t in trs:
            if not (isinstance(t, list) and len(t) == 3):
                raise InputError(f"{at}: a triple must be [subject, property, object], not {t!r}")
            s, p, o = t
            if p not in PROPERTIES:
                raise InputError(f"{at}: unknown property {p!r} in doc {doc} (one of the 16 of SCHEMA.md)")
            for n in (s, o):
                if n not in ents:
                    raise InputError(f"{at}: {n!r} is not in the entities of doc {doc}")
            c = _canonical(s, p, o)
            triples.add(c)
            if doc not in sources[c]:
                sources[c].append(str(doc))
    return Gold(
        entities={k: frozenset(v) for k, v in entities.items()},
        triples=frozenset(triples),
        docs=tuple(docs),
        sources={k: tuple(v) for k, v in sources.items()},
        doc_entities={d: {k: frozenset(v) for k, v in ents.items()} for d, ents in doc_entities.items()},
    )


@dataclass(frozen=True)
class EvidenceRef:
    """One sentence of the graph that supports a predicted triple."""

    doc: str
    sentence: str
    rule: str | None = None
    modality: str | None = None


@dataclass(frozen=True)
class Miss:
    """A gold triple the graph does not have, with the gold documents that list it."""

    triple: Triple
    docs: tuple[str, ...] = ()


@dataclass(frozen=True)
class FalsePositive:
    """A predicted triple that is not gold, with its evidence sentences.

    Names that start with ``?`` are entities that match no gold entity.
    """

    triple: Triple
    evidence: tuple[EvidenceRef, ...] = ()


@dataclass(frozen=True)
class PropertyScore:
    """Counts for one property or one document, and the precision, recall and F1 they give."""

    gold: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Score:
    """The result of :func:`score`."""

    precision: float
    recall: float
    f1: float
    correct: int
    predicted: int
    gold: int
    docs: int
    per_property: dict[str, PropertyScore]
    missed: tuple[Miss, ...]
    false_positives: tuple[FalsePositive, ...]
    per_document: dict[str, PropertyScore] | None = None

    @property
    def document_mean(self) -> tuple[float, float, float] | None:
        """Precision, recall and F1 averaged over the gold documents (macro average), when scored per document."""
        rows = [c for d, c in (self.per_document or {}).items() if c.gold]
        if not rows:
            return None
        return tuple(sum(getattr(c, m) for c in rows) / len(rows) for m in ("precision", "recall", "f1"))

    def to_dict(self) -> dict:
        """A JSON-ready dict (same keys as ``score.py --json``, plus evidence and, when scored per
        document, ``per_document``: one row per document with its counts, P, R and F1)."""
        extra = {}
        if self.per_document is not None:
            extra["per_document"] = [
                {"doc": d, "gold": c.gold, "predicted": c.predicted, "correct": c.correct,
                 "precision": c.precision, "recall": c.recall, "f1": c.f1}
                for d, c in self.per_document.items()]
            mean = self.document_mean
            extra["document_mean"] = dict(zip(("precision", "recall", "f1"), mean)) if mean else None
        return {
            "precision": self.precision, "recall": self.recall, "f1": self.f1,
            "correct": self.correct, "predicted": self.predicted, "gold": self.gold, "docs": self.docs,
            "per_property": {p: {"gold": c.gold, "predicted": c.predicted, "correct": c.correct}
                             for p, c in self.per_property.items()},
            "missed": [list(m.triple) for m in self.missed],
            "false_positives": [list(fp.triple) for fp in self.false_positives],
            "missed_docs": {" | ".join(m.triple): list(m.docs) for m in self.missed},
            "false_positive_evidence": {
                " | ".join(fp.triple): [{"doc": e.doc, "sentence": e.sentence, "rule": e.rule,
                                         "modality": e.modality} for e in fp.evidence]
                for fp in self.false_positives
            },
            **extra,
        }


def _split_camel(name: str) -> str:
    name = re.sub(r"[_\-]+", " ", name)
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


def _labels(graph: rdflib.Graph, node) -> list[str]:
    """The node's labels, rdfs:label first (sorted within each property for determinism)."""
    if isinstance(node, Literal):
        return [str(node)]
    labels: list[str] = []
    for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
        labels.extend(sorted(str(o) for o in graph.objects(node, p)))
    return labels or [_split_camel(local_name(node))]


def _all_triples(graph: rdflib.Graph) -> Iterable[tuple]:
    if isinstance(graph, rdflib.ConjunctiveGraph):  # Dataset too: every named graph
        seen = set()
        for s, p, o, _ in graph.quads((None, None, None, None)):
            if (s, p, o) not in seen:
                seen.add((s, p, o))
                yield s, p, o
    else:
        yield from graph.triples((None, None, None))


def _evidence_index(graph: rdflib.Graph) -> dict[tuple, list[EvidenceRef]]:
    """(subject node, property local name, object node) -> evidence sentences."""
    index: dict[tuple, list[EvidenceRef]] = defaultdict(list)
    for ev in set(graph.subjects(RDF.type, KGO.Evidence)):
        s, p, o = (graph.value(ev, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        sentence = graph.value(ev, KGO.sentence)
        if s is None or p is None or o is None or sentence is None:
            continue
        doc_node = graph.value(ev, PROV.wasDerivedFrom)
        doc = None
        if doc_node is not None:
            doc = graph.value(doc_node, KGO.fileName) or graph.value(doc_node, DCTERMS.title)
        rule, modality = graph.value(ev, KGO.rule), graph.value(ev, KGO.modality)
        index[(s, local_name(p), o)].append(EvidenceRef(
            doc=str(doc if doc is not None else (local_name(doc_node) if doc_node is not None else "?")),
            sentence=" ".join(str(sentence).split()),
            rule=str(rule) if rule is not None else None,
            modality=str(modality) if modality is not None else None,
        ))
    return index


def _predictions(graph: rdflib.Graph, triples: Iterable[tuple], gold: Gold) -> dict[Triple, set[tuple]]:
    """Predicted triples of gold names (unknown ones as ``?name``) -> the graph triples behind each."""
    index = gold.key_index()
    cache: dict = {}

    def resolve(node) -> set[str]:
        if node not in cache:
            labels = _labels(graph, node)
            names: set[str] = set()
            for label in labels:
                for k in match_keys(label):
                    names |= index.get(k, set())
            cache[node] = names or {"?" + normalise(labels[0])}
        return cache[node]

    predicted: dict[Triple, set[tuple]] = defaultdict(set)
    for s, prop, o in triples:
        for sn in resolve(s):
            for on in resolve(o):
                predicted[_canonical(sn, prop, on)].add((s, prop, o))
    return predicted


def _counts(pred: Iterable[Triple], gold: Iterable[Triple]) -> PropertyScore:
    pred, gold = set(pred), set(gold)
    return PropertyScore(gold=len(gold), predicted=len(pred), correct=len(pred & gold))


def _doc_key(name: str) -> str:
    """How a gold ``doc`` and an input are compared: by file name (``texts/a.txt`` is ``a.txt``)."""
    return Path(str(name)).name


def _evidence_docs(t: tuple, ev_index: dict[tuple, list[EvidenceRef]]) -> set[str]:
    """The documents whose (not negated) evidence states the graph triple ``t``."""
    s, prop, o = t
    refs = list(ev_index.get(t, ()))
    if prop in SYMMETRIC:
        refs.extend(ev_index.get((o, prop, s), ()))
    return {e.doc for e in refs if e.modality != "negated"}


def _score_documents(graph: rdflib.Graph, direct: list[tuple], gold: Gold,
                     ev_index: dict[tuple, list[EvidenceRef]]) -> dict[str, PropertyScore]:
    """Each gold document's gold triples against the predictions its own sentences give.

    A graph triple belongs to the documents of its evidence (a negated sentence does not
    state it); names are matched with that document's gold entities alone, so a row is what
    the reference scorer gives for that document's gold line and those triples. Input
    documents that gold does not list follow, with 0 gold.
    """
    by_doc: dict[str, list[tuple]] = defaultdict(list)
    names: dict[str, str] = {}
    for t in direct:
        for doc in sorted(_evidence_docs(t, ev_index)):
            by_doc[_doc_key(doc)].append(t)
            names.setdefault(_doc_key(doc), doc)
    rows: dict[str, PropertyScore] = {}
    for doc in dict.fromkeys(gold.docs):
        doc_gold = gold.for_doc(doc)
        rows[doc] = _counts(_predictions(graph, by_doc.get(_doc_key(doc), ()), doc_gold), doc_gold.triples)
    listed = {_doc_key(d) for d in gold.docs}
    nobody = Gold(entities={}, triples=frozenset(), docs=())
    for key in sorted(set(by_doc) - listed):
        rows[names[key]] = _counts(_predictions(graph, by_doc[key], nobody), ())
    return rows


def score(graph: rdflib.Graph, gold: Gold, *, per_doc: bool = False,
          leave_out: AbstractSet[tuple] = frozenset()) -> Score:
    """Score a graph against gold triples.

    Parameters
    ----------
    graph
        A built graph (``KnowledgeGraph.graph``) or any RDF graph; its direct
        triples with one of the 16 schema properties (any namespace) are the
        predictions.
    gold
        From :func:`load_gold`.
    per_doc
        Also score each document on its own (:attr:`Score.per_document`): its
        gold triples against the triples that its sentences state (the
        graph's ``kgo:Evidence``, negated ones left out).
    leave_out
        Direct triples of the graph (as stored: subject, property IRI, object) that are not
        predictions, as if they had been removed from it (:func:`confidence_curve`).

    Returns
    -------
    Score
        Precision, recall and F1 over distinct triples (the union over all
        documents, as the reference scorer counts them), counts per property,
        the misses (with their gold documents) and the false positives (with
        their evidence sentences), both sorted.

    Examples
    --------
    >>> import rdflib
    >>> empty = score(rdflib.Graph(), Gold(entities={}, triples=frozenset(), docs=()))
    >>> empty.precision, empty.recall, empty.f1
    (0.0, 0.0, 0.0)
    """
    direct = [(s, local_name(p), o) for s, p, o in _all_triples(graph)
              if local_name(p) in PROPERTIES and (s, p, o) not in leave_out]
    predicted = _predictions(graph, direct, gold)

    pred = set(predicted)
    tp = pred & gold.triples
    precision = len(tp) / len(pred) if pred else 0.0
    recall = len(tp) / len(gold.triples) if gold.triples else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    per_property = {}
    for prop in sorted(PROPERTIES):
        g = {t for t in gold.triples if t[1] == prop}
        pr = {t for t in pred if t[1] == prop}
        if g or pr:
            per_property[prop] = _counts(pr, g)

    ev_index = _evidence_index(graph) if per_doc or pred - gold.triples else {}
    false_positives = []
    for t in sorted(pred - gold.triples):
        refs: list[EvidenceRef] = []
        for s, prop, o in sorted(predicted[t], key=lambda x: (str(x[0]), str(x[2]))):
            refs.extend(ev_index.get((s, prop, o), ()))
            if prop in SYMMETRIC:
                refs.extend(ev_index.get((o, prop, s), ()))
        unique = tuple(dict.fromkeys(sorted(refs, key=lambda e: (e.doc, e.sentence, e.rule or ""))))
        false_positives.append(FalsePositive(t, unique))
    missed = tuple(Miss(t, gold.sources.get(t, ())) for t in sorted(gold.triples - pred))
    return Score(
        precision=precision, recall=recall, f1=f1, correct=len(tp), predicted=len(pred),
        gold=len(gold.triples), docs=len(gold.docs), per_property=per_property,
        missed=missed, false_positives=tuple(false_positives),
        per_document=_score_documents(graph, direct, gold, ev_index) if per_doc else None,
    )


#: The confidence cutoffs of :func:`confidence_curve` by default.
CUTOFFS: tuple[float, ...] = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def _fact_confidences(graph: rdflib.Graph) -> dict[tuple, float]:
    """The confidence of each asserted triple the graph reifies as a ``kgo:Fact`` (the highest, when several)."""
    out: dict[tuple, float] = {}
    for fact in graph.subjects(RDF.type, KGO.Fact):
        key = (graph.value(fact, RDF.subject), graph.value(fact, RDF.predicate), graph.value(fact, RDF.object))
        value = graph.value(fact, KGO.confidence)
        if None in key or value is None:
            continue
        try:
            out[key] = max(out.get(key, 0.0), float(value))
        except ValueError:
            continue
    return out


def confidence_curve(graph: rdflib.Graph, gold: Gold,
                     cutoffs: Iterable[float] = CUTOFFS) -> list[tuple[float, Score]]:
    """Score the facts at or above each confidence cutoff, from one build.

    A triple whose ``kgo:Fact`` has a confidence below the cutoff is left out, as ``kg build
    --min-confidence`` leaves it out; triples without a confidence are kept. The table shows what
    precision a cutoff buys and what recall it costs.

    Examples
    --------
    >>> from kg.rdf import example_result, to_rdf
    >>> gold = load_gold(io.StringIO(json.dumps({"doc": "01-japan-peru.txt",
    ...     "entities": {"Peru": [], "copper": [], "Japan": []},
    ...     "triples": [["Peru", "produces", "copper"], ["Japan", "partnersWith", "Peru"]]})))
    >>> [(c, s.predicted, s.correct) for c, s in confidence_curve(to_rdf(example_result()), gold, (0.0, 0.9, 0.99))]
    [(0.0, 2, 2), (0.9, 1, 1), (0.99, 0, 0)]
    """
    confidences = _fact_confidences(graph)
    return [(float(cutoff), score(graph, gold, leave_out={t for t, c in confidences.items() if c < cutoff}))
            for cutoff in cutoffs]


def curve_rows(rows: list[tuple[float, Score]]) -> list[dict]:
    """:func:`confidence_curve` as JSON-ready rows (``kg eval --json --confidence-table``).

    >>> from kg.rdf import example_result, to_rdf
    >>> gold = load_gold(io.StringIO(json.dumps({"doc": "01-japan-peru.txt",
    ...     "entities": {"Peru": [], "copper": []}, "triples": [["Peru", "produces", "copper"]]})))
    >>> curve_rows(confidence_curve(to_rdf(example_result()), gold, (0.0,)))[0]["correct"]
    1
    """
    return [{"min_confidence": c, "predicted": r.predicted, "correct": r.correct,
             "precision": r.precision, "recall": r.recall, "f1": r.f1} for c, r in rows]


def format_curve(rows: list[tuple[float, Score]]) -> str:
    """:func:`confidence_curve` as a table: cutoff, facts kept, correct, P, R, F1."""
    lines = ["min confidence  predicted  correct  precision  recall     F1"]
    for cutoff, s in rows:
        lines.append(f"{cutoff:14.2f}  {s.predicted:9d}  {s.correct:7d}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:5.3f}")
    return "\n".join(lines)


def calibration_error(confidences: Sequence[float], labels: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: over ``bins`` equal bins of confidence, the gap between the
    share right and the mean confidence, weighted by the bin's size.

    >>> calibration_error([0.9, 0.9, 0.2, 0.2], [True, False, False, False])
    0.3
    """
    if not confidences:
        return 0.0
    sums: dict[int, list[float]] = {}
    for p, y in zip(confidences, labels):
        b = sums.setdefault(min(int(p * bins), bins - 1), [0.0, 0.0, 0.0])
        b[0] += 1
        b[1] += float(y)
        b[2] += p
    return round(sum(abs(right - conf) for _, right, conf in sums.values()) / len(confidences), 4)


@dataclass(frozen=True)
class Band:
    """The predictions whose confidence lies in ``[low, high)`` (:func:`calibration_bands`)."""

    low: float
    high: float
    predicted: int
    correct: int
    #: the sum of their confidences
    confidence: float

    @property
    def share_right(self) -> float:
        """How many of them are right, as a share (0 for an empty band)."""
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def mean_confidence(self) -> float:
        """Their mean confidence (0 for an empty band)."""
        return self.confidence / self.predicted if self.predicted else 0.0


def calibration_bands(graph: rdflib.Graph, gold: Gold,
                      edges: Iterable[float] = CUTOFFS) -> tuple[list[Band], float]:
    """How often the predictions of each band of confidence are right (bands from 0 and from
    each of ``edges`` up to the next), and the expected calibration error of the predictions
    (:func:`calibration_error`: over ten equal bins, the gap between the mean confidence and
    the share right; 0 when a confidence of 0.8 is right 8 times in 10, and so on).

    A prediction (a triple of gold names, as :func:`score` counts them) takes the highest
    confidence of the graph's facts behind it, as :func:`confidence_curve` leaves it out below
    the lowest; predictions with no confidence are not counted.

    Examples
    --------
    >>> from kg.rdf import example_result, to_rdf
    >>> gold = load_gold(io.StringIO(json.dumps({"doc": "01-japan-peru.txt",
    ...     "entities": {"Peru": [], "copper": [], "Japan": []}, "triples": [["Peru", "produces", "copper"]]})))
    >>> bands, error = calibration_bands(to_rdf(example_result()), gold, (0.9,))
    >>> [(b.low, b.high, b.predicted, b.correct, round(b.mean_confidence, 2)) for b in bands], error
    ([(0.0, 0.9, 1, 0, 0.75), (0.9, 1.0, 1, 1, 0.94)], 0.405)
    """
    confidences: dict[tuple, float] = {}
    for (s, p, o), c in _fact_confidences(graph).items():
        key = (s, local_name(p), o)
        confidences[key] = max(confidences.get(key, 0.0), c)
    direct = [(s, local_name(p), o) for s, p, o in _all_triples(graph) if local_name(p) in PROPERTIES]
    scored = []
    for t, behind in _predictions(graph, direct, gold).items():
        known = [confidences[b] for b in behind if b in confidences]
        if known:
            scored.append((max(known), t in gold.triples))
    lows = sorted({0.0} | {float(e) for e in edges if 0.0 < float(e) < 1.0})
    bands = []
    for k, low in enumerate(lows):
        high = lows[k + 1] if k + 1 < len(lows) else 1.0
        inside = [(c, ok) for c, ok in scored if low <= c < high or (high == 1.0 and c == 1.0)]
        bands.append(Band(low, high, len(inside), sum(ok for _, ok in inside), sum(c for c, _ in inside)))
    return bands, calibration_error([c for c, _ in scored], [ok for _, ok in scored])


def format_bands(bands: list[Band], error: float) -> str:
    """:func:`calibration_bands` as a table: band, predictions, right, mean confidence, share right.

    >>> print(format_bands([Band(0.0, 0.5, 2, 1, 0.6)], 0.2))
    confidence band  predicted  correct  mean confidence  share right
          0.00-0.50          2        1            0.300        0.500
    expected calibration error 0.200
    """
    lines = ["confidence band  predicted  correct  mean confidence  share right"]
    for b in bands:
        lines.append(f"{f'{b.low:.2f}-{b.high:.2f}':>15}  {b.predicted:9d}  {b.correct:7d}  "
                     f"{b.mean_confidence:15.3f}  {b.share_right:11.3f}")
    lines.append(f"expected calibration error {error:.3f}")
    return "\n".join(lines)


def band_rows(bands: list[Band], error: float) -> dict:
    """:func:`calibration_bands` ready for JSON (``kg eval --json --confidence-table``).

    >>> band_rows([Band(0.0, 0.5, 2, 1, 0.6)], 0.2)["bands"][0]["share_right"]
    0.5
    """
    return {"bands": [{"low": b.low, "high": b.high, "predicted": b.predicted, "correct": b.correct,
                       "mean_confidence": round(b.mean_confidence, 4), "share_right": round(b.share_right, 4)}
                      for b in bands], "error": error}


def headline(s: Score) -> str:
    """The one-line summary: ``precision 0.700 recall 0.500 f1 0.583 (...)``."""
    return (f"precision {s.precision:.3f} recall {s.recall:.3f} f1 {s.f1:.3f} "
            f"({s.correct} correct of {s.predicted} predicted, {s.gold} gold, {s.docs} docs)")


def _shorten(text: str, width: int = 200) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def format_score(s: Score, *, max_evidence: int = 2) -> str:
    """Readable report of a :class:`Score`; the last line is the headline.

    The per-property table comes first, then (when the score was made with
    ``per_doc=True``) the per-document table, the misses and the false positives.

    Parameters
    ----------
    s
        The score.
    max_evidence
        How many evidence sentences to show per false positive.

    Examples
    --------
    >>> import rdflib
    >>> print(format_score(score(rdflib.Graph(), Gold({}, frozenset(), ()))).splitlines()[-1])
    precision 0.000 recall 0.000 f1 0.000 (0 correct of 0 predicted, 0 gold, 0 docs)
    """
    out = _count_table("property", s.per_property)
    out.append("")
    if s.per_document is not None:
        out.extend(format_documents(s).splitlines())
        out.append("")
    out.append(f"missed ({len(s.missed)}; gold, not predicted):")
    for m in s.missed:
        where = f"   [{', '.join(m.docs)}]" if m.docs else ""
        out.append(f"  {' | '.join(m.triple)}{where}")
    out.append("")
    out.append(f"false positives ({len(s.false_positives)}; predicted, not gold; '?' = entity not in gold):")
    for fp in s.false_positives:
        out.append(f"  {' | '.join(fp.triple)}")
        for e in fp.evidence[:max_evidence]:
            how = f" ({e.rule}, {e.modality})" if e.rule else ""
            out.append(f"      {e.doc}{how}: \"{_shorten(e.sentence)}\"")
        if len(fp.evidence) > max_evidence:
            out.append(f"      ... and {len(fp.evidence) - max_evidence} more sentences")
    out.append("")
    out.append(headline(s))
    return "\n".join(out)


def _count_table(what: str, rows: dict[str, PropertyScore]) -> list[str]:
    width = max([14, *map(len, rows)])
    out = [f"{what:<{width}} {'gold':>5} {'pred':>5} {'ok':>5} {'P':>6} {'R':>6} {'F1':>6}"]
    for name, c in rows.items():
        out.append(f"{name:<{width}} {c.gold:>5} {c.predicted:>5} {c.correct:>5} "
                   f"{c.precision:>6.2f} {c.recall:>6.2f} {c.f1:>6.2f}")
    return out


def format_documents(s: Score) -> str:
    """The per-document table of a :class:`Score` made with ``per_doc=True``, and the mean over documents.

    Each row counts one document's gold triples, the distinct triples its own sentences give
    (``pred``) and those that are gold (``ok``). The same triple stated in two documents is
    counted in both rows, once in the overall figures.

    Examples
    --------
    >>> import rdflib
    >>> gold = load_gold(io.StringIO('{"doc": "a.txt", "entities": {"Peru": []}, "triples": []}'))
    >>> print(format_documents(score(rdflib.Graph(), gold, per_doc=True)))
    document        gold  pred    ok      P      R     F1
    a.txt              0     0     0   0.00   0.00   0.00
    """
    rows = s.per_document or {}
    out = _count_table("document", rows)
    mean = s.document_mean
    if mean is not None:
        ngold = sum(1 for c in rows.values() if c.gold)
        out.append(f"mean over {ngold} documents with gold triples: precision {mean[0]:.3f} "
                   f"recall {mean[1]:.3f} f1 {mean[2]:.3f}")
    return "\n".join(out)


def unmatched_documents(gold: Gold, names: Iterable[str]) -> list[str]:
    """The gold documents that no input is named like (compared by file name, so a gold ``doc``
    of "a.txt" matches an input "texts/a.txt").

    >>> g = Gold({}, frozenset(), ("a.txt", "nothere.txt"))
    >>> unmatched_documents(g, ["texts/a.txt", "b.md"])
    ['nothere.txt']
    """
    have = {_doc_key(n) for n in names}
    return [d for d in gold.docs if _doc_key(d) not in have]

