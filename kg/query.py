"""Run SPARQL queries on a kg graph, with a timeout, and format the results.

Queries run in pyoxigraph (fast, strict SPARQL 1.1): the rdflib graph is
loaded into an in-memory :class:`pyoxigraph.Store`. pyoxigraph has no
timeout of its own, so the query runs in a worker thread and
:func:`run_query` stops waiting after ``timeout`` seconds; the worker then
stops at its next result row (a query stuck inside one evaluation step, such
as a huge sort, finishes in the background, where it can no longer be seen).

Values are passed to a query as RDF terms (``bindings``), never pasted into
its text. The prefixes ``kgo:``, ``ent:``, ``fact:``, ``ev:``, ``doc:``,
``wd:``, ``prov:``, ``dcterms:``, ``skos:``, ``owl:``, ``rdf:``, ``rdfs:``
and ``xsd:`` are predeclared.

Examples
--------
>>> from kg.rdf import example_result, to_rdf
>>> g = to_rdf(example_result())
>>> r = run_query(g, load_query("produces"))
>>> r.vars
['producer', 'class', 'mineral', 'confidence']
>>> print(format_result(r, "table"))
producer  class    mineral  confidence
--------  -------  -------  ----------
Peru      Country  copper   0.94
>>> q, b = about_query("PERUVIAN")
>>> [(str(row[0]), str(row[1]), str(row[2])) for row in run_query(g, q, bindings=b).rows]
[('Peru', 'produces', 'copper'), ('Japan', 'partnersWith', 'Peru')]
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.term import Node

from .errors import InputError, QueryError
from .rdf import PREFIXES, new_graph
from .rdfio import graph_prefixes, oxigraph_quads, serialize, to_oxigraph, to_rdflib_term

__all__ = [
    "QueryResult", "QUERIES_DIR", "bundled_queries", "load_query", "run_query", "about_query",
    "format_result", "FORMATS", "short_name",
]

# Installed (wheel): the .rq files are package data in kg/queries/ (pyproject.toml maps the
# top-level queries/ folder to the package kg.queries). In the source tree and in an editable
# install they are read where they are, in queries/ beside kg/.
QUERIES_DIR = next(
    (d for d in (Path(__file__).resolve().parent / "queries", Path(__file__).resolve().parent.parent / "queries")
     if any(d.glob("*.rq"))),
    Path(__file__).resolve().parent.parent / "queries",
)

#: Output formats of :func:`format_result`.
FORMATS = ("table", "csv", "tsv", "json")

_QUERY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)
_VARIABLE = re.compile(r"[?$]?([A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class QueryResult:
    """The result of a query.

    ``kind`` is ``"select"`` (``vars`` and ``rows``: tuples of rdflib terms,
    ``None`` where a variable is unbound), ``"ask"`` (``boolean``) or
    ``"graph"`` for CONSTRUCT and DESCRIBE (``graph``).
    """

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def __len__(self) -> int:
        if self.kind == "graph":
            return len(self.graph or ())
        return len(self.rows) if self.kind == "select" else 1

    def __iter__(self):
        return iter(self.rows if self.kind == "select" else self.graph or ())


# --------------------------------------------------------------------------- loading
def bundled_queries() -> dict[str, Path]:
    """The queries shipped in ``queries/``: name -> path.

    >>> sorted(bundled_queries())
    ['dependencies', 'evidence', 'facts', 'partners', 'produces']
    """
    return {p.stem: p for p in sorted(QUERIES_DIR.glob("*.rq"))}


def load_query(text_or_path: str | Path) -> str:
    """The SPARQL text of a ``.rq`` file, of a bundled query name, or the string itself.

    >>> load_query("facts").splitlines()[0].startswith("# Which facts")
    True
    >>> load_query("ASK { ?s ?p ?o }")
    'ASK { ?s ?p ?o }'
    >>> load_query("producers")
    Traceback (most recent call last):
    kg.errors.QueryError: no bundled query 'producers'; give SPARQL text, a .rq file or one of: dependencies, evidence, facts, partners, produces
    """
    if isinstance(text_or_path, Path) or str(text_or_path).strip().endswith(".rq"):
        path = Path(str(text_or_path).strip())
        if not path.is_file() and path.parent == Path(".") and (QUERIES_DIR / path.name).is_file():
            path = QUERIES_DIR / path.name
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"{path}: query file not found; check the path") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read the query ({exc}); is it a UTF-8 text file?") from None
    text = str(text_or_path)
    if _QUERY_NAME.fullmatch(text.strip()):
        queries = bundled_queries()
        if text.strip() in queries:
            return queries[text.strip()].read_text(encoding="utf-8")
        raise QueryError(f"no bundled query {text.strip()!r}; give SPARQL text, a .rq file or one of: "
                         + ", ".join(queries))
    return text


ABOUT_QUERY = """\
# Facts about one entity, found by its label or any other name (case-insensitive): bind ?name.
SELECT ?subject ?property ?object ?confidence ?asserted
WHERE {
  ?entity rdfs:label|skos:altLabel ?label .
  FILTER (LCASE(STR(?label)) = LCASE(STR(?name)))
  { ?fact rdf:subject ?entity } UNION { ?fact rdf:object ?entity }
  ?fact a kgo:Fact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
        kgo:confidence ?confidence ; kgo:asserted ?asserted .
  ?s rdfs:label ?subject .
  ?o rdfs:label ?object .
  BIND (STRAFTER(STR(?p), "#") AS ?property)
}
ORDER BY DESC(?confidence) ?subject ?property ?object
"""


def about_query(name: str) -> tuple[str, dict[str, Literal]]:
    """A query for the facts about the entity called ``name``, and its bindings.

    The name is bound as a literal (``?name``), so any text is safe.

    >>> q, b = about_query('x" } UNION { ?s ?p ?o')
    >>> b
    {'name': rdflib.term.Literal('x" } UNION { ?s ?p ?o')}
    """
    return ABOUT_QUERY, {"name": Literal(name)}


# --------------------------------------------------------------------------- running
def _query_error(exc: BaseException) -> QueryError:
    msg = " ".join(str(exc).split())
    m = _POSITION.match(msg)
    if m:
        return QueryError(f"bad SPARQL at line {m.group(1)} column {m.group(2)}: {m.group(3)}")
    return QueryError(f"bad SPARQL: {msg}" if isinstance(exc, SyntaxError) else f"query failed: {msg}")


def _var_name(name: str) -> str:
    m = _VARIABLE.fullmatch(str(name))
    if not m:
        raise QueryError(f"binding name {name!r} is not a SPARQL variable name; use letters, digits and _")
    return m.group(1)


def _as_term(value: Any) -> Node:
    if isinstance(value, (URIRef, Literal, BNode)):
        return value
    if isinstance(value, (str, int, float, bool)):
        return Literal(value)
    raise QueryError(f"binding value {value!r} is not an RDF term; pass rdflib URIRef or Literal values")


def _store(graph: Graph) -> ox.Store:
    if not isinstance(graph, Graph):  # a store (kg.store.SparqlTarget): queried in place, never copied
        return graph
    store = ox.Store()
    store.extend(oxigraph_quads(graph, sort=False))
    return store


def _prefixes(graph: Graph) -> dict[str, str]:
    return {**graph_prefixes(graph), **PREFIXES}


def _oxigraph_query(graph: Graph, query: str, bindings: dict[str, Node], cancelled: threading.Event) -> QueryResult:
    bnodes: dict[str, BNode] = {}
    subs = {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
    res = _store(graph).query(query, prefixes=_prefixes(graph), substitutions=subs or None)
    if isinstance(res, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(res))
    if isinstance(res, ox.QueryTriples):
        g = new_graph()
        for t in res:
            if cancelled.is_set():
                break
            g.add((to_rdflib_term(t.subject, bnodes), to_rdflib_term(t.predicate, bnodes),
                   to_rdflib_term(t.object, bnodes)))
        return QueryResult("graph", graph=g)
    names = [v.value for v in res.variables]
    rows = []
    for solution in res:
        if cancelled.is_set():
            break
        rows.append(tuple(None if solution[n] is None else to_rdflib_term(solution[n], bnodes) for n in names))
    return QueryResult("select", vars=names, rows=rows)


def _rdflib_query(graph: Graph, query: str, bindings: dict[str, Node], cancelled: threading.Event) -> QueryResult:
    """rdflib's engine with ``initBindings``: for SELECT bindings of variables that are not projected."""
    res = graph.query(query, initNs=_prefixes(graph), initBindings={Variable(k): v for k, v in bindings.items()})
    names = [str(v) for v in res.vars or ()]
    rows = []
    for row in res:
        if cancelled.is_set():
            break
        rows.append(tuple(row[n] for n in names))
    return QueryResult("select", vars=names, rows=rows)


def _in_worker(fn: Callable[[threading.Event], QueryResult], timeout: float) -> QueryResult:
    cancelled = threading.Event()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = fn(cancelled)
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=work, name="kg-query", daemon=True)
    worker.start()
    worker.join(min(timeout, threading.TIMEOUT_MAX))  # a huge timeout waits as long as it can
    if worker.is_alive():
        cancelled.set()
        raise QueryError(f"query stopped after {timeout:g} s (--timeout); make it more selective "
                         "(LIMIT, fewer unbound patterns) or raise the timeout")
    if "error" in box:
        raise box["error"]
    return box["result"]


def _check_timeout(timeout: object) -> None:
    """QueryError unless ``timeout`` is a positive, finite number of seconds.

    >>> _check_timeout(float("nan"))
    Traceback (most recent call last):
    kg.errors.QueryError: timeout must be a positive, finite number of seconds, not nan
    """
    ok = (isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
          and math.isfinite(timeout) and timeout > 0)
    if not ok:
        shown = f"{timeout:g}" if isinstance(timeout, float) else repr(timeout)
        raise QueryError(f"timeout must be a positive, finite number of seconds, not {shown}")


_SPARQL_SKIP = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                          r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.IGNORECASE)


def uses_service(query: str) -> bool:
    """Whether a SPARQL query calls another endpoint (``SERVICE``), strings, IRIs and comments aside.

    >>> uses_service("SELECT * WHERE { SERVICE <http://127.0.0.1:8765/x> { ?s ?p ?o } }")
    True
    >>> uses_service('SELECT * WHERE { ?s rdfs:label "SERVICE" ; ex:service ?o } # SERVICE')
    False
    """
    return bool(_SERVICE.search(_SPARQL_SKIP.sub(" ", query)))


def run_query(
    graph: Graph,
    query: str,
    *,
    timeout: float = 30.0,
    bindings: Mapping[str, Any] | None = None,
    allow_service: bool = False,
) -> QueryResult:
    """Run a SPARQL query on ``graph``.

    Parameters
    ----------
    graph
        The graph to query (it is not modified).
    query
        SPARQL text (see :func:`load_query` for files and bundled names).
    timeout
        Seconds to wait for the results before raising :class:`~kg.errors.QueryError`:
        a positive, finite number (not ``nan`` or ``inf``).
    bindings
        Variable name (with or without ``?``) -> value: an rdflib term, or a
        Python str/int/float/bool made into a literal. Values are passed as
        terms (pyoxigraph substitutions, or rdflib ``initBindings`` when a
        SELECT binds a variable that it does not project), never as text.
    allow_service
        Let ``SERVICE`` call another SPARQL endpoint over the network. Off by default: kg
        answers offline, and a query someone else wrote must not make requests from here.

    Raises
    ------
    kg.errors.QueryError
        Malformed SPARQL (with line and column), a failed evaluation, or a timeout.

    Examples
    --------
    >>> from kg.rdf import example_result, to_rdf, ENT
    >>> g = to_rdf(example_result())
    >>> run_query(g, "ASK { ent:peru kgo:produces ?m }").boolean
    True
    >>> run_query(g, "SELECT ?m WHERE { ?c kgo:produces ?m }", bindings={"c": ENT.peru}).rows
    [(rdflib.term.URIRef('https://w3id.org/kg-minerals/entity/copper'),)]
    >>> run_query(g, "SELECT ?x WHERE {\\n ?x ?y }")
    Traceback (most recent call last):
    kg.errors.QueryError: bad SPARQL at line 2 column 9: expected one of LATERAL, SERVICE, [_]
    """
    if not isinstance(query, str) or not query.strip():
        raise QueryError("empty query; give SPARQL text, a .rq file or a bundled query name")
    _check_timeout(timeout)
    if not allow_service and uses_service(query):
        raise QueryError("the query uses SERVICE, which would send a request to another SPARQL endpoint; "
                         "kg answers offline, so it is refused (pass --allow-service to let it run)")
    terms = {_var_name(k): _as_term(v) for k, v in (bindings or {}).items()}

    def evaluate(cancelled: threading.Event) -> QueryResult:
        try:
            return _oxigraph_query(graph, query, terms, cancelled)
        except SyntaxError as exc:
            raise _query_error(exc) from None
        except RuntimeError as exc:
            if terms and "projection" in str(exc):
                try:
                    return _rdflib_query(graph, query, terms, cancelled)
                except Exception as inner:
                    raise _query_error(inner) from None
            raise _query_error(exc) from None
        except (OSError, ValueError, TypeError) as exc:
            raise _query_error(exc) from None

    return _in_worker(evaluate, timeout)


# --------------------------------------------------------------------------- formatting
_SHORT_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def short_name(term: Node | None) -> str:
    """A short text for a term: a prefixed name for kg IRIs, the text of a literal.

    >>> from kg.rdf import ENT
    >>> short_name(ENT.peru), short_name(URIRef("https://e.org/x")), short_name(Literal(0.5)), short_name(None)
    ('ent:peru', 'https://e.org/x', '0.5', '')
    """
    if term is None:
        return ""
    if isinstance(term, URIRef):
        s = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if s.startswith(ns) and _SHORT_LOCAL.fullmatch(s[len(ns):]):
                return f"{prefix}:{s[len(ns):]}"
        return s
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def _tsv_term(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    # pyoxigraph writes the term in N-Triples syntax; TSV also needs tabs escaped
    return str(to_oxigraph(term)).replace("\t", "\\t")


def _csv_term(term: Node | None) -> str:
    if term is None:
        return ""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _table(result: QueryResult) -> str:
    header = list(result.vars)
    body = [[" ".join(short_name(t).split()) for t in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in body]
    if not body:
        lines.append("(no results)")
    return "\n".join(lines)


def format_result(result: QueryResult, fmt: str = "table") -> str:
    r"""Format a query result as ``table``, ``csv``, ``tsv`` or ``json``.

    ``json`` is the W3C SPARQL 1.1 Query Results JSON format; ``csv`` and
    ``tsv`` follow the W3C SPARQL 1.1 CSV/TSV formats (CSV lines end with
    CRLF). An ASK result is ``true``/``false`` (JSON: ``{"head": {},
    "boolean": ...}``); a CONSTRUCT or DESCRIBE graph is written as Turtle
    (JSON: JSON-LD). ``table`` shortens kg IRIs to prefixed names.

    >>> r = QueryResult("select", ["s", "n"], [(URIRef("https://e.org/a"), Literal('a "b", c')), (None, Literal(1))])
    >>> format_result(r, "csv").split("\r\n")
    ['s,n', 'https://e.org/a,"a ""b"", c"', ',1', '']
    >>> format_result(r, "tsv").splitlines()
    ['?s\t?n', '<https://e.org/a>\t"a \\"b\\", c"', '\t"1"^^<http://www.w3.org/2001/XMLSchema#integer>']
    >>> format_result(QueryResult("ask", boolean=True), "json")
    '{"head": {}, "boolean": true}'
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(FORMATS)}")
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)})
        return "true" if result.boolean else "false"
    if result.kind == "graph":
        graph = result.graph if result.graph is not None else new_graph()
        return serialize(graph, "jsonld" if fmt == "json" else "ttl").decode("utf-8")
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(result.vars, row) if t is not None} for row in result.rows]
        return json.dumps({"head": {"vars": list(result.vars)}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=2)
    if fmt == "table":
        return _table(result)
    buf = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(result.vars)
        writer.writerows([_csv_term(t) for t in row] for row in result.rows)
        return buf.getvalue()
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"
