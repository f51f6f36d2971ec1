#!/usr/bin/env python
"""The store (``kg build --store``) at scale: queries in place against pyoxigraph and rdflib, and the
cost of adding one article to a store of 1,000 (run on demand; not part of the test suite).

Usage::

    python benchmarks/bench_store.py [--documents 10000] [--repeat 3] [--no-rdflib] [--keep DIR]

1. A synthetic store of about 1M triples is made through kg's own store code (document records,
   committed in batches by :class:`kg.store.Committer`: resolution over all records, class
   settling, :func:`kg.rdf.to_rdf` of what changed, one Oxigraph transaction per batch). The
   records have the shape extraction gives: countries, companies and minerals read in several
   documents, facts shared between documents, one evidence sentence per fact and document.
2. Each bundled query (``queries/*.rq``) is answered three ways, the median of ``--repeat`` runs
   (kg and pyoxigraph alternated, after ``--warmup`` runs of each that are not timed):
   ``kg query STORE NAME --format csv`` (in this process, output to /dev/null: opening the store,
   running the query, converting and writing every row); pyoxigraph's own ``Store.query`` on the same
   store (opened read-only, ``use_default_graph_as_union``, every value of every row read); and
   rdflib for reference (the store exported as N-Triples, parsed once, each query once). Wall-clock
   and CPU time are both reported: on a shared machine the CPU time is the steadier measure (for
   ``kg query``, that of this process and of the child process the query runs in, which is still
   ending when ``kg query`` has its rows: the wall-clock time stops at the rows, the CPU time
   counts the child's end too).
3. A store of 1,000 synthetic documents, then one more document: the time of that commit
   (``Committer`` reads the records and works out the state, then the commit), against the time
   of the first 1,000 (the parsing of the article itself, the same as in a plain build, is apart).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import cli  # noqa: E402
from kg import store as kgstore  # noqa: E402
from kg.model import Document, Evidence, Fact, slugify  # noqa: E402
from kg.query import bundled_queries, load_query, wait_for_query_processes  # noqa: E402
from kg.rdf import PREFIXES  # noqa: E402

PROPERTIES = [  # (property, subject kind, object kind)
    ("produces", "company", "mineral"), ("exports", "country", "mineral"), ("partnersWith", "country", "country"),
    ("dependsOn", "country", "mineral"), ("operates", "country", "company"), ("investsIn", "country", "country"),
]
KINDS = {"country": ("Country", "Landia {}"), "company": ("Company", "Corp {} Mining"),
         "mineral": ("Mineral", "element-{}")}
WORDS = "the government said output rose sharply as new mines opened in the north and exports grew".split()


def synthetic_records(n_docs: int, seed: int = 11, facts_per_doc: int = 8, pool: int = 3000) -> list[dict]:
    """Document records with the shape extraction gives (see the module docstring)."""
    rng = random.Random(seed)
    sizes = {"country": pool // 10, "company": pool, "mineral": 60}
    records = []
    for i in range(n_docs):
        doc = Document.from_text(f"synthetic article {i}", name=f"news/{i:06d}.txt", title=f"Article {i}",
                                 source=f"https://example.org/news/{i}", date="2024-05-01")
        labels: dict = {}
        classes: dict = {}
        forms: dict = {}
        facts = []
        offset = 0
        for _ in range(facts_per_doc):
            prop, sk, ok = rng.choice(PROPERTIES)
            keys = []
            for kind in (sk, ok):
                cls, pattern = KINDS[kind]
                label = pattern.format(int(rng.paretovariate(1.2)) % sizes[kind])
                key = slugify(label)
                labels.setdefault(key, {}).setdefault(label, 0)
                labels[key][label] += 1
                classes.setdefault(key, {}).setdefault(cls, 0)
                classes[key][cls] += 1
                forms.setdefault(key, set()).add(label)
                keys.append(key)
            if keys[0] == keys[1]:
                continue
            sentence = " ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "."
            ev = Evidence(doc.id, sentence, offset, offset + len(sentence), f"verb:{prop}",
                          round(rng.uniform(0.4, 0.95), 2), rng.choice(["asserted"] * 6 + ["hedged", "negated"]))
            offset += len(sentence) + 1
            facts.append(Fact(keys[0], prop, keys[1], (ev,)))
        records.append(kgstore.document_record(doc, facts, labels, classes, forms))
    return records


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_store(folder: Path, records: list[dict], batch: int) -> dict:
    t0 = time.perf_counter()
    commits = []
    with kgstore.open_store(folder, create=True, settings={"min_confidence": 0.0}) as st:
        committer = kgstore.Committer(st)
        for i in range(0, len(records), batch):
            t = time.perf_counter()
            committer.commit(records[i:i + batch], [])
            commits.append(time.perf_counter() - t)
        kgstore.settle_files(st, len(st))  # as kg build does after adding this much
        triples = len(st)
    return {"documents": len(records), "triples": triples, "seconds": time.perf_counter() - t0,
            "commit_seconds": [round(c, 2) for c in commits]}


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the query's own process)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_kg(folder: Path, name: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds (this process and the query's child process) of
    ``kg query STORE NAME --format csv``."""
    t, c = time.perf_counter(), _cpu()
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        code = cli.main(["query", str(folder), name, "--format", "csv", "--timeout", "3600"])
    if code != 0:
        raise SystemExit(f"kg query {name} failed with exit code {code}")
    wall = time.perf_counter() - t
    wait_for_query_processes()  # the child ends after sending the rows; its CPU time counts once it has
    return wall, _cpu() - c


def time_native(folder: Path, text: str) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds of pyoxigraph's ``Store.query`` on the store, and the rows."""
    import pyoxigraph as ox

    t, c = time.perf_counter(), _cpu()
    store = ox.Store.read_only(str(folder / "oxigraph"))
    res = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    rows = [tuple(None if s[n] is None else s[n].value for n in names) for s in res]
    return time.perf_counter() - t, _cpu() - c, len(rows)


def time_rdflib(folder: Path, texts: dict[str, str]) -> dict:
    from rdflib import Graph

    nt = folder.parent / "export.nt"
    kgstore.export(folder, nt)
    t = time.perf_counter()
    g = Graph()
    g.parse(nt, format="nt")
    load = time.perf_counter() - t
    out = {"load_seconds": round(load, 2)}
    for name, text in texts.items():
        t = time.perf_counter()
        rows = list(g.query(text, initNs=PREFIXES))
        out[name] = {"query_seconds": round(time.perf_counter() - t, 2), "rows": len(rows)}
    return out


def add_one(folder: Path, n: int) -> dict:
    if folder.exists():  # a store kept from an earlier run holds the extra document already
        shutil.rmtree(folder)
    records = synthetic_records(n + 1, seed=5)
    first = make_store(folder, records[:n], batch=250)
    t = time.perf_counter()
    with kgstore.open_store(folder) as st:
        committer = kgstore.Committer(st)
        ready = time.perf_counter() - t
        committer.commit(records[n:], [])
    return {"documents": n, "first_build_seconds": round(first["seconds"], 2),
            "add_one_seconds": round(time.perf_counter() - t, 3), "of_which_reading_state": round(ready, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=10000, help="synthetic documents (10000: about 1M triples)")
    ap.add_argument("--batch", type=int, default=1000, help="documents per commit while making the store")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs of each query, both ways, before timing")
    ap.add_argument("--no-rdflib", action="store_true", help="leave out the rdflib reference (slow, ~3 GB)")
    ap.add_argument("--keep", metavar="DIR", help="make the store in DIR and keep it")
    args = ap.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kg-bench-store-"))
    folder = work / "store"
    report: dict = {}
    if not kgstore.is_store(folder):
        report["make"] = make_store(folder, synthetic_records(args.documents), args.batch)
        print(json.dumps({"make": report["make"]}), file=sys.stderr)
    texts = {name: load_query(name) for name in bundled_queries()}
    queries = {}
    for name, text in texts.items():
        kg_times, native = [], []
        for _ in range(args.warmup):  # not timed: the store's files read once, kg's first-call imports done
            time_kg(folder, name)
            time_native(folder, text)
        for _ in range(args.repeat):  # alternated, so that a change in the machine's load hits both
            kg_times.append(time_kg(folder, name))
            native.append(time_native(folder, text))
        k, o = statistics.median(t for t, _ in kg_times), statistics.median(t for t, _, _ in native)
        kc, oc = statistics.median(c for _, c in kg_times), statistics.median(c for _, c, _ in native)
        queries[name] = {"rows": native[0][2], "kg_query_seconds": round(k, 3), "pyoxigraph_seconds": round(o, 3),
                         "ratio": round(k / o, 2) if o else None, "kg_cpu_seconds": round(kc, 3),
                         "pyoxigraph_cpu_seconds": round(oc, 3), "cpu_ratio": round(kc / oc, 2) if oc else None}
        print(json.dumps({name: queries[name]}), file=sys.stderr)
    report["queries"] = queries
    if not args.no_rdflib:
        report["rdflib"] = time_rdflib(folder, texts)
    report["add_one_to_1000"] = add_one(work / "add-one", 1000)
    report["peak_rss_mb"] = round(peak_mb())
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
