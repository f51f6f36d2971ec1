"""Write and read kg graphs in every RDF format, strictly and atomically.

=========  ===========  =================  ======================================
key        rdflib name  file               written by
=========  ===========  =================  ======================================
``ttl``    turtle       ``graph.ttl``      rdflib (prefixed, readable)
``nt``     ntriples     ``graph.nt``       pyoxigraph (canonical N-Triples, sorted)
``trig``   trig         ``graph.trig``     pyoxigraph (all triples in the *default* graph)
``jsonld`` json-ld      ``graph.jsonld``   rdflib (``@context`` from the bound prefixes)
=========  ===========  =================  ======================================

TriG keeps the data in the default graph so that reading it back gives the
same graph as ``graph.ttl`` (a named graph would need a name that Turtle
cannot carry). Reading is strict: a file is first parsed by pyoxigraph,
whose errors become one-line :class:`~kg.errors.InputError` messages with
the line and column, and the parsed triples are then loaded into rdflib.
Reading is bounded: a file larger than :func:`kg.limits.max_rdf_bytes` (256 MiB
unless ``$KG_MAX_RDF_SIZE`` says otherwise) is refused before it is read, and
RDF/XML with a DTD is refused outright (its entities expand without bound).

Examples
--------
>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal('say "hi"')))
>>> serialize(g, "nt")
b'<https://example.org/a> <https://example.org/p> "say \\\\"hi\\\\"" .\\n'
>>> all(check_roundtrip(g, fmt) for fmt in FORMATS)
True
"""
from __future__ import annotations

import functools
import os
import re
import stat
import warnings
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.term import Node

from .atomic import atomic_write, replace_outputs
from .errors import InputError, KGError
from .limits import format_size, max_rdf_bytes
from .limits import too_large as _too_large
from .rdf import new_graph

__all__ = [
    "FORMATS", "FILE_NAMES", "serialize", "write_graph", "write_graphs", "read_graph", "read_store",
    "read_rdf_bytes", "parse_rdf",
    "check_roundtrip", "format_for_path", "to_oxigraph", "to_rdflib_term", "oxigraph_quads", "graph_prefixes",
]

_XSD_STRING = str(XSD.string)
#: Output format keys and their rdflib names.
FORMATS: dict[str, str] = {"ttl": "turtle", "nt": "ntriples", "trig": "trig", "jsonld": "json-ld"}
#: The file name of each format in a build folder.
FILE_NAMES: dict[str, str] = {key: f"graph.{key}" for key in FORMATS}

_OX_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD, "nq": ox.RdfFormat.N_QUADS, "rdf": ox.RdfFormat.RDF_XML,
}
_EXTENSIONS: dict[str, str] = {
    ".ttl": "ttl", ".turtle": "ttl", ".nt": "nt", ".ntriples": "nt", ".trig": "trig",
    ".jsonld": "jsonld", ".json": "jsonld", ".nq": "nq", ".rdf": "rdf", ".owl": "rdf", ".xml": "rdf",
}
_ALIASES: dict[str, str] = {**{v: k for k, v in FORMATS.items()}, "json": "jsonld", "n-triples": "nt"}


def _format_key(fmt: str) -> str:
    key = _ALIASES.get(fmt.lower(), fmt.lower())
    if key not in FORMATS:
        raise KGError(f"unknown RDF format {fmt!r}; use one of {', '.join(FORMATS)}")
    return key


def format_for_path(path: str | os.PathLike[str]) -> str:
    """The format key of a file from its extension.

    >>> format_for_path("out/graph.jsonld"), format_for_path("x.TTL")
    ('jsonld', 'ttl')
    """
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        known = ", ".join(sorted(_EXTENSIONS))
        raise InputError(f"{path}: unknown RDF file extension {suffix or '(none)'!r}; use one of {known}")
    return _EXTENSIONS[suffix]


# --------------------------------------------------------------------------- term conversion
def to_oxigraph(term: Node, bnodes: dict[BNode, ox.BlankNode] | None = None):
    """Convert an rdflib term to the equal pyoxigraph term.

    >>> to_oxigraph(Literal("Peru"))
    <Literal value=Peru datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>
    >>> to_oxigraph(Literal("a", lang="en")).language
    'en'
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        if bnodes is None:
            return ox.BlankNode()
        if term not in bnodes:
            bnodes[term] = ox.BlankNode()
        return bnodes[term]
    raise KGError(f"cannot convert {type(term).__name__} {term!r} to pyoxigraph; only IRIs, blank nodes and literals")


@functools.lru_cache(maxsize=1 << 16)
def _rdflib_value(term: ox.NamedNode | ox.Literal) -> Node:
    """The rdflib term of an IRI or a literal, remembered: query results repeat values (labels,
    properties, classes, confidences) row after row, and making an rdflib literal is slow."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return Literal(term.value) if dt == _XSD_STRING else Literal(term.value, datatype=URIRef(dt))


def to_rdflib_term(term, bnodes: dict[str, BNode] | None = None) -> Node:
    """Convert a pyoxigraph term to the equal rdflib term (``xsd:string`` literals become plain).

    >>> to_rdflib_term(ox.Literal("1", datatype=ox.NamedNode(str(XSD.integer))))
    rdflib.term.Literal('1', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    >>> to_rdflib_term(ox.Literal("Peru"))
    rdflib.term.Literal('Peru')
    """
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return _rdflib_value(term)
    if isinstance(term, ox.BlankNode):
        if bnodes is None:
            return BNode(term.value)
        if term.value not in bnodes:
            bnodes[term.value] = BNode()
        return bnodes[term.value]
    raise triple_term_error(term)


def triple_term_error(term: object) -> InputError:
    """What kg says of an RDF 1.2 triple term (``<< s p o >>``) where it needs an IRI, blank node or literal."""
    return InputError(f"RDF 1.2 triple terms ({term}) are not supported by kg; remove them from the input")


def oxigraph_quads(graph: Graph, *, sort: bool = True) -> list[ox.Quad]:
    """The triples of an rdflib graph as pyoxigraph quads in the default graph (sorted: a stable order)."""
    bnodes: dict[BNode, ox.BlankNode] = {}
    triples = sorted(graph) if sort else graph
    return [ox.Quad(to_oxigraph(s, bnodes), to_oxigraph(p, bnodes), to_oxigraph(o, bnodes), ox.DefaultGraph())
            for s, p, o in triples]


def graph_prefixes(graph: Graph) -> dict[str, str]:
    """The prefixes bound on ``graph`` (prefix -> namespace), sorted, without ``xml``."""
    out = {p: str(ns) for p, ns in graph.namespaces() if p and p != "xml"}
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------- writing
def serialize(graph: Graph, fmt: str) -> bytes:
    """Serialize ``graph`` in one of :data:`FORMATS` (key or rdflib name) as UTF-8 bytes.

    Only rdflib and pyoxigraph serializers write the text.

    >>> from rdflib import Graph
    >>> serialize(Graph(), "trig")
    b''
    """
    key = _format_key(fmt)
    if key == "ttl":
        return graph.serialize(format="turtle", encoding="utf-8")
    if key == "jsonld":
        return graph.serialize(format="json-ld", encoding="utf-8", context=graph_prefixes(graph), auto_compact=True)
    quads = oxigraph_quads(graph)
    if key == "nt":
        return ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=graph_prefixes(graph))


def write_graph(graph: Graph, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Serialize ``graph`` to ``path`` atomically; the format comes from the extension unless given.

    >>> import tempfile
    >>> from rdflib import Graph
    >>> p = write_graph(Graph(), Path(tempfile.mkdtemp()) / "graph.nt")
    >>> p.read_bytes()
    b''
    """
    p = Path(path)
    key = _format_key(fmt) if fmt else format_for_path(p)
    atomic_write(p, serialize(graph, key))
    return p


def write_graphs(graph: Graph, folder: str | os.PathLike[str], formats: Iterable[str] = ("ttl",)) -> list[Path]:
    """Write ``graph`` in several formats into ``folder`` (``graph.ttl``...), all or none.

    Everything is serialized first, then the files are replaced together
    (:func:`kg.atomic.replace_outputs`).
    """
    files = {Path(folder) / FILE_NAMES[_format_key(f)]: serialize(graph, f) for f in formats}
    replace_outputs(files)
    return list(files)


# --------------------------------------------------------------------------- reading
def _syntax_message(exc: SyntaxError) -> str:
    msg = " ".join(str(exc.msg).split())
    if msg.startswith("Parser error") and ": " in msg:
        msg = msg.split(": ", 1)[1]
    if exc.lineno:
        return f"line {exc.lineno} column {exc.offset or 1}: {msg}"
    return msg


def _strict_quads(data: bytes, key: str, name: str) -> Iterator[ox.Quad]:
    try:
        yield from ox.parse(data, format=_OX_FORMATS[key])
    except SyntaxError as exc:
        raise InputError(f"{name}: {_syntax_message(exc)}") from None
    except (ValueError, OSError) as exc:
        raise InputError(f"{name}: cannot be read as {key}: {' '.join(str(exc).split())}") from None


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_rdf_input(raw: bytes, key: str, name: str, max_bytes: int) -> None:
    """Refuse input larger than ``max_bytes`` and RDF/XML with a DTD (entity expansion)."""
    if len(raw) > max_bytes:
        raise _too_large(name, format_size(len(raw)), max_bytes)
    if key == "rdf":
        refuse_dtd(raw, name)


def refuse_dtd(raw: bytes, name: str) -> None:
    """Refuse RDF/XML whose text (or its first part, for a stream) declares a DTD."""
    if _DTD.search(raw):
        raise InputError(f"{name}: RDF/XML with a DTD (<!DOCTYPE> or <!ENTITY>) is refused: its entities can "
                         "expand a small file into gigabytes (a 'billion laughs' bomb); remove the DOCTYPE and "
                         "write the entities out, or convert the file to Turtle")


def parse_rdf(data: bytes | str, fmt: str, *, name: str = "<data>", max_bytes: int | None = None) -> Graph:
    """Parse RDF text strictly with pyoxigraph and load it into a new rdflib graph.

    Named graphs (TriG, N-Quads) are merged into the one graph. The kg
    prefixes are bound on the result. Input larger than ``max_bytes``
    (default: :func:`kg.limits.max_rdf_bytes`, 256 MiB unless ``$KG_MAX_RDF_SIZE``
    says otherwise) and RDF/XML with a DTD are refused: DTD entities expand
    without bound (the "billion laughs" attack).

    >>> g = parse_rdf('<https://e.org/a> <https://e.org/p> "x" .', "nt")
    >>> len(g)
    1
    >>> parse_rdf('<a> <p> "x" .', "nt", name="bad.nt")
    Traceback (most recent call last):
    kg.errors.InputError: bad.nt: line 1 column 1: No scheme found in an absolute IRI
    >>> parse_rdf('<https://e.org/a> <https://e.org/p> "xyz" .', "nt", name="big.nt", max_bytes=16)
    Traceback (most recent call last):
    kg.errors.InputError: big.nt: 43 bytes is more than the 16 bytes of RDF kg reads at most (a bound against hostile input); if the file is trusted, raise it, e.g. KG_MAX_RDF_SIZE=2G
    """
    key = _ALIASES.get(fmt.lower(), fmt.lower())
    if key not in _OX_FORMATS:
        raise InputError(f"{name}: unknown RDF format {fmt!r}")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    _check_rdf_input(raw, key, name, max_rdf_bytes() if max_bytes is None else max_bytes)
    g = new_graph()
    bnodes: dict[str, BNode] = {}
    g.addN((to_rdflib_term(q.subject, bnodes), to_rdflib_term(q.predicate, bnodes),
            to_rdflib_term(q.object, bnodes), g) for q in _strict_quads(raw, key, name))
    return g


def read_rdf_bytes(source: str | os.PathLike[str], *, max_bytes: int | None = None) -> tuple[bytes, str, str]:
    """The bytes of an RDF file or of a build folder's ``graph.ttl``, with their format and name.

    A file larger than ``max_bytes`` is not read (default: :func:`kg.limits.max_rdf_bytes`,
    256 MiB unless ``$KG_MAX_RDF_SIZE`` says otherwise). A build folder's ``graph.ttl`` is
    read through the folder and checked against its manifest (:func:`kg.outset.read_set_file`),
    so it is never half of two builds.

    Raises
    ------
    kg.errors.InputError
        When the file is missing, unreadable, not a regular file, or too large.
    """
    path = Path(source)
    limit = max_rdf_bytes() if max_bytes is None else max_bytes
    if path.is_dir():
        from .outset import read_set_file

        name = FILE_NAMES["ttl"]
        return read_set_file(path, name, max_bytes=limit), "ttl", str(path / name)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; check the path")
    key = format_for_path(path)
    try:
        with path.open("rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):  # a device or a pipe has no size to check
                raise InputError(f"{path}: not a regular file; give an RDF file or a build folder")
            size = info.st_size
            if size > limit:  # refused before reading a byte
                raise _too_large(str(path), format_size(size), limit)
            data = f.read(limit + 1)  # a file that grows (or a device) is still read only up to the bound
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc}); check its permissions") from None
    if len(data) > limit:
        raise _too_large(str(path), "the file", limit)
    return data, key, str(path)


def read_graph(source: str | os.PathLike[str], *, max_bytes: int | None = None) -> Graph:
    """Read a graph from an RDF file (format from the extension) or a build folder (its ``graph.ttl``).

    A file larger than ``max_bytes`` is not read (default: :func:`kg.limits.max_rdf_bytes`,
    256 MiB unless ``$KG_MAX_RDF_SIZE`` says otherwise); nor is RDF/XML with a DTD.

    Raises
    ------
    kg.errors.InputError
        When the file is missing, unreadable, too large or not valid RDF (with line and column).

    Examples
    --------
    >>> read_graph("no/such/folder")
    Traceback (most recent call last):
    kg.errors.InputError: no/such/folder: no such file or folder; check the path
    """
    limit = max_rdf_bytes() if max_bytes is None else max_bytes
    data, key, name = read_rdf_bytes(source, max_bytes=limit)
    return parse_rdf(data, key, name=name, max_bytes=limit)


def read_store(source: str | os.PathLike[str], *, max_bytes: int | None = None) -> ox.Store:
    """Read an RDF file or a build folder straight into an in-memory pyoxigraph store.

    The same checks as :func:`read_graph` (size bound, no DTD, strict syntax), without making
    an rdflib graph: several times faster on large graphs. Named graphs stay named.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "g.nt"
    >>> _ = p.write_text('<https://e.org/a> <https://e.org/p> "x" .\\n')
    >>> len(read_store(p))
    1
    """
    limit = max_rdf_bytes() if max_bytes is None else max_bytes
    data, key, name = read_rdf_bytes(source, max_bytes=limit)
    _check_rdf_input(data, key, name, limit)
    store = ox.Store()
    try:
        store.bulk_load(data, format=_OX_FORMATS[key])
    except SyntaxError as exc:
        raise InputError(f"{name}: {_syntax_message(exc)}") from None
    except (ValueError, OSError) as exc:
        raise InputError(f"{name}: cannot be read as {key}: {' '.join(str(exc).split())}") from None
    return store


def _rdflib_parse(data: bytes, key: str) -> Graph:
    """Parse with rdflib's own parser (TriG: the union of all graphs)."""
    with warnings.catch_warnings():  # rdflib's TriG and JSON-LD parsers use deprecated classes
        warnings.simplefilter("ignore", DeprecationWarning)
        if key != "trig":
            return Graph().parse(data=data, format=FORMATS[key])
        ds = Dataset()
        ds.parse(data=data, format="trig")
        g = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g


def check_roundtrip(graph: Graph, fmt: str) -> bool:
    """Whether ``graph`` survives ``fmt``: serialized, re-parsed strictly by pyoxigraph
    and by rdflib, and both results isomorphic to ``graph``.

    Raises :class:`~kg.errors.InputError` when pyoxigraph rejects the output.
    """
    key = _format_key(fmt)
    data = serialize(graph, key)
    strict = parse_rdf(data, key, name=f"<{key} output>")
    return isomorphic(strict, graph) and isomorphic(_rdflib_parse(data, key), graph)
