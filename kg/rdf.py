"""Turn a :class:`~kg.model.BuildResult` into an RDF graph.

The layout is the contract of ``docs/architecture.md`` ("RDF layout"): one
``ent:`` node per entity, the direct triple of every asserted fact, one
reified ``fact:`` node per kept fact and one ``ev:`` node per piece of
evidence, each linked to the ``doc:`` node of its article.

Text is kept exactly, with one documented exception: characters that no RDF
syntax can carry are removed (see :func:`kg.text.clean_text`): lone UTF-16
surrogates and the C0 control characters other than tab, line feed and
carriage return.

Examples
--------
>>> from kg.model import BuildResult, Document, Entity, Evidence, Fact
>>> doc = Document.from_text("Peru produces copper.", name="peru.txt", date="2017-04-12")
>>> ev = Evidence(doc.id, "Peru produces copper.", 0, 21, "verb:produce", 0.8)
>>> result = BuildResult(
...     documents=[doc],
...     entities={"peru": Entity("peru", "Peru", "Country", wikidata="Q419"),
...               "copper": Entity("copper", "copper", "Mineral")},
...     facts=[Fact("peru", "produces", "copper", (ev,))])
>>> g = to_rdf(result)
>>> (entity_iri("peru"), KGO.produces, entity_iri("copper")) in g
True
>>> g.value(document_iri(doc.id), DCTERMS.date)
rdflib.term.Literal('2017-04-12', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Iterable

import pyoxigraph
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from .model import BuildResult, Document, Entity, Evidence, Fact, merge_facts, slugify
from .ontology import KGO, WD, Ontology, load_ontology
from .text import clean_text  # re-exported: what no RDF syntax can carry is removed

__all__ = [
    "KGO", "ENT", "FACT", "EV", "DOC", "WD", "PROV", "DCTERMS", "RELATION_NS", "PREFIXES",
    "to_rdf", "new_graph", "entity_iri", "entity_slugs", "document_iri", "fact_id", "fact_iri", "evidence_iri",
    "clean_text", "text_literal", "decimal_literal", "date_literal", "source_term", "is_absolute_iri",
    "example_result",
]

ENT = Namespace("https://w3id.org/kg-minerals/entity/")
FACT = Namespace("https://w3id.org/kg-minerals/fact/")
EV = Namespace("https://w3id.org/kg-minerals/evidence/")
DOC = Namespace("https://w3id.org/kg-minerals/document/")
#: The namespace of the fact relations (``kgo:produces`` ...): the ontology's.
RELATION_NS = KGO

#: Prefixes bound on every graph that :func:`to_rdf` makes (prefix -> namespace IRI).
PREFIXES: dict[str, str] = {
    "kgo": str(KGO), "ent": str(ENT), "fact": str(FACT), "ev": str(EV), "doc": str(DOC),
    "wd": str(WD), "prov": str(PROV), "dcterms": str(DCTERMS), "skos": str(SKOS), "owl": str(OWL),
    "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD),
}

# not ending in ".": its prefixed name would need an escaped final dot, which rdflib's TriG
# parser does not read back (found by the hostile-text property test)
_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SURROGATE = re.compile("[\ud800-\udfff]")
# any Unicode space too (U+00A0, U+2003...): RFC 3987 allows some in an IRI, but rdflib's N-Triples
# and Turtle readers end an IRI at one, so the file would not read back
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f\s]')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_WIKIDATA = re.compile(r"(?:http://www\.wikidata\.org/entity/)?([QPL][1-9][0-9]*)")


# --------------------------------------------------------------------------- IRIs
def _hash16(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def new_graph() -> Graph:
    """An empty graph with the kg prefixes bound (and no others beyond rdflib's core ones).

    >>> sorted(p for p, _ in new_graph().namespaces() if p in ("ent", "kgo", "wd"))
    ['ent', 'kgo', 'wd']
    """
    g = Graph(bind_namespaces="core")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, Namespace(ns), override=True, replace=True)
    return g


def entity_iri(slug: str) -> URIRef:
    """The IRI of an entity from its slug (anything else is slugified first).

    >>> entity_iri("peru")
    rdflib.term.URIRef('https://w3id.org/kg-minerals/entity/peru')
    >>> entity_iri("Tenke Fungurume") == entity_iri("tenke-fungurume")
    True
    """
    return ENT[slug if _SLUG.fullmatch(slug) else slugify(slug)]


def entity_slugs(keys: Iterable[str]) -> dict[str, str]:
    """The IRI slug of each entity key: :func:`~kg.model.slugify`, made unique.

    Different keys can slugify alike (``"Nórdica Minerals"`` and ``"Nordica
    Minerals"``, ``"A&B"`` and ``"A B"``). The first key in sorted order keeps
    the plain slug; each later one gets ``-`` and the first 8 hex digits of
    the sha1 of its key (more when that is taken too), so that two keys never
    share an IRI and the same keys always give the same slugs, whatever
    their order.

    >>> entity_slugs(["Nordica Minerals", "Nórdica Minerals", "peru"])
    {'Nordica Minerals': 'nordica-minerals', 'Nórdica Minerals': 'nordica-minerals-81058bd2', 'peru': 'peru'}
    """
    unique = sorted(set(keys))
    natural = {key: slugify(key) for key in unique}
    taken = set()
    slugs: dict[str, str] = {}
    for key in unique:  # first the keys that keep their plain slug
        if natural[key] not in taken:
            taken.add(natural[key])
            slugs[key] = natural[key]
    for key in unique:
        if key in slugs:
            continue
        digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()
        size = 8
        while f"{natural[key]}-{digest[:size]}" in taken and size < len(digest):
            size += 4
        slug = f"{natural[key]}-{digest[:size]}"
        n = 2
        while slug in taken:  # a full-digest clash: practically impossible, still deterministic
            slug, n = f"{natural[key]}-{digest}-{n}", n + 1
        taken.add(slug)
        slugs[key] = slug
    return dict(sorted(slugs.items()))


def document_iri(doc_id: str) -> URIRef:
    """The IRI of a document from :attr:`Document.id`.

    Ids made of anything but letters, digits, ``.``, ``_`` and ``-`` are
    replaced by a hash so that the IRI stays valid.

    >>> document_iri("doc-0123456789abcdef")
    rdflib.term.URIRef('https://w3id.org/kg-minerals/document/doc-0123456789abcdef')
    >>> str(document_iri("a b<c>")).rsplit("/", 1)[1].startswith("x-")
    True
    >>> str(document_iri("0.")).rsplit("/", 1)[1].startswith("x-")  # a final "." too
    True
    """
    return DOC[doc_id if _SAFE_SEGMENT.fullmatch(doc_id) else "x-" + _hash16(doc_id)]


def fact_id(s_slug: str, prop: str, o_slug: str) -> str:
    """The 16 hex digits that name a fact: sha1 of ``subject-slug|property|object-slug``.

    >>> fact_id("peru", "produces", "copper") == hashlib.sha1(b"peru|produces|copper").hexdigest()[:16]
    True
    """
    return _hash16(f"{s_slug}|{prop}|{o_slug}")


def fact_iri(s_slug: str, prop: str, o_slug: str) -> URIRef:
    """The IRI of the reified statement of a fact.

    >>> str(fact_iri("peru", "produces", "copper")).startswith("https://w3id.org/kg-minerals/fact/")
    True
    """
    return FACT[fact_id(s_slug, prop, o_slug)]


def evidence_iri(fact: str, doc_id: str, start: int, end: int, rule: str, modality: str) -> URIRef:
    """The IRI of an evidence node: sha1 of ``fact-id|doc-id|start|end|rule|modality``.

    ``fact`` is the fact id (:func:`fact_id`) or the fact IRI.

    >>> fid = fact_id("peru", "produces", "copper")
    >>> evidence_iri(fid, "doc-1", 0, 21, "verb:produce", "asserted") == \\
    ...     evidence_iri(fact_iri("peru", "produces", "copper"), "doc-1", 0, 21, "verb:produce", "asserted")
    True
    """
    fid = str(fact)
    if fid.startswith(str(FACT)):
        fid = fid[len(str(FACT)):]
    return EV[_hash16(f"{fid}|{doc_id}|{start}|{end}|{rule}|{modality}")]


# --------------------------------------------------------------------------- literals
def text_literal(text: str) -> Literal:
    """A plain (``xsd:string``) literal of the cleaned text.

    >>> text_literal("Peru")
    rdflib.term.Literal('Peru')
    """
    return Literal(clean_text(text))


def decimal_literal(value: float, places: int = 4) -> Literal:
    """An ``xsd:decimal`` literal rounded to ``places`` decimal places.

    >>> decimal_literal(0.87)
    rdflib.term.Literal('0.87', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
    >>> str(decimal_literal(1)), str(decimal_literal(0.123456))
    ('1.0', '0.1235')
    """
    d = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    lexical = f"{d:f}".rstrip("0")
    if lexical.endswith("."):
        lexical += "0"
    return Literal(lexical, datatype=XSD.decimal)


_FULL_DATE_FORMATS = (
    "%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y",
    "%b %d %Y", "%d %B, %Y", "%d %b, %Y", "%b. %d, %Y", "%d. %B %Y",
)
_MONTH_FORMATS = ("%Y-%m", "%B %Y", "%b %Y")
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.I)
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.I)
_ISO_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")


def _strptime(text: str, formats: Iterable[str]) -> _dt.datetime | None:
    for fmt in formats:
        try:
            return _dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


#: A date that says there is none, or that it is not known ("unknown (c. 2019, per text)", "n.d."):
#: a statement about the date, kept as written.
_NO_DATE = re.compile(r"(?:unknown|not known|undated|no date|date unknown|n\.\s?d\.?|n/a|none)"
                      r"(?:\s*[(\[,;:\u2013\u2014-].*)?", re.IGNORECASE | re.DOTALL)
#: A date followed by a remark in brackets ("2020-11 (month inferred)").
_REMARKED_DATE = re.compile(r"(?P<date>[^()\[\]]+?)\s*[(\[].*[)\]]", re.DOTALL)


def date_literal(text: str) -> tuple[Literal, bool]:
    """Parse a date leniently; return the literal and whether it was understood.

    Full dates become ``xsd:date`` (ISO, ``12 April 2017``, ``April 12, 2017``,
    an ISO date-time's date...), ``YYYY-MM`` and ``April 2017`` become
    ``xsd:gYearMonth``, ``YYYY`` becomes ``xsd:gYear``; anything else is
    kept as a plain literal. A statement about the date is understood and kept
    as written: that it is not known (``unknown``, ``unknown (2023-10
    snapshot)``, ``n.d.``, ``undated``...), or a date with a remark in brackets
    (``2020-11 (month inferred)``: the remark qualifies the date, so the text
    stays whole rather than becoming a bare ``xsd:gYearMonth``).

    >>> date_literal("unknown (2023-10 snapshot)")
    (rdflib.term.Literal('unknown (2023-10 snapshot)'), True)
    >>> date_literal("2020-11 (month inferred; the page carries no date)")[1]
    True
    >>> date_literal("someday (maybe)")[1]
    False

    >>> date_literal("April 12, 2017")[0]
    rdflib.term.Literal('2017-04-12', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
    >>> str(date_literal("Wednesday, 12th April 2017")[0])
    '2017-04-12'
    >>> date_literal("2017-04")[0].datatype == XSD.gYearMonth, date_literal("2017")[0].datatype == XSD.gYear
    (True, True)
    >>> date_literal("2017-02-30")
    (rdflib.term.Literal('2017-02-30'), False)
    """
    t = re.sub(r"\s+", " ", clean_text(text)).strip()
    if _NO_DATE.fullmatch(t):
        return text_literal(text), True
    remarked = _REMARKED_DATE.fullmatch(t)
    if remarked and date_literal(remarked.group("date"))[1]:
        return text_literal(text), True
    iso = _ISO_DATETIME.fullmatch(t)
    if iso:
        t = iso.group(1)
    t = _ORDINAL.sub(r"\1", _WEEKDAY.sub("", t))
    if re.fullmatch(r"\d{4}", t):
        return Literal(t, datatype=XSD.gYear), True
    full = _strptime(t, _FULL_DATE_FORMATS)
    if full is not None and 1000 <= full.year:
        return Literal(full.date().isoformat(), datatype=XSD.date), True
    month = _strptime(t, _MONTH_FORMATS)
    if month is not None and 1000 <= month.year:
        return Literal(f"{month.year:04d}-{month.month:02d}", datatype=XSD.gYearMonth), True
    return text_literal(text), False


def is_absolute_iri(text: str) -> bool:
    """Whether ``text`` is a valid absolute IRI (checked by pyoxigraph's strict parser).

    >>> is_absolute_iri("https://example.org/a?b=c#d")
    True
    >>> is_absolute_iri("https://x (mirror of https://y)"), is_absolute_iri("example.org/a")
    (False, False)
    >>> is_absolute_iri("https://e.org/\u00a0a")  # a no-break space
    False
    """
    if not _SCHEME.match(text) or _IRI_FORBIDDEN.search(text) or _SURROGATE.search(text):
        return False
    try:
        pyoxigraph.NamedNode(text)
    except ValueError:
        return False
    return True


#: schemes that run code or carry content when followed: a source with one is never a link
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data"})


def source_term(source: str) -> URIRef | Literal:
    """``dcterms:source`` value: an IRI when ``source`` is a valid absolute IRI, else a literal.

    A ``javascript:``, ``vbscript:`` or ``data:`` source (from front matter, a JSONL ``url``,
    a page's metadata) stays a plain literal: as an IRI, a viewer could make it a link that
    runs or loads something when clicked.

    >>> source_term("https://example.org/a")
    rdflib.term.URIRef('https://example.org/a')
    >>> source_term("Reuters, 12 April")
    rdflib.term.Literal('Reuters, 12 April')
    >>> source_term("JavaScript:alert(1)")
    rdflib.term.Literal('JavaScript:alert(1)')
    >>> source_term("ent:peru")
    rdflib.term.Literal('ent:peru')
    """
    s = source.strip()
    scheme = s.split(":", 1)[0].lower()
    # a "scheme" that is one of kg's prefixes ("ent:peru") is a prefixed name, not an address: as an
    # IRI, formats that write prefixes (JSON-LD's context) would read it back as another IRI
    if scheme in SCRIPT_SCHEMES or scheme in PREFIXES or not is_absolute_iri(s):
        return text_literal(source)
    return URIRef(s)


# --------------------------------------------------------------------------- graph
def to_rdf(
    result: BuildResult,
    ontology: Ontology | None = None,
    *,
    min_confidence: float = 0.0,
    warnings: list[str] | None = None,
    evidence_of: Callable[[Fact], Iterable[Evidence]] | None = None,
) -> Graph:
    """Build the RDF graph of a build result (layout: ``docs/architecture.md``).

    Parameters
    ----------
    result
        The documents, entities and facts of a build.
    ontology
        The ontology that names the classes and relations (default: the bundled one).
        An entity of an unknown class is typed ``kgo:Entity``; a fact with an
        unknown relation or no evidence is left out. Each case adds a warning.
    min_confidence
        Facts whose combined confidence is below this are left out entirely
        (no direct triple, no ``fact:`` node, no evidence).
    warnings
        When given, one-line warnings are appended to it (dates kept as
        text, left-out facts...).
    evidence_of
        Which evidence of a fact gets its ``ev:`` node (default: all of it). The fact's own
        triples (confidence, evidence count, modality) always count all its evidence; the
        store (:mod:`kg.store`) uses this to make only the evidence nodes that changed.

    Returns
    -------
    rdflib.Graph
        A new graph; the same input always gives the same triples. Entity
        IRIs come from :func:`entity_slugs`: two keys that slugify alike
        never share an IRI (the later one gets a short hash), and fact and
        evidence IRIs use those final slugs.

    Examples
    --------
    >>> from kg.model import Entity, Evidence, Fact
    >>> ev = Evidence("d", "Japan will not partner with Peru.", 0, 33, "verb:partner", 0.7, "negated")
    >>> r = BuildResult(entities={"japan": Entity("japan", "Japan", "Country"),
    ...                           "peru": Entity("peru", "Peru", "Country")},
    ...                 facts=[Fact("japan", "partnersWith", "peru", (ev,))])
    >>> g = to_rdf(r)
    >>> (entity_iri("japan"), KGO.partnersWith, entity_iri("peru")) in g
    False
    >>> g.value(fact_iri("japan", "partnersWith", "peru"), KGO.asserted)
    rdflib.term.Literal('false', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#boolean'))
    """
    onto = ontology if ontology is not None else load_ontology()
    warn = warnings if warnings is not None else []
    g = new_graph()
    facts = merge_facts(result.facts)
    slugs = entity_slugs([e.key for e in result.entities.values()]
                         + [k for f in facts for k in (f.subject, f.object)])
    # with min_confidence, an entity left with no fact is left out too
    kept = {k for f in facts if f.confidence >= min_confidence for k in (f.subject, f.object)}
    for key in sorted(result.entities):
        entity = result.entities[key]
        if min_confidence > 0 and entity.key not in kept:
            continue
        _add_entity(g, entity, slugs[entity.key], onto, warn)
    for fact in facts:
        _add_fact(g, fact, slugs, onto, min_confidence, warn, evidence_of)
    for doc in sorted(result.documents, key=lambda d: (d.id, d.name)):
        _add_document(g, doc, warn)
    return g


def _add_entity(g: Graph, entity: Entity, slug: str, onto: Ontology, warn: list[str]) -> None:
    node = ENT[slug]
    if entity.cls in onto.classes:
        g.add((node, RDF.type, KGO[entity.cls]))
    else:
        warn.append(f"entity {entity.label!r}: unknown class {entity.cls!r}, typed kgo:Entity")
        g.add((node, RDF.type, KGO.Entity))
    label = clean_text(entity.label)
    g.add((node, RDFS.label, Literal(label)))
    for alias in sorted({clean_text(a) for a in entity.aliases} - {label, ""}):
        g.add((node, SKOS.altLabel, Literal(alias)))
    if entity.wikidata:
        m = _WIKIDATA.fullmatch(entity.wikidata.strip())
        if m:
            g.add((node, OWL.sameAs, WD[m.group(1)]))
        else:
            warn.append(f"entity {entity.label!r}: Wikidata id {entity.wikidata!r} is not like Q123, left out")


def _add_fact(g: Graph, fact: Fact, slugs: dict[str, str], onto: Ontology, min_confidence: float,
              warn: list[str], evidence_of: Callable[[Fact], Iterable[Evidence]] | None = None) -> None:
    if fact.predicate not in onto.properties:
        warn.append(f"fact {fact.subject} {fact.predicate} {fact.object}: unknown relation, left out")
        return
    if not fact.evidence:
        warn.append(f"fact {fact.subject} {fact.predicate} {fact.object}: no evidence, left out")
        return
    if fact.confidence < min_confidence:
        return
    s_slug, o_slug = slugs[fact.subject], slugs[fact.object]
    s, p, o = ENT[s_slug], RELATION_NS[fact.predicate], ENT[o_slug]
    fid = fact_id(s_slug, fact.predicate, o_slug)
    node = FACT[fid]
    if fact.asserted:
        g.add((s, p, o))
    for t in (RDF.Statement, KGO.Fact):
        g.add((node, RDF.type, t))
    g.add((node, RDF.subject, s))
    g.add((node, RDF.predicate, p))
    g.add((node, RDF.object, o))
    g.add((node, KGO.confidence, decimal_literal(fact.confidence)))
    g.add((node, KGO.evidenceCount, Literal(len(fact.evidence))))
    # the strongest modality over the evidence; "asserted" means that one only (a hedged or
    # planned fact still has its direct triple, as long as some evidence does not negate it)
    g.add((node, KGO.modality, Literal(fact.modality)))
    g.add((node, KGO.asserted, Literal(fact.modality == "asserted")))
    seen: set[URIRef] = set()
    for ev in fact.evidence if evidence_of is None else evidence_of(fact):
        ev_node = evidence_iri(fid, ev.doc_id, ev.start, ev.end, ev.rule, ev.modality)
        if ev_node not in seen:  # same sentence, rule and modality twice: keep the first
            seen.add(ev_node)
            _add_evidence(g, ev_node, ev, node, (s, p, o))


def _add_evidence(g: Graph, node: URIRef, ev: Evidence, fact_node: URIRef, spo: tuple) -> None:
    for t in (RDF.Statement, KGO.Evidence):
        g.add((node, RDF.type, t))
    g.add((node, RDF.subject, spo[0]))
    g.add((node, RDF.predicate, spo[1]))
    g.add((node, RDF.object, spo[2]))
    g.add((node, KGO.supports, fact_node))
    g.add((node, PROV.wasDerivedFrom, document_iri(ev.doc_id)))
    g.add((node, KGO.sentence, text_literal(ev.sentence)))
    g.add((node, KGO.startChar, Literal(int(ev.start))))
    g.add((node, KGO.endChar, Literal(int(ev.end))))
    g.add((node, KGO.confidence, decimal_literal(ev.confidence)))
    g.add((node, KGO.rule, text_literal(ev.rule)))
    g.add((node, KGO.modality, Literal(ev.modality)))


def _add_document(g: Graph, doc: Document, warn: list[str]) -> None:
    node = document_iri(doc.id)
    g.add((node, RDF.type, KGO.Document))
    g.add((node, RDF.type, PROV.Entity))
    if doc.title is not None:
        g.add((node, DCTERMS.title, text_literal(doc.title)))
    if doc.source:
        g.add((node, DCTERMS.source, source_term(doc.source)))
    if doc.date:
        lit, understood = date_literal(doc.date)
        if not understood:
            warn.append(f"{doc.name}: date '{doc.date}' kept as text")
        g.add((node, DCTERMS.date, lit))
    if doc.publisher is not None:
        g.add((node, DCTERMS.publisher, text_literal(doc.publisher)))
    if doc.license is not None:
        g.add((node, DCTERMS.license, text_literal(doc.license)))
    if doc.name:
        g.add((node, KGO.fileName, text_literal(doc.name)))


def example_result() -> BuildResult:
    """A small hand-made build result (for examples, tests and notebooks).

    Two articles; Japan partners with Peru; Peru produces copper (two
    sentences, two documents); Chile does *not* produce cobalt (negated).

    >>> r = example_result()
    >>> [(f.subject, f.predicate, f.object, f.asserted) for f in r.facts]
    [('chile', 'produces', 'cobalt', False), ('japan', 'partnersWith', 'peru', True), ('peru', 'produces', 'copper', True)]
    """
    text1 = ("Japan signed a partnership with Peru. Peru produces copper. "
             "Chile does not produce cobalt.")
    text2 = "Peru, rich in copper and zinc, exports ore."
    d1 = Document.from_text(text1, name="01-japan-peru.txt", title="Japan and Peru",
                            source="https://example.org/news/1", date="12 April 2017", publisher="Example News")
    d2 = Document.from_text(text2, name="02-peru.txt", title="Peru's copper",
                            source="https://x.example (mirror of https://y.example)", date="2017-05")

    def ev(doc: Document, sentence: str, rule: str, conf: float, modality: str = "asserted") -> Evidence:
        start = doc.text.index(sentence)
        return Evidence(doc.id, sentence, start, start + len(sentence), rule, conf, modality)

    entities = {
        "japan": Entity("japan", "Japan", "Country", frozenset({"Japanese"}), "Q17"),
        "peru": Entity("peru", "Peru", "Country", frozenset({"Peruvian", "Republic of Peru"}), "Q419"),
        "chile": Entity("chile", "Chile", "Country", wikidata="Q298"),
        "copper": Entity("copper", "copper", "Mineral", frozenset({"Cu"}), "Q753"),
        "cobalt": Entity("cobalt", "cobalt", "Mineral", wikidata="Q740"),
    }
    facts = [
        Fact("japan", "partnersWith", "peru",
             (ev(d1, "Japan signed a partnership with Peru.", "noun:partnership with", 0.75),)),
        Fact("peru", "produces", "copper",
             (ev(d1, "Peru produces copper.", "verb:produce", 0.8),
              ev(d2, "Peru, rich in copper and zinc, exports ore.", "adj:rich in", 0.7))),
        Fact("chile", "produces", "cobalt",
             (ev(d1, "Chile does not produce cobalt.", "verb:produce", 0.8, "negated"),)),
    ]
    return BuildResult(documents=[d1, d2], entities=entities, facts=merge_facts(facts))
