"""Word-vector features of the relation classifier (``kg train --trigger-similarity``): a word no
trigger list has ("digs") gets the properties of the ontology's trigger word nearest to it by the
pipeline's word vectors. The vectors here are set by hand; the measurement with en_core_web_md
is in the README."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import spacy
from spacy.tokens import Doc

from kg.cli import main
from kg.errors import ModelError
from kg.extract.candidates import PairCandidate
from kg.extract.classifier import LinearClassifier
from kg.extract.decide import RELATIONS_FILE, Decider
from kg.extract.features import TriggerVectors, pair_features
from kg.extract.mentions import DocContext, Mention
from kg.extract.rules import TriggerIndex
from kg.ontology import load_ontology

from .conftest import DATA

#: "mine" is a verb trigger of produces; "dig" and "excavate" are no trigger, "bake" is far from all
VECTORS = {"mine": [1.0, 0.0, 0.0], "dig": [0.95, 0.05, 0.0], "excavate": [0.9, 0.1, 0.0], "bake": [0.0, 0.0, 1.0]}


def _set_vectors(vocab) -> None:
    for word, vec in VECTORS.items():
        vocab.set_vector(word, np.array(vec, dtype="float32"))


def _parsed(vocab, verb: str, lemma: str) -> Doc:
    """ "Peru VERB copper", parsed and tagged by hand."""
    return Doc(vocab, words=["Peru", verb, "copper"], pos=["PROPN", "VERB", "NOUN"], lemmas=["Peru", lemma, "copper"],
               heads=[1, 1, 1], deps=["nsubj", "ROOT", "dobj"], ents=["B-Country", "O", "B-Mineral"],
               sent_starts=[True, False, False])


def _pair() -> PairCandidate:
    return PairCandidate(Mention("Peru", "Country", 0, 4), Mention("copper", "Mineral", 11, 17), (0, 1), (2, 3), ())


def test_an_unseen_verb_gets_the_property_of_the_nearest_trigger_word():
    triggers = TriggerIndex.from_ontology(load_ontology())
    nlp = spacy.blank("en")
    _set_vectors(nlp.vocab)
    vectors = TriggerVectors.from_vocab(nlp.vocab, triggers, 0.8)
    doc = _parsed(nlp.vocab, "digs", "dig")
    feats = pair_features(doc, doc[:], _pair(), triggers, vectors=vectors)
    assert {"trigsim:produces:v", "trigsimcls:produces:Country>Mineral"} <= feats
    assert not any(f.startswith("trigsim") for f in pair_features(doc, doc[:], _pair(), triggers))
    far = _parsed(nlp.vocab, "bakes", "bake")
    assert not any(f.startswith("trigsim") for f in pair_features(far, far[:], _pair(), triggers, vectors=vectors))
    # under the threshold: "excavate" is at cosine 0.99 of "mine", so a threshold above that keeps it out
    strict = TriggerVectors.from_vocab(nlp.vocab, triggers, 0.999)
    assert strict.nearest("excavate", "v") == () and vectors.nearest("excavate", "v") == ("produces",)


def test_a_pipeline_without_vectors_has_no_vector_features():
    triggers = TriggerIndex.from_ontology(load_ontology())
    assert TriggerVectors.from_vocab(spacy.blank("en").vocab, triggers, 0.6) is None


def test_weights_with_vector_features_use_them_and_refuse_a_pipeline_without_vectors():
    onto = load_ontology()
    triggers = TriggerIndex.from_ontology(onto)
    clf = LinearClassifier(["trigsimcls:produces:Country>Mineral"], ["produces"], np.array([[8.0]]), np.array([-4.0]),
                           meta={"threshold": {"trained": 0.5}, "trigger_similarity": 0.8})
    nlp = spacy.blank("en")
    _set_vectors(nlp.vocab)
    doc = _parsed(nlp.vocab, "digs", "dig")
    kept, _ = Decider(onto, triggers, clf, "trained").decide(DocContext(doc, onto, triggers), doc[:], [], [])
    assert [(c.subject.text, c.predicate, c.object.text) for c in kept] == [("Peru", "produces", "copper")]
    plain = _parsed(spacy.blank("en").vocab, "digs", "dig")
    with pytest.raises(ModelError, match="word vectors"):
        Decider(onto, triggers, clf, "trained").decide(DocContext(plain, onto, triggers), plain[:], [], [])


def test_cli_train_with_trigger_similarity_needs_a_pipeline_with_vectors(tmp_path, capsys):
    assert main(["train", str(DATA / "tiny-corpus"), "-o", str(tmp_path / "m"), "--trigger-similarity", "0.6",
                 "--no-tune", "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "word vectors" in err[0] and "--model" in err[0]
    assert not (tmp_path / "m").exists()


def test_training_with_vector_features_generalises_to_an_unseen_verb(tmp_path, nlp):
    """Trained on "X digs Y" (no trigger word), the classifier reads "Niger excavates uranium"
    through the vectors, which put both verbs next to the trigger "mine"."""
    from kg.api import build
    from kg.extract.train import train
    from kg.pipeline import load_pipeline

    corpus = tmp_path / "corpus"
    shutil.copytree(DATA / "tiny-corpus", corpus)
    for f in (corpus / "train" / "texts").glob("*.txt"):
        f.write_text(f.read_text(encoding="utf-8").replace(" mines ", " digs "), encoding="utf-8")
    with_vectors = load_pipeline.__wrapped__()  # a pipeline of its own: the shared one stays without vectors
    _set_vectors(with_vectors.vocab)
    text = ["Niger excavates uranium."]

    def confidence(similarity: float | None) -> float:
        out = tmp_path / f"m-{similarity}"
        train(corpus, out, redocred=tmp_path / "none", nlp=with_vectors, tune_on_dev=False, train_typer=False,
              trigger_similarity=similarity, log=lambda s: None)
        g = build(texts=text, nlp=with_vectors, extractor="trained", models=out)
        return max((f.confidence for f in g.result.facts if (f.subject, f.predicate, f.object)
                    == ("niger", "produces", "uranium")), default=0.0)

    plain, with_vector_features = confidence(None), confidence(0.8)
    assert with_vector_features > plain + 0.03  # the unseen verb now reads more like "mine" (0.66 vs 0.60)
    clf = LinearClassifier.load(tmp_path / "m-0.8" / RELATIONS_FILE)
    assert clf.meta["trigger_similarity"] == 0.8
    assert clf.weights[clf.features.index("trigsim:produces:v"), clf.labels.index("produces")] > 0
    with pytest.raises(ModelError, match="word vectors"):
        build(texts=text, nlp=nlp, extractor="trained", models=tmp_path / "m-0.8")
