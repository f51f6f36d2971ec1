"""Modality cues: negation, modals, intention, counterfactuals and their scope over coordination."""
from __future__ import annotations

import pytest

from kg.modality import modality_of


@pytest.mark.parametrize("text, word, expected", [
    ("Japan does not export copper.", "export", "negated"),
    ("Japan never exported copper.", "exported", "negated"),
    ("Peru will export zinc.", "export", "planned"),
    ("Peru plans to export zinc.", "export", "planned"),
    ("Peru could export zinc.", "export", "hedged"),
    ("Peru potentially exports zinc.", "exports", "hedged"),
    ("Peru exports zinc.", "exports", "asserted"),
    ("The company would have taken a stake in the mine.", "taken", "negated"),
    # coordination: contrast stops negation, plain coordination shares it
    ("Peru does not export copper but produces zinc.", "produces", "asserted"),
    ("Japan does not export copper or produce zinc.", "produce", "negated"),
    ("Japan will export copper and produce zinc.", "produce", "planned"),
    ("Japan aims to export copper and produce zinc.", "produce", "planned"),
    ("Ishiba's upcoming visit to Peru drew attention.", "visit", "planned"),
])
def test_modality(nlp, text, word, expected):
    doc = nlp(text)
    tok = next(t for t in doc if t.text == word)
    assert modality_of(tok) == expected
