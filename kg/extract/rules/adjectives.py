"""Adjectives and participles: "rich in", "reliant on", "used in", "located in"."""
from __future__ import annotations


from spacy.tokens import Token

from ...modality import modality_of
from .base import (grammatical_subjects, prep_objects, Trigger)


class AdjectiveRules:
    """Mixin of :class:`~kg.extract.rules.SentenceExtractor`."""

    def adj_frame(self, a: Token, trig: Trigger) -> None:
        prop = trig.prop
        subj_cls, obj_cls = self.classes(prop, "s"), self.classes(prop, "o")
        allow_open = prop == "usedIn"
        obj_toks = prep_objects(a, trig.prep) if trig.prep else []
        if trig.prep and not obj_toks and a.dep_ == "acomp":
            obj_toks = prep_objects(a.head, trig.prep)  # "is reliant on X" with "on" on the verb
        objects = [m for t in obj_toks for m in self.resolve(t, obj_cls, allow_open)]
        if prop == "usedIn" and trig.prep == "to" and not objects:
            for x in a.children:
                if x.dep_ in ("xcomp", "advcl") and x.pos_ in ("VERB", "AUX"):
                    objects += [m for d in x.children if d.dep_ == "dobj" for m in self.resolve(d, obj_cls, True)]
        if trig.prep and not obj_toks and not objects:
            return
        if prop == "dependsOn":
            # "reliant on foreign sources for X": the "for" object is what is depended on
            for t in obj_toks:
                for f in prep_objects(t, "for") + prep_objects(a, "for"):
                    objects += self.resolve(f, obj_cls)
        if not objects:
            return
        subjects = [m for s in grammatical_subjects(a) for m in self.resolve(s, subj_cls)]
        if trig.inverse:
            subjects, objects = objects, subjects
        rule = f"adj:{trig.head}{' ' + trig.prep if trig.prep else ''}"
        self.emit(prop, subjects, objects, rule, 0.8, modality_of(a))
        if prop == "dependsOn":
            # reliance on imports or foreign sources means importing
            src = {t.lemma_.lower() for t in obj_toks} | {c.lower_ for t in obj_toks for c in t.children}
            if src & {"import", "imports", "imported", "foreign", "overseas"}:
                goods = [m for t in obj_toks for f in prep_objects(t, "for") + prep_objects(a, "for") + (
                    prep_objects(t, "of") if t.lemma_.lower() == "import" else [t])
                         for m in self.resolve(f, self.classes("imports", "o"))]
                self.emit("imports", subjects, goods, rule + " (foreign sources)", 0.7, modality_of(a))

    # -- titles: "Prime Minister X", "Department of Energy Secretary X" ----------------
