"""The data that flows between the stages of kg.

Every stage hands on frozen dataclasses: :class:`Document` from ingest,
:class:`Entity` and :class:`Fact` (each with its :class:`Evidence`) from
extraction and resolution. Nothing is a bare tuple: a fact always carries
the sentence it came from.

Examples
--------
>>> ev = Evidence(doc_id="doc-1", sentence="Peru produces copper.", start=0, end=21,
...               rule="verb:produce", confidence=0.8, modality="asserted")
>>> f = Fact("peru", "produces", "copper", (ev,))
>>> f.asserted, round(f.confidence, 2)
(True, 0.8)
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

MODALITIES = ("asserted", "hedged", "planned", "negated")


#: words that end a company's name and say only what kind of company it is ("Ltd", "Group")
LEGAL_FORMS = {"ltd", "ltd.", "limited", "inc", "inc.", "corp", "corp.", "corporation", "co", "co.", "company",
               "plc", "sa", "s.a.", "sarl", "ag", "gmbh", "llc", "nv", "bv", "tbk", "group", "holdings", "(group)",
               "international", "ab", "asa", "oyj", "spa", "s.p.a.", "pty", "pte", "bhd", "pjsc", "jsc", "sas"}


def singular(word: str) -> str:
    """A plural word made singular, roughly ("batteries" -> "battery", "mines" -> "mine"; not
    "glass", "status", "basis").

    >>> [singular(w) for w in ("batteries", "mines", "glass", "basis")]
    ['battery', 'mine', 'glass', 'basis']
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def fold_words(text: str) -> list[str]:
    """The words of ``text`` in lower case without accents.

    >>> fold_words("Rössing Uranium, Namibia")
    ['rossing', 'uranium', 'namibia']
    """
    folded = unicodedata.normalize("NFKD", text.lower())
    return re.findall(r"\w+", "".join(ch for ch in folded if not unicodedata.combining(ch)))


def normalise_name(text: str) -> str:
    """Normalise a surface form for matching: case, quotes, "the", possessive, spaces.

    >>> normalise_name("  The  Peru’s ")
    'peru'
    >>> normalise_name("Rare Earths")
    'rare earths'
    """
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    t = re.sub(r"\s+", " ", t.lower()).strip()
    t = re.sub(r"^the ", "", t)
    t = re.sub(r"(?:'s|')$", "", t)
    return t.strip(" .,;:\"'()[]")


def slugify(text: str) -> str:
    """Make a safe IRI segment from a name: ASCII letters, digits and ``-`` only.

    Names with no ASCII letters (or that would collide after folding) get a
    short hash so that the IRI stays deterministic and unique.

    >>> slugify("Gécamines")
    'gecamines'
    >>> slugify("Tenke Fungurume Mining SA")
    'tenke-fungurume-mining-sa'
    >>> slugify("北京").startswith("x-")
    True
    """
    norm = normalise_name(text)
    folded = unicodedata.normalize("NFKD", norm).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:80].strip("-")
    if not slug or not _ascii_fold_ok(norm):
        digest = hashlib.sha1(norm.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        slug = f"{slug or 'x'}-{digest}"
    return slug


def _ascii_fold_ok(norm: str) -> bool:
    """True when folding to ASCII only dropped accents (so the slug is still faithful)."""
    for ch in norm:
        if ord(ch) < 128:
            continue
        if unicodedata.category(ch).startswith("M"):
            continue
        base = unicodedata.normalize("NFKD", ch)[:1]
        if not base or ord(base) >= 128:
            return False
    return True


def content_id(text: str) -> str:
    """Deterministic document id from the article text.

    >>> content_id("Peru produces copper.") == content_id("Peru produces copper.")
    True
    """
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return "doc-" + digest[:16]


@dataclass(frozen=True)
class Document:
    """One article: its text and what is known about where it came from."""

    id: str
    text: str
    name: str
    path: str | None = None
    title: str | None = None
    source: str | None = None
    date: str | None = None
    publisher: str | None = None
    license: str | None = None

    @classmethod
    def from_text(cls, text: str, name: str | None = None, **meta) -> "Document":
        """Make a document from a string; the id is a hash of the text."""
        doc_id = content_id(text)
        return cls(id=doc_id, text=text, name=name or doc_id, **meta)


@dataclass(frozen=True)
class Evidence:
    """Where and how a fact was read: one sentence of one document."""

    doc_id: str
    sentence: str
    start: int
    end: int
    rule: str
    confidence: float
    modality: str = "asserted"

    def __post_init__(self):
        if self.modality not in MODALITIES:
            raise ValueError(f"modality must be one of {MODALITIES}, not {self.modality!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be in [0, 1], not {self.confidence!r}")


@dataclass(frozen=True)
class Entity:
    """A canonical entity: one node of the graph.

    ``key`` is the normalised canonical name and the basis of the IRI;
    ``cls`` is the local name of an ontology class (``Country``, ``Mineral``...).
    """

    key: str
    label: str
    cls: str
    aliases: frozenset[str] = field(default_factory=frozenset)
    wikidata: str | None = None

    @property
    def slug(self) -> str:
        return slugify(self.key)


@dataclass(frozen=True)
class Fact:
    """A (subject, property, object) statement with all its evidence.

    ``subject`` and ``object`` are entity keys; ``predicate`` is the local
    name of an ontology property (``produces``). A fact whose evidence is
    all negated is kept (with its evidence) but not asserted.
    """

    subject: str
    predicate: str
    object: str
    evidence: tuple[Evidence, ...]

    @property
    def asserted(self) -> bool:
        return any(e.modality != "negated" for e in self.evidence)

    @property
    def confidence(self) -> float:
        """Noisy-or of the evidence confidences, one vote per document.

        More independent sentences raise it; a second sentence of the same
        document counts at half strength.

        >>> e = lambda d, c: Evidence(d, "s", 0, 1, "r", c)
        >>> round(Fact("a", "produces", "b", (e("d1", .6), e("d2", .6))).confidence, 2)
        0.84
        """
        positive = [e for e in self.evidence if e.modality != "negated"] or list(self.evidence)
        by_doc: dict[str, list[float]] = {}
        for e in positive:
            by_doc.setdefault(e.doc_id, []).append(e.confidence)
        miss = 1.0
        for confs in by_doc.values():
            confs.sort(reverse=True)
            for rank, c in enumerate(confs):
                miss *= 1.0 - (c if rank == 0 else c * 0.5)
        return round(1.0 - miss, 4)

    @property
    def modality(self) -> str:
        """The strongest modality among the evidence (asserted > planned > hedged > negated)."""
        order = {"asserted": 0, "planned": 1, "hedged": 2, "negated": 3}
        return min((e.modality for e in self.evidence), key=order.__getitem__)


def merge_facts(facts: Iterable[Fact]) -> list[Fact]:
    """Merge facts with the same (subject, predicate, object), pooling evidence.

    Evidence is de-duplicated and sorted so that the result is deterministic.
    """
    pooled: dict[tuple[str, str, str], set[Evidence]] = {}
    for f in facts:
        pooled.setdefault((f.subject, f.predicate, f.object), set()).update(f.evidence)
    return [
        Fact(s, p, o, tuple(sorted(ev, key=lambda e: (e.doc_id, e.start, e.rule, e.modality, e.confidence))))
        for (s, p, o), ev in sorted(pooled.items())
    ]


@dataclass
class BuildResult:
    """Everything one build produced, before it becomes RDF."""

    documents: list[Document] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0


@dataclass
class Shard:
    """What extraction read from one batch of documents, as plain data, before the cross-document step.

    Made by :func:`kg.extract.run.extract_shard`. Everything here depends on the batch's documents
    alone (entity keys are minted from normalised names, per document), so batches can be read
    anywhere, in any order (a Dask worker, a process pool) and :func:`kg.extract.run.merge_shards`
    gives the same entities and facts as one :func:`kg.extract.extract` of all the documents.

    Attributes
    ----------
    evidence : list of (subject key, property, object key, Evidence)
        One evidence per fact and sentence.
    labels : dict of key -> {label: count}
        The names each entity key was read as (insertion order kept: it is the reading order).
    classes : dict of key -> {class: count}
        The classes its mentions had (zero counts too: :func:`kg.extract.run.settle_classes` considers them).
    forms : dict of key -> list of str
        The surface forms, for the aliases.
    traces : list of SentenceTrace
        ``explain`` records, when asked for.
    warnings : list of str
        Sentences that could not be read.
    """

    evidence: list[tuple[str, str, str, Evidence]] = field(default_factory=list)
    labels: dict[str, dict[str, int]] = field(default_factory=dict)
    classes: dict[str, dict[str, int]] = field(default_factory=dict)
    forms: dict[str, list[str]] = field(default_factory=dict)
    traces: list[SentenceTrace] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    """A candidate fact seen in one sentence, kept or dropped (for ``--explain``)."""

    subject: str
    predicate: str
    object: str
    rule: str
    modality: str
    confidence: float
    kept: bool
    reason: str = ""


@dataclass(frozen=True)
class SentenceTrace:
    """What the extractor saw in one sentence: the candidates and their fate."""

    doc_id: str
    doc_name: str
    start: int
    sentence: str
    candidates: tuple[Candidate, ...]


#: The ways facts can be decided (``kg build --extractor``; see :mod:`kg.extract.decide`).
#: Here, not in :mod:`kg.extract`, so that the command line can list them without loading spaCy.
EXTRACTORS = ("rules", "trained", "hybrid")
