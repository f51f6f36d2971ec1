"""Near names, for a name that matches no entity of a graph (``kg query --about NAME``).

:func:`entity_names` lists what an entity may be called (its labels and
aliases); :func:`near_names` picks those close to a name that matched none:
the names that hold it as a whole word ("Ishiba" for "Shigeru Ishiba") first,
then the most similar spellings (:func:`difflib.get_close_matches`), compared
without case.

Examples
--------
>>> near_names("peruu", ["Peru", "Peruvian", "Japan"])
['Peru', 'Peruvian']
>>> near_names("ishiba", ["Shigeru Ishiba", "Japan"])
['Shigeru Ishiba']
>>> near_names("zzz", ["Peru"])
[]
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import rdflib
from rdflib import RDF, RDFS, SKOS

from .ontology import KGO

__all__ = ["entity_names", "near_names"]

#: Nodes of these types are records about facts, not entities.
_NOT_ENTITIES = frozenset({KGO.Fact, KGO.Evidence, KGO.Document, RDF.Statement})


def entity_names(graph: rdflib.Graph) -> list[str]:
    """The labels and aliases (``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``) of the graph's entities.

    Sorted, each once; fact, evidence and document records are left out.

    Examples
    --------
    >>> from kg.rdf import example_result, to_rdf
    >>> "Peruvian" in entity_names(to_rdf(example_result()))
    True
    """
    names: set[str] = set()
    for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
        for node, label in graph.subject_objects(p):
            if not _NOT_ENTITIES & set(graph.objects(node, RDF.type)):
                names.add(str(label))
    return sorted(names)


def near_names(name: str, names: Iterable[str], *, limit: int = 5, cutoff: float = 0.6) -> list[str]:
    """The names close to ``name``: those holding it as a whole word, then similar spellings.

    Parameters
    ----------
    name
        The name that matched nothing.
    names
        The names to choose from.
    limit
        How many to return at most.
    cutoff
        The least similarity (0..1) of a spelling, as :func:`difflib.get_close_matches` measures it.

    Returns
    -------
    list of str
        At most ``limit`` names, the closest first; none when nothing is close.
    """
    by_lower: dict[str, str] = {}
    for n in names:
        by_lower.setdefault(n.casefold(), n)
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return []
    word = re.compile(rf"(?<!\w){re.escape(wanted)}(?!\w)")
    chosen = [low for low in sorted(by_lower, key=lambda n: (len(n), n)) if low != wanted and word.search(low)]
    chosen += difflib.get_close_matches(wanted, list(by_lower), n=limit, cutoff=cutoff)
    return [by_lower[low] for low in dict.fromkeys(chosen)][:limit]
