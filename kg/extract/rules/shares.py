"""Shares of a market or of an owner: "half of the world's cobalt", "holds a 20% stake in", the
partners of a joint venture, shareholders, and the buyers of a mine or a stake."""
from __future__ import annotations

from ...modality import modality_of
from .base import (
    MAJORITY_WORDS,
    OWNING_VERBS,
    PERCENT_WORDS,
    OWNERSHIP_NOUNS,
    SHARE_VERBS,
    SHAREHOLDER_NOUNS,
    STAKE_NOUNS,
    VENTURE_NOUNS,
    VENTURE_PARTICIPLES,
    WORLD,
    grammatical_subjects,
    is_passive,
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

    def venture_owners(self) -> None:
        """ "X is a joint venture between A (51%) and B (49%)", "X, a joint venture of A and B", "founded
        as a joint venture between A and B", "a joint venture owned by A and B": each partner of a
        named venture invests in it (and the partners are partners)."""
        subj_cls, obj_cls = self.classes("investsIn", "s"), self.classes("investsIn", "o")
        for n in self.sent:
            if n.lemma_.lower() not in VENTURE_NOUNS or n.pos_ not in ("NOUN", "PROPN"):
                continue
            partner_toks = prep_objects(n, "between") or prep_objects(n, "among") or prep_objects(n, "of")
            verb = n
            for c in n.children:
                if not partner_toks and c.dep_ == "acl" and c.lemma_.lower() in VENTURE_PARTICIPLES:
                    prep = VENTURE_PARTICIPLES[c.lemma_.lower()]
                    partner_toks = prep_objects(c, prep) if prep else [x for x in c.children if x.dep_ == "dobj"]
                    verb = c
            partners = [m for t in partner_toks for m in self.resolve(t, subj_cls)]
            if not partners:
                continue
            ventures = self._venture_names(n, obj_cls)
            keys = {m.key for m in partners}
            ventures = [v for v in ventures if v.key not in keys]
            mod = modality_of(verb)
            self.emit("investsIn", partners, ventures, "share:venture partners", 0.75, mod)
            for i, a in enumerate(partners):
                self.emit("partnersWith", [a], partners[i + 1:], "share:venture partners", 0.75, mod)

    def asset_sales(self) -> None:
        """ "Exxon sold the mine to Anglo American", "Phelps Dodge sold its interest in the project to
        Dynatec", "the mine was later sold to Patiño": the buyer of a site, a company or a stake in one
        invests in it (the sale of goods, "sells copper to China", is trade: see the verb frames)."""
        subj_cls = self.classes("investsIn", "s")
        for v in self.sent:
            if v.lemma_.lower() != "sell" or v.pos_ != "VERB":
                continue
            assets, _ = self.sold_assets(v)
            objs = [c for c in v.children if c.dep_ == "dobj"]
            buyers = [m for t in [v, *objs] for b in prep_objects(t, "to") for m in self.resolve(b, subj_cls)]
            self.emit("investsIn", buyers, assets, "share:sold to", 0.7, modality_of(v))

    def sold_assets(self, v) -> tuple[list, bool]:
        """The sites, companies and stakes in them that the verb ``v`` ("sell") sells, and whether it
        sells such an asset at all ("sold the mine": a site's or a company's word, named or not)."""
        obj_cls = {c for c in self.classes("investsIn", "o") if not self.onto.is_a(c, "Place")}
        # words that are an asset whatever follows them ("the mine", "a stake"); not "energy",
        # "metals" or "60 percent of its copper", which are goods
        asset_words = self.onto.site_heads | OWNERSHIP_NOUNS | {"company", "subsidiary", "business", "firm"}
        if is_passive(v):
            toks = [c for c in v.children if c.dep_ == "nsubjpass"] or grammatical_subjects(v)
        else:
            toks = [c for c in v.children if c.dep_ == "dobj"]
        out, todo, asset = [], list(toks), False
        for _ in range(3):  # "51 percent of its Simandou interest": through the stake words
            nxt = []
            for t in todo:
                low = t.lemma_.lower()
                asset = asset or low in asset_words or t.lower_ in asset_words
                if low in STAKE_NOUNS or t.lower_ in STAKE_NOUNS:
                    nxt += [c for c in t.children if c.dep_ == "compound" and c.i < t.i]
                    nxt += prep_objects(t, "in") + prep_objects(t, "of")
                else:
                    out += [m for m in self.resolve(t, obj_cls) if any(self.onto.is_a(m.cls, c) for c in obj_cls)]
            todo = nxt
        return out, asset or bool(out)

    def shareholders(self) -> None:
        """ "Chinalco is the controlling shareholder of Chalco", "MMG's largest shareholder is China
        Minmetals", "Rio Tinto and its biggest shareholder, Chinalco": a shareholder of a named
        company invests in it (not "shareholders received dividends": no company named)."""
        subj_cls, obj_cls = self.classes("investsIn", "s"), self.classes("investsIn", "o")
        for n in self.sent:
            if n.lemma_.lower() not in SHAREHOLDER_NOUNS or n.pos_ not in ("NOUN", "PROPN"):
                continue
            owned = [m for c in n.children if c.dep_ == "poss" for m in self.resolve(c, obj_cls)]
            owned += [m for p in ("of", "in") for t in prep_objects(n, p) for m in self.resolve(t, obj_cls)]
            if not owned:
                continue
            holders = [m for c in n.children if c.dep_ == "appos" for m in self.resolve(c, subj_cls)]
            if n.dep_ in ("attr", "oprd"):
                holders += [m for s in grammatical_subjects(n.head) for m in self.resolve(s, subj_cls)]
            elif n.dep_ == "nsubj" and n.head.lemma_.lower() == "be":
                holders += [m for a in n.head.children if a.dep_ == "attr" for m in self.resolve(a, subj_cls)]
            elif n.dep_ == "appos":
                holders += self.resolve(n.head, subj_cls)
            self.emit("investsIn", holders, owned, "share:shareholder", 0.75, modality_of(n))

    def _venture_names(self, n, obj_cls: set[str]) -> list:
        """What a venture noun names: "X is a venture", "X, a venture", "X was formed as a venture",
        "the X joint venture"."""
        named = [m for c in n.children if c.dep_ == "compound" and c.i < n.i
                 for m in self.resolve(c, obj_cls)]
        if named:
            return named
        if n.dep_ in ("attr", "oprd"):
            return [m for s in grammatical_subjects(n.head) for m in self.resolve(s, obj_cls)]
        if n.dep_ == "appos":
            return self.resolve(n.head, obj_cls)
        if n.dep_ == "pobj" and n.head.lower_ == "as" and n.head.head.pos_ in ("VERB", "AUX"):
            return [m for s in grammatical_subjects(n.head.head) for m in self.resolve(s, obj_cls)]
        return []

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
