"""Shares of a market or of an owner: "half of the world's cobalt", "holds a 20% stake in"."""
from __future__ import annotations

from ...modality import modality_of
from .base import (
    MAJORITY_WORDS,
    OWNING_VERBS,
    PERCENT_WORDS,
    SHARE_VERBS,
    WORLD,
    grammatical_subjects,
    prep_objects,
)


class ShareRules:
    """Mixin of :class:`~kg.extract.rules.SentenceExtractor`."""

    def majority_shares(self) -> None:
        """ "China accounts for 70 percent of the world's cobalt", "controls most of global graphite
        refining": a majority of the world's supply is dominance."""
        for t in self.sent:
            low = t.lower_
            if low in PERCENT_WORDS:
                nums = [c for c in t.children if c.like_num] + [c for c in t.subtree if c.like_num and c.i < t.i]
                try:
                    share = max(float(c.text.replace(",", "")) for c in nums) if nums else 0.0
                except ValueError:
                    share = 0.0
                if not 50 <= share <= 100:
                    continue
            elif low in ("thirds", "quarters"):
                if not any(x.lower_ in ("two", "three") for x in t.doc[max(t.i - 2, 0):t.i]):
                    continue  # "two-thirds", "three quarters"; not "a third"
            elif low not in MAJORITY_WORDS:
                continue
            inner = [x for x in prep_objects(t, "of")]
            if not inner or not any(w.lower_ in WORLD for o in inner for w in o.subtree):
                continue
            minerals = [m for o in inner for g in self._unwrap(o) for m in self.resolve(g, {"Mineral"})
                        if m.cls == "Mineral"]
            head = t
            while head.dep_ in ("pobj", "prep", "dobj", "nummod", "quantmod", "npadvmod", "compound") and head.head is not head:
                head = head.head
                if head.pos_ in ("VERB", "AUX"):
                    break
            if head.pos_ not in ("VERB", "AUX"):
                continue
            subjects = [m for s in grammatical_subjects(head) for m in self.resolve(s, self.classes("dominates", "s"))]
            self.emit("dominates", subjects, minerals, "share:majority of the world", 0.7, modality_of(head))

    def ownership_shares(self) -> None:
        """ "Glencore holds 75 percent of Kamoto Copper", "Kamoto Copper is 75 percent owned by Glencore":
        a share of a company or project is an investment in it."""
        obj_cls, subj_cls = self.classes("investsIn", "o"), self.classes("investsIn", "s")
        for t in self.sent:
            if t.lower_ not in PERCENT_WORDS or not any(c.like_num for c in t.subtree):
                continue
            if t.dep_ == "dobj" and t.head.lemma_.lower() in SHARE_VERBS:
                owners = [m for s in grammatical_subjects(t.head) for m in self.resolve(s, subj_cls)]
                owned = [m for o in prep_objects(t, "of") for m in self.resolve(o, obj_cls)
                         if not self.onto.is_a(m.cls, "Place")]
                self.emit("investsIn", owners, owned, "share:holds percent of", 0.7, modality_of(t.head))
            verb = self._percent_owner_verb(t)
            if verb is not None:
                # "The mine is owned 57.5% by BHP, 30% by Rio Tinto and 2.5% by the IFC": each share's
                # holder, wherever the parser hung the list
                by = next((i for i in (t.i + 1, t.i + 2) if i < self.sent.end and t.doc[i].lower_ == "by"), None)
                if by is not None:
                    holders = [x for x in t.doc[by].children if x.dep_ == "pobj"]
                    if not holders and verb.i < t.i:
                        holders = [x for a in verb.children if a.dep_ == "agent" for x in a.children if x.dep_ == "pobj"]
                    owners = [m for x in holders for m in self.resolve(x, subj_cls)]
                    owned = [m for x in verb.children if x.dep_ == "nsubjpass" for m in self.resolve(x, obj_cls)
                             if not self.onto.is_a(m.cls, "Place")]
                    self.emit("investsIn", owners, owned, "share:owned percent by", 0.75, modality_of(verb))
            for a in t.children:
                if a.dep_ == "acl" and a.lemma_.lower() in OWNING_VERBS:
                    owners = [m for x in prep_objects(a, "by") for m in self.resolve(x, subj_cls)]
                    owned = [m for s in grammatical_subjects(t.head) for m in self.resolve(s, obj_cls)] \
                        if t.dep_ in ("attr", "npadvmod", "acomp") else []
                    self.emit("investsIn", owners, owned, "share:percent owned by", 0.7, modality_of(a))

    def _percent_owner_verb(self, t):
        """The passive "owned"/"held" that a percentage hangs from, directly or through the list
        of shares before it ("owned 45% by A, 35% by B and 20% by C")."""
        x = t
        for _ in range(4):
            if x.dep_ in ("npadvmod", "appos", "conj", "pobj", "prep", "agent") and x.head is not x:
                x = x.head
                if x.lemma_.lower() in OWNING_VERBS and any(c.dep_ == "nsubjpass" for c in x.children):
                    return x
            else:
                return None
        return None
