"""Paragraph breaks are sentence breaks.

The component ``kg_paragraphs`` runs before the parser and starts a new
sentence after every blank line, so that a heading, a list item or a
paragraph ending in an abbreviation ("... Group Ltd.") is never glued to
the next paragraph.

Examples
--------
>>> import spacy
>>> nlp = spacy.blank("en")
>>> _ = nlp.add_pipe("kg_paragraphs")
>>> doc = nlp("Founded by Macquarie Group Ltd.\\n\\nMount Weld contains rare earths.")
>>> [t.text for t in doc if t.is_sent_start]
['Founded', 'Mount']
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("kg_paragraphs")
def paragraphs(doc: Doc) -> Doc:
    for i, tok in enumerate(doc):
        if i == 0:
            tok.is_sent_start = True
        elif tok.is_space and tok.text.count("\n") >= 2 and i + 1 < len(doc):
            doc[i + 1].is_sent_start = True
    return doc
