#!/usr/bin/env python
"""Build throughput and peak memory of kg against the bare spaCy model (run on demand).

Usage::

    python benchmarks/bench_build.py [--mb 2] [--only dev|long] [--texts DIR] [--model NAME]
                                     [--extractor rules,hybrid]

Two corpora:

(a) the dev texts (``../shared/eval/dev/texts`` beside the repository when present, else ``seeds/``);
(b) one synthetic single-line text of ``--mb`` megabytes, made by repeating the
    sentences of the dev texts (no line or paragraph breaks: the worst case for
    splitting a long text into pieces).

For each corpus, ``kg build`` (``kg.api.build``: ingest, spaCy with kg's components,
extraction, resolution, RDF) is compared with a baseline measured in the same run:
a plain ``nlp.pipe`` of the same texts with the bare spaCy model (no kg components;
its ``max_length`` raised so that the long text is one document). ``kg build`` is measured once
per extractor asked for (``--extractor``, default ``rules,hybrid``: the rules alone, and the rules
with the relation classifier and the mention typer).

Every measurement runs in a fresh child process, after loading the model and a
warm-up call, so that one measurement cannot inflate the next one's memory.
Time is wall-clock; peak memory is the peak resident set size of the child
(``resource.getrusage``), reported in total and above the warmed-up process.
Not part of the test suite.
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_TEXTS = ROOT.parent / "shared" / "eval" / "dev" / "texts"  # ../shared beside the repository
WARM_UP = "Peru produces copper and zinc. Japan and Peru agreed to cooperate on critical minerals."


def default_texts() -> Path:
    return DEV_TEXTS if DEV_TEXTS.is_dir() else ROOT / "seeds"


def _peak_kb() -> int:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


def read_texts(folder: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())
            if p.suffix in (".txt", ".md") and p.is_file()]


def long_text(folder: Path, megabytes: float) -> str:
    """One line of about ``megabytes`` MB: the dev sentences repeated, in order."""
    sentences = []
    for text in read_texts(folder):
        for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            if len(s) > 20:
                sentences.append(s)
    if not sentences:
        raise SystemExit(f"{folder}: no sentences to repeat")
    target = int(megabytes * 1_000_000)
    out, size, i = [], 0, 0
    while size < target:
        s = sentences[i % len(sentences)]
        out.append(s)
        size += len(s) + 1
        i += 1
    return " ".join(out)


def child(engine: str, corpus: str, folder: Path, megabytes: float, model: str | None,
          extractor: str | None = None) -> dict:
    """One measurement (runs in its own process); returns time, chars and memory."""
    texts = read_texts(folder) if corpus == "dev" else [long_text(folder, megabytes)]
    chars = sum(len(t) for t in texts)
    if engine == "kg":
        import kg.api
        from kg.pipeline import load_pipeline

        load_pipeline(model)
        kg.api.build(texts=[WARM_UP], model=model, extractor=extractor)
        warm = _peak_kb()
        t0 = time.perf_counter()
        if corpus == "dev":
            g = kg.api.build([folder], model=model, extractor=extractor)
        else:
            g = kg.api.build(texts=texts, model=model, extractor=extractor)
        seconds = time.perf_counter() - t0
        extra = {"facts": g.summary()["facts"]}
    else:
        import spacy

        from kg.pipeline import available_model

        nlp = spacy.load(available_model(model))
        nlp.max_length = max(nlp.max_length, chars + 1)
        nlp(WARM_UP)
        warm = _peak_kb()
        t0 = time.perf_counter()
        tokens = sum(len(doc) for doc in nlp.pipe(texts))
        seconds = time.perf_counter() - t0
        extra = {"tokens": tokens}
    return {"engine": engine if engine != "kg" else f"kg {extractor}", "corpus": corpus, "chars": chars, "docs": len(texts), "seconds": seconds,
            "peak_kb": _peak_kb(), "warm_kb": warm, **extra}


def measure(engine: str, corpus: str, args: argparse.Namespace, extractor: str | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", engine, corpus, "--texts", str(args.texts), "--mb", str(args.mb)]
    if extractor:
        cmd += ["--extractor", extractor]
    if args.model:
        cmd += ["--model", args.model]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise SystemExit(f"{engine} on {corpus} failed:\n{p.stderr.strip()}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def report(corpus: str, kgs: list[dict], base: dict) -> None:
    mb = lambda kb: kb / 1024  # noqa: E731
    print(f"\n{corpus}: {base['docs']} document(s), {base['chars']:,} characters")
    for r in [base] + kgs:
        name = "bare spaCy" if r is base else r["engine"]
        print(f"  {name:<12} {r['seconds']:8.2f} s  {r['chars'] / r['seconds']:>10,.0f} chars/s  "
              f"peak {mb(r['peak_kb']):7.0f} MB  (+{mb(r['peak_kb'] - r['warm_kb']):.0f} MB above warm)")
    for kg in kgs:
        t = base["seconds"] / kg["seconds"]
        m = kg["peak_kb"] / base["peak_kb"]
        print(f"  {kg['engine']}: throughput {t:.2f}x bare spaCy's, {m:.2f}x its peak memory")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=Path, default=default_texts(), help="folder of dev texts")
    ap.add_argument("--mb", type=float, default=2.0, help="size of the synthetic long text in MB (default 2)")
    ap.add_argument("--model", help="spaCy model (default: kg's default)")
    ap.add_argument("--only", choices=("dev", "long"), help="run one corpus only")
    ap.add_argument("--extractor", default="rules,hybrid",
                    help="extractors to measure, comma-separated (default: rules,hybrid)")
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "CORPUS"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.texts, args.mb, args.model, args.extractor)))
        return 0
    print(f"texts: {args.texts}; synthetic long text: {args.mb} MB on one line")
    for corpus in (("dev", "long") if not args.only else (args.only,)):
        base = measure("spacy", corpus, args)
        kgs = [measure("kg", corpus, args, e) for e in args.extractor.split(",") if e]
        report(corpus, kgs, base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
