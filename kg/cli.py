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
import os
import signal
import sys
import threading
import traceback
import webbrowser
from pathlib import Path
from typing import Callable, Sequence, TextIO

from .errors import InputError, KGError, OutputError

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
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another output folder with -o")

    def on_warning(w: object) -> None:
        _err(f"warning: {_one_line(str(w))}")

    from .lock import build_lock

    traces: list | None = [] if args.explain else None
    progress: bool | str = "auto" if (not args.quiet and sys.stderr.isatty()) else False
    with build_lock(out, wait=args.wait):  # one build at a time writes OUT
        # OUT may be inside an INPUT folder (`kg build notes -o notes/out`): never read it back
        kg = api.build(args.inputs, model=args.model, min_confidence=args.min_confidence, explain=traces,
                       strict=args.strict, progress=progress, on_warning=on_warning, exclude=[out],
                       extractor=args.extractor, models=args.models)
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
    from .store import open_source

    target = open_source(args.source)  # a store in place, a file read by pyoxigraph's own parser

    if args.about:
        about = kgquery.about_query(args.about)
        if isinstance(about, tuple):  # (query, bindings)
            q, bindings = about
            result = kgquery.run_query(target, q, timeout=args.timeout, bindings=bindings,
                                       allow_service=args.allow_service)
        else:
            result = kgquery.run_query(target, about, timeout=args.timeout, allow_service=args.allow_service)
    else:
        result = kgquery.run_query(target, kgquery.load_query(args.query), timeout=args.timeout,
                                   allow_service=args.allow_service)
    text = kgquery.format_result(result, args.format)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from . import analysis, api, outset

    kg = api.load(args.source)
    a = kg.analyze()
    print(analysis.format_table(a, top=args.top))
    src = Path(args.source)
    report = Path(args.report) if args.report else (src / "report.md" if src.is_dir() else Path("report.md"))
    outset.write_into(report, analysis.generate_report(a))
    print(f"wrote {report}")
    if args.graphml:
        analysis.write_graphml(kg.networkx(), args.graphml)
        print(f"wrote {args.graphml}")
    if args.gexf:
        analysis.write_gexf(kg.networkx(), args.gexf)
        print(f"wrote {args.gexf}")
    return 0


def cmd_view(args: argparse.Namespace) -> int:
    from . import api, outset

    kg = api.load(args.source)
    src = Path(args.source)
    if args.output:
        target = Path(args.output)
    elif src.is_dir():
        target = src / "graph.html"
    else:
        target = src.with_suffix(".html")
    title = src.resolve().name if src.is_dir() else src.stem
    outset.write_into(target, kg.html(title=title))
    print(f"wrote {target}")
    if args.open:
        webbrowser.open(target.resolve().as_uri())
    return 0


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

    gold = evaluate.load_gold(args.gold)  # fail on a bad gold file before the build
    if not args.allow_missing:
        from .ingest import read_documents

        names = [d.name for d in read_documents(args.texts, exclude=[args.output] if args.output else ()).documents]
        missing = evaluate.unmatched_documents(gold, names)
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise InputError(f"{args.gold}: {len(missing)} gold document(s) match no input: {shown}; a gold "
                             "'doc' must name an input file (check the paths) or pass --allow-missing")
    kg = api.build(args.texts, model=args.model, on_warning=lambda w: _err(f"warning: {_one_line(str(w))}"),
                   exclude=[args.output] if args.output else (), extractor=args.extractor, models=args.models)
    s = evaluate.score(kg.graph, gold)
    if args.json:
        print(json.dumps(s.to_dict(), indent=1))
    else:
        print(evaluate.format_score(s))
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
                   log=lambda s: None if args.quiet else _err(s))
    print(json.dumps(report))
    return 0


def _add_extractor_options(p: argparse.ArgumentParser) -> None:
    from .extract.decide import EXTRACTORS

    p.add_argument("--extractor", choices=EXTRACTORS, default=None,
                   help="rules: the rule families alone; trained: the relation classifier over every "
                        "candidate pair (rule votes are features); hybrid: rule facts the classifier does not "
                        "veto plus its confident pairs (default: the best on the corpus dev split when the "
                        "weights were trained, recorded in them)")
    p.add_argument("--models", metavar="DIR", help="trained weights from 'kg train -o DIR' (default: the shipped ones)")


# -- parser ------------------------------------------------------------------

class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``kg`` (one sub-parser per command)."""
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
        p = sub.add_parser(name, help=help_, description=description, epilog="Example:\n" + example,
                           formatter_class=_Formatter, parents=[common])
        p.set_defaults(func=func)
        return p

    p = add("build", "build a knowledge graph from articles",
            "Read articles (.txt, .md, .html, .jsonl files or folders of them), extract entities\n"
            "and facts with their evidence sentences, and write OUT/graph.ttl, OUT/graph.html\n"
            "and OUT/report.md with a manifest (OUT/kg-manifest.json). The whole set is written\n"
            "beside OUT and switched in with one atomic folder exchange: when the build fails or\n"
            "is interrupted, an existing OUT is left as it was. Files in OUT that kg did not\n"
            "write are kept. With --store DIR the graph is kept in a store folder instead, which\n"
            "later builds add to (kg query/analyze/view/validate DIR, kg export, kg remove).",
            "  kg build seeds/ -o output/\n"
            "  kg build articles/ -o out/ --format nt,jsonld --min-confidence 0.5\n"
            "  kg build seeds/japan-peru-critical-minerals.txt --explain | less\n"
            "  kg build news/ --store kb/ --batch-size 64   # incremental: only new articles are parsed",
            cmd_build)
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="article files or folders")
    p.add_argument("-o", "--output", default=None, metavar="OUT", help="output folder (default: output/)")
    p.add_argument("--format", action="append", metavar="FMT",
                   help="also write graph.FMT: nt, trig or jsonld (repeatable or a comma list); "
                        "graph.ttl is always written")
    p.add_argument("--model", metavar="NAME", help="spaCy model to use (default: the bundled en_core_web_sm)")
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

    p = add("query", "run a SPARQL query on a graph",
            "Run a SPARQL query on a built graph. QUERY is a SPARQL string, a .rq file or the\n"
            "name of a bundled query (e.g. 'produces'). The prefixes kgo:, ent:, fact:, ev:,\n"
            "doc:, rdfs:, skos:, prov:, dcterms: are predeclared.",
            "  kg query output/ produces\n"
            "  kg query output/graph.ttl 'SELECT ?c ?m WHERE { ?c kgo:produces ?m }' --format csv\n"
            "  kg query output/ --about Peru",
            cmd_query)
    p.add_argument("source", metavar="SOURCE", help="an RDF file, a build folder or a store folder")
    p.add_argument("query", nargs="?", metavar="QUERY", help="SPARQL text, a .rq file or a bundled query name")
    p.add_argument("--format", choices=QUERY_FORMATS, default="table", help="output format (default: table)")
    p.add_argument("--about", metavar="NAME", help="everything the graph says about the entity NAME")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="stop the query after SECONDS (a positive number, default 30)")
    p.add_argument("--allow-service", action="store_true",
                   help="let SERVICE send requests to other SPARQL endpoints (refused by default: kg answers "
                        "offline, and a query written by someone else must not call out from here)")

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
            "Write a self-contained interactive HTML view of a graph (works offline). Default\n"
            "FILE: SOURCE/graph.html for a build folder, else the RDF file name with .html.",
            "  kg view output/ --open\n"
            "  kg view output/graph.ttl -o /tmp/graph.html",
            cmd_view)
    p.add_argument("source", metavar="SOURCE", help="an RDF file, a build folder or a store folder")
    p.add_argument("-o", "--output", metavar="FILE", help="the HTML file to write")
    p.add_argument("--open", action="store_true", help="open the file in a web browser")

    p = add("validate", "check a graph against the SHACL shapes",
            "Check a graph against ontologies/shapes.ttl (SHACL). Prints 'conforms' and exits 0,\n"
            "or prints the violations and exits 1.",
            "  kg validate output/",
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
            "  kg eval dev/gold.jsonl dev/texts/ --json -o eval-out/",
            cmd_eval)
    p.add_argument("gold", metavar="GOLD.jsonl", help="gold triples, one JSON object per document")
    p.add_argument("texts", nargs="+", metavar="TEXTS", help="article files or folders")
    p.add_argument("--model", metavar="NAME", help="spaCy model to use")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("-o", "--output", metavar="OUT", help="also save the built graph and score.json in OUT")
    p.add_argument("--allow-missing", action="store_true",
                   help="score even when a gold document matches no input (its triples count as misses)")
    _add_extractor_options(p)

    p = add("train", "train the relation classifier on an annotated corpus",
            "Train the relation classifier on CORPUS/train (and the Re-DocRED subset in\n"
            "CORPUS/re-docred/), choose its thresholds on CORPUS/dev, and write the weights to\n"
            "DIR/relations.npz. Build with them: kg build ... --models DIR. Prints a JSON report\n"
            "(examples, features, dev scores, seconds, bytes). The test split is never read.",
            "  kg train corpus/ -o models/\n"
            "  kg train corpus/ -o kg/models/ --second-dev ../shared/eval/dev   # the shipped weights\n"
            "  kg build articles/ -o out/ --extractor hybrid --models models/",
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
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    return parser


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
    parser = build_parser()
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
