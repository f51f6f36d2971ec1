"""Modality of a statement: asserted, hedged, planned or negated.

The cues are English grammar, not domain vocabulary: modal verbs, negation,
verbs of intention governing the trigger ("aim to", "plans to"), and
adjectives on a relational noun ("upcoming visit", "potential deal").
A counterfactual ("would have taken a stake") did not happen and counts
as negated.

Examples
--------
>>> from kg.pipeline import load_pipeline
>>> nlp = load_pipeline()
>>> doc = nlp("Japan does not export copper.")
>>> modality_of(doc[3])
'negated'
>>> modality_of(nlp("Peru will export zinc.")[2])
'planned'
>>> modality_of(nlp("Peru could export zinc.")[2])
'hedged'
"""
from __future__ import annotations

from spacy.tokens import Token

STOP_VERBS = {"ban", "halt", "suspend", "stop", "prohibit", "forbid", "end", "cancel", "scrap", "abandon"}
CONTRAST = {"but", "yet", "while", "whereas", "although", "though"}
NEGATIONS = {"not", "n't", "never", "no", "neither", "nor", "without"}
PLANNED_AUX = {"will", "shall", "'ll", "wo"}
HEDGED_AUX = {"could", "may", "might", "can", "would", "should", "must", "ca"}
PLAN_VERBS = {"aim", "plan", "seek", "intend", "expect", "propose", "hope", "want", "prepare", "set", "schedule",
              "look", "agree", "pledge", "promise", "commit", "vow", "move", "position", "go", "try", "attempt"}
HEDGE_VERBS = {"consider", "explore", "discuss", "study", "weigh", "mull", "eye", "claim", "allege", "rumour", "rumor"}
HEDGE_ADVERBS = {"potentially", "possibly", "perhaps", "maybe", "likely", "reportedly", "allegedly", "probably"}
PLANNED_ADJ = {"upcoming", "planned", "proposed", "future", "impending", "forthcoming", "scheduled", "prospective"}
HEDGED_ADJ = {"potential", "possible", "likely", "rumoured", "rumored", "reported"}


def _governors(tok: Token, depth: int = 4):
    """The token and the verbs and predicates that govern it within its clause."""
    t = tok
    yield t
    for _ in range(depth):
        if t.dep_ in ("xcomp", "acomp", "attr", "oprd", "conj", "pobj", "prep", "dobj", "ccomp") and t.head is not t:
            t = t.head
            yield t
        else:
            return


def modality_of(tok: Token) -> str:
    """The modality of the statement that trigger ``tok`` makes."""
    negated = hedged = planned = False
    contrast = False  # climbed out of "..., but <verb>": the head's negation is not ours
    own_aux = False
    for i, g in enumerate(_governors(tok)):
        kids = list(g.children)
        if i == 0 or g.pos_ not in ("VERB", "AUX"):
            own_aux = own_aux or any(c.dep_ in ("aux", "auxpass") for c in kids if c.lower_ != "to")
        if g.dep_ == "conj" and g.pos_ in ("VERB", "AUX") and g.head is not g:
            ccs = [c.lower_ for c in g.head.children if c.dep_ == "cc" and c.i < g.i]
            contrast = contrast or bool(set(ccs) & CONTRAST)
        if i > 0 and g.pos_ in ("VERB", "AUX") and (contrast or own_aux) and tok.dep_ != "xcomp":
            # a verb we reached through coordination: take only its intention, not its negation
            # or modals when ours differ ("does not export copper but produces zinc")
            if g.lemma_.lower() in PLAN_VERBS:
                planned = True
            elif g.lemma_.lower() in HEDGE_VERBS:
                hedged = True
            if g.dep_ not in ("xcomp", "conj"):
                break
            continue
        auxes = [c.lower_ for c in kids if c.dep_ in ("aux", "auxpass")]
        if any(c.dep_ == "neg" or (c.lower_ in NEGATIONS and c.dep_ in ("det", "advmod")) for c in kids):
            negated = True
        if "would" in auxes and "have" in auxes:
            negated = True  # counterfactual
        if set(auxes) & PLANNED_AUX:
            planned = True
        elif set(auxes) & HEDGED_AUX:
            hedged = True
        if any(c.dep_ == "advmod" and c.lower_ in HEDGE_ADVERBS for c in kids):
            hedged = True
        if i > 0 and g.pos_ == "VERB":
            if g.lemma_.lower() in STOP_VERBS and tok.pos_ in ("NOUN", "PROPN") and tok.dep_ in ("dobj", "nsubjpass"):
                negated = True  # "banned exports of nickel ore": no export
            if g.lemma_.lower() in PLAN_VERBS:
                planned = True
            elif g.lemma_.lower() in HEDGE_VERBS:
                hedged = True
        if g.pos_ in ("NOUN", "PROPN"):
            mods = {c.lower_ for c in kids if c.dep_ in ("amod", "compound", "nmod")}
            if mods & PLANNED_ADJ:
                planned = True
            if mods & HEDGED_ADJ:
                hedged = True
        if g.pos_ == "VERB" and i > 0 and g.dep_ not in ("xcomp", "conj"):
            break
    if negated:
        return "negated"
    if planned:
        return "planned"
    if hedged:
        return "hedged"
    return "asserted"
