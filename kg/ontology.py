"""Read the ontology and lexicon in ``ontologies/`` into plain Python objects.

The ontology (``kg.ttl``) names the classes and properties, their labels,
domains and ranges, and the trigger words of each relation; the lexicon
(``lexicon.ttl``) lists known entities (countries, minerals, organisations,
technologies) with their labels, demonyms and Wikidata IRIs. Code never
hard-codes a property name or a trigger word: it asks :func:`load_ontology`.

Examples
--------
>>> onto = load_ontology()
>>> onto.properties["partnersWith"].symmetric
True
>>> onto.is_a("Country", "Place")
True
>>> "produce" in onto.properties["produces"].verb_triggers
True
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Namespace, URIRef
from rdflib.collection import Collection

from .errors import OntologyError

KGO = Namespace("https://w3id.org/kg-minerals/ontology#")
KGR = Namespace("https://w3id.org/kg-minerals/id/")
KGL = Namespace("https://w3id.org/kg-minerals/lexicon#")
WD = Namespace("http://www.wikidata.org/entity/")

# Installed (wheel): the Turtle files are package data in kg/ontologies/ (pyproject.toml maps
# the top-level ontologies/ folder to the package kg.ontologies). In the source tree and in an
# editable install they are read where they are, in ontologies/ beside kg/.
ONTOLOGY_DIR = next(
    (d for d in (Path(__file__).resolve().parent / "ontologies", Path(__file__).resolve().parent.parent / "ontologies")
     if (d / "kg.ttl").is_file()),
    Path(__file__).resolve().parent.parent / "ontologies",
)


@dataclass(frozen=True)
class PropertySpec:
    """One relation of the ontology with its vocabulary."""

    name: str
    label: str
    comment: str
    domain: frozenset[str]
    range: frozenset[str]
    symmetric: bool = False
    verb_triggers: tuple[str, ...] = ()
    inverse_verb_triggers: tuple[str, ...] = ()
    noun_triggers: tuple[str, ...] = ()
    inverse_noun_triggers: tuple[str, ...] = ()
    adj_triggers: tuple[str, ...] = ()
    inverse_adj_triggers: tuple[str, ...] = ()
    title_triggers: tuple[str, ...] = ()
    containment: bool = False  # one thing inside another: kgo:scale applies

    @property
    def iri(self) -> URIRef:
        return KGO[self.name]


@dataclass(frozen=True)
class ClassSpec:
    name: str
    label: str
    comment: str
    parents: tuple[str, ...]
    head_words: tuple[str, ...] = ()
    ner_labels: tuple[str, ...] = ()
    reference_words: tuple[str, ...] = ()
    scale: int | None = None  # kgo:scale: 1 a country, 2 a part of one
    nested: bool = True  # kgo:nested false: never inside another of its class (countries)

    @property
    def iri(self) -> URIRef:
        return KGO[self.name]


@dataclass(frozen=True)
class LexEntry:
    """A known entity from the lexicon."""

    label: str
    cls: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    wikidata: str | None = None
    capitals: tuple[str, ...] = ()

    @property
    def surface_forms(self) -> tuple[str, ...]:
        return (self.label, *self.aliases, *self.demonyms)


@dataclass(frozen=True)
class Ontology:
    properties: dict[str, PropertySpec]
    classes: dict[str, ClassSpec]
    lexicon: tuple[LexEntry, ...]
    graph: Graph = field(repr=False, compare=False, hash=False)

    # derived from the lexicon once per ontology (the extractor reads them for every document)
    @cached_property
    def demonyms(self) -> frozenset[str]:
        """Every demonym of the lexicon ("Japanese", "Peruvian")."""
        return frozenset(d for e in self.lexicon for d in e.demonyms)

    @cached_property
    def capitals(self) -> dict[str, LexEntry]:
        """Capital city name -> the country's lexicon entry."""
        return {c: e for e in self.lexicon for c in e.capitals}

    @cached_property
    def mineral_words(self) -> dict[str, str]:
        """One-word names of minerals, lower case -> the mineral's canonical label."""
        return {f.lower(): e.label for e in self.lexicon if e.cls == "Mineral"
                for f in (e.label, *e.aliases) if " " not in f}

    @cached_property
    def site_heads(self) -> frozenset[str]:
        """Head words of a site's name: a facility's or a mine's ("mine", "project", "smelter")."""
        return frozenset(w for c in self.classes.values() if self.is_a(c.name, "Facility") for w in c.head_words)

    @cached_property
    def name_heads(self) -> frozenset[str]:
        """Head words that end a site's or a company's name ("Gold Mine", "Copper Mining")."""
        return self.site_heads | frozenset(self.classes["Company"].head_words)

    @cached_property
    def mineral_phrases(self) -> dict[tuple[str, ...], str]:
        """Lower-case mineral names of two or three words ("rare earth", "iron ore"), as word
        tuples (a hyphen is a word: "rare - earth"), -> the mineral's canonical label."""
        out = {}
        for e in self.lexicon:
            if e.cls == "Mineral":
                for f in (e.label, *e.aliases):
                    words = tuple(f.lower().replace("-", " - ").split())
                    if 1 < len(words) <= 3 and f == f.lower():
                        out[words] = e.label
        return out

    @cached_property
    def linked_classes(self) -> frozenset[tuple[str, str]]:
        """The (subject class, object class) pairs that some property's domain and range admit."""
        return frozenset((a, b) for a in self.classes for b in self.classes
                         if any(self.allows(p, a, b) for p in self.properties))

    @cached_property
    def title_heads(self) -> frozenset[str]:
        """Last words of the titles that make a leader ("minister", "president")."""
        return frozenset(t.split()[-1] for spec in self.properties.values() for t in spec.title_triggers)

    @cached_property
    def head_nouns(self) -> frozenset[str]:
        """Every class's one-word head and reference nouns ("mine", "plant", "project", "company")."""
        return frozenset(w for c in self.classes.values() for w in (*c.head_words, *c.reference_words)
                         if " " not in w)

    @cached_property
    def lexicon_keys(self) -> frozenset[str]:
        """The entity keys of the lexicon's entries (their class is the lexicon's)."""
        from .model import normalise_name, slugify

        return frozenset(slugify(normalise_name(e.label)) for e in self.lexicon)

    def ancestors(self, cls: str) -> set[str]:
        """The class and all its superclasses (local names)."""
        seen, todo = set(), [cls]
        while todo:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            spec = self.classes.get(c)
            if spec:
                todo.extend(spec.parents)
        return seen

    def is_a(self, cls: str, target: str) -> bool:
        return target in self.ancestors(cls)

    def scale(self, cls: str) -> int | None:
        """The ``kgo:scale`` of a class or of its nearest ancestor that has one."""
        todo = [cls]
        while todo:
            spec = self.classes.get(todo.pop(0))
            if spec is None:
                continue
            if spec.scale is not None:
                return spec.scale
            todo.extend(spec.parents)
        return None

    def allows(self, prop: str, subject_cls: str, object_cls: str) -> bool:
        """Whether the property's domain and range admit these classes (and, for a containment
        property, whether the subject is no larger than the object: no country inside a region).

        >>> onto = load_ontology()
        >>> onto.allows("locatedIn", "Region", "Country"), onto.allows("locatedIn", "Country", "Region")
        (True, False)
        >>> onto.allows("locatedIn", "Region", "Region"), onto.allows("locatedIn", "Country", "Country")
        (True, False)
        """
        spec = self.properties[prop]
        if not (self.ancestors(subject_cls) & spec.domain and self.ancestors(object_cls) & spec.range):
            return False
        if spec.containment:
            a, b = self.scale(subject_cls), self.scale(object_cls)
            if a is not None and b is not None and a < b:
                return False
            if subject_cls == object_cls and not self.classes[subject_cls].nested:
                return False
        return True

    def class_for_head(self, word: str) -> str | None:
        """The class whose head words include ``word`` (most specific first)."""
        w = word.lower()
        best = None
        for spec in self.classes.values():
            if w in spec.head_words:
                if best is None or self.is_a(spec.name, best):
                    best = spec.name
        return best

    def class_for_reference(self, word: str) -> str | None:
        """The class that a definite noun phrase ("the company") refers to."""
        w = word.lower()
        for spec in self.classes.values():
            if w in spec.reference_words:
                return spec.name
        return None

    def class_for_ner(self, label: str) -> str | None:
        for spec in self.classes.values():
            if label in spec.ner_labels:
                return spec.name
        return None


def _local(iri) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1] if "#" in s else s.rsplit("/", 1)[-1]


def _strings(g: Graph, s, p) -> tuple[str, ...]:
    return tuple(sorted(str(o) for o in g.objects(s, p)))


def _class_set(g: Graph, node) -> frozenset[str]:
    if node is None:
        return frozenset()
    if isinstance(node, URIRef):
        return frozenset({_local(node)})
    union = g.value(node, OWL.unionOf)
    if union is None:
        raise OntologyError(f"ontology: a domain or range is neither a class nor an owl:unionOf ({node})")
    return frozenset(_local(c) for c in Collection(g, union))


def _parse(path: Path, g: Graph) -> None:
    if not path.is_file():
        raise OntologyError(f"{path}: ontology file not found; reinstall kg or pass --ontology DIR")
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many kinds
        raise OntologyError(f"{path}: not valid Turtle: {str(exc).splitlines()[0]}") from None


@functools.lru_cache(maxsize=4)
def load_ontology(directory: str | Path | None = None) -> Ontology:
    """Load ``kg.ttl`` and ``lexicon.ttl`` from ``directory`` (default: the bundled ones)."""
    d = Path(directory) if directory else ONTOLOGY_DIR
    g = Graph()
    _parse(d / "kg.ttl", g)
    lex = Graph()
    _parse(d / "lexicon.ttl", lex)

    classes = {}
    for c in g.subjects(RDF.type, OWL.Class):
        if not isinstance(c, URIRef) or not str(c).startswith(str(KGO)):
            continue
        name = _local(c)
        parents = tuple(sorted(_local(p) for p in g.objects(c, RDFS.subClassOf)
                               if isinstance(p, URIRef) and str(p).startswith(str(KGO))))
        classes[name] = ClassSpec(
            name=name,
            label=str(g.value(c, RDFS.label) or name),
            comment=str(g.value(c, RDFS.comment) or ""),
            parents=parents,
            head_words=tuple(w.lower() for w in _strings(g, c, KGO.headWord)),
            ner_labels=_strings(g, c, KGO.nerLabel),
            reference_words=tuple(w.lower() for w in _strings(g, c, KGO.referenceWord)),
            scale=int(g.value(c, KGO.scale)) if g.value(c, KGO.scale) is not None else None,
            nested=g.value(c, KGO.nested) is None or bool(g.value(c, KGO.nested).toPython()),
        )

    properties = {}
    for p in g.subjects(RDFS.subPropertyOf, KGO.relatedTo):
        name = _local(p)
        properties[name] = PropertySpec(
            name=name,
            label=str(g.value(p, RDFS.label) or name),
            comment=str(g.value(p, RDFS.comment) or ""),
            domain=_class_set(g, g.value(p, RDFS.domain)),
            range=_class_set(g, g.value(p, RDFS.range)),
            symmetric=(p, RDF.type, OWL.SymmetricProperty) in g,
            verb_triggers=_strings(g, p, KGO.verbTrigger),
            inverse_verb_triggers=_strings(g, p, KGO.inverseVerbTrigger),
            noun_triggers=_strings(g, p, KGO.nounTrigger),
            inverse_noun_triggers=_strings(g, p, KGO.inverseNounTrigger),
            adj_triggers=_strings(g, p, KGO.adjTrigger),
            inverse_adj_triggers=_strings(g, p, KGO.inverseAdjTrigger),
            title_triggers=_strings(g, p, KGO.titleTrigger),
            containment=bool(g.value(p, KGO.containment)) if g.value(p, KGO.containment) is not None else False,
        )
    for prop in properties.values():
        for c in prop.domain | prop.range:
            if c not in classes:
                raise OntologyError(f"{d / 'kg.ttl'}: property {prop.name} names unknown class {c}")

    entries = []
    for s in sorted(set(lex.subjects(RDFS.label, None))):
        cls_iri = lex.value(s, RDF.type)
        if cls_iri is None:
            continue
        cls = _local(cls_iri)
        if cls not in classes:
            raise OntologyError(f"{d / 'lexicon.ttl'}: {_local(s)} has unknown class {cls}")
        same = [str(o) for o in lex.objects(s, OWL.sameAs) if str(o).startswith(str(WD))]
        entries.append(LexEntry(
            label=str(lex.value(s, RDFS.label)),
            cls=cls,
            aliases=_strings(lex, s, SKOS.altLabel),
            demonyms=_strings(lex, s, KGO.demonym),
            capitals=_strings(lex, s, KGO.capital),
            wikidata=_local(same[0]) if same else None,
        ))
    return Ontology(properties=properties, classes=classes, lexicon=tuple(entries), graph=g)
