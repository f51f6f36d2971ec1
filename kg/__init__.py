"""kg: turn news articles into an RDF knowledge graph with evidence on every fact.

The heavy libraries (spaCy, pyvis) are imported only when used, so
``import kg`` is fast. See :func:`kg.api.build` for the Python API.
"""
from __future__ import annotations

from .errors import KGError

__version__ = "0.1.0"
__all__ = ["KGError", "build", "load", "KnowledgeGraph", "__version__"]


def __getattr__(name):  # lazy re-exports of the API
    if name in ("build", "load", "KnowledgeGraph"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
