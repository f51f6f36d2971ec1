"""Typed mentions and what is known about them in one document.

:class:`Mention` is an entity mention (words, class, offsets, lexicon id, how it was found);
:class:`DocContext` indexes a parsed document's mentions for the rules; the functions below fix
the mentions of a parsed document before relations are read: acronyms defined in the text, one
sense per document, titled people, company prefixes.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from ..components.entity_typer import new_name
from ..model import fold_words, singular
from ..ontology import Ontology, load_ontology

if TYPE_CHECKING:
    from .rules.base import TriggerIndex

@dataclass(frozen=True)
class Mention:
    """An entity mention: the words as written, its class and where it is."""

    text: str
    cls: str
    start: int
    end: int
    lex: str | None = None  # canonical lexicon label, when the lexicon knows it
    via: str = ""  # "" (an entity span), "ref" (resolved reference), "open" (a noun phrase)

    @property
    def key(self) -> str:
        """What names the entity: its lexicon label, else its words (lower case)."""
        return (self.lex or self.text).lower()

    def at(self, token: Token, via: str) -> "Mention":
        """This entity, mentioned by ``token`` ("it", "the mine") and found ``via``."""
        return Mention(self.text, self.cls, token.idx, token.idx + len(token), self.lex, via)


@dataclass(frozen=True)
class RawCandidate:
    subject: Mention
    predicate: str
    object: Mention
    rule: str
    confidence: float
    modality: str
    #: what two readings of one fact in one sentence are compared by (:func:`candidate_rank`):
    #: the reading's uncalibrated confidence, so that the calibration decides nothing; None: ``confidence``
    rank: float | None = field(default=None, compare=False)


def candidate_rank(c: RawCandidate) -> tuple:
    """Which of two readings of one fact in one sentence is kept: a rule's first (it stands
    whatever the classifier's threshold), then the more confident (before calibration), then an
    asserted one, then by rule name (the same choice on every run)."""
    return (not c.rule.startswith("classifier"), c.confidence if c.rank is None else c.rank,
            c.modality == "asserted", c.rule)


# ---------------------------------------------------------------- document context
@dataclass
class DocumentMemory:
    """What carries over between the pieces of one long document: acronyms defined so far,
    members of each organisation named so far, and how often each country is named."""

    acronyms: dict[str, Mention] = field(default_factory=dict)
    members: dict[str, list[Mention]] = field(default_factory=dict)
    member_names: dict[str, set[str]] = field(default_factory=dict)  # the names in each list of members
    country_counts: Counter = field(default_factory=Counter)
    subject: "Mention | None" = None  # what the document is about (see document_subject)
    subject_known: bool = False


class DocContext:
    """What the extractor knows about one parsed document (or piece of one) while it reads it."""

    def __init__(self, doc: Doc, onto: Ontology, triggers: "TriggerIndex", acronyms: dict[str, Mention] | None = None,
                 memory: DocumentMemory | None = None):
        memory = memory or DocumentMemory()
        if acronyms:
            memory.acronyms.update(acronyms)
        self.doc = doc
        self.onto = onto
        self.triggers = triggers
        self.ent_at: dict[int, Span] = {}
        self.ents = list(doc.ents)  # doc.ents rebuilds its list on every access: read it once (in text order)
        self.ent_starts = [e.start for e in self.ents]  # for bisecting: the mentions near a token
        self.sent_ents: dict[int, list[Span]] = {}
        for ent in self.ents:
            self.sent_ents.setdefault(doc[ent.start].sent.start, []).append(ent)
            for i in range(ent.start, ent.end):
                self.ent_at[i] = ent
        self.acronyms = memory.acronyms
        self.demonyms = onto.demonyms
        self.capitals = onto.capitals
        self.members = memory.members  # organisation -> members named so far
        self.member_names = memory.member_names
        # relations with a general noun ("minerals") waiting for a "These include ..." sentence,
        # by the start of the sentence that stated them
        self.pending: dict[int, list[tuple]] = {}
        self.country_counts = memory.country_counts
        self.subject: Mention | None = memory.subject  # the document's subject (set by the driver)
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
        """Entity mentions before token index ``before``, nearest first (same sentence and a few before).

        The cost is that of the mentions in those sentences, whatever the length of the piece."""
        sent_start = self.doc[before].sent.start if before < len(self.doc) else 0
        first_sent = sent_start
        for _ in range(limit_sents):
            if first_sent == 0:
                break
            first_sent = self.doc[first_sent - 1].sent.start
        # only the mentions from ``first_sent`` to ``before`` are read (not every mention of the piece)
        i = bisect_left(self.ent_starts, before) - 1
        while i >= 0:
            ent = self.ents[i]
            i -= 1
            if ent.start < first_sent:
                break
            if ent.end > before:
                continue
            if classes is None or any(self.onto.is_a(ent.label_, c) for c in classes):
                yield ent


def define_acronyms(doc: Doc, known: dict[str, Mention] | None = None,
                    onto: Ontology | None = None) -> dict[str, Mention]:
    """Acronyms defined as "Long Name (ACR)" (or earlier in the document: ``known``) and their
    uses become entities of the long name's class."""
    acronyms: dict[str, Mention] = dict(known or {})
    ents = list(doc.ents)
    ents = _long_forms(doc, ents, onto)
    for ent in ents:
        end = ent.end
        if end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")":
            acr = doc[end + 1].text
            if acr.isupper() and 2 <= len(acr) <= 8 and acr.isalpha() and acr[0] == ent.text[0].upper():
                acronyms[acr] = Mention(ent.text, ent.label_, ent.start_char, ent.end_char, ent.ent_id_ or None)
    if not acronyms:
        return acronyms
    spans = []
    for tok in doc:
        if tok.text in acronyms:
            long = acronyms[tok.text]
            spans.append(Span(doc, tok.i, tok.i + 1, label=long.cls, span_id=long.lex or ""))
    kept = [e for e in ents if not (e.end - e.start == 1 and e.text in acronyms)]
    taken = {i for e in kept for i in range(e.start, e.end)}
    doc.ents = filter_spans(kept + [s for s in spans if s.start not in taken])
    return acronyms


def _long_forms(doc: Doc, ents: list[Span], onto: Ontology | None = None) -> list[Span]:
    """Make an entity of a capitalised name defined with an acronym ("Tenke Fungurume Mining SA (TFM)")
    when the NER did not find it."""
    onto = onto or load_ontology()
    ent_ends = {e.end for e in ents}
    new = []
    for tok in doc:
        if tok.text != "(" or tok.i + 2 >= len(doc) or doc[tok.i + 2].text != ")" or tok.i in ent_ends:
            continue
        acr = doc[tok.i + 1].text
        if not (acr.isupper() and acr.isalpha() and 2 <= len(acr) <= 8):
            continue
        start = tok.i
        while start > 0 and tok.i - start < len(acr) + 4:
            prev = doc[start - 1]
            if prev.text[:1].isupper() or (prev.lower_ in ("of", "and", "for", "&") and start < tok.i):
                start -= 1
            else:
                break
        while start < tok.i and not doc[start].text[:1].isupper():
            start += 1
        initials = "".join(t.text[0] for t in doc[start:tok.i] if t.text[:1].isupper())
        if start >= tok.i or not initials.startswith(acr):
            continue
        words = [t.lower_ for t in doc[start:tok.i]]
        cls = onto.class_for_head(words[-1])
        if cls in (None, "Product"):
            cls = "Company" if any(onto.class_for_head(w) == "Company" for w in words) else "Organisation"
        new.append(Span(doc, start, tok.i, label=cls))
    if not new:
        return ents
    taken = {i for s in new for i in range(s.start, s.end)}
    merged = filter_spans([e for e in ents if not taken.intersection(range(e.start, e.end))] + new)
    doc.ents = merged
    return list(doc.ents)


# ties between labels of the same name go to the more specific reading; a person comes last
_LABEL_RANK = {name: i for i, name in enumerate(
    ["Country", "Mine", "Facility", "Event", "Region", "Place", "Company", "GovernmentBody", "Alliance",
     "Organisation", "Mineral", "Product", "Person"])}


def one_sense_per_document(doc: Doc) -> None:
    """A name is the same kind of thing everywhere in a document: every occurrence of an
    entity's words becomes an entity, with the label it has most often."""
    labels: dict[tuple[str, ...], Counter] = {}
    ids: dict[tuple[str, ...], str] = {}
    for e in doc.ents:
        words = tuple(t.text for t in e)
        if not e.text[:1].isupper() or len(e.text) < 3:
            continue
        labels.setdefault(words, Counter())[e.label_] += 1
        if e.ent_id_:
            ids[words] = e.ent_id_
    if not labels:
        return
    # a person named in full is later named by one of the names alone ("Shigeru Ishiba" ... "Ishiba",
    # "Prabowo Subianto" ... "Prabowo"); a known name from the lexicon ("Georgia") stays what it is
    for words, counts in list(labels.items()):
        if len(words) >= 2 and counts.most_common(1)[0][0] == "Person":
            for short in {(words[-1],), (words[0],)}:
                if short[0][:1].isupper() and len(short[0]) > 2 and short not in ids:
                    labels[short] = Counter({"Person": 1 + sum(labels.get(short, Counter()).values())})
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for words in labels:
        by_first.setdefault(words[0], []).append(words)
    spans = []
    for tok in doc:
        for words in sorted(by_first.get(tok.text, []), key=len, reverse=True):
            if tuple(t.text for t in doc[tok.i:tok.i + len(words)]) == words:
                label = sorted(labels[words].items(), key=lambda kv: (-kv[1], _LABEL_RANK.get(kv[0], 99)))[0][0]
                spans.append(Span(doc, tok.i, tok.i + len(words), label=label, span_id=ids.get(words, "")))
                break
    covered = {i for s in spans for i in range(s.start, s.end)}
    others = [e for e in doc.ents if not covered.intersection(range(e.start, e.end))]
    doc.ents = filter_spans(spans + others)


def titled_people(doc: Doc, onto: Ontology) -> None:
    """ "Minister of Industry and Mineral Resources Bandar Alkhorayef": a two-word capitalised name
    set in apposition to a title is a person, even where the NER found none."""
    titles = onto.title_heads
    taken = {i for e in doc.ents for i in range(e.start, e.end)}
    spans = []
    for tok in doc:
        if tok.lower_ not in titles:
            continue
        for c in tok.children:
            if c.dep_ not in ("appos", "compound") or c.i <= tok.i or c.pos_ != "PROPN" or c.i in taken:
                continue
            first = doc[c.i - 1]
            if first.pos_ == "PROPN" and first.text[:1].isupper() and first.i not in taken \
                    and onto.class_for_head(first.lower_) is None and c.text[:1].isupper() and c.is_alpha:
                spans.append(Span(doc, first.i, c.i + 1, label="Person"))
    if spans:
        doc.ents = filter_spans(list(doc.ents) + spans)


def company_prefixes(doc: Doc, onto: Ontology) -> None:
    """ "PT Indonesia Morowali Industrial Park" is a company: a legal-form word in capitals
    right before a name makes the name a company's."""
    spans = []
    for e in doc.ents:
        if e.start > 0:
            prev = doc[e.start - 1]
            if prev.is_upper and prev.is_alpha and len(prev) <= 4 and not prev.ent_type_ \
                    and onto.class_for_head(prev.lower_) == "Company":
                spans.append(new_name(doc, e.start - 1, e.end, "Company"))
    if spans:
        taken = {i for s in spans for i in range(s.start, s.end)}
        doc.ents = filter_spans(spans + [e for e in doc.ents if not taken.intersection(range(e.start, e.end))])


def company_suffixes(doc: Doc, onto: Ontology) -> None:
    """ "Syrah Technologies, LLC", "Traxys North America LLC", "The Goldman Sachs Group, Inc.": a
    legal-form word right after a name (with or without a comma) ends the company's name; alone it
    is no company of its own (the small NER reads "LLC" as one)."""
    def legal_form(t) -> bool:
        word = t.text.replace(".", "")
        return (word.isupper() or t.text[:1].isupper()) and 1 < len(word) <= 4 and word.isalpha() \
            and onto.class_for_head(t.lower_) == "Company"

    out, changed, skip = [], False, set()
    ents = list(doc.ents)
    for k, e in enumerate(ents):
        if (e.start, e.end) in skip:
            continue
        end = e.end
        nxt = ents[k + 1] if k + 1 < len(ents) else None
        if e.label_ in ("Company", "Organisation") and not legal_form(e[0]):
            j = end + 1 if end < len(doc) and doc[end].text == "," else end
            if j < len(doc) and legal_form(doc[j]) and (nxt is None or nxt.start > j or nxt.end <= j + 1):
                end = j + 1  # (not "Tsingshan, PT Vale Indonesia": there "PT" starts the next name)
        if end != e.end:
            if nxt is not None and nxt.start < end:
                skip.add((nxt.start, nxt.end))  # "LLC" read as a name of its own
            out.append(new_name(doc, e.start, end, "Company"))
            changed = True
        else:
            out.append(e)
    if changed:
        doc.ents = filter_spans(out)


#: lower-case words inside a name, between its capitalised parts: "Ursula von der Leyen", "Carlos
#: Ibanez del Campo", "Union Minière du Haut Katanga", "Mohammed bin Salman"
NAME_PARTICLES = frozenset({"von", "van", "der", "den", "de", "del", "della", "di", "da", "das", "do", "dos",
                            "du", "la", "le", "bin", "ibn", "ter", "y"})


def split_names(doc: Doc, onto: Ontology) -> None:
    """Join a name the NER cut in two: "Rampura Agucha" (found as "Rampura" and "Agucha"),
    "Teck Cominco", "Cosco Shipping Ports Chancay Perú S.A.", or at lower-case name particles,
    "Ursula von der Leyen" (found as "Ursula von" and "Leyen").

    Two names written one after the other are one where the first is no name the lexicon knows but
    a company's ("Lynas USA"), no demonym and no person unless the second is one too, and the
    second is no person unless the first is one ("Secretary of State Marco Rubio", "President of
    Peru Alan García" name two things); a company's or organisation's name goes on with a place
    ("Lynas USA", "PT Freeport Indonesia"), any other with an unknown name only. The whole is of
    the class its last word is the head word of ("... Chancay Perú S.A."), else of the company's
    or organisation's class, else of the second name's. Not in a headline, where every word is
    capitalised, nor for minerals and products ("the Las Bambas copper mine").

    >>> import spacy
    >>> from spacy.tokens import Span
    >>> from kg.ontology import load_ontology
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("sentencizer")
    >>> doc = nlp("The president, Ursula von der Leyen, said that she had seen the large zinc mine at "
    ...           "Rampura Agucha in Rajasthan.")
    >>> doc.ents = [Span(doc, 3, 5, "Person"), Span(doc, 6, 7, "Region"), Span(doc, 18, 19, "Region"),
    ...             Span(doc, 19, 20, "Mine"), Span(doc, 21, 22, "Region")]
    >>> split_names(doc, load_ontology())
    >>> [(e.text, e.label_) for e in doc.ents]
    [('Ursula von der Leyen', 'Person'), ('Rampura Agucha', 'Mine'), ('Rajasthan', 'Region')]
    """
    from ..components.entity_typer import _title_case

    def capitalised(e: Span) -> bool:
        return e[0].text[:1].isupper() and (e[-1].text[:1].isupper() or e[-1].is_punct or e[-1].like_num
                                            or e[-1].lower_ in NAME_PARTICLES)

    def joined(a: Span, b: Span) -> str | None:
        """The class of the name ``a`` and ``b`` make together, or None if they are two names."""
        gap = [t for t in a if t.lower_ in NAME_PARTICLES and t.i == a.end - 1] + list(doc[a.end:b.start])
        if a.sent.start != b.sent.start or not capitalised(a) or not capitalised(b) \
                or {a.label_, b.label_} & {"Mineral", "Product", "Event"} or a.text in onto.demonyms:
            return None
        if len(gap) and not all(t.lower_ in NAME_PARTICLES and t.is_lower for t in gap):
            return None
        if len(gap):  # at particles the name's first part decides what it names
            return a.label_ if not a.ent_id_ and len(gap) <= 2 else None
        if (a.ent_id_ and a.label_ != "Company") or (a.label_ == "Person") != (b.label_ == "Person") \
                or _title_case(a.sent):
            return None
        head = onto.class_for_head(b[-1].lower_) or onto.class_for_head(b[-1].lower_.rstrip("."))  # "... S.A."
        if a.label_ in ("Company", "Organisation"):
            if b.ent_id_ and not onto.is_a(b.label_, "Place"):
                return None
            return head or a.label_
        if b.ent_id_:
            return None
        return head or b.label_

    ents = list(doc.ents)
    out, changed = [], False
    for e in ents:
        label = joined(out[-1], e) if out else None
        if label is not None:
            out[-1] = new_name(doc, out[-1].start, e.end, label)
            changed = True
        else:
            out.append(e)
    if changed:
        doc.ents = out


#: words that name a part of a place when written capitalised before its name: "Western Australia",
#: "South America", "Central Africa", "Inner Mongolia" (lower case, "northern Chile", they are
#: only a direction in the place)
PART_WORDS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western",
    "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern", "southeastern",
    "southwestern", "central", "upper", "lower", "inner", "outer",
})


def _extend_left(doc: Doc, extend) -> None:
    """Give names words before them: ``extend(ent)`` is ``(start, label)`` for a name that now
    starts at token ``start`` with class ``label``, or ``None`` to keep it as it is."""
    out, changed = [], False
    for ent in doc.ents:
        new = extend(ent)
        if new is not None:
            ent = new_name(doc, new[0], ent.end, new[1])
            changed = True
        out.append(ent)
    if changed:
        doc.ents = filter_spans(out)


def places_with_a_part_word(doc: Doc, onto: Ontology) -> None:
    """ "Western Australia", "South America": a capitalised direction or part word right before a
    lexicon place in mid-sentence names a region of its own, not the country the lexicon knows
    ("America" is the United States). Not before a demonym: "Western Australian" would name the
    region by its adjective, apart from "Western Australia" (it stays the country's demonym).

    A part word in lower case ("northern Chile") or at the start of a sentence, where every word
    is capitalised, stays a direction in the country; so does one before a longer name that goes
    on with a capitalised word ("North American Aerospace Defense Command" is no region)."""
    def extend(ent: Span) -> tuple[int, str] | None:
        if (ent.ent_id_ and ent.start - 1 > ent.sent.start and onto.is_a(ent.label_, "Place")
                and ent.text not in onto.demonyms):
            part, after = doc[ent.start - 1], doc[ent.end] if ent.end < len(doc) else None
            goes_on = after is not None and after.is_alpha and after.text[:1].isupper()
            if part.lower_ in PART_WORDS and part.text[:1].isupper() and not part.ent_type_ and not goes_on:
                return part.i, "Region"
        return None

    _extend_left(doc, extend)


def the_in_names(doc: Doc, onto: Ontology) -> None:
    """ "a subsidiary of The Metals Company": a capitalised "The" in mid-sentence, right after a
    word or a comma, is the first word of the name that follows (the typer took it off).

    Not at the start of a sentence or after a colon, a quote or a dash, where any "The" is
    capitalised, nor in a headline, nor before a name the lexicon knows ("The Chinese ...")."""
    from ..components.entity_typer import _title_case

    def extend(ent: Span) -> tuple[int, str] | None:
        the = doc[ent.start - 1] if ent.start > ent.sent.start + 1 else None
        if the is not None and the.text == "The" and not ent.ent_id_ and not _title_case(ent.sent):
            before = doc[the.i - 1]
            if (before.is_alpha and before.is_lower or before.text == ",") and not before.is_sent_start:
                return the.i, ent.label_
        return None

    _extend_left(doc, extend)


#: an event's number or ordinal before its name: "the 2023 BRICS summit", "the 49th G7 summit"
_EVENT_NUMBER = re.compile(r"^(?:\d{4}|\d+(?:st|nd|rd|th))$", re.IGNORECASE)


def _name_word_before(tok: Token, ent: Span, onto: Ontology) -> bool:
    """Whether ``tok``, right before ``ent``, is a first word of the same name the NER split off:
    a capitalised proper noun or number word ("Humboldt Mill", "Two Rivers mine") bound to
    the name by the parse (a compound, flat or number modifier of a word of the name, or of the
    word the name's own first word modifies), or a year or ordinal before an event's name
    ("2023 BRICS summit"). A title ("President"), a class's head word ("Mine"), a demonym
    ("Chinese") or a determiner is not part of the name."""
    if tok.ent_type_ or tok.is_punct or tok.is_space:
        return False
    heads = {ent.start, ent.end - 1, ent.root.i, ent[0].head.i} | {t.i for t in ent}
    if tok.head.i not in heads or tok.dep_ not in ("compound", "flat", "nmod", "nummod", "amod"):
        return False
    if ent.label_ == "Event" and _EVENT_NUMBER.match(tok.text):
        return True
    if ent.label_ == "Person":  # "Representative", "Colonel", "Mr" before a person's name are titles
        return tok.pos_ == "PROPN" and re.fullmatch(r"[A-Z]\.?", tok.text) is not None  # an initial: "J David Lowell"
    word = tok.lower_
    return (tok.pos_ in ("PROPN", "NUM") and tok.text[:1].isupper() and tok.is_alpha and word not in onto.title_heads
            and onto.class_for_head(word) is None and tok.text not in onto.demonyms)


def _hyphened(doc: Doc, start: int) -> bool:
    """Whether a capitalised word is joined by a hyphen to the name that starts at ``start``:
    "Manono-Kitotolo mine", "Chad-Cameroon pipeline" (for a name that ends in a site's or an
    event's head word: "Luau-Lobito" is a route, "Anglo-Dutch Billiton plc" a company)."""
    dash, word = doc[start - 1], doc[start - 2]
    return dash.text in ("-", "\u2013") and not dash.whitespace_ and not word.whitespace_ \
        and word.is_alpha and word.text[:1].isupper()


def names_to_the_left(doc: Doc, onto: Ontology) -> None:
    """Give back a name the first words the NER split off: "Two Rivers mine" (found as "Rivers
    mine"), "J David Lowell", "the Humboldt Mill", "the 2023 BRICS summit", "the Manono-Kitotolo
    mine" (found as "Kitotolo mine").

    A name that the lexicon knows keeps its words ("Freeport Indonesia" names no country), as
    does a name in a headline, where every word is capitalised; before a person's name, only an
    initial is taken (the capitalised words there are titles: "Representative", "Colonel")."""
    from ..components.entity_typer import _title_case

    def extend(ent: Span) -> tuple[int, str] | None:
        start = ent.start
        known = ent.ent_id_ and onto.class_for_head(ent[-1].lower_) is None  # not "BRICS summit"
        if not known and ent.label_ not in ("Country", "Mineral", "Product") and not _title_case(ent.sent):
            # "Kitotolo mine", not "Lobito" ("the Luau-Lobito line") nor "Alaska" ("R-Alaska")
            site = onto.class_for_head(ent[-1].lower_)
            headed = site is not None and (onto.is_a(site, "Facility") or site == "Event")
            while start > ent.sent.start:
                if _name_word_before(doc[start - 1], Span(doc, start, ent.end, ent.label_), onto):
                    start -= 1
                elif start - 2 >= ent.sent.start and headed and _hyphened(doc, start):
                    start -= 2  # the name they are part of takes in a name before it: "Chad" in this one
                else:
                    break
        return (start, ent.label_) if start < ent.start else None

    _extend_left(doc, extend)


def headed_names(doc: Doc, onto: Ontology) -> None:
    """ "Freda-Rebecca Gold Mine", "Ok Tedi Copper and Gold Mine", "Copper Mountain Mining": a run
    of capitalised words that ends in a capitalised head word of a site or a company is one name
    of that class, where the NER found none of it or only a piece (the lexicon ruler then reads
    "Gold" as the metal). Inside the run, "and" and "&" join only mineral words ("Copper and Gold
    Mine"), a hyphen joins words written close ("Freda-Rebecca"). At least one word must be
    neither a mineral, a head word nor a demonym ("Gold Mine", "Chinese Mining" are no names); a
    name the NER found whole, or longer, and a headline, where every word is capitalised, are
    left as they are.

    >>> import spacy
    >>> from kg.ontology import load_ontology
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("sentencizer")
    >>> doc = nlp("The company sold the Freda-Rebecca Gold Mine and its shares in Copper Mountain Mining in June.")
    >>> headed_names(doc, load_ontology())
    >>> [(e.text, e.label_) for e in doc.ents]
    [('Freda-Rebecca Gold Mine', 'Mine'), ('Copper Mountain Mining', 'Company')]
    """
    from ..components.entity_typer import _title_case

    heads, minerals = onto.name_heads, onto.mineral_words
    ents = list(doc.ents)  # doc.ents rebuilds its list on every access

    def capital(t: Token) -> bool:
        return t.is_alpha and t.text[:1].isupper() and t.pos_ not in ("DET", "PRON", "ADP", "CCONJ", "AUX")

    def joined(word: Token, dash: Token) -> bool:  # "Freda-Rebecca": a hyphen written close
        return dash.text in ("-", "\u2013") and not dash.whitespace_ and not word.whitespace_

    new: list[Span] = []
    for sent in doc.sents:
        if _title_case(sent):
            continue
        i = sent.start
        while i < sent.end:
            if not capital(doc[i]):
                i += 1
                continue
            j = i + 1  # the run of capitalised words from i to j
            while j < sent.end:
                if capital(doc[j]):
                    j += 1
                elif j + 1 < sent.end and capital(doc[j + 1]) and (joined(doc[j - 1], doc[j]) or (
                        doc[j].lower_ in ("and", "&") and doc[j - 1].lower_ in minerals
                        and doc[j + 1].lower_ in minerals)):
                    j += 2
                else:
                    break
            end = j
            while end > i and doc[end - 1].lower_ not in heads:
                end -= 1  # the name ends at its last head word
            words = [t for t in doc[i:end] if t.is_alpha]
            if end - i >= 2 and any(t.lower_ not in minerals and t.lower_ not in heads and t.lower_ != "and"
                                    and t.text not in onto.demonyms for t in words) \
                    and not any(e.start <= i and end <= e.end for e in ents):
                new.append(new_name(doc, i, end, onto.class_for_head(doc[end - 1].lower_)))
            i = max(j, i + 1)
    if new:
        taken = {k for s in new for k in range(s.start, s.end)}
        doc.ents = filter_spans(new + [e for e in ents if not taken.intersection(range(e.start, e.end))])


def bare_head_words(doc: Doc, onto: Ontology) -> None:
    """ "the Ministerial", "the Summit", "the Company": a class's head word alone, capitalised
    after "the", refers to a name (the page's subject, a name just before); it is no name of its
    own, so it is left to the references. A place in common words ("the east coast") or a direction
    alone ("the West") is no name either (:func:`_generic_place`)."""
    heads = onto.head_nouns
    kept = [e for e in doc.ents if not (len(e) == 1 and not e.ent_id_ and e[0].lower_ in heads
                                        and e.start > 0 and doc[e.start - 1].lower_ == "the")
            and not _generic_place(e, onto)]
    if len(kept) < len(doc.ents):
        doc.ents = kept


def _generic_place(e: Span, onto: Ontology) -> bool:
    """ "the east coast of Africa", "the West": a place or site described in common words, or a
    direction alone, is no name (the lexicon's names, "Western Australia", are kept)."""
    if e.ent_id_ or not any(onto.is_a(e.label_, c) for c in ("Place", "Facility")):
        return False
    if all(t.is_lower or t.is_punct for t in e):
        return True
    return len(e) == 1 and e[0].lower_ in PART_WORDS


def _words(text: str) -> list[str]:
    """The words of a name for comparing it with a title: folded case and accents, plurals made
    singular ("Tsingshan Holdings Group" and "Tsingshan Holding Group")."""
    return [singular(w) for w in fold_words(text)]


def _title_written_out(sent: Span, title: str) -> Span | None:
    """The words of ``sent`` that spell the title ("Lithium Triangle" in "The Lithium Triangle
    (Spanish: ...) is a region"), or, when the sentence is a definition, its subject when that is
    a name made of the title's words ("Cobre Panamá is a copper mine" for "Cobre mine, Panama")."""
    words = [(w, tok.i) for tok in sent for w in _words(tok.text)]
    core = _words(re.split(r"\s[(\[]|,\s", title, maxsplit=1)[0])
    core = core[1:] if core[:1] == ["the"] else core
    n = len(core) if len(core) <= _MAX_TITLE_NAME else 0  # a headline is not a name
    for k in range(len(words) - n + 1) if n else ():
        if [w for w, _ in words[k:k + n]] == core:
            name = sent.doc[words[k][1]:words[k + n - 1][1] + 1]
            return name if _is_name(name) else None
    root = sent.root
    if root.lemma_ != "be":
        return None
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "PROPN"), None)
    if subj is None:
        return None
    start = subj.i
    while start > sent.start and sent.doc[start - 1].dep_ == "compound" and sent.doc[start - 1].pos_ == "PROPN":
        start -= 1
    name = sent.doc[start:subj.i + 1]
    mine, in_title = _words(name.text), set(_words(title))
    if len(mine) > 1 and mine[0] in in_title and sum(w in in_title for w in mine) * 2 >= len(mine) and _is_name(name):
        return name
    return None


#: a title longer than this many words is a headline, not a name
_MAX_TITLE_NAME = 6


def _is_name(span: Span) -> bool:
    """Capitalised words, with small words between ("Forum on China-Africa Cooperation"), not a
    name with a description ("Las Bambas copper mine": the name is "Las Bambas")."""
    return span[0].text[:1].isupper() and all(
        t.text[:1].isupper() or not t.is_alpha or t.pos_ in ("ADP", "CCONJ", "DET", "PART") for t in span)


def document_subject(doc: Doc, title: str | None, onto: Ontology | None = None) -> Span | None:
    """The name a document is about: the longest name that its title contains, else the subject of
    its first sentence when that is a name ("Escondida is a copper mine..."). Encyclopedia pages
    and releases go on to call it "it", "the mine", "the company".

    When the first sentence writes out a longer name of the title than any entity the title
    contains ("The Lithium Triangle is a region ..." where the model found only "Lithium"), that
    name is the subject; with ``onto``, a name no entity covers becomes an entity when its
    definition gives a class (the entities it overlaps give way).
    """
    ents = [e for e in doc.ents if e.text[:1].isupper() or e.text[:1].isdigit()]  # "2026 ... Ministerial"
    first = next(iter(doc.sents), None)
    best = None
    if title:
        low = title.lower()
        inside = [e for e in ents if len(e.text) > 2 and e.text.lower() in low]
        if inside:
            best = max(inside, key=lambda e: (len(e.text), -e.start))
    if title and first is not None:
        written = _title_written_out(first, title)
        if written is not None and (best is None or len(written.text) > len(best.text)):
            cover = next((e for e in doc.ents if e.start <= written.start and written.end <= e.end), None)
            if cover is not None:
                return cover
            cls = _defined_class(written.root, onto) if onto is not None else None
            if cls is not None:
                span = Span(doc, written.start, written.end, label=cls)
                doc.ents = filter_spans([span, *(e for e in doc.ents if e.end <= span.start or e.start >= span.end)])
                return span
    if best is not None:
        return best
    if first is not None:
        for e in ents:
            if e.start >= first.end:
                break
            if e.root.dep_ in ("nsubj", "nsubjpass") and e.root.head.dep_ == "ROOT":
                return e
    return None


#: small words inside a proper name ("Forum on China-Africa Cooperation", "Summit of the Americas")
_NAME_LINKS = frozenset({"of", "on", "for", "and", "the", "in", "de", "du", "des", "la", "&"})


def title_name(title: str | None, onto: Ontology) -> tuple[str, str] | None:
    """The name and class of a title that is itself a proper name of a class: capitalised words
    (numbers and small words between them) whose head is one of the class's head words ("2026
    Critical Minerals Ministerial", "Forum on China-Africa Cooperation"). A headline, a title with
    a lower-case head ("Cobre mine, Panama"), a title with a subtitle ("...: Panel Report") and a
    company's name ("... Mining", "... Group": the body writes a company's name out, often longer)
    are not.

    >>> onto = load_ontology()
    >>> title_name("2026 Critical Minerals Ministerial", onto), title_name("Summit of the Americas", onto)
    (('2026 Critical Minerals Ministerial', 'Event'), ('Summit of the Americas', 'Event'))
    >>> title_name("Critical minerals", onto), title_name("Economy of Guinea: Mining", onto)
    (None, None)
    """
    if not title:
        return None
    core = re.split(r"\s[(\[]|,\s|\s[-\u2013\u2014|]\s", title.strip(), maxsplit=1)[0].strip()
    if ":" in core:
        return None  # "Cigar Lake Uranium Mine Project: Panel Report": a report's title
    words = core.split()
    if words[:1] in (["The"], ["the"]):
        words = words[1:]
    if not 2 <= len(words) <= _MAX_TITLE_NAME or not words[-1][:1].isupper():
        return None
    if not all(w[:1].isupper() or w[:1].isdigit() or w in _NAME_LINKS for w in words):
        return None
    link = next((i for i, w in enumerate(words) if i > 0 and w in _NAME_LINKS), len(words))
    cls = onto.class_for_head(words[link - 1].lower())  # "Summit of the Americas": the summit
    if cls is None or cls in ("Product", "Mineral", "Company") or onto.is_a(cls, "Country"):
        return None
    return " ".join(words), cls


def _without_number(words: list[str]) -> list[str]:
    """A name's words without a year or ordinal in front ("2026 Critical Minerals Ministerial")."""
    return words[1:] if words[:1] and words[0][:1].isdigit() else words


def _name_in_body(doc: Doc, words: list[str]) -> bool:
    """Whether the body writes the name of ``words`` (folded words, in a row)."""
    text = [w for tok in doc for w in _words(tok.text)]
    return any(text[k:k + len(words)] == words for k in range(len(text) - len(words) + 1))


def title_subject(doc: Doc, title: str | None, onto: Ontology) -> Mention | None:
    """The document's subject when only its title names it: the title is a proper name of a class
    (:func:`title_name`) that no name of the body writes out, as on a release headed "2026
    Critical Minerals Ministerial" that goes on to say "the Ministerial", "the meeting" and who
    attended. A name inside the title ("Critical Minerals") is part of that name, not the subject;
    a name of the body that starts like the title and goes on otherwise is ("Tenke Fungurume
    Mining SA" on the page "Tenke Fungurume Mine").

    The mention stands nowhere in the text (offsets 0, 0); "the meeting" refers to it."""
    named = title_name(title, onto)
    if named is None:
        return None
    name, cls = named
    words = _without_number(_words(name))
    if _name_in_body(doc, words):
        return None  # the body writes the name: document_subject finds it there
    stem = words[:-1]
    for e in doc.ents:  # "Tenke Fungurume Mining SA" on the page "Tenke Fungurume Mine": the body's name
        mine = _without_number(_words(e.text))
        if len(mine) > len(stem) and mine[:len(stem)] == stem:
            return None
    return Mention(name, cls, 0, 0, None, "ref")


#: a definition's noun that says nothing of the class by itself: "one of the largest mines"
_DEFINITION_WRAPPERS = frozenset({"one", "part", "member", "kind", "type", "name"})


def _definition_noun(root: Token) -> Token | None:
    """The noun that defines the name whose head is ``root``: "X is an open-pit copper mine",
    "X, a mining company that ...", "X is one of the largest cobalt mines"."""
    noun = None
    while root.dep_ == "compound" and root.head.i > root.i:  # "Las Bambas copper mine is ...": the mine
        root = root.head
        if root.dep_ != "compound":
            return root
    verb = root.head
    if not (root.dep_ in ("nsubj", "nsubjpass") and verb.lemma_ == "be"):
        # "Chuquicamata (/.../; referred to as Chuqui for short) is the largest open pit copper
        # mine": a bracket between the name and its verb leaves the parse without a subject
        verb = root.sent.root
        doc = root.doc
        if not (verb.lemma_ == "be" and verb.i > root.i + 2 and doc[root.i + 1].text in "(["
                and doc[verb.i - 1].text in ")]"):
            verb = None
    if verb is not None:
        noun = next((c for c in verb.children if c.dep_ in ("attr", "acomp") and c.pos_ in ("NOUN", "PROPN",
                                                                                            "NUM", "PRON")), None)
    if noun is None:
        noun = next((c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN"), None)
    if noun is not None and noun.lemma_.lower() in _DEFINITION_WRAPPERS:
        noun = next((p for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"
                     for p in c.children if p.dep_ == "pobj"), None)
    return noun


def _defined_class(root: Token, onto: Ontology) -> str | None:
    """The class that the definition of the name whose head is ``root`` gives (the defining noun
    as a reference or head word of a class), or None."""
    noun = _definition_noun(root)
    for word in dict.fromkeys((noun.lemma_.lower(), noun.lower_) if noun is not None else ()):
        cls = onto.class_for_reference(word) or onto.class_for_head(word)
        if cls is not None:
            return cls
    return None


def define_subject(doc: Doc, subject: Span, onto: Ontology) -> Span:
    """Give the document's subject the class its definition states, in every mention of it.

    Encyclopedia pages and releases define their subject near the top ("Escondida is a copper
    mine in ...", "Debswana, a mining company ..."): the defining noun (one of a class's head or
    reference words in the ontology) is stronger evidence than the statistical NER label, which
    reads an unknown name as a person or an organisation. Names the lexicon knows keep their class.
    Returns the subject's span (re-made when its class changed).
    """
    if subject.ent_id_:
        return subject
    key = subject.text.lower()
    keys = {key}

    def same(text: str) -> bool:  # "Molycorp" and "Molycorp Inc.", "De Beers" and "De Beers Group"
        a, b = f"{text.lower()} ", f"{key} "
        return a.startswith(b) or b.startswith(a)

    cls = None
    for sent in list(doc.sents)[:3]:
        for ent in (e for e in doc.ents if sent.start <= e.start < sent.end and same(e.text) and not e.ent_id_):
            keys.add(ent.text.lower())
            cls = _defined_class(ent.root, onto)
            if cls is not None:
                break
        if cls is not None:
            break
    if cls is None:  # "... the main Escondida mine": the name with a head noun elsewhere in the text
        heads = Counter(onto.class_for_head(e[-1].lemma_.lower()) for e in doc.ents
                        if e.text.lower().startswith(key + " ") and len(e) == len(subject) + 1)
        heads.pop(None, None)
        if len(heads) == 1:
            cls = next(iter(heads))
    if cls is None and len(subject) > 1:  # "Pebble Mine is the common name of ...": the name's own head
        cls = onto.class_for_head(subject[-1].lemma_.lower())
    if cls is None or onto.is_a(subject.label_, cls):
        return subject
    out, changed = [], None
    for ent in doc.ents:
        if not ent.ent_id_ and ent.text.lower() in keys and ent.label_ != cls:
            new = Span(doc, ent.start, ent.end, label=cls, span_id=ent.id)
            if ent.start == subject.start:
                changed = new
            ent = new
        out.append(ent)
    doc.ents = out
    return changed if changed is not None else subject
