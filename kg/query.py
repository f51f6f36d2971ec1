"""Run SPARQL queries on a kg graph, with a timeout, and format the results.

Queries run in pyoxigraph (fast, strict SPARQL 1.1): the rdflib graph is
loaded into an in-memory :class:`pyoxigraph.Store`. pyoxigraph has no
timeout and no memory bound of its own, so :func:`run_query` runs the query

* by default in a worker thread of this process: it stops waiting after
  ``timeout`` seconds and the worker stops at its next result row (a query
  stuck inside one evaluation step, such as a huge sort, finishes in the
  background, where it can no longer be seen);
* with ``max_memory`` (as ``kg query`` does) in a forked child process whose
  address space is bounded (``RLIMIT_AS``): the child is killed at the
  timeout, and one that runs out of memory is a one-line error (with glibc the
  query runs there in a thread of its own, on new memory in huge pages rather
  than on the free memory of this process copied page by page: :mod:`kg.heap`).

Either way at most ``limit`` rows are read. Queries are read-only (SPARQL
Update is refused), offline (``SERVICE`` is refused unless allowed), and bad
SPARQL is explained in words (:func:`unknown_prefixes`, the token where the
query cannot be read on) rather than as the parser's expectations.

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
import faulthandler
import gc
import io
import json
import math
import os
import pickle
import re
import select
import signal
import struct
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.term import Node

from .errors import InputError, KGError, QueryError
from .limits import DEFAULT_TABLE_LIMIT, format_size
from .rdf import PREFIXES, new_graph
from .rdfio import graph_prefixes, oxigraph_quads, serialize, to_oxigraph, to_rdflib_term, triple_term_error

__all__ = [
    "QueryResult", "RenderedResult", "QUERIES_DIR", "bundled_queries", "load_query", "run_query", "render_query",
    "about_query",
    "format_result", "FORMATS", "short_name", "truncation_note", "update_keyword", "unknown_prefixes",
    "uses_service", "DEFAULT_TABLE_LIMIT", "wait_for_query_processes",
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
    #: Whether there were more rows (or triples) than the ``limit`` the query was run with.
    truncated: bool = False

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


# --------------------------------------------------------------------------- messages
_SPARQL_SKIP = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                          r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.IGNORECASE)
_UPDATE = re.compile(r"\A(?:\s*(?:PREFIX\s+[^\s:]*:|BASE))*\s*"
                     r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:])", re.IGNORECASE)
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_PREFIXED_NAME = re.compile(r"(?<![\w.:?$-])([A-Za-z][\w.-]*)?:(?:[\w%\\-]+(?:[.:][\w%\\-]+)*)?")
_SCHEME_IRI = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:")
_TOKEN = re.compile(r"\s*([\w?$:.-]+|\S)")
_EXPECTED_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|\[(?:\'(?:[^\'\\]|\\.)*\'|[^\]\'])*\]?|[^,"\[]+')


def _blank_skipped(query: str) -> str:
    """The query with its strings, IRIs and comments blanked out (same length, so positions hold)."""
    return _SPARQL_SKIP.sub(lambda m: " " * len(m.group()), query)


def uses_service(query: str) -> bool:
    """Whether a SPARQL query calls another endpoint (``SERVICE``), strings, IRIs and comments aside.

    >>> uses_service("SELECT * WHERE { SERVICE <http://127.0.0.1:8765/x> { ?s ?p ?o } }")
    True
    >>> uses_service('SELECT * WHERE { ?s rdfs:label "SERVICE" ; ex:service ?o } # SERVICE')
    False
    """
    return bool(_SERVICE.search(_blank_skipped(query)))


def update_keyword(query: str) -> str | None:
    """The SPARQL Update operation a request starts with (``INSERT``, ``DROP``...), or ``None``.

    >>> update_keyword("PREFIX ex: <http://e.org/>\\n# add one\\ninsert data { ex:a ex:b ex:c }")
    'INSERT'
    >>> update_keyword('SELECT * WHERE { ?s ?p "DROP" }') is None
    True
    """
    m = _UPDATE.match(_blank_skipped(query))
    return m.group(1).upper() if m else None


def _line_column(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line} column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def unknown_prefixes(query: str, known: Iterable[str]) -> dict[str, str]:
    """The prefixes a query uses but neither declares nor finds in ``known``: prefix -> where first used.

    >>> unknown_prefixes('PREFIX ex: <http://e.org/>\\nSELECT * { ?s ex:p ?o ; foo:bar "a:b" }', ["kgo"])
    {'foo': 'foo:bar at line 2 column 25'}
    """
    text = _blank_skipped(query)
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(text)} | set(known)
    found: dict[str, str] = {}
    for m in _PREFIXED_NAME.finditer(text):
        prefix = m.group(1) or ""
        if prefix not in declared and prefix not in found and prefix != "_":
            found[prefix] = f"{m.group()} at {_line_column(query, m.start())}"
    return found


def _relative_iri(query: str) -> str | None:
    if re.search(r"\bBASE\b", _blank_skipped(query), re.IGNORECASE):
        return None
    for m in _SPARQL_SKIP.finditer(query):
        iri = m.group()
        if iri.startswith("<") and iri.endswith(">") and not _SCHEME_IRI.match(iri):
            return f"{iri} at {_line_column(query, m.start())}"
    return None


def _expected_in_words(expected: str) -> str:
    """The parser's list of what it expected, without its character classes: a reason, or a few tokens."""
    reasons, tokens = [], []
    expected = re.sub(r"^expected (one of )?", "", expected)
    for item in (x.strip() for x in _EXPECTED_ITEM.findall(expected)):
        if not item or item.startswith("["):
            continue
        if item.startswith('"'):
            tokens.append(item[1:-1].replace('\\"', '"').replace("\\\\", "\\"))
        elif " " in item:
            reasons.append(item[0].lower() + item[1:])
        else:
            tokens.append(item)
    if reasons:
        return "; ".join(reasons)
    if tokens and len(tokens) <= 10:
        return "expected " + (tokens[0] if len(tokens) == 1 else "one of " + " ".join(tokens))
    return "the query cannot be read on from here; check the syntax just before this point"


def _syntax_error(query: str, msg: str, known: Iterable[str]) -> QueryError:
    unknown = unknown_prefixes(query, known)
    if unknown:
        names = ", ".join(f"'{p}:' ({where})" for p, where in unknown.items())
        return QueryError(f"bad SPARQL: unknown prefix {names}; known prefixes: "
                          f"{', '.join(sorted(set(known)))}; declare others with PREFIX name: <IRI>")
    relative = _relative_iri(query)
    if relative:
        return QueryError(f"bad SPARQL: relative IRI {relative}; write a full IRI such as <https://example.org/x> "
                          "or a prefixed name such as kgo:produces")
    offset = _rdflib_stop(query)
    if offset is not None:  # where rdflib's parser could not read on: the start of the bad part
        token = _TOKEN.match(query, offset)
        if token:
            offset = token.start(1)
            what = f"cannot read on from {token.group(1)!r}; check the spelling, the brackets and the dots there"
        else:
            what = "the query ends too early; is a '}', a ')' or a term missing?"
        return QueryError(f"bad SPARQL at {_line_column(query, offset)}: {what}")
    m = _POSITION.match(msg)
    if not m:
        return QueryError(f"bad SPARQL: {msg}")
    return QueryError(f"bad SPARQL at line {m.group(1)} column {m.group(2)}: {_expected_in_words(m.group(3))}")


def _rdflib_stop(query: str) -> int | None:
    """Where rdflib's SPARQL parser stops on ``query`` (a character offset), or ``None`` if it reads it.

    pyoxigraph's parser reports the furthest point it tried, often the end of the query;
    rdflib's reports the start of the part it could not read, which is what a user needs.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(query)
    except ParseBaseException as exc:
        return min(max(exc.loc, 0), len(query))
    except Exception:  # noqa: BLE001 (any other failure of rdflib's parser: fall back to pyoxigraph's words)
        return None
    return None


def _query_error(exc: BaseException, query: str = "", known: Iterable[str] = ()) -> QueryError:
    msg = " ".join(str(exc).split())
    if isinstance(exc, SyntaxError):
        return _syntax_error(query, msg, known)
    return QueryError(f"query failed: {msg}")


# --------------------------------------------------------------------------- running
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


def _take(items: Iterable[Any], limit: int | None, cancelled: threading.Event) -> tuple[list[Any], bool]:
    """The first ``limit`` items (all when ``None``) and whether there was at least one more."""
    out = []
    for item in items:
        if cancelled.is_set():
            break
        if limit is not None and len(out) == limit:
            return out, True
        out.append(item)
    return out, False


def _oxigraph_query(graph: Graph, query: str, bindings: dict[str, Node], cancelled: threading.Event,
                    limit: int | None = None, raw: bool = False) -> QueryResult:
    """The query on the graph's pyoxigraph store; ``raw``: the rows of a SELECT hold pyoxigraph's
    own terms (for CSV and TSV, whose text comes straight from them), not rdflib's."""
    bnodes: dict[str, BNode] = {}
    subs = {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
    res = _store(graph).query(query, prefixes=_prefixes(graph), substitutions=subs or None)
    if isinstance(res, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(res))
    if isinstance(res, ox.QueryTriples):
        triples, more = _take((tuple(to_rdflib_term(x, bnodes) for x in (t.subject, t.predicate, t.object))
                               for t in res), limit, cancelled)
        g = new_graph()
        for t in triples:
            g.add(t)
        return QueryResult("graph", graph=g, truncated=more)
    names = [v.value for v in res.variables]
    if raw:
        rows, more = _take((tuple(s[n] for n in names) for s in res), limit, cancelled)
        return QueryResult("select", vars=names, rows=rows, truncated=more)
    rows, more = _take((tuple(None if s[n] is None else to_rdflib_term(s[n], bnodes) for n in names) for s in res),
                       limit, cancelled)
    return QueryResult("select", vars=names, rows=rows, truncated=more)


def _rdflib_query(graph: Graph, query: str, bindings: dict[str, Node], cancelled: threading.Event,
                  limit: int | None = None) -> QueryResult:
    """rdflib's engine with ``initBindings``: for SELECT bindings of variables that are not projected."""
    res = graph.query(query, initNs=_prefixes(graph), initBindings={Variable(k): v for k, v in bindings.items()})
    names = [str(v) for v in res.vars or ()]
    rows, more = _take((tuple(row[n] for n in names) for row in res), limit, cancelled)
    return QueryResult("select", vars=names, rows=rows, truncated=more)


def _timeout_error(timeout: float) -> QueryError:
    return QueryError(f"query stopped after {timeout:g} s (--timeout); make it more selective "
                      "(LIMIT, fewer unbound patterns) or raise the timeout")


def _release(exc: BaseException) -> None:
    """Free the frames of an exception's tracebacks (and of its causes) in the thread that made them.

    pyoxigraph's result objects may only be dropped in the thread that made them; a traceback
    handed to another thread would keep them alive until that thread drops them, which pyoxigraph
    reports on stderr ("PyQuerySolutions is unsendable, but is being dropped on another thread").
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if exc.__traceback__ is not None:
            traceback.clear_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__


def _in_worker(fn: Callable[[threading.Event], QueryResult], timeout: float) -> QueryResult:
    cancelled = threading.Event()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = fn(cancelled)
        except BaseException as exc:  # handed to the caller
            _release(exc)
            box["error"] = exc

    worker = threading.Thread(target=work, name="kg-query", daemon=True)
    worker.start()
    worker.join(min(timeout, threading.TIMEOUT_MAX))  # a huge timeout waits as long as it can
    if worker.is_alive():
        cancelled.set()
        raise _timeout_error(timeout)
    if "error" in box:
        raise box["error"]
    return box["result"]


_HEADER = struct.Struct("<Q")  # the length of the outcome a query's child sends before it
_OUT_OF_MEMORY = 3  # the exit code of a child that ran out of memory in Python code


def _limit_address_space(max_memory: int, reserved: int = 0) -> None:
    """Let this process map at most ``max_memory`` bytes more than it has now (RLIMIT_AS), less
    ``reserved``: address space it holds already but can still fill (:func:`kg.heap.prepare`)."""
    import resource

    try:
        with open("/proc/self/statm", "rb") as f:
            now = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        now = 0
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    limit = max(now + max_memory - reserved, 0)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _bounded(fn: Callable[[threading.Event], QueryResult], max_memory: int, libc: Any) -> bytes:
    """Bound the memory (with a fresh heap for this thread when ``libc`` is glibc), run ``fn``
    and return its pickled outcome; a MemoryError is raised as such."""
    from . import heap

    _limit_address_space(max_memory, heap.prepare(libc) if libc is not None else 0)
    try:
        outcome: tuple[str, Any] = ("result", fn(threading.Event()))
    except KGError as exc:
        outcome = ("error", type(exc)(*exc.args))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 (a bug: the parent reports it as one)
        outcome = ("bug", f"{type(exc).__name__}: {exc}")
    return pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)


def _in_query_thread(fn: Callable[[threading.Event], QueryResult], max_memory: int) -> bytes:
    """:func:`_bounded` in a thread of its own on a heap of its own (:mod:`kg.heap`) where glibc
    allows and the bound leaves room for the heap's reserve; else in this thread."""
    from . import heap

    libc = heap.glibc() if max_memory >= 2 * heap.HEAP_RESERVE else None
    if libc is None:
        return _bounded(fn, max_memory, None)
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["data"] = _bounded(fn, max_memory, libc)
        except BaseException as exc:  # noqa: BLE001 (raised again below, in the calling thread)
            box["error"] = exc

    worker = threading.Thread(target=work, name="kg-query")
    try:
        worker.start()
    except RuntimeError:  # no thread to be had (a limit on processes): in this one
        return _bounded(fn, max_memory, None)
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["data"]


def _child_main(fn: Callable[[threading.Event], QueryResult], max_memory: int, out: int, err: int) -> None:
    """The forked child: bound its memory, run the query, send the pickled outcome; never returns.

    With glibc the query runs in a thread of its own, on a heap of its own in huge pages
    (:mod:`kg.heap`), rather than on the free memory the forked process left, which would be
    copied page by page as the query wrote to it.
    """
    code = 0
    try:
        faulthandler.disable()  # its report of the abort below would go to the caller's stderr
        os.dup2(err, 2)  # an allocation failure in pyoxigraph (Rust) is reported here, then aborts
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        data = _in_query_thread(fn, max_memory)
        view = memoryview(_HEADER.pack(len(data)) + data)
        while view:
            view = view[os.write(out, view):]
    except MemoryError:
        code = _OUT_OF_MEMORY
    except BaseException:  # noqa: BLE001 (anything else: the parent reports the exit code)
        code = 1
    os._exit(code)


def _read_child(pid: int, out: int, err: int, deadline: float) -> tuple[bytes, bytes, int | None]:
    """What the child sends, its stderr (the last 4 KB) and its wait status.

    The outcome comes framed by its length: once all of it is here the status is ``None`` and the
    child is left to end on its own (collected later, :func:`_collect`), since undoing the address
    space of a process that ran a query takes a few milliseconds the caller need not wait for.
    Otherwise (the child died, or sent less) everything up to its end and its status.
    TimeoutError at the deadline.
    """
    chunks, errors, open_fds = bytearray(), b"", {out, err}
    need = None
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select(list(open_fds), [], [], min(left, 3600.0))  # a huge timeout: wait in steps
        for fd in ready:
            data = os.read(fd, 1 << 16)
            if not data:
                open_fds.discard(fd)
            elif fd == out:
                chunks += data
                if need is None and len(chunks) >= _HEADER.size:
                    need = _HEADER.size + _HEADER.unpack_from(chunks)[0]
                if need is not None and len(chunks) >= need:
                    return bytes(chunks[_HEADER.size:need]), errors, None
            else:
                errors = (errors + data)[-4096:]
    return b"", errors, os.waitpid(pid, 0)[1]


_ending: list[int] = []  # children that sent their outcome and are ending (collected later)


def _collect(block: bool = False) -> None:
    """Collect the children of answered queries that have ended (all of them, waiting, with ``block``)."""
    for pid in list(_ending):
        try:
            done = os.waitpid(pid, 0 if block else os.WNOHANG)[0]
        except ChildProcessError:
            done = pid
        if done:
            _ending.remove(pid)


def wait_for_query_processes() -> None:
    """Wait until the processes of the queries already answered have ended (see :func:`_read_child`).

    Nothing needs this to be correct (each query collects those that have ended before it
    starts its own); it is for measuring the CPU time of the queries, which counts only
    children that have ended and been collected.
    """
    _collect(block=True)


def _in_child(fn: Callable[[threading.Event], QueryResult], timeout: float, max_memory: int) -> QueryResult:
    """Run ``fn`` in a forked child process whose address space is bounded by ``max_memory``.

    The child is killed at the timeout, so a query stuck in one step (a huge sort) stops too; its
    memory never becomes this process's.
    """
    from . import heap

    _collect()  # the children of earlier queries that have ended since
    heap.trim()  # fewer pages mapped, fewer page tables for the fork to copy
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    parent = os.getpid()
    # the objects of this process are left out of the child's garbage collections, which would
    # otherwise write to (and so copy) every page holding one; undone here at once after the fork
    freeze = gc.isenabled() and gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        pid = os.fork()
    except OSError as exc:
        for fd in (out_r, out_w, err_r, err_w):
            os.close(fd)
        raise QueryError(f"cannot start a process for the query ({exc.strerror or exc}); the system is short of "
                         "processes or memory: try again later") from None
    finally:
        if freeze and os.getpid() == parent:
            gc.unfreeze()
    if pid == 0:  # pragma: no cover (the child; it ends in os._exit)
        os.close(out_r)
        os.close(err_r)
        gc.disable()  # it lives for one query, whose results hold no cycles; its end frees all
        _child_main(fn, max_memory, out_w, err_w)
    os.close(out_w)
    os.close(err_w)
    done = False
    try:
        data, errors, status = _read_child(pid, out_r, err_r, time.monotonic() + timeout)
        done = True
    except TimeoutError:
        raise _timeout_error(timeout) from None
    finally:
        os.close(out_r)
        os.close(err_r)
        if not done:  # timed out or interrupted: the child must not outlive the call
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    if status is None:  # the whole outcome is here: the child is ending
        _ending.append(pid)
        return _child_outcome(data, errors, 0, max_memory)
    return _child_outcome(data, errors, status, max_memory)


def _child_outcome(data: bytes, errors: bytes, status: int, max_memory: int) -> QueryResult:
    text = " ".join(errors.decode("utf-8", "replace").split())
    out_of_memory = (os.WIFEXITED(status) and os.WEXITSTATUS(status) == _OUT_OF_MEMORY) or "memory allocation" in text
    if out_of_memory or (os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGKILL, signal.SIGSEGV)):
        shown = format_size(max_memory)
        raise QueryError(f"query stopped: it needed more than {shown} of memory (--max-memory {shown}); make it "
                         "more selective (LIMIT, fewer unbound patterns, no ORDER BY over a large join) or raise "
                         f"the bound, e.g. --max-memory {format_size(max_memory * 2)}")
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and data:
        kind, value = pickle.loads(data)
        if kind == "error":
            raise value
        if kind == "bug":
            raise RuntimeError(f"in the query's process: {value}")
        return value
    how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit code {os.WEXITSTATUS(status)}"
    raise QueryError(f"query failed: its worker process ended with {how}" + (f" ({text[-300:]})" if text else "")
                     + "; run it again, or with a larger --max-memory")


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


def _check_count(value: object, what: str, *, positive: bool = False) -> None:
    ok = isinstance(value, int) and not isinstance(value, bool) and (value > 0 if positive else value >= 0)
    if not ok:
        raise QueryError(f"{what} must be a whole number {'above' if positive else 'of at least'} 0, not {value!r}")


def run_query(
    graph: Graph,
    query: str,
    *,
    timeout: float = 30.0,
    bindings: Mapping[str, Any] | None = None,
    allow_service: bool = False,
    limit: int | None = None,
    max_memory: int | None = None,
) -> QueryResult:
    """Run a SPARQL query on ``graph``.

    Parameters
    ----------
    graph
        The graph to query (it is not modified).
    query
        SPARQL text (see :func:`load_query` for files and bundled names). Only queries
        (SELECT, ASK, CONSTRUCT, DESCRIBE): an update (INSERT, DELETE, LOAD...) is refused.
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
    limit
        Read at most this many rows (or triples) of the result; ``result.truncated`` tells
        whether there were more. ``None``: all.
    max_memory
        Bytes of memory the query may take. ``None`` (the default) runs the query in this
        process, in a worker thread. A number runs it in a forked child process whose address
        space is bounded by that much beyond what it starts with (POSIX only); the child is
        killed at the timeout, and running out of memory is a :class:`~kg.errors.QueryError`.

    Raises
    ------
    kg.errors.QueryError
        Malformed SPARQL (in words, with line and column), an update, a failed evaluation,
        a timeout, or too much memory.

    Examples
    --------
    >>> from kg.rdf import example_result, to_rdf, ENT
    >>> g = to_rdf(example_result())
    >>> run_query(g, "ASK { ent:peru kgo:produces ?m }").boolean
    True
    >>> run_query(g, "SELECT ?m WHERE { ?c kgo:produces ?m }", bindings={"c": ENT.peru}).rows
    [(rdflib.term.URIRef('https://w3id.org/kg-minerals/entity/copper'),)]
    >>> run_query(g, "SELECT ?s WHERE {\\n ?s ?p ?o } LIMT 3")
    Traceback (most recent call last):
    kg.errors.QueryError: bad SPARQL at line 2 column 13: cannot read on from 'LIMT'; check the spelling, the brackets and the dots there
    >>> r = run_query(g, "SELECT ?s WHERE { ?s a kgo:Country }", limit=1)
    >>> len(r.rows), r.truncated
    (1, True)
    """
    evaluate = _evaluator(graph, query, timeout=timeout, bindings=bindings, allow_service=allow_service,
                          limit=limit, max_memory=max_memory)
    if max_memory is not None:
        return _in_child(evaluate, timeout, max_memory)
    return _in_worker(evaluate, timeout)


@dataclass
class RenderedResult:
    """A query's result as text (:func:`render_query`): what ``kg query`` prints.

    ``rows`` counts the rows (or triples) in ``text``, 1 for an ASK; ``truncated`` and ``note``
    say whether the result was cut at its limit (:func:`truncation_note`).
    """

    text: str
    rows: int
    truncated: bool = False
    note: str = ""


def render_query(graph: Graph, query: str, fmt: str = "table", **kw: Any) -> RenderedResult:
    """:func:`run_query`, then :func:`format_result` in ``fmt``, in the same process.

    With ``max_memory`` the query's child process formats the result and sends back only the
    text: the rows are not pickled as rdflib terms, sent, and made into terms again here, which
    is most of what a query with many rows costs besides the query itself. Keyword arguments are
    those of :func:`run_query`.

    Examples
    --------
    >>> from kg.rdf import example_result, to_rdf
    >>> r = render_query(to_rdf(example_result()), load_query("produces"), "csv", max_memory=2 ** 30)
    >>> r.text.splitlines(), r.rows, r.truncated
    (['producer,class,mineral,confidence', 'Peru,Country,copper,0.94'], 1, False)
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(FORMATS)}")
    timeout, max_memory = kw.get("timeout", 30.0), kw.get("max_memory")
    evaluate = _evaluator(graph, query, **kw)

    def render(cancelled: threading.Event) -> RenderedResult:
        result = evaluate(cancelled, raw=fmt in ("csv", "tsv"))
        return RenderedResult(format_result(result, fmt), len(result), result.truncated, truncation_note(result))

    if max_memory is not None:
        return _in_child(render, timeout, max_memory)
    return _in_worker(render, timeout)


def _evaluator(graph: Graph, query: str, *, timeout: float = 30.0, bindings: Mapping[str, Any] | None = None,
               allow_service: bool = False, limit: int | None = None,
               max_memory: int | None = None) -> Callable[[threading.Event], QueryResult]:
    """Check the arguments of :func:`run_query` and return what evaluates the query."""
    if not isinstance(query, str) or not query.strip():
        raise QueryError("empty query; give SPARQL text, a .rq file or a bundled query name")
    _check_timeout(timeout)
    if limit is not None:
        _check_count(limit, "limit")
    if max_memory is not None:
        _check_count(max_memory, "max_memory", positive=True)
        if not hasattr(os, "fork"):
            raise QueryError("max_memory needs a POSIX system (fork and resource limits); leave it out here")
    update = update_keyword(query)
    if update:
        raise QueryError(f"kg query is read-only: {update} would change the graph; ask with SELECT, ASK, "
                         "CONSTRUCT or DESCRIBE (the graph itself is made by kg build from the articles)")
    if not allow_service and uses_service(query):
        raise QueryError("the query uses SERVICE, which would send a request to another SPARQL endpoint; "
                         "kg answers offline, so it is refused (pass --allow-service to let it run)")
    terms = {_var_name(k): _as_term(v) for k, v in (bindings or {}).items()}
    known = _prefixes(graph)

    def evaluate(cancelled: threading.Event, raw: bool = False) -> QueryResult:
        try:
            return _oxigraph_query(graph, query, terms, cancelled, limit, raw)
        except SyntaxError as exc:
            raise _query_error(exc, query, known) from None
        except RuntimeError as exc:
            if terms and "projection" in str(exc):
                try:
                    return _rdflib_query(graph, query, terms, cancelled, limit)
                except Exception as inner:
                    raise _query_error(inner, query, known) from None
            raise _query_error(exc, query, known) from None
        except (OSError, ValueError, TypeError) as exc:
            raise _query_error(exc, query, known) from None

    return evaluate




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


def _tsv_term(term: Node | ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term (rdflib's or pyoxigraph's) in SPARQL TSV: N-Triples syntax with tabs escaped."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, ox.Triple):
        raise triple_term_error(term)
    # pyoxigraph writes the term in N-Triples syntax; TSV also needs tabs escaped
    text = str(term) if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else str(to_oxigraph(term))
    return text.replace("\t", "\\t")


def _csv_term(term: Node | ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term (rdflib's or pyoxigraph's) in SPARQL CSV: the IRI or the literal's text, ``_:`` and a blank node's id.

    A literal's text is as the store holds it; rdflib's term would give its canonical form instead
    (``1.0e0`` as ``1.0``), so the rows of :func:`render_query` (pyoxigraph's terms) and of
    :func:`format_result` on :func:`run_query` can differ there."""
    if term is None:
        return ""
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        raise triple_term_error(term)
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
    if result.truncated:
        lines.append(f"({truncation_note(result)})")
    return "\n".join(lines)


def truncation_note(result: QueryResult) -> str:
    """What a result cut at its limit says about the rest (``""`` for a whole result).

    >>> truncation_note(QueryResult("select", ["s"], [(Literal(1),)] * 100, truncated=True))
    'showing 100 of at least 101 rows; use --limit N for more, --limit 0 for all'
    """
    if not result.truncated:
        return ""
    n = len(result)
    unit = "triples" if result.kind == "graph" else "rows"
    return f"showing {n} of at least {n + 1} {unit}; use --limit N for more, --limit 0 for all"


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
        text = serialize(graph, "jsonld" if fmt == "json" else "ttl").decode("utf-8")
        if fmt == "table" and result.truncated:  # a Turtle comment: the text stays valid Turtle
            text = text.rstrip("\n") + f"\n\n# {truncation_note(result)}\n"
        return text
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
