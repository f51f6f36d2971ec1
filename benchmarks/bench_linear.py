#!/usr/bin/env python
"""Does build time grow linearly with the length of one article, and memory stay flat? (run on demand)

Usage::

    python benchmarks/bench_linear.py [--full | --sizes 0.1,0.5,1] [--kinds repeat,mix]
                                      [--extractor hybrid] [--model NAME] [--no-spacy]

One text of each size (in MB) is built by ``kg.api.build`` (ingest, spaCy with kg's components,
extraction, resolution, RDF), each in a fresh child process after loading the model and a
warm-up build. Default sizes: 0.1, 0.5 and 1 MB; ``--full``: 0.1, 0.5, 1, 2 and 5 MB. Kinds of text:

``repeat``  "Peru produces copper. " repeated on one line (the case of issue 8: one fact,
            one entity pair, one evidence per sentence);
``mix``     a realistic mix: the real articles of ``corpus/train/texts`` one after the other, in
            turn with paragraphs of sentences about made-up companies, so that the number of
            distinct names grows with the text (about 40 new company names per 10 KB);
``names``   the made-up company sentences alone (the second case of issue 8).

For every size the table gives wall-clock seconds per MB and CPU seconds per MB (the CPU time of
the child, which a busy machine does not inflate), each with its ratio to the smallest size's (the
"linearity ratio": 1.0 is linear; a CPU ratio above 1.5 is flagged ``SUPERLINEAR``); the peak resident memory
of the child (``resource.getrusage``) in total, above the warmed-up process, and above it when the
graph began to be made ("reading": parsing, extraction, resolution); and the CPU seconds per MB of
bare spaCy (the model alone, ``nlp.pipe`` over the same pieces that kg parses, no kg components)
measured in the same run, with its own ratio, as the baseline: kg's ratio should be no worse than
spaCy's. The memory of reading is bounded by the piece size; the graph holds one evidence node per
sentence that states a fact (``repeat``: every sentence) and grows with it.
Not part of the test suite.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAIN_TEXTS = ROOT / "corpus" / "train" / "texts"
# more than 20 words, so that the warm-up also loads what the language check reads once per process
WARM_UP = ("Peru produces copper and zinc. Japan and Peru agreed to cooperate on critical minerals. "
           "Chile exports lithium to China, and Australia supplies nickel to Japan.")
QUICK_SIZES = (0.1, 0.5, 1.0)
FULL_SIZES = (0.1, 0.5, 1.0, 2.0, 5.0)
SUPERLINEAR = 1.5

_SYLLABLES = ("ka", "lor", "ven", "tri", "mos", "dal", "quen", "ru", "zef", "pal", "nor", "bex", "sil", "tam",
              "gor", "vy", "lan", "cor", "ish", "mer", "tol", "xan", "bri", "oda", "fen", "hal", "jun", "pry")
_SUFFIXES = ("Minerals", "Mining", "Resources", "Metals", "Lithium Corp", "Holdings Ltd", "Energy", "Battery Materials")
_COUNTRIES = ("Peru", "Chile", "Australia", "Indonesia", "Canada", "Zambia", "Brazil", "Argentina", "Namibia")
_MINERALS = ("copper", "lithium", "nickel", "cobalt", "graphite", "zinc", "manganese", "rare earths")
_PATTERNS = ("{a} signed a supply agreement with {b}.", "{a} produces {m} in {c}.",
             "{a} acquired a stake in {b}.", "{a} exports {m} to {c}.", "{b} and {a} formed a joint venture.",
             "{a} supplies {m} to {b}.")


def company_sentences(rng: random.Random, used: set[str]):
    """Endless sentences about made-up companies; names are new until ~100k have been used."""
    def name() -> str:
        for _ in range(50):
            word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
            full = f"{word} {rng.choice(_SUFFIXES)}"
            if full not in used:
                used.add(full)
                return full
        return full

    while True:
        yield rng.choice(_PATTERNS).format(a=name(), b=name(), m=rng.choice(_MINERALS), c=rng.choice(_COUNTRIES))


def _body(text: str) -> str:
    """An article without its YAML front matter."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end > 0:
            text = text[end + 4:]
    return text.strip()


def make_text(kind: str, megabytes: float, texts: Path = TRAIN_TEXTS) -> str:
    """One text of about ``megabytes`` MB (characters) of the given kind (deterministic)."""
    target = int(megabytes * 1_000_000)
    if kind == "repeat":
        unit = "Peru produces copper. "
        return unit * (target // len(unit))
    rng, used = random.Random(8), set()
    names = company_sentences(rng, used)
    real = [_body(p.read_text(encoding="utf-8")) for p in sorted(texts.glob("*.txt"))] if kind == "mix" else []
    if kind == "mix" and not real:
        raise SystemExit(f"{texts}: no .txt articles for the mixed text")
    parts, size, i = [], 0, 0
    while size < target:
        if real:
            part = real[i % len(real)]
            parts.append(part)
            size += len(part) + 2
        part = " ".join(next(names) for _ in range(12))
        parts.append(part)
        size += len(part) + 2
        i += 1
    return "\n\n".join(parts)[:target]


def _peak_kb() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux, bytes on macOS
    return rss // 1024 if sys.platform == "darwin" else rss


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(engine: str, kind: str, megabytes: float, model: str | None, extractor: str | None) -> dict:
    """One measurement, in its own process: seconds, characters and peak memory."""
    text = make_text(kind, megabytes)
    if engine == "kg":
        import kg.api
        import kg.rdf
        from kg.pipeline import load_pipeline

        nlp = load_pipeline(model)
        kg.api.build(texts=[WARM_UP], nlp=nlp, extractor=extractor)
        warm = _peak_kb()
        to_rdf, before_rdf = kg.rdf.to_rdf, []

        def peak_then_rdf(*a, **k):  # the peak of reading the text, before the graph is made
            before_rdf.append(_peak_kb())
            return to_rdf(*a, **k)

        kg.rdf.to_rdf = peak_then_rdf
        t0, c0 = time.perf_counter(), _cpu_seconds()
        graph = kg.api.build(texts=[text], nlp=nlp, extractor=extractor)
        seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
        summary = graph.summary()
        extra = {"entities": summary["entities"], "facts": summary["facts"], "triples": len(graph.graph),
                 "cpu": cpu, "read_kb": before_rdf[-1]}
    else:
        import spacy

        from kg.extract.run import _PARSE_FOLD, CHUNK_CHARS, chunks
        from kg.pipeline import available_model

        nlp = spacy.load(available_model(model))
        nlp(WARM_UP)
        warm = _peak_kb()
        t0, c0 = time.perf_counter(), _cpu_seconds()
        pieces = (piece.translate(_PARSE_FOLD) for _, piece in chunks(text, min(CHUNK_CHARS, nlp.max_length - 1)))
        tokens = sum(len(doc) for doc in nlp.pipe(pieces, batch_size=1))
        seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
        extra = {"tokens": tokens, "cpu": cpu}
    return {"engine": engine, "kind": kind, "mb": megabytes, "chars": len(text), "seconds": seconds,
            "peak_kb": _peak_kb(), "warm_kb": warm, **extra}


def measure(engine: str, kind: str, megabytes: float, args: argparse.Namespace) -> dict:
    options = {"--extractor": args.extractor, "--model": args.model}
    cmd = [sys.executable, __file__, "--child", engine, kind, str(megabytes)]
    cmd += [word for flag, value in options.items() if value for word in (flag, value)]
    p = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise SystemExit(f"{engine} on {kind} {megabytes} MB failed:\n{p.stderr.strip()[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def per_mb(r: dict, what: str = "seconds") -> float:
    return r[what] / (r["chars"] / 1e6)


def report_row(r: dict, first: dict, base: dict | None, base_first: dict | None) -> str:
    """One size: wall and CPU seconds per MB (the CPU time does not count waiting for a busy
    machine) and their ratio to the smallest size's, peak memory in total, above the warmed-up
    process and above it when the graph began (the memory of reading the text alone)."""
    ratio = per_mb(r) / per_mb(first)
    cpu_ratio = per_mb(r, "cpu") / per_mb(first, "cpu")
    mb = lambda kb: kb / 1024
    row = (f"  {r['mb']:>5g} MB  {per_mb(r):6.1f} s/MB x{ratio:4.2f}  cpu {per_mb(r, 'cpu'):5.1f} s/MB "
           f"x{cpu_ratio:4.2f}  peak {mb(r['peak_kb']):5.0f} MB (+{mb(r['peak_kb'] - r['warm_kb']):4.0f}; "
           f"reading +{mb(r['read_kb'] - r['warm_kb']):4.0f})  {r['entities']:>6} entities {r['facts']:>6} facts "
           f"{r['triples']:>8} triples")
    if base is not None:
        b_ratio = per_mb(base, "cpu") / per_mb(base_first, "cpu")
        row += f"  | spaCy cpu {per_mb(base, 'cpu'):5.1f} s/MB x{b_ratio:4.2f}  kg/spaCy {per_mb(r, 'cpu') / per_mb(base, 'cpu'):4.2f}"
    if cpu_ratio > SUPERLINEAR:  # wall-clock time also counts the waits of a busy machine
        row += "  SUPERLINEAR"
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", help="comma-separated sizes in MB (default 0.1,0.5,1)")
    ap.add_argument("--full", action="store_true", help="sizes 0.1,0.5,1,2,5 MB")
    ap.add_argument("--kinds", default="repeat,mix", help="texts to build: repeat, mix, names (default repeat,mix)")
    ap.add_argument("--extractor", help="rules, trained or hybrid (default: kg's default)")
    ap.add_argument("--model", help="spaCy model (default: kg's default)")
    ap.add_argument("--no-spacy", action="store_true", help="skip the bare spaCy baseline")
    ap.add_argument("--json", type=Path, help="also write every measurement to this file")
    ap.add_argument("--child", nargs=3, metavar=("ENGINE", "KIND", "MB"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        engine, kind, mb = args.child
        print(json.dumps(child(engine, kind, float(mb), args.model, args.extractor)))
        return 0
    sizes = FULL_SIZES if args.full else QUICK_SIZES
    if args.sizes:
        sizes = tuple(sorted(float(s) for s in args.sizes.split(",") if s.strip()))
    kinds = [k for k in args.kinds.split(",") if k]
    for k in kinds:
        if k not in ("repeat", "mix", "names"):
            ap.error(f"unknown kind {k!r} (choose among repeat, mix, names)")
    results = []
    for kind in kinds:
        print(f"\n{kind}: sizes {', '.join(f'{s:g}' for s in sizes)} MB; ratios against {sizes[0]:g} MB", flush=True)
        first = base_first = None
        for mb in sizes:
            r = measure("kg", kind, mb, args)
            base = None if args.no_spacy else measure("spacy", kind, mb, args)
            first, base_first = first or r, base_first or base
            results += [r] + ([base] if base else [])
            print(report_row(r, first, base, base_first), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
