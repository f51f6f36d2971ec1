"""The trained side of extraction: corpus tools, the linear classifier, the typer, the decider,
``kg train`` and ``--extractor``. The tiny corpus under tests/data is made up and only keeps the
training loop working; quality is measured on the real corpus (README)."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import spacy
from spacy.tokens import Span

from kg import corpus
from kg.cli import main
from kg.errors import ModelError
from kg.evaluate import load_gold
from kg.extract.classifier import LinearClassifier
from kg.extract.decide import RELATIONS_FILE, Decider
from kg.extract.mentions import DocContext, Mention, RawCandidate
from kg.extract.rules import TriggerIndex
from kg.ontology import load_ontology

from .conftest import DATA, SEED

TINY = DATA / "tiny-corpus"


# ---------------------------------------------------------------- corpus tools
def test_mentions_are_found_longest_first_without_overlap():
    ann = {"entities": {"Chuquicamata mine": {"class": "Mine", "aliases": ["Chuquicamata"]},
                        "Chile": {"class": "Country", "aliases": ["Chilean"]}}}
    text = "The Chuquicamata mine is Chilean; Chuquicamata is in Chile."
    found = [(text[m.start:m.end], m.cls, m.entity) for m in corpus.find_mentions(text, ann)]
    assert found == [("Chuquicamata mine", "Mine", "Chuquicamata mine"), ("Chilean", "Country", "Chile"),
                     ("Chuquicamata", "Mine", "Chuquicamata mine"), ("Chile", "Country", "Chile")]


def test_the_split_depends_on_the_page_only():
    a = corpus.split_of("https://en.wikipedia.org/wiki/Escondida")
    assert corpus.split_of("https://en.wikipedia.org/wiki/Escondida#History") == a
    assert corpus.split_of("https://en.wikipedia.org/wiki/Escondida (mirror of x)") == a
    splits = [corpus.split_of(f"https://example.org/page-{i}") for i in range(400)]
    shares = {s: splits.count(s) / 400 for s in corpus.SPLITS}
    assert 0.5 < shares["train"] < 0.7 and 0.12 < shares["dev"] < 0.28 and 0.12 < shares["test"] < 0.28


def test_agreement_matches_names_through_aliases_and_symmetry():
    a = {"entities": {"Japan": [], "Peru": [], "copper": []},
         "triples": [["Japan", "partnersWith", "Peru"], ["Peru", "produces", "copper"]]}
    b = {"entities": {"Republic of Peru": {"class": "Country", "aliases": ["Peru"]}, "Japan": [], "zinc": []},
         "triples": [["Republic of Peru", "partnersWith", "Japan"], ["Peru", "produces", "zinc"]]}
    assert corpus.triple_agreement(a, b) == (1, 2, 2)


def test_gold_file_of_a_split_is_what_the_scorer_reads(tmp_path):
    split = tmp_path / "train"
    shutil.copytree(TINY / "train", split)
    gold = load_gold(corpus.write_gold(split))
    assert ("Chile", "produces", "copper") in gold.triples
    assert len(gold.docs) == 4
    assert "chuquicamata" in gold.entities["Chuquicamata mine"]


def test_gold_names_one_entity_once_across_passages():
    """The scorer pools passages: "Glencore" in one passage and "Glencore International Inc." in
    another would count every fact about the company twice."""
    recs = [
        {"doc": "a", "entities": {"Glencore": [], "Commission": [], "cobalt": []},
         "triples": [["Glencore", "produces", "cobalt"]]},
        {"doc": "b", "entities": {"Glencore International Inc.": ["Glencore"], "European Commission": ["Commission"],
                                  "Hudbay Minerals": ["Hudbay"], "iron": [], "iron ore": ["iron"]}, "triples": []},
        {"doc": "c", "entities": {"Glencore International Inc.": [], "Hudbay Minerals Inc.": ["Hudbay"],
                                  "Securities and Exchange Commission": ["Commission"]}, "triples": []},
    ]
    out = corpus.unify_names(recs)
    assert out[0]["triples"] == [["Glencore International Inc.", "produces", "cobalt"]]
    assert out[0]["entities"]["Glencore International Inc."] == ["Glencore"]
    # an alias of two entities decides nothing; two names one passage tells apart stay apart
    assert "Commission" in out[0]["entities"]
    assert {"iron", "iron ore"} <= set(out[1]["entities"])
    # one name is the other's first words and they share an alias: one company
    assert len({n for r in out for n in r["entities"] if n.startswith("Hudbay")}) == 1


def test_a_folder_that_is_no_corpus_is_one_clear_error(tmp_path):
    with pytest.raises(Exception, match="not a corpus folder"):
        list(corpus.iter_docs(tmp_path))


# ---------------------------------------------------------------- classifier
def test_classifier_round_trips_through_its_file(tmp_path):
    rows = [{"a", "b"}, {"a"}, {"c"}, {"c", "b"}] * 3
    labels = [{"x"}, {"x"}, {"y"}, {"y"}] * 3
    clf = LinearClassifier.fit(rows, labels, ["x", "y"], l2=0.5, meta={"threshold": {"hybrid": 0.4}})
    clf.save(tmp_path / "m.npz")
    back = LinearClassifier.load(tmp_path / "m.npz")
    assert back.labels == ["x", "y"] and back.meta["threshold"] == {"hybrid": 0.4}
    for feats in ({"a"}, {"c"}, {"a", "c"}, {"unknown"}):
        assert np.allclose(list(back.scores(feats).values()), list(clf.scores(feats).values()), atol=1e-2)
    assert back.scores({"a"})["x"] > 0.7 > back.scores({"c"})["x"]


def test_fitted_weights_are_the_optimum_rounded_the_same_on_every_machine():
    # the regularised logistic loss has one optimum; Newton's method finds it here to machine
    # precision, and the fit must give it rounded to QUANTUM (so that another numpy/scipy, whose
    # solver stops elsewhere near the optimum, gives the same weights)
    from kg.extract.classifier import QUANTUM

    rng = np.random.default_rng(0)
    n, d, l2 = 3000, 300, 1.0
    truth = rng.normal(0, 1.5, d)
    X = np.zeros((n, d))
    rows, labels = [], []
    for i in range(n):
        cols = rng.choice(d, size=12, replace=False)
        X[i, cols] = 1
        rows.append({f"f{j:03d}" for j in cols})
        labels.append({"x"} if rng.random() < 1 / (1 + np.exp(1 - truth[cols].sum() / 3)) else set())
    y = np.array([1.0 if ls else 0.0 for ls in labels])
    A = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    for _ in range(30):
        p = 1 / (1 + np.exp(-A @ theta))
        grad = A.T @ (p - y)
        grad[:d] += l2 * theta[:d]
        hess = (A * (p * (1 - p))[:, None]).T @ A
        hess[np.arange(d), np.arange(d)] += l2
        theta -= np.linalg.solve(hess, grad)
    clf = LinearClassifier.fit(rows, labels, ["x"], l2=l2)
    w = dict(zip(clf.features, clf.weights[:, 0]))
    got = np.append([w[f"f{j:03d}"] for j in range(d)], clf.bias[0])
    assert np.array_equal(got / QUANTUM, np.round(got / QUANTUM))  # multiples of the quantum
    near_midpoint = np.abs(np.abs(theta / QUANTUM - np.floor(theta / QUANTUM)) - 0.5) < 1e-3
    assert ((got == np.round(theta / QUANTUM) * QUANTUM) | near_midpoint).all()
    assert not np.signbit(clf.weights[clf.weights == 0]).any()  # no -0.0: its bytes differ from 0.0


def test_a_broken_model_file_is_a_model_error(tmp_path):
    bad = tmp_path / "relations.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="kg train"):
        LinearClassifier.load(bad)


# ---------------------------------------------------------------- decider
def _blank_ctx(text: str, ents: list[tuple[int, int, str]]):
    nlp = spacy.blank("en")
    doc = nlp(text)
    doc.ents = [Span(doc, a, b, label=c) for a, b, c in ents]
    for t in doc:
        t.is_sent_start = t.i == 0
    onto = load_ontology()
    return DocContext(doc, onto, TriggerIndex.from_ontology(onto)), doc, onto


def test_a_confident_classifier_retypes_a_weak_ner_label_instead_of_dropping_the_fact():
    ctx, doc, onto = _blank_ctx("Kakula produces copper", [(0, 1, "Person"), (2, 3, "Mineral")])
    s, o = ctx.mention(doc.ents[0]), ctx.mention(doc.ents[1])
    refused = RawCandidate(s, "produces", o, "verb:produce", 0.8, "asserted")
    clf = LinearClassifier(["rejected:produces"], ["produces"], np.array([[8.0]]), np.array([-4.0]),
                           meta={"threshold": {"trained": 0.5}, "retype": 0.7})
    kept, dropped = Decider(onto, ctx.triggers, clf, "trained").decide(
        ctx, doc[:], [], [(refused, "Person -> Mineral is outside the domain/range of produces")])
    assert [(c.subject.text, c.subject.cls, c.predicate, c.object.text) for c in kept] == [
        ("Kakula", "Mine", "produces", "copper")]
    assert kept[0].confidence == pytest.approx(0.982, abs=1e-3)


def test_hybrid_keeps_rule_facts_unless_vetoed_and_trained_needs_the_threshold():
    ctx, doc, onto = _blank_ctx("Peru produces copper", [(0, 1, "Country"), (2, 3, "Mineral")])
    s, o = ctx.mention(doc.ents[0]), ctx.mention(doc.ents[1])
    rule = RawCandidate(s, "produces", o, "verb:produce", 0.8, "asserted")
    clf = LinearClassifier(["vote:produces"], ["produces"], np.array([[1.0]]), np.array([-1.5]),
                           meta={"threshold": {"trained": 0.5, "hybrid": 0.5}, "veto": 0.2})
    p = 1 / (1 + np.exp(0.5))  # the classifier's probability: 0.38
    hybrid, _ = Decider(onto, ctx.triggers, clf, "hybrid").decide(ctx, doc[:], [rule], [])
    trained, dropped = Decider(onto, ctx.triggers, clf, "trained").decide(ctx, doc[:], [rule], [])
    assert [(c.predicate, c.rule, c.confidence) for c in hybrid] == [("produces", "verb:produce", round(p, 3))]
    assert trained == [] and "classifier 0.38 < 0.50" in dropped[0][1]


def test_a_vote_for_the_classifier_needs_its_threshold_in_hybrid():
    """A company named for a mineral is read as its producer only as a vote: hybrid keeps the
    reading where the classifier reaches the property's threshold, as trained does."""
    ctx, doc, onto = _blank_ctx("Southern Copper listed", [(0, 2, "Company")])
    company = ctx.mention(doc.ents[0])
    copper = Mention("Copper", "Mineral", 9, 15, "copper")
    vote = RawCandidate(company, "produces", copper, "name:mineral company", 0.5, "asserted")
    for bias, kept_rules in ((-1.5, []), (1.0, ["classifier (name:mineral company)"])):
        clf = LinearClassifier(["vote:produces"], ["produces"], np.array([[1.0]]), np.array([bias]),
                               meta={"threshold": {"hybrid": 0.5}, "veto": 0.0})
        kept, dropped = Decider(onto, ctx.triggers, clf, "hybrid").decide(ctx, doc[:], [vote], [])
        assert [c.rule for c in kept] == kept_rules
        assert bool(kept) or "a vote for the classifier only" in dropped[0][1]


def test_an_it_after_the_sentences_own_subject_is_that_subject_not_the_pages(nlp):
    """ "The deposit is unusual because it contains thorium": "it" is the deposit, so the page's
    subject (a company) is not paired with thorium; "The company said it" is still the company."""
    from kg.extract.candidates import subject_references
    from kg.extract.mentions import DocumentMemory

    onto = load_ontology()
    doc = nlp("The deposit is unusual because it contains little thorium. The company said it would grow.")
    ctx = DocContext(doc, onto, TriggerIndex.from_ontology(onto), {}, DocumentMemory())
    lynas = Mention("Lynas", "Company", 0, 5)
    first, second = doc.sents
    assert subject_references(ctx, first, lynas) == []
    assert [t.text for t in subject_references(ctx, second, lynas)] == ["company", "it"]


# ---------------------------------------------------------------- training and building
@pytest.fixture(scope="module")
def tiny_models(nlp, tmp_path_factory):
    from kg.extract.train import train

    out = tmp_path_factory.mktemp("tiny-models")
    report = train(TINY, out, redocred=DATA / "no-such-file", nlp=nlp, log=lambda s: None)
    return out, report


def test_training_writes_weights_and_chooses_thresholds_on_dev(tiny_models):
    out, report = tiny_models
    assert (out / RELATIONS_FILE).is_file() and (out / "typing.npz").is_file()
    assert report["examples"] > 10 and report["features"] > 10
    assert set(report["dev"]) == {"rules", "trained", "hybrid"}
    clf = LinearClassifier.load(out / RELATIONS_FILE)
    assert set(clf.meta["threshold"]) == {"trained", "hybrid"}
    assert clf.meta["dev"]["trained"][0][2] == pytest.approx(report["dev"]["trained"][0][2], abs=1e-3)
    assert clf.meta["best"] in ("rules", "trained", "hybrid")


def test_the_default_extractor_is_the_one_recorded_in_the_weights(tiny_models, tmp_path):
    from kg.extract.decide import default_extractor

    out, _ = tiny_models
    assert default_extractor(out) == LinearClassifier.load(out / RELATIONS_FILE).meta["best"]
    assert default_extractor(tmp_path) == "rules"  # no weights there


def test_a_build_with_trained_weights_reads_an_unseen_sentence(tiny_models, nlp):
    from kg.api import build

    out, _ = tiny_models
    g = build(texts=["Niger mines uranium. Orano operates the Arlit mine in Niger."], nlp=nlp,
              extractor="trained", models=out)
    facts = {(f.subject, f.predicate, f.object) for f in g.result.facts}
    assert ("niger", "produces", "uranium") in facts
    assert all(0 < f.confidence <= 1 for f in g.result.facts)


def test_cli_train_then_build_with_explain(tmp_path, capsys):
    assert main(["train", str(TINY), "-o", str(tmp_path / "m"), "--no-tune", "-q",
                 "--redocred", str(tmp_path / "none")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["examples"] > 0
    assert main(["build", str(SEED), "-o", str(tmp_path / "out"), "--extractor", "hybrid",
                 "--models", str(tmp_path / "m"), "--explain", "-q"]) == 0
    text = capsys.readouterr().out
    assert "classifier" in text and "rules:" in text


def test_trained_extractor_without_weights_is_one_clean_line(tmp_path, capsys):
    assert main(["build", str(SEED), "-o", str(tmp_path / "out"), "--extractor", "trained",
                 "--models", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "kg train" in err[0]
    assert not (tmp_path / "out").exists()


def test_cross_validated_training_learns_from_dev_and_tunes_out_of_fold(nlp, tmp_path, monkeypatch):
    from kg.extract import train as T
    from kg.ontology import load_ontology

    held, learnt = [], []
    real, real_fit = T._tuning_reads, T.fit_relations

    def spy(clf, sets, *a, **k):  # which passages each tuning build reads, after which fit
        held.append(({d.name for docs, _ in sets for d in docs}, learnt[-1]))
        return real(clf, sets, *a, **k)

    def spy_fit(examples, *a, **k):
        learnt.append({e.doc for e in examples})
        return real_fit(examples, *a, **k)

    monkeypatch.setattr(T, "_tuning_reads", spy)
    monkeypatch.setattr(T, "fit_relations", spy_fit)
    report = T.train(TINY, tmp_path, redocred=DATA / "no-such-file", nlp=nlp, log=lambda s: None, folds=2)
    onto = load_ontology()
    plain = T.corpus_examples(TINY / "train", nlp, onto, T.TriggerIndex.from_ontology(onto))
    assert report["folds"] == 2 and report["examples"] > len(plain)  # the dev split's pairs are learnt too
    names = sorted(p.name for split in ("train", "dev") for p in (TINY / split / "texts").glob("*.txt"))
    seen = sorted(n for reads, _ in held for n in reads)
    assert seen == names  # every passage is built once,
    assert all(reads and not reads & fitted for reads, fitted in held)  # by a classifier that did not learn from it
    assert all(fitted for _, fitted in held)
    clf = LinearClassifier.load(tmp_path / RELATIONS_FILE)
    assert clf.meta["folds"] == 2 and set(clf.meta["threshold"]) == {"trained", "hybrid"}
    assert clf.meta["dev"]["hybrid"][0][2] == pytest.approx(report["dev"]["hybrid"][0][2], abs=1e-3)


def test_a_settings_counts_are_those_of_scoring_its_graph(tiny_models, nlp, tmp_path):
    from kg.evaluate import score
    from kg.extract.run import extract
    from kg.extract.train import SettingScorer, _keep, _read_set
    from kg.model import BuildResult, Fact
    from kg.rdf import to_rdf

    out, _ = tiny_models
    tuning = tmp_path / "tuning"
    shutil.copytree(out, tuning)
    clf = LinearClassifier.load(tuning / RELATIONS_FILE)  # every candidate scored 0.05 or more is kept
    clf.meta.update({"threshold": {"hybrid": 0.05, "trained": 0.05}, "veto": 0.0, "rule_precision": 0.0})
    clf.save(tuning / RELATIONS_FILE)
    passages = shutil.copytree(TINY / "train", tmp_path / "train")  # write_gold writes into the folder
    docs, gold = _read_set(passages, corpus.write_gold(passages))
    ents, facts = extract(docs, nlp=nlp, extractor="hybrid", models=tuning)
    scorer = SettingScorer(docs, gold, ents, facts)
    seen = set()
    for mode, thresholds, veto in [("trained", {"*": 0.2}, 0.0), ("trained", {"*": 0.6, "produces": 0.1}, 0.0),
                                   ("hybrid", {"*": 0.9}, 0.1), ("hybrid", {"*": 1.01}, 0.0)]:
        def keep(e, f, mode=mode, thresholds=thresholds, veto=veto):
            return _keep(e, mode, thresholds, f.predicate, veto)
        kept = [Fact(f.subject, f.predicate, f.object, ev) for f in facts
                for ev in [tuple(e for e in f.evidence if keep(e, f))] if ev]
        exact = score(to_rdf(BuildResult(docs, ents, kept)), gold)
        fast = scorer.score(keep)
        assert (fast.correct, fast.predicted, fast.gold) == (exact.correct, exact.predicted, exact.gold)
        seen.add((exact.correct, exact.predicted))
    assert len(seen) > 1  # the settings differ in what they keep


def test_folds_fixed_by_subject_and_the_same_on_every_run():
    from kg.extract.train import fold_of

    items = [(f"{k}.txt", {"title": t}) for k, t in enumerate(
        ["Escondida", "Escondida mine", "Mining in Zambia", "Zambia copper", "Grasberg", "Kamoa-Kakula"])]
    a, b = fold_of(items, 3), fold_of(list(reversed(items)), 3)
    assert a == b and a["0.txt"] == a["1.txt"] and len(set(a.values())) > 1


@pytest.mark.parametrize("k", ["1", "-2"])
def test_cli_train_refuses_fewer_than_two_folds(tmp_path, capsys, k):
    assert main(["train", str(TINY), "-o", str(tmp_path / "m"), "--folds", k]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--folds" in err[0] and "2 folds or more" in err[0]


def test_cli_train_refuses_a_folder_without_a_corpus(tmp_path, capsys):
    assert main(["train", str(tmp_path), "-o", str(tmp_path / "m")]) == 2
    assert "not an annotated corpus" in capsys.readouterr().err


def test_thresholds_can_be_set_per_property():
    ctx, doc, onto = _blank_ctx("Peru produces copper", [(0, 1, "Country"), (2, 3, "Mineral")])
    clf = LinearClassifier(["novote"], ["produces"], np.array([[0.0]]), np.array([0.0]))  # p = 0.5 everywhere
    for thresholds, expected in (({"*": 0.9}, []), ({"*": 0.9, "produces": 0.3}, [("Peru", "produces", "copper")])):
        clf.meta = {"threshold": {"trained": thresholds}}
        kept, _ = Decider(onto, ctx.triggers, clf, "trained").decide(ctx, doc[:], [], [])
        assert [(c.subject.text, c.predicate, c.object.text) for c in kept] == expected



def test_the_hybrid_search_keeps_the_floor_when_no_single_threshold_does():
    from kg.extract.train import search_hybrid, setting_rank

    def run(t, veto):  # the classifier's facts cost the second set unless it asserts nothing
        asserting = [k for k, v in t.items() if k != "implicit" and v <= 1.0]
        second = 0.86 if not asserting else 0.80
        return [(0.7, 0.3, 0.40 + 0.01 * len(asserting) - veto), (0.9, 0.8, second)]

    singles = [(run({"*": t}, v), {"*": t}, v) for t in (0.3, 0.6, 0.9) for v in (0.0, 0.1)]
    assert not any(setting_rank(r)[0] for r, _, _ in singles)
    thresholds, veto, result = search_hybrid(run, setting_rank, singles)
    assert result[1][2] >= 0.85 and veto == 0.0
    assert all(v > 1.0 for k, v in thresholds.items() if k != "implicit")  # the rules alone


def test_the_hybrid_search_takes_the_best_start_that_keeps_the_floor():
    from kg.extract.train import search_hybrid, setting_rank

    def run(t, veto):  # one property raised repairs the low threshold, which scores higher
        low = t.get("*") == 0.3
        second = 0.86 if not low or t.get("usedIn") == 0.9 else 0.82
        return [(0.6, 0.4, 0.55 if low else 0.50), (0.9, 0.8, second)]

    singles = [(run({"*": t}, 0.0), {"*": t}, 0.0) for t in (0.3, 0.8)]
    thresholds, _, result = search_hybrid(run, setting_rank, singles)
    assert thresholds["*"] == 0.3 and thresholds["usedIn"] == 0.9 and result[0][2] == 0.55
    # the one-start search from the best single threshold that keeps the floor stays there
    from kg.extract.train import refine_thresholds
    alone, r = refine_thresholds(lambda t: run(t, 0.0), setting_rank, {"*": 0.8}, run({"*": 0.8}, 0.0))
    assert r[0][2] == 0.50


def test_pairs_of_the_implicit_subject_have_a_bar_of_their_own(monkeypatch):
    """A pair of the page's subject with a sentence that does not name it is kept only at or
    above the threshold chosen for such pairs (and its property's); its rule says so."""
    from dataclasses import replace

    from kg.extract import decide
    from kg.extract.candidates import IMPLICIT, PairCandidate, _tokens
    from kg.extract.train import _keep

    ctx, doc, onto = _blank_ctx("Peru produces copper", [(0, 1, "Country"), (2, 3, "Mineral")])
    s, o = ctx.mention(doc.ents[0]), ctx.mention(doc.ents[1])
    clf = LinearClassifier(["novote"], ["produces"], np.array([[0.0]]), np.array([0.0]))  # p = 0.5 everywhere
    for subject, bar, expected in ((s, 0.9, ["classifier"]), (replace(s, via=IMPLICIT), 0.9, []),
                                   (replace(s, via=IMPLICIT), 0.4, ["classifier:implicit"])):
        pair = PairCandidate(subject, o, _tokens(doc, subject), _tokens(doc, o))
        monkeypatch.setattr(decide, "pair_candidates", lambda *a, pair=pair: [pair])
        clf.meta = {"threshold": {"trained": {"*": 0.3, IMPLICIT: bar}}}
        kept, _ = Decider(onto, ctx.triggers, clf, "trained").decide(ctx, doc[:], [], [])
        assert [c.rule for c in kept] == expected
        # the tuning in kg train keeps the same evidence
        for c in kept:
            assert _keep(c, "trained", {"*": 0.3, IMPLICIT: bar}, "produces", 0.0)
            assert not _keep(c, "trained", {"*": 0.3, IMPLICIT: 0.6}, "produces", 0.0) or c.rule == "classifier"

def test_a_rule_fact_the_classifier_cannot_judge_keeps_the_rules_measured_precision():
    ctx, doc, onto = _blank_ctx("Peru produces copper", [(0, 1, "Country"), (2, 3, "Mineral")])
    s, o = ctx.mention(doc.ents[0]), ctx.mention(doc.ents[1])
    rule = RawCandidate(s, "produces", o, "verb:produce", 0.8, "asserted")
    clf = LinearClassifier(["vote:produces"], ["produces"], np.array([[0.0]]), np.array([-9.0]),
                           meta={"threshold": {"hybrid": 0.5}, "veto": 0.0, "rule_precision": 0.6})
    kept, _ = Decider(onto, ctx.triggers, clf, "hybrid").decide(ctx, doc[:], [rule], [])
    assert [c.confidence for c in kept] == [0.48]  # 0.8 x 0.6, not the classifier's 0.0001


def test_calibrated_weights_give_each_reading_its_measured_probability_and_decide_nothing():
    """With a calibration in the weights, a reading's confidence is the calibration's, not the
    classifier's score; what is kept is still decided by the score against the thresholds."""
    ctx, doc, onto = _blank_ctx("Peru produces copper", [(0, 1, "Country"), (2, 3, "Mineral")])
    s, o = ctx.mention(doc.ents[0]), ctx.mention(doc.ents[1])
    rule = RawCandidate(s, "produces", o, "verb:produce", 0.8, "asserted")
    cal = {"bias": -1.0, "kind:rule": 3.0, "property:produces": 0.5}  # a rule's reading 0.92, the classifier's 0.38
    for weight in (0.0, 18.0):  # the rule's pair scored 0.0001 or 0.9999
        clf = LinearClassifier(["vote:produces"], ["produces"], np.array([[weight]]), np.array([-9.0]),
                               meta={"threshold": {"hybrid": 0.5}, "veto": 0.0, "rule_precision": 0.6,
                                     "calibration": cal})
        kept, _ = Decider(onto, ctx.triggers, clf, "hybrid").decide(ctx, doc[:], [rule], [])
        assert [(c.rule, c.confidence) for c in kept] == [("verb:produce", 0.924)]  # whatever the score
    # the classifier alone: kept at its score 0.99 >= 0.5, with the calibration's 0.378
    clf = LinearClassifier(["cls:Country>Mineral"], ["produces"], np.array([[10.0]]), np.array([-5.0]),
                           meta={"threshold": {"trained": 0.5}, "calibration": cal})
    kept, _ = Decider(onto, ctx.triggers, clf, "trained").decide(ctx, doc[:], [], [])
    assert [(c.rule, c.confidence) for c in kept] == [("classifier", 0.378)]
    # each extractor reads its own map when the weights have one per extractor
    clf.meta["calibration"] = {"hybrid": {"bias": -5.0}, "trained": cal}
    kept, _ = Decider(onto, ctx.triggers, clf, "trained").decide(ctx, doc[:], [], [])
    assert [(c.rule, c.confidence) for c in kept] == [("classifier", 0.378)]
    # and not kept at a score under the threshold, however high the calibration would put it
    clf.weights[:] = 0.0
    clf.meta["calibration"] = {"bias": 5.0}
    assert Decider(onto, ctx.triggers, clf, "trained").decide(ctx, doc[:], [], [])[0] == []


def test_which_reading_of_a_fact_a_sentence_keeps_does_not_depend_on_the_calibration():
    """Two readings of one fact in one sentence: the one with the higher uncalibrated confidence
    is kept (here the asserted one), whatever the calibration made of their confidences."""
    from types import SimpleNamespace

    from kg.extract.mentions import candidate_rank
    from kg.extract.run import choose_evidence
    from kg.model import Document

    peru, copper = Mention("Peru", "Country", 0, 4), Mention("copper", "Mineral", 14, 20)
    asserted = RawCandidate(peru, "produces", copper, "verb:produce", 0.30, "asserted", 0.9)
    hedged = RawCandidate(peru, "produces", copper, "adj:rich in", 0.95, "hedged", 0.5)
    assert candidate_rank(asserted) > candidate_rank(hedged)
    assert candidate_rank(RawCandidate(peru, "produces", copper, "adj:rich in", 0.95, "hedged")) > candidate_rank(asserted)
    doc = Document(id="d", name="d", text="Peru produces copper.")
    resolver = SimpleNamespace(key=lambda doc_id, m: m.key)
    for raw in ([asserted, hedged], [hedged, asserted]):
        (ev,) = choose_evidence([(doc, c, 0, 21) for c in raw], resolver, load_ontology()).values()
        assert (ev.rule, ev.modality, ev.confidence) == ("verb:produce", "asserted", 0.30)


def test_the_calibration_learns_how_often_each_kind_of_reading_is_right():
    """Rules the classifier scores low but that are right 9 times in 10, classifier readings
    scored 0.9 that are right 6 times in 10: the calibrated confidences say so."""
    from kg.evaluate import calibration_error
    from kg.extract.calibration import Calibration

    rule = [[(0.2, "verb:produce", "produces", f"d{i}")] for i in range(50)]
    clf = [[(0.9, "classifier", "produces", f"d{i}")] for i in range(50)]
    labels = [i % 10 != 0 for i in range(50)] + [i % 10 < 6 for i in range(50)]
    cal = Calibration.fit(rule + clf, labels)
    assert cal(0.2, "verb:produce", "produces") == pytest.approx(0.9, abs=0.03)
    assert cal(0.9, "classifier", "produces") == pytest.approx(0.6, abs=0.03)
    raw = [0.2] * 50 + [0.9] * 50
    fitted = [cal(0.2, "verb:produce", "produces")] * 50 + [cal(0.9, "classifier", "produces")] * 50
    assert calibration_error(fitted, labels) < 0.03 < 0.4 < calibration_error(raw, labels)  # 0.5
    assert Calibration.fit(rule, [True] * 50) is None  # nothing to learn from


def test_the_calibration_is_fitted_for_the_noisy_or_of_a_facts_evidence():
    """Facts read twice (in two documents) at a score of 0.5 are right 3 times in 4, facts read
    once half the time: one map for both makes the noisy-or, the fact's confidence, right."""
    from kg.extract.calibration import Calibration
    from kg.model import Evidence, Fact

    once = [[(0.5, "classifier", "produces", "d1")]] * 40
    twice = [[(0.5, "classifier", "produces", "d1"), (0.5, "classifier", "produces", "d2")]] * 40
    labels = [i % 2 == 0 for i in range(40)] + [i % 4 != 0 for i in range(40)]
    cal = Calibration.fit(once + twice, labels, l2=0.0)
    q = cal(0.5, "classifier", "produces")

    def confidence(readings):
        return Fact("a", "produces", "b", tuple(Evidence(d, "s", 0, 1, r, q) for _, r, _, d in readings)).confidence
    # one probability cannot give both 0.5 and 0.75: the likelihood's optimum lies between, with
    # the mean confidence over all facts near the share right (0.625); a map fitted to single
    # readings (0.625 each) would give the facts read twice 0.86
    assert 0.5 < confidence(twice[0]) and confidence(once[0]) < 0.75
    mean = (40 * confidence(once[0]) + 40 * confidence(twice[0])) / 80
    assert mean == pytest.approx(0.625, abs=0.01)


def test_a_documents_second_reading_counts_at_half_strength_in_the_fit():
    """Facts read twice in one document and right 3 times in 4: the fitted reading makes their
    noisy-or, with the second reading at half strength as Fact.confidence has it, 0.75
    (1 - (1 - q)(1 - q/2) = 0.75 at q = 0.634; at full strength q would be 0.5)."""
    from kg.extract.calibration import Calibration
    from kg.model import Evidence, Fact

    twice = [[(0.5, "classifier", "produces", "d1"), (0.5, "classifier", "produces", "d1")]] * 40
    cal = Calibration.fit(twice, [i % 4 != 0 for i in range(40)], l2=0.0)
    q = cal(0.5, "classifier", "produces")
    assert q == pytest.approx(0.634, abs=0.01)
    fact = Fact("a", "produces", "b", (Evidence("d1", "s", 0, 1, "classifier", q), Evidence("d1", "t", 2, 3, "classifier", q)))
    assert fact.confidence == pytest.approx(0.75, abs=0.01)


def test_kg_train_calibrates_on_the_tuning_builds_and_scores_it_out_of_fold():
    """calibrate() fits on the facts the chosen setting keeps, and with several builds (folds)
    scores each build's facts with a calibration fitted on the others."""
    from types import SimpleNamespace

    from kg.extract.train import calibrate
    from kg.model import Evidence, Fact

    def scorer(n):  # n facts: rule readings right, classifier readings right 1 time in 3
        facts, names, gold = [], [], set()
        for i in range(n):
            rule = "verb:produce" if i % 2 else "classifier"
            ev = (Evidence(f"d{i}", "s", 0, 1, rule, 0.5), Evidence(f"d{i}", "t", 2, 3, "classifier", 0.1, "negated"))
            facts.append(Fact(f"s{i}", "produces", "o", ev))
            names.append({(f"s{i}", "produces", "o")})
            if rule != "classifier" or i % 3 == 0:
                gold.add((f"s{i}", "produces", "o"))
        return SimpleNamespace(facts=facts, names=names, gold=gold)

    seen = []

    def keep(e, f):
        seen.append(e.modality)
        return True
    cal, error, n = calibrate([scorer(60), scorer(60)], keep)
    assert n == 120
    assert "negated" not in seen  # only asserted evidence counts
    assert cal(0.5, "verb:produce", "produces") > 0.9 and cal(0.5, "classifier", "produces") < 0.5
    assert 0 <= error < 0.1
    # two builds that disagree (in the second, the rules are wrong and the classifier right):
    # each scored by a fit on the other, the error is large; in sample, small
    right, wrong = scorer(60), scorer(60)
    wrong.gold = {n for f, named in zip(wrong.facts, wrong.names) if f.evidence[0].rule == "classifier" for n in named}
    assert calibrate([right, wrong], keep)[1] > 0.5 > 0.2 > calibrate([right], keep)[1]


def test_tuning_builds_carry_the_classifiers_scores_not_calibrated_ones(tmp_path, nlp):
    from kg.extract.train import _tuning_reads
    from kg.model import Document

    clf = LinearClassifier(["cls:Country>Mineral"], ["produces"], np.array([[0.0]]), np.array([0.0]),
                           meta={"calibration": {"bias": 4.0}})
    docs = [Document(id="d", name="d", text="Peru produces copper.")]
    (_, _, _, facts), = _tuning_reads(clf, [(docs, None)], nlp, load_ontology(), tmp_path)
    assert facts and all(e.confidence == 0.5 for f in facts for e in f.evidence)  # the score, not 0.98
    assert "calibration" not in LinearClassifier.load(tmp_path / RELATIONS_FILE).meta


# ---------------------------------------------------------------- the document's subject
@pytest.mark.parametrize("text, title, cls", [
    ("Zorvath copper mine is an open-pit copper mine in the south of Peru. It produces molybdenum.", "Zorvath", "Mine"),
    ("Kelmaro Inc. was an American mining corporation based in Denver. Kelmaro owned two mines.", "Kelmaro", "Company"),
    ("Valdora, a mining company that operates two mines in Chile, sold its stake.", "Valdora", "Company"),
    ("The Quenta Railway is a railway in East Africa linking two ports.", "Quenta Railway", "Facility"),
])
def test_a_definition_types_the_documents_subject(nlp, text, title, cls):
    from kg.extract.mentions import define_subject, document_subject
    from kg.ontology import load_ontology

    doc = nlp(text)
    subject = define_subject(doc, document_subject(doc, title), load_ontology())
    assert subject.label_ == cls
    # every mention of the name gets the class, not only the defined one
    assert all(e.label_ == cls for e in doc.ents if e.text == subject.text)


def test_a_definition_of_a_longer_name_does_not_retype_a_place_inside_it(nlp):
    from kg.extract.mentions import define_subject, document_subject
    from kg.ontology import load_ontology

    doc = nlp("Tenke Fungurume Mining SA is one of the largest copper producers in Congo. The town of Fungurume grew.")
    ents = {e.text: e.label_ for e in doc.ents}
    subject = document_subject(doc, "Fungurume town")
    if subject is not None:
        define_subject(doc, subject, load_ontology())
    assert {e.text: e.label_ for e in doc.ents}.get("Fungurume") == ents.get("Fungurume")


@pytest.mark.parametrize("text, title, name, cls", [
    # the title names more than the entity it contains ("Lithium" is a mineral of the lexicon)
    ("The Lithium Triangle (Spanish: Triángulo del Litio) is a region of the Andes that is rich in lithium.",
     "Lithium Triangle", "Lithium Triangle", "Region"),
    # the title's words in another order: the first sentence defines the name
    ("Cobre Panamá is an open-pit copper mine in Panama, west of Panama City.", "Cobre mine, Panama",
     "Cobre Panamá", "Mine"),
])
def test_the_subject_is_the_name_the_first_sentence_writes_out(nlp, text, title, name, cls):
    from kg.extract.mentions import define_subject, document_subject
    from kg.ontology import load_ontology

    onto = load_ontology()
    doc = nlp(text)
    subject = define_subject(doc, document_subject(doc, title, onto), onto)
    assert (subject.text, subject.label_) == (name, cls)
    assert (name, cls) in {(e.text, e.label_) for e in doc.ents}


@pytest.mark.parametrize("text, title", [
    ("Peru and Japan sign a partnership on critical minerals in Lima this week to secure copper supplies.",
     "Peru and Japan sign a partnership on critical minerals in Lima this week"),  # a headline
    ("Las Bambas copper mine is an open-pit mine in Peru.", "Las Bambas copper mine"),  # a name and a description
])
def test_a_headline_or_a_description_is_not_made_a_name(nlp, text, title):
    from kg.extract.mentions import document_subject
    from kg.ontology import load_ontology

    doc = nlp(text)
    before = [(e.text, e.label_) for e in doc.ents]
    subject = document_subject(doc, title, load_ontology())
    assert [(e.text, e.label_) for e in doc.ents] == before
    assert subject is None or subject.text in {t for t, _ in before}


@pytest.mark.parametrize("text, name", [
    ("The mine lies in the district of Donoso, in the western part of the province of Colón.", "Colón"),
    ("The railway connects the port to the town of Kindu and the city of Tenke.", "Kindu"),
])
def test_the_place_noun_before_of_types_the_name(nlp, text, name):
    ents = {e.text: e.label_ for e in nlp(text).ents}
    assert ents.get(name) == "Region"


def test_of_after_a_noun_that_is_no_place_leaves_the_name_alone(nlp):
    ents = {e.text: e.label_ for e in nlp("The report of Michael Lodge was read by the ministers.").ents}
    assert ents.get("Michael Lodge") == "Person"


def test_a_unit_after_a_number_is_no_name(nlp):
    doc = nlp("The project is powered by a 300 MW coal plant. In 2019 BHP sold the mine.")
    assert [e.text for e in doc.ents if e.text in ("MW", "BHP")] == ["BHP"]


def test_a_sentence_listing_names_is_not_a_headline(nlp):
    doc = nlp("The largest mines in the country include Porgera Gold Mine, Lihir Gold Mine, Hidden Valley Gold Mine, "
              "Simberi Gold Mine and Ramu Nickel Mine.")
    ents = {e.text: e.label_ for e in doc.ents}
    assert all(ents.get(f"{n} Mine") == "Mine" for n in ("Lihir Gold", "Simberi Gold", "Ramu Nickel"))


@pytest.mark.parametrize("text, name, cls", [
    ("Power comes from the Manapouri Power Station in the south.", "Manapouri Power Station", "Facility"),
    ("The mine lies in the Northwest Arctic Borough of Alaska.", "Northwest Arctic Borough", "Region"),
])
def test_the_ontologys_head_words_type_places_and_sites(nlp, text, name, cls):
    assert {e.text: e.label_ for e in nlp(text).ents}.get(name) == cls


def test_gold_names_of_one_form_are_one_entity():
    from kg import corpus

    recs = [
        {"doc": "a", "entities": {"Zijin Mining": [], "gold": []}, "triples": [["Zijin Mining", "produces", "gold"]]},
        {"doc": "b", "entities": {"Zijin Mining Group Co.": []}, "triples": []},
        {"doc": "c", "entities": {"Zijin Mining Group Co.": []}, "triples": []},
        # one passage naming both keeps them apart
        {"doc": "d", "entities": {"Mount Isa Mines Limited": [], "Mount Isa mines": []}, "triples": []},
    ]
    out = corpus.unify_names(recs)
    assert out[0]["triples"] == [["Zijin Mining Group Co.", "produces", "gold"]]
    assert set(out[3]["entities"]) == {"Mount Isa Mines Limited", "Mount Isa mines"}


def test_a_sentence_that_does_not_name_the_subject_pairs_it_implicitly(nlp):
    from kg.extract.candidates import pair_candidates
    from kg.extract.features import pair_features
    from kg.extract.rules.base import TriggerIndex
    from kg.extract.run import read_sentences
    from kg.model import Document
    from kg.ontology import load_ontology

    onto = load_ontology()
    triggers = TriggerIndex.from_ontology(onto)
    text = ("Zorvath mine is an open-pit copper mine in Peru. Molybdenum and silver are recovered as by-products. "
            "Zorvath mine ships its concentrate to Chile.")
    docs = [Document.from_text(text, "zorvath.txt", title="Zorvath mine")]
    pairs = {}
    for _, _, ctx, sent, kept, rejected in read_sentences(docs, nlp, onto, triggers):
        for pair in pair_candidates(ctx, sent, kept, rejected):
            pairs[(pair.subject.text, pair.object.text, sent.start)] = (pair, pair_features(ctx.doc, sent, pair, triggers))
    implicit = {(s, o) for (s, o, _), (p, f) in pairs.items() if "svia:implicit" in f}
    assert ("Zorvath mine", "silver") in implicit and ("Zorvath mine", "Molybdenum") in implicit
    # a sentence that names the subject pairs the name itself, and says which side it is
    named = [(p, f) for (s, o, _), (p, f) in pairs.items() if (s, o) == ("Zorvath mine", "Chile")]
    assert named and all(p.about == "s" and "svia:implicit" not in f for p, f in named)
    assert not any(s == "Zorvath mine" and o == "Chile" for s, o in implicit)
