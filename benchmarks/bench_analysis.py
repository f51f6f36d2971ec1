#!/usr/bin/env python
"""Analysis of a large graph: `kg analyze` stage by stage against pyoxigraph's parse (run on demand).

Usage::

    python benchmarks/bench_analysis.py [--triples 1000000] [--keep DIR]

A synthetic graph in kg's layout (entities of several classes; facts of the ontology's relations
between them, each reified with its evidence sentence and document) is made with
:func:`kg.rdf.to_rdf` and written as N-Triples, until it holds about ``--triples`` triples.
Then, each in a fresh child process:

- the baseline: pyoxigraph parsing the file into a store (``Store.bulk_load``), the floor of any
  reader;
- ``kg analyze`` as the CLI does it (the file read into pyoxigraph, the entity graph read from
  it), stage by stage: load, entity graph, centrality,
  communities, supply chains, report; with the peak resident memory.

It prints seconds per stage and the total as a ratio to the baseline. The issue's target is a
total of at most 20 s at 1M triples on a 2-core machine. Not part of the test suite.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SHAPES = [  # (subject class, property, object class)
    ("Country", "produces", "Mineral"), ("Company", "produces", "Mineral"), ("Mine", "produces", "Mineral"),
    ("Company", "operates", "Mine"), ("Mine", "locatedIn", "Country"), ("Country", "partnersWith", "Country"),
    ("Country", "exports", "Mineral"), ("Country", "imports", "Mineral"), ("Company", "investsIn", "Mine"),
    ("Country", "supplies", "Country"), ("Person", "leaderOf", "Country"), ("Country", "memberOf", "Organization"),
]
CLASS_SHARE = {"Country": 200, "Mineral": 60, "Organization": 80}  # the rest are companies, mines, people


def synthetic_result(n_facts: int, seed: int = 7):
    """A BuildResult of ``n_facts`` facts between about n_facts/3 entities, 20 facts per document."""
    from kg.model import BuildResult, Document, Entity, Evidence, Fact

    rng = random.Random(seed)
    n_entities = max(400, n_facts // 3)
    pools: dict[str, list[str]] = {}
    entities = {}
    fixed = sum(CLASS_SHARE.values())
    for i in range(n_entities):
        if i < fixed:
            cls = next(c for c, lim in _cumulative() if i < lim)
        else:
            cls = ("Company", "Mine", "Person")[i % 3]
        key = f"{cls.lower()} {i}"
        entities[key] = Entity(key=key, label=f"{cls} {i}", cls=cls)
        pools.setdefault(cls, []).append(key)
    docs, facts = [], []
    doc = None
    for j in range(n_facts):
        if j % 20 == 0:
            doc = Document.from_text(f"Synthetic document {j // 20}.", name=f"doc-{j // 20:06d}.txt")
            docs.append(doc)
        s_cls, prop, o_cls = SHAPES[j % len(SHAPES)]
        s, o = rng.choice(pools[s_cls]), rng.choice(pools[o_cls])
        if s == o:
            continue
        sentence = f"{entities[s].label} {prop} {entities[o].label}."
        ev = Evidence(doc_id=doc.id, sentence=sentence, start=0, end=len(sentence), rule="bench",
                      confidence=round(0.5 + rng.random() / 2, 3))
        facts.append(Fact(s, prop, o, (ev,)))
    from kg.model import merge_facts

    return BuildResult(documents=docs, entities=entities, facts=merge_facts(facts))


def _cumulative():
    total = 0
    for cls, n in CLASS_SHARE.items():
        total += n
        yield cls, total


def make_graph(path: Path, triples: int) -> int:
    from kg import rdf, rdfio

    n_facts = max(100, triples // 24)  # about 24 triples per fact: the fact, its evidence, entities
    g = rdf.to_rdf(synthetic_result(n_facts))
    rdfio.write_graph(g, path, "nt")
    return len(g)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_baseline(path: str) -> dict:
    import pyoxigraph as ox

    t = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
    n = len(store)
    return {"parse": time.perf_counter() - t, "triples": n, "peak_mb": _peak_mb()}


def child_kg(path: str) -> dict:
    from kg import analysis, rdfio

    times = {}
    t0 = t = time.perf_counter()
    store = rdfio.read_store(path)  # as kg analyze does: straight into pyoxigraph
    times["load"] = time.perf_counter() - t
    t = time.perf_counter()
    G = analysis.entity_graph(store)
    times["entity graph"] = time.perf_counter() - t
    t = time.perf_counter()
    cent = analysis.centrality(G)
    times["centrality"] = time.perf_counter() - t
    t = time.perf_counter()
    analysis.communities(G)
    times["communities"] = time.perf_counter() - t
    t = time.perf_counter()
    analysis.supply_chains(G)
    times["supply chains"] = time.perf_counter() - t
    t = time.perf_counter()
    a = analysis.analyze(G)
    analysis.generate_report(a)
    analysis.format_table(a)
    times["analyze + report (all again)"] = time.perf_counter() - t
    times["total (load + analyze + report)"] = times["load"] + times["entity graph"] + times[
        "analyze + report (all again)"]
    return {"times": times, "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "peak_mb": _peak_mb(), "wall": time.perf_counter() - t0, "centrality_nodes": len(cent)}


def run_child(kind: str, path: Path) -> dict:
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); "
            f"import bench_analysis as b; print(json.dumps(b.child_{kind}({str(path)!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph")
    ap.add_argument("--keep", type=Path, help="folder to keep (and reuse) the synthetic file in")
    args = ap.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthetic-{args.triples}.nt"
    if not path.exists():
        t = time.perf_counter()
        n = make_graph(path, args.triples)
        print(f"made {path} ({n:,} triples) in {time.perf_counter() - t:.1f} s")
    base = run_child("baseline", path)
    print(f"baseline: pyoxigraph parses {base['triples']:,} triples in {base['parse']:.2f} s "
          f"(peak {base['peak_mb']:.0f} MB)")
    res = run_child("kg", path)
    print(f"kg analyze: {res['nodes']:,} entities, {res['edges']:,} facts; peak {res['peak_mb']:.0f} MB")
    for stage, sec in res["times"].items():
        print(f"  {stage:34s} {sec:7.2f} s  {sec / base['parse']:6.1f}x the baseline")
    total = res["times"]["total (load + analyze + report)"]
    print(f"target: total <= 20 s at 1M triples: {'met' if total <= 20 else 'NOT met'} ({total:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
