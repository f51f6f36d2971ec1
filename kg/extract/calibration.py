"""Calibrated confidence: how often a fact read the way this one was read is right.

A fact's confidence is the noisy-or of its evidence (:attr:`kg.model.Fact.confidence`). The
relation classifier's probabilities are learnt in sample, and on text it has not seen they are
over-confident (a score of 0.9 is right about three times in four); a rule's reading has no
probability at all. So ``kg train`` also learns a small map from a reading to the probability
of its evidence: a logistic regression over the classifier's score (as log-odds), how the
reading was made (a rule and its family, the classifier alone, or a pair of the page's subject
with a sentence that does not name it) and the property. It is fitted on the out-of-fold builds
that choose the thresholds, by the likelihood of each fact's label (right or wrong against the
gold) under the noisy-or of its evidence, so that the noisy-or itself, the confidence a user
filters on, is what comes out calibrated.

The map changes no decision: what is kept is decided on the classifier's score against the
thresholds, before the map. It is stored with the weights (``meta["calibration"]``: feature ->
weight), and weights without it keep the classifier's score as the confidence.

Examples
--------
>>> facts = [[(0.9, "verb:produce", "produces", "d1")]] * 8 + [[(0.4, "classifier", "produces", "d1")]] * 8
>>> labels = [True] * 7 + [False] + [True] * 2 + [False] * 6
>>> cal = Calibration.fit(facts, labels, l2=0.1)
>>> round(cal(0.9, "verb:produce", "produces"), 2), round(cal(0.4, "classifier", "produces"), 2)
(0.87, 0.25)
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .candidates import IMPLICIT
from .classifier import QUANTUM
from .rules.base import rule_family

#: a reading: (the classifier's score, the rule that made it, the property, the document's id)
Reading = tuple[float, str, str, str]


def reading_kind(rule: str) -> tuple[str, str]:
    """How a reading was made: ("rule", its family), ("classifier", "") or ("implicit", "").

    >>> reading_kind("verb-passive:own+ref"), reading_kind("classifier (name:site)"), reading_kind("classifier:implicit")
    (('rule', 'verb-passive'), ('classifier', ''), ('implicit', ''))
    """
    if rule.startswith("classifier:" + IMPLICIT):
        return IMPLICIT, ""
    if rule.startswith("classifier"):
        return "classifier", ""
    return "rule", rule_family(rule)


def _logit(p: float) -> float:
    p = min(max(p, 0.005), 0.995)
    return math.log(p / (1.0 - p))


def reading_features(score: float, rule: str, prop: str) -> dict[str, float]:
    """The calibration's features of one reading (name -> value).

    >>> sorted(reading_features(0.5, "adj:rich in", "produces").items())
    [('bias', 1.0), ('family:adj', 1.0), ('kind:rule', 1.0), ('logit', 0.0), ('logit:rule', 0.0), ('property:produces', 1.0)]
    """
    kind, family = reading_kind(rule)
    z = _logit(score)
    feats = {"bias": 1.0, "logit": z, "property:" + prop: 1.0}
    if kind != "classifier":
        feats["kind:" + kind] = 1.0
        feats["logit:" + kind] = z
    if family:
        feats["family:" + family] = 1.0
    return feats


class Calibration:
    """The map from a reading to the probability of its evidence (see the module docstring)."""

    def __init__(self, weights: dict[str, float]):
        self.weights = dict(weights)

    def __call__(self, score: float, rule: str, prop: str) -> float:
        z = sum(self.weights.get(f, 0.0) * v for f, v in reading_features(score, rule, prop).items())
        return 1.0 / (1.0 + math.exp(-min(max(z, -30.0), 30.0)))

    def confidence(self, score: float, rule: str, prop: str) -> float:
        """The confidence an evidence of this reading carries: rounded to 3 places, at most 0.99.

        >>> Calibration({"bias": -1.0, "kind:rule": 3.0}).confidence(0.5, "verb:produce", "produces")
        0.881
        """
        return round(min(self(score, rule, prop), 0.99), 3)

    @classmethod
    def from_meta(cls, meta: dict, mode: str = "hybrid") -> "Calibration | None":
        """The calibration of extractor ``mode`` stored with a classifier's weights (one per
        extractor, or one for all), None when they have none.

        >>> meta = {"calibration": {"hybrid": {"bias": 0.0}, "trained": {"bias": 2.0}}}
        >>> round(Calibration.from_meta(meta, "trained")(0.9, "classifier", "produces"), 2)
        0.88
        >>> Calibration.from_meta({"calibration": {"bias": 0.0}}, "trained")(0.9, "classifier", "produces")
        0.5
        >>> Calibration.from_meta({}) is None
        True
        """
        weights = meta.get("calibration") or {}
        if any(isinstance(v, dict) for v in weights.values()):
            weights = weights.get(mode) or {}
        return cls(weights) if weights else None

    @classmethod
    def fit(cls, facts: Sequence[Sequence[Reading]], labels: Sequence[bool], l2: float = 1.0) -> "Calibration | None":
        """Fitted on ``facts`` (each the readings of its kept evidence) and whether each is right.

        Maximises the likelihood of the labels under the noisy-or of :attr:`kg.model.Fact.confidence`
        (a document's second reading of a fact at half strength; which reading is a document's
        first is taken from the classifier's scores). The weights are rounded to multiples of
        :data:`~kg.extract.classifier.QUANTUM`. None when the labels are all one way (nothing
        to learn from).
        """
        from scipy import optimize

        pairs = [(list(f), bool(y)) for f, y in zip(facts, labels) if f]
        if len({y for _, y in pairs}) < 2:
            return None
        names: set[str] = set()
        rows: list[dict[str, float]] = []
        group: list[int] = []
        half: list[float] = []
        for g, (readings, _) in enumerate(pairs):
            seen: set[str] = set()
            for score, rule, prop, doc in sorted(readings, key=lambda r: -r[0]):
                feats = reading_features(score, rule, prop)
                names.update(feats)
                rows.append(feats)
                group.append(g)
                half.append(0.5 if doc in seen else 1.0)
                seen.add(doc)
        order = sorted(names)
        col = {f: k for k, f in enumerate(order)}
        A = np.zeros((len(rows), len(order)))
        for i, feats in enumerate(rows):
            for f, v in feats.items():
                A[i, col[f]] = v
        G, c = np.array(group), np.array(half)
        y = np.array([float(lab) for _, lab in pairs])
        penal = np.array([0.0 if f == "bias" else l2 for f in order])

        def loss(w):
            q = 1.0 / (1.0 + np.exp(-np.clip(A @ w, -30, 30)))
            left = np.clip(1.0 - c * q, 1e-12, None)
            log_miss = np.bincount(G, np.log(left), len(pairs))  # log of the noisy-or's miss
            miss = np.exp(log_miss)
            hit = np.clip(1.0 - miss, 1e-12, None)
            val = -float(y @ np.log(hit) + (1.0 - y) @ log_miss) + 0.5 * float(penal @ (w * w))
            d_log_miss = y * miss / hit - (1.0 - y)  # d(-loglik)/d(log miss)
            grad = A.T @ (d_log_miss[G] * (-c / left) * q * (1.0 - q)) + penal * w
            return val, grad

        res = optimize.minimize(loss, np.zeros(len(order)), jac=True, method="L-BFGS-B",
                                options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-7})
        w = np.round(res.x / QUANTUM) * QUANTUM + 0.0
        return cls({f: float(v) for f, v in zip(order, w) if v != 0.0})
