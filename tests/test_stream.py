"""Builds stream their documents: files are read as extraction asks for them, in bounded batches,
and no document text is kept once its batch is read (issue 11, memory)."""
from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from kg import ingest
from kg.api import StrictModeError, build
from kg.extract import run
from kg.model import BuildResult
from kg.progress import BuildProgress
from kg.rdf import to_rdf

ARTICLES = [
    "Peru produces copper and zinc. Japan and Peru agreed to cooperate on critical minerals.",
    "Chile produces lithium. Codelco operates the Chuquicamata mine in Chile.",
    "Australia exports lithium to China. The Greenbushes mine is located in Western Australia.",
    "Prime Minister Shigeru Ishiba visited Peru for the APEC summit in Lima.",
    "Peru exports copper to China. Antamina is a copper mine in Peru.",
    "Indonesia produces nickel. Indonesia banned exports of nickel ore in 2020.",
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for i, text in enumerate(ARTICLES):
        (tmp_path / f"{i:02d}.txt").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture
def events(monkeypatch) -> list[tuple]:
    """("read", file name) when the reader opens a file, ("extract", names) when a batch is read,
    with weak references to the batch's documents."""
    log: list[tuple] = []
    read_file = ingest._Reader.read_file

    def logged_read(self, path, name, kind):
        log.append(("read", name))
        yield from read_file(self, path, name, kind)

    extract_shard = run.extract_shard

    def logged_extract(documents, **kw):
        documents = list(documents)
        log.append(("extract", [d.name for d in documents], [weakref.ref(d) for d in documents]))
        return extract_shard(documents, **kw)

    monkeypatch.setattr(ingest._Reader, "read_file", logged_read)
    monkeypatch.setitem(run.extract.__globals__, "extract_shard", logged_extract)
    monkeypatch.setitem(run.extract.__globals__, "STREAM_BATCH_CHARS", 150)  # two or so articles a batch
    return log


def test_files_are_read_as_batches_are_extracted(nlp, folder, events):
    g = build([folder], nlp=nlp)
    assert g.summary()["documents"] == len(ARTICLES)
    kinds = [e[0] for e in events]
    batches = [e for e in events if e[0] == "extract"]
    assert len(batches) >= 3
    first_batch_at = kinds.index("extract")
    # the files after the first batch are read only once that batch has been extracted
    later = [e[1] for e in events[first_batch_at:] if e[0] == "read"]
    assert later and set(later).isdisjoint(batches[0][1])
    assert len(later) >= len(ARTICLES) - len(batches[0][1]) - 1


def test_a_finished_batch_leaves_no_text(nlp, folder, events):
    g = build([folder], nlp=nlp)
    gc.collect()
    batches = [e for e in events if e[0] == "extract"]
    assert all(ref() is None for _, _, refs in batches for ref in refs)  # every Document read is gone
    assert [d.text for d in g.result.documents] == [""] * len(ARTICLES)  # the result keeps metadata only
    assert [d.name for d in g.result.documents] == [f"{i:02d}.txt" for i in range(len(ARTICLES))]


def test_a_batch_is_gone_while_later_ones_are_read(nlp, folder, monkeypatch, events):
    alive_then: list[int] = []
    extract_shard = run.extract.__globals__["extract_shard"]

    def check(documents, **kw):
        gc.collect()
        earlier = [e for e in events if e[0] == "extract"]
        alive_then.append(sum(ref() is not None for _, _, refs in earlier for ref in refs))
        return extract_shard(documents, **kw)

    monkeypatch.setitem(run.extract.__globals__, "extract_shard", check)
    build([folder], nlp=nlp)
    assert len(alive_then) >= 3 and alive_then == [0] * len(alive_then)


def test_the_streamed_graph_is_the_graph_of_all_documents_at_once(nlp, folder, events):
    """Many small batches, merged: the graph of one extraction over every document."""
    from kg.extract.decide import default_extractor

    documents = ingest.read_documents([folder]).documents
    shard = run.extract_shard(documents, nlp=nlp, extractor=default_extractor())
    entities, facts = run.merge_shards([shard])
    expected = to_rdf(BuildResult(documents=documents, entities=entities, facts=facts))
    streamed = build([folder], nlp=nlp)
    assert len([e for e in events if e[0] == "extract"]) >= 3
    assert isomorphic(streamed.graph, expected) and len(expected) > 100


def test_strict_stops_at_a_bad_file_in_the_middle_and_reports_them_all(nlp, folder, events, tmp_path_factory):
    (folder / "03a.txt").write_bytes(b"")
    (folder / "05a.txt").write_bytes(b"   ")
    heard: list[str] = []
    with pytest.raises(StrictModeError, match=r"2 warning\(s\) in the inputs \(2 skipped\); nothing was built"):
        build([folder], nlp=nlp, strict=True, on_warning=heard.append)
    assert [Path(h.split(":")[0]).name for h in heard] == ["03a.txt", "05a.txt"]
    store = tmp_path_factory.mktemp("s") / "store"
    with pytest.raises(StrictModeError):
        build([folder], nlp=nlp, strict=True, store=store, batch_size=1)
    assert not store.exists()  # a store build reads every input before its first commit


class _Log(BuildProgress):
    def __init__(self, log: list):
        super().__init__(show=False)
        self.log = log

    def done(self, documents: int, words: int) -> None:
        self.log.append(("done", documents))
        super().done(documents, words)


def _pulled(documents, log: list):
    for d in documents:
        log.append(("pull", d.name))
        yield d


def test_worker_processes_take_a_stream_batch_by_batch(nlp):
    from kg.engine import extract_parallel
    from kg.extract.run import extract
    from kg.model import Document

    docs = [Document.from_text(t, f"a{i}") for i, t in enumerate(ARTICLES * 3)]
    log: list[tuple] = []
    got = extract_parallel(_pulled(docs, log), 2, nlp=nlp, progress=_Log(log), batch_chars=100,
                           expected_chars=sum(len(d.text) for d in docs))
    assert got == extract(docs, nlp=nlp)
    first_done = log.index(("done", 1))
    assert sum(e[0] == "pull" for e in log[first_done:]) >= 5  # read on while the workers work


def test_a_store_build_commits_before_it_reads_on(nlp, folder, tmp_path_factory):
    from kg.store import build_store

    log: list[tuple] = []
    build_store(_pulled(ingest.iter_documents(folder), log), tmp_path_factory.mktemp("s") / "store", nlp=nlp, batch_size=2,
                on_batch=lambda n: log.append(("commit", n)))
    assert [e for e in log if e[0] == "commit"] == [("commit", 1), ("commit", 2), ("commit", 3)]
    assert log.index(("commit", 1)) < log.index(("pull", "02.txt"))


def test_the_progress_bar_of_a_folder_estimates_its_total(nlp, folder, capsys, monkeypatch):
    """The words to come are estimated from the file sizes (no text is read ahead for it)."""
    make = BuildProgress._new_bar

    def every_step(total):  # draw at every update, however fast the test runs
        bar = make(total)
        bar.mininterval, bar.miniters, bar.dynamic_miniters = 0, 1, False
        return bar

    monkeypatch.setattr(BuildProgress, "_new_bar", staticmethod(every_step))
    monkeypatch.setitem(run.extract.__globals__, "STREAM_BATCH_CHARS", 150)
    build([folder], nlp=nlp, progress=True)
    err = capsys.readouterr().err
    words = sum(len(t.split()) for t in ARTICLES)
    assert "6/~6 documents" in err and "words/s" in err and f"{words}.0/{words}.0" in err  # the estimate ends exact
