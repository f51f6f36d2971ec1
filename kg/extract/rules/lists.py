"""General nouns spelled out by a list: "minerals such as A", "These include A, B", "among them", colons."""
from __future__ import annotations


from spacy.tokens import Token

from ..mentions import Mention
from .base import (WRAPPERS, prep_objects)


class ListRules:
    """Mixin of :class:`~kg.extract.rules.SentenceExtractor`."""

    def spell_out(self, v: Token, obj_toks: list[Token]) -> None:
        """ "These include A, B and C": the relations that the previous sentence stated of a general
        noun ("the minerals ... relevant for clean energy") hold for A, B and C."""
        sent_start = v.sent.start
        prev_start = self.ctx.doc[sent_start - 1].sent.start if sent_start > 0 else -1
        pending = list(self.ctx.pending.get(prev_start, ()))
        if not pending:
            return
        toks = list(obj_toks)
        for c in v.children:  # "include, but are not limited to, A, B"
            if c.dep_ == "conj":
                toks += [p for x in c.children if x.dep_ == "prep" for p in x.children if p.dep_ == "pobj"]
        self._apply_pending(pending, toks, " (these include)")

    def among_them(self) -> None:
        """ "Delegations from 90 countries attended, among them Morocco and Chile": a general noun
        spelled out in the same sentence ("among them", "including", "such as")."""
        pending = list(self.ctx.pending.get(self.sent.start, ()))
        if not pending:
            return
        toks = []
        for t in self.sent:
            if t.lower_ == "among" and any(c.lower_ == "them" for c in t.children):
                toks += [x for c in t.children for x in c.children if x.dep_ in ("appos", "conj")]
                toks += [x for x in t.children if x.dep_ in ("appos", "conj", "npadvmod")]
                nxt = t.doc[t.i + 2] if t.i + 2 < t.sent.end else None
                if nxt is not None and self.ctx.ent_at.get(nxt.i) is not None:
                    toks.append(self.ctx.ent_at[nxt.i].root)
        if toks:  # "them" is the general noun of this sentence; "including X" lists belong to their own noun
            self._apply_pending(pending, toks, " (among them)")

    def _apply_pending(self, pending: list[tuple], toks: list[Token], how: str) -> None:
        for _, prop, s, o, rule, conf, modality in pending:
            generic_cls = s.cls if s.via == "generic" else o.cls
            items = [m for t in toks for m in self.resolve(t, {generic_cls})
                     if m.via != "generic" and self.onto.is_a(m.cls, generic_cls)]
            if s.via == "generic":
                self.emit(prop, items, [o], rule + how, conf * 0.85, modality)
            else:
                self.emit(prop, [s], items, rule + how, conf * 0.85, modality)

    @staticmethod
    def _unwrap(t: Token) -> list[Token]:
        """ "71 percent of the EU's platinum" -> "platinum": through quantity and share words."""
        out = [t]
        for _ in range(3):
            t = out[-1]
            if t.lower_ in WRAPPERS or t.lemma_.lower() in WRAPPERS or t.like_num:
                inner = prep_objects(t, "of")
                if not inner:
                    break
                out.append(inner[0])
            else:
                break
        return out[-1:]

    def colon_list(self, t: Token) -> list[Mention]:
        """Named items after a colon that spell out a general noun ("14 countries and the EU: A, B, C")."""
        if t.pos_ not in ("NOUN",) and self.ctx.ent_mention(t) is None:
            return []
        sent = self.sent
        colon = next((x for x in sent if x.text == ":" and x.i > t.i), None)
        if colon is None or any(x.text in (";", ":") for x in sent[t.i - sent.start + 1: colon.i - sent.start]):
            return []
        out = []
        for x in sent[colon.i - sent.start + 1:]:
            m = self.ctx.ent_mention(x)
            if m is not None and (not out or out[-1].start != m.start):
                out.append(m)
        return out
