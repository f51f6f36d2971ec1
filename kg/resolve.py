"""Entity resolution: mentions become canonical entities, within and across documents.

Rules, in order:

* a mention the lexicon knows takes the lexicon's canonical name (so
  "Japanese", "Japan" and "Japan's" are one entity, with its Wikidata IRI);
* an acronym defined in the text ("Minerals Security Partnership (MSP)")
  takes its long form (done while reading, see :mod:`kg.extract`);
* a surname alone takes the full name of a person named in the same
  document ("Ishiba" -> "Shigeru Ishiba");
* organisation names match without their legal form ("Lynas Corporation,
  Ltd." = "Lynas"), and plural and singular forms of a noun phrase match;
* a name alone is the name with a class head noun that the document uses
  ("Grasberg" = "Grasberg mine", "Mozal" = "Mozal smelter") when the
  document reads both as the same kind of thing, not a place (the town
  "Kolwezi" is not the "Kolwezi District").

Names a document uses side by side for different things stay apart:

* a name and the name with a head noun of another class ("Boliden", the
  company the lexicon knows, and "Boliden mine"; "Kumba Iron Ore", a company,
  and "iron ore") are two entities;
* the rules on people's names (surname, first name) are not applied to a name
  read as a place, facility, event, mineral or product ("Escondida" the mine
  is not the "Escondida Norte" that the NER took for a person);
* a legal form is not stripped down to the name of something else of the
  document ("Ambatovy Holdings Limited", the company, is not the "Ambatovy"
  mine).

The canonical label is the lexicon's, else the fullest name seen.

Examples
--------
>>> from kg.ontology import load_ontology
>>> r = Resolver(load_ontology())
>>> from kg.extract import Mention
>>> r.key("d1", Mention("Lynas Corporation, Ltd.", "Company", 0, 10)) == r.key("d1", Mention("Lynas", "Company", 20, 25))
True
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace

from .model import LEGAL_FORMS, Entity, normalise_name, singular, slugify
from .ontology import Ontology
from .extract.mentions import Mention


class _DocNames:
    """Lookups by word into the full names of one document: ``person_by_last`` (a last word -> the
    first full person name that ends with it), ``persons_by_first`` (a first word -> the person
    names that start with it), ``orgs_by_first`` (a first word -> the organisation names of several
    words that start with it), ``persons`` (every full person name), ``by_base`` (a normalised name
    without its final class head noun -> the names with the head noun and their classes:
    "grasberg" -> {("Grasberg mine", "Mine")}) and ``classes`` (a normalised name -> the classes it
    was read as)."""

    def __init__(self) -> None:
        self.persons: set[str] = set()
        self.person_by_last: dict[str, str] = {}
        self.persons_by_first: dict[str, set[str]] = {}
        self.orgs_by_first: dict[str, set[str]] = {}
        self.by_base: dict[str, set[tuple[str, str]]] = {}
        self.classes: dict[str, set[str]] = {}
        self._persons_read = 0
        self._orgs_read = 0
        self._names_read = 0

    def update(self, persons: list[str], orgs: list[str], names: list[tuple[str, str]] = (),
               onto: Ontology | None = None) -> None:
        """Index the names appended to ``persons``, ``orgs`` and ``names`` (name, class) since the
        last update (``onto`` gives the head nouns of the classes)."""
        if len(persons) > self._persons_read:
            for full in persons[self._persons_read:]:
                self.persons.add(full)
                words = full.split()
                if words:
                    self.person_by_last.setdefault(words[-1], full)
                    self.persons_by_first.setdefault(words[0], set()).add(full)
            self._persons_read = len(persons)
        if len(orgs) > self._orgs_read:
            for name in orgs[self._orgs_read:]:
                if " " in name.strip():
                    self.orgs_by_first.setdefault(name.split()[0], set()).add(name)
            self._orgs_read = len(orgs)
        if len(names) > self._names_read:
            for name, cls in names[self._names_read:]:
                norm = normalise_name(name)
                self.classes.setdefault(norm, set()).add(cls)
                base, _, head = norm.rpartition(" ")
                if base and onto is not None and onto.class_for_head(head) is not None:
                    self.by_base.setdefault(base, set()).add((re.sub(r"\s+", " ", name).strip(), cls))
            self._names_read = len(names)


class Resolver:
    def __init__(self, onto: Ontology):
        self.onto = onto
        self.lex = {e.label: e for e in onto.lexicon}
        # every lexicon form, normalised and without a legal form, for names the NER found itself
        self.lex_forms: dict[str, str] = {}
        # the normalised forms of each entry (its label, aliases and demonyms)
        self.lex_names: dict[str, frozenset[str]] = {
            e.label: frozenset(normalise_name(f) for f in (e.label, *e.aliases, *e.demonyms)) for e in onto.lexicon}
        for e in onto.lexicon:  # a name as written first: "X Limited" may be an entry apart from "X"
            for form in (e.label, *e.aliases):
                self.lex_forms.setdefault(normalise_name(form).replace(",", " "), e.label)
        for e in onto.lexicon:
            for form in (e.label, *e.aliases):
                self.lex_forms.setdefault(self._strip_legal(normalise_name(form)), e.label)
        self.persons: dict[str, list[str]] = defaultdict(list)  # doc -> full person names
        self.orgs: dict[str, list[str]] = defaultdict(list)  # doc -> organisation names of several words
        self.names: dict[str, list[tuple[str, str]]] = defaultdict(list)  # doc -> every (name, class)
        self._names: dict[str, _DocNames] = {}  # doc -> indexes of those names (see names_of)
        self.labels: dict[str, Counter] = defaultdict(Counter)
        self.classes: dict[str, Counter] = defaultdict(Counter)
        self.forms: dict[str, set[str]] = defaultdict(set)

    def observe_doc(self, doc_id: str, doc) -> None:
        for ent in doc.ents:
            if ent.text[:1].isupper():
                self.names[doc_id].append((ent.text, ent.label_))
            if ent.label_ == "Person" and len(ent) > 1:
                self.persons[doc_id].append(ent.text)
            elif self.onto.is_a(ent.label_, "Organisation") and len(ent) > 1 and ent[0].text[:1].isupper():
                self.orgs[doc_id].append(ent.ent_id_ or ent.text)

    def names_of(self, doc_id: str) -> _DocNames:
        """The indexes of the person and organisation names of a document, brought up to date with
        the names observed so far (each name is indexed once, so lookups do not scan them all)."""
        names = self._names.get(doc_id)
        if names is None:
            names = self._names[doc_id] = _DocNames()
        names.update(self.persons.get(doc_id, ()), self.orgs.get(doc_id, ()), self.names.get(doc_id, ()), self.onto)
        return names

    def _compatible(self, a: str, b: str) -> bool:
        """Whether two classes may be read of one thing: one is the other or a kind of it."""
        return self.onto.is_a(a, b) or self.onto.is_a(b, a)

    def _maybe_person(self, cls: str) -> bool:
        """Whether a name read as ``cls`` may be a person's (a NER confuses people and
        organisations, not people and mines, places, events, minerals or products)."""
        return not any(self.onto.is_a(cls, c) for c in ("Place", "Facility", "Event", "Mineral", "Product"))

    def _lexicon_reading(self, m: Mention) -> bool:
        """Whether a mention the lexicon ruler found is the lexicon's entity: its words are one
        of the entry's names, or it is read as the same kind of thing and is not the entry's name
        followed by more words than a legal form. "Boliden mine", a mine that holds the name of
        the lexicon's company "Boliden", is not the company; nor is its subsidiary "Barrick
        Niugini Limited" the lexicon's "Barrick"."""
        forms = self.lex_names.get(m.lex, ())
        norm = normalise_name(re.sub(r"\s+", " ", m.text))
        if norm in forms:
            return True
        if not self._compatible(m.cls, self.lex[m.lex].cls):
            return False
        if self.onto.is_a(m.cls, "Organisation"):
            stripped = self._strip_legal(norm)
            words = stripped.split()
            longer = any(stripped.startswith(f + " ") for f in forms if len(f.split()) < len(words))
            return stripped in {self._strip_legal(f) for f in forms} or not longer
        return True

    def _base_key(self, doc_id: str, m: Mention) -> tuple[str, str]:
        if m.lex and m.lex in self.lex:
            if self._lexicon_reading(m):
                return normalise_name(m.lex), m.lex
            m = replace(m, lex=None)  # its own name
        if m.lex:  # the long form of an acronym defined in the text
            m = Mention(m.lex, m.cls, m.start, m.end)
        text = re.sub(r"\s+", " ", m.text).strip()
        names = self.names_of(doc_id)
        longer = names.by_base.get(normalise_name(text), ())
        if len(longer) == 1:  # "Grasberg" where the document says "Grasberg mine"
            full, cls = next(iter(longer))
            # every reading of the name in the document is of the long name's kind; a place is not
            # the place with a head noun (the town Kolwezi is not the Kolwezi District)
            read = {m.cls, *names.classes.get(normalise_name(text), ())}
            if full != text and not self.onto.is_a(cls, "Place") and all(self._compatible(c, cls) for c in read):
                return self._base_key(doc_id, Mention(full, m.cls, m.start, m.end))
        if " " not in text and text[:1].isupper():
            if self._maybe_person(m.cls):
                full = names.person_by_last.get(text)
                if full is not None:  # "Ishiba" after "Shigeru Ishiba"
                    return normalise_name(full), full
                firsts = names.persons_by_first.get(text, ())
                if len(firsts) == 1:  # "Prabowo" after "Prabowo Subianto"
                    full = next(iter(firsts))
                    return normalise_name(full), full
            # not where the document also names another kind of thing by the word ("Lumwana mine")
            other = any(not self.onto.is_a(c, "Organisation") for _, c in names.by_base.get(normalise_name(text), ()))
            if self.onto.is_a(m.cls, "Organisation") and not other:
                longer = names.orgs_by_first.get(text, ())
                if len(longer) == 1:  # "Sumitomo" after "Sumitomo Metal Mining"
                    return self._base_key(doc_id, Mention(next(iter(longer)), m.cls, m.start, m.end))
        norm = normalise_name(text)
        words = norm.replace(",", " ").split()
        if self.onto.is_a(m.cls, "Organisation"):
            for form in (" ".join(words), self._strip_legal(norm)):
                known = self.lex_forms.get(form)
                if known and self.onto.is_a(self.lex[known].cls, "Organisation"):
                    return normalise_name(known), known  # "Lynas Corporation, Ltd." is the lexicon's "Lynas Corporation"
            words = self._strip_legal(norm, keep=self._other_things(names)).split()
        if m.cls in ("Product", "Mineral") and words:
            words[-1] = singular(words[-1])
        return " ".join(words) or norm, text

    def _other_things(self, names: _DocNames):
        """A test of whether a normalised name is, in the document of ``names``, the name of
        something other than an organisation."""
        def other(name: str) -> bool:
            classes = names.classes.get(name, ())
            return bool(classes) and not any(self.onto.is_a(c, "Organisation") for c in classes)
        return other

    @staticmethod
    def _strip_legal(norm: str, keep=None) -> str:
        """A normalised organisation name without its legal form ("lynas corporation, ltd." ->
        "lynas"); ``keep(name)`` true stops the stripping before that name ("ambatovy holdings
        limited" -> "ambatovy holdings" where "ambatovy" is the mine)."""
        words = norm.replace(",", " ").split()
        while len(words) > 1 and words[-1] in LEGAL_FORMS and not (keep and keep(" ".join(words[:-1]))):
            words.pop()
        return " ".join(words)

    def key(self, doc_id: str, m: Mention) -> str | None:
        """The entity key of a mention: the slug of its canonical name, so that names that
        differ only in accents or punctuation ("Gécamines", "Gecamines") are one entity with
        one IRI."""
        key, label = self._base_key(doc_id, m)
        if not key:
            return None
        key = slugify(key)
        self.labels[key][label] += 1
        full_person = label in self.names_of(doc_id).persons and m.cls != "Person" and m.via != "typed"
        # a name right after a title ("Chancellor Olaf Scholz") is a person, whatever the NER said;
        # a name the classifier re-typed to fit a confident fact ("typed") is what the fact needs
        self.classes[key]["Person" if full_person else m.cls] += 3 if m.via in ("title", "typed") else 1
        self.classes[key][m.cls] += 0  # the reading of this mention stays on record for settle_classes
        self.forms[key].add(re.sub(r"\s+", " ", m.text).strip())
        return key

    def entities(self) -> dict[str, Entity]:
        out = {}
        for key, labels in self.labels.items():
            lex = next((self.lex[lbl] for lbl in labels if lbl in self.lex), None)
            if lex:
                label, cls, qid = lex.label, lex.cls, lex.wikidata
                aliases = set(lex.aliases) | set(lex.demonyms) | self.forms[key]
            else:
                # the fullest name seen, then the most frequent, then alphabetical: deterministic
                label = sorted(labels, key=lambda s: (-len(s), -labels[s], s))[0]
                cls = sorted(self.classes[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
                qid = None
                aliases = self.forms[key]
            aliases = frozenset(a for a in aliases if a and a != label)
            out[key] = Entity(key=key, label=label, cls=cls, aliases=aliases, wikidata=qid)
        return out
