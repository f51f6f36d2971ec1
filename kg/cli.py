"""The ``kg`` command line: a thin layer over :mod:`kg.api`.

Commands: ``build``, ``query``, ``analyze``, ``view``, ``validate``, ``export``, ``remove``, ``eval``, ``train``.
Run ``kg COMMAND --help`` for the options and an example of each.

Errors a user can cause (:class:`kg.errors.KGError`) print one line
``kg: error: <message>`` on stderr and exit with the error's code (2 for a
missing path, an unwritable output folder or bad SPARQL); Ctrl-C prints
``kg: interrupted`` and exits 130 (SIGTERM: ``kg: terminated``, 143); anything else is a bug: one line
``kg: internal error: ...`` and exit 1, with the traceback only under
``--debug``.

Examples
--------
>>> main(["build", "no/such/folder"])
2
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import sys
import tempfile
import threading
import traceback
import webbrowser
from pathlib import Path
from typing import Callable, Sequence, TextIO

from .errors import InputError, KGError, OutputError
from .fetch import DEFAULT_MAX_BYTES as DEFAULT_FETCH_BYTES
from .fetch import DEFAULT_MAX_REDIRECTS as DEFAULT_FETCH_REDIRECTS
from .fetch import DEFAULT_TIMEOUT as DEFAULT_FETCH_TIMEOUT
from .limits import DEFAULT_TABLE_LIMIT, default_max_memory, format_size, parse_size

PROG = "kg"
QUERY_FORMATS = ("table", "csv", "tsv", "json")


# -- helpers -----------------------------------------------------------------

def _one_line(text: str) -> str:
    """Collapse a (possibly multi-line) message into one line."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip()) or "(no message)"


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _source_folder(source: Path) -> Path:
    return source if source.is_dir() else source.parent


def check_output(path: str | os.PathLike, *, folder: bool = False, option: str = "-o") -> None:
    """Fail at once, with one line, when ``path`` cannot be written: before the long work, not after it.

    Parameters
    ----------
    path
        The output folder (``folder=True``; it is created when missing) or file.
    folder
        Whether ``path`` is a folder.
    option
        The option that names ``path``, for the message.

    Raises
    ------
    kg.errors.OutputError
        When ``path`` is of the wrong kind, a file stands where a folder is needed, or the
        nearest existing folder on the way does not take a new file (read-only, no permission).
        The check makes and removes a temporary file there, so that a read-only mount is found
        even by a user (root) whom permission bits do not stop.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> check_output(d / "new" / "report.md")
    >>> _ = (d / "f").write_text("x")
    >>> check_output(d / "f" / "report.md", option="--report")
    Traceback (most recent call last):
    ...
    kg.errors.OutputError: ... is a file, not a folder; choose another place with --report
    """
    from .atomic import TEMP_SUFFIX

    path = Path(path)
    if folder and path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a folder; choose another output folder with {option}")
    if not folder and path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name with {option}")
    place = path if folder else path.parent
    while not place.exists() and place != place.parent:  # the nearest existing folder on the way
        place = place.parent
    if not place.is_dir():
        raise OutputError(f"{path}: cannot be written: {place} is a file, not a folder; "
                          f"choose another place with {option}")
    try:
        fd, probe = tempfile.mkstemp(prefix=".kg-check-", suffix=TEMP_SUFFIX, dir=place)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {place} ({exc.strerror or exc}); choose a writable "
                          f"place with {option} or check its permissions") from None
    os.close(fd)
    os.unlink(probe)


def format_traces(traces: Sequence, out: TextIO) -> None:
    """Print ``--explain`` records: each sentence, its candidate facts, the rule and the fate.

    Kept candidates are marked ``+``, dropped ones ``-`` with the reason.
    """
    by_doc: dict[str, list] = {}
    for t in traces:
        by_doc.setdefault(t.doc_name, []).append(t)
    for name, doc_traces in by_doc.items():
        kept = sum(1 for t in doc_traces for c in t.candidates if c.kept)
        dropped = sum(1 for t in doc_traces for c in t.candidates if not c.kept)
        print(f"== {name}: {len(doc_traces)} sentences with candidate facts, {kept} kept, {dropped} dropped",
              file=out)
        for t in doc_traces:
            if not t.candidates:
                continue
            sentence = " ".join(t.sentence.split())
            print(f"\n@{t.start}: {sentence}", file=out)
            for c in t.candidates:
                mark = "+" if c.kept else "-"
                line = (f"  {mark} {c.subject} --{c.predicate}--> {c.object}"
                        f"   [rule {c.rule}; {c.modality}; confidence {c.confidence:.2f}]")
                if not c.kept:
                    line += f"  dropped: {c.reason or 'no reason given'}"
                elif c.reason:
                    line += f"  ({c.reason})"
                print(line, file=out)
        print(file=out)


# -- commands ----------------------------------------------------------------

def cmd_build(args: argparse.Namespace) -> int:
    from . import api

    if args.store is not None:
        return _build_into_store(args)
    if args.batch_size is not None:
        raise InputError("--batch-size goes with --store (documents committed to the store together)")
    formats = api.normalise_formats(args.format)  # fail on a bad format before the long build
    out = Path(args.output or "output")
    check_output(out, folder=True)

    def on_warning(w: object) -> None:
        line = _one_line(str(w))
        _err(line if line.startswith("note: ") else f"warning: {line}")

    from .fetch import FetchOptions
    from .lock import build_lock

    fetch = FetchOptions(timeout=args.timeout, max_bytes=args.max_size, max_redirects=args.max_redirects,
                         offline=args.offline, follow_links=args.follow_links)

    traces: list | None = [] if args.explain else None
    progress: bool | str = "auto" if (not args.quiet and sys.stderr.isatty()) else False
    with build_lock(out, wait=args.wait):  # one build at a time writes OUT
        # OUT may be inside an INPUT folder (`kg build notes -o notes/out`): never read it back
        kg = api.build(args.inputs, engine=args.engine, scheduler=args.scheduler, workers=args.workers,
                       model=args.model, min_confidence=args.min_confidence, explain=traces,
                       strict=args.strict, progress=progress, on_warning=on_warning, exclude=[out],
                       extractor=args.extractor, models=args.models, lang=args.lang, fetch=fetch)
        if traces is not None:
            format_traces(traces, sys.stdout)
        paths = kg.save(out, formats=formats)
    if not args.quiet:
        s = kg.summary()
        print(f"built {paths['ttl']}: {s['documents']} documents, {s['entities']} entities, "
              f"{s['facts']} facts, {s['warnings']} warnings ({s['skipped']} skipped)")
    return 0


def _build_into_store(args: argparse.Namespace) -> int:
    """``kg build INPUT... --store DIR``: add the articles to the store, one transaction per batch."""
    from . import api
    from .lock import build_lock

    for given, option in ((args.output, "-o"), (args.format, "--format"), (args.explain or None, "--explain")):
        if given is not None:
            raise InputError(f"{option} does not go with --store: the graph is kept in the store; write files from "
                             f"it with 'kg export {args.store} -o FILE.ttl'")
    store = Path(args.store)
    progress: bool | str = "auto" if (not args.quiet and sys.stderr.isatty()) else False
    with build_lock(store, wait=args.wait):  # one build at a time writes the store
        kg = api.build(args.inputs, model=args.model, min_confidence=args.min_confidence, strict=args.strict,
                       progress=progress, on_warning=lambda w: _err(f"warning: {_one_line(str(w))}"),
                       exclude=[store], extractor=args.extractor, models=args.models, store=store,
                       batch_size=args.batch_size)
    if not args.quiet:
        r, s = kg.build_report, kg.summary()
        print(f"store {store}: {len(r.added)} documents added ({r.parsed} parsed, {len(r.replaced)} replaced), "
              f"{r.unchanged} unchanged; {s['documents']} documents, {s['entities']} entities, {s['facts']} facts, "
              f"{s['warnings']} warnings ({s['skipped']} skipped)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from . import store as kgstore

    path = kgstore.export(args.store, args.output)
    print(f"wrote {path}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from . import store as kgstore
    from .lock import build_lock

    with build_lock(Path(args.store), wait=args.wait):
        removed = kgstore.remove_documents(args.store, args.docs, all_matches=args.all)
    print(f"removed {len(removed)} document(s) from {args.store}: {', '.join(removed)}")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    if args.about and args.query:
        raise InputError("give either a QUERY or --about NAME, not both")
    if not args.about and not args.query:
        raise InputError("no query: give a SPARQL string, a .rq file, a bundled query name or --about NAME")
    from . import query as kgquery

    kgquery._check_timeout(args.timeout)  # nan, inf, 0 or negative: fail before loading the graph
    limit = args.limit if args.limit is not None else (
        DEFAULT_TABLE_LIMIT if args.format == "table" else 0)
    max_memory = parse_size(args.max_memory, "--max-memory") if args.max_memory else default_max_memory()
    from .store import open_source

    target = open_source(args.source)  # a store in place, a file read by pyoxigraph's own parser
    if args.about:
        q, bindings = kgquery.about_query(args.about)
    else:
        q, bindings = kgquery.load_query(args.query), None
    # formatted where the query runs (its child process): only the text comes back
    result = kgquery.render_query(target, q, args.format, timeout=args.timeout, bindings=bindings,
                                  allow_service=args.allow_service, limit=limit or None, max_memory=max_memory)
    if args.about and not result.rows:
        _check_entity_name(target.rdflib_graph(), args.about, args.source)
    text = result.text
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if result.truncated and args.format != "table":  # the table says so itself
        _err(f"{PROG}: note: {result.note}")
    return 0


def _check_entity_name(graph, name: str, source: str) -> None:
    """When no entity is called ``name`` (label or alias, any case), fail with the near names.

    Like an unknown bundled query name, an unknown entity name is a usage error (exit 2); an
    entity that is there but has no facts is an empty result (exit 0).
    """
    from .errors import QueryError
    from .suggest import entity_names, near_names

    names = entity_names(graph)
    if name.lower() in {n.lower() for n in names}:
        return
    near = near_names(name, names)
    hint = (f"near names: {', '.join(near)}" if near
            else f"no name is close; 'kg query {source} facts' lists the facts and their entities")
    raise QueryError(f"--about {name!r}: no entity in {source} has this name (labels and aliases are matched "
                     f"whole, in any case); {hint}")


def cmd_analyze(args: argparse.Namespace) -> int:
    from . import analysis, outset

    # the outputs are checked first, not after loading and analysing a large graph (the default
    # report, beside SOURCE, once SOURCE is known to exist)
    for path, option in ((args.report, "--report"), (args.graphml, "--graphml"), (args.gexf, "--gexf")):
        if path:
            check_output(path, option=option)
    src = Path(args.source)
    from .store import open_source

    # a store folder in place, a file straight into pyoxigraph (not through rdflib): the entity
    # graph is read from the pyoxigraph store
    G = analysis.entity_graph(open_source(src).store)
    report = Path(args.report) if args.report else None
    if report is None:
        report = src / "report.md" if src.is_dir() else Path("report.md")
        check_output(report, option="--report")
    a = analysis.analyze(G)
    print(analysis.format_table(a, top=args.top))
    outset.write_into(report, analysis.generate_report(a))
    print(f"wrote {report}")
    if args.graphml:
        analysis.write_graphml(G, args.graphml)
        print(f"wrote {args.graphml}")
    if args.gexf:
        analysis.write_gexf(G, args.gexf)
        print(f"wrote {args.gexf}")
    return 0


def cmd_view(args: argparse.Namespace) -> int:
    from . import api, outset

    target = Path(args.output) if args.output else None
    if target is not None:
        check_output(target)
    kg = api.load(args.source)
    src = Path(args.source)
    if target is None:  # beside SOURCE, now known to exist
        target = src / "graph.html" if src.is_dir() else src.with_suffix(".html")
        check_output(target)
    page = kg.html(title=args.title, max_nodes=args.max_nodes, focus=args.focus, hops=args.hops)
    outset.write_into(target, page)
    print(f"wrote {target}")
    if args.open:
        open_in_browser(target)
    return 0


def open_in_browser(path: Path) -> bool:
    """Open ``path`` in the web browser; when none is available, say so and where the file is.

    Not finding a browser is not an error (the file is written, and on a server there is
    no browser to find): one line on stderr, and ``False``.
    """
    try:
        opened = webbrowser.open(path.resolve().as_uri())
    except webbrowser.Error as exc:
        opened, why = False, f" ({_one_line(str(exc))})" if str(exc) else ""
    else:
        why = ""
    if not opened:
        _err(f"warning: no web browser found to open the view{why}; open {path.resolve()} in a browser "
             "yourself (or set the BROWSER environment variable)")
    return bool(opened)


def cmd_validate(args: argparse.Namespace) -> int:
    from . import api

    report = api.load(args.source).validate()
    if report.conforms:
        print("conforms")
        return 0
    print(report.text.rstrip())
    return 1


def cmd_eval(args: argparse.Namespace) -> int:
    from . import api, evaluate

    gold = evaluate.load_gold(args.gold)  # fail on a bad gold file or output folder before the build
    if args.output:
        check_output(args.output, folder=True)
    if not args.allow_missing:
        from .ingest import read_documents

        names = [d.name for d in read_documents(args.texts, exclude=[args.output] if args.output else ()).documents]
        missing = evaluate.unmatched_documents(gold, names)
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise InputError(f"{args.gold}: {len(missing)} gold document(s) match no input: {shown}; a gold "
                             "'doc' must name an input file (check the paths) or pass --allow-missing")
    kg = api.build(args.texts, model=args.model, on_warning=lambda w: _err(f"warning: {_one_line(str(w))}"),
                   exclude=[args.output] if args.output else (), extractor=args.extractor, models=args.models,
                   min_confidence=args.min_confidence)
    s = evaluate.score(kg.graph, gold, per_doc=args.per_doc)
    # below --min-confidence the build has nothing left to cut: those rows would repeat its own
    cutoffs = [c for c in evaluate.CUTOFFS if c >= args.min_confidence]
    curve = evaluate.confidence_curve(kg.graph, gold, cutoffs) if args.confidence_table else None
    bands = evaluate.calibration_bands(kg.graph, gold, cutoffs) if args.confidence_table else None
    if args.json:
        out = s.to_dict()
        if curve is not None:
            out["confidence_table"] = evaluate.curve_rows(curve)
            out["calibration"] = evaluate.band_rows(*bands)
        print(json.dumps(out, indent=1))
    else:
        print(evaluate.format_score(s))
        if curve is not None:
            print("\n" + evaluate.format_curve(curve))
            print("\n" + evaluate.format_bands(*bands))
    if args.output:
        paths = kg.save(args.output, extra={"score.json": json.dumps(s.to_dict(), indent=1) + "\n"})
        _err(f"wrote {paths['ttl'].parent}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from .extract.train import train

    corpus = Path(args.corpus)
    if not (corpus / "train" / "texts").is_dir() and not (corpus / "texts").is_dir():
        raise InputError(f"{corpus}: not an annotated corpus (no train/texts/ or texts/ inside); "
                         "pass the repository's corpus/ folder")
    report = train(corpus, Path(args.output), model=args.model, redocred=args.redocred,
                   redocred_limit=args.redocred_limit, tune_on_dev=not args.no_tune, second_dev=args.second_dev,
                   trigger_similarity=args.trigger_similarity, folds=args.folds,
                   log=lambda s: None if args.quiet else _err(s))
    print(json.dumps(report))
    return 0


def _query_here_or_there(args: argparse.Namespace) -> int:
    """``kg query``: on a local graph (:func:`cmd_query`), or with ``--endpoint`` on a SPARQL server."""
    return _query_endpoint(args) if args.endpoint else cmd_query(args)


def _query_endpoint(args: argparse.Namespace) -> int:
    """``kg query --endpoint URL QUERY``: the one positional argument is the query."""
    from . import query as kgquery
    from . import remote

    if args.about:
        raise InputError("--about reads a local graph; with --endpoint give a SPARQL query, a .rq file or a "
                         "bundled query name")
    if args.query is not None:
        raise InputError(f"with --endpoint give only the QUERY, not a SOURCE and a QUERY ({args.source!r} "
                         f"and {args.query!r}); the server's data is queried")
    kgquery._check_timeout(args.timeout)
    credentials = remote.Credentials.from_env(args.user)
    result = remote.query_endpoint(args.endpoint, kgquery.load_query(args.source), credentials=credentials,
                                   timeout=args.timeout)
    text = kgquery.format_result(result, args.format)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from . import remote

    credentials = remote.Credentials.from_env(args.user)
    report = remote.push(args.source, args.endpoint, graph=args.graph, credentials=credentials,
                         batch=args.batch, timeout=args.timeout, retries=args.retries)
    if not args.quiet:
        print(remote.describe_push(report, args.endpoint))
    return 0


def _add_extractor_options(p: argparse.ArgumentParser) -> None:
    from .model import EXTRACTORS

    p.add_argument("--extractor", choices=EXTRACTORS, default=None,
                   help="rules: the rule families alone; trained: the relation classifier over every "
                        "candidate pair (rule votes are features); hybrid: rule facts the classifier does not "
                        "veto plus its confident pairs (default: the best when the weights were trained, "
                        "out of fold over the corpus train and dev splits, recorded in them)")
    p.add_argument("--models", metavar="DIR", help="trained weights from 'kg train -o DIR' (default: the shipped ones)")


# -- parser ------------------------------------------------------------------

class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


class _Unbuilt:
    """Stands for the sub-parser of a command that is not being run: its arguments are not built."""

    def add_argument(self, *args: object, **kw: object) -> None:
        pass

    def set_defaults(self, **kw: object) -> None:
        pass


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``kg`` (one sub-parser per command).

    With ``command`` (the first word of the command line), only that command's sub-parser is
    built when there is such a command (building all of them takes argparse a few milliseconds,
    as much as some queries); its parsing, errors and ``--help`` are the same.

    >>> sorted(build_parser("query")._subparsers._group_actions[0].choices)
    ['query']
    >>> len(build_parser("qury")._subparsers._group_actions[0].choices) > 1
    True
    """
    parser = argparse.ArgumentParser(
        prog=PROG, formatter_class=_Formatter,
        description="Build an RDF knowledge graph with evidence from news articles, then query, "
                    "analyse, view, validate and evaluate it.",
        epilog="Examples:\n"
               "  kg build seeds/ -o output/\n"
               "  kg query output/ produces\n"
               "  kg analyze output/\n"
               "  kg view output/ --open\n\n"
               "Run 'kg COMMAND --help' for the options of each command.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show the full traceback of internal errors")

    def add(name: str, help_: str, description: str, example: str, func: Callable) -> argparse.ArgumentParser:
        if command is not None and name != command:
            return _Unbuilt()  # type: ignore[return-value]
        p = sub.add_parser(name, help=help_, description=description, epilog="Example:\n" + example,
                           formatter_class=_Formatter, parents=[common])
        p.set_defaults(func=func)
        return p

    p = add("build", "build a knowledge graph from articles",
            "Read articles (.txt, .md, .html, .jsonl, .pdf, .docx files, RSS/Atom feeds, folders\n"
            "of them, or http(s):// URLs of pages and feeds), extract entities and facts with\n"
            "their evidence sentences, and write OUT/graph.ttl, OUT/graph.html and OUT/report.md\n"
            "with a manifest (OUT/kg-manifest.json). The whole set is written beside OUT and\n"
            "switched in with one atomic folder exchange: when the build fails or is interrupted,\n"
            "an existing OUT is left as it was. Files in OUT that kg did not write are kept. A URL\n"
            "that cannot be read (timeout, 404, too large...) is a warning and the build goes on\n"
            "with the other inputs (--strict: an error). With --store DIR the graph is kept in a\n"
            "store folder instead, which later builds add to (kg query/analyze/view/validate DIR,\n"
            "kg export, kg remove).",
            "  kg build seeds/ -o output/\n"
            "  kg build articles/ -o out/ --engine dask --scheduler tcp://10.0.0.5:8786\n"
            "  kg build archive/ -o out/ --workers 2\n"
            "  kg build articles/ -o out/ --format nt,jsonld --min-confidence 0.5\n"
            "  kg build seeds/japan-peru-critical-minerals.txt --explain | less\n"
            "  kg build https://example.org/news/copper.html report.pdf -o out/ --timeout 10\n"
            "  kg build https://example.org/feed.rss --follow-links --max-size 5MB\n"
            "  kg build noticias/ --lang es --model es_core_news_sm\n"
            "  kg build news/ --store kb/ --batch-size 64   # incremental: only new articles are parsed",
            cmd_build)
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="article files, folders, feeds or http(s):// URLs")
    p.add_argument("-o", "--output", default=None, metavar="OUT", help="output folder (default: output/)")
    p.add_argument("--format", action="append", metavar="FMT",
                   help="also write graph.FMT: nt, trig or jsonld (repeatable or a comma list); "
                        "graph.ttl is always written")
    p.add_argument("--model", metavar="NAME",
                   help="spaCy model to use (default: the bundled en_core_web_sm; with --lang, the installed "
                        "spaCy pipeline for that language, e.g. es_core_news_sm)")
    p.add_argument("--lang", type=_language_code, metavar="CODE",
                   help="the language of the articles (es, de, fr...; default: the model's, English); articles "
                        "in another language are skipped with a warning. Needs a spaCy model for CODE")
    p.add_argument("--offline", action="store_true",
                   help="refuse URL inputs (nothing is fetched); local files only")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_FETCH_TIMEOUT, metavar="SECONDS",
                   help=f"give up on a URL after SECONDS in all (default {DEFAULT_FETCH_TIMEOUT:g})")
    p.add_argument("--max-size", type=_size, default=DEFAULT_FETCH_BYTES, metavar="SIZE",
                   help=f"skip a page or feed larger than SIZE (e.g. 5MB, 500k; default "
                        f"{DEFAULT_FETCH_BYTES // 1_000_000}MB); the rest of it is never downloaded")
    p.add_argument("--max-redirects", type=int, default=DEFAULT_FETCH_REDIRECTS, metavar="N",
                   help=f"redirects followed per URL (default {DEFAULT_FETCH_REDIRECTS})")
    p.add_argument("--follow-links", action="store_true",
                   help="for each feed item, fetch the page it links to and read its main text instead of "
                        "the item's description (same limits)")
    p.add_argument("--min-confidence", type=_confidence, default=0.0, metavar="X",
                   help="leave out facts with confidence below X (0..1, default 0)")
    p.add_argument("--explain", action="store_true",
                   help="print, per sentence, the candidate facts, the rule that fired and why "
                        "candidates were dropped")
    p.add_argument("--strict", action="store_true",
                   help="treat any input warning as an error: write nothing and exit 1")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary line")
    p.add_argument("--wait", action="store_true",
                   help="when another kg build is writing OUT, wait for it instead of failing at once")
    p.add_argument("--store", metavar="DIR",
                   help="keep the graph in the store folder DIR (made when missing) instead of writing OUT: "
                        "articles already in it are not parsed again, a file with new content replaces its old "
                        "document; e.g. kg build news/ --store kb/ (then kg query kb/ produces, kg export kb/ -o "
                        "graph.ttl)")
    p.add_argument("--batch-size", type=int, metavar="N",
                   help=f"with --store: documents parsed and committed together, one transaction each "
                        f"(default {_default_batch()}); a killed build keeps the batches committed before")
    _add_extractor_options(p)
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: extract in this process (default); dask: batches of documents are read on a "
                        "Dask cluster (kg and its model installed on every worker) and merged here into the "
                        "same graph; needs `pip install 'kg[dask]'`")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a "
                        "local cluster of one worker process per core, for this build)")
    p.add_argument("--workers", type=_workers, default="auto", metavar="N|auto",
                   help="with --engine local: processes that read the documents (default auto: one per core "
                        "when the input is large enough to pay for starting them, e.g. a few hundred "
                        "articles; 1: this process only); the graph is the same")

    p = add("query", "run a SPARQL query on a graph",
            "Run a SPARQL query on a built graph. QUERY is a SPARQL string, a .rq file or the\n"
            "name of a bundled query (e.g. 'produces'). The prefixes kgo:, ent:, fact:, ev:,\n"
            "doc:, rdfs:, skos:, prov:, dcterms: are predeclared.",
            "  kg query output/ produces\n"
            "  kg query --endpoint http://localhost:7878/query produces\n"
            "  kg query output/graph.ttl 'SELECT ?c ?m WHERE { ?c kgo:produces ?m }' --format csv\n"
            "  kg query output/ --about Peru\n"
            "  kg query output/ facts --limit 20\n"
            "  kg query output/ 'SELECT * WHERE { ?s ?p ?o }' --format csv --max-memory 1G > all.csv\n\n"
            "Queries are read-only (INSERT, DELETE, LOAD... are refused) and run in a child process\n"
            "with a memory bound (--max-memory) and a time bound (--timeout). RDF files over 256 MiB\n"
            "are refused (raise the bound with the environment variable KG_MAX_RDF_SIZE=2G).",
            cmd_query)
    p.add_argument("source", metavar="SOURCE", help="an RDF file, a build folder or a store folder")
    p.add_argument("query", nargs="?", metavar="QUERY", help="SPARQL text, a .rq file or a bundled query name")
    p.add_argument("--format", choices=QUERY_FORMATS, default="table", help="output format (default: table)")
    p.add_argument("--about", metavar="NAME",
                   help="everything the graph says about the entity NAME (a label or alias, any case); "
                        "when no entity has that name, the near names are given (exit 2)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="stop the query after SECONDS (a positive number, default 30)")
    p.add_argument("--endpoint", metavar="URL",
                   help="send the query to a SPARQL server instead (its query URL, e.g. Oxigraph "
                        "http://localhost:7878/query, Fuseki http://localhost:3030/DATASET/sparql); the one "
                        "positional argument is then the QUERY: kg query --endpoint URL produces")
    p.add_argument("--user", metavar="USER",
                   help="with --endpoint: log in as USER, the password in $KG_ENDPOINT_PASSWORD "
                        "(or a token in $KG_ENDPOINT_TOKEN, without --user)")
    p.set_defaults(func=_query_here_or_there)
    p.add_argument("--allow-service", action="store_true",
                   help="let SERVICE send requests to other SPARQL endpoints (refused by default: kg answers "
                        "offline, and a query written by someone else must not call out from here)")
    p.add_argument("--limit", type=_count, metavar="N",
                   help=f"read at most N rows of the result (0: all; default: {DEFAULT_TABLE_LIMIT} for the "
                        "table, which then says how many it left out, and all for csv, tsv and json)")
    memory = default_max_memory()
    p.add_argument("--max-memory", metavar="SIZE",
                   help="memory the query may take, e.g. 512M or 2G (default: a quarter of the memory"
                        + (f", here {format_size(memory)}" if memory else "; not bounded on this system")
                        + "); a query that needs more stops with a one-line error")

    p = add("push", "load a graph into a SPARQL server",
            "Load a build folder, a store folder or an RDF file into a SPARQL 1.1 server with the Graph Store\n"
            "HTTP Protocol. The graph (the default graph, or --graph IRI) is replaced: the first\n"
            "request is a PUT, a large graph follows in POST batches, so pushing again leaves the\n"
            "same triples. Requests that fail with a 5xx status or a lost connection are tried\n"
            "again. Credentials: --user USER with the password in $KG_ENDPOINT_PASSWORD, or a\n"
            "token in $KG_ENDPOINT_TOKEN. Graph Store URLs: Oxigraph http://HOST:7878/store,\n"
            "Fuseki http://HOST:3030/DATASET/data, GraphDB\n"
            "http://HOST:7200/repositories/REPO/rdf-graphs/service.",
            "  kg push output/ --endpoint http://localhost:7878/store\n"
            "  kg push output/graph.ttl --endpoint http://localhost:3030/news/data --graph https://example.org/g/news\n"
            "  KG_ENDPOINT_PASSWORD=... kg push output/ --endpoint https://db.example.org/repositories/kg/rdf-graphs/service --user ann",
            cmd_push)
    p.add_argument("source", metavar="SOURCE", help="a build folder or an RDF file (.ttl, .nt, .nq, .trig, .jsonld)")
    p.add_argument("--endpoint", required=True, metavar="URL", help="the server's Graph Store URL")
    p.add_argument("--graph", metavar="IRI", help="replace this named graph (default: the default graph)")
    p.add_argument("--user", metavar="USER", help="log in as USER, the password in $KG_ENDPOINT_PASSWORD")
    p.add_argument("--batch", type=int, default=50_000, metavar="TRIPLES",
                   help="triples per request at the most (default 50000)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="seconds to wait for each answer (default 60)")
    p.add_argument("--retries", type=int, default=3, metavar="N",
                   help="times to try a request again after a 5xx status or a lost connection (default 3)")
    p.add_argument("--quiet", "-q", action="store_true", help="no summary line")

    p = add("analyze", "centrality, communities and a report",
            "Print the most central entities, communities and counts of a graph and write\n"
            "report.md (default: in SOURCE when it is a build folder, else ./report.md).",
            "  kg analyze output/\n"
            "  kg analyze output/graph.ttl --report analysis.md --graphml graph.graphml",
            cmd_analyze)
    p.add_argument("source", metavar="SOURCE", help="an RDF file, a build folder or a store folder")
    p.add_argument("--report", metavar="FILE", help="where to write the markdown report")
    p.add_argument("--top", type=int, default=20, metavar="N", help="rows of the entity table (default 20)")
    p.add_argument("--graphml", metavar="FILE", help="also write the entity graph as GraphML")
    p.add_argument("--gexf", metavar="FILE", help="also write the entity graph as GEXF (Gephi)")

    p = add("view", "write an interactive HTML view",
            "Write a self-contained interactive HTML view of a graph (works offline): search by\n"
            "name or alias, filters by class, property, confidence and modality, and the evidence\n"
            "sentences of what you click. Default FILE: SOURCE/graph.html for a build folder, else\n"
            "the RDF file name with .html. Above --max-nodes entities only those with the highest\n"
            "PageRank are drawn (the page says how many were left out).",
            "  kg view output/ --open\n"
            "  kg view output/graph.ttl -o /tmp/graph.html --title \"Copper in the Andes\"\n"
            "  kg view output/ --max-nodes 500\n"
            "  kg view output/ --focus Peru --hops 2 -o peru.html",
            cmd_view)
    p.add_argument("source", metavar="SOURCE", help="an RDF file, a build folder or a store folder")
    p.add_argument("-o", "--output", metavar="FILE", help="the HTML file to write")
    p.add_argument("--title", metavar="TEXT",
                   help="title of the page (default: the title of the single article, or \"N articles: ...\")")
    p.add_argument("--max-nodes", type=int, default=2000, metavar="N",
                   help="draw at most N entities, those with the highest PageRank (default 2000)")
    p.add_argument("--focus", metavar="NAME", help="draw only the neighbourhood of this entity (name or alias)")
    p.add_argument("--hops", type=int, default=2, metavar="N",
                   help="with --focus: how many facts away from it an entity may be (default 2)")
    p.add_argument("--open", action="store_true",
                   help="open the file in a web browser (when none can be started, a line says where the file is)")

    p = add("validate", "check a graph against the SHACL shapes",
            "Check a graph against ontologies/shapes.ttl (SHACL). Prints 'conforms' and exits 0,\n"
            "or prints the violations and exits 1. RDF files over 256 MiB are refused (raise the\n"
            "bound with the environment variable KG_MAX_RDF_SIZE), as is RDF/XML with a DTD.",
            "  kg validate output/\n"
            "  KG_MAX_RDF_SIZE=2G kg validate big-graph.nt",
            cmd_validate)
    p.add_argument("source", metavar="SOURCE", help="an RDF file, a build folder or a store folder")

    p = add("export", "write the graph of a store to a file",
            "Write the graph of a store folder (kg build --store DIR) to FILE; the format comes from\n"
            "its extension: .ttl, .nt and .jsonld hold the whole graph (the graph.ttl of a plain build\n"
            "of the same articles), .trig and .nq keep the named graphs (one per document, and the\n"
            "entity layer <https://w3id.org/kg-minerals/graph/entities>).",
            "  kg export kb/ -o graph.ttl\n"
            "  kg export kb/ -o kb.trig       # one named graph per document",
            cmd_export)
    p.add_argument("store", metavar="DIR", help="a store folder (kg build INPUT --store DIR)")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the file to write (.ttl .nt .trig .nq .jsonld)")

    p = add("remove", "retract documents from a store",
            "Retract documents from a store folder: their graphs, and the facts that only they\n"
            "supported. A fact another document also supports keeps that evidence, with its\n"
            "confidence combined again from it. DOC is a file name (as the build read it, or its\n"
            "last part) or a document id (doc-...). All the documents go in one transaction.",
            "  kg remove old-article.txt --store kb/\n"
            "  kg remove doc-0123456789abcdef --store kb/",
            cmd_remove)
    p.add_argument("docs", nargs="+", metavar="DOC", help="file names or document ids")
    p.add_argument("--store", required=True, metavar="DIR", help="the store folder")
    p.add_argument("--all", action="store_true", help="when a name matches several documents, remove them all")
    p.add_argument("--wait", action="store_true", help="when a kg build is writing the store, wait for it")

    p = add("eval", "build texts and score them against gold triples",
            "Build TEXTS and score the graph against GOLD.jsonl (format in SCHEMA.md): precision,\n"
            "recall, F1, a per-property table, the misses (with the gold document) and the false\n"
            "positives (with the sentence they came from).",
            "  kg eval dev/gold.jsonl dev/texts/\n"
            "  kg eval dev/gold.jsonl dev/texts/ --per-doc         # and a row per document\n"
            "  kg eval dev/gold.jsonl dev/texts/ --json -o eval-out/\n"
            "  kg eval dev/gold.jsonl dev/texts/ --confidence-table  # P/R at each --min-confidence\n"
            "  kg eval dev/gold.jsonl dev/texts/ --min-confidence 0.9",
            cmd_eval)
    p.add_argument("gold", metavar="GOLD.jsonl", help="gold triples, one JSON object per document")
    p.add_argument("texts", nargs="+", metavar="TEXTS", help="article files or folders")
    p.add_argument("--model", metavar="NAME", help="spaCy model to use")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("-o", "--output", metavar="OUT", help="also save the built graph and score.json in OUT")
    p.add_argument("--allow-missing", action="store_true",
                   help="score even when a gold document matches no input (its triples count as misses)")
    p.add_argument("--per-doc", action="store_true",
                   help="also score each document on its own (its gold triples against the facts its "
                        "sentences state): a table of document, gold, predicted, ok, P, R, F1, and the mean "
                        "over documents; in the JSON and score.json as per_document")
    p.add_argument("--min-confidence", type=_confidence, default=0.0, metavar="X",
                   help="score the build that kg build --min-confidence X makes (facts below X left out)")
    p.add_argument("--confidence-table", action="store_true",
                   help="also score the facts at or above each of a row of confidences from 0 to 0.95, from "
                        "the same build: which --min-confidence gives the precision you need, and the "
                        "recall it costs; in the JSON as confidence_table. Then how often the facts "
                        "of each band of confidence are right, against their mean confidence, and the "
                        "expected calibration error (in the JSON as calibration)")
    _add_extractor_options(p)

    p = add("train", "train the relation classifier on an annotated corpus",
            "Train the relation classifier on CORPUS/train (and the Re-DocRED subset in\n"
            "CORPUS/re-docred/), choose its thresholds on CORPUS/dev (with --folds K: learn from\n"
            "CORPUS/dev too and choose them by K-fold cross-validation over train and dev), and\n"
            "write the weights to DIR/relations.npz. Build with them: kg build ... --models DIR.\n"
            "Prints a JSON report (examples, features, dev scores, seconds, bytes). The test split\n"
            "is never read.",
            "  kg train corpus/ -o models/\n"
            "  kg train corpus/ -o kg/models/ --second-dev ../shared/eval/dev --folds 5   # the shipped weights\n"
            "  kg build articles/ -o out/ --extractor hybrid --models models/\n"
            "  kg train corpus/ -o md-models/ --model en_core_web_md --trigger-similarity 0.6\n"
            "  kg build articles/ -o out/ --models md-models/ --model en_core_web_md",
            cmd_train)
    p.add_argument("corpus", metavar="CORPUS", help="the annotated corpus folder (train/, dev/, re-docred/)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="where to write the weights")
    p.add_argument("--model", metavar="NAME", help="spaCy model to use")
    p.add_argument("--redocred", metavar="FILE", help="converted Re-DocRED file (default: CORPUS/re-docred/...)")
    p.add_argument("--redocred-limit", type=int, metavar="N", help="use only the first N Re-DocRED documents")
    p.add_argument("--no-tune", action="store_true", help="keep the default thresholds (no dev-split builds)")
    p.add_argument("--second-dev", metavar="DIR",
                   help="a second development set (gold.jsonl and texts/, e.g. ../shared/eval/dev): "
                        "thresholds must keep its F1 at 0.85 or above")
    p.add_argument("--trigger-similarity", type=float, metavar="COS",
                   help="with a spaCy pipeline that has word vectors (--model en_core_web_md): also give the "
                        "classifier, for each word on a pair's path or between it, the properties of the "
                        "ontology's nearest trigger word when their cosine reaches COS (e.g. 0.6); building "
                        "with these weights then needs that pipeline")
    p.add_argument("--folds", type=int, default=0, metavar="K",
                   help="learn from the dev split too, and choose the thresholds by K-fold cross-validation "
                        "over train and dev (out-of-fold scores of every annotated passage) instead of on "
                        "the dev split alone; K of 2 or more, e.g. 5")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    if command is not None and command not in sub.choices:  # not a command: the whole parser says so
        return build_parser()
    return parser


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return n


def _workers(text: str) -> int | str:
    if text.strip().lower() == "auto":
        return "auto"
    n = _count(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more, or auto")
    return n


def _language_code(text: str) -> str:
    code = text.strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}", code):
        raise argparse.ArgumentTypeError(f"not a language code: {text!r} (two or three letters, e.g. es, de)")
    return code


def _seconds(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (math.isfinite(x) and x > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return x


def _size(text: str) -> int:
    from .fetch import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _default_batch() -> int:
    from .store import DEFAULT_BATCH_SIZE

    return DEFAULT_BATCH_SIZE


def _confidence(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {text}")
    return x


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kg`` command line; returns the exit code.

    Parameters
    ----------
    argv
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 for a failed check (``--strict``, ``validate``) or an
        internal error, 2 for a usage error (missing path, bad SPARQL, bad
        output folder), 130 when interrupted (Ctrl-C), 143 when terminated (SIGTERM).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv and not argv[0].startswith("-") else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    debug = getattr(args, "debug", False)
    previous = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (a service manager stopping kg, `kill`) is an interruption like Ctrl-C: the same
        # clean-up of temporary files, an existing OUT left as it was, then exit 143
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return args.func(args)
    except Terminated:
        _err(f"{PROG}: terminated")
        return 143
    except KeyboardInterrupt:
        _err(f"{PROG}: interrupted")
        return 130
    except KGError as exc:
        if debug:
            traceback.print_exc()
        _err(f"{PROG}: error: {_one_line(str(exc))}")
        return int(getattr(exc, "exit_code", 1))
    except BrokenPipeError:  # e.g. `kg query ... | head`
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except OSError as exc:  # the file system said no: a user-fixable problem, not a bug
        if debug:
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        _err(f"{PROG}: error: {where}{exc.strerror or _one_line(str(exc))}; check the path and its permissions")
        return 2
    except Exception as exc:  # a bug
        if debug:
            traceback.print_exc()
            _err(f"{PROG}: internal error: {exc.__class__.__name__}: {_one_line(str(exc))}")
        else:
            _err(f"{PROG}: internal error: {exc.__class__.__name__}: {_one_line(str(exc))} "
                 "(run with --debug for the traceback)")
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is, so that it unwinds like an interruption."""


def _on_sigterm(signum, frame) -> None:
    raise Terminated()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
