"""Scoring against gold triples (kg.evaluate), on hand-built graphs: no spaCy needed."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, SKOS, XSD, Literal, Namespace, URIRef
from rdflib.namespace import PROV

from kg import evaluate
from kg.errors import InputError

DATA = Path(__file__).parent / "data"
GOLD = DATA / "gold.jsonl"
SCORE_PY = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"  # ../shared

KGO = Namespace("https://w3id.org/kg-minerals/ontology#")
ENT = Namespace("https://w3id.org/kg-minerals/entity/")
EV = Namespace("https://w3id.org/kg-minerals/evidence/")
DOC = Namespace("https://w3id.org/kg-minerals/document/")
OTHER = Namespace("https://example.org/vocab/")


def make_graph(triples, labels=None, alt=None, evidence=()):
    """A graph in the kg layout: entity labels, direct triples and evidence nodes.

    ``triples`` are (subject slug, property, object slug) with property a
    kgo local name or a full IRI; ``evidence`` items are (s, p, o, sentence, file name).
    """
    g = rdflib.Graph()
    labels = labels or {}
    for slug, label in labels.items():
        g.add((ENT[slug], RDFS.label, Literal(label)))
    for slug, names in (alt or {}).items():
        for n in names:
            g.add((ENT[slug], SKOS.altLabel, Literal(n)))
    for s, p, o in triples:
        pred = p if isinstance(p, URIRef) else KGO[p]
        obj = o if isinstance(o, Literal) else ENT[o]
        g.add((ENT[s], pred, obj))
    for i, (s, p, o, sentence, fname) in enumerate(evidence):
        ev, doc = EV[f"e{i}"], DOC[f"d-{fname}"]
        g.add((ev, RDF.type, RDF.Statement))
        g.add((ev, RDF.type, KGO.Evidence))
        g.add((ev, RDF.subject, ENT[s]))
        g.add((ev, RDF.predicate, KGO[p]))
        g.add((ev, RDF.object, ENT[o]))
        g.add((ev, KGO.sentence, Literal(sentence)))
        g.add((ev, KGO.rule, Literal("verb:produce")))
        g.add((ev, KGO.modality, Literal("asserted")))
        g.add((ev, KGO.confidence, Literal("0.8", datatype=XSD.decimal)))
        g.add((ev, PROV.wasDerivedFrom, doc))
        g.add((doc, RDF.type, KGO.Document))
        g.add((doc, KGO.fileName, Literal(fname)))
    return g


LABELS = {"peru": "Peru", "japan": "Japan", "copper": "copper", "zinc": "zinc", "chile": "Chile",
          "china": "China", "lithium": "lithium", "rare-earths": "rare earths",
          "critical-minerals": "critical minerals", "ishiba": "Shigeru Ishiba",
          "ev-batteries": "electric vehicle batteries"}

PERFECT = [("peru", "produces", "copper"), ("peru", "produces", "zinc"),
           ("japan", "dependsOn", "critical-minerals"), ("japan", "partnersWith", "peru"),
           ("ishiba", "visits", "peru"), ("chile", "produces", "lithium"), ("chile", "produces", "copper"),
           ("lithium", "usedIn", "ev-batteries"), ("china", "dominates", "rare-earths")]


@pytest.fixture(scope="module")
def gold():
    return evaluate.load_gold(GOLD)


def test_load_gold(gold):
    assert gold.docs == ("peru-japan.txt", "chile-lithium.txt")
    assert len(gold.triples) == 9
    # the union over documents: copper appears in both, once as an entity
    assert "copper" in gold.entities and "rare earth" in gold.entities["rare earths"]
    # symmetric triples are stored in one canonical order
    assert ("Japan", "partnersWith", "Peru") in gold.triples
    assert gold.sources[("Chile", "produces", "copper")] == ("chile-lithium.txt",)


def test_perfect_graph(gold):
    s = evaluate.score(make_graph(PERFECT, LABELS), gold)
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)
    assert s.correct == s.predicted == s.gold == 9
    assert s.missed == () and s.false_positives == ()
    assert s.per_property["produces"].correct == 4


def test_symmetric_reverse_direction_matches(gold):
    s = evaluate.score(make_graph([("peru", "partnersWith", "japan")], LABELS), gold)
    assert s.correct == 1 and s.per_property["partnersWith"].correct == 1


def test_aliases_plurals_and_other_namespaces(gold):
    labels = {"pe": "The Peruvian", "cu": "Copper", "re": "Rare Earth", "cn": "Chinese", "z": "zinc"}
    g = make_graph([("pe", "produces", "cu"),
                    ("cn", OTHER.dominates, "re"),          # any namespace: the local name counts
                    ("pe", OTHER.mentions, "z")],           # not one of the 16: ignored
                   labels)
    s = evaluate.score(g, gold)
    assert s.correct == 2 and s.predicted == 2
    assert {m.triple for m in s.missed} >= {("Peru", "produces", "zinc")}


def test_false_positives_carry_evidence_and_misses_their_doc(gold):
    labels = dict(LABELS, tin="tin")
    g = make_graph([("peru", "produces", "tin"), ("peru", "produces", "copper")], labels,
                   evidence=[("peru", "produces", "tin", "Peru  produces\ntin.", "peru-japan.txt")])
    s = evaluate.score(g, gold)
    (fp,) = s.false_positives
    assert fp.triple == ("Peru", "produces", "?tin")
    assert fp.evidence[0].sentence == "Peru produces tin."
    assert fp.evidence[0].doc == "peru-japan.txt" and fp.evidence[0].rule == "verb:produce"
    miss = {m.triple: m for m in s.missed}
    assert miss[("Peru", "produces", "zinc")].docs == ("peru-japan.txt",)
    text = evaluate.format_score(s)
    assert 'peru-japan.txt (verb:produce, asserted): "Peru produces tin."' in text
    assert "Peru | produces | zinc   [peru-japan.txt]" in text
    assert text.splitlines()[-1].startswith("precision 0.500 recall 0.111 f1 0.182")
    d = s.to_dict()
    json.dumps(d)
    assert d["false_positives"] == [["Peru", "produces", "?tin"]]


def test_node_matching_two_gold_entities_counts_for_both():
    gold = evaluate.load_gold(io.StringIO(json.dumps({
        "doc": "x", "entities": {"Congo": ["DRC"], "Democratic Republic of the Congo": ["DRC"], "cobalt": []},
        "triples": [["Democratic Republic of the Congo", "produces", "cobalt"]]})))
    g = make_graph([("drc", "produces", "cobalt")], {"drc": "DRC", "cobalt": "cobalt"})
    s = evaluate.score(g, gold)
    assert s.predicted == 2 and s.correct == 1


def test_unlabelled_nodes_and_literals(gold):
    g = rdflib.Graph()
    g.add((ENT.SouthKorea, KGO.produces, Literal("copper")))
    s = evaluate.score(g, gold)
    assert [fp.triple for fp in s.false_positives] == [("?south korea", "produces", "copper")]


def test_empty_graph_and_empty_gold(gold):
    s = evaluate.score(rdflib.Graph(), gold)
    assert (s.precision, s.recall, s.f1, s.predicted) == (0.0, 0.0, 0.0, 0)
    assert len(s.missed) == 9


@pytest.mark.parametrize("line, message", [
    ("{not json", "not valid JSON"),
    ('{"doc": "d", "entities": {}}', "needs the keys"),
    ('{"doc": "d", "entities": {"A": [], "B": []}, "triples": [["A", "likes", "B"]]}', "unknown property 'likes'"),
    ('{"doc": "d", "entities": {"A": []}, "triples": [["A", "produces", "B"]]}', "'B' is not in the entities"),
    ('{"doc": "d", "entities": {"A": []}, "triples": [["A", "produces"]]}', "must be [subject"),
])
def test_bad_gold_lines(tmp_path, line, message):
    p = tmp_path / "gold.jsonl"
    p.write_text('{"doc": "ok", "entities": {}, "triples": []}\n\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        evaluate.load_gold(p)
    assert f"gold.jsonl:3: " in str(exc.value) and message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_missing_gold_file(tmp_path):
    with pytest.raises(InputError, match="gold file not found"):
        evaluate.load_gold(tmp_path / "nope.jsonl")


CROSS_CHECK_GRAPHS = {
    "perfect": (PERFECT, LABELS, None),
    "mixed": ([("peru", "produces", "tin"), ("peru", "partnersWith", "japan"), ("cn", "dominates", "re"),
               ("chile", "exports", "zinc"), ("ishiba", "leaderOf", "japan"), ("x", "usedIn", "ev")],
              dict(LABELS, tin="tin", cn="People's Republic of China", re="Rare Earth", x="Lithium",
                   ev="EV batteries"),
              {"ishiba": ["Ishiba"], "japan": ["Japanese"]}),
    "empty": ([], {}, None),
}


@pytest.mark.skipif(not SCORE_PY.is_file(), reason="the shared reference scorer is not available")
@pytest.mark.parametrize("name", sorted(CROSS_CHECK_GRAPHS))
def test_same_numbers_as_reference_scorer(tmp_path, gold, name):
    triples, labels, alt = CROSS_CHECK_GRAPHS[name]
    g = make_graph(triples, labels, alt)
    path = tmp_path / "graph.ttl"
    g.serialize(path, format="turtle")
    ref = json.loads(subprocess.run([sys.executable, str(SCORE_PY), str(path), str(GOLD), "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    mine = evaluate.score(evaluate_graph(path), gold).to_dict()
    for key in ("precision", "recall", "f1", "correct", "predicted", "gold", "docs", "per_property"):
        assert mine[key] == pytest.approx(ref[key]) if isinstance(ref[key], float) else mine[key] == ref[key], key
    assert mine["missed"] == ref["missed"]
    assert mine["false_positives"] == ref["false_positives"]


def evaluate_graph(path: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(path)
    return g


@pytest.mark.skipif(not SCORE_PY.is_file(), reason="the shared reference scorer is not available")
def test_same_numbers_as_reference_scorer_on_a_real_build(seed_dir):
    """The seed article's build scored against the dev gold (or the fixture gold)."""
    dev_gold = SCORE_PY.parent / "dev" / "gold.jsonl"
    gold_path = dev_gold if dev_gold.is_file() else GOLD
    graph_path = seed_dir / "graph.ttl"
    ref = json.loads(subprocess.run([sys.executable, str(SCORE_PY), str(graph_path), str(gold_path), "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    mine = evaluate.score(evaluate_graph(graph_path), evaluate.load_gold(gold_path)).to_dict()
    for key in ("correct", "predicted", "gold", "docs", "per_property", "missed", "false_positives"):
        assert mine[key] == ref[key], key
    assert mine["f1"] == pytest.approx(ref["f1"])


def test_eval_refuses_gold_documents_that_match_no_input(tmp_path, capsys):
    """A gold 'doc' that names no input would be scored against other articles' facts."""
    from kg.cli import main

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc": "nothere.txt", "entities": {"Peru": [], "copper": []},
                                "triples": [["Peru", "produces", "copper"]]}) + "\n")
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("Peru produces copper.")
    assert main(["eval", str(gold), str(texts)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nothere.txt" in err[0] and "--allow-missing" in err[0]
    assert main(["eval", str(gold), str(texts), "--allow-missing"]) == 0
