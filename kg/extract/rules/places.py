"""Places: chains ("Kuantan, Malaysia"), facilities and their places and owners, trips, place nouns."""
from __future__ import annotations



from ...modality import modality_of
from ..mentions import Mention, RawCandidate
from .base import (DASHES, DIRECTIONS, PLACE_NOUNS, WRAPPERS, prep_objects)


class PlaceRules:
    """Mixin of :class:`~kg.extract.rules.SentenceExtractor`."""

    def _ends_in_a_list(self, k: int) -> bool:
        """Whether the names before token ``k`` go on as a list: more names separated by commas,
        then "and" or "or" before the last ("A, B, C and D"). A chain of places has no "and"."""
        doc, end = self.ctx.doc, self.sent.end
        while k < end:
            t = doc[k]
            if t.lower_ in ("and", "or"):
                return True
            if t.text != ",":
                return False
            nxt = k + 1
            if nxt < end and doc[nxt].lower_ in ("and", "or"):
                return True
            if nxt < end and doc[nxt].pos_ == "DET":
                nxt += 1
            e = self.ctx.ent_at.get(nxt) if nxt < end else None
            if e is None or e.start != nxt:
                return False
            k = e.end
        return False

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
                if ok and gap_words[-1:] == ["of"] and DIRECTIONS & set(gap_words) and not {"in", "within"} & set(gap_words):
                    ok = False  # "Bell Bay, Tasmania, north of Launceston": beside the place, not in it
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
            if self._ends_in_a_list(chain[-1].end):
                continue  # "Kambove, Kipushi, Kamfundwa and Kolwezi": a list, not a chain
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
        key = lambda m: m.key  # noqa: E731
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
