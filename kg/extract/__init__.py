"""Extraction, one stage per module.

==================  ===================================================================
``mentions``        typed mentions, the document context, acronyms, one sense per document
``rules/``          the rule families (one module each), composed into a sentence extractor
``candidates``      candidate pairs of mentions in a sentence, with the rules' votes
``features``        the features of a candidate pair (path, words between, triggers, votes)
``classifier``      the relation classifier (a multinomial logistic regression)
``typing``          mention typing from the words, head nouns and document context
``decide``          which candidate pairs become facts: the rules, the classifier or both
``calibration``     a reading's confidence: how often such readings were right out of fold
``train``           training both models from an annotated corpus (``kg train``)
``run``             the driver: parse, read sentences, decide, resolve, merge evidence
==================  ===================================================================
"""
from .mentions import DocContext, DocumentMemory, Mention, RawCandidate
from .rules import SentenceExtractor, TriggerIndex, sentence_candidates
from .run import CHUNK_CHARS, chunks, extract, parse_documents

__all__ = ["CHUNK_CHARS", "DocContext", "DocumentMemory", "Mention", "RawCandidate", "SentenceExtractor",
           "TriggerIndex", "chunks", "extract", "parse_documents", "sentence_candidates"]
