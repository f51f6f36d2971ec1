#!/usr/bin/env python
"""Peak memory of ``kg build`` over a folder of many articles (run on demand).

Usage::

    python benchmarks/bench_memory.py [--articles 1000,10000] [--workers 2] [--longer 2]
                                      [--kg PATH] [--keep DIR]

The articles are those of ``bench_workers.py`` (real text shipped with the repository, repeated
with a numbered title line when more are asked for), written one ``.txt`` file each into a
temporary folder; the build reads the folder, as ``kg build FOLDER`` does (nothing is held by the
benchmark itself). ``--longer F`` also builds the same articles made F times longer with text that
states no fact (lower-case filler sentences after the article): the graph is the same size, so
peak memory that grows with the corpus text rather than the graph shows as a difference.

Each build runs in a fresh child process; reported: wall time, triples, the child's peak
resident set size (the driver) and the largest peak of its worker processes (``--workers``),
both from ``resource.getrusage``. ``--kg PATH`` runs the child on another copy of kg (e.g. an
earlier commit unpacked with ``git archive REV | tar -x -C PATH``) to compare before and after.
Not part of the test suite; the numbers mean little on a machine busy with other work.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

FILLER = ("the morning was quiet and the streets were wet after a long night of rain . "
          "people walked slowly past the closed shops and talked about the weather . "
          "a few birds sat on the wires and the sky stayed grey until noon . ")


def write_articles(folder: Path, n: int, longer: float) -> int:
    """``n`` article files in ``folder``; returns their words."""
    from bench_workers import articles

    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for i, text in enumerate(articles(n)):
        if longer > 1:
            pad = FILLER * (int(len(text) * (longer - 1) / len(FILLER)) + 1)
            text = f"{text}\n\n{pad[: int(len(text) * (longer - 1))].rsplit(' ', 1)[0]} .\n"
        (folder / f"{i:06d}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    return words


def _mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def child(folder: str, workers: int) -> dict:
    import kg.api
    from kg.pipeline import load_pipeline

    load_pipeline()
    kg.api.build(texts=["Peru produces copper and zinc."])  # warm-up
    warm = _mb(resource.RUSAGE_SELF)
    t = time.perf_counter()
    g = kg.api.build([folder], workers=workers)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "triples": len(g.graph), "documents": g.summary()["documents"],
            "driver_mb": _mb(resource.RUSAGE_SELF), "warm_mb": warm, "worker_mb": _mb(resource.RUSAGE_CHILDREN)}


def run(folder: Path, workers: int, kg_path: str | None) -> dict:
    env = dict(os.environ, PYTHONPATH=kg_path or str(ROOT))
    cmd = [sys.executable, __file__, "--child", str(folder), "--workers", str(workers)]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    if p.returncode:
        raise SystemExit(f"build failed:\n{p.stderr.strip()[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", default="1000,10000", help="comma-separated corpus sizes")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--longer", type=float, default=0, help="also build the articles F times longer, same facts")
    ap.add_argument("--kg", default=None, help="the kg to run (a folder put on PYTHONPATH; default: this one)")
    ap.add_argument("--keep", default=None, help="write the articles here and keep them")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.workers)))
        return 0
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kg-bench-memory-"))
    try:
        for n in (int(x) for x in args.articles.split(",")):
            for factor in (1.0, args.longer) if args.longer > 1 else (1.0,):
                folder = base / f"{n}-x{factor:g}"
                words = write_articles(folder, n, factor) if not folder.is_dir() else None
                r = run(folder, args.workers, args.kg)
                print(f"{n} articles x{factor:g} ({words or '?'} words), --workers {args.workers}: "
                      f"{r['seconds']:.0f} s, {r['triples']:,} triples, {r['documents']} documents; peak RSS "
                      f"driver {r['driver_mb']:.0f} MB (warm {r['warm_mb']:.0f}), worker {r['worker_mb']:.0f} MB",
                      flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
