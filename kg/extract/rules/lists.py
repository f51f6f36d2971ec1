"""General nouns spelled out by a list: "minerals such as A", "These include A, B", "among them", colons,
and lists introduced by a sentence ending in a colon.

A list under an introducing sentence ("The original consumer members were:" then "- Australia",
"- Brazil" on lines of their own, or "The members include: A, B and C.") states its facts in the
introducing words: their trigger (a noun or verb trigger of the ontology) gives the property, the
list stands for the noun or the open slot before the colon, and what the introduction names (else
the document's subject) is the other argument. :func:`list_intro` finds the introduction of an
item line; :meth:`ListRules.list_items` reads it.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from spacy.tokens import Span, Token

from ...components.paragraphs import bullet_length
from ...modality import modality_of
from ..mentions import DocContext, Mention
from .base import (
    WRAPPERS,
    Trigger,
    grammatical_subjects,
    is_passive,
    noun_extra_ok,
    prep_objects,
)

#: verbs whose colon spells out their subject, not an object: "The members were:", "Its members include:"
SPELLING_VERBS = frozenset({"be", "include", "comprise", "consist"})
#: an item line longer than this many words (parentheses aside) is a sentence, not a bare item
MAX_ITEM_WORDS = 10
#: at most this many item lines are walked back over to find a list's introduction
MAX_LIST_ITEMS = 200
#: a list fact's evidence is the introducing sentence and the items down to its own, when that
#: span is at most this many characters (else the item line alone)
MAX_LIST_EVIDENCE = 1000
#: words that may stand between the names of a bare item ("the United Kingdom", "A and B")
ITEM_JOINERS = frozenset({"the", "and", "or", "&"})
_ITEM_SPLIT = frozenset({",", ";", "and", "or"})


def item_marker(sent: Span) -> int:
    """How many tokens the list-item marker that opens ``sent`` at the start of a line takes
    ("- ", "* ", "1."), or 0 when ``sent`` is no list item."""
    doc = sent.doc
    first = sent[0]
    if not _starts_line(first):
        return 0
    return bullet_length(doc, first.i)


def _line_before(tok: Token):
    """The text of ``tok``'s line before it, piece by piece from ``tok`` backwards (read off the
    tokens: ``Doc.text`` is rebuilt on every access)."""
    doc = tok.doc
    for i in range(tok.i - 1, -1, -1):
        piece = doc[i].text_with_ws
        cut = piece.rfind("\n")
        yield piece[cut + 1:]
        if cut >= 0:
            return


def _starts_line(tok: Token) -> bool:
    """Whether only spaces stand before ``tok`` on its line. Reads back only as far as the
    first other character: a sentence in the middle of a long line (a text with no line
    breaks) costs a token or two, not the whole line before it."""
    return not any(piece.strip() for piece in _line_before(tok))


def _before_on_line(tok: Token) -> str:
    """The text of ``tok``'s line before it."""
    return "".join(reversed(list(_line_before(tok))))


def _indent(sent: Span) -> int:
    return len(_before_on_line(sent[0]))


def colon_end(sent: Span) -> Token | None:
    """The colon that ends ``sent`` ("The members were:"), or None."""
    for t in reversed(sent):
        if not t.is_space:
            return t if t.text == ":" else None
    return None


def list_intro(sent: Span) -> Span | None:
    """The sentence that introduces the list item ``sent``: the nearest sentence above it that
    ends in a colon, with only items of the same list between them (deeper items, a nested
    list's, are passed over). None when ``sent`` is no list item or its list has no such
    introduction (a table of contents, "See also", an item continued by a second sentence).

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("kg_paragraphs")
    >>> doc = nlp("Intro.\\n\\nThe members were:\\n- Peru\\n- Chile\\n\\nSee also\\n- Japan")
    >>> sents = list(doc.sents)
    >>> [list_intro(s).text.strip() if list_intro(s) else None for s in sents]
    [None, None, 'The members were:', 'The members were:', None, None]
    """
    doc = sent.doc
    known = doc.user_data.setdefault(_INTRO_CACHE, {})  # by sentence start: (start, end) or None
    if sent.start not in known:
        found = _find_intro(sent, known)
        known[sent.start] = (found.start, found.end) if found is not None else None
    span = known[sent.start]
    return doc[span[0]:span[1]] if span is not None else None


_INTRO_CACHE = "kg.list_intro"


def _find_intro(sent: Span, known: dict) -> Span | None:
    if not item_marker(sent):
        return None
    doc, indent, cur = sent.doc, _indent(sent), sent
    nested = False  # passed over a deeper list: an item ending in a colon above it introduced that one
    for _ in range(MAX_LIST_ITEMS):
        if cur.start == 0:
            return None
        prev = doc[cur.start - 1].sent
        marked = item_marker(prev)
        if colon_end(prev) is not None and (not marked or _indent(prev) < indent
                                            or (_indent(prev) == indent and not nested)):
            return prev
        if not marked or _indent(prev) < indent:
            return None
        if _indent(prev) == indent and not nested and prev.start in known:
            span = known[prev.start]  # the item above, of the same list, was read already
            return doc[span[0]:span[1]] if span is not None else None
        nested = nested or _indent(prev) > indent
        cur = prev
    return None


def bare_names(ctx: DocContext, toks: list[Token]) -> list[Mention]:
    """The names of a bare list item ("Australia", "the United Kingdom", "Federal Republic of
    Germany (West Germany)."): every word outside parentheses belongs to a name; [] for
    anything else (a sentence, a phrase with other words, an item with no name)."""
    ents: list[Span] = []
    depth, words = 0, 0
    for t in toks:
        if t.text in "([":
            depth += 1
        elif t.text in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and not t.is_space:
            ent = ctx.ent_at.get(t.i)
            if ent is not None:
                if not ents or ents[-1] != ent:
                    ents.append(ent)
            elif not (t.is_punct or t.lower_ in ITEM_JOINERS):
                return []
            words += 1
    if words > MAX_ITEM_WORDS:
        return []
    return [ctx.mention(e) for e in ents]


def item_names(ctx: DocContext, sent: Span) -> list[Mention]:
    """The names of the list item ``sent`` when it is a bare item under an introducing sentence."""
    if list_intro(sent) is None:
        return []
    return bare_names(ctx, list(sent[item_marker(sent):]))


def subject_anchor(subject: Mention) -> Mention:
    """The document's subject as the other argument of a list's items (a reference: the items'
    line does not name it)."""
    return replace(subject, via="ref")


class ListRules:
    """Mixin of :class:`~kg.extract.rules.SentenceExtractor`."""

    def spell_out(self, v: Token, obj_toks: list[Token]) -> None:
        """ "These include A, B and C": the relations that the previous sentence stated of a general
        noun ("the minerals ... relevant for clean energy") hold for A, B and C."""
        sent_start = v.sent.start
        prev_start = self.ctx.doc[sent_start - 1].sent.start if sent_start > 0 else -1
        pending = list(self.ctx.pending.get(prev_start, ()))
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
        pending = list(self.ctx.pending.get(self.sent.start, ()))
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

    # -- lists introduced by a colon -----------------------------------

    def list_items(self) -> None:
        """The items of a list introduced by a colon, with what the introduction says of them:
        "The original consumer members were:" over "- Australia" gives Australia memberOf the
        page's subject; "Delegations from the following countries attended: A, B" gives A and B
        attends the event. Only bare items count (names, not sentences)."""
        found = self.colon_items()
        if found is None:
            return
        colon, items = found
        subject = self.ctx.subject
        readings: dict[tuple, tuple[Trigger, Token, str, list[Token]]] = {}
        for trig, tok, role, anchor_toks in self.list_reading(colon):
            # "member", "members", "members of": one reading of "members", with the anchors of all
            key = (trig.prop, role, tok.i)
            if key in readings:
                readings[key][3].extend(t for t in anchor_toks if t not in readings[key][3])
            else:
                readings[key] = (trig, tok, role, list(anchor_toks))
        for trig, tok, role, anchor_toks in readings.values():
            allowed = self.classes(trig.prop, "o" if role == "s" else "s")
            anchors = [m for t in anchor_toks for m in self.resolve(t, allowed)
                       if m.via != "generic" and any(self.onto.is_a(m.cls, c) for c in allowed)]
            if not anchors:  # the one name of the right class that the introduction gives
                named = {m.key: m for e in self.ctx.sent_ents.get(colon.sent.start, [])
                         if e.end <= colon.i for m in [self.ctx.mention(e)]
                         if any(self.onto.is_a(m.cls, c) for c in allowed)}
                anchors = list(named.values()) if len(named) == 1 else []
            if not anchors and subject is not None:
                anchors = [subject_anchor(subject)]
            subs, objs = (items, anchors) if role == "s" else (anchors, items)
            words = " ".join((*trig.extra, tok.lower_) if tok.pos_ != "VERB" else (tok.lemma_.lower(), *trig.extra))
            self.emit(trig.prop, subs, objs, f"list:{words}", 0.7, modality_of(tok))

    def colon_items(self) -> tuple[Token, list[Mention]] | None:
        """The colon that introduces this sentence's list and the list's bare items in it: the
        item line's names (under an introducing sentence), or the names after a colon in the
        sentence itself ("The members include: A, B and C.")."""
        sent = self.sent
        intro = list_intro(sent)
        if intro is not None:
            items = item_names(self.ctx, sent)
            return (colon_end(intro), items) if items else None
        depth = 0
        for t in sent:
            depth += (t.text in "([") - (t.text in ")]")
            if t.text == ":" and depth == 0 and t.i > sent.start:
                segments, seg, depth2 = [], [], 0
                for x in sent[t.i - sent.start + 1:]:
                    depth2 += (x.text in "([") - (x.text in ")]")
                    if depth2 == 0 and x.lower_ in _ITEM_SPLIT and self.ctx.ent_at.get(x.i) is None:
                        segments.append(seg)
                        seg = []
                    else:
                        seg.append(x)
                segments = [g for g in [*segments, seg] if any(not x.is_punct and not x.is_space for x in g)]
                bare = [bare_names(self.ctx, g) for g in segments]
                named = [m for b in bare if b for m in b]
                if sum(1 for b in bare if b) >= 2 and 2 * sum(1 for b in bare if b) >= len(segments):
                    return t, named
                return None
        return None

    def list_reading(self, colon: Token) -> Iterator[tuple[Trigger, Token, str, list[Token]]]:
        """What the words before ``colon`` say of its list: ``(trigger, trigger token, the items'
        role in the property ("s" or "o"), tokens naming the other argument)``.

        The list stands for the noun before the colon ("Producing countries:", "the five member
        states:"), for the subject of a copula or of "include" ("The members were:", "Its members
        include:"), or for the open slot of a verb ("Delegations from the following countries
        attended:": its generic subject; "The council includes:": its object). The trigger is the
        noun's own (members, producers, partners, exporters...), a participle on it ("producing"),
        else the verb's."""
        doc, start = colon.doc, colon.sent.start
        t = doc[colon.i - 1] if colon.i > start else None
        while t is not None and t.is_punct and t.i > start:
            t = doc[t.i - 1]
        if t is None:
            return
        before = range(start, colon.i)
        head, verb, slot = None, None, "o"
        if t.pos_ in ("VERB", "AUX"):
            verb = t
            subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass") and c.i in before), None)
            obj = next((c for c in t.children if c.dep_ in ("dobj", "attr", "oprd") and c.i in before), None)
            if obj is not None:
                head = obj
            elif subj is not None and subj.tag_ in ("NNS", "NNPS") and self.ctx.ent_at.get(subj.i) is None:
                head, slot = subj, "s"
                if t.lemma_.lower() in SPELLING_VERBS:
                    verb = None  # the items are the subject noun itself
            if verb is not None and is_passive(verb):
                slot = "o" if slot == "s" else "s"
        elif t.pos_ in ("NOUN", "PROPN") and self.ctx.ent_at.get(t.i) is None:
            head = t
        found = False
        if head is not None:
            for trig in self._noun_triggers(head):
                found = True
                anchors = prep_objects(head, trig.prep) if trig.prep else []
                anchors += [c for c in head.children if c.dep_ in ("compound", "poss", "nmod") and c.i < head.i]
                yield trig, head, "o" if trig.inverse else "s", anchors
            for c in head.children:  # "Producing countries:", "countries exporting tin:"
                if c.dep_ not in ("amod", "acl", "compound") or c.tag_ not in ("VBG", "VBN"):
                    continue
                for trig in self.ctx.triggers.verbs.get(c.lemma_.lower(), []):
                    if trig.extra and not set(trig.extra) <= {x.lower_ for x in c.children}:
                        continue
                    found = True
                    active = c.tag_ == "VBG"
                    anchors = prep_objects(c, trig.prep) if trig.prep else [x for x in c.children if x.dep_ == "dobj"]
                    yield trig, c, "s" if active != trig.inverse else "o", anchors
        if verb is None or found:
            return
        for trig in self.ctx.triggers.verbs.get(verb.lemma_.lower(), []):
            if trig.extra and not set(trig.extra) <= {x.lower_ for x in verb.children if x.i in before}:
                continue
            if slot == "s":  # the list is the subject: the object names the other argument
                anchors = prep_objects(verb, trig.prep) if trig.prep else [
                    c for c in verb.children if c.dep_ in ("dobj", "attr") and c.i in before]
            else:
                anchors = [s for s in grammatical_subjects(verb) if s.i in before]
            yield trig, verb, slot if not trig.inverse else ("o" if slot == "s" else "s"), anchors

    def _noun_triggers(self, head: Token) -> Iterator[Trigger]:
        seen = set()
        for key in dict.fromkeys((head.lemma_.lower(), head.lower_)):
            for trig in self.ctx.triggers.nouns.get(key, []):
                if trig in seen or not noun_extra_ok(head, trig):
                    continue
                if trig.prep and trig.prep != "of" and not prep_objects(head, trig.prep):
                    continue  # "reliance on" wants its object; "members of" may leave it to the page
                seen.add(trig)
                yield trig
