"""The rule families, one module each, composed into :class:`SentenceExtractor`.

======================  ==========================================================
``base``                word lists, tree helpers, triggers, argument resolution, emit
``verbs``               X produces Y; Y is produced by X; members include A, B
``nouns``               X's production of Y; a Y producer; partnership between X and Y
``adjectives``          X, rich in Y; X is reliant on Y; Y used in Z
``titles``              Prime Minister X; Department of Energy Secretary X
``places``              Kuantan, Malaysia; facilities, their places and owners; trips
``lists``               minerals such as A; These include A, B; among them; colons; lists under "X were:"
``shares``              half of the world's cobalt; holds a 20% stake in; a venture between A and B;
                        X's largest shareholder; sold the mine to B
``names``               the Balama graphite mine; Talison Lithium (a name says the mineral)
======================  ==========================================================

Every rule family is a mixin; a rule reads arguments through :class:`~.base.ArgumentReader`
and emits :class:`~kg.extract.mentions.RawCandidate` objects checked against the ontology.
"""
from __future__ import annotations

from spacy.tokens import Span

from ..mentions import DocContext, RawCandidate
from .adjectives import AdjectiveRules
from .base import ArgumentReader, Trigger, TriggerIndex, _verb_as_noun
from .lists import ListRules
from .names import NameRules
from .nouns import NounRules
from .places import PlaceRules
from .shares import ShareRules
from .titles import TitleRules
from .verbs import VerbRules

__all__ = ["SentenceExtractor", "Trigger", "TriggerIndex", "sentence_candidates"]


class SentenceExtractor(VerbRules, NounRules, AdjectiveRules, TitleRules, PlaceRules, ListRules, ShareRules,
                        NameRules, ArgumentReader):
    """All rule families over one sentence; :meth:`run` fills ``out`` and ``rejected``."""

    def run(self) -> None:
        for tok in self.sent:
            low, lemma = tok.lower_, tok.lemma_.lower()
            ent = self.ctx.ent_at.get(tok.i)
            if ent is not None and ent.label_ not in ("Product", "Mineral"):
                continue  # "Investment" in "Foreign Investment Review Board" is a name, not a trigger
            if (tok.pos_ in ("VERB", "AUX") or _verb_as_noun(tok)) and lemma in self.ctx.triggers.verbs:
                for trig in self.ctx.triggers.verbs[lemma]:
                    self.verb_frame(tok, trig)
            if tok.pos_ in ("NOUN", "PROPN"):
                for key in dict.fromkeys((lemma, low)):  # in order: a set's order is the hash seed's
                    for trig in self.ctx.triggers.nouns.get(key, []):
                        self.noun_frame(tok, trig)
            if tok.pos_ in ("ADJ", "VERB") and (low in self.ctx.triggers.adjs or lemma in self.ctx.triggers.adjs):
                for trig in self.ctx.triggers.adjs.get(low, []) or self.ctx.triggers.adjs.get(lemma, []):
                    self.adj_frame(tok, trig)
        self.surface_verbs()
        self.majority_shares()
        self.ownership_shares()
        self.venture_owners()
        self.shareholders()
        self.asset_sales()
        self.titles()
        self.among_them()
        self.list_items()
        self.place_nouns()
        self.place_chains()
        self.facility_places()
        self.facility_owners()
        self.based_in()
        self.named_minerals()
        self.trip_events()
        self.close_locations()


def sentence_candidates(ctx: DocContext, sent: Span) -> tuple[list[RawCandidate], list[tuple[RawCandidate, str]]]:
    """Candidate facts of one sentence, and the rejected ones with their reason."""
    ex = SentenceExtractor(ctx, sent)
    ex.run()
    # one reading per fact and sentence: the most confident rule wins, the others are reported
    best: dict[tuple, RawCandidate] = {}
    dropped = list(ex.rejected)
    for c in ex.out:
        key = (c.subject.key, c.predicate, c.object.key)
        old = best.get(key)
        if old is None or (c.confidence, c.modality == "asserted") > (old.confidence, old.modality == "asserted"):
            if old is not None:
                dropped.append((old, f"same fact as rule {c.rule} in this sentence"))
            best[key] = c
        else:
            dropped.append((c, f"same fact as rule {old.rule} in this sentence"))
    return list(best.values()), dropped
