"""Text hygiene shared by every stage: one function, :func:`clean_text`.

What no UTF-8 writer, RDF syntax or tokenizer can carry is removed, and
nothing else changes:

* lone UTF-16 surrogates (``"\\ud800"``, from a JSON ``\\ud800`` escape or a
  file name) are removed; a valid surrogate *pair* is joined into its
  character;
* C0 control characters other than tab, line feed and carriage return are
  removed.

With ``display=True`` (terminal, HTML and markdown output) DEL, the C1
control characters (``\\x7f``-``\\x9f``, some of which terminals obey as
escape sequences) and the non-characters U+FFFE and U+FFFF are removed too.

Users: :func:`kg.ingest.normalise_text` (document text and metadata, before
any offset is taken), :func:`kg.rdf.clean_text` (literals) and
:func:`kg.analysis.clean_text` (report, HTML view; ``display=True``).

Examples
--------
>>> clean_text("Chile\\ud800 exports lithium.")
'Chile exports lithium.'
>>> clean_text("\\ud83d\\ude00") == "\\U0001F600"
True
>>> clean_text('a "b" \\\\ <c>\\x00\\x1b \\t\\r\\n')
'a "b" \\\\ <c> \\t\\r\\n'
>>> clean_text("x\\x9b31my\\x85", display=True), clean_text("x\\x9b31my\\x85")
('x31my', 'x\\x9b31my\\x85')
>>> clean_text(None)
''
"""
from __future__ import annotations

import re

__all__ = ["clean_text"]

_SURROGATE = re.compile("[\ud800-\udfff]")
_C0 = "\x00-\x08\x0b\x0c\x0e-\x1f"
_UNSAFE = re.compile(f"[{_C0}\ud800-\udfff]")
_UNSAFE_DISPLAY = re.compile(f"[{_C0}\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def clean_text(text: object, *, display: bool = False) -> str:
    """``text`` without lone surrogates and control characters (see the module doc).

    ``None`` gives ``""``; anything else that is not a string is ``str()``-ed.

    >>> clean_text("a\\udc80b\\x07c\\td\\n")
    'abc\\td\\n'
    """
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    pattern = _UNSAFE_DISPLAY if display else _UNSAFE
    if not pattern.search(s):
        return s
    if _SURROGATE.search(s):
        # Through UTF-16: a valid pair becomes its character, a lone half is dropped.
        s = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    return pattern.sub("", s)
