"""Candidate pairs of mentions in a sentence, with what the rules said about each pair.

A :class:`PairCandidate` is an ordered pair (subject, object) of mentions of one sentence: every
pair of entity mentions within :data:`MAX_GAP` tokens, plus every pair a rule proposed (whose
arguments may be open noun phrases or references resolved to an earlier sentence). The rules'
readings of the pair (kept or rejected by the domain/range check) travel with it as votes: they
are features of the relation classifier, not the only source of facts.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Span

from .mentions import DocContext, Mention, RawCandidate
from .rules.base import noun_subject_before
from .rules.lists import item_names, list_intro, subject_anchor

#: How a mention of the page's subject in a pair of :func:`implicit_subject_pairs` was found.
IMPLICIT = "implicit"
#: Entity pairs further apart than this many tokens are not candidates (unless a rule links them).
MAX_GAP = 40
#: At most this many entity mentions of one sentence are paired (the nearest ones win).
MAX_MENTIONS = 24


@dataclass(frozen=True)
class Vote:
    """One rule's reading of a pair."""

    prop: str
    rule: str
    confidence: float
    modality: str
    kept: bool  # False: rejected by the domain/range check


@dataclass(frozen=True)
class PairCandidate:
    """An ordered pair of mentions in a sentence and the rules' votes on it."""

    subject: Mention
    object: Mention
    s_tokens: tuple[int, int] | None  # token span in the parsed piece, None when not found
    o_tokens: tuple[int, int] | None
    votes: tuple[Vote, ...] = ()
    about: str = ""  # "s" or "o": that side is the document's subject (by name or reference)

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.subject.start, self.subject.end, self.object.start, self.object.end)


def _tokens(doc, m: Mention) -> tuple[int, int] | None:
    span = doc.char_span(m.start, m.end, alignment_mode="expand")
    return (span.start, span.end) if span is not None and len(span) else None


def subject_references(ctx: DocContext, sent: Span, subject: Mention) -> list:
    """Words of the sentence that name the document's subject: "it" and "its" (not an empty "it
    is expected that"), and "the mine", "the company"... when the noun refers to its class."""
    out = []
    for t in sent:
        if t.lower_ in ("it", "its") and t.dep_ != "expl":
            own = noun_subject_before(t)  # "The deposit ... because it contains": the deposit's "it"
            cls = ctx.onto.class_for_reference(own.lemma_) if own is not None else None
            if own is None or (cls is not None and ctx.onto.is_a(subject.cls, cls)):
                out.append(t)
        elif t.pos_ == "NOUN" and any(c.lower_ in ("the", "this") for c in t.children) and not t.ent_type_:
            cls = ctx.onto.class_for_reference(t.lemma_)
            if cls is not None and ctx.onto.is_a(subject.cls, cls):
                out.append(t)
    return out


def list_pairs(ctx: DocContext, sent: Span) -> list[tuple[Mention, Mention]]:
    """The names of a bare list item paired, both ways, with what could be the other argument of
    its list's facts: the names of the introducing sentence and the document's subject (see
    :mod:`kg.extract.rules.lists`), so that the classifier reads lists whatever their trigger."""
    items = item_names(ctx, sent)
    if not items:
        return []
    intro = list_intro(sent)
    anchors = [ctx.mention(e) for e in ctx.sent_ents.get(intro.start, []) if e.label_]
    subject = getattr(ctx, "subject", None)
    if subject is not None:
        anchors.append(subject_anchor(subject))
    out = []
    for m in items:
        for a in anchors:
            if m.key != a.key:
                out += [(m, a), (a, m)]
    return out


def pair_candidates(ctx: DocContext, sent: Span, kept: list[RawCandidate],
                    rejected: list[tuple[RawCandidate, str]]) -> list[PairCandidate]:
    """The candidate pairs of one sentence (entity pairs and rule pairs), each with its votes."""
    doc = ctx.doc
    votes: dict[tuple, list[Vote]] = {}
    mentions: dict[tuple, tuple[Mention, Mention]] = {}
    for c, ok in [(c, True) for c in kept] + [(c, False) for c, why in rejected if "domain/range" in why]:
        key = (c.subject.start, c.subject.end, c.object.start, c.object.end)
        mentions.setdefault(key, (c.subject, c.object))
        votes.setdefault(key, []).append(Vote(c.predicate, c.rule, c.confidence, c.modality, ok))
    ents = [e for e in ctx.sent_ents.get(sent.start, []) if e.label_]
    if len(ents) > MAX_MENTIONS:
        ents = ents[:MAX_MENTIONS]
    ms = [(e, ctx.mention(e)) for e in ents]
    for e1, m1 in ms:
        for e2, m2 in ms:
            if e1 is e2 or abs(e1.start - e2.start) > MAX_GAP:
                continue
            if m1.key == m2.key:
                continue
            key = (m1.start, m1.end, m2.start, m2.end)
            mentions.setdefault(key, (m1, m2))
    subject = getattr(ctx, "subject", None)
    if subject is not None:
        refs = subject_references(ctx, sent, subject)
        for ref in refs:
            for e, m in ms:
                if abs(e.start - ref.i) > MAX_GAP or m.key == subject.key:
                    continue
                r = subject.at(ref, "subject")
                mentions.setdefault((r.start, r.end, m.start, m.end), (r, m))
                mentions.setdefault((m.start, m.end, r.start, r.end), (m, r))
        if not refs and not any(m.key == subject.key for _, m in ms):
            for s, o in implicit_subject_pairs(ctx, subject, [m for _, m in ms]):
                mentions.setdefault((s.start, s.end, o.start, o.end), (s, o))
    for s, o in list_pairs(ctx, sent):
        mentions.setdefault((s.start, s.end, o.start, o.end), (s, o))
    out = []
    for key, (s, o) in mentions.items():
        about = "" if subject is None else "s" if s.key == subject.key else "o" if o.key == subject.key else ""
        out.append(PairCandidate(s, o, _tokens(doc, s), _tokens(doc, o), tuple(votes.get(key, ())), about))
    return out


def implicit_subject_pairs(ctx: DocContext, subject: Mention, ms: list[Mention]) -> list[tuple[Mention, Mention]]:
    """Pairs of the document's subject, which the sentence neither names nor refers to, with the
    sentence's names that some property could link it to ("Copper and gold are also mined." on
    a mine's page). The classifier decides, with ``svia:implicit``/``ovia:implicit`` among the
    features; the subject stands at its first mention."""
    implicit = replace(subject, via=IMPLICIT)
    linked, out = ctx.onto.linked_classes, []
    for m in ms:
        if (subject.cls, m.cls) in linked:
            out.append((implicit, m))
        if (m.cls, subject.cls) in linked:
            out.append((m, implicit))
    return out
