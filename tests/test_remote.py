"""kg push and kg query --endpoint against a real Oxigraph server, and the failures around them."""
from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.cli import main

NAMED = "https://example.org/graph/news"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory):
    """Base URL of an Oxigraph server on 127.0.0.1 (the `oxigraph` package's binary), stopped at the end."""
    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    port = _free_port()
    proc = subprocess.Popen([binary, "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
                             "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"oxigraph did not start: {proc.stderr.read().decode()[-500:]}")
            time.sleep(0.1)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _count(base: str, where: str = "{ ?s ?p ?o }") -> int:
    from kg.remote import query_endpoint

    r = query_endpoint(f"{base}/query", f"SELECT (COUNT(*) AS ?n) WHERE {where}")
    return int(r.rows[0][0])


def _server_graph(base: str, graph: str | None = None) -> Graph:
    from kg.remote import query_endpoint

    where = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return query_endpoint(f"{base}/query", f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}").graph


def test_push_then_query_like_a_local_graph(oxigraph, seed_dir, seed_graph, capsys):
    assert main(["push", str(seed_dir), "--endpoint", f"{oxigraph}/store"]) == 0
    out = capsys.readouterr().out
    assert f"pushed {len(seed_graph.graph)} triples" in out and "the default graph" in out
    assert isomorphic(_server_graph(oxigraph), seed_graph.graph)

    for fmt in ("table", "csv", "json"):
        assert main(["query", str(seed_dir), "produces", "--format", fmt]) == 0
        local = capsys.readouterr().out
        assert main(["query", "--endpoint", f"{oxigraph}/query", "produces", "--format", fmt]) == 0
        assert capsys.readouterr().out == local
    assert main(["query", "--endpoint", f"{oxigraph}/query", "ASK { ent:peru kgo:produces ent:copper }"]) == 0
    assert capsys.readouterr().out == "true\n"


def test_re_push_in_batches_is_idempotent(oxigraph, seed_dir, seed_graph):
    from kg.remote import push

    first = push(seed_dir, f"{oxigraph}/store")
    n = _count(oxigraph)
    again = push(seed_dir, f"{oxigraph}/store", batch=40)
    assert again.requests > 1 and first.requests == 1  # a PUT then POST batches
    assert _count(oxigraph) == n == len(seed_graph.graph)
    assert isomorphic(_server_graph(oxigraph), seed_graph.graph)


def test_push_to_a_named_graph(oxigraph, seed_dir, seed_graph, capsys):
    src = seed_dir / "graph.ttl"
    default_before = _count(oxigraph)
    assert main(["push", str(src), "--endpoint", f"{oxigraph}/store", "--graph", NAMED, "--batch", "100"]) == 0
    assert f"<{NAMED}>" in capsys.readouterr().out
    assert isomorphic(_server_graph(oxigraph, NAMED), seed_graph.graph)
    assert _count(oxigraph) == default_before  # the default graph is left alone


def test_blank_nodes_stay_whole_across_batches(oxigraph, tmp_path):
    from kg.remote import push

    src = tmp_path / "b.ttl"
    src.write_text("@prefix ex: <https://example.org/> .\n"
                   + "".join(f"ex:s{i} ex:p ex:o{i} .\n" for i in range(7))
                   + "ex:a ex:has [ ex:q [ ex:r \"deep\" ] ; ex:q2 \"x\" ] .\n", encoding="utf-8")
    graph = "https://example.org/graph/blank"
    push(src, f"{oxigraph}/store", graph=graph, batch=2)
    assert isomorphic(_server_graph(oxigraph, graph), Graph().parse(src))


def test_a_dataset_keeps_its_named_graphs(oxigraph, tmp_path):
    from kg.remote import push

    src = tmp_path / "d.nq"
    src.write_text('<https://e.org/a> <https://e.org/p> "1" <https://e.org/g1> .\n'
                   '<https://e.org/b> <https://e.org/p> "2" <https://e.org/g2> .\n'
                   '<https://e.org/c> <https://e.org/p> "3" <https://e.org/g2> .\n', encoding="utf-8")
    report = push(src, f"{oxigraph}/store")
    assert report.graphs == {"https://e.org/g1": 1, "https://e.org/g2": 2}
    assert _count(oxigraph, "{ GRAPH <https://e.org/g2> { ?s ?p ?o } }") == 2


class _Fake(BaseHTTPRequestHandler):
    """A server that answers from a script: a list of status codes, then 204 (the last one repeats)."""

    script: ClassVar[list[int]] = []
    seen: ClassVar[list[tuple[str, str, str | None]]] = []
    password = "s3cret"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        auth = self.headers.get("Authorization")
        type(self).seen.append((self.command, self.path, auth))
        status = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if status == 401 and auth == "Basic " + base64.b64encode(f"ann:{self.password}".encode()).decode():
            status = 204
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "http://elsewhere.example/store")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_POST = _answer

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture
def fake():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Fake.seen = []
    yield server, f"http://127.0.0.1:{server.server_address[1]}/store"
    server.shutdown()
    server.server_close()


def test_auth_failure_is_one_line(fake, seed_dir, capsys, monkeypatch):
    _, url = fake
    _Fake.script = [401]
    monkeypatch.delenv("KG_ENDPOINT_PASSWORD", raising=False)
    monkeypatch.delenv("KG_ENDPOINT_TOKEN", raising=False)
    assert main(["push", str(seed_dir), "--endpoint", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "HTTP 401" in err and "KG_ENDPOINT_PASSWORD" in err
    assert len(_Fake.seen) == 1  # no retry on a refusal

    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "wrong")
    assert main(["push", str(seed_dir), "--endpoint", url, "--user", "ann"]) == 2
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", _Fake.password)
    assert main(["push", str(seed_dir), "--endpoint", url, "--user", "ann"]) == 0
    assert _Fake.seen[-1][0] == "PUT" and _Fake.seen[-1][1] == "/store?default"


def test_password_comes_from_the_environment_only(seed_dir, capsys, monkeypatch):
    monkeypatch.delenv("KG_ENDPOINT_PASSWORD", raising=False)
    assert main(["push", str(seed_dir), "--endpoint", "http://127.0.0.1:9/store", "--user", "ann"]) == 2
    assert "set it in the environment variable KG_ENDPOINT_PASSWORD" in capsys.readouterr().err


def test_server_errors_are_retried_then_reported(fake, seed_dir, capsys):
    from kg.remote import RemoteError, push

    _, url = fake
    _Fake.script = [503, 502, 204]
    push(seed_dir, url, backoff=0.01)
    assert [s[0] for s in _Fake.seen] == ["PUT", "PUT", "PUT"]

    _Fake.seen = []
    _Fake.script = [500]
    with pytest.raises(RemoteError, match=r"HTTP 500 .*after 3 tries"):
        push(seed_dir, url, retries=2, backoff=0.01)
    assert len(_Fake.seen) == 3

    _Fake.script = [404]
    assert main(["push", str(seed_dir), "--endpoint", url]) == 2
    assert "HTTP 404 Not Found: no Graph Store at this URL" in capsys.readouterr().err


def test_redirects_are_not_followed(fake, seed_dir, capsys, monkeypatch):
    """A redirect is reported with its target; the request (and its credentials) is not sent on."""
    _, url = fake
    _Fake.script = [307]
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", _Fake.password)
    assert main(["push", str(seed_dir), "--endpoint", url, "--user", "ann"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "HTTP 307" in err and "redirects to http://elsewhere.example/store" in err
    assert len(_Fake.seen) == 1


def test_a_server_that_is_down(seed_dir, capsys):
    url = f"http://127.0.0.1:{_free_port()}"
    assert main(["push", str(seed_dir), "--endpoint", f"{url}/store", "--retries", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach the server" in err and "after 2 tries" in err
    from kg.remote import RemoteError, query_endpoint

    with pytest.raises(RemoteError, match="cannot reach the server .* after 1 tries"):
        query_endpoint(f"{url}/query", "ASK {}", retries=0)


def test_bad_inputs_are_one_line(oxigraph, seed_dir, tmp_path, capsys):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://e.org/a> <https://e.org/p> .\n", encoding="utf-8")
    cases = [
        (["push", str(bad), "--endpoint", f"{oxigraph}/store"], "bad.ttl: line 1"),
        (["push", str(tmp_path / "none"), "--endpoint", f"{oxigraph}/store"], "no such file or folder"),
        (["push", str(seed_dir), "--endpoint", "localhost:7878/store"], "not an http(s) URL"),
        (["push", str(seed_dir), "--endpoint", f"{oxigraph}/store", "--graph", "news"], "not an absolute IRI"),
        (["query", "--endpoint", f"{oxigraph}/query", "SELECT ?x WHERE {"], "the server rejected the query"),
        (["query", str(seed_dir), "produces", "--endpoint", f"{oxigraph}/query"], "give only the QUERY"),
    ]
    for argv, expected in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and expected in err, (argv, err)


def test_the_readme_shows_the_remote_commands():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Beyond one machine", 1)[1].split("\n## ", 1)[0]
    for text in ("--engine dask --scheduler", "kg push", "kg query --endpoint", "/store", ":3030/",
                 "/rdf-graphs/service"):
        assert text in section


def test_a_store_folder_is_pushed_with_its_named_graphs(tmp_path, nlp):
    """kg push reads a store folder (kg build --store) as it is: one named graph per document."""
    from kg.api import build
    from kg.remote import read_quads

    kb = tmp_path / "kb"
    build(texts=["Peru produces copper.", "Chile produces lithium."], nlp=nlp, store=kb)
    quads = list(read_quads(kb))
    graphs = {str(q.graph_name) for q in quads}
    assert len(quads) > 20 and len(graphs) >= 3  # two documents and the entity layer


def test_rdfxml_with_a_dtd_is_not_pushed(tmp_path):
    from kg.errors import InputError
    from kg.remote import read_quads

    bomb = tmp_path / "bomb.rdf"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]>'
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
    with pytest.raises(InputError, match="DTD"):
        list(read_quads(bomb))
