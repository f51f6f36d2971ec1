"""Training the relation classifier from annotated real text (``kg train``).

Examples come from two sources, read through the same pipeline and rule families as a build
(:func:`kg.extract.run.read_sentences`), so that training sees what extraction sees:

- the corpus (``corpus/train``): every candidate pair of a sentence is labelled with the gold
  properties that hold between the gold entities its mentions name (names and aliases matched
  as the scorer matches them);
- Re-DocRED (``corpus/re-docred/re-docred-kg.jsonl.gz``, a converted subset of the human-
  annotated Wikipedia documents, see its README): pairs of annotated mentions labelled with
  the Wikidata relations that map to the schema. Its pairs count at a lower weight, and pairs
  a rule reads as a property Re-DocRED cannot express are left out (its silence there says
  nothing).

The classifier is fitted on those examples; then the decision thresholds of the ``trained`` and
``hybrid`` extractors are chosen on the corpus dev split by building it and scoring the graph,
with the counts ``kg eval`` gives (:class:`SettingScorer`). With ``folds`` (``kg train
--folds 5``, how the shipped weights are made) the dev split's pairs are learnt too, and the
thresholds are chosen on out-of-fold builds of every train and dev passage
(:func:`cross_validate`). Thresholds chosen on one half of the dev split scored 0.03 to 0.06 F1
higher on that half than on the other: a score on the passages that chose the thresholds
overstates what new text gets. The test split is never read here.
"""
from __future__ import annotations

import gzip
import json
import time
from dataclasses import dataclass, replace
from itertools import product
from pathlib import Path
from typing import Callable, Iterable

from ..corpus import iter_docs
from ..errors import InputError, ModelError
from ..evaluate import PROPERTIES, SYMMETRIC, PropertyScore, calibration_error, match_keys
from ..model import Document, Fact
from ..ontology import Ontology, load_ontology
from .calibration import Calibration
from .candidates import IMPLICIT, PairCandidate, pair_candidates
from .classifier import LinearClassifier
from .decide import RELATIONS_FILE
from .features import TokenTable, TriggerVectors, pair_features
from .rules.base import TriggerIndex
from .run import prepared_pieces, read_sentences
from .typing import TYPER_FILE, TYPES, MentionTyper, document_context, mention_features

LABELS = sorted(PROPERTIES)
#: Re-DocRED relations (Wikidata ids) and the schema property each gives; "~" reverses the pair
REDOCRED_MAP: dict[str, str] = {
    "P131": "locatedIn", "P17": "locatedIn", "P276": "locatedIn", "P706": "locatedIn", "P150": "~locatedIn",
    "P463": "memberOf", "P1344": "attends", "P710": "~attends",
    "P6": "~leaderOf", "P35": "~leaderOf", "P488": "~leaderOf", "P169": "~leaderOf", "P1037": "~leaderOf",
    "P127": "~owns", "P749": "~owns", "P355": "owns",
}
REDOCRED_PROPERTIES = {"locatedIn", "memberOf", "attends", "leaderOf", "investsIn", "operates"}
REDOCRED_FILE = Path("re-docred") / "re-docred-kg.jsonl.gz"


@dataclass
class Example:
    features: set[str]
    labels: set[str]
    weight: float
    doc: str


# ---------------------------------------------------------------- labels
def _keys(m) -> set[str]:
    keys = set(match_keys(m.text))
    if m.lex:
        keys |= match_keys(m.lex)
    return keys


def gold_labels(pair: PairCandidate, index: dict[str, set[str]], triples: set[tuple[str, str, str]]) -> set[str]:
    """The gold properties between the entities that the pair's mentions name."""
    subs = set().union(*(index.get(k, set()) for k in _keys(pair.subject)))
    objs = set().union(*(index.get(k, set()) for k in _keys(pair.object)))
    out = set()
    for s, p, o in triples:
        if (s in subs and o in objs) or (p in SYMMETRIC and o in subs and s in objs):
            out.add(p)
    return out


def corpus_examples(folder: str | Path, nlp, onto: Ontology, triggers: TriggerIndex, *,
                    weight: float = 1.0, typer: MentionTyper | None = None,
                    vectors: TriggerVectors | None = None) -> list[Example]:
    """Labelled candidate pairs of every passage of a corpus split."""
    docs, by_id = _corpus_documents(folder)
    gold = {}
    for d in docs:
        r = by_id[d.id]
        index: dict[str, set[str]] = {}
        names = r.annotation.get("entities", {})
        for name, spec in names.items():
            aliases = spec.get("aliases", []) if isinstance(spec, dict) else spec
            for form in (name, *aliases):
                for k in match_keys(form):
                    index.setdefault(k, set()).add(name)
        gold[d.id] = (index, {tuple(t) for t in r.triples if len(t) == 3})
    out = []
    table = None
    for d, off, ctx, sent, kept, rejected in read_sentences(docs, nlp, onto, triggers, typer=typer):
        index, triples = gold[d.id]
        if table is None or table.doc is not ctx.doc:
            table = TokenTable(ctx.doc)
        for pair in pair_candidates(ctx, sent, kept, rejected):
            out.append(Example(pair_features(ctx.doc, sent, pair, triggers, table, vectors),
                               gold_labels(pair, index, triples), weight, d.name))
    return out


def _corpus_documents(folder: str | Path) -> tuple[list[Document], dict]:
    records = list(iter_docs(folder, "gold"))
    if not records:
        raise InputError(f"{folder}: no annotated passages (texts/ with annotations/gold/)")
    return _documents(records)


def _documents(records) -> tuple[list[Document], dict]:
    """The documents of corpus passages (one per distinct text) and the passage of each id."""
    docs, by_id = [], {}
    for r in records:
        d = Document.from_text(r.text, name=r.path.name, title=r.meta.get("title"))
        if d.id not in by_id:
            docs.append(d)
            by_id[d.id] = r
    return docs, by_id


def typing_examples(folder: str | Path, nlp, onto: Ontology) -> list[Example]:
    """The names the pipeline finds in a corpus split, labelled with the class of the annotated
    entity they overlap (names that overlap none are left out)."""
    docs, by_id = _corpus_documents(folder)
    out = []
    for d, off, doc, _, _ in prepared_pieces(docs, nlp, onto):
        gold = by_id[d.id].mentions
        context = document_context(doc, d.title)
        for ent in doc.ents:
            a, b = ent.start_char + off, ent.end_char + off
            hit = next((m for m in gold if m.start < b and a < m.end), None)
            if hit is not None and hit.cls in TYPES:
                out.append(Example(mention_features(doc, ent, context), {hit.cls}, 1.0, d.name))
    return out


def typing_accuracy(typer: MentionTyper | None, folder: str | Path, nlp, onto: Ontology) -> tuple[float, int]:
    """Share of the names that overlap an annotated entity whose class is right (with the typer
    applied when given), and how many names were compared."""
    docs, by_id = _corpus_documents(folder)
    right = total = 0
    for d, off, doc, _, _ in prepared_pieces(docs, nlp, onto, typer=typer):
        gold = by_id[d.id].mentions
        for ent in doc.ents:
            a, b = ent.start_char + off, ent.end_char + off
            hit = next((m for m in gold if m.start < b and a < m.end), None)
            if hit is not None:
                total += 1
                right += ent.label_ == hit.cls
    return (right / total if total else 0.0), total


# ---------------------------------------------------------------- Re-DocRED
def convert_redocred(files: Iterable[str | Path], out: str | Path) -> int:
    """Convert Re-DocRED JSON files into the compact JSONL that training reads.

    Each line: ``{"title", "text", "mentions": [[start, end, entity], ...],
    "relations": [[head, property, tail], ...]}`` with character offsets in ``text`` (tokens
    joined by spaces) and only the relations of :data:`REDOCRED_MAP`. Documents without such a
    relation are left out. Returns the number of documents written.
    """
    n = 0
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        for f in files:
            for doc in json.loads(Path(f).read_text(encoding="utf-8")):
                rels = []
                for lab in doc.get("labels", []):
                    prop = REDOCRED_MAP.get(lab["r"])
                    if prop:
                        h, t = (lab["t"], lab["h"]) if prop.startswith("~") else (lab["h"], lab["t"])
                        rels.append([h, prop.lstrip("~"), t])
                if not rels:
                    continue
                offsets, parts, pos = [], [], 0
                for sent in doc["sents"]:
                    row = []
                    for tok in sent:
                        row.append((pos, pos + len(tok)))
                        parts.append(tok)
                        pos += len(tok) + 1
                    offsets.append(row)
                text = " ".join(parts)
                mentions = []
                for e, vertex in enumerate(doc["vertexSet"]):
                    for m in vertex:
                        row = offsets[m["sent_id"]]
                        a, b = m["pos"]
                        if 0 <= a < b <= len(row):
                            mentions.append([row[a][0], row[b - 1][1], e])
                fh.write(json.dumps({"title": doc["title"], "text": text, "mentions": mentions,
                                     "relations": rels}, ensure_ascii=False) + "\n")
                n += 1
    return n


def redocred_examples(path: str | Path, nlp, onto: Ontology, triggers: TriggerIndex, *,
                      weight: float = 0.5, limit: int | None = None, typer: MentionTyper | None = None,
                      vectors: TriggerVectors | None = None) -> list[Example]:
    """Labelled candidate pairs of the converted Re-DocRED documents."""
    docs, info = [], {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            if limit is not None and k >= limit:
                break
            rec = json.loads(line)
            d = Document.from_text(rec["text"], name=f"re-docred:{rec['title']}")
            if d.id in info:
                continue
            docs.append(d)
            info[d.id] = rec
    out = []
    table = None
    for d, off, ctx, sent, kept, rejected in read_sentences(docs, nlp, onto, triggers, typer=typer):
        rec = info[d.id]
        if table is None or table.doc is not ctx.doc:
            table = TokenTable(ctx.doc)
        spans = [(a - off, b - off, e) for a, b, e in rec["mentions"]]
        rels: dict[tuple[int, int], set[str]] = {}
        for h, p, t in rec["relations"]:
            rels.setdefault((h, t), set()).add(p)

        def entity(m) -> int | None:
            for a, b, e in spans:
                if a < m.end and m.start < b:
                    return e
            return None

        for pair in pair_candidates(ctx, sent, kept, rejected):
            if any(v.prop not in REDOCRED_PROPERTIES for v in pair.votes):
                continue
            h, t = entity(pair.subject), entity(pair.object)
            if h is None or t is None or h == t:
                continue
            labels = set()
            for p in rels.get((h, t), ()):
                if p == "owns":
                    labels.add("operates" if onto.is_a(pair.object.cls, "Facility") else "investsIn")
                else:
                    labels.add(p)
            out.append(Example(pair_features(ctx.doc, sent, pair, triggers, table, vectors), labels, weight, d.name))
    return out


# ---------------------------------------------------------------- training
def fit_typer(names: list[Example], threshold: float) -> LinearClassifier:
    """The mention typer's classifier fitted on ``names`` (:func:`typing_examples`)."""
    return LinearClassifier.fit([e.features for e in names], [e.labels for e in names], TYPES, l2=1.0, min_count=1,
                                meta={"threshold": threshold, "examples": len(names)}).prune()


def fit_relations(examples: list[Example], vectors: TriggerVectors | None = None) -> LinearClassifier:
    """The relation classifier fitted on ``examples``, with its default settings and, when the
    examples have word-vector features, the similarity that a build must compute them at."""
    clf = fit(examples)
    clf.meta.update({"examples": len(examples), "positives": sum(bool(e.labels) for e in examples),
                     "threshold": {"trained": 0.5, "hybrid": 0.5}, "veto": 0.1, "retype": 0.7})
    if vectors is not None:
        clf.meta["trigger_similarity"] = vectors.threshold
    return clf.prune()


def fit(examples: list[Example], *, l2: float = 2.0, min_count: int = 2) -> LinearClassifier:
    return LinearClassifier.fit([e.features for e in examples], [e.labels for e in examples], LABELS,
                                sample_weight=[e.weight for e in examples], l2=l2, min_count=min_count)


def _read_set(folder: Path, gold_path: Path):
    from ..evaluate import load_gold
    from ..ingest import read_documents

    return read_documents([folder / "texts"]).documents, load_gold(gold_path)


def _keep(e, mode: str, thresholds: dict[str, float], prop: str, veto: float) -> bool:
    """Whether a piece of evidence survives a setting (its confidence is the classifier's score)."""
    t = thresholds.get(prop, thresholds.get("*", 0.5))
    if e.rule.startswith("classifier:" + IMPLICIT):
        t = max(t, thresholds.get(IMPLICIT, 0.0))
    if mode == "trained":
        return e.confidence >= t
    return e.confidence >= t if e.rule.startswith("classifier") else e.confidence >= veto


def _tuning_reads(clf: LinearClassifier, sets: list[tuple[list[Document], object]], nlp, onto: Ontology,
                  models_dir: Path) -> list[tuple]:
    """Each (documents, gold) of ``sets`` built with ``clf`` keeping every candidate it scores at 0.3
    or more and every rule's fact (no veto), each piece of evidence carrying the classifier's score
    (what :func:`_choose` filters)."""
    from .run import extract

    clf.meta["threshold"] = {"hybrid": 0.3, "trained": 0.3}
    clf.meta["veto"] = 0.0
    clf.meta["rule_precision"] = 0.0  # evidence confidences are the classifier's scores while tuning
    clf.meta.pop("calibration", None)
    clf.save(models_dir / RELATIONS_FILE)
    return [(docs, gold, *extract(docs, nlp=nlp, ontology=onto, extractor="hybrid", models=models_dir))
            for docs, gold in sets]


def _micro(scores) -> tuple[float, float, float]:
    """Precision, recall and F1 over several scored builds, from their summed counts."""
    total = PropertyScore(gold=sum(s.gold for s in scores), predicted=sum(s.predicted for s in scores),
                          correct=sum(s.correct for s in scores))
    return (round(total.precision, 4), round(total.recall, 4), round(total.f1, 4))


class SettingScorer:
    """Scores of one tuning build under many settings, each without building a graph.

    A setting keeps some of each fact's evidence; the graph of what is left would have the
    direct triple of a fact when some kept evidence of it is not negated, and every entity as
    before (its labels, so the names the scorer matches, do not depend on the facts). So the
    build's graph is made and matched to the gold names once, and a setting's score is counted
    from the facts it keeps: the same counts as ``kg eval`` of that graph (checked in the tests).
    Every fact's subject and object must be entities of the build, as :func:`~kg.extract.run.extract`
    gives them (a name known only from a fact could be slugged differently in a smaller graph).
    """

    def __init__(self, docs, gold, ents, facts):
        from ..evaluate import _predictions, local_name
        from ..model import BuildResult, merge_facts
        from ..rdf import entity_iri, entity_slugs, to_rdf

        graph = to_rdf(BuildResult(docs, ents, facts))
        direct = [(s, local_name(p), o) for s, p, o in graph if local_name(p) in PROPERTIES]
        names: dict[tuple, set] = {}
        for canonical, behind in _predictions(graph, direct, gold).items():
            for t in behind:
                names.setdefault(t, set()).add(canonical)
        slugs = entity_slugs([e.key for e in ents.values()]
                             + [k for f in merge_facts(facts) for k in (f.subject, f.object)])
        self.facts = facts
        #: per fact, the gold-name triples its direct triple is scored as
        self.names = [names.get((entity_iri(slugs[f.subject]), f.predicate, entity_iri(slugs[f.object])), set())
                      for f in facts]
        self.gold = gold.triples

    def score(self, keep: Callable) -> PropertyScore:
        """The counts of the graph of the evidence for which ``keep(evidence, fact)`` is true."""
        predicted: set = set()
        for f, names in zip(self.facts, self.names):
            if names and any(e.modality != "negated" and keep(e, f) for e in f.evidence):
                predicted |= names
        return PropertyScore(gold=len(self.gold), predicted=len(predicted), correct=len(predicted & self.gold))


def tune(clf: LinearClassifier, dev: str | Path, nlp, onto: Ontology, models_dir: Path,
         log: Callable[[str], None] = lambda s: None, second_dev: str | Path | None = None,
         floor: float = 0.85, per_property: bool = True) -> dict:
    """Choose the thresholds of ``trained`` and ``hybrid`` on the dev split.

    Each dev set is read once with every candidate the classifier scores at 0.3 or more kept, each
    piece of evidence carrying its score; a setting (a threshold, one per property where that
    helps, and the veto under which a rule's fact is dropped) then keeps the evidence that passes
    it, and the graph of what is left is scored as ``kg eval`` would.

    With ``second_dev`` (a folder with ``gold.jsonl`` and ``texts/``, e.g. the shared development
    set), a setting must also keep F1 there at ``floor`` or above: the classifier may add facts
    and veto the rules' facts only where that does not cost what the rules already read well.
    The best extractor on the dev split among those that keep the floor is recorded as ``best``.
    """
    from ..corpus import write_gold

    primary = _tuning_reads(clf, [_read_set(Path(dev), write_gold(dev))], nlp, onto, models_dir)
    return _choose(clf, primary, _second_reads(clf, second_dev, nlp, onto, models_dir), nlp, onto, models_dir, log,
                   floor, per_property)


def _second_reads(clf: LinearClassifier, second_dev: str | Path | None, nlp, onto: Ontology,
                  models_dir: Path) -> list[tuple]:
    """The tuning build of the second development set (none without one)."""
    if second_dev is None:
        return []
    return _tuning_reads(clf, [_read_set(Path(second_dev), Path(second_dev) / "gold.jsonl")], nlp, onto, models_dir)


def setting_rank(result: list[tuple[float, float, float]], floor: float = 0.85) -> tuple:
    """How a threshold setting ranks: ``result`` is its (precision, recall, F1) on the dev builds,
    then on the second dev set if there is one. Settings that keep the second set's F1 at
    ``floor`` come first, then F1 on the dev builds, then, at equal F1, precision (the setting that
    asserts less for as many right facts).

    >>> setting_rank([(0.66, 0.40, 0.50), (0.86, 0.84, 0.85)]) > setting_rank([(0.64, 0.41, 0.50), (0.86, 0.84, 0.85)])
    True
    >>> setting_rank([(0.60, 0.50, 0.55), (0.80, 0.80, 0.80)]) < setting_rank([(0.66, 0.40, 0.50), (0.86, 0.84, 0.85)])
    True
    """
    return (len(result) < 2 or result[1][2] >= floor, result[0][2], result[0][0])


#: the thresholds tried for a property (1.01: the classifier never asserts it)
GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
#: the least scores tried for the page subject's implicit pairs (None: no bar of their own)
BARS = (None, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def refine_thresholds(run: Callable[[dict], object], rank: Callable[[object], tuple], thresholds: dict,
                      result) -> tuple[dict, object]:
    """Refine a threshold setting property by property: twice over the properties, each
    property's threshold (:data:`GRID`) together with each bar of the page subject's implicit
    pairs (:data:`BARS`), then that bar alone; a trial is kept where ``rank(run(trial))`` is higher
    than the best so far. ``result`` is ``run(thresholds)``. Returns the setting and its result.

    The pairs are tried together because one may pay only with the other: lowering the
    threshold of a property lets in its implicit pairs too, unless they have a bar of their own.

    >>> def run(t):  # "produces" at 0.6 pays only with a bar of 0.8 on the implicit pairs
    ...     good = t.get("produces") == 0.6 and t.get("implicit") == 0.8
    ...     return 0.6 if good else 0.5 - 0.1 * (t.get("produces") == 0.6) - 0.01 * ("implicit" in t)
    >>> refine_thresholds(run, lambda r: (r,), {"*": 0.8}, 0.5)
    ({'*': 0.8, 'produces': 0.6, 'implicit': 0.8}, 0.6)
    """
    for _ in range(2):
        for prop in LABELS:
            for t, bar in product(GRID, BARS):
                trial = {**thresholds, prop: t}
                if bar is None:
                    trial.pop(IMPLICIT, None)
                else:
                    trial[IMPLICIT] = bar
                r2 = run(trial)
                if rank(r2) > rank(result):
                    result, thresholds = r2, trial
    for bar in BARS[1:]:  # then the bar alone
        trial = {**thresholds, IMPLICIT: bar}
        r2 = run(trial)
        if rank(r2) > rank(result):
            result, thresholds = r2, trial
    return thresholds, result


#: in :func:`search_hybrid`, each point of second-set F1 under the floor costs this many points
#: of dev F1 while a setting that breaks the floor is repaired
PENALTY = 3.0


def search_hybrid(run: Callable[[dict, float], list], rank: Callable[[list], tuple],
                  singles: list[tuple[list, dict, float]], floor: float = 0.85) -> tuple[dict, float, list]:
    """The best threshold setting of the hybrid extractor found from several starts.

    ``singles`` are the results of one threshold for every property: ``(result, thresholds,
    veto)``, ``result = run(thresholds, veto)`` being its (P, R, F1) on the dev builds and on the
    second set. :func:`refine_thresholds` runs from the best of them that keeps the floor (from the
    rules alone, ``{"*": 1.01}``, if none does), from the others that keep it at the same veto,
    from the rules alone, and from each one without a veto that breaks the floor, once a search
    that charges :data:`PENALTY` dev points per second-set point under the floor has repaired it.
    The best end point wins (:func:`setting_rank`).

    The repaired starts matter most: a low threshold for every property, with the few properties
    that cost the second set most raised, is a setting that a search from a high threshold, one
    property at a time and never below the floor, cannot reach. Nested cross-validation over the
    out-of-fold builds of the train and dev splits: 0.5046 from the best single start alone,
    0.5119 with these starts (measured with the ninth round's weights).

    >>> def run(t, veto):  # a low threshold pays on the dev builds unless "locatedIn" is let in
    ...     low = t.get("*") == 0.3
    ...     second = 0.80 if low and t.get("locatedIn", 0.3) < 0.9 else 0.86
    ...     dev = (0.56 if low else 0.50) - 0.01 * (t.get("locatedIn") == 1.01)
    ...     return [(0.6, 0.4, dev), (0.9, 0.8, second)]
    >>> singles = [(run({"*": t}, 0.0), {"*": t}, 0.0) for t in (0.3, 0.8)]
    >>> t, veto, r = search_hybrid(run, setting_rank, singles)
    >>> t["*"], t["locatedIn"], r[0][2]
    (0.3, 0.9, 0.56)
    """
    best = max(singles, key=lambda x: rank(x[0]))
    result, thresholds, veto = best
    starts = []
    if rank(result)[0]:
        starts.append((thresholds, veto, result))
        starts += [(t, v, r) for r, t, v in singles if rank(r)[0] and v == veto and t != thresholds]
    rules_only = {"*": 1.01}
    starts.append((rules_only, 0.0, run(rules_only, 0.0)))

    def penalised(r):  # r has the second set's result: there is no floor without one
        return (r[0][2] - PENALTY * max(0.0, floor - r[1][2]),)

    for r, t, v in singles:
        if v == 0.0 and not rank(r)[0]:
            t2, r2 = refine_thresholds(lambda trial: run(trial, 0.0), penalised, t, r)
            if rank(r2)[0]:
                starts.append((t2, 0.0, r2))
    out = None
    for t, v, r in starts:
        t2, r2 = refine_thresholds(lambda trial, v=v: run(trial, v), rank, t, r)
        if out is None or rank(r2) > rank(out[2]):
            out = (t2, v, r2)
    return out


def _choose(clf: LinearClassifier, primary: list[tuple], second: list[tuple], nlp, onto: Ontology,
            models_dir: Path, log: Callable[[str], None], floor: float = 0.85, per_property: bool = True) -> dict:
    """The thresholds and veto of both extractors that score best on ``primary`` (builds from
    :func:`_tuning_reads`, scored together) while ``second`` keeps F1 at ``floor``; recorded in
    ``clf.meta`` and saved to ``models_dir``.

    One threshold and veto for all properties first; then, twice over the properties, each
    property's threshold together with the bar of the page subject's implicit pairs (:data:`BARS`),
    kept where the setting ranks higher (:func:`setting_rank`); then that bar alone. The hybrid
    extractor's search runs from several starts (:func:`search_hybrid`)."""
    from ..evaluate import score
    from ..model import BuildResult
    from ..rdf import to_rdf
    from .run import extract

    def rules_of(reads):
        return _micro([score(to_rdf(BuildResult(docs, ents, facts)), gold) for docs, gold, _, _ in reads
                       for ents, facts in [extract(docs, nlp=nlp, ontology=onto, extractor="rules")]])

    rules = [rules_of(primary)] + ([rules_of(second)] if second else [])
    scorers = [[SettingScorer(*r) for r in reads] for reads in (primary, second) if reads]

    def run(mode: str, thresholds: dict[str, float], veto: float) -> list[tuple[float, float, float]]:
        def keep(e, f):
            return _keep(e, mode, thresholds, f.predicate, veto)
        return [_micro([sc.score(keep) for sc in group]) for group in scorers]

    def fmt(r):
        return " | ".join(f"P {p:.3f} R {rc:.3f} F1 {f:.3f}" for p, rc, f in r)

    def rank(r):
        return setting_rank(r, floor)

    results = {"rules": rules}
    log(f"dev rules: {fmt(rules)}")
    best: dict[str, tuple] = {}
    common = GRID[:-1]  # one threshold for every property (1.01 would assert nothing)
    grid = {"trained": [(t, 0.0) for t in common],
            "hybrid": [(t, v) for t in common for v in (0.0, 0.02, 0.05, 0.1)]}
    for mode, settings in grid.items():
        singles = []  # (result, thresholds, veto) of one threshold for every property
        for thr, veto in settings:
            r = run(mode, {"*": thr}, veto)
            log(f"dev {mode} threshold {thr} veto {veto}: {fmt(r)}")
            singles.append((r, {"*": thr}, veto))
        best[mode] = max(singles, key=lambda x: rank(x[0]))  # the first of equals
        if per_property:  # one property at a time, kept only where the dev split gains
            r, thresholds, veto = best[mode]
            if mode == "hybrid" and second:
                thresholds, veto, r = search_hybrid(lambda trial, v: run(mode, trial, v), rank, singles, floor)
            else:
                thresholds, r = refine_thresholds(lambda trial, m=mode, v=veto: run(m, trial, v), rank, thresholds, r)
            if thresholds != best[mode][1]:
                log(f"dev {mode} per-property thresholds {thresholds}: {fmt(r)}")
            best[mode] = (r, thresholds, veto)
    clf.meta["threshold"] = {m: best[m][1] for m in best}
    clf.meta["veto"] = best["hybrid"][2]
    results.update({m: best[m][0] for m in best})
    clf.meta["dev"] = {m: r for m, r in results.items()}
    clf.meta["best"] = max(results, key=lambda m: rank(results[m]))
    clf.meta["rule_precision"] = rules[0][0]
    log(f"chosen: {clf.meta['threshold']}, veto {clf.meta['veto']}; best extractor {clf.meta['best']}")
    maps, errors = {}, {}
    for mode in ("hybrid", "trained"):  # each extractor's map, fitted on the facts it keeps
        chosen = clf.meta["threshold"][mode]
        cal, error, n = calibrate(scorers[0], lambda e, f, m=mode, t=chosen: _keep(e, m, t, f.predicate,
                                                                                    clf.meta["veto"]))
        if cal is not None:
            maps[mode], errors[mode] = cal.weights, error
            log(f"{mode} confidence calibrated on {n} facts: expected calibration error {error:.3f}"
                + (" out of fold" if len(scorers[0]) > 1 else " in sample"))
    if maps:
        clf.meta["calibration"] = maps
        clf.meta["calibration_error"] = errors
    clf.save(models_dir / RELATIONS_FILE)
    return results


def calibration_data(scorer: SettingScorer, keep: Callable) -> tuple[list[Fact], list[bool], list[set]]:
    """The facts of one tuning build that ``keep`` keeps (each with its kept, asserted evidence),
    whether each is right against the gold, and the gold-name triples each is scored as (a fact
    the scorer cannot name is left out)."""
    facts, labels, names = [], [], []
    for f, named in zip(scorer.facts, scorer.names):
        kept = tuple(e for e in f.evidence if e.modality != "negated" and keep(e, f))
        if kept and named:
            facts.append(Fact(f.subject, f.predicate, f.object, kept))
            labels.append(bool(named & scorer.gold))
            names.append(named)
    return facts, labels, names


def _readings(facts: list[Fact]) -> list[list[tuple]]:
    return [[(e.confidence, e.rule, f.predicate, e.doc_id) for e in f.evidence] for f in facts]


def _calibrated(cal: Calibration | None, facts: list[Fact]) -> list[float]:
    """Each fact's confidence with its evidence calibrated (:attr:`kg.model.Fact.confidence`);
    with no calibration, the classifier's scores."""
    if cal is None:
        return [f.confidence for f in facts]
    return [Fact(f.subject, f.predicate, f.object,
                 tuple(replace(e, confidence=cal.confidence(e.confidence, e.rule, f.predicate))
                       for e in f.evidence)).confidence for f in facts]


def _scored_triples(confidences: list[float], names: list[set], gold: set) -> tuple[list[float], list[bool]]:
    """Confidence and truth of each gold-name triple, as ``kg eval`` scores a build: a triple
    takes the highest confidence of the facts scored as it."""
    best: dict[tuple, float] = {}
    for c, named in zip(confidences, names):
        for t in named:
            best[t] = max(c, best.get(t, 0.0))
    return list(best.values()), [t in gold for t in best]


def calibrate(scorers: list[SettingScorer], keep: Callable) -> tuple[Calibration | None, float, int]:
    """The confidence calibration (:mod:`kg.extract.calibration`) fitted on the facts that
    ``keep`` keeps in the tuning builds of ``scorers``; its expected calibration error over the
    builds' predictions as ``kg eval`` counts them (:func:`kg.evaluate.calibration_error`);
    and the number of facts it was fitted on. With several builds (the folds of
    cross-validation), each build is scored by a calibration fitted on the other builds' facts;
    with one, in sample."""
    data = [calibration_data(sc, keep) for sc in scorers]
    facts = [f for fs, _, _ in data for f in fs]
    labels = [y for _, ys, _ in data for y in ys]
    cal = Calibration.fit(_readings(facts), labels)
    if cal is None:
        return None, 0.0, len(facts)
    confidences: list[float] = []
    truths: list[bool] = []
    for k, (held, _, names) in enumerate(data):
        part = cal
        if len(data) > 1:
            rest = [(f, y) for j, (fs, ys, _) in enumerate(data) if j != k for f, y in zip(fs, ys)]
            part = Calibration.fit(_readings([f for f, _ in rest]), [y for _, y in rest])
        c, t = _scored_triples(_calibrated(part, held), names, scorers[k].gold)
        confidences += c
        truths += t
    return cal, calibration_error(confidences, truths), len(facts)


def fold_of(names_and_meta: Iterable[tuple[str, dict]], folds: int) -> dict[str, int]:
    """The cross-validation fold of each passage: passages of one subject (see
    :func:`kg.corpus.subject_key`) share a fold, subjects are dealt out by a hash of their key so
    that the folds are the same on every machine.

    >>> f = fold_of([("a.txt", {"title": "Escondida"}), ("b.txt", {"title": "Escondida mine"}),
    ...              ("c.txt", {"title": "Mining in Zambia"})], 3)
    >>> f["a.txt"] == f["b.txt"], sorted(set(f.values())) <= [0, 1, 2]
    (True, True)
    """
    import hashlib

    from ..corpus import subject_key

    keys = {name: subject_key(meta, name) for name, meta in names_and_meta}
    order = sorted(set(keys.values()), key=lambda k: hashlib.sha1(k.encode("utf-8")).hexdigest())
    slot = {k: i % folds for i, k in enumerate(order)}
    return {name: slot[k] for name, k in keys.items()}


def cross_validate(examples: list[Example], folders: list[Path], folds: int, nlp, onto: Ontology,
                   models_dir: Path, log: Callable[[str], None] = lambda s: None,
                   names: list[Example] | None = None, vectors: TriggerVectors | None = None) -> list[tuple]:
    """Out-of-fold tuning builds of the passages of ``folders``: for each fold, a classifier
    fitted on every example but that fold's passages (Re-DocRED's always in) builds the fold's
    passages (:func:`_tuning_reads`), so that thresholds are chosen on scores of text the
    classifier did not learn from, over all the annotated passages rather than the dev split
    alone. With ``names`` (the typer's examples), each fold's passages are typed by a typer fitted
    without them too, at the threshold of the one in ``models_dir``."""
    import io
    import shutil
    import tempfile

    from ..corpus import gold_record, iter_docs, subject_key, unify_names
    from ..evaluate import load_gold

    records = [r for folder in folders for r in iter_docs(folder, "gold")]
    fold = fold_of(((r.path.name, r.meta) for r in records), folds)
    if len(set(fold.values())) < 2:
        raise InputError(f"{', '.join(map(str, folders))}: every passage has one subject ("
                         f"{subject_key(records[0].meta, records[0].path.name) if records else 'none'!r}, from "
                         "the titles), so no fold can be held out; give the passages titles of their own, "
                         "or leave out --folds")

    reads = []
    with tempfile.TemporaryDirectory(prefix="kg-cv-") as tmp:
        tmp_dir = Path(tmp)
        typer_file = models_dir / TYPER_FILE
        refit = names is not None and typer_file.is_file()
        threshold = LinearClassifier.read_meta(typer_file).get("threshold", 0.6) if refit else None
        if typer_file.is_file() and not refit:
            shutil.copy(typer_file, tmp_dir / TYPER_FILE)
        for k in range(folds):
            held = [r for r in records if fold[r.path.name] == k]
            if not held:
                continue
            clf = fit_relations([e for e in examples if fold.get(e.doc, -1) != k], vectors)
            if refit:
                fit_typer([e for e in names if fold.get(e.doc, -1) != k], threshold).save(tmp_dir / TYPER_FILE)
            docs = _documents(held)[0]
            lines = "".join(json.dumps(g, ensure_ascii=False) + "\n" for g in unify_names([gold_record(r) for r in held]))
            reads += _tuning_reads(clf, [(docs, load_gold(io.StringIO(lines)))], nlp, onto, tmp_dir)
            log(f"fold {k + 1}/{folds}: {len(docs)} passages held out")
    return reads


def train(corpus: str | Path, out: str | Path, *, model: str | None = None, redocred: str | Path | None = None,
          redocred_limit: int | None = None, tune_on_dev: bool = True, train_typer: bool = True,
          second_dev: str | Path | None = None, nlp=None, log: Callable[[str], None] = print,
          trigger_similarity: float | None = None, folds: int = 0) -> dict:
    """Train the relation classifier on ``corpus/train`` (and Re-DocRED) and write it to ``out``.

    With ``folds`` (2 or more) and a dev split, the classifier learns from the dev split too, and
    the thresholds are chosen by cross-validation over train and dev together
    (:func:`cross_validate`): on out-of-fold scores of all the annotated passages instead of the
    dev split's alone. The dev scores reported are then those out-of-fold scores.

    ``trigger_similarity`` (a cosine, e.g. 0.6) adds the word-vector features of
    :class:`~kg.extract.features.TriggerVectors`; the pipeline must have word vectors, and the
    weights then need one with vectors to build.

    Returns a report (example counts, time, dev scores).
    """
    from ..pipeline import load_pipeline

    t0 = time.time()
    corpus, out = Path(corpus), Path(out)
    train_dir = corpus / "train" if (corpus / "train").is_dir() else corpus
    dev = corpus / "dev"
    if folds:
        if folds < 2:
            raise InputError(f"--folds {folds}: cross-validation needs 2 folds or more (e.g. --folds 5), or leave "
                             "the option out to choose the thresholds on the dev split alone")
        if not tune_on_dev or not (dev / "texts").is_dir():
            raise InputError(f"{corpus}: cross-validation over train and dev needs {dev}/texts/ and tuning "
                             "(leave out --no-tune), or leave out --folds")
    onto = load_ontology()
    triggers = TriggerIndex.from_ontology(onto)
    nlp = nlp or load_pipeline(model)
    vectors = None
    if trigger_similarity is not None:
        vectors = TriggerVectors.from_vocab(nlp.vocab, triggers, trigger_similarity)
        if vectors is None:
            raise ModelError(f"--trigger-similarity needs a spaCy pipeline with word vectors; "
                             f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '?')} has none: pass --model with "
                             "vectors (e.g. en_core_web_md) or leave the option out")
    out.mkdir(parents=True, exist_ok=True)
    report: dict = {}
    typer = None
    if train_typer:
        tex = typing_examples(train_dir, nlp, onto)
        tclf = fit_typer(tex, 0.6)
        tclf.save(out / TYPER_FILE)
        typer = MentionTyper(tclf)
        report["typing_examples"] = len(tex)
        log(f"typer: {len(tex)} names, {len(tclf.features)} features")
        if (dev / "texts").is_dir():
            before, n = typing_accuracy(None, dev, nlp, onto)
            tried = {}
            for thr in (0.4, 0.5, 0.6, 0.7, 0.8):
                typer.threshold = thr
                tried[thr] = typing_accuracy(typer, dev, nlp, onto)[0]
            typer.threshold = max(tried, key=lambda t: (tried[t], t))
            tclf.meta["threshold"] = typer.threshold
            tclf.save(out / TYPER_FILE)
            after = tried[typer.threshold]
            report["typing_dev"] = {"names": n, "before": round(before, 4), "after": round(after, 4),
                                    "threshold": typer.threshold}
            log(f"typer on dev: {n} names, class right {before:.3f} before, {after:.3f} after "
                f"(re-typing at p >= {typer.threshold})")
    cv = bool(folds)
    # out of fold, a passage is typed by a typer fitted without it too (the typer learns from the
    # train split only: learning from the dev split's names as well gained nothing out of fold)
    names = tex if cv and typer is not None else None
    examples = corpus_examples(train_dir, nlp, onto, triggers, typer=typer, vectors=vectors)
    if cv:
        examples += corpus_examples(dev, nlp, onto, triggers, typer=typer, vectors=vectors)
    log(f"corpus: {len(examples)} candidate pairs, {sum(bool(e.labels) for e in examples)} with a gold property")
    rd = Path(redocred) if redocred else corpus / REDOCRED_FILE
    if rd.is_file():
        extra = redocred_examples(rd, nlp, onto, triggers, limit=redocred_limit, typer=typer, vectors=vectors)
        log(f"re-docred: {len(extra)} candidate pairs, {sum(bool(e.labels) for e in extra)} with a property")
        examples += extra
    clf = fit_relations(examples, vectors)
    clf.save(out / RELATIONS_FILE)
    log(f"fitted {len(clf.features)} features x {len(clf.labels)} properties in {time.time() - t0:.0f} s")
    report.update({"examples": len(examples), "features": len(clf.features)})
    if cv:
        reads = cross_validate(examples, [train_dir, dev], folds, nlp, onto, out, log, names=names, vectors=vectors)
        report["dev"] = _choose(clf, reads, _second_reads(clf, second_dev, nlp, onto, out), nlp, onto, out, log)
        report["folds"] = folds
        clf.meta["folds"] = folds
        clf.save(out / RELATIONS_FILE)
        report["best"] = clf.meta["best"]
    elif tune_on_dev and (dev / "texts").is_dir():
        report["dev"] = tune(clf, dev, nlp, onto, out, log, second_dev=second_dev)
        report["best"] = clf.meta["best"]
    report["seconds"] = round(time.time() - t0, 1)
    report["bytes"] = sum((out / f).stat().st_size for f in (RELATIONS_FILE, TYPER_FILE) if (out / f).is_file())
    return report
