#!/usr/bin/env python
"""The Dask engine against a local build, on the same texts (run on demand).

Usage::

    python benchmarks/bench_dask.py [--texts DIR] [--workers 2] [--repeat 2] [--scheduler ADDRESS]

Reads the ``.txt`` files under ``--texts`` (default: ``corpus/``), then measures in one run:

* ``local``: the extraction of a local build (``kg.extract.extract``, model already loaded);
* ``dask``: :func:`kg.engine.extract_distributed` on a ``LocalCluster`` of ``--workers``
  single-threaded processes (or on ``--scheduler``), after a warm-up call that loads the
  model on every worker; cluster start and warm-up are reported apart.

Each timing is the median of ``--repeat`` runs; the two results are checked to be equal.
Prints one JSON object (words, seconds, words per second, the ratio). Not part of the test
suite; on a machine shared with other work the ratio says little.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--texts", type=Path, default=ROOT / "corpus")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--scheduler", default=None)
    args = ap.parse_args()

    from distributed import LocalCluster

    from kg.engine import extract_distributed
    from kg.extract.decide import default_extractor
    from kg.extract.run import extract
    from kg.ingest import read_documents
    from kg.pipeline import load_pipeline

    docs = read_documents(sorted(args.texts.rglob("*.txt"))).documents
    words = sum(len(d.text.split()) for d in docs)
    mode = default_extractor()
    nlp = load_pipeline()
    extract(docs[:1], nlp=nlp, extractor=mode)  # warm-up

    def timed(fn):
        runs, out = [], None
        for _ in range(args.repeat):
            t = time.perf_counter()
            out = fn()
            runs.append(time.perf_counter() - t)
        return statistics.median(runs), out

    local_s, local = timed(lambda: extract(docs, nlp=nlp, extractor=mode))
    cluster = None
    t = time.perf_counter()
    if args.scheduler is None:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        address = cluster.scheduler_address
    else:
        address = args.scheduler
    start_s = time.perf_counter() - t
    t = time.perf_counter()
    extract_distributed(docs[: args.workers * 2], scheduler=address, extractor=mode, batch_chars=1)  # load models
    warm_s = time.perf_counter() - t
    dask_s, remote = timed(lambda: extract_distributed(docs, scheduler=address, extractor=mode))
    if cluster is not None:
        cluster.close()
    print(json.dumps({
        "documents": len(docs), "words": words, "workers": args.workers, "extractor": mode,
        "local_s": round(local_s, 2), "dask_s": round(dask_s, 2),
        "local_words_per_s": round(words / local_s), "dask_words_per_s": round(words / dask_s),
        "dask_over_local": round(local_s / dask_s, 2),
        "cluster_start_s": round(start_s, 2), "model_warm_up_s": round(warm_s, 2),
        "same_result": remote == local,
    }, indent=1))


if __name__ == "__main__":
    main()
