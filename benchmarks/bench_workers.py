#!/usr/bin/env python
"""Many articles: kg build with 1 and N worker processes against bare spaCy (run on demand).

Usage::

    python benchmarks/bench_workers.py [--articles 1000] [--workers 2] [--extractor hybrid]

The articles are real text shipped with the repository: the passages of ``corpus/*/texts`` and
the Wikipedia documents of ``corpus/re-docred`` (1,147 in all), repeated with a numbered title
line when more are asked for (a repeat is a new text, so it is not skipped as a duplicate).

Each measurement runs in a fresh child process after loading the model and a warm-up:

- the baseline, bare spaCy ``nlp.pipe`` over the texts in one process (parsing is the floor);
- ``kg.api.build(texts=..., workers=1)``: words per second as a ratio of the baseline's
  (the issue's target: at least 0.90);
- ``kg.api.build(texts=..., workers=N)``: the speed-up over one process (target: at least 1.7
  with N=2 on a 2-core machine), and that the two graphs are the same size;
- peak resident memory of each child.

Not part of the test suite; the numbers mean little on a machine that is busy with other work.
"""
from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = "Peru produces copper and zinc. Japan and Peru agreed to cooperate on critical minerals."


def articles(n: int) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*/texts/*.txt"))]
    with gzip.open(ROOT / "corpus" / "re-docred" / "re-docred-kg.jsonl.gz", "rt", encoding="utf-8") as fh:
        texts += [f"{r['title']}\n\n{r['text']}" for r in map(json.loads, fh)]
    out = []
    while len(out) < n:
        for t in texts[: n - len(out)]:
            out.append(t if len(out) < len(texts) else f"Copy {len(out) // len(texts)}\n\n{t}")
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, n: int, workers: int, extractor: str | None) -> dict:
    texts = articles(n)
    words = sum(len(t.split()) for t in texts)
    if kind == "spacy":
        import spacy

        from kg.pipeline import available_model

        nlp = spacy.load(available_model(None))
        nlp(WARM_UP)
        t = time.perf_counter()
        for _ in nlp.pipe(texts):
            pass
        return {"seconds": time.perf_counter() - t, "words": words, "peak_mb": _peak_mb()}
    import kg.api
    from kg.pipeline import load_pipeline

    load_pipeline()
    kg.api.build(texts=[WARM_UP], extractor=extractor)
    t = time.perf_counter()
    g = kg.api.build(texts=texts, workers=workers, extractor=extractor)
    return {"seconds": time.perf_counter() - t, "words": words, "peak_mb": _peak_mb(),
            "triples": len(g.graph), "documents": g.summary()["documents"]}


def run(kind: str, args: argparse.Namespace, workers: int = 1) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--articles", str(args.articles), "--workers", str(workers)]
    if args.extractor:
        cmd += ["--extractor", args.extractor]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if p.returncode:
        raise SystemExit(f"{kind} failed:\n{p.stderr.strip()[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--extractor", default=None, help="rules, trained or hybrid (default: kg's default)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.articles, args.workers, args.extractor)))
        return 0
    base = run("spacy", args)
    one = run("kg", args, 1)
    many = run("kg", args, args.workers)
    wps = {k: r["words"] / r["seconds"] for k, r in (("spacy", base), ("one", one), ("many", many))}
    print(f"{args.articles} articles, {base['words']:,} words")
    print(f"  bare spaCy nlp.pipe       {base['seconds']:7.1f} s  {wps['spacy']:8.0f} words/s  "
          f"peak {base['peak_mb']:.0f} MB")
    print(f"  kg build, 1 process       {one['seconds']:7.1f} s  {wps['one']:8.0f} words/s  "
          f"peak {one['peak_mb']:.0f} MB  {wps['one'] / wps['spacy']:.2f}x spaCy (target >= 0.90)")
    print(f"  kg build, {args.workers} processes     {many['seconds']:7.1f} s  {wps['many']:8.0f} words/s  "
          f"peak {many['peak_mb']:.0f} MB (driver)  {one['seconds'] / many['seconds']:.2f}x one process "
          f"(target >= 1.7 with 2 on 2 cores)")
    print(f"  same graph size: {one['triples'] == many['triples']} ({one['triples']:,} triples, "
          f"{one['documents']} documents)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
