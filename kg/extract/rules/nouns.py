"""Relational nouns: "X's production of Y", "a cobalt producer", "partnership between X and Y"."""
from __future__ import annotations


from spacy.tokens import Token

from ...modality import modality_of
from ..mentions import Mention
from .base import (EXAMPLE_PREPS, FOCUS_ADVERBS, LIGHT_VERBS, ORDINALS, SUPERLATIVE, SUPPLIER_NOUNS, WORLD,
                   WRAPPERS, conjuncts, grammatical_subjects, noun_extra_ok, prep_objects, Trigger)


class NounRules:
    """Mixin of :class:`~kg.extract.rules.SentenceExtractor`."""

    def noun_frame(self, n: Token, trig: Trigger) -> None:
        if not noun_extra_ok(n, trig):
            return
        prop = trig.prop
        subj_cls, obj_cls = self.classes(prop, "s"), self.classes(prop, "o")
        allow_open = prop == "usedIn"
        spec = self.onto.properties[prop]
        rule = f"noun:{' '.join((*trig.extra, trig.head))}{' ' + trig.prep if trig.prep else ''}"
        objects: list[Mention] = []
        used_mods: set[int] = set()
        if trig.prep == "between" or (spec.symmetric and trig.prep is None):
            pair_toks = prep_objects(n, "between") or prep_objects(n, "among")
            pair = [m for t in pair_toks for m in self.resolve(t, subj_cls)]
            if len(pair) >= 2:
                for i, a in enumerate(pair):
                    self.emit(prop, [a], pair[i + 1:], rule.replace(" between", "") + " between", 0.8, modality_of(n))
                return
            if trig.prep == "between":
                return
        if trig.prep:
            obj_toks = prep_objects(n, trig.prep)
            if not obj_toks and trig.prep == "in":
                # "a joint venture in which X holds a 40% stake": the venture
                v = n.head
                while v.dep_ not in ("relcl", "ROOT") and v.head is not v:
                    v = v.head
                if v.dep_ == "relcl" and any(p.lower_ == "in" and any(w.lower_ == "which" for w in p.children)
                                             for p in v.children):
                    obj_toks = [v.head]
            if not obj_toks:
                # "an industrial park hosting nickel industries in Morowali": one step through a participle
                for c in n.children:
                    if c.dep_ == "acl":
                        obj_toks = prep_objects(c, trig.prep) or [
                            p for d in c.children if d.dep_ == "dobj" for p in prep_objects(d, trig.prep)]
                        if obj_toks:
                            break
            if not obj_toks and trig.prep != "of":
                # "the largest source of minerals for the United States": the PP hangs on the "of" object
                obj_toks = [p for o in prep_objects(n, "of") for p in prep_objects(o, trig.prep)]
            if not obj_toks and n.dep_ == "pobj" and n.head.lower_ == "in" and (
                    n.head.head.like_num or n.head.head.lemma_.lower() in ("million", "billion", "$")):
                # "$150 million in grant funding for Syrah": the PP hangs on the sum or its verb
                money = n.head.head
                obj_toks = prep_objects(money, trig.prep) or prep_objects(money.head, trig.prep)
            objects = [m for t in obj_toks for m in self.resolve(t, obj_cls, allow_open)]
            if not obj_toks and trig.prep not in ("of", "in", "on", "for", "to", "at"):
                return  # (with these, "a copper producer" may name the object as a modifier below)
        if not objects and prop != "leaderOf" and trig.prep in (None, "of", "on", "in", "for", "to", "at") \
                and not prep_objects(n, trig.prep or "-"):
            for c in n.children:
                if c.dep_ in ("compound", "amod", "nmod") and c.i < n.i:
                    for t in conjuncts(c):
                        m = self.ctx.ent_mention(t)
                        if m is not None and any(self.onto.is_a(m.cls, k) for k in obj_cls):
                            objects.append(m)
                            used_mods.add(t.i)
        if not objects and trig.prep is None and n.dep_ in ("compound", "nmod", "amod"):
            # "a rare-earths mining company": the object modifies the same head as the trigger
            for c in n.head.children:
                if c.dep_ in ("compound", "amod", "nmod") and c.i < n.i:
                    m = self.ctx.ent_mention(c)
                    if m is not None and any(self.onto.is_a(m.cls, k) for k in obj_cls):
                        objects.append(m)
                        used_mods.add(c.i)
        if objects and n.dep_ in ("attr", "dobj"):
            # "X is the largest source of minerals, particularly for resources like A and B"
            for c in n.head.children:
                if c.dep_ == "prep" and any(a.lower_ in FOCUS_ADVERBS for a in c.children):
                    objects += [m for p in c.children if p.dep_ == "pobj"
                                for m in self.resolve(p, obj_cls) if any(self.onto.is_a(m.cls, k) for k in obj_cls)]
        if prop == "investsIn" and n.dep_ == "dobj" and n.head.lemma_.lower() in ("receive", "secure", "win", "obtain", "get"):
            # "Perpetua received financing from the Export-Import Bank": the recipient is the object
            investors = [m for t in prep_objects(n, "from") + prep_objects(n.head, "from") for m in self.resolve(t, subj_cls)]
            recipients = [m for s in grammatical_subjects(n.head) for m in self.resolve(s, obj_cls)]
            self.emit(prop, investors, recipients, rule + " (received)", 0.7, modality_of(n))
            return
        if not objects and not spec.symmetric:
            return
        customers = [m for c in n.children if c.dep_ == "poss" for m in self.resolve(c, self.classes("supplies", "o"))]
        if n.lemma_.lower() in SUPPLIER_NOUNS and n.dep_ in ("attr", "appos") and customers:
            # "Chile is the Union's largest source of lithium": the possessor is the customer
            if n.dep_ == "attr":
                suppliers = [m for s2 in grammatical_subjects(n.head) for m in self.resolve(s2, self.classes("supplies", "s"))]
            else:
                suppliers = self.resolve(n.head, self.classes("supplies", "s"))
            goods = [m for t in prep_objects(n, "of") for m in self.resolve(t, self.classes("exports", "o"))]
            mod = modality_of(n)
            self.emit("supplies", suppliers, customers, rule + " (customer)", 0.7, mod)
            self.emit("exports", suppliers, goods, rule + " (customer)", 0.7, mod)
            self.emit("imports", customers, goods, rule + " (customer)", 0.65, mod)
            return
        # "its site in X", "Lynas has a plant in Malaysia": the owner of a site is not located there
        subjects = self.noun_subjects(n, subj_cls, used_mods, trig.prep, identity_only=(prop == "locatedIn"))
        if trig.inverse:
            subjects, objects = objects, subjects
        conf = 0.75 if trig.prep else 0.65
        mod = modality_of(n)
        self.emit(prop, subjects, objects, rule, conf, mod)
        if spec.symmetric and len(subjects) >= 2 and not objects:
            for i, a in enumerate(subjects):
                self.emit(prop, [a], subjects[i + 1:], rule + " (joint)", 0.7, mod)
        if prop == "dependsOn":
            # "dependence on China for rare earths"; "reliance on imports of lithium" also means importing
            extra = [m for t in prep_objects(n, trig.prep or "on") for f in prep_objects(t, "for") + prep_objects(n, "for")
                     for m in self.resolve(f, obj_cls)]
            self.emit(prop, subjects, extra, rule + " for", conf, mod)
            on_imports = [t for t in prep_objects(n, trig.prep or "on") if t.lemma_.lower() in ("import", "imports")]
            goods = [m for t in on_imports for m in self.resolve(t, self.classes("imports", "o"))]
            self.emit("imports", subjects, goods, rule + " (imports)", conf * 0.9, mod)
        if prop == "exports":
            # "the largest source of minerals for the United States": the customer imports them
            customers = [m for p in ("for", "to") for t in prep_objects(n, p) + [
                x for o in prep_objects(n, "of") for x in prep_objects(o, p)]
                for m in self.resolve(t, self.classes("imports", "s"))]
            self.emit("imports", customers, [o for o in objects if o.via != "open"], rule + " (customer)",
                      conf * 0.8, mod)
        # "the world's top nickel producer": also dominates
        if prop in ("produces", "processes") and self._world_leader(n):
            self.emit("dominates", subjects, objects, rule + " (world leader)", 0.7, mod)
        # "a visit to Peru for the APEC summit": the event is in the place visited
        if prop == "visits":
            events = [m for t in prep_objects(n, "for") for m in self.resolve(t, {"Event"})]
            self.emit("locatedIn", events, objects, "noun:visit to/for (event place)", 0.6, mod)

    def _world_leader(self, n: Token) -> bool:
        if n.tag_ in ("NNS", "NNPS"):
            return False  # "one of the largest producers in the world" is one of several
        mods = {c.lower_ for c in n.children if c.dep_ in ("amod", "advmod", "compound")}
        if not mods & SUPERLATIVE:
            return False
        if any(c.lower_ in WORLD for c in n.subtree):
            return not any(c.lower_ in ORDINALS for c in n.subtree)
        return False

    def noun_subjects(self, n: Token, subj_cls: set[str], used: set[int], trig_prep: str | None = None,
                      identity_only: bool = False) -> list[Mention]:
        """Who a relational noun is about: "Peru's production", "Chilean exports",
        "X is the top producer", "X, a major producer", "X has the largest reserves".

        With ``identity_only`` only "X is a N" and "X, a N" count (not possessors or "X has a N")."""
        out: list[Mention] = []
        if identity_only:
            t = n
            while t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.lower_ in WRAPPERS:
                t = t.head.head
            if t.dep_ in ("attr", "oprd"):
                return [m for s in grammatical_subjects(t.head) for m in self.resolve(s, subj_cls)]
            if t.dep_ == "appos":
                return self.resolve(t.head, subj_cls)
            return []
        for c in n.children:
            if c.dep_ == "poss":
                out.extend(self.resolve(c, subj_cls))
        if not out:
            # "imports by the United States", "graphite imports for the United States"
            for prep in ("by", "for"):
                if trig_prep != prep:
                    out.extend(m for t in prep_objects(n, prep) for m in self.resolve(t, subj_cls)
                               if self.onto.is_a(m.cls, "Country") or self.onto.is_a(m.cls, "Organisation"))
        for c in n.children:
            if c.dep_ in ("compound", "amod", "nmod") and c.i < n.i and c.i not in used:
                m = self.ctx.ent_mention(c)
                if m is not None and any(self.onto.is_a(m.cls, k) for k in subj_cls):
                    out.append(m)
        if out:
            return out
        # climb: "one of the largest producers", compound heads, predicate nouns, appositions
        t = n
        for _ in range(5):
            if t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.lower_ == "of" and t.head.head.lower_ in WRAPPERS:
                t = t.head.head
                continue
            if t.dep_ in ("pobj", "dobj") and t.head.lower_ in EXAMPLE_PREPS and t.head.head is not t.head:
                t = t.head.head  # "clusters, including aluminum production": the general noun
                continue
            if t.dep_ == "conj" and t.head.pos_ in ("NOUN", "PROPN"):
                t = t.head  # "aluminum production and coke processing"
                continue
            if t.dep_ == "appos" and self.ctx.ent_mention(t.head) is None and t.head.pos_ == "NOUN":
                t = t.head  # "two operations: a plant at X": what the general noun is said of
                continue
            if t.dep_ == "pobj" and t.head.lower_ == "in" and (t.head.head.like_num or t.head.head.lemma_.lower() in (
                    "million", "billion", "trillion", "$", "dollar", "euro")):
                t = t.head.head  # "$150 million in grant funding": the sum
                continue
            if t.dep_ in ("compound", "nmod") and t.head.pos_ in ("NOUN", "PROPN"):
                t = t.head
                for c in t.children:
                    if c.dep_ == "poss":
                        out.extend(self.resolve(c, subj_cls))
                if out:
                    return out
                continue
            break
        if t.dep_ in ("attr", "acomp", "oprd"):
            return [m for s in grammatical_subjects(t.head) for m in self.resolve(s, subj_cls)]
        if t.dep_ == "appos":
            return self.resolve(t.head, subj_cls)
        if t.dep_ in ("dobj", "conj") and t.head.pos_ in ("VERB", "AUX") and t.head.lemma_.lower() in LIGHT_VERBS:
            return [m for s in grammatical_subjects(t.head) for m in self.resolve(s, subj_cls)]
        if t.dep_ == "dobj" and t.head.pos_ == "VERB":
            # "X executed a memorandum", "X signed an agreement with Y"
            return [m for s in grammatical_subjects(t.head) for m in self.resolve(s, subj_cls)]
        if t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.head.pos_ in ("VERB", "AUX") \
                and t.head.head.lemma_.lower() in LIGHT_VERBS:
            return [m for s in grammatical_subjects(t.head.head) for m in self.resolve(s, subj_cls)]
        if identity_only is False and t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.head.pos_ == "VERB" \
                and self.onto.properties.get("attends") and subj_cls == set(self.onto.properties["attends"].domain):
            # "the ministers met on the sidelines of the summit": whoever does the meeting attends
            return [m for s in grammatical_subjects(t.head.head) for m in self.resolve(s, subj_cls)]
        if t.dep_ in ("nsubj",) and t.head.lemma_.lower() == "be":
            attrs = [c for c in t.head.children if c.dep_ == "attr"]
            return [m for a in attrs for m in self.resolve(a, subj_cls)]
        return []
