"""Deciding which candidate pairs become facts: the rules, the classifier, or both.

``trained``: every candidate pair of a sentence is scored by the relation classifier (whose
features include the rules' votes); a property is kept when its probability reaches the
threshold chosen when the weights were trained (on the corpus dev split, or out of fold over
train and dev with ``kg train --folds``). ``hybrid``: what the rules found is kept unless the
classifier vetoes it (probability below the veto threshold), and the classifier adds the pairs
it is confident about. Either way, a reading's confidence is the classifier's probability mapped
through the calibration learnt with the weights (:mod:`kg.extract.calibration`: how often such
readings were right out of fold), which decides nothing.

When the classifier is confident about a pair that the domain/range check rejects because of a
mention's class, and that class came from the statistical NER rather than the lexicon, the
mention is re-typed to the most likely class the property allows instead of losing the fact.
"""
from __future__ import annotations

from pathlib import Path

from spacy.tokens import Span

from ..errors import ModelError
from ..modality import modality_of
from ..model import EXTRACTORS  # noqa: F401 - re-exported
from ..ontology import Ontology
from .calibration import Calibration
from .candidates import IMPLICIT, PairCandidate, pair_candidates
from .classifier import LinearClassifier
from .features import TokenTable, TriggerVectors, _head, _path, pair_features
from .mentions import DocContext, Mention, RawCandidate, candidate_rank
from .rules.base import TriggerIndex, advisory
from .typing import TYPER_FILE, MentionTyper

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
RELATIONS_FILE = "relations.npz"
#: the order in which a mis-typed name is re-typed, most specific reading first
RETYPE_ORDER = ("Mine", "Facility", "Company", "Region", "Country", "Organisation", "Event", "Product", "Mineral",
                "Person", "Place", "GovernmentBody", "Alliance")


def default_extractor(models: str | Path | None = None) -> str:
    """The extractor used when none is asked for: the one that scored best when the weights
    were trained (on the corpus dev split, or out of fold; recorded in them), "rules" when there are no weights."""
    path = models_dir(models) / RELATIONS_FILE
    if not path.is_file():
        return "rules"
    best = LinearClassifier.read_meta(path).get("best", "rules")  # the header only, not the weights
    return best if best in EXTRACTORS else "rules"


def models_dir(models: str | Path | None = None) -> Path:
    return Path(models) if models else MODELS_DIR


class Decider:
    """Scores the candidate pairs of a sentence and decides (see the module docstring)."""

    def __init__(self, onto: Ontology, triggers: TriggerIndex, relations: LinearClassifier, mode: str = "hybrid",
                 typer: MentionTyper | None = None):
        if mode not in ("trained", "hybrid"):
            raise ValueError(f"mode must be 'trained' or 'hybrid', not {mode!r}")
        self.onto = onto
        self.triggers = triggers
        self.clf = relations
        self.typer = typer
        self.mode = mode
        chosen = relations.meta.get("threshold", {}).get(mode, 0.5)
        # one threshold, or one per property with "*" for the others (and IMPLICIT: the least
        # score of a pair of the page's subject with a sentence that does not name it)
        self.thresholds = {"*": float(chosen)} if isinstance(chosen, (int, float)) else {
            k: float(v) for k, v in chosen.items()}
        self.threshold = self.thresholds.get("*", 0.5)
        self.veto = float(relations.meta.get("veto", 0.1))
        self.retype_at = float(relations.meta.get("retype", 0.7))
        # how often the rules are right on real text (their precision on the corpus dev split): a
        # rule's fact that the classifier cannot judge keeps that much of the rule's confidence
        self.rule_prior = float(relations.meta.get("rule_precision", 0.0))
        #: the confidence of a reading (weights trained before the calibration have none)
        self.calibration = Calibration.from_meta(relations.meta, mode)
        #: for --explain: kept candidate -> "classifier 0.87; rules: verb:produce" (of the last sentence)
        self.notes: dict[RawCandidate, str] = {}
        self._typing_context: tuple | None = None
        self._table: TokenTable | None = None
        #: weights trained with word-vector features (kg train --trigger-similarity) need them
        self.similarity = relations.meta.get("trigger_similarity")
        self._vectors: TriggerVectors | None = None

    @classmethod
    def load(cls, onto: Ontology, triggers: TriggerIndex, models: str | Path | None = None,
             mode: str = "hybrid") -> "Decider":
        path = models_dir(models) / RELATIONS_FILE
        if not path.is_file():
            raise ModelError(f"{path}: no trained relation classifier there; train one with "
                             f"'kg train corpus/ -o DIR' and pass --models DIR, or use --extractor rules")
        return cls(onto, triggers, LinearClassifier.load(path), mode,
                   MentionTyper.load(models_dir(models) / TYPER_FILE))

    # ------------------------------------------------------------------
    def score(self, ctx: DocContext, sent: Span, pair: PairCandidate) -> tuple[dict[str, float], set[str]]:
        if self._table is None or self._table.doc is not ctx.doc:
            self._table = TokenTable(ctx.doc)
        feats = pair_features(ctx.doc, sent, pair, self.triggers, self._table, self._trigger_vectors(ctx.doc.vocab))
        return self.clf.scores(feats), feats

    def _trigger_vectors(self, vocab) -> TriggerVectors | None:
        if self.similarity is None:
            return None
        if self._vectors is None or self._vectors.vocab is not vocab:
            self._vectors = TriggerVectors.from_vocab(vocab, self.triggers, self.similarity)
            if self._vectors is None:
                raise ModelError("the relation weights were trained with word-vector features "
                                 "(kg train --trigger-similarity) but this spaCy pipeline has no word vectors: "
                                 "pass the --model they were trained with (e.g. en_core_web_md), or other --models")
        return self._vectors

    def _reading(self, subject: Mention, prop: str, obj: Mention, rule: str, modality: str, p: float,
                 rule_confidence: float = 0.0) -> RawCandidate:
        """A reading the classifier scored ``p``. Its rank among readings of the same fact in a
        sentence is its uncalibrated confidence: the score, and in ``hybrid`` at least a rule's
        own confidence times the rules' precision on the corpus (a rule's fact the classifier
        cannot judge). Its confidence is that too, unless the weights have a calibration: then
        the calibration's of the score as ``kg train`` saw it (at most 0.99, 3 places)."""
        score = round(min(p, 0.99), 3)
        rank = score
        if self.mode == "hybrid" and not rule.startswith("classifier"):
            rank = round(min(max(p, rule_confidence * self.rule_prior), 0.99), 3)
        conf = rank if self.calibration is None else self.calibration.confidence(score, rule, prop)
        return RawCandidate(subject, prop, obj, rule, conf, modality, rank)

    def _retype(self, ctx: DocContext, m: Mention, allowed: set[str]) -> Mention | None:
        """``m`` as the most likely class that ``allowed`` admits (the typer's ranking when there is
        a typer, else :data:`RETYPE_ORDER`); None when the lexicon or a rule fixed its class."""
        if m.lex or m.via not in ("", "open"):
            return None
        order = list(RETYPE_ORDER)
        span = ctx.doc.char_span(m.start, m.end, alignment_mode="expand") if self.typer is not None else None
        if span is not None and len(span):
            from .typing import document_context, mention_features

            if self._typing_context is None or self._typing_context[0] is not ctx.doc:
                self._typing_context = (ctx.doc, document_context(ctx.doc))
            scores = self.typer.clf.scores(mention_features(ctx.doc, span, self._typing_context[1]))
            order = sorted(scores, key=lambda c: -scores[c]) + order
        for cls in order:
            if any(self.onto.is_a(cls, a) for a in allowed):
                return Mention(m.text, cls, m.start, m.end, m.lex, "typed")
        return None

    def _anchor(self, ctx: DocContext, sent: Span, pair: PairCandidate):
        if pair.s_tokens and pair.o_tokens:
            path = _path(_head(ctx.doc, pair.s_tokens), _head(ctx.doc, pair.o_tokens))
            if path:
                for step, tok in path:
                    if step == "@":
                        return tok
        return sent.root

    def decide(self, ctx: DocContext, sent: Span, kept: list[RawCandidate],
               rejected: list[tuple[RawCandidate, str]]) -> tuple[list[RawCandidate], list[tuple[RawCandidate, str]]]:
        """The kept and rejected candidates of a sentence after the classifier has had its say."""
        out: list[RawCandidate] = []
        self.notes = {}
        dropped: list[tuple[RawCandidate, str]] = [(c, why) for c, why in rejected if "domain/range" not in why]
        for pair in pair_candidates(ctx, sent, kept, rejected):
            scores, _ = self.score(ctx, sent, pair)
            votes = {v.prop: v for v in pair.votes if v.kept and not advisory(v.rule)}
            refused = {v.prop: v for v in pair.votes if not v.kept}
            advice = {v.prop: v for v in pair.votes if v.kept and advisory(v.rule)}
            said = "; rules: " + (", ".join(f"{v.rule}{'' if v.kept else ' (out of domain)'}" for v in pair.votes)
                                  if pair.votes else "none")
            for prop, p in scores.items():
                v = votes.get(prop)
                if v is not None:
                    cand = self._reading(pair.subject, prop, pair.object, v.rule, v.modality, p, v.confidence)
                    need = self.veto if self.mode == "hybrid" else self.thresholds.get(prop, self.threshold)
                    if p >= need:
                        out.append(cand)
                        self.notes[cand] = f"classifier {p:.2f}{said}"
                    else:
                        dropped.append((cand, f"classifier {p:.2f} < {need:.2f}{said}"))
                    continue
                r, a = refused.get(prop), advice.get(prop)
                implicit = IMPLICIT in (pair.subject.via, pair.object.via)
                thr = self.thresholds.get(prop, self.threshold)
                if implicit:  # the page's subject with a sentence that does not name it: its own bar too
                    thr = max(thr, self.thresholds.get(IMPLICIT, 0.0))
                if p < thr:
                    if r is not None:
                        dropped.append((RawCandidate(pair.subject, prop, pair.object, r.rule, r.confidence,
                                                     r.modality), f"outside the domain/range; classifier {p:.2f}"))
                    elif a is not None:
                        why = f"a vote for the classifier only; classifier {p:.2f} < {thr:.2f}"
                        dropped.append((RawCandidate(pair.subject, prop, pair.object, a.rule, a.confidence,
                                                     a.modality), why))
                    continue
                r = r if r is not None else a
                s, o = pair.subject, pair.object
                spec = self.onto.properties[prop]
                if not self.onto.allows(prop, s.cls, o.cls) and p >= self.retype_at:
                    if not any(self.onto.is_a(s.cls, c) for c in spec.domain):
                        s = self._retype(ctx, s, set(spec.domain)) or s
                    if not any(self.onto.is_a(o.cls, c) for c in spec.range):
                        o = self._retype(ctx, o, set(spec.range)) or o
                modality = r.modality if r is not None else modality_of(self._anchor(ctx, sent, pair))
                rule = (f"classifier:{IMPLICIT}" if implicit else "classifier") + (f" ({r.rule})" if r is not None else "")
                cand = self._reading(s, prop, o, rule, modality, p)
                if self.onto.allows(prop, s.cls, o.cls):
                    out.append(cand)
                    retyped = [f"{m.text} re-typed {m0.cls} -> {m.cls}" for m, m0 in ((s, pair.subject),
                               (o, pair.object)) if m is not m0]
                    self.notes[cand] = f"classifier {p:.2f}{said}" + "".join(f"; {x}" for x in retyped)
                else:
                    dropped.append((cand, f"{s.cls} -> {o.cls} is outside the domain/range of {prop}"))
        # one reading per fact and sentence: a rule's reading first (it stands whatever the
        # classifier's threshold), then the more confident one
        best: dict[tuple, RawCandidate] = {}
        for c in out:
            key = (c.subject.key, c.predicate, c.object.key)
            old = best.get(key)
            if old is None or candidate_rank(c)[:2] > candidate_rank(old)[:2]:
                best[key] = c
        return list(best.values()), dropped
