"""Mention typing: the ontology class of a name from its words, its context and its document.

The small model's NER label is weak evidence for names it has never seen ("Kamoa-Kakula" as a
PERSON). The typer reads stronger evidence: the name's own words and suffixes, the nouns that
follow it anywhere in the document ("the Kamoa-Kakula copper mine", "Ivanhoe Mines Ltd"), the
words before it ("in", "Minister"), whether it is the document's subject (the title), and the
NER label as one feature among many. It is a :class:`~kg.extract.classifier.LinearClassifier`
trained on the corpus mentions; :meth:`MentionTyper.apply` re-types names that the lexicon does
not know when the typer is confident.

Examples
--------
>>> import spacy
>>> from spacy.tokens import Span
>>> nlp = spacy.blank("en")
>>> doc = nlp("Kamoa-Kakula is a copper mine. The Kamoa-Kakula mine is large.")
>>> doc.ents = [Span(doc, 0, 3, label="Person"), Span(doc, 9, 12, label="Person")]
>>> sorted(f for f in mention_features(doc, doc.ents[0], document_context(doc)) if f.startswith("dnext"))
['dnext:2:a', 'dnext:2:is', 'dnext:is', 'dnext:mine']
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .classifier import LinearClassifier

TYPER_FILE = "typing.npz"
#: classes the typer may give (the annotation classes as ontology classes)
TYPES = ("Country", "Region", "Place", "Company", "GovernmentBody", "Alliance", "Organisation", "Person",
         "Mine", "Facility", "Event", "Mineral", "Product")


def _lower(t) -> str:
    return "<num>" if t.like_num else t.lower_


def document_context(doc: Doc, title: str | None = None) -> dict:
    """What the document says around each name: the words after and before every occurrence."""
    after: dict[str, set[str]] = defaultdict(set)
    before: dict[str, set[str]] = defaultdict(set)
    for e in doc.ents:
        key = e.text.lower()
        for k in (1, 2):
            if e.end + k - 1 < len(doc):
                after[key].add(_lower(doc[e.end + k - 1]) if k == 1 else "2:" + _lower(doc[e.end + 1]))
        if e.start > 0:
            before[key].add(_lower(doc[e.start - 1]))
    return {"after": after, "before": before, "title": (title or "").lower()}


def mention_features(doc: Doc, ent: Span, context: dict) -> set[str]:
    """The sparse features of one name."""
    words = [t for t in ent if not t.is_punct] or list(ent)
    f = {f"lab:{ent.label_}", f"len:{min(len(words), 5)}", f"last:{words[-1].lower_}",
         f"first:{words[0].lower_}", f"suf:{words[-1].lower_[-3:]}", f"shape:{words[0].shape_[:4]}"}
    ner = (doc._.kg_ner or {}).get(ent.start) if Doc.has_extension("kg_ner") else None
    if ner:
        f.add(f"ner:{ner}")
    if ent.ent_id_:
        f.add("lex")
    for t in words:
        f.add(f"w:{t.lower_}")
    if all(t.is_upper for t in words if t.is_alpha):
        f.add("allcaps")
    if ent.text[:1].islower():
        f.add("lowercase")
    if "-" in ent.text:
        f.add("hyphen")
    if ent.end < len(doc):
        f.add(f"next:{_lower(doc[ent.end])}")
    if ent.start > 0:
        f.add(f"prev:{_lower(doc[ent.start - 1])}")
        if ent.start > 1:
            f.add(f"prev2:{_lower(doc[ent.start - 2])} {_lower(doc[ent.start - 1])}")
    key = ent.text.lower()
    for w in context["after"].get(key, ()):
        f.add(f"dnext:{w}")
    for w in context["before"].get(key, ()):
        f.add(f"dprev:{w}")
    if context["title"] and key in context["title"]:
        f.add("in_title")
    f.add(f"dep:{ent.root.dep_}")
    return f


class MentionTyper:
    """Re-types names the lexicon does not know, when the trained typer is confident."""

    def __init__(self, clf: LinearClassifier, threshold: float | None = None):
        self.clf = clf
        self.threshold = float(threshold if threshold is not None else clf.meta.get("threshold", 0.6))

    @classmethod
    def load(cls, path: str | Path) -> "MentionTyper | None":
        path = Path(path)
        return cls(LinearClassifier.load(path)) if path.is_file() else None

    def predict(self, doc: Doc, ent: Span, context: dict) -> tuple[str, float]:
        scores = self.clf.scores(mention_features(doc, ent, context))
        best = max(scores, key=scores.get)
        return best, scores[best]

    def apply(self, doc: Doc, title: str | None = None) -> int:
        """Re-type the document's names in place; returns how many changed."""
        context = document_context(doc, title)
        out, changed = [], 0
        for ent in doc.ents:
            if not ent.ent_id_:
                cls, p = self.predict(doc, ent, context)
                if cls != ent.label_ and p >= self.threshold:
                    ent = Span(doc, ent.start, ent.end, label=cls, span_id=ent.id)
                    changed += 1
            out.append(ent)
        if changed:
            doc.ents = filter_spans(out)
        return changed
