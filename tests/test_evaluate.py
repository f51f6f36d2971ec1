"""Scoring against gold triples (kg.evaluate), on hand-built graphs: no spaCy needed."""
from __future__ import annotations

import io
import json
import re
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
    kgo local name or a full IRI; ``evidence`` items are (s, p, o, sentence, file name[, modality]).
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
    for i, (s, p, o, sentence, fname, *modality) in enumerate(evidence):
        ev, doc = EV[f"e{i}"], DOC[f"d-{fname}"]
        g.add((ev, RDF.type, RDF.Statement))
        g.add((ev, RDF.type, KGO.Evidence))
        g.add((ev, RDF.subject, ENT[s]))
        g.add((ev, RDF.predicate, KGO[p]))
        g.add((ev, RDF.object, ENT[o]))
        g.add((ev, KGO.sentence, Literal(sentence)))
        g.add((ev, KGO.rule, Literal("verb:produce")))
        g.add((ev, KGO.modality, Literal(modality[0] if modality else "asserted")))
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


# -- per document ------------------------------------------------------------------------------

PJ, CL = "peru-japan.txt", "chile-lithium.txt"
#: what each document's sentences state (the direct triples of the graph they support)
STATED = {
    PJ: [("peru", "produces", "copper"), ("japan", "partnersWith", "peru"), ("peru", "produces", "tin"),
         ("chile", "produces", "copper")],
    CL: [("chile", "produces", "copper"), ("chile", "produces", "lithium")],
    "other.txt": [("chile", "exports", "zinc")],
}


def per_doc_graph():
    """Two gold documents and one that gold does not list; one fact only denied, one stated reversed."""
    direct = sorted({t for ts in STATED.values() for t in ts}) + [("china", "dominates", "rare-earths")]
    evidence = [(s, p, o, f"{s} {p} {o}.", doc) for doc, ts in STATED.items() for s, p, o in ts
                if p != "partnersWith"]
    evidence += [("peru", "partnersWith", "japan", "Peru and Japan are partners.", PJ),  # the other direction
                 ("china", "dominates", "rare-earths", "China does not dominate rare earths.", CL, "negated")]
    return make_graph(direct, dict(LABELS, tin="tin"), evidence=evidence)


def test_scores_per_document(gold):
    s = evaluate.score(per_doc_graph(), gold, per_doc=True)
    rows = {d: (c.gold, c.predicted, c.correct) for d, c in s.per_document.items()}
    # peru-japan states Peru-copper, Japan-Peru (read reversed), Peru-tin and Chile-copper (Chile is not
    # one of its gold entities); chile-lithium's negated sentence states nothing
    assert rows == {PJ: (5, 4, 2), CL: (4, 2, 2), "other.txt": (0, 1, 0)}
    assert list(s.per_document) == [PJ, CL, "other.txt"]  # gold order, then the documents gold does not list
    assert s.per_document[PJ].precision == 0.5 and s.per_document[PJ].recall == pytest.approx(0.4)
    # the overall figures are still the union over documents, as the reference scorer counts them
    assert (s.correct, s.predicted, s.gold) == (5, 7, 9)
    assert s.document_mean == pytest.approx((0.75, 0.45, (2 * 0.5 * 0.4 / 0.9 + 2 * 0.5 / 1.5) / 2))
    d = s.to_dict()
    assert d["per_document"][0] == {"doc": PJ, "gold": 5, "predicted": 4, "correct": 2, "precision": 0.5,
                                    "recall": pytest.approx(0.4), "f1": pytest.approx(4 / 9)}
    text = evaluate.format_score(s)
    assert re.search(r"^peru-japan\.txt +5 +4 +2 +0\.50 +0\.40 +0\.44$", text, re.MULTILINE), text
    assert "mean over 2 documents with gold triples: precision 0.750 recall 0.450" in text
    assert "per_document" not in evaluate.score(per_doc_graph(), gold).to_dict()


@pytest.mark.skipif(not SCORE_PY.is_file(), reason="the shared reference scorer is not available")
def test_per_document_scores_agree_with_reference_scorer(tmp_path, gold):
    """Each row is what score.py gives for that document's gold line and the triples its sentences state."""
    graph = per_doc_graph()
    mine = evaluate.score(graph, gold, per_doc=True).per_document
    lines = {json.loads(line)["doc"]: line for line in GOLD.read_text().splitlines() if line.strip()}
    labels = list(graph.triples((None, RDFS.label, None)))
    for doc, stated in STATED.items():
        sub = rdflib.Graph()
        for t in labels:
            sub.add(t)
        for s, p, o in stated:
            sub.add((ENT[s], KGO[p], ENT[o]))
        (tmp_path / "g.ttl").write_text(sub.serialize(format="turtle"))
        (tmp_path / "gold.jsonl").write_text(lines.get(doc, json.dumps({"doc": doc, "entities": {}, "triples": []})))
        ref = json.loads(subprocess.run([sys.executable, str(SCORE_PY), str(tmp_path / "g.ttl"),
                                         str(tmp_path / "gold.jsonl"), "--json"],
                                        capture_output=True, text=True, check=True).stdout)
        row = mine[doc]
        assert (row.gold, row.predicted, row.correct) == (ref["gold"], ref["predicted"], ref["correct"]), doc
        assert (row.precision, row.recall, row.f1) == pytest.approx((ref["precision"], ref["recall"], ref["f1"]))


def test_gold_of_one_document(gold):
    pj = gold.for_doc(PJ)
    assert pj.docs == (PJ,) and len(pj.triples) == 5 and "Chile" not in pj.entities
    assert ("Chile", "produces", "copper") in gold.for_doc(CL).triples
    assert "ishiba" in pj.entities["Shigeru Ishiba"]


@pytest.mark.skipif(not SCORE_PY.is_file(), reason="the shared reference scorer is not available")
def test_eval_per_doc_on_a_real_build(tmp_path, capsys):
    """kg eval --per-doc: the table in text, per_document in the JSON and score.json, and each row equal to
    score.py on the triples that the document's (not negated) evidence sentences state."""
    from kg.cli import main

    out = tmp_path / "ev"
    assert main(["eval", str(GOLD), str(DATA / "texts"), "--per-doc", "--json", "-o", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert json.loads((out / "score.json").read_text()) == data
    assert [r["doc"] for r in data["per_document"]] == ["peru-japan.txt", "chile-lithium.txt"]

    graph = rdflib.Graph().parse(out / "graph.ttl")
    lines = {json.loads(line)["doc"]: line for line in GOLD.read_text().splitlines() if line.strip()}
    for row in data["per_document"]:
        sub = rdflib.Graph()
        for t in graph.triples((None, RDFS.label, None)):
            sub.add(t)
        for ev in graph.subjects(RDF.type, KGO.Evidence):
            doc = graph.value(ev, PROV.wasDerivedFrom)
            if str(graph.value(doc, KGO.fileName)) != row["doc"] or str(graph.value(ev, KGO.modality)) == "negated":
                continue
            s, p, o = (graph.value(ev, x) for x in (RDF.subject, RDF.predicate, RDF.object))
            for t in [(s, p, o)] + ([(o, p, s)] if p == KGO.partnersWith else []):
                if t in graph:
                    sub.add(t)
        sub.serialize(tmp_path / "sub.ttl", format="turtle")
        (tmp_path / "gold.jsonl").write_text(lines[row["doc"]])
        ref = json.loads(subprocess.run([sys.executable, str(SCORE_PY), str(tmp_path / "sub.ttl"),
                                         str(tmp_path / "gold.jsonl"), "--json"],
                                        capture_output=True, text=True, check=True).stdout)
        assert (row["gold"], row["predicted"], row["correct"]) == (ref["gold"], ref["predicted"], ref["correct"])
        assert row["f1"] == pytest.approx(ref["f1"])

    assert main(["eval", str(GOLD), str(DATA / "texts"), "--per-doc"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"^document +gold +pred +ok +P +R +F1$", text, re.MULTILINE)
    for row in data["per_document"]:
        assert re.search(rf"^{re.escape(row['doc'])} +{row['gold']} +{row['predicted']} +{row['correct']} ", text, re.MULTILINE)
    assert "mean over 2 documents with gold triples" in text


def test_left_out_triples_score_as_if_removed_from_the_graph():
    from kg.rdf import example_result, to_rdf

    g = to_rdf(example_result())
    gold = evaluate.load_gold(io.StringIO(json.dumps({"doc": "01-japan-peru.txt",
        "entities": {"Peru": [], "copper": [], "Japan": [], "zinc": []},
        "triples": [["Peru", "produces", "copper"], ["Japan", "partnersWith", "Peru"], ["Peru", "produces", "zinc"]]})))
    direct = [t for t in g if evaluate.local_name(t[1]) in evaluate.PROPERTIES]
    assert len(direct) >= 2
    for t in direct:
        removed = rdflib.Graph()
        for x in g:
            if x != t:
                removed.add(x)
        a, b = evaluate.score(g, gold, leave_out={t}), evaluate.score(removed, gold)
        assert (a.correct, a.predicted, a.missed, a.false_positives) == (b.correct, b.predicted, b.missed, b.false_positives)
        assert a.predicted == evaluate.score(g, gold).predicted - 1
