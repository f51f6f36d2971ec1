"""Relation extraction from dependency parses, driven by the ontology's triggers.

For every sentence of a parsed document, :func:`sentence_candidates` finds
trigger words (verbs, nouns, adjectives and titles named in
``ontologies/kg.ttl``), reads their arguments off the dependency tree and
returns candidate facts between entity mentions. Rule families:

``verb``      X produces Y, Y is produced by X, the minerals it needs
``noun``      X's production of Y, a Y producer, partnership between X and Y
``adj``       X, rich in Y; X is reliant on Y; Y used in Z
``title``     Prime Minister X, Department of Energy Secretary X
``chain``     Mount Weld, Western Australia; Kuantan, Malaysia
``list``      members include A, B and C

Arguments pass through coordination ("copper and zinc"), examples
("minerals like copper"), wrappers ("one of the largest producers",
"percent of the world's gallium") and simple reference ("the company",
"it", "the two countries"). Every candidate is checked against the domain
and range of its property; rejected candidates are kept, with the reason,
for ``--explain``.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from .modality import modality_of
from .ontology import Ontology

PREPOSITIONS = {"in", "on", "of", "with", "to", "for", "from", "at", "between", "into", "over", "by",
                "about", "among", "within", "across", "under", "through"}
# nouns that only point at their "of" complement: "one of the producers", "percent of gallium"
WRAPPERS = {"one", "some", "many", "most", "all", "each", "part", "percent", "%", "share", "tons", "tonnes",
            "ton", "tonne", "pounds", "kilograms", "amount", "amounts", "quantity", "quantities", "volume",
            "volumes", "half", "third", "quarter", "majority", "bulk", "lot", "lots", "range", "variety",
            "number", "production", "manufacture", "manufacturing", "development", "deployment", "use",
            "supply", "supplies", "west", "east", "north", "south", "heart", "province", "region", "state",
            "city", "district", "town", "governments", "government", "kind", "type", "types", "form",
            "forms", "stocks", "stock", "output", "content", "mt", "metric", "sources", "source", "field",
            "processing", "refining", "mining", "extraction", "imports", "exports", "shipments", "purchases",
            "expansion", "construction", "operation", "operations"}
# heads that stand for their modifiers: "the critical minerals market", "TFM operations"
GENERIC_HEADS = {"market", "markets", "sector", "sectors", "industry", "industries", "supply", "supplies",
                 "chain", "chains", "trade", "operations", "operation", "production", "output", "resources",
                 "resource", "imports", "exports", "reserves", "deposits", "mining", "sources", "source",
                 "materials", "material", "products", "product", "concentrate", "content", "ore", "ores",
                 "applications", "uses", "needs", "capacity", "capabilities", "stockpile", "stocks",
                 "price", "prices", "demand", "commodities", "minerals", "mineral"}
EXAMPLE_PREPS = {"like", "including", "especially", "particularly", "notably"}
OPEN_STOP = {"numerous", "many", "several", "various", "other", "such", "key", "major", "significant", "vital",
             "new", "current", "certain", "important", "critical", "essential", "more", "most", "same",
             "different", "commercial", "own", "our", "their", "its", "main", "primary", "total", "global",
             "which", "what", "whose", "all", "both", "each", "every", "this", "that", "these", "those",
             "a", "an", "the", "some", "any", "no", "further", "future", "wide", "broad"}
QUANTIFIERS = {"many", "several", "various", "numerous", "other", "some", "most", "all", "few", "these", "those"}
DASHES = {"—", "–", "-", "--"}
SUPPLIER_NOUNS = {"source", "supplier", "provider"}
MAJORITY_WORDS = {"half", "majority", "most", "bulk", "two-thirds", "three-quarters"}
DELEGATES = {"delegation", "delegate", "official", "representative", "minister", "envoy", "leader"}
PLACE_NOUNS = {"port", "province", "city", "capital", "state", "region", "town", "island", "islands", "district",
               "county", "prefecture", "territory", "village"}
SHARE_VERBS = {"hold", "own", "control", "acquire", "buy", "take", "purchase", "retain", "keep"}
FOCUS_ADVERBS = {"particularly", "especially", "notably", "mainly", "mostly", "chiefly", "primarily"}
PRONOUNS = {"it", "its", "itself", "which", "who", "that", "whose"}
RELATIVE = {"which", "who", "that", "whom", "whose"}
LIGHT_VERBS = {"have", "hold", "own", "contain", "feature", "include", "comprise", "host", "house", "boast",
               "be", "become", "remain", "account", "represent", "operate", "run", "possess", "control"}
SUPERLATIVE = {"top", "largest", "leading", "biggest", "dominant", "main", "greatest", "foremost", "chief"}
ORDINALS = {"second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "2nd", "3rd",
            "4th", "5th"}
WORLD = {"world", "global", "worldwide", "globe", "planet"}
COUNTRY_TITLES = {"president", "prime minister", "premier", "chancellor", "king", "queen", "emir", "sultan",
                  "vice president"}


@dataclass(frozen=True)
class Mention:
    """An entity mention: the words as written, its class and where it is."""

    text: str
    cls: str
    start: int
    end: int
    lex: str | None = None  # canonical lexicon label, when the lexicon knows it
    via: str = ""  # "" (an entity span), "ref" (resolved reference), "open" (a noun phrase)


@dataclass(frozen=True)
class RawCandidate:
    subject: Mention
    predicate: str
    object: Mention
    rule: str
    confidence: float
    modality: str


@dataclass(frozen=True)
class Trigger:
    prop: str
    kind: str  # verb | noun | adj
    head: str
    extra: tuple[str, ...]
    prep: str | None
    inverse: bool


@dataclass
class TriggerIndex:
    verbs: dict[str, list[Trigger]] = field(default_factory=dict)
    nouns: dict[str, list[Trigger]] = field(default_factory=dict)
    adjs: dict[str, list[Trigger]] = field(default_factory=dict)
    titles: list[tuple[tuple[str, ...], str]] = field(default_factory=list)

    @classmethod
    def from_ontology(cls, onto: Ontology) -> "TriggerIndex":
        idx = cls()
        for spec in onto.properties.values():
            for kind, inverse, phrases in (
                ("verb", False, spec.verb_triggers), ("verb", True, spec.inverse_verb_triggers),
                ("noun", False, spec.noun_triggers), ("noun", True, spec.inverse_noun_triggers),
                ("adj", False, spec.adj_triggers), ("adj", True, spec.inverse_adj_triggers),
            ):
                for phrase in phrases:
                    words = phrase.lower().split()
                    prep = words[-1] if len(words) > 1 and words[-1] in PREPOSITIONS else None
                    if prep:
                        words = words[:-1]
                    if kind == "verb":
                        head, extra = words[0], tuple(words[1:])
                    else:
                        head, extra = words[-1], tuple(words[:-1])
                    table = {"verb": idx.verbs, "noun": idx.nouns, "adj": idx.adjs}[kind]
                    table.setdefault(head, []).append(Trigger(spec.name, kind, head, extra, prep, inverse))
            for title in spec.title_triggers:
                idx.titles.append((tuple(title.lower().split()), spec.name))
        idx.titles.sort(key=lambda t: -len(t[0]))
        return idx


# ---------------------------------------------------------------- document context
@dataclass
class DocumentMemory:
    """What carries over between the pieces of one long document: acronyms defined so far,
    members of each organisation named so far, and how often each country is named."""

    acronyms: dict[str, Mention] = field(default_factory=dict)
    members: dict[str, list[Mention]] = field(default_factory=dict)
    country_counts: Counter = field(default_factory=Counter)


class DocContext:
    """What the extractor knows about one parsed document (or piece of one) while it reads it."""

    def __init__(self, doc: Doc, onto: Ontology, triggers: TriggerIndex, acronyms: dict[str, Mention] | None = None,
                 memory: DocumentMemory | None = None):
        memory = memory or DocumentMemory()
        if acronyms:
            memory.acronyms.update(acronyms)
        self.doc = doc
        self.onto = onto
        self.triggers = triggers
        self.ent_at: dict[int, Span] = {}
        self.ents = list(doc.ents)  # doc.ents rebuilds its list on every access: read it once
        self.ents_desc = sorted(self.ents, key=lambda e: -e.start)
        self.sent_ents: dict[int, list[Span]] = {}
        for ent in self.ents:
            self.sent_ents.setdefault(doc[ent.start].sent.start, []).append(ent)
            for i in range(ent.start, ent.end):
                self.ent_at[i] = ent
        self.acronyms = memory.acronyms
        self.demonyms = onto.demonyms
        self.capitals = onto.capitals
        self.mineral_words = onto.mineral_words
        self.members = memory.members  # organisation -> members named so far
        # relations with a general noun ("minerals") waiting for a "These include ..." sentence
        self.pending: list[tuple] = []
        self.country_counts = memory.country_counts
        for ent in self.ents:
            if ent.label_ == "Country":
                self.country_counts[self.mention(ent).lex or ent.text] += 1

    # -- mentions ------------------------------------------------------
    def mention(self, ent: Span, via: str = "") -> Mention:
        lex = ent.ent_id_ or None
        text = ent.text
        if not lex and text in self.acronyms:
            long = self.acronyms[text]
            return Mention(text, long.cls, ent.start_char, ent.end_char, long.lex or long.text, via)
        return Mention(text, ent.label_, ent.start_char, ent.end_char, lex, via)

    def ent_mention(self, tok: Token) -> Mention | None:
        ent = self.ent_at.get(tok.i)
        return self.mention(ent) if ent is not None else None

    def previous_mentions(self, before: int, classes: set[str] | None = None, limit_sents: int = 3):
        """Entity mentions before token index ``before``, nearest first (same sentence and a few before)."""
        sent_start = self.doc[before].sent.start if before < len(self.doc) else 0
        first_sent = sent_start
        for _ in range(limit_sents):
            if first_sent == 0:
                break
            first_sent = self.doc[first_sent - 1].sent.start
        seen = set()
        for ent in self.ents_desc:
            if ent.end > before or ent.start < first_sent or ent.start in seen:
                continue
            seen.add(ent.start)
            if classes is None or any(self.onto.is_a(ent.label_, c) for c in classes):
                yield ent


# ---------------------------------------------------------------- tree helpers
def conjuncts(tok: Token) -> list[Token]:
    """The token and everything coordinated with it ("copper and zinc")."""
    out, todo = [], [tok]
    while todo:
        t = todo.pop(0)
        if t in out:
            continue
        out.append(t)
        todo.extend(c for c in t.children if c.dep_ == "conj")
        # "Australia, Canada, Estonia" is sometimes parsed as a chain of appositions
        todo.extend(c for c in t.children if c.dep_ == "appos" and c.pos_ == "PROPN" and t.pos_ == "PROPN")
    return out


def prep_objects(tok: Token, prep: str) -> list[Token]:
    """Objects of a preposition ``prep`` attached to ``tok`` ("rich in X" -> X)."""
    out = []
    for c in tok.children:
        if c.dep_ in ("prep", "agent", "dative") and c.lower_ == prep:
            out.extend(p for p in c.children if p.dep_ in ("pobj", "pcomp"))
    return out


def is_passive(tok: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children) or (
        tok.dep_ == "acl" and tok.tag_ == "VBN")


def grammatical_subjects(tok: Token, depth: int = 0) -> list[Token]:
    """Who or what a verb, adjective or predicate noun is said of."""
    if depth > 4:
        return []
    subs = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl")]
    subs = [s for s in subs if s.dep_ != "expl"]
    if subs:
        out = []
        for s in subs:
            if s.lower_ in RELATIVE and tok.dep_ == "relcl":
                # "X, which ...": the name right before the comma, else the clause's head noun
                before = s.doc[s.i - 2] if s.i >= 2 and s.doc[s.i - 1].text == "," else None
                if before is not None and before.ent_type_ and before.dep_ == "pobj" and before.head.dep_ == "prep" \
                        and before.head.head.ent_type_:
                    before = before.head.head  # "the Stibnite Gold Project in Idaho, which ...": the project
                while before is not None and before.dep_ == "conj" and before.head.ent_type_:
                    before = before.head  # "Belgium and India, which ...": both
                out.append(before if before is not None and before.ent_type_ else tok.head)
            else:
                out.append(s)
        return out
    if tok.pos_ == "VERB" or _verb_as_noun(tok):
        # "India imports ...", mis-parsed with the name as a compound of the verb
        comp = [c for c in tok.children if c.dep_ in ("compound", "npadvmod") and c.pos_ == "PROPN" and c.i < tok.i]
        if comp:
            return comp
    if tok.dep_ in ("relcl", "acl", "amod", "appos") and tok.head.pos_ in ("NOUN", "PROPN", "PRON", "NUM"):
        return [tok.head]
    if tok.dep_ in ("conj", "xcomp", "advcl", "acomp", "attr", "oprd", "ccomp") and tok.head is not tok:
        return grammatical_subjects(tok.head, depth + 1)
    return []


def _verb_as_noun(tok: Token) -> bool:
    """ "Finland refines cobalt" parsed with "refines" as a noun that has a direct object."""
    return tok.pos_ == "NOUN" and tok.tag_ in ("NNS", "VBZ") and tok.lower_.endswith("s") and any(
        c.dep_ in ("dobj", "appos") and c.i > tok.i for c in tok.children) and any(
        c.dep_ in ("compound", "nsubj") and c.i < tok.i and c.pos_ == "PROPN" for c in tok.children)


# ---------------------------------------------------------------- the extractor
class SentenceExtractor:
    def __init__(self, ctx: DocContext, sent: Span):
        self.ctx = ctx
        self.sent = sent
        self.onto = ctx.onto
        self.out: list[RawCandidate] = []
        self.rejected: list[tuple[RawCandidate, str]] = []

    # -- argument resolution -------------------------------------------
    def resolve(self, tok: Token, classes: set[str], allow_open: bool = False, depth: int = 0) -> list[Mention]:
        """The entity mentions a noun phrase headed by ``tok`` stands for."""
        if depth > 4:
            return []
        found: list[Mention] = []
        for t in conjuncts(tok):
            found.extend(self._resolve_one(t, classes, allow_open, depth))
        unique, seen = [], set()
        for m in found:
            if (m.start, m.end) not in seen:
                seen.add((m.start, m.end))
                unique.append(m)
        return unique

    def _resolve_one(self, t: Token, classes, allow_open, depth) -> list[Mention]:
        ctx = self.ctx
        m = ctx.ent_mention(t)
        out: list[Mention] = []
        if m is not None and m.text in ctx.demonyms and t.dep_ not in ("amod", "compound", "nmod", "poss"):
            m = None  # "Mongolian" alone is a language or a people, not the country
        if m is not None and allow_open and m.cls == "Product" and len(ctx.ent_at[t.i]) == 1 and any(
                c.dep_ in ("compound", "amod", "nmod") and c.i < t.i and c.lower_ not in OPEN_STOP for c in t.children):
            # "lead-acid batteries", "electric vehicle drivetrain motors": the whole phrase, not "batteries"
            longer = self.open_phrases(t)
            if longer and all(len(x.text) > len(m.text) for x in longer):
                return longer
        if m is not None:
            out.append(m)
            # "refines uranium and rare earth elements" parsed as a modifier of "elements"
            ent = ctx.ent_at.get(t.i)
            for c in t.children:
                if c.dep_ in ("nmod", "compound", "amod") and c.i < ent.start and any(x.dep_ == "cc" for x in c.children):
                    out.extend(x for x in (ctx.ent_mention(y) for y in conjuncts(c)) if x is not None)
            out.extend(self.examples(t, classes, depth))
            return out
        low = t.lower_
        if (t.dep_ in ("appos", "npadvmod", "dep") or (t.dep_ == "attr" and ctx.doc[t.left_edge.i - 1].text == ",")) \
                and low not in PRONOUNS and self.onto.class_for_reference(t.lemma_.lower()):
            # "Eramet, the French miner that ...", "gallium and germanium, a key mineral used for ...":
            # an apposition is the name(s) it follows
            anchor = self._apposition_anchor(t)
            if anchor is not None:
                return [m for m in self.resolve(anchor, classes, allow_open, depth + 1) if m.via != "generic"]
        # "the company SPMP": a common noun followed by the name it introduces
        ref = self.onto.class_for_reference(t.lemma_.lower())
        named = []
        for c in t.children:
            if c.dep_ in ("appos", "compound", "npadvmod") and c.i > t.i:
                m2 = ctx.ent_mention(c)
                if m2 is None and ref and c.pos_ == "PROPN" and c.text[:1].isupper():
                    m2 = Mention(c.text, ref, c.idx, c.idx + len(c.text), None, "open")  # a name the NER missed
                if m2 is not None:
                    named.append(m2)
        if named and ref:
            return named
        # reference: it / its / the company / the two countries / those
        if low in PRONOUNS or low in ("those", "these", "they", "them", "their"):
            return self.pronoun(t, classes)
        if t.lemma_.lower() in DELEGATES:
            # "delegations from 90 countries", "officials of Chile": who they stand for
            inner = [m for p in ("from", "of") for i in prep_objects(t, p) for m in self.resolve(i, classes, allow_open, depth + 1)]
            if inner:
                return inner
        # "the governments of Angola and Zambia", "the MSP members"
        if prep_objects(t, "of") and (low in WRAPPERS or t.lemma_.lower() in WRAPPERS):
            inner = [m for i in prep_objects(t, "of") for m in self.resolve(i, classes, allow_open, depth + 1)]
            if inner:
                return inner
        if t.lemma_.lower() in ("member", "partner") and t.tag_ in ("NNS", "NNPS"):
            orgs = [self.ctx.ent_mention(c) for c in t.children if c.dep_ in ("compound", "poss")]
            members = [m for o in orgs if o is not None for m in self.ctx.members.get((o.lex or o.text).lower(), [])]
            if members:
                return [Mention(m.text, m.cls, m.start, m.end, m.lex, "ref") for m in members]
        ref_cls = self.onto.class_for_reference(t.lemma_.lower()) or self.onto.class_for_reference(low)
        dets = {c.lower_ for c in t.children if c.dep_ in ("det", "nummod", "poss", "predet", "amod")}
        if ref_cls and dets & {"the", "this", "both", "two", "three", "these", "its"} and not self._has_modifier_ent(t):
            refs = self.reference(t, ref_cls, dets)
            if refs:
                return refs
        # wrappers: "one of the producers", "80 percent of the world's gallium"
        if low in WRAPPERS or t.lemma_.lower() in WRAPPERS:
            inner = prep_objects(t, "of")
            if inner:
                for i in inner:
                    out.extend(self.resolve(i, classes, allow_open, depth + 1))
                if out:
                    return out
        # "antimony trioxide", "lithium carbonate": a compound of a named mineral is a mineral of its own
        if self.onto.class_for_head(t.lemma_.lower()) == "Mineral" and "Mineral" in classes:
            mods = [c for c in t.children if c.dep_ in ("compound", "amod", "nmod") and c.i < t.i
                    and ctx.ent_at.get(c.i) is not None and ctx.ent_at[c.i].label_ == "Mineral"]
            if mods:
                start = ctx.ent_at[mods[0].i].start
                return [Mention(ctx.doc[start:t.i + 1].text, "Mineral", ctx.doc[start].idx, t.idx + len(t.text),
                                None, "open")]
        # open noun phrases for products and technologies
        if allow_open and t.pos_ in ("NOUN", "PROPN") and low not in GENERIC_HEADS and t.lemma_.lower() not in GENERIC_HEADS:
            out.extend(self.open_phrases(t))
            out.extend(self.examples(t, classes, depth))
            if out:
                return out
        # generic heads: "the critical minerals market", "TFM operations", "minerals like copper"
        for c in t.children:
            if c.dep_ in ("compound", "amod", "nmod", "poss") and c.i < t.i:
                cm = ctx.ent_mention(c)
                if cm is not None:
                    out.append(cm)
        out.extend(self.examples(t, classes, depth))
        if not out:
            # "the minerals and metals supply chains": general nouns, spelled out by a later "These include ..."
            for c in [t, *[c for c in t.children if c.dep_ in ("compound", "nmod") and c.i < t.i]]:
                for g in conjuncts(c):
                    gen = self.generic(g, classes)
                    if gen is not None:
                        out.append(gen)
        if not out and t.dep_ == "appos" and t.head is not t:
            anchor = self._apposition_anchor(t)
            if anchor is not None:
                out.extend(m for m in self.resolve(anchor, classes, allow_open, depth + 1) if m.via != "generic")
        return out

    def _apposition_anchor(self, t: Token) -> Token | None:
        """What an apposition describes: the names right before its comma (the parser often
        hangs the apposition elsewhere), else its head; the first of coordinated names."""
        ctx = self.ctx
        h = None
        left = t.left_edge.i
        if left >= 2 and ctx.doc[left - 1].text == "," and ctx.ent_at.get(left - 2) is not None:
            h = ctx.ent_at[left - 2].root
        elif t.dep_ == "appos" and t.head is not t and (ctx.ent_mention(t.head) is not None or t.head.dep_ == "conj"):
            h = t.head
        while h is not None and h.dep_ == "conj" and h.head is not h:
            h = h.head
        return h

    def generic(self, t: Token, classes) -> Mention | None:
        """A plural class noun ("minerals", "countries") as a placeholder for the things a later
        sentence lists."""
        if t.tag_ not in ("NNS", "NNPS") or self.ctx.ent_mention(t) is not None:
            return None
        cls = self.onto.class_for_reference(t.lemma_.lower())
        if cls is None or not any(self.onto.is_a(cls, c) for c in classes):
            return None
        return Mention(t.text, cls, t.idx, t.idx + len(t.text), None, "generic")

    def _has_modifier_ent(self, t: Token) -> bool:
        return any(self.ctx.ent_mention(c) is not None for c in t.children if c.dep_ in ("compound", "amod", "poss"))

    def examples(self, t: Token, classes, depth) -> list[Mention]:
        """Named examples of a general noun: "minerals like copper", "applications, including X"."""
        out = []
        for c in t.children:
            if c.dep_ == "prep" and c.lower_ in EXAMPLE_PREPS | {"as"}:
                if c.lower_ == "as" and not any(x.lower_ == "such" for x in c.children) and not (
                        c.i > 0 and c.doc[c.i - 1].lower_ == "such"):
                    continue
                for p in c.children:
                    if p.dep_ == "pobj":
                        out.extend(self.resolve(p, classes, allow_open=("Product" in classes), depth=depth + 1))
            if c.dep_ in ("acl", "prep") and c.lower_ == "including":
                for p in c.children:
                    if p.dep_ in ("dobj", "pobj"):
                        out.extend(self.resolve(p, classes, allow_open=("Product" in classes), depth=depth + 1))
        return out

    def open_phrases(self, t: Token) -> list[Mention]:
        """A noun phrase as a new Product mention ("radar systems"), split over
        coordinated modifiers ("military and energy technologies")."""
        mods = [c for c in t.children if c.dep_ in ("compound", "amod", "nmod") and c.i < t.i]
        mods = [m for m in mods if m.lower_ not in OPEN_STOP and m.tag_ not in ("JJS", "JJR")]

        def span_of(m: Token | None) -> tuple[int, int]:
            if m is None:
                return t.i, t.i + 1
            left = min(x.i for x in m.subtree if x.i <= m.i)
            return left, t.i + 1

        phrases = []
        first = min(mods, key=lambda m: m.i) if mods else None
        start, end = span_of(first)
        while start < end - 1 and (self.ctx.doc[start].lower_ in OPEN_STOP or self.ctx.doc[start].is_punct
                                   or self.ctx.doc[start].like_num or self.ctx.doc[start].pos_ in ("DET", "NUM", "CCONJ")):
            start += 1
        toks = [x for x in self.ctx.doc[start:end]]
        conj_mods = [c for m in mods for c in m.children if c.dep_ == "conj" and c.i < t.i]
        if conj_mods and first is not None:
            # distribute: "military and energy technologies" -> two phrases
            for m in [first, *conj_mods]:
                phrases.append(self._open(m.i, m.i + 1, t))
            return [p for p in phrases if p]
        if not toks or any(x.pos_ == "VERB" and not (x.tag_ in ("VBG", "VBN") and x.i > 0 and x.doc[x.i - 1].text == "-")
                           for x in toks):
            return []
        if len(toks) == 1 and any(c.lower_ in QUANTIFIERS for c in t.children):
            return []  # "many technologies" names nothing
        p = self._open(start, end - 1, t)
        return [p] if p else []

    def _open(self, start: int, end: int, head: Token) -> Mention | None:
        doc = self.ctx.doc
        words = [doc[i] for i in range(start, end)] + [head]
        text = " ".join(w.text for w in words).replace(" - ", "-").replace(" -", "-").replace("- ", "-")
        if words and words[0].i == start and end - start == len(words) - 1:
            text = doc[start:head.i + 1].text if all(doc[i] in words for i in range(start, head.i + 1)) else text
        if not any(w.is_alpha for w in words) or len(text) < 3:
            return None
        return Mention(text, "Product", doc[start].idx if end > start else head.idx, head.idx + len(head.text), None, "open")

    # -- reference -----------------------------------------------------
    def pronoun(self, t: Token, classes) -> list[Mention]:
        if t.lower_ in ("they", "them", "their", "we", "our", "us", "i", "you", "he", "she", "him", "her", "his"):
            return []
        wanted = {c for c in classes if c not in ("Person",)}
        if t.dep_ in ("nsubj", "nsubjpass"):
            # "it was one of the few countries outside China..., and it exported ...": a subject
            # pronoun continues the sentence's earlier subject, not the last name mentioned
            for prev in t.sent:
                if prev.i >= t.i:
                    break
                if prev.dep_ in ("nsubj", "nsubjpass") and prev.lower_ in ("it", "its") and prev.head.dep_ == "ROOT":
                    return self.pronoun(prev, classes)
        if t.dep_ in ("nsubj", "nsubjpass", "poss") and t.i == t.sent.start or (
                t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT"):
            # a sentence-subject "it" continues the topic: the previous sentence's subject
            first = t.sent.start
            if first > 0:
                prev = self.ctx.doc[first - 1].sent
                for cand in prev:
                    if cand.dep_ in ("nsubj", "nsubjpass") and cand.head.dep_ == "ROOT":
                        for m in self.resolve(cand, wanted, depth=3):
                            return [Mention(m.text, m.cls, m.start, m.end, m.lex, "ref")]
        for ent in self.ctx.previous_mentions(t.i, wanted, limit_sents=1):
            m = self.ctx.mention(ent, via="ref")
            return [m]
        return []

    def reference(self, t: Token, cls: str, dets: set[str]) -> list[Mention]:
        n = 2 if dets & {"both", "two"} else 3 if "three" in dets else 1
        out, names = [], set()
        for ent in self.ctx.previous_mentions(t.i, {cls}, limit_sents=12):
            m = self.ctx.mention(ent, via="ref")
            key = (m.lex or m.text).lower()
            if key in names:
                continue
            names.add(key)
            out.append(m)
            if len(out) == n:
                break
        return out if len(out) == n else []

    # -- emitting ------------------------------------------------------
    def emit(self, prop: str, subs: list[Mention], objs: list[Mention], rule: str, conf: float, modality: str,
             symmetric_pairs: bool = False):
        for s in subs:
            for o in objs:
                if (s.lex or s.text).lower() == (o.lex or o.text).lower():
                    continue
                if prop == "visits" and o.via == "ref" and o.text in self.ctx.demonyms and 0 <= s.start - o.end < 60:
                    continue  # "British minister Sarah Jones ... a visit to the kingdom": not her own country
                if s.via == "generic" or o.via == "generic":
                    if not (s.via == "generic" and o.via == "generic"):
                        self.ctx.pending.append((self.sent.start, prop, s, o, rule, conf, modality))
                    continue
                if not self.onto.allows(prop, s.cls, o.cls):
                    # "Berlin seeks to cut reliance on China": a capital stands for its country's government
                    s2, o2 = self.metonym(s), self.metonym(o)
                    if (s2 is not s or o2 is not o) and self.onto.allows(prop, s2.cls, o2.cls):
                        s, o = s2, o2
                c = conf * (0.85 if s.via in ("ref", "capital") or o.via in ("ref", "capital") else 1.0) * (
                    0.9 if o.via == "open" else 1.0)
                # the rule name says when an argument was a resolved reference ("it", "the company")
                r = rule + (" +ref" if "ref" in (s.via, o.via) else "")
                cand = RawCandidate(s, prop, o, r, round(min(c, 0.99), 3), modality)
                if not self.onto.allows(prop, s.cls, o.cls):
                    self.rejected.append((cand, f"{s.cls} -> {o.cls} is outside the domain/range of {prop}"))
                    continue
                self.out.append(cand)
                if prop == "memberOf":
                    group = self.ctx.members.setdefault((o.lex or o.text).lower(), [])
                    if all((x.lex or x.text) != (s.lex or s.text) for x in group):
                        group.append(s)

    def metonym(self, m: Mention) -> Mention:
        """The country whose capital ``m`` names, when ``m`` is read as a place."""
        entry = self.ctx.capitals.get(m.text)
        if entry is None or not self.onto.is_a(m.cls, "Place"):
            return m
        return Mention(m.text, entry.cls, m.start, m.end, entry.label, "capital")

    # -- frames --------------------------------------------------------
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
                for key in {lemma, low}:
                    for trig in self.ctx.triggers.nouns.get(key, []):
                        self.noun_frame(tok, trig)
            if tok.pos_ in ("ADJ", "VERB") and (low in self.ctx.triggers.adjs or lemma in self.ctx.triggers.adjs):
                for trig in self.ctx.triggers.adjs.get(low, []) or self.ctx.triggers.adjs.get(lemma, []):
                    self.adj_frame(tok, trig)
        self.surface_verbs()
        self.majority_shares()
        self.ownership_shares()
        self.titles()
        self.among_them()
        self.place_nouns()
        self.place_chains()
        self.facility_places()
        self.facility_owners()
        self.based_in()
        self.facility_minerals()
        self.trip_events()
        self.close_locations()

    def classes(self, prop: str, role: str) -> set[str]:
        spec = self.onto.properties[prop]
        return set(spec.domain if role == "s" else spec.range)

    def verb_frame(self, v: Token, trig: Trigger) -> None:
        kids = list(v.children)
        if trig.extra:
            words = {c.lower_ for c in kids if c.dep_ in ("dobj", "prt", "advmod", "acomp", "npadvmod")}
            if not set(trig.extra) <= words:
                return
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

    def spell_out(self, v: Token, obj_toks: list[Token]) -> None:
        """ "These include A, B and C": the relations that the previous sentence stated of a general
        noun ("the minerals ... relevant for clean energy") hold for A, B and C."""
        sent_start = v.sent.start
        prev_start = self.ctx.doc[sent_start - 1].sent.start if sent_start > 0 else -1
        pending = [p for p in self.ctx.pending if p[0] == prev_start]
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
        pending = [p for p in self.ctx.pending if p[0] == self.sent.start]
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

    def majority_shares(self) -> None:
        """ "China accounts for 70 percent of the world's cobalt", "controls most of global graphite
        refining": a majority of the world's supply is dominance."""
        for t in self.sent:
            low = t.lower_
            if low in ("percent", "%", "cent"):
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
            if t.lower_ not in ("percent", "%", "cent") or not any(c.like_num for c in t.subtree):
                continue
            if t.dep_ == "dobj" and t.head.lemma_.lower() in SHARE_VERBS:
                owners = [m for s in grammatical_subjects(t.head) for m in self.resolve(s, subj_cls)]
                owned = [m for o in prep_objects(t, "of") for m in self.resolve(o, obj_cls)
                         if not self.onto.is_a(m.cls, "Place")]
                self.emit("investsIn", owners, owned, "share:holds percent of", 0.7, modality_of(t.head))
            for a in t.children:
                if a.dep_ == "acl" and a.lemma_.lower() in ("own", "hold", "control"):
                    owners = [m for x in prep_objects(a, "by") for m in self.resolve(x, subj_cls)]
                    owned = [m for s in grammatical_subjects(t.head) for m in self.resolve(s, obj_cls)] \
                        if t.dep_ in ("attr", "npadvmod", "acomp") else []
                    self.emit("investsIn", owners, owned, "share:percent owned by", 0.7, modality_of(a))

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

    def noun_frame(self, n: Token, trig: Trigger) -> None:
        if trig.extra:
            before = {c.lower_ for c in n.children if c.dep_ in ("compound", "amod")}
            if n.i > 0:
                before.add(n.doc[n.i - 1].lower_)
            if not set(trig.extra) <= before:
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
    def titles(self) -> None:
        doc = self.ctx.doc
        for ent in [e for e in self.ctx.sent_ents.get(self.sent.start, []) if e.label_ == "Person" or (
                self.onto.is_a(e.label_, "Organisation") and not e.ent_id_ and 2 <= len(e) <= 4
                and all(t.text[:1].isupper() for t in e) and e.start > 0
                and any(doc[e.start - 1].lower_ == t[0][-1] for t in self.ctx.triggers.titles))]:
            window = []
            i = ent.start - 1
            while i >= self.sent.start and len(window) < 14:
                t = doc[i]
                if t.pos_ in ("VERB", "AUX", "DET") or t.text in (")", "(", ";", ":", "—", "–", '"', "“", "”") \
                        or (t.ent_type_ == "Person"):
                    break
                if t.pos_ == "ADP" and t.lower_ not in ("of", "for", "on"):
                    break
                window.insert(0, t)
                i -= 1
            window = [t for t in window if not t.is_space]
            while window and (window[0].is_punct or window[0].pos_ == "CCONJ"):
                window.pop(0)
            if not window:
                continue
            words = [t.lower_ for t in window]
            found = None  # the title that ends last, the longest of those
            for k in range(len(words)):
                for title, prop in self.ctx.triggers.titles:
                    if tuple(words[k:k + len(title)]) == title:
                        rest = window[k + len(title):]
                        if all(t.lower_ in ("of", "for", "on", ",") or t.pos_ in ("PROPN", "NOUN", "CCONJ") for t in rest):
                            if found is None or k + len(title) > found[0] + len(found[1]):
                                found = (k, title, prop)
                        break
            if not found:
                continue
            k, title, prop = found
            person = self.ctx.mention(ent)
            if person.cls != "Person":
                if window[-1].i != ent.start - 1:
                    continue  # only a name right after its title is taken for a person
                person = Mention(person.text, "Person", person.start, person.end, None, "title")
            before, after = window[:k], window[k + len(title):]
            orgs: list[Mention] = []
            org_cls = self.classes(prop, "o")
            # organisation named before the title
            ents_before = [self.ctx.ent_mention(t) for t in before]
            ents_before = [m for m in ents_before if m is not None and any(self.onto.is_a(m.cls, c) for c in org_cls)]
            head_in_ent = before and self.ctx.ent_at.get(before[-1].i) is not None
            department = self.department(after, org_cls)  # "Secretary of Energy": the Department of Energy
            if department:
                orgs.append(department)
            elif ents_before and (head_in_ent or self.onto.class_for_head(before[-1].lower_) in (
                    None, "Company", "Product")):  # "Morocco's energy minister": a portfolio word, not a firm
                orgs.append(ents_before[-1])  # "German Economy Minister X": a minister of Germany
            elif before:
                cls = self.onto.class_for_head(before[-1].lower_)
                if cls and self.onto.is_a(cls, "Organisation") and cls != "Company":
                    start = before[0]
                    orgs.append(Mention(doc[start.i:before[-1].i + 1].text, cls, start.idx,
                                        before[-1].idx + len(before[-1].text), None, "open"))
            if not orgs and after and after[0].lower_ == "of":
                named = [self.ctx.ent_mention(t) for t in after[1:]]
                named = [m for m in named if m is not None and any(self.onto.is_a(m.cls, c) for c in org_cls)]
                orgs.extend(named[:1])
            conf = 0.85
            if not orgs and " ".join(title) in COUNTRY_TITLES and not after:
                country = self.main_country(person)
                if country:
                    orgs.append(country)
                    conf = 0.55
            self.emit(prop, [person], orgs, f"title:{' '.join(title)}", conf, "asserted")

    def department(self, after: list[Token], org_cls: set[str]) -> Mention | None:
        """ "Secretary of Energy" -> the "Department of Energy" (or ministry) named in the document."""
        if not after or after[0].lower_ != "of":
            return None
        field_words = " ".join(t.text for t in after[1:] if t.pos_ in ("PROPN", "NOUN")).lower()
        if not field_words:
            return None
        pattern = re.compile(r"\b(department|ministry) of (the )?" + re.escape(field_words) + r"$")
        for ent in self.ctx.ents:
            if ent.label_ == "GovernmentBody" and pattern.search((ent.ent_id_ or ent.text).lower()):
                return self.ctx.mention(ent, via="ref")
        return None

    def main_country(self, person: Mention) -> Mention | None:
        """The country a document is clearly about (for a national title with no country named).

        Countries the person visits or travels to in this sentence are left out (a visiting
        prime minister leads another country); the first must be named at least 1.5 times as
        often as the next."""
        visited = {(c.object.lex or c.object.text) for c in self.out
                   if c.predicate == "visits" and c.subject.start == person.start}
        counts = [(k, n) for k, n in self.ctx.country_counts.most_common() if k not in visited]
        if not counts:
            return None
        best, n = counts[0]
        if len(counts) > 1 and n < 1.5 * counts[1][1]:
            return None
        for ent in self.ctx.ents:
            m = self.ctx.mention(ent)
            if ent.label_ == "Country" and (m.lex or m.text) == best:
                return Mention(m.text, m.cls, m.start, m.end, m.lex, "ref")
        return None

    # -- places: "Mount Weld, Western Australia", "Bahodopi district of Morowali Regency" ---------
    def place_chains(self) -> None:
        doc = self.ctx.doc
        ents = list(self.ctx.sent_ents.get(self.sent.start, []))
        located = {"Facility", "Place", "Event"}
        for idx, e in enumerate(ents):
            if not any(self.onto.is_a(e.label_, c) for c in located) or e.label_ == "Country":
                continue
            chain = [e]
            j = idx
            while j + 1 < len(ents):
                nxt = ents[j + 1]
                gap = doc[chain[-1].end:nxt.start]
                gap_words = [t.lower_ for t in gap if t.pos_ != "DET"]
                ok = gap_words in ([","], ["of"], [",", "in"], ["in"], [",", "within"], ["within"]) or \
                    (len(gap_words) <= 5 and gap_words[-1:] == ["of"] and gap_words[0] in (",", "in", "within")
                     and any(w in WRAPPERS for w in gap_words))
                if not ok or not self.onto.is_a(nxt.label_, "Place") or nxt.text in self.ctx.demonyms:
                    break  # "Jakarta, Indonesian officials": an adjective, not a place
                # "Angola, Botswana and Zambia" is a list, not a chain
                if self.onto.is_a(chain[-1].label_, "Country"):
                    break
                chain.append(nxt)
                j += 1
            if len(chain) < 2:
                continue
            after = doc[chain[-1].end:chain[-1].end + 2]
            if any(t.lower_ in ("and", "or") for t in after) and chain[-1].label_ == chain[-2].label_:
                continue
            if chain[0].start == self.sent.start and any(t.text in DASHES for t in after):
                continue  # a dateline, "WASHINGTON, D.C. —", is not a statement
            ms = [self.ctx.mention(x) for x in chain]
            for a in range(len(ms) - 1):
                self.emit("locatedIn", [ms[a]], ms[a + 1:], "chain:place, place", 0.75, "asserted")

    def facility_places(self) -> None:
        """ "the Lynas Advanced Materials Plant (LAMP) in Malaysia": a named facility or event with "in"/"at" a place."""
        for e in self.ctx.sent_ents.get(self.sent.start, []):
            if not any(self.onto.is_a(e.label_, c) for c in ("Facility", "Event")):
                continue
            places = [m for prep in ("in", "at") for t in prep_objects(e.root, prep)
                      for m in self.resolve(t, {"Place"}) if self.onto.is_a(m.cls, "Place")]
            self.emit("locatedIn", [self.ctx.mention(e)], places, "chain:facility in place", 0.75, modality_of(e.root))

    def based_in(self) -> None:
        """ "a Swiss-based company", "the Perth-based miner": the thing described is located there."""
        doc = self.ctx.doc
        for t in self.sent:
            if t.lower_ not in ("based", "headquartered") or t.i < 2 or doc[t.i - 1].text != "-":
                continue
            place = self.ctx.ent_at.get(t.i - 2)
            if place is None:
                continue
            head = t.head if t.dep_ in ("amod", "compound") else None
            if head is None:
                continue
            subjects = self.noun_subjects(head, self.classes("locatedIn", "s"), set(), identity_only=True)
            subjects += [m for m in [self.ctx.ent_mention(head)] if m is not None]
            self.emit("locatedIn", subjects, [self.ctx.mention(place)], "adj:X-based", 0.75, modality_of(head))

    def facility_owners(self) -> None:
        """ "CMOC's Tenke Fungurume mine": the possessor operates the named facility."""
        for e in self.ctx.sent_ents.get(self.sent.start, []):
            if not self.onto.is_a(e.label_, "Facility"):
                continue
            owners = [m for c in e.root.children if c.dep_ == "poss" and c.i < e.start
                      for m in self.resolve(c, self.classes("operates", "s"))]
            self.emit("operates", owners, [self.ctx.mention(e)], "poss:facility", 0.7, modality_of(e.root))

    def facility_minerals(self) -> None:
        """ "the Balama graphite mine": a mine named for a mineral produces it (a refinery, processes it)."""
        words = self.ctx.mineral_words
        for e in self.ctx.sent_ents.get(self.sent.start, []):
            if not self.onto.is_a(e.label_, "Facility"):
                continue
            head = e[-1].lower_
            prop = "produces" if self.onto.is_a(e.label_, "Mine") else (
                "processes" if head in ("refinery", "smelter", "refineries", "smelters") else None)
            minerals = [t for t in e[:-1] if t.lower_ in words and t.text.islower()]  # not "Silver Lake"
            if prop and minerals:
                m = minerals[-1]
                self.emit(prop, [self.ctx.mention(e)], [Mention(m.text, "Mineral", m.idx, m.idx + len(m.text),
                                                                words[m.lower_])], "name:mineral site", 0.6, "asserted")

    def trip_events(self) -> None:
        """ "travel to Kuala Lumpur to attend the ASEAN Summit": the event is where the trip goes."""
        visits = [c for c in self.out if c.predicate == "visits"]
        attends = [c for c in self.out if c.predicate == "attends"]
        for v in visits:
            events = [a.object for a in attends if a.subject.start == v.subject.start]
            self.emit("locatedIn", events, [v.object], "trip:visit and attend", 0.55, v.modality)

    def place_nouns(self) -> None:
        """ "Angola's port of Lobito", "the Argentine capital, Buenos Aires", "the province of X in Y":
        a place named through a place noun is in the country that owns the noun."""
        for t in self.sent:
            if t.lemma_.lower() not in PLACE_NOUNS or t.pos_ != "NOUN":
                continue
            owners = [m for c in t.children if c.dep_ in ("poss", "amod", "compound") and c.i < t.i
                      for m in [self.ctx.ent_mention(c)] if m is not None and self.onto.is_a(m.cls, "Country")]
            if not owners:
                continue
            # what a place noun names is a place, whatever the NER thought ("the port of Lobito")
            named = [self.ctx.ent_mention(x) for x in prep_objects(t, "of")]
            named += [self.ctx.ent_mention(c) for c in t.children if c.dep_ == "appos"]
            places = [m if self.onto.is_a(m.cls, "Place") else Mention(m.text, "Region", m.start, m.end, m.lex, m.via)
                      for m in named if m is not None and (self.onto.is_a(m.cls, "Place") or m.cls == "Person")]
            if t.dep_ == "appos" and self.ctx.ent_mention(t.head) is not None:
                h = self.ctx.ent_mention(t.head)
                if self.onto.is_a(h.cls, "Place"):
                    places.append(h)
            self.emit("locatedIn", [p for p in places if not self.onto.is_a(p.cls, "Country")], owners[:1],
                      "noun:place of country", 0.7, "asserted")

    def close_locations(self) -> None:
        """Within one sentence, X in Y and Y in Z give X in Z."""
        loc = [c for c in self.out if c.predicate == "locatedIn" and c.modality != "negated"]
        key = lambda m: (m.lex or m.text).lower()  # noqa: E731
        added = True
        while added:
            added = False
            pairs = {(key(c.subject), key(c.object)) for c in loc}
            for a in list(loc):
                for b in list(loc):
                    if key(a.object) == key(b.subject) and (key(a.subject), key(b.object)) not in pairs \
                            and key(a.subject) != key(b.object):
                        cand = RawCandidate(a.subject, "locatedIn", b.object, "chain:transitive",
                                            round(min(a.confidence, b.confidence) * 0.9, 3), "asserted")
                        if self.onto.allows("locatedIn", a.subject.cls, b.object.cls):
                            self.out.append(cand)
                            loc.append(cand)
                            pairs.add((key(a.subject), key(b.object)))
                            added = True


def sentence_candidates(ctx: DocContext, sent: Span) -> tuple[list[RawCandidate], list[tuple[RawCandidate, str]]]:
    """Candidate facts of one sentence, and the rejected ones with their reason."""
    ex = SentenceExtractor(ctx, sent)
    ex.run()
    # one reading per fact and sentence: the most confident rule wins, the others are reported
    best: dict[tuple, RawCandidate] = {}
    dropped = list(ex.rejected)
    for c in ex.out:
        key = ((c.subject.lex or c.subject.text).lower(), c.predicate, (c.object.lex or c.object.text).lower())
        old = best.get(key)
        if old is None or (c.confidence, c.modality == "asserted") > (old.confidence, old.modality == "asserted"):
            if old is not None:
                dropped.append((old, f"same fact as rule {c.rule} in this sentence"))
            best[key] = c
        else:
            dropped.append((c, f"same fact as rule {old.rule} in this sentence"))
    return list(best.values()), dropped
