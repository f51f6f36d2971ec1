"""A sparse linear classifier: one logistic regression per label over string features.

Used twice: the relation classifier (labels: the 16 properties of the schema; a pair with no
label is "none") and the mention typer (labels: ontology classes). Training minimises the L2-
regularised logistic loss of each label with L-BFGS (scipy); weights are stored as a compressed
``.npz`` (feature names, weights, biases, thresholds, metadata), loaded offline.

Examples
--------
>>> rows = [{"w:mine"}, {"w:mine", "c:Country"}, {"w:visit"}, {"w:visit", "c:Person"}] * 5
>>> labels = [{"produces"}, {"produces"}, set(), set()] * 5
>>> clf = LinearClassifier.fit(rows, labels, ["produces"], l2=0.1)
>>> clf.scores({"w:mine"})["produces"] > 0.8, clf.scores({"w:visit"})["produces"] < 0.2
(True, True)
"""
from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..errors import ModelError


#: fitted weights are rounded to multiples of this (exact in the float16 they are stored in)
QUANTUM = 2.0 ** -8


def _rounded(a: np.ndarray) -> np.ndarray:
    """``a`` rounded to multiples of :data:`QUANTUM` (no negative zeros: the same bytes for a
    weight that is a hair below zero on one machine and above it on another)."""
    return (np.round(a / QUANTUM) * QUANTUM + 0.0).astype(np.float32)


class LinearClassifier:
    """One-vs-rest logistic regression over sparse binary features."""

    def __init__(self, features: Sequence[str], labels: Sequence[str], weights: np.ndarray, bias: np.ndarray,
                 thresholds: dict[str, float] | None = None, meta: dict | None = None):
        self.features = list(features)
        self.index = {f: i for i, f in enumerate(self.features)}
        self.labels = list(labels)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.thresholds = dict(thresholds or {})
        self.meta = dict(meta or {})

    # ------------------------------------------------------------ prediction
    def logits(self, feats: Iterable[str]) -> np.ndarray:
        # sorted: a float sum depends on its order, and a set of strings is ordered by the hash seed
        rows = sorted(self.index[f] for f in feats if f in self.index)
        z = self.bias.copy()
        if rows:
            z += self.weights[rows].sum(axis=0)
        return z

    def scores(self, feats: Iterable[str]) -> dict[str, float]:
        """Label -> probability."""
        z = np.clip(self.logits(feats), -30, 30)
        p = 1.0 / (1.0 + np.exp(-z))
        return {lab: float(p[k]) for k, lab in enumerate(self.labels)}

    def explain(self, feats: Iterable[str], label: str, top: int = 4) -> list[tuple[str, float]]:
        """The features that pushed ``label`` most (name, weight), strongest first."""
        k = self.labels.index(label)
        found = [(f, float(self.weights[self.index[f], k])) for f in feats if f in self.index]
        return sorted(found, key=lambda fw: -abs(fw[1]))[:top]

    # ------------------------------------------------------------ training
    @classmethod
    def fit(cls, rows: Sequence[set[str]], labels: Sequence[set[str]], label_names: Sequence[str], *,
            sample_weight: Sequence[float] | None = None, l2: float = 1.0, min_count: int = 1,
            max_iter: int = 3000, meta: dict | None = None) -> "LinearClassifier":
        """Fit one logistic regression per label.

        Parameters
        ----------
        rows : feature sets, one per example
        labels : the set of labels of each example (empty: none of them)
        label_names : the labels to learn
        sample_weight : weight of each example (default 1)
        l2 : L2 penalty on the weights (not the bias)
        min_count : features seen in fewer examples are dropped

        The weights are the same on every machine: each regression is solved to a tight tolerance
        (the objective has one optimum, which the solver then finds to about 2e-5 in each weight
        whatever the numpy/scipy version; their default tolerance stopped up to 0.002 away from it,
        enough to move a tuned threshold), and the weights and biases are rounded to multiples of
        :data:`QUANTUM`. Fitted on one cross-validation fold's examples with numpy 1.26/scipy 1.13
        and with numpy 2.4/scipy 1.17, no weight differed after rounding; a whole ``kg train`` gave
        the same thresholds, one of 521,696 relation weights off by one quantum (a weight at a
        rounding midpoint can still fall either way).
        """
        from scipy import optimize, sparse

        counts = Counter(f for r in rows for f in r)
        features = sorted(f for f, n in counts.items() if n >= min_count)
        index = {f: i for i, f in enumerate(features)}
        indptr, indices = [0], []
        for r in rows:
            cols = sorted({index[f] for f in r if f in index})
            indices.extend(cols)
            indptr.append(len(indices))
        n, d = len(rows), len(features)
        X = sparse.csr_matrix((np.ones(len(indices), dtype=np.float64), indices, indptr), shape=(n, d))
        Xt = X.T.tocsr()
        sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        W = np.zeros((d, len(label_names)), dtype=np.float32)
        b = np.zeros(len(label_names), dtype=np.float32)
        for k, lab in enumerate(label_names):
            y = np.array([1.0 if lab in ls else 0.0 for ls in labels])
            if y.sum() == 0:
                b[k] = -10.0
                continue

            def loss(theta, y=y):
                w, c = theta[:-1], theta[-1]
                z = X @ w + c
                # log(1 + exp(-s z)) with s = 2y - 1, computed stably
                s = 2 * y - 1
                m = -s * z
                ls = np.logaddexp(0, m)
                sig = 1.0 / (1.0 + np.exp(-z))
                g = sw * (sig - y)
                val = float(sw @ ls) + 0.5 * l2 * float(w @ w)
                grad_w = Xt @ g + l2 * w
                return val, np.concatenate([grad_w, [g.sum()]])

            res = optimize.minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B",
                                    options={"maxiter": max_iter, "ftol": 1e-14, "gtol": 1e-6, "maxcor": 20})
            W[:, k] = res.x[:-1]
            b[k] = res.x[-1]
        return cls(features, label_names, _rounded(W), _rounded(b), meta=meta)

    def prune(self, eps: float = 1e-3) -> "LinearClassifier":
        """Drop features whose weights are all below ``eps`` (smaller file, same scores to ~eps)."""
        keep = np.abs(self.weights).max(axis=1) >= eps
        return LinearClassifier([f for f, k in zip(self.features, keep) if k], self.labels,
                                self.weights[keep], self.bias, self.thresholds, self.meta)

    # ------------------------------------------------------------ storage
    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = json.dumps({"labels": self.labels, "thresholds": self.thresholds, "meta": self.meta})
        buf = io.BytesIO()
        np.savez_compressed(buf, weights=self.weights.astype(np.float16), bias=self.bias,
                            features=np.frombuffer(json.dumps(self.features).encode("utf-8"), dtype=np.uint8),
                            header=np.frombuffer(header.encode("utf-8"), dtype=np.uint8))
        path.write_bytes(buf.getvalue())
        return path

    @staticmethod
    def read_meta(path: str | Path) -> dict:
        """The metadata of a model file (thresholds, the best extractor...), without its weights."""
        try:
            with np.load(Path(path), allow_pickle=False) as z:
                return json.loads(z["header"].tobytes().decode("utf-8")).get("meta") or {}
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{path}: not a kg model file ({exc.__class__.__name__}: {exc}); "
                             f"train one with 'kg train CORPUS -o DIR' or reinstall kg") from None

    @classmethod
    def load(cls, path: str | Path) -> "LinearClassifier":
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(z["header"].tobytes().decode("utf-8"))
                feats = json.loads(z["features"].tobytes().decode("utf-8"))
                return cls(feats, header["labels"], z["weights"].astype(np.float32),
                           z["bias"], header.get("thresholds"), header.get("meta"))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{path}: not a kg model file ({exc.__class__.__name__}: {exc}); "
                             f"train one with 'kg train CORPUS -o DIR' or reinstall kg") from None
