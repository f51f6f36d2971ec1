"""The work of extraction grows linearly with the length of one article (issue 8, item 5).

These tests count how many earlier names, mentions or facts are read, on synthetic inputs; they do
not time anything. ``benchmarks/bench_linear.py`` measures the time and memory of real builds.
"""
from __future__ import annotations

from collections import Counter

import pytest
import spacy
from spacy.tokens import Span

from kg.extract.mentions import DocContext, Mention
from kg.extract.rules import TriggerIndex
from kg.extract.run import settle_classes
from kg.model import Entity, Evidence, Fact
from kg.ontology import load_ontology
from kg.resolve import Resolver


class CountingList(list):
    """A list that counts the items read from it (by iteration, index or slice)."""

    def __init__(self, items=()):
        super().__init__(items)
        self.reads = 0

    def __iter__(self):
        for item in super().__iter__():
            self.reads += 1
            yield item

    def __getitem__(self, i):
        out = super().__getitem__(i)
        self.reads += len(out) if isinstance(i, slice) else 1
        return out


@pytest.fixture(scope="module")
def onto():
    return load_ontology()


@pytest.mark.parametrize("n", [200, 400])
def test_resolving_short_names_reads_each_earlier_name_once(onto, n):
    """ "Ishiba" after "Shigeru Ishiba", "Sumitomo" after "Sumitomo Metal Mining": the full names
    are looked up by word, not scanned for every short name (that was quadratic in a long text)."""
    r = Resolver(onto)
    persons = r.persons["d"] = CountingList()
    orgs = r.orgs["d"] = CountingList()
    keys = []
    for i in range(n):  # names observed and short names resolved in turn, as piece after piece
        persons.append(f"Given{i} Family{i}")
        orgs.append(f"Zorvex{i} Metal Mining")
        keys.append((r.key("d", Mention(f"Family{i}", "Person", 0, 9)),
                     r.key("d", Mention(f"Zorvex{i}", "Company", 20, 27))))
    assert keys[7] == ("given7-family7", "zorvex7-metal-mining")
    assert persons.reads + orgs.reads <= 4 * n


def _repeated_sentences(n: int):
    """ "Peru produces copper ." n times, with the two names as entities and one sentence each."""
    nlp = spacy.blank("en")
    doc = nlp("Peru produces copper . " * n)
    for tok in doc:
        tok.is_sent_start = tok.i % 4 == 0
    doc.ents = [Span(doc, i, i + 1, label="Country" if i % 4 == 0 else "Mineral")
                for i in range(len(doc)) if i % 4 in (0, 2)]
    return doc


@pytest.mark.parametrize("n", [150, 300])
def test_previous_mentions_reads_the_nearby_sentences_only(onto, n):
    """Reference resolution ("it", "the company") looks back a few sentences: it must read the
    mentions of those sentences, not every mention of the piece."""
    doc = _repeated_sentences(n)
    ctx = DocContext(doc, onto, TriggerIndex.from_ontology(onto))
    ctx.ents = CountingList(ctx.ents)
    ctx.ents_desc = CountingList(getattr(ctx, "ents_desc", []))  # what the old code scanned
    found = []
    for k in range(n):
        found.append([(e.start, e.text) for e in ctx.previous_mentions(4 * k + 3, limit_sents=1)])
    assert found[5] == [(22, "copper"), (20, "Peru"), (18, "copper"), (16, "Peru")]
    assert found[0] == [(2, "copper"), (0, "Peru")]
    assert [e.text for e in ctx.previous_mentions(4 * n - 1, {"Country"}, limit_sents=2)] == ["Peru"] * 3
    assert ctx.ents.reads + ctx.ents_desc.reads <= 8 * n


@pytest.mark.parametrize("n", [100, 300])
def test_settling_classes_tries_each_kind_of_need_once(onto, n, monkeypatch):
    """An entity with many facts (Peru in a long article) is checked against the different
    domains and ranges its facts need, not once per fact and class tried."""
    ev = (Evidence("d", "s", 0, 1, "r", 0.9),)
    ents = {"k": Entity("k", "Kakula", "Person")}
    facts = []
    for i in range(n):
        ents[f"m{i}"] = Entity(f"m{i}", f"mineral {i}", "Mineral")
        facts.append(Fact("k", "produces", f"m{i}", ev))
    calls = Counter()
    ancestors = type(onto).ancestors

    def counting(self, cls):
        calls["ancestors"] += 1
        return ancestors(self, cls)

    monkeypatch.setattr(type(onto), "ancestors", counting)
    out, kept = settle_classes(ents, facts, onto, {"k": {"Person": 2, "Mine": 1}})
    assert out["k"].cls == "Mine" and len(kept) == n
    # the last check of every fact's domain and range reads each fact once (3 calls); trying the
    # classes of "k" costs a few calls for its one kind of need, not a few for each of its n facts
    assert calls["ancestors"] <= 3 * n + 20


class RecordingPipeline:
    """A stand-in for a spaCy pipeline that batches like ``nlp.pipe`` and records the characters
    of every batch it parses."""

    max_length = 1_000_000

    def __init__(self):
        self.blank = spacy.blank("en")
        self.batch_chars: list[int] = []

    def pipe(self, items, as_tuples=False, batch_size=1000):
        items = iter(items)
        while True:
            batch = [x for _, x in zip(range(batch_size), items)]
            if not batch:
                return
            self.batch_chars.append(sum(len(text) for text, _ in batch))
            yield from ((self.blank.make_doc(text), context) for text, context in batch)


def test_a_long_text_is_parsed_one_piece_at_a_time():
    """What the parser holds at once is bounded by the piece size (50,000 characters), not by the
    length of the text (a batch of four long pieces took four times the memory); short articles
    are still parsed several at a time."""
    from kg.extract.run import CHUNK_CHARS, parse_documents
    from kg.model import Document

    long = Document.from_text("Peru produces copper.\n\n" * 20_000, "long")  # 460,000 characters
    short = [Document.from_text(f"Chile exports lithium {i}.", f"short-{i}") for i in range(8)]
    nlp = RecordingPipeline()
    parsed = list(parse_documents([long, *short], nlp))
    assert "".join(doc.text for d, _, doc in parsed if d is long) == long.text
    assert len(nlp.batch_chars) > len(long.text) / CHUNK_CHARS
    assert max(nlp.batch_chars) <= CHUNK_CHARS
    assert [d.name for d, _, _ in parsed[-8:]] == [d.name for d in short]
    assert len(nlp.batch_chars) <= len(long.text) / CHUNK_CHARS + 4  # the short ones four at a time


def test_the_progress_bar_counts_words_and_documents(nlp, capsys, monkeypatch):
    """Long runs show documents done, words/s and the time left."""
    from kg.extract import run
    from kg.model import Document
    from kg.progress import BuildProgress

    make = BuildProgress._new_bar

    def every_step(total):  # draw at every update, however fast the test runs
        bar = make(total)
        bar.mininterval, bar.miniters = 0, 1
        return bar

    monkeypatch.setattr(BuildProgress, "_new_bar", staticmethod(every_step))
    docs = [Document.from_text(f"Peru produces copper number {i}. Chile produces lithium.") for i in range(5)]
    assert len(list(run.parse_documents(docs, nlp, progress=True))) == 5
    err = capsys.readouterr().err
    assert "5/5 documents" in err and "words/s" in err and "40.0/40.0" in err
