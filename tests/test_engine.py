"""Extraction as shards merged on the driver, and the Dask engine on a real LocalCluster."""
from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
# articles that share entities (Japan, Peru, copper, lithium...): the cross-document step matters
TEXTS = sorted((ROOT / "tests" / "data" / "holdout" / "texts").glob("*.txt")) + [
    ROOT / "seeds" / "japan-peru-critical-minerals.txt"]


@pytest.fixture(scope="module")
def documents():
    from kg.ingest import read_documents

    return read_documents(TEXTS).documents


@pytest.fixture(scope="module")
def local_graph(nlp):
    from kg.api import build

    return build(TEXTS, nlp=nlp).graph


def test_shards_merge_into_the_local_build(nlp, documents, local_graph):
    """One shard per document, merged on the driver, gives the local build exactly; building each
    document alone and joining the graphs does not (so the merge is doing the cross-document work)."""
    from kg.extract.decide import default_extractor
    from kg.extract.run import extract, extract_shard, merge_shards
    from kg.model import BuildResult
    from kg.rdf import to_rdf

    assert len(documents) >= 5
    mode = default_extractor()  # what kg build uses
    shards = [extract_shard([d], nlp=nlp, extractor=mode) for d in documents]
    entities, facts = merge_shards(shards)
    whole = extract(documents, nlp=nlp, extractor=mode)
    assert (entities, facts) == whole
    graph = to_rdf(BuildResult(documents=documents, entities=entities, facts=facts))
    assert isomorphic(graph, local_graph)

    joined = Graph()
    for d, shard in zip(documents, shards):
        ents, fs = merge_shards([shard])
        joined += to_rdf(BuildResult(documents=[d], entities=ents, facts=fs))
    assert not isomorphic(joined, local_graph)


def test_shards_can_come_in_any_batches(nlp, documents):
    from kg.extract.run import extract_shard, merge_shards

    pairs = [extract_shard(documents[i:i + 2], nlp=nlp) for i in range(0, len(documents), 2)]
    singles = [extract_shard([d], nlp=nlp) for d in documents]
    assert merge_shards(pairs) == merge_shards(singles)


def test_batches_follow_the_documents():
    from kg.engine import make_batches
    from kg.model import Document

    docs = [Document.from_text(f"text {i} " + "x" * (i * 10)) for i in range(10)]
    batches = make_batches(docs, parts=3, max_chars=60)
    assert [d for b in batches for d in b] == docs
    assert all(len(b) <= 4 for b in batches)
    assert all(len(b) == 1 or sum(len(d.text) for d in b) <= 60 for b in batches)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=40) as c:
        yield c


def test_dask_build_is_the_local_build(cluster, documents, local_graph, tmp_path, capsys):
    """kg build --engine dask on two worker processes writes the graph of a local build; each
    worker loads the model once and reuses it for its next batches."""
    out = tmp_path / "out"
    code = main(["build", *map(str, TEXTS), "-o", str(out), "--engine", "dask",
                 "--scheduler", cluster.scheduler_address, "-q"])
    assert code == 0, capsys.readouterr().err
    assert isomorphic(Graph().parse(out / "graph.ttl"), local_graph)

    from kg.engine import extract_distributed
    from kg.extract.decide import default_extractor
    from kg.extract.run import extract

    where: list[dict[str, int]] = []
    traces: list = []
    mode = default_extractor()
    remote = extract_distributed(documents, scheduler=cluster.scheduler_address, batch_chars=2_000, where=where,
                                 explain=traces, extractor=mode)
    local_traces: list = []
    assert remote == extract(documents, explain=local_traces, extractor=mode)
    assert traces == local_traces  # --explain: the same records, in document order
    assert len(where) > 2  # more batches than workers
    assert {w["loads"] for w in where} == {1}
    assert 1 <= len({w["pid"] for w in where}) <= 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_is_one_line(documents):
    from kg.engine import EngineError, extract_distributed

    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(EngineError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:\d+ .*dask scheduler"):
        extract_distributed(documents[:1], scheduler=address, timeout=1)


def test_dask_missing_is_a_clear_error(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    code = main(["build", str(TEXTS[0]), "-o", str(tmp_path / "o"), "--engine", "dask"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "pip install 'kg[dask]'" in err
    assert not (tmp_path / "o").exists()


def test_workers_load_the_model_by_name(nlp):
    from kg.api import build
    from kg.engine import EngineError

    pytest.importorskip("distributed")
    with pytest.raises(EngineError, match="pass model=NAME"):
        build(texts=["Peru produces copper."], nlp=nlp, engine="dask", scheduler="tcp://127.0.0.1:9")


def test_scheduler_needs_the_dask_engine(capsys, tmp_path):
    code = main(["build", str(TEXTS[0]), "-o", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:8786"])
    assert code == 2
    assert "--scheduler goes with --engine dask" in capsys.readouterr().err


def test_local_worker_processes_give_the_local_build(nlp):
    """--workers 2: the documents are read by two processes, and the graph is the same."""
    from rdflib.compare import isomorphic

    from kg.api import build

    texts = ["Peru produces copper and zinc. Japan and Peru agreed to cooperate on critical minerals.",
             "Chile produces lithium. Codelco operates the Chuquicamata mine in Chile.",
             "Australia exports lithium to China. The Greenbushes mine is located in Western Australia.",
             "Prime Minister Shigeru Ishiba visited Peru for the APEC summit in Lima."]
    one = build(texts=texts, nlp=nlp)
    trace: list = []
    two = build(texts=texts, nlp=nlp, workers=2, explain=trace)
    assert isomorphic(one.graph, two.graph) and len(one.graph) > 50
    assert [t.doc_name for t in trace] == sorted((t.doc_name for t in trace), key=[
        d.name for d in two.result.documents].index)


def test_workers_option(capsys):
    from kg.cli import main

    from pathlib import Path

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    assert main(["build", str(seeds), "--workers", "0", "-o", "/tmp/never"]) == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_an_internal_error_in_one_document_skips_it_only(nlp, monkeypatch):
    """A bug met while reading one document (here: finding its subject) costs that document only."""
    import pytest

    from kg import extract
    from kg.api import StrictModeError, build

    names = extract.extract.__globals__  # the module kg.api calls (a doctest run may import another copy)
    real = names["document_subject"]

    def fragile(doc, title, *args):
        if "Zanzibar" in doc.text:
            raise ValueError("a bug in one stage")
        return real(doc, title, *args)

    monkeypatch.setitem(names, "document_subject", fragile)
    texts = ["Peru produces copper.", "Zanzibar produces cloves and Tanzania produces gold.", "Chile produces lithium."]
    warnings: list[str] = []
    g = build(texts=texts, nlp=nlp, on_warning=warnings.append)
    assert g.summary()["facts"] == 2
    assert [w for w in warnings if "skipped (internal error" in w and "ValueError: a bug in one stage" in w]
    assert len(warnings) == 1
    with pytest.raises(StrictModeError, match="while extracting"):
        build(texts=texts, nlp=nlp, strict=True)
