"""Entity resolution: one entity per thing, whatever the surface form."""
from __future__ import annotations

from kg.extract import extract
from kg.model import Document


def entities_of(nlp, *texts):
    ents, facts = extract([Document.from_text(t) for t in texts], nlp=nlp)
    return ents, facts


def test_accents_and_punctuation_make_one_entity(nlp):
    ents, facts = entities_of(nlp, "Gécamines operates the Kamoto mine.", "Gecamines operates the Kamoto mine.")
    subjects = {f.subject for f in facts if f.predicate == "operates"}
    assert len(subjects) == 1
    (key,) = subjects
    assert {ents[key].label, *ents[key].aliases} >= {"Gécamines", "Gecamines"}


def test_lexicon_gives_canonical_name_aliases_and_wikidata(nlp):
    ents, facts = entities_of(nlp, "Japanese firms buy copper from Peru.")
    japan = next(e for e in ents.values() if e.label == "Japan")
    assert japan.cls == "Country" and japan.wikidata == "Q17" and "Japanese" in japan.aliases


def test_acronym_merges_with_long_form(nlp):
    text = ("The Minerals Security Partnership (MSP) was launched in 2022. "
            "Estonia joined the MSP in 2024. Norway joined the Minerals Security Partnership too.")
    ents, facts = entities_of(nlp, text)
    orgs = {f.object for f in facts if f.predicate == "memberOf"}
    assert len(orgs) == 1
    assert {ents[f.subject].label for f in facts if f.predicate == "memberOf"} == {"Estonia", "Norway"}


def test_surname_merges_with_full_name(nlp):
    ents, facts = entities_of(nlp, "Prime Minister Shigeru Ishiba visited Peru. Ishiba later travelled to Chile.")
    visitors = {ents[f.subject].label for f in facts if f.predicate == "visits"}
    assert visitors == {"Shigeru Ishiba"}


def test_same_entity_across_documents(nlp):
    ents, facts = entities_of(nlp, "Chile produces copper.", "Chile exports lithium.")
    assert len({f.subject for f in facts}) == 1


def test_long_document_pieces_share_acronyms(nlp, monkeypatch):
    """A text longer than one parsing piece keeps what it defined earlier (here: an acronym)."""
    import kg.extract.run

    monkeypatch.setattr(kg.extract.run, "CHUNK_CHARS", 200)
    filler = "Prices moved little during the week. " * 8
    text = ("The Kestrel Lithium Holdings (KLH) group was founded in 2001.\n\n" + filler + "\n\n"
            + "KLH operates the Silver Lake mine.")
    ents, facts = kg.extract.extract([Document.from_text(text)], nlp=nlp)
    assert [(ents[f.subject].label, f.predicate, ents[f.object].label) for f in facts] == [
        ("Kestrel Lithium Holdings", "operates", "Silver Lake mine")]


def test_capital_stands_for_its_country_only_where_a_place_cannot(nlp):
    ents, facts = entities_of(nlp, "Washington and Tokyo signed a critical minerals agreement. "
                                   "The minister later arrived in Tokyo.")
    triples = {(ents[f.subject].label, f.predicate, ents[f.object].label) for f in facts}
    assert ("Japan", "partnersWith", "United States") in triples
    assert not any(p == "visits" and o != "Tokyo" for _, p, o in triples)


def test_short_organisation_name_is_the_full_one(nlp):
    ents, facts = entities_of(nlp, "Sumitomo Metal Mining owns the Taganito plant. Sumitomo also refines nickel.")
    refiners = {ents[f.subject].label for f in facts if f.predicate == "processes"}
    assert refiners == {"Sumitomo Metal Mining"}


def test_a_hyphenated_one_word_organisation_is_not_its_own_long_form():
    """ "Kamoa-Kakula" is three tokens and one word: it must not be read as the short form of itself."""
    from kg.extract.mentions import Mention
    from kg.ontology import load_ontology
    from kg.resolve import Resolver

    r = Resolver(load_ontology())
    r.orgs["d"].append("Kamoa-Kakula")
    assert r.key("d", Mention("Kamoa-Kakula", "Company", 0, 12)) == "kamoa-kakula"


_NAME_PIECES = ["Kamoa", "Kakula", "-", "–", ".", ",", "'", "&", "(", ")", " ", "  ", "Co", "Ltd", "SA", "of",
                "the", "Mining", "Corp.", "X", "1", "é", "/", ":", "Group", "Inc", "—", "\u00a0"]


def test_resolution_ends_on_any_name():
    """Resolving a name made of any tokens and punctuation ends (a 'Kamoa-Kakula' once recursed forever),
    whatever other organisation names the document holds and whatever class the name has."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kg.extract.mentions import Mention
    from kg.ontology import load_ontology
    from kg.resolve import Resolver

    onto = load_ontology()
    names = st.lists(st.sampled_from(_NAME_PIECES), min_size=1, max_size=8).map("".join)
    classes = st.sampled_from(["Company", "Organization", "Country", "Person", "Mine", "Mineral"])

    @settings(max_examples=300, deadline=500)
    @given(name=names, others=st.lists(names, max_size=4), cls=classes)
    def ends(name, others, cls):
        r = Resolver(onto)
        r.orgs["d"].extend([*others, name])
        key = r.key("d", Mention(name, cls, 0, len(name)))
        assert key is None or isinstance(key, str)

    ends()
