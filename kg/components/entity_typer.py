"""Give every entity an ontology class and a clean span.

The component ``kg_entity_typer`` runs after the statistical NER. For each
entity it

* drops types the graph has no use for (dates, money, numbers ...);
* trims a leading determiner and a trailing possessive or punctuation
  ("the Peru's" -> "Peru");
* picks the ontology class: the lexicon's class when the lexicon ruler found
  it, else the class of a head word of the name ("... Mining District" ->
  ``Mine``, "... Committee" -> ``GovernmentBody``), else the class that the
  ontology gives the NER label (``GPE`` -> ``Region``);
* extends a name over a following head word that names what it is
  ("APEC summit", "Bahodopi district").

Examples
--------
>>> import spacy
>>> nlp = spacy.blank("en")
>>> _ = nlp.add_pipe("kg_lexicon_ruler")
>>> _ = nlp.add_pipe("kg_entity_typer")
>>> doc = nlp("Ishiba flew to Peru for the APEC summit.")
>>> [(e.text, e.label_) for e in doc.ents]
[('Peru', 'Country'), ('APEC summit', 'Event')]
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..ontology import load_ontology

if not Doc.has_extension("kg_ner"):
    # the statistical NER's own label of each name, by its first token (kept for the mention typer)
    Doc.set_extension("kg_ner", default=None)

DROP_LABELS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
               "LANGUAGE", "WORK_OF_ART", "LAW", "NORP"}
TRIM_START = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "our", "his", "her", '"', "“", "‘"}
TRIM_END = {"'s", "'", "’s", "’", ",", ".", ";", ":", "-", "(", ")", '"', "“", "”"}


def new_name(doc: Doc, start: int, end: int, label: str) -> Span:
    """A span for a name kg made up from smaller entities: no lexicon id is left on its tokens
    (spaCy would otherwise read the span as the lexicon entity of its last word)."""
    for t in doc[start:end]:
        t.ent_id_ = ""
    return Span(doc, start, end, label=label, span_id="")


#: the classes the statistical NER gives names it does not know, most of them wrongly for a site's
#: name ("the Buritica gold mine", with "Buritica" read as a person)
WEAK_CLASSES = frozenset({"Person", "Organisation"})


def _weak(ent: Span) -> bool:
    """A name only the statistical NER vouches for, with a class it often gives to a site's name:
    no lexicon entry, and a person or an organisation."""
    return not ent.id_ and ent.label_ in WEAK_CLASSES


def _title_case(sent: Span) -> bool:
    """A headline: most of its words are capitalised. A sentence that ends in a full stop and has
    lower-case words of its own is prose, however many names it lists ("The largest mines include
    Ok Tedi Copper and Gold Mine, Porgera Gold Mine, Lihir Gold Mine ...")."""
    words = [t for t in sent if t.is_alpha and len(t) > 3]
    if sent.text.rstrip().endswith(".") and sum(t.text[:1].islower() for t in words) >= 3:
        return False
    return len(words) >= 4 and sum(t.text[:1].isupper() for t in words) >= 0.7 * len(words)


def _unit_after_number(span: Span) -> bool:
    """A unit the model read as a name: "a 300 MW plant", "4.5 Mtpa" (not "in 2019 BHP said")."""
    if len(span) != 1 or span.ent_id_ or len(span.text) > 4 or span.start == 0:
        return False
    before = span.doc[span.start - 1]
    year = before.text.isdigit() and len(before.text) == 4
    return before.like_num and not year


def _bracketed(span: Span, reach: int = 8) -> tuple[int, int] | None:
    """The tokens between the brackets ``span`` stands in (the bracket tokens' indices), if any
    within ``reach`` tokens on either side."""
    doc = span.doc
    first, last = (span.sent.start, span.sent.end) if doc.has_annotation("SENT_START") else (0, len(doc))
    left = next((i for i in range(span.start - 1, max(first, span.start - reach) - 1, -1)
                 if doc[i].text in ("(", ")")), None)
    right = next((i for i in range(span.end, min(last, span.end + reach)) if doc[i].text in ("(", ")")), None)
    if left is None or right is None or doc[left].text != "(" or doc[right].text != ")":
        return None
    return left, right


def _code_in_brackets(span: Span) -> bool:
    """A code the model read as a name: a currency after an amount, "$2.5 billion (USD)", or a
    stock listing after a company's name, "(NSE: HINDZINC, BSE: 500188)", "(ASX: OZL)" (the
    exchange's code and the ticker are no companies)."""
    where = _bracketed(span)
    if where is None:
        return False
    doc, (left, right) = span.doc, where
    inside = doc[left + 1:right]
    if any(t.text == ":" and t.i > left + 1 and t.i + 1 < right and doc[t.i - 1].is_upper and doc[t.i - 1].is_alpha
           and 2 <= len(doc[t.i - 1]) <= 6 and doc[t.i + 1].text.replace(".", "").isalnum()
           and (doc[t.i + 1].is_upper or doc[t.i + 1].is_digit) for t in inside):
        return True
    amount = doc[left - 1] if left > 0 else None
    return (len(span) == 1 and left == span.start - 1 and right == span.end and span.text.isupper()
            and span.text.isalpha() and len(span.text) == 3 and amount is not None
            and (amount.like_num or amount.is_currency))


class EntityTyper:
    def __init__(self, nlp: Language, name: str = "kg_entity_typer", ontology_dir: str | None = None):
        self.name = name
        self.onto = load_ontology(ontology_dir)
        self.class_names = set(self.onto.classes)
        self.demonyms = self.onto.demonyms
        self.minerals = self.onto.mineral_words

    # -- helpers -------------------------------------------------------
    def head_class(self, words: list[str]) -> str | None:
        """Class named by the last one or two words of a name.

        In "Department of Energy" the head is the word before "of".
        """
        last = self.onto.class_for_head(words[-1].lower()) if words else None
        if last in ("Event", "Mine"):  # "Investing in African Mining Indaba" is an event
            return last
        for i, w in enumerate(words):
            if i > 0 and w in ("of", "on", "for", "in"):
                words = words[:i]
                break
        if len(words) >= 2:
            cls = self.onto.class_for_head(" ".join(words[-2:]).lower())
            if cls:
                return cls
        return self.onto.class_for_head(words[-1].lower()) if words else None

    def classify(self, span: Span, ner_label: str) -> str | None:
        words = [t.text for t in span]
        if ner_label in self.class_names:
            return ner_label
        cls = self.head_class(words)
        root = span.root
        if cls is None and root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.is_lower:
            place = self.onto.class_for_head(root.head.head.lemma_.lower())
            if place is not None and self.onto.is_a(place, "Place"):
                return place  # "the province of Colón", "the town of Kindu": whatever the model read
        if ner_label == "PERSON" and cls is None and root.dep_ == "pobj" and root.head.lower_ in (
                "in", "near", "outside", "across", "on"):
            return "Region"  # "a mine on Sulawesi", "a plant in Sorowako": people are not where things are
        if cls == "Product" and len(words) > 1 and all(w[:1].isupper() for w in words if w.isalpha()):
            return "Company"  # "Syrah Technologies", "Northvolt Batteries": a capitalised name is a firm
        if ner_label == "PERSON":
            return "Person" if cls is None else cls
        if ner_label == "ORG" and words[0].isupper() and self.onto.class_for_head(words[0].lower()) == "Company":
            return "Company"  # "PT Indonesia Morowali Industrial Park" is the company, not the park
        if cls in ("Product",):  # a product word ends many organisation names
            cls = None
        if cls is None and ner_label == "ORG":
            if words[0].isupper() and self.onto.class_for_head(words[0].lower()) == "Company":
                cls = "Company"
            elif len(words) > 1 and words[-1].lower() in self.minerals:
                cls = "Company"  # "Talison Lithium", "Korea Zinc": named after what it mines
            elif any(self.onto.class_for_head(w.lower()) == "Company" for w in words[1:]):
                cls = "Company"
        return cls or self.onto.class_for_ner(ner_label)

    @staticmethod
    def trim(span: Span) -> Span | None:
        start, end = span.start, span.end
        for i in range(start + 1, end):
            if span.doc[i].text == "(":  # "Long Name (ACR": keep the long name
                end = i
                break
        while start < end and span.doc[start].lower_ in TRIM_START:
            start += 1
        while end > start and (span.doc[end - 1].text in TRIM_END or span.doc[end - 1].tag_ == "POS"):
            end -= 1
        if start >= end:
            return None
        return Span(span.doc, start, end, label=span.label, span_id=span.id)

    def extend(self, doc: Doc, span: Span, cls: str) -> tuple[Span, str]:
        """Take in a following head word ("APEC" + "summit", "Bahodopi" + "district")."""
        end = span.end
        start = span.start
        if cls in ("Country", "Mineral", "Product"):
            return span, cls  # "Bolivia mines", "graphite mine" are not names
        # "Long Name (ACR) summit": look past the closing parenthesis
        if end + 1 < len(doc) and doc[end].text == ")" and start >= 1 and doc[start - 1].text == "(":
            end += 1
        if end < len(doc):
            nxt = doc[end]
            head_cls = self.onto.class_for_head(nxt.lower_)
            if (head_cls and head_cls not in ("Product", "Company", "Organisation")
                    and nxt.pos_ in ("NOUN", "PROPN", "") and not nxt.ent_type_):
                # "Long Name (ACR) summit": take in the long name before the parenthesis
                if start >= 2 and doc[start - 1].text == "(":
                    prev = [e for e in doc.ents if e.end == start - 1]
                    if prev:
                        start = prev[0].start
                    elif end > span.end:  # "(ACR)" alone: the parenthesis is not part of the name
                        return span, cls
                return Span(doc, start, end + 1, label=head_cls), head_cls  # no lexicon id: a new name
        return span, cls

    def __call__(self, doc: Doc) -> Doc:
        out = []
        doc._.kg_ner = {ent.start: ent.label_ for ent in doc.ents if ent.label_ not in self.class_names}
        for ent in doc.ents:
            if ent.label_ in DROP_LABELS and ent.label_ not in self.class_names:
                continue
            # (a name the lexicon knows is one name: "People's Republic of China"; so is a name whose
            # possessive comes before its head word alone: "APEC Economic Leaders' Meeting")
            inner_pos = [t.i for t in ent[1:-1] if t.tag_ == "POS" and not (
                t.i == ent.end - 2 and self.onto.class_for_head(ent[-1].lower_) is not None
                and ent[-1].text[:1].isupper())] if not ent.ent_id_ else []
            if inner_pos:
                # "Terrafame's Sotkamo mine": the owner and the mine are two names
                owner = Span(doc, ent.start, inner_pos[0], label="ORG")
                cls = self.classify(owner, "ORG")
                if cls:
                    out.append(Span(doc, owner.start, owner.end, label=cls))
                ent = Span(doc, inner_pos[0] + 1, ent.end, label=ent.label, span_id=ent.id)
            span = self.trim(ent)
            if span is None or not any(ch.isalpha() for ch in span.text) or _unit_after_number(span) \
                    or _code_in_brackets(span):
                continue
            cls = self.classify(span, ent.label_)
            if cls is None:
                continue
            span, cls = self.extend(doc, span, cls)
            out.append(Span(doc, span.start, span.end, label=cls, span_id=span.id))
        out = self.named_sites(doc, out)
        out = self.company_names(doc, out)
        doc.ents = filter_spans(out)
        return doc

    @staticmethod
    def company_names(doc: Doc, ents: list[Span]) -> list[Span]:
        """ "Vale Base Metals", "Korea Zinc": a company name followed by capitalised mineral words
        (or a country followed by them) is one company name."""
        ents = sorted(ents, key=lambda e: e.start)
        # "Kamoto Copper": capitalised words before a capitalised mineral word inside a sentence
        taken = {i for e in ents for i in range(e.start, e.end)}
        named = []
        for e in ents:
            if e.label_ == "Mineral" and e.start > 0 and e.start != e.sent.start and all(t.text[:1].isupper() for t in e) \
                    and not _title_case(e.sent):
                start = e.start
                while start > e.sent.start and doc[start - 1].pos_ == "PROPN" and doc[start - 1].text[:1].isupper() \
                        and start - 1 not in taken:
                    start -= 1
                if start < e.start:
                    named.append((e, new_name(doc, start, e.end, "Company")))
        if named:
            gone = {id(e) for e, _ in named}
            ents = sorted([e for e in ents if id(e) not in gone] + [n for _, n in named], key=lambda e: e.start)
        out, skip = [], set()
        for a, b in zip(ents, ents[1:] + [None]):
            if id(a) in skip:
                continue
            if b is not None and b.start == a.end and b.label_ == "Mineral" and all(
                    t.text[:1].isupper() for t in b) and a.label_ in ("Company", "Country") and (
                    a.label_ == "Company" or not _title_case(a.sent)) and all(t.text[:1].isupper() for t in a):
                out.append(new_name(doc, a.start, b.end, "Company"))
                skip.add(id(b))
                continue
            out.append(a)
        return [e for e in out if id(e) not in skip]

    def named_sites(self, doc: Doc, ents: list[Span]) -> list[Span]:
        """Names the NER missed that end in a site or event word: "the Mountain Pass mine",
        "the Balama graphite mine", "the Critical Minerals Forum". The name starts with a
        capitalised word; places inside it ("Mountain Pass") are absorbed, and so is a name only
        the statistical NER vouches for as a person or an organisation ("the Buritica gold mine",
        "the Quebrada Blanca project": :func:`_weak`), but not a company or a name the lexicon
        knows ("the Lynas refining plant" is Lynas's plant)."""
        taken = {i: e for e in ents for i in range(e.start, e.end)}
        new = []
        for tok in doc:
            cls = self.onto.class_for_head(tok.lower_)
            if cls not in ("Mine", "Facility", "Event") or tok.i in taken or tok.pos_ not in ("NOUN", "PROPN") \
                    or tok.tag_ in ("NNS", "NNPS"):
                continue  # a named site is singular: "Portugal mines lithium" names no mine
            if _title_case(tok.sent):
                continue  # in a headline every word is capitalised: capitals name nothing
            start = tok.i
            while start > 0:
                prev = doc[start - 1]
                if prev.dep_ in ("compound", "nmod", "amod") and prev.head.i >= start and prev.pos_ in (
                        "PROPN", "NOUN", "ADJ") and not prev.is_punct:
                    start -= 1
                else:
                    break
            while start < tok.i and not doc[start].text[:1].isupper():
                start += 1
            if start == tok.i or not doc[start].text[:1].isupper() or (start == doc[start].sent.start and all(
                    not t.text[:1].isupper() for t in doc[start + 1:tok.i])):
                continue
            if doc[start].text in self.demonyms and all(not t.text[:1].isupper() for t in doc[start + 1:tok.i]):
                continue  # "the Malaysian plant" describes a plant, it does not name one
            inner = {taken[i] for i in range(start, tok.i) if i in taken}
            if any(not (self.onto.is_a(e.label_, "Place") or e.label_ in ("Mineral", "Product") or _weak(e))
                   for e in inner):
                continue  # "the Lynas refining plant": a company's plant, not a name
            first = doc[start]
            if first.is_upper and self.onto.class_for_head(first.lower_) == "Company":
                cls = "Company"  # "PT Indonesia Morowali Industrial Park" is the park's company
            new.append(new_name(doc, start, tok.i + 1, cls))
        if not new:
            return ents
        covered = {i for s in new for i in range(s.start, s.end)}
        return [e for e in ents if not covered.intersection(range(e.start, e.end))] + new


@Language.factory("kg_entity_typer", default_config={"ontology_dir": None})
def make_entity_typer(nlp: Language, name: str, ontology_dir: str | None):
    return EntityTyper(nlp, name, ontology_dir)
