#!/usr/bin/env python
"""What a pretrained transformer encoder would cost a build (run on demand).

Usage::

    python benchmarks/bench_encoder.py [--texts DIR] [--layers 6] [--width 384] [--batch 32]

Relation extraction that reads facts from context usually runs every sentence through a
pretrained transformer. kg must build at 0.85x bare spaCy's speed or better, so before any
such model is tried this measures its cost alone: the forward pass of an encoder of the given
size (MiniLM-L6 by default: 6 layers, 384 wide, 12 heads, feed-forward 4x) over every sentence
of ``--texts``, in numpy, with random weights (the arithmetic is the same as with trained
ones), against a baseline measured in the same run, a plain ``nlp.pipe`` of the same texts
with the small English pipeline. Sentences are batched by length; a sentence of n tokens is
taken as 1.3 n + 2 word pieces. Printed: words/s of each and the ratio of bare spaCy's time to
spaCy's plus the encoder's (what a build's throughput ratio would at best become).
Not part of the test suite.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def layer_norm(x: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(x.var(-1, keepdims=True) + 1e-12)


def make_weights(layers: int, width: int, rng: np.random.Generator) -> list[dict[str, np.ndarray]]:
    def w(*shape):
        return (rng.standard_normal(shape, dtype=np.float32) * 0.02).astype(np.float32)

    return [{"qkv": w(width, 3 * width), "out": w(width, width), "up": w(width, 4 * width),
             "down": w(4 * width, width)} for _ in range(layers)]


def forward(x: np.ndarray, weights: list[dict[str, np.ndarray]], heads: int) -> np.ndarray:
    """One encoder pass over ``x`` (batch, tokens, width): self-attention and a GELU
    feed-forward per layer, each with a residual and layer norm."""
    batch, tokens, width = x.shape
    size = width // heads

    def split(t):
        return t.reshape(batch, tokens, heads, size).transpose(0, 2, 1, 3)

    for w in weights:
        q, k, v = np.split(x @ w["qkv"], 3, axis=-1)
        att = split(q) @ split(k).transpose(0, 1, 3, 2) / np.sqrt(size)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ split(v)).transpose(0, 2, 1, 3).reshape(batch, tokens, width)
        x = layer_norm(x + ctx @ w["out"])
        h = x @ w["up"]
        h = 0.5 * h * (1.0 + np.tanh(0.7978845608 * (h + 0.044715 * h ** 3)))
        x = layer_norm(x + h @ w["down"])
    return x


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", default=str(ROOT / "corpus" / "train" / "texts"))
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--width", type=int, default=384)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args(argv)

    import spacy

    from kg.pipeline import available_model

    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(args.texts).glob("*.txt"))]
    if not texts:
        print(f"{args.texts}: no .txt files", file=sys.stderr)
        return 2
    nlp = spacy.load(available_model(None))  # bare: no kg components
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts))
    spacy_s = time.perf_counter() - t0
    words = sum(1 for d in docs for t in d if not t.is_space)
    pieces = sorted(int(1.3 * len(s)) + 2 for d in docs for s in d.sents)

    rng = np.random.default_rng(0)
    weights = make_weights(args.layers, args.width, rng)
    inputs = rng.standard_normal((args.batch, max(pieces), args.width), dtype=np.float32)
    t0 = time.perf_counter()
    for i in range(0, len(pieces), args.batch):
        batch = pieces[i:i + args.batch]
        forward(inputs[:len(batch), :max(batch)], weights, args.heads)
    enc_s = time.perf_counter() - t0

    print(f"{len(texts)} texts, {words:,} words, {len(pieces):,} sentences")
    print(f"  bare spaCy      {spacy_s:7.2f} s  {words / spacy_s:9,.0f} words/s")
    print(f"  encoder {args.layers}x{args.width}  {enc_s:7.2f} s  {words / enc_s:9,.0f} words/s")
    print(f"  spaCy + encoder: throughput {spacy_s / (spacy_s + enc_s):.2f}x bare spaCy's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
