"""The driver: run the pipeline over documents and turn candidate relations into facts.

:func:`extract` parses each document (long texts in paragraph-aligned
chunks), finds acronyms defined in the text, collects candidate facts
sentence by sentence (:mod:`kg.extract.rules`), resolves mentions to canonical
entities (:mod:`kg.resolve`) and merges the evidence of equal facts.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Iterator

from spacy.tokens import Doc, Span

from ..errors import KGError
from ..model import Candidate, Document, Entity, Evidence, Fact, SentenceTrace, Shard, merge_facts
from ..ontology import Ontology, load_ontology
from ..progress import BuildProgress
from ..resolve import Resolver
from .mentions import (DocContext, DocumentMemory, RawCandidate, bare_head_words, candidate_rank, company_prefixes,
                       company_suffixes, define_acronyms, define_subject, document_subject, headed_names, names_to_the_left,
                       one_sense_per_document, places_with_a_part_word, split_names, the_in_names, title_subject,
                       titled_people)
from .rules import TriggerIndex, sentence_candidates
from .rules.base import advisory
from .rules.lists import MAX_LIST_EVIDENCE, list_intro

# same-length replacements that help the parser; offsets stay valid
_PARSE_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-",
                             "\u2013": "-", "\u00a0": " "})
CHUNK_CHARS = 50_000
#: Characters of text that :func:`extract` reads at a time (one shard each): large enough that the
#: per-batch set-up (triggers, weights) is lost in the parsing, small next to a corpus.
STREAM_BATCH_CHARS = 1_000_000
BATCH_PIECES = 64  # short articles parsed at a time (within CHUNK_CHARS characters in all)


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


def batches(documents: list[Document], limit: int = CHUNK_CHARS, size: int = BATCH_PIECES
            ) -> Iterator[list[tuple[str, tuple[Document, int]]]]:
    """The pieces of ``documents`` to parse, in batches of at most ``size`` pieces and ``limit``
    characters (a piece longer than that is a batch of its own), each piece as ``(text, (document,
    offset))``: short articles are parsed several at a time, a long one piece by piece, so that
    what the parser holds at once is bounded by the piece size, not by the length of the text.

    >>> docs = [Document.from_text("aa\\n\\nbb\\n\\ncc", "long"), Document.from_text("dd", "short")]
    >>> [[(text, d.name, off) for text, (d, off) in b] for b in batches(docs, limit=5)]
    [[('aa\\n\\n', 'long', 0)], [('bb\\n\\n', 'long', 4)], [('cc', 'long', 8), ('dd', 'short', 0)]]
    """
    batch: list[tuple[str, tuple[Document, int]]] = []
    chars = 0
    for d in documents:
        for off, piece in chunks(d.text, limit):
            if batch and (len(batch) == size or chars + len(piece) > limit):
                yield batch
                batch, chars = [], 0
            batch.append((piece.translate(_PARSE_FOLD), (d, off)))
            chars += len(piece)
    if batch:
        yield batch


def parse_documents(documents: Iterable[Document], nlp, *, progress: bool | BuildProgress = False
                    ) -> Iterator[tuple[Document, int, Doc]]:
    """Yield (document, chunk offset, parsed chunk) with the model loaded once and texts batched
    (see :func:`batches`: at most one piece's worth of characters in the parser at a time).

    ``progress``: show a bar of the words parsed (a list of documents gives the total), or a
    :class:`kg.progress.BuildProgress` to count into (a build over a stream of documents)."""
    limit = min(CHUNK_CHARS, nlp.max_length - 1)
    stream = (parsed for batch in batches(documents, limit)
              for parsed in nlp.pipe(batch, as_tuples=True, batch_size=len(batch)))
    bar, own = BuildProgress.of(progress, documents)
    if bar is None:
        for doc, (d, off) in stream:
            yield d, off, doc
        return
    try:
        for doc, (d, off) in stream:
            bar.parsed(d.id, len(doc.text.split()))
            yield d, off, doc
    finally:
        if own:
            bar.close()


def prepared_pieces(documents: Iterable[Document], nlp, onto: Ontology, *, typer=None,
                    progress: bool | BuildProgress = False
                    ) -> Iterator[tuple[Document, int, Doc, dict, DocumentMemory]]:
    """Parse documents and fix their mentions (acronyms, one sense per document, titled people,
    company prefixes, first words split off names, then the trained typer when given).

    Yields ``(document, piece offset, parsed piece, acronyms, memory)``; pieces of one document
    share what was learnt (acronyms, members, counts).
    """
    memory, memory_of = DocumentMemory(), None
    for d, off, doc in parse_documents(documents, nlp, progress=progress):
        if memory_of != d.id:  # a new document; pieces of one document share what was learnt
            memory, memory_of = DocumentMemory(), d.id
        acronyms = define_acronyms(doc, memory.acronyms, onto)
        titled_people(doc, onto)
        one_sense_per_document(doc)
        company_prefixes(doc, onto)
        split_names(doc, onto)
        company_suffixes(doc, onto)
        names_to_the_left(doc, onto)
        headed_names(doc, onto)
        places_with_a_part_word(doc, onto)
        the_in_names(doc, onto)
        bare_head_words(doc, onto)
        if typer is not None:
            typer.apply(doc, d.title)
        yield d, off, doc, acronyms, memory


def read_sentences(documents: Iterable[Document], nlp, onto: Ontology, triggers: TriggerIndex, *,
                   resolver: Resolver | None = None, typer=None, progress: bool | BuildProgress = False,
                   on_warning=None) -> Iterator[tuple[Document, int, DocContext, Span, list, list]]:
    """Parse documents and run the rule families on every sentence.

    Yields ``(document, piece offset, context, sentence, kept, rejected)``: the rules' kept
    candidates and the rejected ones with their reason. Shared by :func:`extract` and
    :mod:`kg.extract.train`, so that training sees what extraction sees.
    """
    for d, off, doc, acronyms, memory in prepared_pieces(documents, nlp, onto, typer=typer, progress=progress):
        first = not memory.subject_known  # the first piece of a document finds what it is about
        titled = title_subject(doc, d.title, onto) if first else None  # named only by the title
        subject = document_subject(doc, d.title, onto) if first and titled is None else None
        if subject is not None:  # before the context reads the mentions: it may re-type them
            subject = define_subject(doc, subject, onto)
        ctx = DocContext(doc, onto, triggers, acronyms, memory)
        if first:
            memory.subject = ctx.mention(subject) if subject is not None else titled
            memory.subject_known = True
        ctx.subject = memory.subject
        if resolver is not None:
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
            yield d, off, ctx, sent, kept, rejected


def extract(documents: Iterable[Document], *, nlp=None, model: str | None = None, ontology: Ontology | None = None,
            explain: list | None = None, progress: bool | BuildProgress = False, on_warning=None,
            extractor: str = "rules", models: str | None = None,
            batch_chars: int | None = None) -> tuple[dict[str, Entity], list[Fact]]:
    """Extract entities and facts from documents.

    The documents are read in batches of at most ``batch_chars`` characters as they come (one
    :func:`extract_shard` each, merged at the end by :func:`merge_shards`: the same result as one
    batch): a stream of documents is never held whole, and a batch's texts are dropped once it
    has been read; what is kept is what the graph needs (evidence sentences, names, counts).

    Parameters
    ----------
    documents : iterable of Document
        A list, or a stream (a generator, :class:`kg.ingest.DocumentStream`) read as it goes.
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
    extractor : {"rules", "trained", "hybrid"}
        ``rules``: the rule families alone; ``trained``: the relation classifier decides over
        every candidate pair (rule votes are among its features); ``hybrid``: rule facts the
        classifier does not veto, plus the classifier's confident pairs.
    models : str, optional
        Folder of trained weights (``kg train -o DIR``); default: the ones shipped with kg.
    progress : bool or kg.progress.BuildProgress
        Show a progress bar on stderr, or count into the given one.
    batch_chars : int, optional
        Characters of text read at a time at the most (a longer document is a batch of its own;
        default :data:`STREAM_BATCH_CHARS`).

    Returns
    -------
    (entities, facts) : dict of key -> Entity, list of Fact

    Examples
    --------
    >>> ents, facts = extract([Document.from_text("Peru produces copper and zinc.")])
    >>> sorted((f.subject, f.predicate, f.object) for f in facts)
    [('peru', 'produces', 'copper'), ('peru', 'produces', 'zinc')]
    """
    from ..engine import iter_batches
    from ..pipeline import load_pipeline

    onto = ontology or load_ontology()
    nlp = nlp or load_pipeline(model)
    bar, own = BuildProgress.of(progress, documents)
    shards = []
    try:
        for batch in iter_batches(documents, None, batch_chars or STREAM_BATCH_CHARS):
            shards.append(extract_shard(batch, nlp=nlp, ontology=onto, explain=explain is not None, progress=bar,
                                        on_warning=on_warning, extractor=extractor, models=models))
            del batch  # its texts go now: the next batch is read into a fresh list
    finally:
        if own:
            bar.close()
    if explain is not None:
        for shard in shards:
            explain.extend(shard.traces)
    return merge_shards(shards, onto)


def extract_shard(documents: Iterable[Document], *, nlp=None, model: str | None = None,
                  ontology: Ontology | None = None, explain: bool = False, progress: bool = False,
                  on_warning=None, extractor: str = "rules", models: str | None = None) -> Shard:
    """Read a batch of documents into a :class:`Shard`: a pure function of the documents.

    Parameters are those of :func:`extract` (``explain``: whether to keep the traces in the shard).
    Unread sentences are passed to ``on_warning`` and also kept in ``shard.warnings``. With
    ``on_warning``, an internal error in any stage of one document's reading (parsing, mentions,
    rules, classifier, resolution) skips that document with a warning naming it and the error;
    the other documents are read (each on its own, which gives the same shard).

    Examples
    --------
    >>> shard = extract_shard([Document.from_text("Peru produces copper.")])
    >>> [(s, p, o) for s, p, o, _ in shard.evidence]
    [('peru', 'produces', 'copper')]
    """
    from ..pipeline import load_pipeline

    onto = ontology or load_ontology()
    nlp = nlp or load_pipeline(model)
    documents = list(documents)
    opts = dict(explain=explain, progress=progress, extractor=extractor, models=models)
    try:  # sentence warnings are kept in the shard and said after the batch
        shard = _read_shard(documents, nlp=nlp, onto=onto, catch=on_warning is not None, **opts)
    except KGError:
        raise  # the user's to fix (missing weights...), not a bug met in one document
    except Exception as exc:  # noqa: BLE001 - a bug met in one document must not cost the others
        if on_warning is None:
            raise
        if len(documents) > 1:  # find the document: each is read on its own (the same result)
            return combine_shards([extract_shard([d], nlp=nlp, ontology=onto, on_warning=on_warning, **opts)
                                   for d in documents])
        message = (f"{documents[0].name}: skipped (internal error while extracting: {type(exc).__name__}: "
                   f"{' '.join(str(exc).split())[:100]}); the other documents are built")
        on_warning(message)
        return Shard(warnings=[message])
    for message in shard.warnings if on_warning is not None else ():
        on_warning(message)  # after the batch: a batch read again document by document says each once
    return shard


def combine_shards(shards: Iterable[Shard]) -> Shard:
    """One shard of several, in order: what one :func:`extract_shard` of all their documents gives.

    Examples
    --------
    >>> a, b = extract_shard([Document.from_text("Peru produces copper.")]), extract_shard(
    ...     [Document.from_text("Chile produces copper.")])
    >>> sorted(combine_shards([a, b]).labels["copper"].items())
    [('copper', 2)]
    """
    out = Shard()
    forms: dict[str, set[str]] = {}
    for shard in shards:
        out.evidence.extend(shard.evidence)
        for table, mine in ((shard.labels, out.labels), (shard.classes, out.classes)):
            for key, counts in table.items():
                merged = mine.setdefault(key, {})
                for name, n in counts.items():
                    merged[name] = merged.get(name, 0) + n
        for key, fs in shard.forms.items():
            forms.setdefault(key, set()).update(fs)
        out.traces.extend(shard.traces)
        out.warnings.extend(shard.warnings)
    out.forms = {key: sorted(fs) for key, fs in forms.items()}
    return out


def decide(decider, ctx: DocContext, sent: Span, kept: list[RawCandidate],
           rejected: list[tuple[RawCandidate, str]]) -> tuple[list[RawCandidate], list[tuple[RawCandidate, str]]]:
    """The kept and rejected candidates of a sentence once its facts are decided: by the
    classifier's :class:`~kg.extract.decide.Decider`, or, with the rules alone (``decider`` None),
    by the rules, where a vote for the classifier only (:func:`~kg.extract.rules.base.advisory`)
    is no fact on its own. Every build path decides here, so that they keep the same facts."""
    if decider is not None:
        return decider.decide(ctx, sent, kept, rejected)
    return ([c for c in kept if not advisory(c.rule)],
            rejected + [(c, "a vote for the classifier only") for c in kept if advisory(c.rule)])


def _read_shard(documents: list[Document], *, nlp, onto: Ontology, explain: bool, progress: bool, catch: bool,
                extractor: str, models: str | None) -> Shard:
    """The work of :func:`extract_shard`; ``catch``: a sentence that cannot be read is a warning
    in ``shard.warnings``, not an error."""
    triggers = TriggerIndex.from_ontology(onto)
    resolver = Resolver(onto)
    shard = Shard()

    raw: list[tuple[Document, RawCandidate, int, int]] = []
    decider = None
    if extractor != "rules":
        from .decide import Decider

        decider = Decider.load(onto, triggers, models, mode=extractor)
    for d, off, ctx, sent, kept, rejected in read_sentences(documents, nlp, onto, triggers, resolver=resolver,
                                                           typer=decider.typer if decider else None,
                                                           progress=progress,
                                                           on_warning=shard.warnings.append if catch else None):
        kept, rejected = decide(decider, ctx, sent, kept, rejected)
        s_start, s_end = sent.start_char + off, sent.end_char + off
        chunk_text = d.text[s_start:s_end]
        s_start += len(chunk_text) - len(chunk_text.lstrip())
        s_end -= len(chunk_text) - len(chunk_text.rstrip())
        # a list item's fact with an argument outside its line (the introduction's name, the
        # page's subject) is stated by the introducing sentence and the items down to this one
        intro = list_intro(sent)
        list_start = s_start
        if intro is not None and sent.end_char - intro.start_char <= MAX_LIST_EVIDENCE:
            list_start = intro.start_char + off  # (a very long list: the item line alone)
        for c in kept:
            raw.append((d, c, list_start if _outside(c, sent) else s_start, s_end))
        if explain and (kept or rejected):
            t_start = list_start if any(_outside(c, sent) for c in [*kept, *(c for c, _ in rejected)]) else s_start
            shard.traces.append(SentenceTrace(
                doc_id=d.id, doc_name=d.name, start=t_start, sentence=d.text[t_start:s_end],
                candidates=tuple(
                    [Candidate(c.subject.text, c.predicate, c.object.text, c.rule, c.modality, c.confidence, True,
                               decider.notes.get(c, "") if decider is not None else "")
                     for c in kept]
                    + [Candidate(c.subject.text, c.predicate, c.object.text, c.rule, c.modality, c.confidence,
                                 False, why) for c, why in rejected])))
    shard.evidence = [(s, p, o, ev) for (s, p, o, _, _), ev in choose_evidence(raw, resolver, onto).items()]
    shard.labels = {key: dict(counts) for key, counts in resolver.labels.items()}
    shard.classes = {key: dict(counts) for key, counts in resolver.classes.items()}
    shard.forms = {key: sorted(forms) for key, forms in resolver.forms.items()}
    return shard


def _outside(c: RawCandidate, sent: Span) -> bool:
    """Whether an argument of ``c`` is named outside ``sent`` (offsets in the parsed piece)."""
    return any(m.start < sent.start_char or m.end > sent.end_char for m in (c.subject, c.object))


def choose_evidence(raw: Iterable[tuple[Document, RawCandidate, int, int]], resolver: Resolver,
                    onto: Ontology) -> dict[tuple, Evidence]:
    """One evidence per fact and sentence, by ``(subject key, property, object key, document id,
    sentence start)``: two names of one entity in a sentence give one fact, and of two readings of
    a fact in one sentence the better (:func:`~kg.extract.mentions.candidate_rank`) is kept. ``raw``
    holds the kept candidates with their document and sentence span."""
    best: dict[tuple, tuple[tuple, Evidence]] = {}
    for d, c, start, end in raw:
        s_key, o_key = resolver.key(d.id, c.subject), resolver.key(d.id, c.object)
        if s_key is None or o_key is None or s_key == o_key:
            continue
        if onto.properties[c.predicate].symmetric and o_key < s_key:
            s_key, o_key = o_key, s_key
        ev = Evidence(doc_id=d.id, sentence=d.text[start:end], start=start, end=end,
                      rule=c.rule, confidence=c.confidence, modality=c.modality)
        key = (s_key, c.predicate, o_key, d.id, start)
        rank = candidate_rank(c)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, ev)
    return {key: ev for key, (_, ev) in best.items()}


def merge_shards(shards: Iterable[Shard], ontology: Ontology | None = None) -> tuple[dict[str, Entity], list[Fact]]:
    """The cross-document step: pool the shards' names and evidence into entities and facts.

    Canonical labels, classes and aliases are chosen from the counts of all the shards (in
    the order given: pass them in document order), facts pool their evidence across documents
    and :func:`settle_classes` runs once on the whole. The result does not depend on how the
    documents were split into shards.

    >>> a = extract_shard([Document.from_text("Peru produces copper.")])
    >>> b = extract_shard([Document.from_text("Chile produces copper.")])
    >>> ents, facts = merge_shards([a, b])
    >>> sorted(ents), len(facts)
    (['chile', 'copper', 'peru'], 2)
    """
    onto = ontology or load_ontology()
    resolver = Resolver(onto)
    evidence: list[tuple[str, str, str, Evidence]] = []
    for shard in shards:
        for key, counts in shard.labels.items():
            resolver.labels[key].update(counts)
        for key, counts in shard.classes.items():
            resolver.classes[key].update(counts)  # update keeps zero counts; Counter + would drop them
        for key, forms in shard.forms.items():
            resolver.forms[key].update(forms)
        evidence.extend(shard.evidence)
    facts = merge_facts(Fact(s, p, o, (ev,)) for s, p, o, ev in evidence)
    entities, facts = settle_classes(resolver.entities(), facts, onto, resolver.classes)
    used = {f.subject for f in facts} | {f.object for f in facts}
    return {k: e for k, e in entities.items() if k in used}, facts


def settle_classes(entities: dict[str, Entity], facts: list[Fact], onto: Ontology,
                   seen: dict | None = None) -> tuple[dict[str, Entity], list[Fact]]:
    """One class per entity that its facts agree with.

    Mentions of one name may have been read as different classes (a NER label here, a head noun or
    the classifier there). An entity whose class does not fit the domain or range of one of its
    facts takes, among the classes its mentions had (``seen``: key -> Counter), the one that fits
    the most facts (then the most frequent); a lexicon entity keeps its class. Facts that still do
    not fit are left out, so that the graph always conforms to the ontology's domains and ranges.

    >>> from kg.model import Evidence
    >>> onto = load_ontology()
    >>> ev = (Evidence("d", "s", 0, 1, "r", 0.9),)
    >>> ents = {"k": Entity("k", "Kakula", "Person"), "c": Entity("c", "copper", "Mineral")}
    >>> ents, facts = settle_classes(ents, [Fact("k", "produces", "c", ev)], onto,
    ...                              {"k": {"Person": 2, "Mine": 1}})
    >>> ents["k"].cls, len(facts)
    ('Mine', 1)
    """
    from dataclasses import replace

    # per entity, how many of its facts need each domain or range: an entity with many facts costs
    # the number of different needs, not the number of facts, each time a class is tried
    needs: dict[str, Counter[frozenset[str]]] = {}
    for f in facts:
        spec = onto.properties[f.predicate]
        needs.setdefault(f.subject, Counter())[spec.domain] += 1
        needs.setdefault(f.object, Counter())[spec.range] += 1
    no_needs: Counter = Counter()

    def fits(cls: str, key: str) -> int:
        return sum(n for need, n in needs.get(key, no_needs).items() if onto.ancestors(cls) & need)

    out = dict(entities)
    for key, e in entities.items():
        wanted = sum(needs.get(key, no_needs).values())
        if e.wikidata or fits(e.cls, key) == wanted or key in onto.lexicon_keys:
            continue
        counts = dict((seen or {}).get(key, {})) or {e.cls: 1}
        best = max(counts, key=lambda c: (fits(c, key), counts[c], c == e.cls))
        if fits(best, key) > fits(e.cls, key):
            out[key] = replace(e, cls=best)
    kept = [f for f in facts if f.subject in out and f.object in out
            and onto.allows(f.predicate, out[f.subject].cls, out[f.object].cls)]
    return out, kept
