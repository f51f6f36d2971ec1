"""Which language is an article in? An offline guess from function words.

spaCy's English model reads English only: a Spanish article builds to nothing, silently. The
guess counts, among an article's first words, those that are stop words of each language whose
list spaCy ships (``spacy.lang.*.stop_words``; nothing is downloaded): running English prose has
a third or more of its words among English stop words, other languages far fewer.

Examples
--------
>>> guess_language("Peru is one of the largest producers of copper, and it is also rich in zinc and "
...                "silver; most of its output goes to China, which buys it for its smelters.")[0]
'en'
>>> guess_language("El Perú es uno de los mayores productores de cobre del mundo y también tiene "
...                "grandes reservas de zinc y plata; la mayor parte de su producción se exporta a China.")[0]
'es'
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from pathlib import Path

#: languages compared (spaCy ships their stop word lists)
LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl", "id")
#: a share of function words below which no language is named
MIN_ENGLISH = 0.12
MIN_WORDS = 20
_WORD = re.compile(r"[^\W\d_]+")


@functools.lru_cache(maxsize=None)
def _stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words of ``lang``, read from its ``stop_words.py`` alone: importing the
    ``spacy.lang.fr`` package would also compile its tokenizer exceptions (seconds)."""
    try:
        spec = importlib.util.find_spec("spacy.lang")
        path = Path(next(iter(spec.submodule_search_locations))) / lang / "stop_words.py"
        module_spec = importlib.util.spec_from_file_location(f"_kg_stop_words_{lang}", path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        return frozenset(module.STOP_WORDS)
    except (ImportError, AttributeError, OSError, StopIteration, TypeError):  # pragma: no cover
        return frozenset()


def guess_language(text: str, max_words: int = 2000) -> tuple[str | None, dict[str, float]]:
    """The most likely language of ``text`` (None when there are too few words to tell, or when
    no language's function words are common: another script) and the share per language."""
    words = _WORD.findall(text.lower())[:max_words]
    if len(words) < MIN_WORDS:
        return None, {}
    shares = {lang: sum(w in _stop_words(lang) for w in words) / len(words) for lang in LANGUAGES}
    best = max(shares, key=shares.get)
    return (best if shares[best] >= MIN_ENGLISH / 2 else None), shares


#: another language is named only on evidence: its function words this common, and twice the English
MIN_OTHER = 0.15


#: names of the languages compared, for messages
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
                  "it": "Italian", "nl": "Dutch", "id": "Indonesian"}


def language_name(lang: str) -> str:
    """``"Spanish"`` for ``"es"``; the code itself for a language not compared.

    >>> language_name("es"), language_name("ja")
    ('Spanish', 'ja')
    """
    return LANGUAGE_NAMES.get(lang, lang)


def other_language(text: str, expected: str = "en") -> str | None:
    """None when ``text`` reads as the ``expected`` language (or cannot be told apart from it);
    else what it looks like: a language code, or "another language" for another script.

    A text is taken for another language only on positive evidence (its letters are mostly not
    Latin, or another language's function words are common and twice as common as the expected
    one's), so that terse text ("Peru produces copper.") is never refused. For a language
    outside :data:`LANGUAGES` nothing can be told: None.

    >>> other_language("El Perú es uno de los mayores productores de cobre del mundo y también tiene "
    ...                "grandes reservas de zinc y plata; la mayor parte se exporta a China.", "es") is None
    True
    >>> other_language("Peru is one of the largest producers of copper, and it is also rich in zinc and "
    ...                "silver; most of its output goes to China, which buys it for its smelters.", "es")
    'en'
    """
    if expected not in LANGUAGES:
        return None
    sample = text[:20000]
    letters = [c for c in sample if c.isalpha()]
    if len(letters) >= 100 and sum(c.isascii() or "\u00c0" <= c <= "\u024f" for c in letters) < len(letters) / 2:
        return "another language"
    _, shares = guess_language(sample)
    if not shares:
        return None
    other = max((lang for lang in shares if lang != expected), key=shares.get)
    if shares[other] >= MIN_OTHER and shares[other] >= 2 * shares[expected]:
        return other
    return None


def not_english(text: str) -> str | None:
    """:func:`other_language` with English expected.

    >>> not_english("Japan and Peru agreed to cooperate on critical minerals.") is None
    True
    >>> not_english("Peru produces copper. " * 20) is None
    True
    """
    return other_language(text, "en")
