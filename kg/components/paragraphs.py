"""Paragraph breaks are sentence breaks.

The component ``kg_paragraphs`` runs before the parser and starts a new
sentence after every blank line, after a heading line (short, title case,
no closing punctuation) and at every list item that starts a line ("- ",
"* ", "• ", "1."), so that a title, a list item or a paragraph ending in an
abbreviation ("... Group Ltd.") is never glued to the next text, and a list
item is one sentence with its marker.

Examples
--------
>>> import spacy
>>> nlp = spacy.blank("en")
>>> _ = nlp.add_pipe("kg_paragraphs")
>>> doc = nlp("Founded by Macquarie Group Ltd.\\n\\nMount Weld contains rare earths.")
>>> [t.text for t in doc if t.is_sent_start]
['Founded', 'Mount']
>>> doc = nlp("Peru Signs Copper Deal\\nJapan and Peru signed a deal.")
>>> [t.text for t in doc if t.is_sent_start]
['Peru', 'Japan']
>>> doc = nlp("Members are:\\n- Japan\\n- Peru\\n1. Chile")
>>> [t.text for t in doc if t.is_sent_start]
['Members', '-', '-', '1']
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc


#: Tokens that open a list item at the start of a line.
BULLETS = frozenset({"-", "*", "•", "–", "—", "·", "▪", "◦", "‣", "○", "●"})
_NUMBERED = re.compile(r"^(?:\d{1,2}|[a-z])[.)]$")


def bullet_length(doc: Doc, i: int) -> int:
    """How many tokens a list-item marker at ``i`` takes ("- ", "* ", "1.", "2)", "a)"), or 0."""
    t = doc[i]
    if t.text in BULLETS or _NUMBERED.match(t.text):
        return 1
    if len(t.text) <= 2 and t.text.isdigit() and i + 1 < len(doc) and doc[i + 1].text in (".", ")"):
        return 2
    return 0


def _is_heading(line: list) -> bool:
    """A short line in title case with no closing punctuation: "Japan and Peru Forge Partnership"."""
    words = [t for t in line if t.is_alpha]
    if not words or len(line) > 20 or line[-1].text in (".", "!", "?", ",", ";", ":"):
        return False
    return sum(w.text[:1].isupper() for w in words) * 2 >= len(words) and words[0].text[:1].isupper()


@Language.component("kg_paragraphs")
def paragraphs(doc: Doc) -> Doc:
    line_start = 0
    for i, tok in enumerate(doc):
        if i == 0:
            tok.is_sent_start = True
        elif "\n" in tok.text and tok.is_space and i + 1 < len(doc):
            bullet = bullet_length(doc, i + 1)
            if tok.text.count("\n") >= 2 or bullet or _is_heading(doc[line_start:i]):
                doc[i + 1].is_sent_start = True
            for j in range(i + 2, min(i + 2 + bullet, len(doc))):
                doc[j].is_sent_start = False  # the marker and its item are one sentence
        if "\n" in tok.text:
            line_start = i + 1
    return doc
