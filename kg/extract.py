"""Run the pipeline over documents and turn candidate relations into facts.

:func:`extract` parses each document (long texts in paragraph-aligned
chunks), finds acronyms defined in the text, collects candidate facts
sentence by sentence (:mod:`kg.relations`), resolves mentions to canonical
entities (:mod:`kg.resolve`) and merges the evidence of equal facts.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Iterator

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .components.entity_typer import new_name
from .model import Candidate, Document, Entity, Evidence, Fact, SentenceTrace, merge_facts
from .ontology import Ontology, load_ontology
from .relations import DocContext, DocumentMemory, Mention, RawCandidate, TriggerIndex, sentence_candidates
from .resolve import Resolver

# same-length replacements that help the parser; offsets stay valid
_PARSE_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-",
                             "\u2013": "-", "\u00a0": " "})
CHUNK_CHARS = 50_000


def chunks(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Split ``text`` at paragraph (else line, else sentence-ish) boundaries into pieces of at most ``limit``.

    >>> [(o, t) for o, t in chunks("aa\\n\\nbb\\n\\ncc", limit=5)]
    [(0, 'aa\\n\\n'), (4, 'bb\\n\\n'), (8, 'cc')]
    """
    start = 0
    n = len(text)
    while start < n:
        end = min(start + limit, n)
        if end < n:
            cut = -1
            for sep in ("\n\n", "\n", ". ", " "):
                cut = text.rfind(sep, start + 1, end)
                if cut > start:
                    end = cut + len(sep)
                    break
        yield start, text[start:end]
        start = end


def define_acronyms(doc: Doc, known: dict[str, Mention] | None = None,
                    onto: Ontology | None = None) -> dict[str, Mention]:
    """Acronyms defined as "Long Name (ACR)" (or earlier in the document: ``known``) and their
    uses become entities of the long name's class."""
    acronyms: dict[str, Mention] = dict(known or {})
    ents = list(doc.ents)
    ents = _long_forms(doc, ents, onto)
    for ent in ents:
        end = ent.end
        if end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")":
            acr = doc[end + 1].text
            if acr.isupper() and 2 <= len(acr) <= 8 and acr.isalpha() and acr[0] == ent.text[0].upper():
                acronyms[acr] = Mention(ent.text, ent.label_, ent.start_char, ent.end_char, ent.ent_id_ or None)
    if not acronyms:
        return acronyms
    spans = []
    for tok in doc:
        if tok.text in acronyms:
            long = acronyms[tok.text]
            spans.append(Span(doc, tok.i, tok.i + 1, label=long.cls, span_id=long.lex or ""))
    kept = [e for e in ents if not (e.end - e.start == 1 and e.text in acronyms)]
    taken = {i for e in kept for i in range(e.start, e.end)}
    doc.ents = filter_spans(kept + [s for s in spans if s.start not in taken])
    return acronyms


def _long_forms(doc: Doc, ents: list[Span], onto: Ontology | None = None) -> list[Span]:
    """Make an entity of a capitalised name defined with an acronym ("Tenke Fungurume Mining SA (TFM)")
    when the NER did not find it."""
    onto = onto or load_ontology()
    ent_ends = {e.end for e in ents}
    new = []
    for tok in doc:
        if tok.text != "(" or tok.i + 2 >= len(doc) or doc[tok.i + 2].text != ")" or tok.i in ent_ends:
            continue
        acr = doc[tok.i + 1].text
        if not (acr.isupper() and acr.isalpha() and 2 <= len(acr) <= 8):
            continue
        start = tok.i
        while start > 0 and tok.i - start < len(acr) + 4:
            prev = doc[start - 1]
            if prev.text[:1].isupper() or (prev.lower_ in ("of", "and", "for", "&") and start < tok.i):
                start -= 1
            else:
                break
        while start < tok.i and not doc[start].text[:1].isupper():
            start += 1
        initials = "".join(t.text[0] for t in doc[start:tok.i] if t.text[:1].isupper())
        if start >= tok.i or not initials.startswith(acr):
            continue
        words = [t.lower_ for t in doc[start:tok.i]]
        cls = onto.class_for_head(words[-1])
        if cls in (None, "Product"):
            cls = "Company" if any(onto.class_for_head(w) == "Company" for w in words) else "Organisation"
        new.append(Span(doc, start, tok.i, label=cls))
    if not new:
        return ents
    taken = {i for s in new for i in range(s.start, s.end)}
    merged = filter_spans([e for e in ents if not taken.intersection(range(e.start, e.end))] + new)
    doc.ents = merged
    return list(doc.ents)


# ties between labels of the same name go to the more specific reading; a person comes last
_LABEL_RANK = {name: i for i, name in enumerate(
    ["Country", "Mine", "Facility", "Event", "Region", "Place", "Company", "GovernmentBody", "Alliance",
     "Organisation", "Mineral", "Product", "Person"])}


def one_sense_per_document(doc: Doc) -> None:
    """A name is the same kind of thing everywhere in a document: every occurrence of an
    entity's words becomes an entity, with the label it has most often."""
    labels: dict[tuple[str, ...], Counter] = {}
    ids: dict[tuple[str, ...], str] = {}
    for e in doc.ents:
        words = tuple(t.text for t in e)
        if not e.text[:1].isupper() or len(e.text) < 3:
            continue
        labels.setdefault(words, Counter())[e.label_] += 1
        if e.ent_id_:
            ids[words] = e.ent_id_
    if not labels:
        return
    # a person named in full is later named by one of the names alone ("Shigeru Ishiba" ... "Ishiba",
    # "Prabowo Subianto" ... "Prabowo"); a known name from the lexicon ("Georgia") stays what it is
    for words, counts in list(labels.items()):
        if len(words) >= 2 and counts.most_common(1)[0][0] == "Person":
            for short in {(words[-1],), (words[0],)}:
                if short[0][:1].isupper() and len(short[0]) > 2 and short not in ids:
                    labels[short] = Counter({"Person": 1 + sum(labels.get(short, Counter()).values())})
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for words in labels:
        by_first.setdefault(words[0], []).append(words)
    spans = []
    for tok in doc:
        for words in sorted(by_first.get(tok.text, []), key=len, reverse=True):
            if tuple(t.text for t in doc[tok.i:tok.i + len(words)]) == words:
                label = sorted(labels[words].items(), key=lambda kv: (-kv[1], _LABEL_RANK.get(kv[0], 99)))[0][0]
                spans.append(Span(doc, tok.i, tok.i + len(words), label=label, span_id=ids.get(words, "")))
                break
    covered = {i for s in spans for i in range(s.start, s.end)}
    others = [e for e in doc.ents if not covered.intersection(range(e.start, e.end))]
    doc.ents = filter_spans(spans + others)


def titled_people(doc: Doc, onto: Ontology) -> None:
    """ "Minister of Industry and Mineral Resources Bandar Alkhorayef": a two-word capitalised name
    set in apposition to a title is a person, even where the NER found none."""
    titles = onto.title_heads
    taken = {i for e in doc.ents for i in range(e.start, e.end)}
    spans = []
    for tok in doc:
        if tok.lower_ not in titles:
            continue
        for c in tok.children:
            if c.dep_ not in ("appos", "compound") or c.i <= tok.i or c.pos_ != "PROPN" or c.i in taken:
                continue
            first = doc[c.i - 1]
            if first.pos_ == "PROPN" and first.text[:1].isupper() and first.i not in taken \
                    and onto.class_for_head(first.lower_) is None and c.text[:1].isupper() and c.is_alpha:
                spans.append(Span(doc, first.i, c.i + 1, label="Person"))
    if spans:
        doc.ents = filter_spans(list(doc.ents) + spans)


def company_prefixes(doc: Doc, onto: Ontology) -> None:
    """ "PT Indonesia Morowali Industrial Park" is a company: a legal-form word in capitals
    right before a name makes the name a company's."""
    spans = []
    for e in doc.ents:
        if e.start > 0:
            prev = doc[e.start - 1]
            if prev.is_upper and prev.is_alpha and len(prev) <= 4 and not prev.ent_type_ \
                    and onto.class_for_head(prev.lower_) == "Company":
                spans.append(new_name(doc, e.start - 1, e.end, "Company"))
    if spans:
        taken = {i for s in spans for i in range(s.start, s.end)}
        doc.ents = filter_spans(spans + [e for e in doc.ents if not taken.intersection(range(e.start, e.end))])


def parse_documents(documents: list[Document], nlp, *, progress: bool = False) -> Iterator[tuple[Document, int, Doc]]:
    """Yield (document, chunk offset, parsed chunk) with the model loaded once and texts batched."""
    def pieces():
        for d in documents:
            for off, piece in chunks(d.text, min(CHUNK_CHARS, nlp.max_length - 1)):
                yield (piece.translate(_PARSE_FOLD), (d, off))

    stream = nlp.pipe(pieces(), as_tuples=True, batch_size=4)  # at most ~200k characters in flight
    if progress:
        try:
            from tqdm import tqdm

            stream = tqdm(stream, desc="parsing", unit="chunk", leave=False)
        except ImportError:  # pragma: no cover
            pass
    for doc, (d, off) in stream:
        yield d, off, doc


def extract(documents: Iterable[Document], *, nlp=None, model: str | None = None, ontology: Ontology | None = None,
            explain: list | None = None, progress: bool = False,
            on_warning=None) -> tuple[dict[str, Entity], list[Fact]]:
    """Extract entities and facts from documents.

    Parameters
    ----------
    documents : iterable of Document
    nlp : spacy.Language, optional
        A pipeline from :func:`kg.pipeline.load_pipeline`; loaded when not given.
    model : str, optional
        Name of the spaCy model to load when ``nlp`` is not given.
    explain : list, optional
        When given, a :class:`~kg.model.SentenceTrace` is appended for every
        sentence with candidates (kept and dropped).
    on_warning : callable, optional
        Called with a one-line message when a sentence cannot be read (a bug in a
        rule must not cost the rest of the build); without it the error is raised.

    Returns
    -------
    (entities, facts) : dict of key -> Entity, list of Fact

    Examples
    --------
    >>> ents, facts = extract([Document.from_text("Peru produces copper and zinc.")])
    >>> sorted((f.subject, f.predicate, f.object) for f in facts)
    [('peru', 'produces', 'copper'), ('peru', 'produces', 'zinc')]
    """
    from .pipeline import load_pipeline

    onto = ontology or load_ontology()
    nlp = nlp or load_pipeline(model)
    triggers = TriggerIndex.from_ontology(onto)
    documents = list(documents)
    resolver = Resolver(onto)
    raw: list[tuple[Document, RawCandidate, int, int]] = []
    memory, memory_of = DocumentMemory(), None
    for d, off, doc in parse_documents(documents, nlp, progress=progress):
        if memory_of != d.id:  # a new document; pieces of one document share what was learnt
            memory, memory_of = DocumentMemory(), d.id
        acronyms = define_acronyms(doc, memory.acronyms, onto)
        titled_people(doc, onto)
        one_sense_per_document(doc)
        company_prefixes(doc, onto)
        ctx = DocContext(doc, onto, triggers, acronyms, memory)
        resolver.observe_doc(d.id, doc)
        for sent in doc.sents:
            try:
                kept, rejected = sentence_candidates(ctx, sent)
            except Exception as exc:  # noqa: BLE001 - one sentence must not cost the whole build
                if on_warning is None:
                    raise
                on_warning(f"{d.name}: sentence at character {sent.start_char + off} skipped "
                           f"(relation extraction failed: {type(exc).__name__}: {str(exc)[:80]})")
                continue
            s_start, s_end = sent.start_char + off, sent.end_char + off
            chunk_text = d.text[s_start:s_end]
            s_start += len(chunk_text) - len(chunk_text.lstrip())
            s_end -= len(chunk_text) - len(chunk_text.rstrip())
            for c in kept:
                raw.append((d, c, s_start, s_end))
            if explain is not None and (kept or rejected):
                explain.append(SentenceTrace(
                    doc_id=d.id, doc_name=d.name, start=s_start, sentence=d.text[s_start:s_end],
                    candidates=tuple(
                        [Candidate(c.subject.text, c.predicate, c.object.text, c.rule, c.modality, c.confidence, True)
                         for c in kept]
                        + [Candidate(c.subject.text, c.predicate, c.object.text, c.rule, c.modality, c.confidence,
                                     False, why) for c, why in rejected])))
    # one evidence per fact and sentence (two names of one entity in a sentence give one fact)
    best: dict[tuple, Evidence] = {}
    for d, c, s_start, s_end in raw:
        s_key, o_key = resolver.key(d.id, c.subject), resolver.key(d.id, c.object)
        if s_key is None or o_key is None or s_key == o_key:
            continue
        if onto.properties[c.predicate].symmetric and o_key < s_key:
            s_key, o_key = o_key, s_key
        ev = Evidence(doc_id=d.id, sentence=d.text[s_start:s_end], start=s_start, end=s_end,
                      rule=c.rule, confidence=c.confidence, modality=c.modality)
        key = (s_key, c.predicate, o_key, d.id, s_start)
        old = best.get(key)
        if old is None or (ev.confidence, ev.modality == "asserted", ev.rule) > (
                old.confidence, old.modality == "asserted", old.rule):
            best[key] = ev
    facts = merge_facts(Fact(s, p, o, (ev,)) for (s, p, o, _, _), ev in best.items())
    entities = resolver.entities()
    used = {f.subject for f in facts} | {f.object for f in facts}
    return {k: e for k, e in entities.items() if k in used}, facts
