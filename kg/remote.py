"""Push graphs to a SPARQL 1.1 server and query one: the only part of kg that talks to the network.

:func:`push` loads a build folder or an RDF file into a server through the SPARQL 1.1
Graph Store HTTP Protocol: the first request to a graph is a ``PUT`` (it replaces the
graph, so pushing twice leaves the same triples), the rest of a large graph follows in
``POST`` batches of N-Triples. :func:`query_endpoint` sends a query with the SPARQL 1.1
Protocol (``POST``, form-encoded) and returns a :class:`kg.query.QueryResult`, formatted
like a local one by :func:`kg.query.format_result`.

Requests that fail for a reason that may pass (a 5xx status, a refused or dropped
connection, a time-out) are tried again with a growing pause; any other failure is a
:class:`RemoteError` in one line that says what the server answered and what to check
(401/403: the credentials, 404: the endpoint URL). Only these functions make requests,
and only to the URL given.

Endpoints of common servers (``DS`` a dataset, ``REPO`` a repository):

==========  ========================================  ==================================
server      Graph Store (``kg push --endpoint``)      queries (``kg query --endpoint``)
==========  ========================================  ==================================
Oxigraph    ``http://HOST:7878/store``                ``http://HOST:7878/query``
Fuseki      ``http://HOST:3030/DS/data``              ``http://HOST:3030/DS/sparql``
GraphDB     ``http://HOST:7200/repositories/REPO/``   ``http://HOST:7200/repositories/REPO``
            ``rdf-graphs/service``
==========  ========================================  ==================================

Credentials: ``user`` with the password in the environment variable ``KG_ENDPOINT_PASSWORD``
(HTTP Basic), or a token in ``KG_ENDPOINT_TOKEN`` (``Authorization: Bearer``).

Examples
--------
>>> graph_store_url("http://127.0.0.1:7878/store", None)
'http://127.0.0.1:7878/store?default'
>>> graph_store_url("http://127.0.0.1:7878/store", "https://example.org/g?x=1")
'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fexample.org%2Fg%3Fx%3D1'
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from .errors import InputError, KGError

__all__ = ["RemoteError", "Credentials", "PushReport", "graph_store_url", "read_quads", "push",
           "query_endpoint", "with_prefixes", "parse_results", "describe_push", "PASSWORD_ENV", "TOKEN_ENV"]

#: Environment variable with the password that goes with ``--user``.
PASSWORD_ENV = "KG_ENDPOINT_PASSWORD"
#: Environment variable with a bearer token (instead of ``--user``).
TOKEN_ENV = "KG_ENDPOINT_TOKEN"
#: Triples per request at the most.
BATCH_TRIPLES = 50_000
_RETRY_STATUS = {500, 502, 503, 504}
_USER_AGENT = "kg (https://w3id.org/kg-minerals)"
_NTRIPLES = "application/n-triples"
_RESULT_TYPES = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
_PREFIX_DECL = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:")


class RemoteError(KGError):
    """A SPARQL server cannot be reached, refuses the credentials, or answers with an error."""

    exit_code = 2


@dataclass(frozen=True)
class Credentials:
    """How to authenticate to the server: HTTP Basic (``user``, ``password``) or a bearer ``token``."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, user: str | None = None, environ: dict | None = None) -> Credentials:
        """Credentials for ``user`` with the password (or else a token) from the environment.

        >>> Credentials.from_env("ann", {"KG_ENDPOINT_PASSWORD": "s3cret"}).header()
        'Basic YW5uOnMzY3JldA=='
        >>> Credentials.from_env(None, {"KG_ENDPOINT_TOKEN": "t0k"}).header()
        'Bearer t0k'
        >>> Credentials.from_env("ann", {})
        Traceback (most recent call last):
        kg.remote.RemoteError: --user ann needs a password: set it in the environment variable KG_ENDPOINT_PASSWORD (it is never read from the command line)
        """
        env = os.environ if environ is None else environ
        token = env.get(TOKEN_ENV) or None
        if user:
            password = env.get(PASSWORD_ENV)
            if password is None:
                raise RemoteError(f"--user {user} needs a password: set it in the environment variable "
                                  f"{PASSWORD_ENV} (it is never read from the command line)")
            return cls(user=user, password=password)
        return cls(token=token)

    def header(self) -> str | None:
        """The ``Authorization`` header value, or ``None`` without credentials."""
        if self.user:
            raw = f"{self.user}:{self.password or ''}".encode()
            return "Basic " + base64.b64encode(raw).decode("ascii")
        if self.token:
            return f"Bearer {self.token}"
        return None


@dataclass
class PushReport:
    """What :func:`push` sent: triples per graph (``None``: the default graph) and requests made."""

    graphs: dict[str | None, int] = field(default_factory=dict)
    requests: int = 0

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


# --------------------------------------------------------------------------- HTTP
def _check_url(url: str, what: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(f"{url}: not an http(s) URL; give the server's {what} URL, "
                          "e.g. http://localhost:7878/store")
    return url


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store URL of a named graph (``?graph=IRI``) or of the default graph (``?default``)."""
    sep = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    if graph is None:
        return f"{endpoint}{sep}default"
    return f"{endpoint}{sep}{urllib.parse.urlencode({'graph': graph})}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: the 3xx answer is an error that names the new URL. urllib would
    send the ``Authorization`` header on to whatever host a server redirects to."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # urllib's signature
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _status_error(url: str, status: int, reason: str, body: bytes, what: str,
                  location: str | None = None) -> RemoteError:
    said = " ".join(body[:300].decode("utf-8", "replace").split())
    said = f": {said[:200]}" if said else ""
    if 300 <= status < 400:
        return RemoteError(f"{url}: HTTP {status} {reason}: the server redirects to {location or '(no Location)'}; "
                           f"give that URL instead (kg does not follow redirects, so credentials never go to "
                           "another address)")
    if status in (401, 403):
        return RemoteError(f"{url}: HTTP {status} {reason}: the server refused the credentials; pass --user USER "
                           f"with the password in {PASSWORD_ENV}, or a token in {TOKEN_ENV}")
    if status == 400 and what == "SPARQL query endpoint":
        return RemoteError(f"{url}: the server rejected the query (HTTP 400){said}; check the SPARQL")
    if status == 404:
        return RemoteError(f"{url}: HTTP 404 Not Found: no {what} at this URL; check it (Oxigraph: /store and "
                           "/query, Fuseki: /DATASET/data and /DATASET/sparql, GraphDB: "
                           "/repositories/REPO/rdf-graphs/service and /repositories/REPO)")
    return RemoteError(f"{url}: HTTP {status} {reason}{said}")


def _request(method: str, url: str, body: bytes | None, headers: dict[str, str], *, credentials: Credentials,
             timeout: float, retries: int, backoff: float, what: str) -> tuple[str, bytes]:
    """Send one request, tried again on 5xx and connection failures; returns (content type, body)."""
    headers = {"User-Agent": _USER_AGENT, **headers}
    auth = credentials.header()
    if auth:
        headers["Authorization"] = auth
    attempt = 0
    while True:
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with _OPENER.open(request, timeout=timeout) as response:  # http(s) only: checked by _check_url
                return response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            data = exc.read() if exc.fp is not None else b""
            if exc.code not in _RETRY_STATUS or attempt >= retries:
                error = _status_error(url, exc.code, exc.reason, data, what, exc.headers.get("Location"))
                if exc.code in _RETRY_STATUS:
                    error = RemoteError(f"{error} (after {attempt + 1} tries); the server failed: try again later "
                                        "or look at its log")
                raise error from None
            problem = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:  # refused, reset, timed out...
            reason = getattr(exc, "reason", exc)
            problem = " ".join(str(reason).split()) or type(exc).__name__
            if attempt >= retries:
                raise RemoteError(f"{url}: cannot reach the server ({problem}) after {attempt + 1} tries; "
                                  "check that it is running and the host and port are right") from None
        time.sleep(backoff * (2 ** attempt))
        attempt += 1


# --------------------------------------------------------------------------- push
def read_quads(source: str | os.PathLike) -> Iterator[ox.Quad]:
    """The quads of a build folder (its ``graph.ttl``, checked against the manifest), of a store folder
    (``kg build --store``: every named graph) or of an RDF file (format from the extension: ``.ttl``,
    ``.nt``, ``.nq``, ``.trig``, ``.jsonld``, ``.rdf``...), streamed. RDF/XML with a DTD is refused.

    Raises
    ------
    kg.errors.InputError
        When the source is missing, of an unknown format or not valid RDF (with line and column).
    """
    path = Path(source)
    from .store import is_store, open_store

    if is_store(path):  # every named graph of the store, as it is
        yield from open_store(path, read_only=True).oxigraph
        return
    if path.is_dir():
        from .outset import read_set_file

        name = path / "graph.ttl"
        data: bytes | None = read_set_file(path, "graph.ttl")
        fmt = ox.RdfFormat.TURTLE
    elif path.is_file():
        name, data = path, None
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower()) if path.suffix else None
        if fmt is None:
            raise InputError(f"{path}: unknown RDF format {path.suffix or '(no extension)'!r}; give a .ttl, .nt, "
                             ".nq, .trig, .jsonld or .rdf file, or a build folder")
    else:
        raise InputError(f"{path}: no such file or folder; give a build folder (kg build -o) or an RDF file")
    if fmt == ox.RdfFormat.RDF_XML:  # DTD entities expand without bound ("billion laughs"): refused
        from .rdfio import refuse_dtd

        with open(path, "rb") as handle:
            refuse_dtd(handle.read(1 << 20), str(name))
    try:
        if data is not None:
            yield from ox.parse(data, format=fmt)
        else:
            with open(path, "rb") as handle:
                yield from ox.parse(handle, format=fmt)
    except SyntaxError as exc:
        where = f"line {exc.lineno} column {exc.offset or 1}: " if exc.lineno else ""
        raise InputError(f"{name}: {where}{' '.join(str(exc.msg).split())}") from None
    except (ValueError, OSError) as exc:
        raise InputError(f"{name}: cannot be read as RDF: {' '.join(str(exc).split())[:200]}") from None


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def push(source: str | os.PathLike, endpoint: str, *, graph: str | None = None,
         credentials: Credentials | None = None, batch: int = BATCH_TRIPLES, timeout: float = 60.0,
         retries: int = 3, backoff: float = 0.5, on_batch: Callable[[str | None, int], None] | None = None,
         ) -> PushReport:
    """Load a build folder or an RDF file into a SPARQL server with the Graph Store HTTP Protocol.

    Parameters
    ----------
    source
        A build folder (``kg build -o``) or an RDF file.
    endpoint
        The server's Graph Store URL (see the table in :mod:`kg.remote`).
    graph
        The IRI of the named graph to replace; ``None``: each graph of the source replaces the
        same graph on the server (the default graph for a build folder or a triples file).
    credentials
        See :class:`Credentials`.
    batch
        Triples per request at the most. The first request to a graph is a ``PUT`` (replace), the
        others ``POST`` (add). Triples with blank nodes go together in one request, so that a
        blank node stays one node.
    timeout, retries, backoff
        Seconds to wait for an answer; how many times to try a request again after a 5xx status
        or a connection failure, waiting ``backoff``, then twice as long each time.
    on_batch
        Called after each request with the graph and the number of triples sent.

    Returns
    -------
    PushReport

    Raises
    ------
    kg.errors.InputError
        The source is missing or not valid RDF; ``graph`` is not an absolute IRI.
    RemoteError
        The server cannot be reached, refuses the credentials or answers with an error.
    """
    from .rdf import is_absolute_iri

    _check_url(endpoint, "Graph Store")
    if graph is not None and not is_absolute_iri(graph):
        raise InputError(f"--graph {graph!r} is not an absolute IRI; give one such as https://example.org/graph/news")
    if batch < 1:
        raise InputError(f"--batch must be a positive number of triples, not {batch}")
    credentials = credentials or Credentials()
    report = PushReport()
    pending: dict[str | None, list[ox.Triple]] = {}
    blanks: dict[str | None, list[ox.Triple]] = {}

    def send(target: str | None, triples: list[ox.Triple]) -> None:
        method = "POST" if target in report.graphs else "PUT"
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""
        _request(method, graph_store_url(endpoint, target), body, {"Content-Type": _NTRIPLES},
                 credentials=credentials, timeout=timeout, retries=retries, backoff=backoff, what="Graph Store")
        report.graphs[target] = report.graphs.get(target, 0) + len(triples)
        report.requests += 1
        if on_batch is not None:
            on_batch(target, len(triples))

    for quad in read_quads(source):
        if graph is not None:
            target = graph
        else:
            target = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        triple = quad.triple
        if _has_blank(triple):
            blanks.setdefault(target, []).append(triple)
            continue
        buffer = pending.setdefault(target, [])
        buffer.append(triple)
        if len(buffer) >= batch:
            send(target, buffer)
            pending[target] = []
    for target, buffer in pending.items():
        if buffer or target not in report.graphs:
            send(target, buffer)
    for target, triples in blanks.items():  # one request per graph: its blank nodes stay whole
        send(target, triples)
    if not report.graphs:  # an empty source empties the graph it replaces
        send(graph, [])
    return report


# --------------------------------------------------------------------------- query
def with_prefixes(query: str) -> str:
    """The query with the kg prefixes it uses but does not declare (``kgo:``, ``ent:``...) declared in
    front of it, on its first line, so that the server's line numbers in an error stay right.

    >>> with_prefixes("SELECT * WHERE {\\n ?s kgo:produces ?o }")
    'PREFIX kgo: <https://w3id.org/kg-minerals/ontology#> SELECT * WHERE {\\n ?s kgo:produces ?o }'
    >>> with_prefixes("PREFIX kgo: <https://e.org/> ASK { ?s kgo:p ?o }")
    'PREFIX kgo: <https://e.org/> ASK { ?s kgo:p ?o }'
    """
    from .rdf import PREFIXES

    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(query)}
    used = [p for p in PREFIXES if p not in declared and re.search(rf"(?<![\w.:-]){re.escape(p)}:", query)]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}> " for p in used) + query


def _json_term(value: dict) -> URIRef | Literal | BNode:
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):
        if value.get("xml:lang"):
            return Literal(text, lang=value["xml:lang"])
        datatype = value.get("datatype")
        if datatype and datatype != str(XSD.string):
            return Literal(text, datatype=URIRef(datatype))
        return Literal(text)
    raise ValueError(f"unknown term type {kind!r}")


def parse_results(content_type: str, body: bytes, *, name: str = "<response>"):
    """A :class:`kg.query.QueryResult` from a server's answer: SPARQL JSON results, or RDF for
    CONSTRUCT and DESCRIBE.

    >>> r = parse_results("application/sparql-results+json",
    ...                   b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "https://e.org/a"}}]}}')
    >>> r.kind, r.vars, r.rows
    ('select', ['s'], [(rdflib.term.URIRef('https://e.org/a'),)])
    >>> parse_results("application/sparql-results+json", b'{"head": {}, "boolean": true}').boolean
    True
    """
    from .query import QueryResult

    mime = content_type.split(";")[0].strip().lower()
    if mime in ("application/sparql-results+json", "application/json"):
        try:
            data = json.loads(body.decode("utf-8"))
            if "boolean" in data:
                return QueryResult("ask", boolean=bool(data["boolean"]))
            names = list(data["head"]["vars"])
            rows = [tuple(_json_term(b[v]) if v in b else None for v in names) for b in data["results"]["bindings"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise RemoteError(f"{name}: the server's SPARQL JSON results cannot be read ({exc})") from None
        return QueryResult("select", vars=names, rows=rows)
    rdf = {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "ttl", "application/ld+json": "jsonld",
           "application/rdf+xml": "rdf", "application/n-quads": "nq", "application/trig": "trig"}
    if mime in rdf:
        from .rdfio import parse_rdf

        try:
            return QueryResult("graph", graph=parse_rdf(body, rdf[mime], name=name))
        except InputError as exc:
            raise RemoteError(f"the server's answer is not valid RDF: {exc}") from None
    raise RemoteError(f"{name}: the server answered with Content-Type {mime or '(none)'!r}, which kg does not read; "
                      "is this the SPARQL query endpoint (Oxigraph: /query, Fuseki: /DATASET/sparql)?")


def query_endpoint(endpoint: str, query: str, *, credentials: Credentials | None = None, timeout: float = 60.0,
                   retries: int = 3, backoff: float = 0.5):
    """Run a SPARQL query on a server (SPARQL 1.1 Protocol, ``POST`` form) and return a
    :class:`kg.query.QueryResult`. kg's prefixes (``kgo:``, ``ent:``...) are declared for the query.

    Raises
    ------
    RemoteError
        The server cannot be reached, refuses the credentials or rejects the query (its message
        is shown).
    kg.errors.QueryError
        An empty query.
    """
    from .errors import QueryError

    _check_url(endpoint, "SPARQL query")
    if not isinstance(query, str) or not query.strip():
        raise QueryError("empty query; give SPARQL text, a .rq file or a bundled query name")
    body = urllib.parse.urlencode({"query": with_prefixes(query)}).encode("utf-8")
    content_type, data = _request("POST", endpoint, body,
                                  {"Content-Type": "application/x-www-form-urlencoded", "Accept": _RESULT_TYPES},
                                  credentials=credentials or Credentials(), timeout=timeout, retries=retries,
                                  backoff=backoff, what="SPARQL query endpoint")
    return parse_results(content_type, data, name=endpoint)


def _graph_names(report: PushReport) -> Iterable[str]:
    return ("the default graph" if g is None else f"<{g}>" for g in report.graphs)


def describe_push(report: PushReport, endpoint: str) -> str:
    """One line about a push, for the command line.

    >>> describe_push(PushReport({None: 12}, 1), "http://h/store")
    'pushed 12 triples to http://h/store (the default graph) in 1 request'
    """
    n = report.requests
    return (f"pushed {report.triples} triples to {endpoint} ({', '.join(_graph_names(report))}) "
            f"in {n} request{'s' if n != 1 else ''}")
