"""Exceptions raised by kg.

Every error that a user can cause (a missing file, bad SPARQL, an output
folder that cannot be written) is a :class:`KGError`. The command line prints
``str(error)`` as one line and exits with :attr:`KGError.exit_code`; anything
else is a bug and shows a traceback only with ``--debug``.
"""
from __future__ import annotations


class KGError(Exception):
    """Base class of all errors that kg reports to users as one line."""

    exit_code = 1


class InputError(KGError):
    """An input path or article cannot be used (missing, unreadable, malformed)."""

    exit_code = 2


class OutputError(KGError):
    """An output file or folder cannot be written."""

    exit_code = 2


class ModelError(KGError):
    """The spaCy model cannot be loaded."""

    exit_code = 2


class QueryError(KGError):
    """A SPARQL query is malformed, fails or runs too long."""

    exit_code = 2


class OntologyError(KGError):
    """The ontology or lexicon files are missing or inconsistent."""

    exit_code = 2


class ValidationError(KGError):
    """A graph does not conform to the SHACL shapes."""

    exit_code = 1
