"""Active, passive and inverse verbs: "X produces Y", "Y is produced by X", "members include A, B"."""
from __future__ import annotations


from spacy.tokens import Token

from ...modality import modality_of
from .base import (PERCENT_WORDS, RELATIVE, _verb_as_noun, grammatical_subjects, is_passive, prep_objects, Trigger)


class VerbRules:
    """Mixin of :class:`~kg.extract.rules.SentenceExtractor`."""

    def verb_frame(self, v: Token, trig: Trigger) -> None:
        kids = list(v.children)
        if trig.extra:
            words = {c.lower_ for c in kids if c.dep_ in ("dobj", "prt", "advmod", "acomp", "npadvmod")}
            if not set(trig.extra) <= words:
                return
        if trig.prop == "supplies" and trig.head == "sell" and self.sold_assets(v)[1]:
            return  # "sold the mine to B" is an investment by B (see asset_sales), not trade
        passive = is_passive(v)
        obj_role, subj_role = ("s", "o") if trig.inverse else ("o", "s")
        subj_cls = self.classes(trig.prop, subj_role)
        obj_cls = self.classes(trig.prop, obj_role)
        allow_open = "Product" in obj_cls and trig.prop == "usedIn"
        if passive:
            agent_toks = prep_objects(v, "by")
            patient_toks = [c for c in kids if c.dep_ == "nsubjpass"]
            if not patient_toks:
                patient_toks = grammatical_subjects(v)
            if v.dep_ == "acl" and patient_toks and self.ctx.ent_at.get(patient_toks[0].i) is not None:
                # "the Greenbushes mine, in Western Australia, owned by Talison": the participle
                # describes the site, not the place that locates it
                place = self.ctx.ent_at[patient_toks[0].i]
                site = self.ctx.ent_at.get(place.start - 3) or self.ctx.ent_at.get(place.start - 2)
                if self.onto.is_a(place.label_, "Place") and site is not None and self.onto.is_a(site.label_, "Facility"):
                    patient_toks = [site.root]
            if patient_toks and patient_toks[0].lower_ in RELATIVE and v.dep_ == "relcl":
                patient_toks = [v.head]
            if trig.prop == "leaderOf" and trig.head == "lead":
                # "lithium mining is led by Australia": the leader of a mineral's production dominates it
                patient = patient_toks[0] if patient_toks else None
                if patient is not None and patient.lemma_.lower() in ("mining", "production", "output", "refining",
                                                                      "processing", "supply", "market"):
                    minerals = [m for c in patient.children if c.dep_ in ("compound", "amod", "nmod")
                                for m in [self.ctx.ent_mention(c)] if m is not None and m.cls == "Mineral"]
                    leaders = [m for t in agent_toks for m in self.resolve(t, self.classes("dominates", "s"))]
                    prop = "processes" if patient.lemma_.lower() in ("refining", "processing") else "produces"
                    self.emit("dominates", leaders, minerals, "verb-passive:lead (market)", 0.7, modality_of(v))
                    self.emit(prop, leaders, minerals, "verb-passive:lead (market)", 0.7, modality_of(v))
                    return
            if trig.prop == "supplies" and trig.prep == "to":
                # "most of the ore is shipped to China": the destination imports the goods
                goods = [m for t in patient_toks for g in self._unwrap(t)
                         for m in self.resolve(g, self.classes("imports", "o"))]
                buyers = [m for t in prep_objects(v, "to") for m in self.resolve(t, self.classes("imports", "s"))]
                self.emit("imports", buyers, goods, f"verb-passive:{trig.head} to", 0.65, modality_of(v))
                sellers = [m for t in prep_objects(v, "from") for m in self.resolve(t, self.classes("exports", "s"))]
                self.emit("exports", sellers, goods, f"verb-passive:{trig.head} from", 0.65, modality_of(v))
                self.emit("supplies", sellers, buyers, f"verb-passive:{trig.head} from", 0.65, modality_of(v))
                return
            if trig.prep:
                if trig.prep == "by":
                    return
                obj_toks = prep_objects(v, trig.prep)
                # "X is composed of A and B" / "India was inducted into the MSP"
                if trig.inverse:
                    subj_toks, obj_toks2 = patient_toks, obj_toks
                    subjects = [m for t in subj_toks for m in self.resolve(t, obj_cls)]
                    objects = [m for t in obj_toks2 for m in self.resolve(t, subj_cls, allow_open) + self.colon_list(t)]
                    self.emit(trig.prop, objects, subjects, f"verb-passive:{trig.head} {trig.prep}", 0.75, modality_of(v))
                else:
                    subjects = [m for t in patient_toks for m in self.resolve(t, subj_cls)]
                    objects = [m for t in obj_toks for m in self.resolve(t, obj_cls, allow_open)]
                    self.emit(trig.prop, subjects, objects, f"verb-passive:{trig.head} {trig.prep}", 0.75, modality_of(v))
                return
            shares = PERCENT_WORDS | {"majority", "minority", "partly", "jointly"}
            if trig.prop == "operates" and any(c.lower_ in shares or c.lemma_.lower() in shares
                                               for c in kids if c.dep_ in ("npadvmod", "advmod")):
                return  # "owned 45% by A", "majority owned by B": shares (an investment), see ownership_shares
            subjects = [m for t in agent_toks for m in self.resolve(t, subj_cls)]
            objects = [m for t in patient_toks for m in self.resolve(t, obj_cls, allow_open)]
            if not agent_toks and trig.prop in ("produces", "processes") and not trig.inverse:
                # "the ore that is mined in Tajikistan and Russia": the place does it;
                # "lithium is mined at the Greenbushes mine": so does the site
                subjects = [m for t in prep_objects(v, "in") for m in self.resolve(t, {"Country", "Region"})
                            if self.onto.is_a(m.cls, "Place")]
                subjects += [m for t in prep_objects(v, "at") for m in self.resolve(t, {"Facility"})
                             if self.onto.is_a(m.cls, "Facility")]
                self.emit(trig.prop, subjects, objects, f"verb-passive:{trig.head} in", 0.7, modality_of(v))
                return
            if trig.inverse:
                subjects = [m for t in agent_toks for m in self.resolve(t, obj_cls)]
                objects = [m for t in patient_toks for m in self.resolve(t, subj_cls, allow_open)]
                self.emit(trig.prop, objects, subjects, f"verb-passive:{trig.head}", 0.75, modality_of(v))
                return
            self.emit(trig.prop, subjects, objects, f"verb-passive:{trig.head}", 0.8, modality_of(v))
            return
        subj_toks = grammatical_subjects(v)
        if trig.prep:
            obj_toks = prep_objects(v, trig.prep)
            for d in kids:
                if d.dep_ == "dobj" and not obj_toks:
                    obj_toks = prep_objects(d, trig.prep)
        else:
            obj_toks = [c for c in kids if c.dep_ in ("dobj", "attr")]
            if not obj_toks and _verb_as_noun(v):
                obj_toks = [c for c in kids if c.dep_ == "appos" and c.i > v.i]
            if trig.prop == "investsIn":
                # "the Pentagon awarded it grants": the recipient
                dative = [c for c in kids if c.dep_ == "dative"]
                obj_toks = dative or obj_toks
            # "X relies on Y": an intransitive use with a particle-like prep
        if v.dep_ == "relcl" and not obj_toks and not trig.prep:
            # "the critical minerals it needs": the head noun is the object
            subj_in = [c for c in kids if c.dep_ == "nsubj"]
            if subj_in:
                obj_toks = [v.head]
        if trig.inverse and trig.head in ("include", "comprise") and any(
                t.lower_ in ("these", "they", "those") for t in subj_toks):
            self.spell_out(v, obj_toks)
            return
        if trig.inverse:
            subjects = [m for t in subj_toks for m in self.resolve(t, obj_cls)]
            objects = [m for t in obj_toks for m in self.resolve(t, subj_cls, allow_open) + self.colon_list(t)]
            # "MSP partners include A, B": the members' organisation is the modifier of "partners"
            if not subjects:
                for t in subj_toks:
                    if t.lemma_.lower() in ("member", "partner", "participant", "signatory"):
                        subjects = [m for c in t.children if c.dep_ in ("compound", "poss")
                                    for m in self.resolve(c, obj_cls)]
                        subjects += [m for o in prep_objects(t, "of") for m in self.resolve(o, obj_cls)]
            self.emit(trig.prop, objects, subjects, f"verb-inverse:{trig.head}", 0.7, modality_of(v))
            return
        subjects = [m for t in subj_toks for m in self.resolve(t, subj_cls)]
        objects = [m for t in obj_toks for m in self.resolve(t, obj_cls, allow_open)]
        if trig.prop in ("produces", "processes") and objects:
            # "Finland produces cobalt at the Sotkamo mine": the site does it; a country hosts it, a company runs it
            sites = [m for t in prep_objects(v, "at") + [p for o in obj_toks for p in prep_objects(o, "at")]
                     for m in self.resolve(t, {"Facility"}) if self.onto.is_a(m.cls, "Facility")]
            if sites:
                mod = modality_of(v)
                self.emit(trig.prop, sites, objects, f"verb:{trig.head} at", 0.7, mod)
                self.emit("locatedIn", sites, [s for s in subjects if self.onto.is_a(s.cls, "Place")],
                          f"verb:{trig.head} at (host)", 0.6, mod)
                self.emit("operates", [s for s in subjects if self.onto.is_a(s.cls, "Company")], sites,
                          f"verb:{trig.head} at (operator)", 0.6, mod)
        if trig.prop in ("supplies", "exports") and trig.head in ("supply", "provide") and subjects and not trig.prep:
            # "South Africa provides 71 percent of the EU's platinum", "... of the boron consumed in the EU"
            goods_toks = [g for t in obj_toks for g in self._unwrap(t)]
            goods = [m for g in goods_toks for m in self.resolve(g, self.classes("exports", "o"))]
            customers = [m for g in goods_toks for c in g.children if c.dep_ == "poss"
                         for m in self.resolve(c, self.classes("supplies", "o"))]
            customers += [m for g in goods_toks for a in g.children if a.dep_ == "acl"
                          for p in prep_objects(a, "in") for m in self.resolve(p, self.classes("supplies", "o"))
                          if a.lemma_.lower() in ("consume", "use", "import", "sell")]
            if customers and goods:
                self.emit("supplies", subjects, customers, f"verb:{trig.head} (customer)", 0.7, modality_of(v))
                self.emit("imports", customers, goods, f"verb:{trig.head} (customer)", 0.65, modality_of(v))
        if trig.prop == "imports" and subjects:
            # "B imports M from A": A supplies B
            sources = [p for t in [v, *obj_toks] for x in t.subtree if x.dep_ == "prep" and x.lower_ == "from"
                       and x.head in (v, *obj_toks, *[y for o in obj_toks for y in o.subtree])
                       for p in x.children if p.dep_ == "pobj"]
            suppliers = [m for t in dict.fromkeys(sources) for m in self.resolve(t, self.classes("supplies", "s"))]
            # "B buys Chinese antimony": China supplies B and exports it
            origins = [m for t in obj_toks for c in t.children if c.dep_ in ("amod", "compound") and c.i < t.i
                       for m in [self.ctx.ent_mention(c)] if m is not None and self.onto.is_a(m.cls, "Country")]
            self.emit("supplies", suppliers + origins, subjects, f"verb:{trig.head} from", 0.7, modality_of(v))
            self.emit("exports", origins, objects, f"verb:{trig.head} (origin)", 0.65, modality_of(v))
        if trig.prep and trig.prep != "with" and trig.head in ("meet", "gather", "join"):
            # "X met with Y at E": both took part
            subjects += [m for t in prep_objects(v, "with") for m in self.resolve(t, subj_cls)]
        if trig.prop == "usedIn" and not objects:
            # "used to manufacture X", "essential to produce X"
            for x in kids:
                if x.dep_ in ("xcomp", "advcl") and x.pos_ == "VERB":
                    objects += [m for d in x.children if d.dep_ == "dobj" for m in self.resolve(d, obj_cls, True)]
        mod = modality_of(v)
        if any(c.dep_ == "det" and c.lower_ == "no" for t in obj_toks for c in t.children):
            mod = "negated"  # "Japan produces no lithium"
        spec = self.onto.properties[trig.prop]
        if spec.symmetric and not objects and len(subjects) >= 2:
            # "Japan and Australia agreed to cooperate": the coordinated subjects partner
            for i, a in enumerate(subjects):
                self.emit(trig.prop, [a], subjects[i + 1:], f"verb:{trig.head} (joint)", 0.75, mod)
            return
        self.emit(trig.prop, subjects, objects, f"verb:{trig.head}{' ' + trig.prep if trig.prep else ''}", 0.8, mod)

    def surface_verbs(self) -> None:
        """ "Finland refines cobalt", "Guinea ships bauxite": short clauses the parser gets wrong (the verb
        read as a noun, the object as the root) are read off the word order: name, verb, name."""
        doc = self.ctx.doc
        for t in self.sent:
            if t.i == 0 or t.pos_ == "AUX" or not t.lower_.endswith("s") or t.text[:1].isupper():
                continue
            if t.pos_ == "VERB" and any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children):
                continue  # parsed as a verb with its subject: the frames read it
            left = self.ctx.ent_at.get(t.i - 1)
            if left is None or left.end != t.i:
                continue
            j = t.i + 1
            while j < self.sent.end and doc[j].pos_ in ("DET", "ADJ", "NUM", "ADV") and doc[j].ent_type_ == "":
                j += 1
            right = self.ctx.ent_at.get(j)
            if right is None or right.start != j:
                continue
            for trig in self.ctx.triggers.verbs.get(t.lemma_.lower(), []):
                if trig.prep or trig.extra or trig.inverse:
                    continue
                self.emit(trig.prop, [self.ctx.mention(left)], [self.ctx.mention(right)], f"surface:{trig.head}",
                          0.6, "asserted")
