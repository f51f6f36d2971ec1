"""The Python API of kg: build a knowledge graph, load one, query, analyse and save it.

:func:`build` runs the whole pipeline (ingest -> spaCy + kg components ->
entities and facts with evidence -> RDF) and returns a :class:`KnowledgeGraph`;
:func:`load` reads one that was saved before. The command line (:mod:`kg.cli`)
is a thin layer over these functions.

Examples
--------
>>> import kg
>>> g = kg.build(texts=["Peru produces copper and zinc. Japan depends on imports of copper."])
>>> g.summary()["documents"]
1
>>> rows = g.query("SELECT ?m WHERE { ?c kgo:produces ?m }")
>>> len(rows) >= 1
True
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import rdflib
from rdflib import RDF, Literal

from .errors import InputError, OutputError
from .model import BuildResult, Document, SentenceTrace
from .ontology import KGO

__all__ = ["build", "load", "KnowledgeGraph", "StrictModeError", "OUTPUT_FORMATS", "normalise_formats"]

#: Serialisation formats that :meth:`KnowledgeGraph.save` writes, by file extension.
OUTPUT_FORMATS: dict[str, str] = {"ttl": "ttl", "nt": "nt", "trig": "trig", "jsonld": "jsonld"}
_FEW_DOCUMENTS = 3
_ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld", "json": "jsonld"}


class StrictModeError(InputError):
    """``strict=True`` and the inputs gave warnings: nothing is built or written."""

    exit_code = 1


def normalise_formats(formats: str | Iterable[str] | None) -> tuple[str, ...]:
    """Turn ``"nt,trig"`` or ``["nt", "jsonld"]`` into a tuple of format names, ``ttl`` first.

    Turtle is always written (it is what :func:`load` and ``kg query`` read first).

    Raises
    ------
    kg.errors.OutputError
        For an unknown format name.

    Examples
    --------
    >>> normalise_formats("nt, trig")
    ('ttl', 'nt', 'trig')
    >>> normalise_formats(["json-ld", "ttl"])
    ('ttl', 'jsonld')
    """
    if formats is None:
        formats = ()
    if isinstance(formats, str):
        formats = [formats]
    out = ["ttl"]
    for item in formats:
        for name in str(item).split(","):
            name = name.strip().lower().lstrip(".")
            if not name:
                continue
            name = _ALIASES.get(name, name)
            if name not in OUTPUT_FORMATS:
                raise OutputError(f"unknown output format {name!r}; choose from {', '.join(OUTPUT_FORMATS)}")
            if name not in out:
                out.append(name)
    return tuple(out)


class KnowledgeGraph:
    """A built (or loaded) knowledge graph.

    Attributes
    ----------
    graph : rdflib.Graph
        The RDF graph (layout in ``docs/architecture.md``).
    result : kg.model.BuildResult or None
        What the build produced (documents, entities, facts, warnings);
        ``None`` when the graph was loaded from a file.
    source : pathlib.Path or None
        The file or folder the graph was loaded from.
    store : kg.store.KGStore or None
        The open store when the graph lives in one (``kg build --store``, :func:`load` of a
        store folder): queries run on it in place, and ``graph`` is read from it when first used.
    build_report : kg.store.StoreBuild or None
        After ``build(store=...)``: the documents added, replaced and left as they were, and how
        many were parsed.
    """

    def __init__(self, graph: rdflib.Graph | None, result: BuildResult | None = None,
                 source: str | os.PathLike | None = None, *, store=None):
        self._graph = graph
        self.result = result
        self.source = Path(source) if source is not None else None
        self.store = store
        self._nx = None
        self._analysis = None
        self._sparql = None  # the pyoxigraph store that queries run on, made once (kg.store.SparqlTarget)
        self.build_report = None  # what kg.store.build_store did, after build(store=...)

    @property
    def graph(self) -> rdflib.Graph:
        """The RDF graph (for a store, the union of its graphs, read when first asked for)."""
        if self._graph is None and self.store is not None:
            self._graph = self.store.rdflib_graph()
        return self._graph

    @graph.setter
    def graph(self, graph: rdflib.Graph) -> None:
        self._graph, self._sparql, self._nx, self._analysis = graph, None, None, None

    def __len__(self) -> int:
        if self._graph is None and self.store is not None:
            return len(self.store)
        return len(self.graph)

    def __repr__(self) -> str:
        s = self.summary()
        return (f"<KnowledgeGraph: {s['documents']} documents, {s['entities']} entities, "
                f"{s['facts']} facts, {len(self.graph)} triples>")

    # -- views -------------------------------------------------------------
    def networkx(self):
        """The entity graph as a ``networkx.MultiDiGraph`` (:func:`kg.analysis.entity_graph`).

        >>> import kg
        >>> G = kg.build(texts=["Peru produces copper."]).networkx()
        >>> G.number_of_nodes() >= 2
        True
        """
        if self._nx is None:
            from . import analysis

            if self._graph is None and self.store is not None:  # read from the store, not via rdflib
                self._nx = analysis.entity_graph(self.store.oxigraph)
            else:
                self._nx = analysis.entity_graph(self.graph)
        return self._nx

    def query(self, q: str, **kw: Any):
        """Run a SPARQL query (text, a ``.rq`` path or a bundled query name).

        Keyword arguments go to :func:`kg.query.run_query` (``timeout``,
        ``bindings``). The usual prefixes (``kgo:``, ``ent:``, ``rdfs:``...)
        are predeclared. Queries run in pyoxigraph: on the store itself for a graph in a store,
        else on an in-memory copy of ``graph`` made at the first query and kept (assign
        ``graph`` anew after changing it, and the copy is made again).

        >>> import kg
        >>> g = kg.build(texts=["Peru produces copper."])
        >>> len(g.query("SELECT ?s WHERE { ?s a kgo:Document }"))
        1
        """
        from . import query as kgquery

        return kgquery.run_query(self.sparql(), kgquery.load_query(q), **kw)

    def sparql(self):
        """The pyoxigraph store that :meth:`query` runs on (:class:`kg.store.SparqlTarget`), made once."""
        if self._sparql is None:
            from . import store as kgstore

            if self.store is not None:
                self._sparql = kgstore.SparqlTarget(self.store.oxigraph, lambda: self.graph)
            else:
                self._sparql = kgstore.memory_target(self.graph)
        return self._sparql

    def analyze(self):
        """Centrality, communities and counts (:func:`kg.analysis.analyze`).

        >>> import kg
        >>> a = kg.build(texts=["Peru produces copper."]).analyze()
        >>> a is not None
        True
        """
        if self._analysis is None:
            from . import analysis

            self._analysis = analysis.analyze(self.networkx())
        return self._analysis

    def report(self) -> str:
        """The markdown report (:func:`kg.analysis.generate_report`)."""
        from . import analysis

        return analysis.generate_report(self.analyze())

    def html(self, title: str | None = None, *, max_nodes: int | None = None, focus: str | None = None,
             hops: int = 2) -> str:
        """A self-contained interactive HTML view (:func:`kg.view.generate_html`).

        The result is a ``str`` that Jupyter displays inline (``_repr_html_``).
        ``title`` defaults to the title of the single document or "N articles: ...";
        ``max_nodes``, ``focus`` and ``hops`` choose what is drawn (see ``kg view --help``).

        >>> import kg
        >>> "<html" in kg.build(texts=["Peru produces copper."]).html().lower()
        True
        """
        from . import view

        cent = self._analysis.centrality if self._analysis is not None else None
        return view.generate_html(self.graph, title=title, G=self.networkx(), centrality=cent,
                                  max_nodes=view.DEFAULT_MAX_NODES if max_nodes is None else max_nodes,
                                  focus=focus, hops=hops)

    def validate(self):
        """Check the graph against the SHACL shapes; returns ``ValidationReport(conforms, text)``.

        >>> import kg
        >>> kg.build(texts=["Peru produces copper."]).validate().conforms
        True
        """
        from . import validate as kgvalidate

        return kgvalidate.validate(self.graph)

    def summary(self) -> dict[str, int]:
        """Counts: documents, entities, facts (asserted), warnings and skipped inputs.

        Counted on the graph, so a loaded graph gives the same numbers as the
        build that wrote it (except ``warnings`` and ``skipped``, which are 0).

        >>> import kg
        >>> s = kg.build(texts=["Peru produces copper."]).summary()
        >>> sorted(s)
        ['documents', 'entities', 'facts', 'skipped', 'warnings']
        """
        if self._graph is None and self.store is not None:  # counted in the store, not read out of it
            return {**self.store.summary(), "warnings": len(self.result.warnings) if self.result else 0,
                    "skipped": self.result.skipped if self.result else 0}
        return _summary(self.graph, self.result)

    # -- output ------------------------------------------------------------
    def save(self, out_dir: str | os.PathLike = "output", formats: str | Iterable[str] = ("ttl",), *,
             title: str | None = None, extra: dict[str, bytes | str] | None = None) -> dict[str, Path]:
        """Write ``graph.ttl`` (+ other formats), ``graph.html``, ``report.md`` and ``kg-manifest.json``.

        All files are rendered in memory, written into a fresh folder beside ``out_dir`` and
        switched in with one atomic exchange of the two folders (:mod:`kg.outset`): a reader
        sees the old set or the new one, never a mix, and if anything fails an existing output
        folder is left exactly as it was. Files in the folder that kg did not write are kept.
        The build lock of the folder (:func:`kg.lock.build_lock`) is held while writing.

        Parameters
        ----------
        out_dir
            The output folder (created when missing).
        formats
            RDF formats to write besides Turtle: ``nt``, ``trig``, ``jsonld``
            (a list or a comma-separated string).
        title
            Title of the HTML view.
        extra
            More files to write in the same all-or-nothing step, by file name.

        Returns
        -------
        dict[str, pathlib.Path]
            ``{"ttl": .../graph.ttl, ..., "html": .../graph.html, "report": .../report.md,
            "manifest": .../kg-manifest.json}``.

        Raises
        ------
        kg.errors.OutputError
            When the folder cannot be written (e.g. it is a file), or another build holds its lock.

        Examples
        --------
        >>> import kg, tempfile
        >>> out = kg.build(texts=["Peru produces copper."]).save(tempfile.mkdtemp(), formats="nt")
        >>> sorted(out)
        ['html', 'manifest', 'nt', 'report', 'ttl']
        """
        from . import lock, outset, rdfio

        out = Path(out_dir)
        if out.exists() and not out.is_dir():
            raise OutputError(f"{out}: exists and is not a folder; choose another output folder with -o")
        fmts = normalise_formats(formats)
        self.analyze()  # once: the report and the HTML view share the entity graph and its centrality
        files: dict[str, bytes | str] = {}
        keys: dict[str, str] = {}
        for fmt in fmts:
            files[f"graph.{fmt}"] = rdfio.serialize(self.graph, fmt)
            keys[fmt] = f"graph.{fmt}"
        files["graph.html"] = self.html(title=title)
        keys["html"] = "graph.html"
        files["report.md"] = self.report()
        keys["report"] = "report.md"
        for name, data in (extra or {}).items():
            files[name] = data
            keys[name] = name
        with lock.build_lock(out):
            outset.write_output_set(out, files)
        keys["manifest"] = outset.MANIFEST
        return {key: out / name for key, name in keys.items()}


def _summary(graph: rdflib.Graph, result: BuildResult | None) -> dict[str, int]:
    skip = {KGO.Fact, KGO.Evidence, KGO.Document, RDF.Statement}
    entities = {s for s, o in graph.subject_objects(RDF.type)
                if str(o).startswith(str(KGO)) and o not in skip and not isinstance(s, Literal)}
    documents = set(graph.subjects(RDF.type, KGO.Document))
    def stated(f) -> bool:  # in the graph as a direct triple: not negated by all its evidence
        modality = graph.value(f, KGO.modality)
        if modality is not None:
            return str(modality) != "negated"
        asserted = graph.value(f, KGO.asserted)  # graphs written before facts had a modality
        return asserted is None or asserted.toPython() is True

    facts = {f for f in graph.subjects(RDF.type, KGO.Fact) if stated(f)}
    return {
        "documents": len(documents),
        "entities": len(entities - documents),
        "facts": len(facts),
        # notes (an old build folder passed over) say what was left out on purpose: not warnings
        "warnings": sum(not w.startswith("note: ") for w in result.warnings) if result else 0,
        "skipped": result.skipped if result else 0,
    }


def build(inputs: str | os.PathLike | Iterable[str | os.PathLike] = (), *, texts: Iterable[str] = (),
          model: str | None = None, min_confidence: float = 0.0, explain: list[SentenceTrace] | None = None,
          strict: bool = False, progress: bool | str = False,
          engine: str = "local", scheduler: str | None = None, workers: int | str | None = None,
          on_warning: Callable[[str], None] | None = None,
          exclude: str | os.PathLike | Iterable[str | os.PathLike] = (),
          extractor: str | None = None, models: str | os.PathLike | None = None, nlp=None,
          lang: str | None = None, fetch=None,
          store: str | os.PathLike | None = None, batch_size: int | None = None) -> KnowledgeGraph:
    """Build a knowledge graph from article files and/or strings.

    Parameters
    ----------
    inputs
        Files or folders of articles (``.txt``, ``.md``, ``.html``, ``.jsonl``,
        ``.pdf``, ``.docx``, RSS/Atom feeds) and ``http(s)://`` URLs of pages
        or feeds; see :func:`kg.ingest.read_documents`.
    texts
        Article texts given as strings.
    model
        The spaCy model name (default: the bundled ``en_core_web_sm``, or with ``lang``
        an installed spaCy pipeline for that language, :func:`kg.pipeline.model_for_language`).
    lang
        The language of the articles (a code: ``es``, ``de``...); articles in another
        language are skipped with a warning. Default: the model's language (English).
    fetch
        A :class:`kg.fetch.FetchOptions`: timeout, size limit and redirects for URLs,
        ``offline`` and ``follow_links``.
    extractor
        ``"rules"``, ``"trained"`` or ``"hybrid"`` (default: the one that scored best when the
        weights were trained, recorded in them; see :func:`kg.extract.decide.default_extractor`).
    models
        A folder of trained weights (``kg train -o DIR``) instead of the shipped ones.
    nlp
        An already loaded pipeline (:func:`kg.pipeline.load_pipeline`), to build many times
        without loading the model again.
    engine
        ``"local"`` (this process) or ``"dask"``: batches of documents are read on a Dask
        cluster and merged here into the same graph as a local build (:mod:`kg.engine`).
    scheduler
        With ``engine="dask"``: the address of a running Dask scheduler (``tcp://HOST:8786``);
        without it a LocalCluster is started for the build.
    workers
        Local processes that read the documents (``engine="local"``): a number, or ``"auto"``
        (one per core when the input is large enough to pay for starting them, judged by the
        input files' sizes and the texts, see :func:`kg.engine.auto_workers`; URLs count as
        small); ``None`` or 1: this process only. The graph is the same.
    min_confidence
        Facts below this confidence are left out of the graph.
    explain
        A list that receives one :class:`kg.model.SentenceTrace` per
        sentence: the candidate facts, the rule that fired, why candidates
        were dropped.
    strict
        When an input gives a warning (unreadable, skipped, malformed front
        matter...), raise :class:`StrictModeError` once the inputs are all
        read (documents are read as extraction goes: after the first warning
        nothing more is extracted, and the rest is read for its warnings;
        with ``store``, every input is read before the first batch is
        committed); when making the graph gives one (a date kept as text...),
        raise it before returning. A repeated text is not a warning here.
    progress
        Show a progress bar on stderr (documents, words/s and the time left, its total estimated
        from the input files' sizes); ``"auto"``: only for more than a few
        documents.
    on_warning
        Called with each warning as a one-line string as it happens
        (``"path:line: reason"``); all of them are also in ``result.warnings``.
    exclude
        Folders that are not inputs even when they are inside an input
        folder: pass the output folder when it may be inside one (``kg
        build`` does), so that a rebuild does not read its own ``report.md``
        (see :func:`kg.ingest.read_documents`).
    store
        A store folder (:mod:`kg.store`, made when missing): the documents are added to it in
        batches of ``batch_size`` (one transaction each); documents already in it are not
        parsed again, and a file met with new content replaces its old document. The result is
        the store's whole graph, queried in place.
    batch_size
        Documents per transaction with ``store`` (default :data:`kg.store.DEFAULT_BATCH_SIZE`).

    A text met twice (in two files, or in a file and in ``texts``) is read
    once: the first copy is kept (files come before ``texts``) and the
    others are reported as duplicates (not counted by ``strict``).

    The inputs are streamed: files are read one at a time as extraction asks for them, in
    batches, and no text is kept once its batch is read; ``result.documents`` holds the
    documents' metadata (their ``text`` is ``""``), which is what the graph needs of them.

    Returns
    -------
    KnowledgeGraph

    Raises
    ------
    kg.errors.InputError
        When an input path is missing or nothing readable is left.
    StrictModeError
        ``strict=True`` and there were warnings.
    kg.errors.ModelError
        When the spaCy model cannot be loaded.
    kg.engine.EngineError
        ``engine="dask"`` and Dask is not installed, the scheduler cannot be reached or a worker failed.

    Examples
    --------
    >>> import kg
    >>> g = kg.build(texts=["Japan and Peru signed an agreement to cooperate on critical minerals."])
    >>> s = g.summary()
    >>> s["documents"], s["warnings"]
    (1, 0)
    >>> build()
    Traceback (most recent call last):
    ...
    kg.errors.InputError: nothing to build: give input files or folders, or texts=[...]
    """
    if not 0.0 <= float(min_confidence) <= 1.0:
        raise InputError(f"min_confidence must be between 0 and 1, not {min_confidence}")
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    from .fetch import is_url

    # Path("https://x") would drop a slash: URLs (and strings that look like other URLs) stay strings
    paths = [p.strip() if is_url(p) else p if isinstance(p, str) and "://" in p else Path(p) for p in inputs]
    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts)
    if not paths and not texts:
        raise InputError("nothing to build: give input files or folders, or texts=[...]")
    if engine != "local" or scheduler is not None:
        from .engine import check_engine

        check_engine(engine, scheduler)  # before reading: Dask missing or a wrong option fails at once

    nlp, lang, model = _pipeline_for_language(nlp, model, lang)
    warnings: list[str] = []
    problems = 0  # warnings that --strict counts (a repeated text is not a problem)

    def note(w: object) -> None:
        nonlocal problems
        kind = getattr(w, "kind", "warning")
        text = f"note: {w}" if kind == "info" else str(w)  # a note says what was passed over on purpose
        warnings.append(text)
        if kind == "warning":
            problems += 1
        if on_warning is not None:
            on_warning(text)

    intake = _Intake(paths, texts, lang=lang, strict=strict, note=note, exclude=exclude, fetch=fetch,
                     held=_held_ids(store), progress=progress)
    try:
        documents, count = intake.peeked(2)  # a missing input, or none readable, fails here: before any work
        if store is not None and strict:  # nothing is committed when an input gives a warning: all are read first
            documents = _Spooled(documents)
    except BaseException:
        intake.close()
        raise
    if store is not None:
        return _build_store(documents, store, intake, warnings, nlp=nlp, model=model, extractor=extractor,
                            models=models, min_confidence=min_confidence, on_warning=note, strict=strict,
                            batch_size=batch_size)
    from . import extract as kgextract
    from .extract.decide import default_extractor

    bar = intake.bar
    try:
        if engine == "dask":  # batches on a cluster; the cross-document step runs here (kg.engine)
            from .engine import EngineError, extract_distributed

            if nlp is not None and model is None:  # a pipeline object cannot travel: workers load by name
                raise EngineError("engine='dask' loads the spaCy model on each worker by its name: pass model=NAME "
                                  "(--model NAME) instead of a loaded pipeline")
            entities, facts = extract_distributed(documents, scheduler=scheduler, model=model, explain=explain,
                                                  progress=bar, on_warning=note, expected_chars=intake.expected_chars,
                                                  extractor=extractor or default_extractor(models),
                                                  models=str(models) if models is not None else None)
        else:
            from .engine import auto_workers, extract_parallel

            n = auto_workers(intake.expected_chars or 0) if workers == "auto" else int(workers or 1)
            if n > 1 and count > 1:  # local processes; the same graph (kg.engine)
                entities, facts = extract_parallel(documents, n, nlp=nlp, model=model, explain=explain,
                                                   progress=bar, on_warning=note,
                                                   expected_chars=intake.expected_chars,
                                                   extractor=extractor or default_extractor(models),
                                                   models=str(models) if models is not None else None)
            else:
                entities, facts = kgextract.extract(documents, nlp=nlp, model=model, explain=explain, progress=bar,
                                                    on_warning=note, extractor=extractor or default_extractor(models),
                                                    models=models)
    finally:
        intake.close()
    if strict and problems > intake.problems:  # the inputs' own problems stopped the build already
        raise StrictModeError(f"--strict: {problems - intake.problems} warning(s) while extracting (a sentence "
                              "or a document skipped); nothing was written; fix the inputs or drop --strict")
    from . import rdf

    result = BuildResult(documents=intake.documents, entities=dict(entities), facts=list(facts),
                         warnings=warnings, skipped=intake.skipped)
    rdf_warnings: list[str] = []
    graph = rdf.to_rdf(result, min_confidence=min_confidence, warnings=rdf_warnings)
    for w in rdf_warnings:
        note(w)
    if strict and rdf_warnings:
        raise StrictModeError(f"--strict: {len(rdf_warnings)} warning(s) while making the graph; "
                              "nothing was written; fix the inputs or drop --strict")
    return KnowledgeGraph(graph, result)


def _pipeline_for_language(nlp, model: str | None, lang: str | None):
    """The pipeline to build with (None: the default, loaded when needed), the language it reads,
    and the model's name (``None``: the default model, or an ``nlp`` given by the caller).

    With ``lang`` and no model, the model is the installed spaCy pipeline for ``lang``; a model
    (or ``nlp``) for another language than ``lang`` is a :class:`kg.errors.ModelError`. Without
    ``lang``, the language is the model's (English by default). Loaded here, before reading,
    so that a missing model is reported before any page is fetched.
    """
    from .pipeline import check_language, load_pipeline, model_for_language

    if lang is not None:
        lang = str(lang).strip().lower()
    if nlp is None and model is None and lang in (None, "en"):
        return None, "en", None
    if nlp is None:
        model = model or model_for_language(lang)
        nlp = load_pipeline(model)
    if lang is None:
        return nlp, nlp.lang, model
    check_language(nlp, lang, model)
    return nlp, lang, model


class _Intake:
    """The documents of a build, read one at a time as extraction asks for them.

    Files and folders, then the texts given as strings (:class:`kg.ingest.DocumentStream`: the
    same warnings, duplicates and skip counts as reading them all at once); each document in
    another language than the model's is skipped with a warning as it comes. What is kept of a
    document once it is handed on is its metadata (:attr:`documents`: the documents with their
    text dropped, what the graph needs of them), never its text. With ``strict``, the first
    warning stops the handing on: the rest is read for its warnings only, and the end of the
    stream raises :class:`StrictModeError` (so nothing is built or written).

    Attributes
    ----------
    documents : list of Document
        The documents handed on so far, without their text (``text == ""``).
    problems : int
        Warnings of the inputs that ``strict`` counts.
    expected_chars : int or None
        About how many characters of text the inputs hold (input file sizes plus the texts; ``None``
        with URLs), for sizing batches and choosing ``workers="auto"``.
    bar : kg.progress.BuildProgress or None
        The progress bar, when one is shown.
    """

    def __init__(self, paths: list, texts: list, *, lang: str, strict: bool, note: Callable[[object], None],
                 exclude, fetch, held: set[str], progress: bool | str):
        from . import ingest

        self.paths, self.lang, self.strict, self.note, self.held = paths, lang, strict, note, held
        self.documents: list[Document] = []
        self.problems = 0
        self.language_skipped = 0
        self.stream = ingest.DocumentStream(paths, texts=texts, on_warning=self.warn, exclude=exclude, fetch=fetch)
        size = ingest.input_size(paths, exclude=exclude) if paths else (0, 0)
        text_chars = sum(len(t) for t in texts if isinstance(t, str))
        self.expected_chars = None if size is None else size[1] + text_chars
        files = size[0] if size is not None else len(paths)
        show = files + len(texts) > _FEW_DOCUMENTS if progress == "auto" else bool(progress)
        self.bar = None
        if show:
            from .progress import BuildProgress

            self.bar = BuildProgress(None if size is None else size[1],
                                     sum(len(t.split()) for t in texts if isinstance(t, str)))

    @property
    def skipped(self) -> int:
        """Inputs not built: problems, repeats and documents in another language."""
        return self.stream.skipped + self.language_skipped

    def warn(self, w: object) -> None:
        if getattr(w, "kind", "warning") == "warning":
            self.problems += 1
        self.note(w)

    def __iter__(self) -> Iterator[Document]:
        from . import ingest
        from .language import language_name, other_language

        for doc in self.stream:
            if self.bar is not None and doc.path is not None:
                self.bar.read(len(doc.text.split()), self.stream.bytes_read)
            if doc.id not in self.held:  # articles a store holds were checked when they were added
                other = other_language(doc.text, self.lang)
                if other is not None:  # a model reads its own language only: say so instead of building nothing
                    if self.lang == "en":
                        reason = (f"not English (looks like {other}), skipped: kg reads English "
                                  "(--lang CODE with a model for CODE reads another language)")
                    else:
                        name = language_name(self.lang)
                        reason = f"not {name} (looks like {other}), skipped: this build reads {name} (--lang {self.lang})"
                    self.language_skipped += 1
                    self.warn(ingest.IngestWarning(doc.name, reason))
                    continue
            if self.strict and self.problems:
                continue  # read on for the warnings; nothing more is built
            self.documents.append(replace(doc, text=""))
            yield doc
        if self.strict and self.problems:
            raise StrictModeError(f"--strict: {self.problems} warning(s) in the inputs ({self.skipped} skipped); "
                                  "nothing was built or written; fix the inputs or drop --strict")
        if not self.documents:
            where = ", ".join(map(str, self.paths)) if self.paths else "the texts"
            raise InputError(f"no readable articles in {where} ({self.skipped} skipped; see the warnings); "
                             "give .txt, .md, .html, .jsonl, .pdf or .docx files, feeds or URLs")

    def peeked(self, n: int) -> tuple[Iterator[Document], int]:
        """The stream, after reading its first ``n`` documents (at most); and how many there were."""
        from .engine import peek

        return peek(iter(self), n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _held_ids(store: str | os.PathLike | None) -> set[str]:
    """The documents a store holds (none without a store)."""
    if store is None:
        return set()
    from .store import known_ids

    return known_ids(store)


class _Spooled:
    """The documents, all read now into a temporary file, then handed on one at a time from it:
    what reading them says (a warning under ``--strict``) is known before the first is used.
    :meth:`close` lets the file go on every way out of a build, used or not."""

    def __init__(self, documents: Iterable[Document]):
        import pickle
        import tempfile

        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close() or after the last document
        try:
            for doc in documents:
                pickle.dump(doc, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            self._file.close()
            raise
        self._end = self._file.tell()

    def __iter__(self) -> Iterator[Document]:
        import pickle

        with self._file:
            self._file.seek(0)
            while self._file.tell() < self._end:
                yield pickle.load(self._file)  # a file this process wrote a moment ago

    def close(self) -> None:
        self._file.close()


def _build_store(documents: Iterable[Document], folder, intake: _Intake, warnings: list[str], *,
                 batch_size: int | None,
                 **kw: Any) -> KnowledgeGraph:
    """``build(store=...)``: add the documents to the store; the graph is the store's."""
    from . import store as kgstore

    try:
        report = kgstore.build_store(documents, folder, batch_size=batch_size or kgstore.DEFAULT_BATCH_SIZE,
                                     progress=intake.bar or False, **kw)
    finally:
        if isinstance(documents, _Spooled):
            documents.close()
        intake.close()
    kg = load(folder)
    kg.result = BuildResult(documents=intake.documents, warnings=warnings, skipped=intake.skipped)
    kg.build_report = report
    return kg


def load(source: str | os.PathLike) -> KnowledgeGraph:
    """Load a graph saved before: an RDF file, a build folder (its ``graph.ttl``...) or a store folder.

    A store folder (``kg build --store``) is opened read-only, in place: nothing is read out of it
    until the graph is used (queries run on the store itself).

    Raises
    ------
    kg.errors.InputError
        When the source is missing or not readable RDF.

    Examples
    --------
    >>> import kg, tempfile
    >>> out = tempfile.mkdtemp()
    >>> _ = kg.build(texts=["Peru produces copper."]).save(out)
    >>> kg.load(out).summary()["documents"]
    1
    """
    from . import rdfio, store

    p = Path(source)
    if store.is_store(p):
        return KnowledgeGraph(None, None, source=p, store=store.open_store(p, read_only=True))
    if not p.exists():
        raise InputError(f"{p}: no such file or folder; give an RDF file or a build folder (kg build -o)")
    return KnowledgeGraph(rdfio.read_graph(p), None, source=p)  # a folder: its graph.ttl, checked
