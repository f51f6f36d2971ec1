"""Facts stated by a list under an introducing sentence that ends in a colon (kg.extract.rules.lists)."""
from __future__ import annotations

import spacy

from kg.extract import extract
from kg.extract.candidates import pair_candidates
from kg.extract.features import pair_features
from kg.extract.rules import TriggerIndex
from kg.extract.run import read_sentences
from kg.model import Document
from kg.ontology import load_ontology

ITC = ("The International Tin Council (ITC) was an organisation which acted on behalf of tin producers.\n\n"
       "The objectives were:\n"
       "- Ensure adequate supplies of tin to Japan and Canada at reasonable prices at all times.\n"
       "- Provide a framework for the development of measures to promote the production of tin.\n\n"
       "The original consumer members were:\n"
       "- Australia\n"
       "- Belgium\n"
       "- Federal Republic of Germany\n"
       "- United Kingdom\n\n"
       "See also\n"
       "- Japan\n"
       "- Canada\n")


def facts(nlp, text, **kw):
    ents, found = extract([Document.from_text(text, "page.txt", title=kw.pop("title", None))], nlp=nlp, **kw)
    return ents, found


def labels(ents, found):
    return {(ents[f.subject].label, f.predicate, ents[f.object].label) for f in found}


def test_items_under_an_introducing_sentence_are_members_of_the_page_subject(nlp):
    ents, found = facts(nlp, ITC, title="International Tin Council")
    got = labels(ents, found)
    members = {s for s, p, o in got if p == "memberOf" and o == "International Tin Council"}
    assert members == {"Australia", "Belgium", "Germany", "United Kingdom"}
    # the objectives (sentences, not names) and "See also" (no colon, no trigger) give nothing
    assert not {(s, p, o) for s, p, o in got if "Japan" in (s, o) or "Canada" in (s, o)}


def test_a_list_fact_cites_the_introducing_line_and_the_item_with_true_offsets(nlp):
    ents, found = facts(nlp, ITC, title="International Tin Council")
    fact = next(f for f in found if ents[f.subject].label == "Belgium")
    ev = fact.evidence[0]
    assert ev.rule.startswith("list:members")
    assert ev.sentence == "The original consumer members were:\n- Australia\n- Belgium"
    assert ITC[ev.start:ev.end] == ev.sentence


def test_explain_shows_the_introduction_with_the_item(nlp):
    traces = []
    facts(nlp, ITC, title="International Tin Council", explain=traces)
    trace = next(t for t in traces if any(c.subject == "Australia" for c in t.candidates))
    assert trace.sentence == "The original consumer members were:\n- Australia"
    assert any(c.rule.startswith("list:members") and c.kept for c in trace.candidates)


def test_the_introducing_sentence_names_the_organisation(nlp):
    text = ("Peru signed an agreement with Japan in 2023.\n\n"
            "The members of the Minerals Security Partnership are:\n- Canada\n- Australia\n")
    got = labels(*facts(nlp, text))
    assert ("Canada", "memberOf", "Minerals Security Partnership") in got
    assert ("Australia", "memberOf", "Minerals Security Partnership") in got
    # named in the introduction but not attached to "members": its one organisation
    text = "Peru signed a deal in 2023.\n\nIn 2012 the Pacific Alliance, a trade bloc, had these members:\n- Chile\n"
    assert ("Chile", "memberOf", "Pacific Alliance") in labels(*facts(nlp, text))


def test_names_after_a_colon_in_the_sentence(nlp):
    text = "The International Tin Council was set up in 1956. The members include: Australia, Brazil and Canada."
    got = labels(*facts(nlp, text, title="International Tin Council"))
    assert {s for s, p, o in got if p == "memberOf"} == {"Australia", "Brazil", "Canada"}


def test_only_lists_of_names_under_a_trigger_give_facts(nlp):
    text = ("The International Tin Council was set up in 1956.\n\nContents:\n- Australia\n- Brazil\n\n"
            "Its aims were:\n- Japan and Canada would stabilise the price of tin by buying it at low prices.\n\n"
            "Its members were:\n- Peru\n- Japan and Canada signed the agreement in 1956.\n")
    got = labels(*facts(nlp, text, title="International Tin Council"))
    assert {(s, p, o) for s, p, o in got if p == "memberOf"} == {("Peru", "memberOf", "International Tin Council")}
    assert not {f for f in got if {"Australia", "Brazil"} & {f[0], f[2]}}  # a table of contents


def test_list_items_are_candidate_pairs_with_list_features(nlp):
    onto = load_ontology()
    triggers = TriggerIndex.from_ontology(onto)
    pairs = {}
    docs = [Document.from_text(ITC, "page.txt", title="International Tin Council")]
    for _, _, ctx, sent, kept, rejected in read_sentences(docs, nlp, onto, triggers):
        for pair in pair_candidates(ctx, sent, kept, rejected):
            pairs[(pair.subject.text, pair.object.text)] = pair_features(ctx.doc, sent, pair, triggers)
    feats = pairs[("Belgium", "International Tin Council")]
    assert {"list", "list:s", "listtrig:memberOf:n:s", "vote:memberOf"} <= feats
    assert "listtrig:memberOf:n:o" in pairs[("International Tin Council", "Belgium")]
    # "See also" is no list of the page's (the page's subject is still an implicit candidate)
    assert "list" not in pairs.get(("Japan", "International Tin Council"), set())


def test_list_intro_of_nested_and_unintroduced_lists():
    from kg.extract.rules.lists import list_intro

    nlp = spacy.blank("en")
    nlp.add_pipe("kg_paragraphs")
    doc = nlp("Members:\n- Producers:\n  - Peru\n  - Chile\n- Japan\n\nSee also\n- Brazil\n1. Intro.\n2. Peru\n")
    intro = {s.text.strip(): (list_intro(s).text.strip() if list_intro(s) is not None else None) for s in doc.sents}
    assert intro["- Peru"] == "- Producers:"
    assert intro["- Chile"] == "- Producers:"
    assert intro["- Japan"] == "Members:"
    assert intro["- Brazil"] is None  # "See also" ends in no colon
    assert intro["2. Peru"] is None  # an item list with no introduction


def test_the_rdf_evidence_of_a_list_fact_is_a_span_of_the_text(nlp):
    from kg.api import build

    graph = build(texts=[ITC], nlp=nlp, extractor="rules").graph
    rows = list(graph.query("""
        PREFIX kgo: <https://w3id.org/kg-minerals/ontology#>
        SELECT ?sentence ?start ?end WHERE {
            ?ev a kgo:Evidence ; rdf:predicate kgo:memberOf ; kgo:rule ?rule ; kgo:sentence ?sentence ;
                kgo:startChar ?start ; kgo:endChar ?end .
            FILTER(STRSTARTS(?rule, "list:")) }"""))
    assert len(rows) == 4
    for sentence, start, end in rows:
        assert ITC[int(start):int(end)] == str(sentence)
        assert str(sentence).startswith("The original consumer members were:\n- Australia")


def test_a_participle_or_noun_on_the_list_head_gives_the_property(nlp):
    text = ("Cobalt is a hard metal used in batteries.\n\nProducing countries:\n- Zambia\n- Canada\n\n"
            "Consuming countries:\n- Japan\n\nThe leading exporting countries are:\n- Australia\n")
    got = labels(*facts(nlp, text, title="Cobalt"))
    assert {f for f in got if f[1] in ("produces", "exports")} == {
        ("Zambia", "produces", "cobalt"), ("Canada", "produces", "cobalt"), ("Australia", "exports", "cobalt")}


def test_the_generic_subject_of_a_verb_before_the_colon_is_the_list(nlp):
    text = ("The Future Minerals Forum was held in Riyadh in January.\n\n"
            "Delegations from the following countries attended: Morocco, Chile, the Philippines and Peru.")
    got = labels(*facts(nlp, text, title="Future Minerals Forum"))
    assert {s for s, p, o in got if p == "attends" and o == "Future Minerals Forum"} == {
        "Morocco", "Chile", "Philippines", "Peru"}


def test_a_token_starts_its_line_when_only_spaces_stand_before_it():
    from kg.extract.rules.lists import _before_on_line, _starts_line

    nlp = spacy.blank("en")
    doc = nlp("Intro:\n  - Australia and Peru\n\tBelgium \n\nIn the middle of a line. - Chile\n- Japan")
    for tok in doc:
        assert _starts_line(tok) == (not _before_on_line(tok).strip()), tok.text
    starts = [t.text for t in doc if _starts_line(t) and not t.is_space]
    assert starts == ["Intro", "-", "Belgium", "In", "-"]
