"""Entity rules generated from the ontology's lexicon.

The component ``kg_lexicon_ruler`` (placed after the statistical NER) uses spaCy's
:class:`~spacy.matcher.PhraseMatcher`:
every label, alias and demonym of ``ontologies/lexicon.ttl`` becomes a
token pattern, so "copper", "rare earths", "APEC" and "electric vehicle
batteries" are typed entities. A lexicon match replaces the NER's entities it
overlaps, unless the NER found a longer name ending in a class head word
("Indonesia Morowali Industrial Park" stays a park). Lower-case
words match in any case and in the plural; words with capitals match exactly
(so the alias "US" never matches the pronoun "us").

Entities it sets carry the ontology class as label and the lexicon's
canonical name as ``ent_id_``.

Examples
--------
>>> import spacy
>>> nlp = spacy.blank("en")
>>> _ = nlp.add_pipe("kg_lexicon_ruler")
>>> doc = nlp("Peru is rich in Copper and zinc.")
>>> [(e.text, e.label_, e.ent_id_) for e in doc.ents]
[('Peru', 'Country', 'Peru'), ('Copper', 'Mineral', 'copper'), ('zinc', 'Mineral', 'zinc')]
"""
from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..ontology import load_ontology


def inflections(word: str) -> list[str]:
    """Singular and plural spellings of a lower-case word.

    >>> inflections("battery")
    ['battery', 'batteries']
    >>> inflections("earths")
    ['earths', 'earth']
    """
    forms = [word]
    if not word.isalpha() or len(word) < 3:
        return forms
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    elif word.endswith(("ses", "xes", "ches", "shes")):
        forms.append(word[:-2])
    elif word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    elif word.endswith("y") and word[-2] not in "aeiou":
        forms.append(word[:-1] + "ies")
    elif word.endswith(("s", "x", "ch", "sh")):
        forms.append(word + "es")
    else:
        forms.append(word + "s")
    return forms


def variants(words: list[str]) -> list[list[str]]:
    """A surface form with its last word in the singular and in the plural (when lower-case)."""
    if not words or words[-1].lower() != words[-1]:
        return [words]
    return [[*words[:-1], w] for w in inflections(words[-1])]


def _apostrophes(forms: tuple[str, ...]) -> list[str]:
    """The forms, and those with an apostrophe also with the typographic one ("People's Republic
    of China" and "People’s Republic of China": without it, the text's "Republic of China" alone
    would match, another country).

    >>> _apostrophes(("Peru", "People's Republic of China"))
    ['Peru', "People's Republic of China", 'People’s Republic of China']
    """
    out = []
    for form in forms:
        out.append(form)
        if "'" in form:
            out.append(form.replace("'", "\u2019"))
    return out


class LexiconRuler:
    """Mark lexicon entities in a Doc, keeping longer matches over shorter.

    Two phrase matchers do the work: one on lower-case text for lower-case forms
    (so "Copper" at the start of a sentence matches), one on exact text for forms
    with capitals. With a tagger in the pipeline, a lower-case form whose last word
    can be a verb counts only where that word is tagged a noun, proper noun or
    adjective, so that the verb "lead" is not the metal (:meth:`_can_be_verb`). A lower-case form
    written capitalised as the first word of a person's name the NER found ("Ruby Smith"), or right
    before a place's or a person's name it found ("Salt" before "Lake City"), is part of that name
    (as the last word, "Kamoto Copper", it still names what the company is named after).
    """

    def __init__(self, nlp: Language, name: str = "kg_lexicon_ruler", ontology_dir: str | None = None):
        self.name = name
        self.lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.orth_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.entries: dict[str, tuple[str, str]] = {}
        onto = self.onto = load_ontology(ontology_dir)
        # lower-case lexicon names (minerals, products) that companies are often named after
        self.common_words = {e.label.lower() for e in onto.lexicon
                             if e.cls in ("Mineral", "Product") and e.label.islower() and " " not in e.label}
        self.tagged = any(p in nlp.pipe_names for p in ("tagger", "morphologizer"))
        self.verbs = _verb_lemmas(nlp)
        for n, entry in enumerate(onto.lexicon):
            key = f"KG{n}"
            self.entries[key] = (entry.cls, entry.label)
            lower, orth, seen = [], [], set()
            for form in _apostrophes(entry.surface_forms):
                words = [t.text for t in nlp.make_doc(form)]
                for v in variants(words):
                    if tuple(v) in seen:
                        continue
                    seen.add(tuple(v))
                    target = lower if all(w.lower() == w for w in v) else orth
                    target.append(nlp.make_doc(" ".join(v)))
            if lower:
                self.lower_matcher.add(key, lower)
            if orth:
                self.orth_matcher.add(key, orth)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        first_names = {e.start for e in doc.ents if e.label_ == "PERSON" and len(e) > 1}
        name_starts = {e.start for e in doc.ents if e.label_ in ("PERSON", "GPE", "LOC", "FAC")}
        for matcher, lower in ((self.lower_matcher, True), (self.orth_matcher, False)):
            for match_id, start, end in matcher(doc):
                if lower and self.tagged and doc[end - 1].pos_ not in ("NOUN", "PROPN", "ADJ") \
                        and self._can_be_verb(doc[end - 1]):
                    continue
                if lower and doc[start].text[:1].isupper() and (start in first_names or (
                        end in name_starts and not doc[start].is_sent_start)):
                    continue  # a first name or a name's first word: "Ruby Smith", "Salt Lake City"
                cls, label = self.entries[doc.vocab.strings[match_id]]
                spans.append(Span(doc, start, end, label=cls, span_id=label))
        spans = filter_spans(spans)
        # a longer statistical name that ends in a class head word wins over a lexicon word
        # inside it: "Indonesia Morowali Industrial Park" is a park, not Indonesia
        named_at = {}
        for e in doc.ents:
            if self._is_named_thing(e):
                e = self._strip_det(e)
                for i in range(e.start, e.end):
                    named_at[i] = e
        # a mineral or product word inside a capitalised organisation name is part of the name:
        # "Vale Base Metals", "Talison Lithium", "Syrah Technologies"
        for e in doc.ents:
            if e.label_ in ("ORG", "FAC") and e[0].text[:1].isupper():
                e = self._strip_det(e)
                for i in range(e.start, e.end):
                    named_at.setdefault(i, e)
        # a company named after the place it works in: "Impala Canada", "Volcano Mining Peru"
        starts = {s.start for s in spans}
        after_place = [e for e in doc.ents if self._named_after_place(e, spans, starts)]
        for e in after_place:
            for i in range(e.start, e.end):
                named_at[i] = e
        spans = [s for s in spans if not ((e := named_at.get(s.start)) is not None and s.end <= e.end
                                          and len(e) > len(s) and (self._is_named_thing(e) or s.label_ in (
                                              "Mineral", "Product") or e in after_place))]
        taken = set()
        for s in spans:
            taken.update(range(s.start, s.end))
        kept = [e for e in doc.ents if not taken.intersection(range(e.start, e.end))]
        doc.ents = filter_spans([*kept, *spans])
        return doc

    def _can_be_verb(self, token) -> bool:
        """Whether a word may be a verb ("lead", "mine", "zinc"), so that the tagger decides; a
        word that is never one ("tungsten", which the small model tags VBN for its ending) is
        the lexicon's whatever its tag. Without the lemmatizer's word lists every word may be."""
        return self.verbs is None or token.lower_ in self.verbs or token.lemma_.lower() in self.verbs

    def _named_after_place(self, ent: Span, spans: list[Span], starts: set[int]) -> bool:
        """A statistical organisation's name of capitalised words that ends in a place the lexicon
        knows and starts with words it does not ("Impala Canada": the company, not Canada)."""
        if ent.label_ != "ORG" or len(ent) < 2 or ent.start in starts:
            return False
        if not all(t.is_alpha and t.text[:1].isupper() for t in ent):
            return False  # "Greenbushes, Western Australia", "Capel in Western Australia": a place
        place = next((s for s in spans if s.end == ent.end and s.start > ent.start), None)
        return place is not None and self.onto.is_a(place.label_, "Place") and not any(
            ent.start <= s.start < place.start for s in spans)

    @staticmethod
    def _strip_det(ent: Span) -> Span:
        start = ent.start
        while start < ent.end - 1 and ent.doc[start].pos_ == "DET":
            start += 1
        return Span(ent.doc, start, ent.end, label=ent.label)

    def _is_named_thing(self, ent: Span) -> bool:
        if ent.label_ not in ("ORG", "FAC", "EVENT", "GPE", "LOC"):
            return False
        ent = self._strip_det(ent)
        if ent.label_ in ("GPE", "LOC") and all(t.text[:1].isupper() for t in ent if t.is_alpha):
            return True  # "Western Australia", "Inner Mongolia": a region named after its country
        if ent.label_ in ("ORG", "FAC") and len(ent) > 1 and ent[0].text[:1].isupper() and any(
                t.lower_ in self.common_words for t in ent):
            return True  # "Talison Lithium", "Pilbara Minerals": a company named after what it mines
        words = []
        for t in ent:
            if t.text == "(":  # "The X Park (IMIP": the name ends before the parenthesis
                break
            if t.lower_ in ("of", "on", "for") and len(words) > 0:
                break  # "Export-Import Bank of Korea": the head comes before "of"
            if not t.is_punct:
                words.append(t.lower_)
        cls = self.onto.class_for_head(words[-1]) if words else None
        return cls is not None and cls != "Product"


def _verb_lemmas(nlp: Language) -> frozenset[str] | None:
    """The verbs the pipeline's rule lemmatizer knows (its ``lemma_index`` and ``lemma_exc``
    tables), or None when it has none."""
    if "lemmatizer" not in nlp.pipe_names:
        return None
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return None
    verbs = set(lookups.get_table("lemma_index").get("verb", ()))
    if lookups.has_table("lemma_exc"):
        for form, lemmas in lookups.get_table("lemma_exc").get("verb", {}).items():
            verbs.add(form)
            verbs.update(lemmas)
    return frozenset(verbs) or None


@Language.factory("kg_lexicon_ruler", default_config={"ontology_dir": None})
def make_lexicon_ruler(nlp: Language, name: str, ontology_dir: str | None):
    return LexiconRuler(nlp, name, ontology_dir)
