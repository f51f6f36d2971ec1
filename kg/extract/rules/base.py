"""What every rule family shares: word lists, dependency-tree helpers, the ontology's trigger
index, and :class:`ArgumentReader`, which turns a noun phrase into the entity mentions it stands
for (coordination, examples, wrappers, references, open phrases) and emits checked candidates."""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from ...ontology import Ontology
from ..mentions import DocContext, Mention, RawCandidate

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
DIRECTIONS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"})
SUPPLIER_NOUNS = {"source", "supplier", "provider"}
MAJORITY_WORDS = {"half", "majority", "most", "bulk", "two-thirds", "three-quarters"}
DELEGATES = {"delegation", "delegate", "official", "representative", "minister", "envoy", "leader"}
PLACE_NOUNS = {"port", "province", "city", "capital", "state", "region", "town", "island", "islands", "district",
               "county", "prefecture", "territory", "village"}
SHARE_VERBS = {"hold", "own", "control", "acquire", "buy", "take", "purchase", "retain", "keep"}
#: words of a percentage ("75 percent", "75%", "75 per cent")
PERCENT_WORDS = frozenset({"percent", "%", "cent"})
#: verbs whose passive with a share ("owned 45% by A") names holders of a stake
OWNING_VERBS = frozenset({"own", "hold", "control"})
# a joint venture's partners own it
VENTURE_NOUNS = frozenset({"venture", "jv"})
SHAREHOLDER_NOUNS = frozenset({"shareholder", "stockholder"})
# words that are a holding whatever follows them ("sold its stake to B")
OWNERSHIP_NOUNS = frozenset({"stake", "interest", "holding", "ownership", "asset", "assets"})
# what is sold when a share of a business is: "sold its interest in the project to B", "sold 51
# percent of its Simandou interest"
STAKE_NOUNS = OWNERSHIP_NOUNS | PERCENT_WORDS | {"share", "right", "rights", "majority", "control"}
# participles that name a venture's partners ("a venture owned by A and B", "a venture comprising A
# and B") and the preposition after each
VENTURE_PARTICIPLES = {"own": "by", "form": "by", "create": "by", "establish": "by", "comprise": None,
                       "involve": None, "include": None, "consist": "of"}
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



#: rules whose readings are votes for the relation classifier and never facts on their own: the
#: ``rules`` extractor leaves them out, and the ``hybrid`` one keeps one only where the classifier
#: reaches the property's threshold (as ``trained`` does). A company named for a mineral
#: ("Barrick Gold", "Union Oil") may or may not say what it produces, so the text around it decides.
ADVISORY_RULES = frozenset({"name:mineral company"})


def advisory(rule: str) -> bool:
    """Whether a rule's reading is a vote for the classifier only (:data:`ADVISORY_RULES`).

    >>> advisory("name:mineral company"), advisory("name:mineral site"), advisory("name:mineral company +ref")
    (True, False, True)
    """
    return rule.split("+")[0].strip() in ADVISORY_RULES


def rule_family(rule: str) -> str:
    """The family of a rule's name: the module that read it ("verb", "verb-passive", "adj"...).

    >>> rule_family("verb-passive:own+ref"), rule_family("adj:rich in"), rule_family("list:memberOf +ref")
    ('verb-passive', 'adj', 'list')
    """
    return rule.split(":", 1)[0].split(" ", 1)[0]


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




# ---------------------------------------------------------------- tree helpers
def conjuncts(tok: Token) -> list[Token]:
    """The token and everything coordinated with it ("copper and zinc")."""
    out, todo = [], [tok]
    while todo:
        t = todo.pop(0)
        if t in out:
            continue
        out.append(t)
        todo.extend(c for c in t.children if c.dep_ == "conj" and not clause_subject_of(c))
        # "Australia, Canada, Estonia" is sometimes parsed as a chain of appositions
        todo.extend(c for c in t.children if c.dep_ == "appos" and c.pos_ == "PROPN" and t.pos_ == "PROPN")
    return out


def clause_subject_of(noun: Token) -> Token | None:
    """The coordinated verb whose subject ``noun`` really is: in "A is owned by B and the C plant
    is owned by D" the parser hangs "the C plant" on "B" as a conjunct; the auxiliary right after it
    belongs to the second verb, which has no subject of its own."""
    doc = noun.doc
    if noun.dep_ != "conj" or noun.pos_ not in ("NOUN", "PROPN") or noun.i + 1 >= len(doc):
        return None
    nxt = doc[noun.i + 1]
    verb = nxt.head if nxt.dep_ in ("aux", "auxpass") else nxt if nxt.pos_ == "VERB" else None
    if verb is None or verb.dep_ != "conj" or verb.pos_ not in ("VERB", "AUX") or verb.i <= noun.i:
        return None
    if any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        return None
    return verb


def noun_subject_before(pronoun: Token) -> Token | None:
    """The sentence's own subject before ``pronoun`` when it is a definite common noun: in "The
    deposit is unusual because it contains thorium", "it" is the deposit, not the page's subject.

    >>> import spacy
    >>> from spacy.tokens import Doc
    >>> nlp = spacy.blank("en")
    >>> doc = Doc(nlp.vocab, words=["The", "deposit", "is", "rich", "because", "it", "contains", "thorium"],
    ...           heads=[1, 2, 2, 2, 6, 6, 2, 6], deps=["det", "nsubj", "ROOT", "acomp", "mark", "nsubj", "advcl", "dobj"],
    ...           pos=["DET", "NOUN", "AUX", "ADJ", "SCONJ", "PRON", "VERB", "NOUN"])
    >>> noun_subject_before(doc[5]).text
    'deposit'
    """
    for t in pronoun.sent:
        if t.i >= pronoun.i:
            return None
        if (t.dep_ in ("nsubj", "nsubjpass") and t.pos_ == "NOUN" and not t.ent_type_
                and any(c.lower_ in ("the", "this", "that") for c in t.children)):
            return t
    return None


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
    if not subs and tok.dep_ == "conj":
        # "... by B and the C plant is owned by D": the subject the parser hung on B
        subs = [t for t in tok.doc[tok.head.i:tok.i] if getattr(clause_subject_of(t), "i", None) == tok.i]
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


def noun_extra_ok(n: Token, trig: Trigger) -> bool:
    """Whether the noun trigger's other words ("member" of "member states") stand before ``n``."""
    if not trig.extra:
        return True
    before = {c.lower_ for c in n.children if c.dep_ in ("compound", "amod")}
    if n.i > 0:
        before.add(n.doc[n.i - 1].lower_)
    return set(trig.extra) <= before


def _verb_as_noun(tok: Token) -> bool:
    """ "Finland refines cobalt" parsed with "refines" as a noun that has a direct object."""
    return tok.pos_ == "NOUN" and tok.tag_ in ("NNS", "VBZ") and tok.lower_.endswith("s") and any(
        c.dep_ in ("dobj", "appos") and c.i > tok.i for c in tok.children) and any(
        c.dep_ in ("compound", "nsubj") and c.i < tok.i and c.pos_ == "PROPN" for c in tok.children)




class ArgumentReader:
    """The core of a sentence extractor: argument resolution and emitting candidates."""

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
            members = [m for o in orgs if o is not None for m in self.ctx.members.get(o.key, [])]
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
        own = noun_subject_before(t) if t.lower_ in ("it", "its", "itself") else None
        if own is not None:  # "The deposit is unusual because it contains ...": the deposit
            return [Mention(m.text, m.cls, m.start, m.end, m.lex, "ref") for m in self.resolve(own, wanted, depth=3)]
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
        word = t.lemma_.lower()
        heads = self.onto.head_nouns

        ref_cls = self.onto.class_for_reference(word)

        def disagree(last: str, name_cls: str) -> bool:
            if ref_cls not in (None, "Facility") and self.onto.is_a(name_cls, ref_cls):
                return False  # "the company" on the page of "Mopani Copper Mines": its class agrees
            # "the project" is not "the Kemerton plant" named just before (a facility can be a
            # plant, a project, a site: the words must agree); "the mines" may be a mining district
            return word in heads and last in heads and last != word and (
                self.onto.class_for_reference(last) != ref_cls or ref_cls == "Facility")

        subject = self.ctx.subject
        if n == 1 and subject is not None and self.onto.is_a(subject.cls, cls) \
                and not disagree(subject.text.split()[-1].lower(), subject.cls):
            # "The mine is owned by Glencore" on the Mutanda mine's page: the page's subject, not
            # the last mine it compared it with
            return [subject.at(t, "ref")]
        for ent in self.ctx.previous_mentions(t.i, {cls}, limit_sents=12):
            if disagree(ent[-1].lemma_.lower(), ent.label_):
                continue
            m = self.ctx.mention(ent, via="ref")
            key = m.key
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
                if s.key == o.key:
                    continue
                if prop == "visits" and o.via == "ref" and o.text in self.ctx.demonyms and 0 <= s.start - o.end < 60:
                    continue  # "British minister Sarah Jones ... a visit to the kingdom": not her own country
                if s.via == "generic" or o.via == "generic":
                    if not (s.via == "generic" and o.via == "generic"):
                        self.ctx.pending.setdefault(self.sent.start, []).append(
                            (self.sent.start, prop, s, o, rule, conf, modality))
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
                    org = o.key
                    names = self.ctx.member_names.setdefault(org, set())
                    if (s.lex or s.text) not in names:
                        names.add(s.lex or s.text)
                        self.ctx.members.setdefault(org, []).append(s)

    def metonym(self, m: Mention) -> Mention:
        """The country whose capital ``m`` names, when ``m`` is read as a place."""
        entry = self.ctx.capitals.get(m.text)
        if entry is None or not self.onto.is_a(m.cls, "Place"):
            return m
        return Mention(m.text, entry.cls, m.start, m.end, entry.label, "capital")

    # -- frames --------------------------------------------------------

    def classes(self, prop: str, role: str) -> set[str]:
        spec = self.onto.properties[prop]
        return set(spec.domain if role == "s" else spec.range)
