"""Names that say what a site or company works with: "the Balama graphite mine", "Ok Tedi Copper
and Gold Mine", "the Mountain Pass rare earth mine", "Talison Lithium", "Southern Copper
Corporation".

A mine (or mining project) named for a mineral produces it, and a refinery or smelter processes
it. A company named for one is read as its producer only as a vote for the classifier
(:data:`~kg.extract.rules.base.ADVISORY_RULES`): "Barrick Gold" produces gold, "Union Oil"
may not say so, and out of fold such facts were right one time in four, so the text around the
name decides (the rule's vote is one of the classifier's features). A capitalised
mineral word counts only where what follows it in the name is another mineral or a site's or
a company's head word of the ontology ("Gold Mine", "Copper Mines PLC", "Lithium Project"), or,
for a company, where it ends the name ("Talison Lithium"): "Silver Lake" and "Gold Coast" name
no mineral.
"""
from __future__ import annotations

from spacy.tokens import Span

from ...ontology import Ontology
from ..mentions import Mention

#: words that join the minerals a name lists ("Copper and Gold Mine", "copper-cobalt project")
JOINERS = {"and", "&", "-", "–", ",", "/"}
REFINING_HEADS = {"refinery", "refineries", "smelter", "smelters", "refining"}


def name_minerals(ent: Span, onto: Ontology, company: bool) -> list[tuple[Span, str]]:
    """The minerals a name is named for, as (span of the name's words, canonical label).

    >>> import spacy
    >>> from kg.ontology import load_ontology
    >>> nlp, onto = spacy.blank("en"), load_ontology()
    >>> doc = nlp("Ok Tedi Copper and Gold Mine near Silver Lake")
    >>> [(s.text, m) for s, m in name_minerals(doc[0:6], onto, False)]
    [('Copper', 'copper'), ('Gold', 'gold')]
    >>> name_minerals(doc[7:9], onto, False)
    []
    """
    single, multi, heads = onto.mineral_words, onto.mineral_phrases, onto.name_heads
    words = [t.lower_ for t in ent]
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        for n in (3, 2):
            if tuple(words[i:i + n]) in multi:
                found.append((i, i + n, multi[tuple(words[i:i + n])]))
                i += n
                break
        else:
            if words[i] in single:
                found.append((i, i + 1, single[words[i]]))
            i += 1
    end_of = {a: b for a, b, _ in found}  # where each mineral of the name ends, by where it starts
    out = []
    for a, b, label in found:
        span = ent[a:b]
        if not span.text.islower():  # a capitalised mineral word: what follows in the name decides
            k = b
            while k < len(words) and (words[k] in JOINERS or k in end_of):
                k = end_of.get(k, k + 1)
            if not ((k < len(words) and words[k] in heads) or (company and k == len(words) and a > 0)):
                continue
        out.append((span, label))
    return out


class NameRules:
    """Mixin of :class:`~kg.extract.rules.SentenceExtractor`."""

    def named_minerals(self) -> None:
        """A site or a company named for a mineral produces it (a refinery or smelter, processes it)."""
        for e in self.ctx.sent_ents.get(self.sent.start, []):
            company = self.onto.is_a(e.label_, "Company")
            if self.onto.is_a(e.label_, "Mine"):
                prop, rule, conf = "produces", "name:mineral site", 0.6
            elif self.onto.is_a(e.label_, "Facility") and e[-1].lower_ in REFINING_HEADS:
                prop, rule, conf = "processes", "name:mineral site", 0.6
            elif company:
                prop, rule, conf = "produces", "name:mineral company", 0.5
            else:
                continue
            minerals = [Mention(s.text, "Mineral", s.start_char, s.end_char, label)
                        for s, label in name_minerals(e, self.onto, company)]
            if not company:
                minerals += self._minerals_before_head(e)
            if minerals:
                self.emit(prop, [self.ctx.mention(e)], minerals, rule, conf, "asserted")

    def _minerals_before_head(self, e) -> list[Mention]:
        """ "the Mutoshi copper-cobalt project", "the Tavan Tolgoi coal mine": minerals written
        between a site's name and a site's head word in lower case (the name ends before them)."""
        doc, heads = self.ctx.doc, self.onto.site_heads
        found, k = [], e.end
        while k < self.sent.end:
            m = self.ctx.ent_at.get(k)
            if m is not None and m.label_ == "Mineral" and m.start == k:
                found.append(self.ctx.mention(m))
                k = m.end
            elif doc[k].text in JOINERS and found:
                k += 1
            else:
                break
        return found if found and k < self.sent.end and doc[k].lower_ in heads else []
