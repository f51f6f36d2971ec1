"""Titles: "Prime Minister X", "Department of Energy Secretary X", "X, CEO of Y"."""
from __future__ import annotations

import re

from spacy.tokens import Token

from ..mentions import Mention
from .base import (COUNTRY_TITLES)


class TitleRules:
    """Mixin of :class:`~kg.extract.rules.SentenceExtractor`."""

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
            # organisation named before the title, in the same item of a list ("President A of
            # Togo, President B": Togo belongs to the item before)
            cut = [j for j, t in enumerate(before) if t.text == "," or t.pos_ == "CCONJ"]
            ents_before = [self.ctx.ent_mention(t) for t in (before[cut[-1] + 1:] if cut else before)]
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
            if not orgs and not after:  # "President Hage Geingob of Namibia": the name's own "of"
                orgs.extend(self.of_after(ent, org_cls))
            conf = 0.85
            if not orgs and " ".join(title) in COUNTRY_TITLES and not after:
                country = self.main_country(person)
                if country:
                    orgs.append(country)
                    conf = 0.55
            self.emit(prop, [person], orgs, f"title:{' '.join(title)}", conf, "asserted")

    def of_after(self, ent, org_cls: set[str]) -> list[Mention]:
        """The organisation or country in an "of" right after a titled name ("President Hage
        Geingob of Namibia", "Premier Zhu Rongji of the State Council")."""
        doc, k = self.ctx.doc, ent.end
        if k >= self.sent.end or doc[k].lower_ != "of":
            return []
        k += 1
        if k < self.sent.end and doc[k].lower_ == "the":
            k += 1
        m = self.ctx.ent_mention(doc[k]) if k < self.sent.end else None
        if m is None or self.ctx.ent_at[k].start != k or not any(self.onto.is_a(m.cls, c) for c in org_cls):
            return []
        return [m]

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
