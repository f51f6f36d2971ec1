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
    # (that a company named for a mineral produces it is only a vote for the classifier: kg.extract.rules.names)
    assert {(ents[f.subject].label, f.predicate, ents[f.object].label) for f in facts} == {
        ("Kestrel Lithium Holdings", "operates", "Silver Lake mine")}


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
    whatever other organisation names (and names with a head noun) the document holds and whatever class
    the name has."""
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
        r.names["d"].extend((n, c) for n in [*others, name, *(f"{n} {h}" for n in others for h in ("mine", "Mine"))]
                            for c in ("Mine", cls))  # "X" may be the document's "X mine"
        key = r.key("d", Mention(name, cls, 0, len(name)))
        assert key is None or isinstance(key, str)

    ends()


# -- over-merging: names a document uses side by side for different things stay apart ------------

def _resolver(*names):
    """A resolver that has observed a document "d" whose NER named ``names`` ((text, class) pairs)."""
    import spacy
    from spacy.tokens import Span

    from kg.ontology import load_ontology
    from kg.resolve import Resolver

    nlp = spacy.blank("en")
    words, spans = [], []
    for text, cls in names:
        start = len(words)
        words.extend(str(t) for t in nlp.make_doc(text))
        spans.append((start, len(words), cls))
        words.append(";")
    doc = spacy.tokens.Doc(nlp.vocab, words=words)
    doc.ents = [Span(doc, a, b, label=cls) for a, b, cls in spans]
    r = Resolver(load_ontology())
    r.observe_doc("d", doc)
    return r


def _m(text, cls, lex=None):
    from kg.extract.mentions import Mention

    return Mention(text, cls, 0, len(text), lex)


def test_a_lexicon_name_with_the_head_noun_of_another_class_is_another_entity():
    """ "the Boliden mine" (the lexicon ruler found the company "Boliden" in it) is a mine, not the
    company; "Kumba Iron Ore", a company, is not the mineral "iron ore"; the company's own names stay
    the company (c11-008-boliden, e2-015-kumba-iron-ore)."""
    r = _resolver(("Boliden", "Company"), ("Boliden mine", "Mine"))
    company = r.key("d", _m("Boliden", "Company", "Boliden"))
    assert company == "boliden" == r.key("d", _m("Boliden AB", "Company", "Boliden"))
    assert r.key("d", _m("Boliden mine", "Mine", "Boliden")) == "boliden-mine"
    assert r.key("d", _m("Kumba Iron Ore", "Organisation", "iron ore")) == "kumba-iron-ore"
    assert r.key("d", _m("iron ores", "Mineral", "iron ore")) == "iron-ore"


def test_a_subsidiary_named_after_a_lexicon_company_is_another_company():
    """ "Barrick Niugini Limited" holds the lexicon's "Barrick" but is a company of its own; a legal
    form or "International" after the lexicon's name does not make another one (e2-004)."""
    r = _resolver()
    assert r.key("d", _m("Barrick Niugini Limited", "Company", "Barrick Gold")) == "barrick-niugini"
    assert r.key("d", _m("Barrick Gold Corporation", "Company", "Barrick Gold")) == "barrick-gold"
    assert r.key("d", _m("Glencore International Inc.", "Company", "Glencore")) == "glencore"


def test_a_mine_or_place_is_not_read_as_a_person_s_first_or_last_name():
    """The NER took "Escondida Norte" (a pit) and "Nyrstar Hobart" (a smelter) for people: the mine
    "Escondida" and the city "Hobart" are not their first and last names (c1-001, d2-003)."""
    r = _resolver(("Escondida Norte", "Person"), ("Nyrstar Hobart", "Person"), ("Shigeru Ishiba", "Person"))
    assert r.key("d", _m("Escondida", "Mine")) == "escondida"
    assert r.key("d", _m("Hobart", "Region")) == "hobart"
    assert r.key("d", _m("Ishiba", "Person")) == "shigeru-ishiba"
    assert r.key("d", _m("Ishiba", "Organisation")) == "shigeru-ishiba"  # a NER's usual confusion


def test_escondida_and_escondida_norte_stay_apart(nlp):
    ents, facts = entities_of(nlp, "Escondida is a copper mine in Chile. Escondida Norte is a second pit. "
                                   "Escondida produces copper.")
    triples = {(ents[f.subject].label, f.predicate, ents[f.object].label) for f in facts}
    assert ("Escondida", "produces", "copper") in triples
    assert not any("Norte" in s or "Norte" in o for s, _, o in triples)
    assert not any("Norte" in a for e in ents.values() if e.label == "Escondida" for a in e.aliases)


def test_a_legal_form_is_not_stripped_down_to_the_name_of_a_mine_of_the_document():
    """ "Ambatovy Holdings Limited" is the company that owns the "Ambatovy" mine (c6-021); where no
    mine has that name, the legal form goes as before."""
    r = _resolver(("Ambatovy", "Mine"), ("Ambatovy Holdings Limited", "Company"))
    mine = r.key("d", _m("Ambatovy", "Mine"))
    company = r.key("d", _m("Ambatovy Holdings Limited", "Company"))
    assert mine == "ambatovy" and company == "ambatovy-holdings"
    assert r.key("d", _m("Ambatovy Holdings", "Company")) == company
    assert _resolver().key("d", _m("Ambatovy Holdings Limited", "Company")) == "ambatovy"


def test_lexicon_companies_named_side_by_side_stay_apart():
    """The parent "Aluminum Corporation of China" (Chinalco) and its listed subsidiary "Aluminum
    Corporation of China Limited" (Chalco) are two companies, as are "Antofagasta plc" and its mining
    division "Antofagasta Minerals" (c11-019, c11-020, d1-001, c2-016)."""
    r = _resolver()
    parent = r.key("d", _m("Aluminum Corporation of China", "Company"))
    child = r.key("d", _m("Aluminum Corporation of China Limited", "Company"))
    assert parent != child
    assert r.key("d", _m("Chinalco", "Company", "Aluminum Corporation of China")) == parent
    assert r.key("d", _m("Chalco", "Company", "Aluminum Corporation of China Limited")) == child
    assert r.key("d", _m("Antofagasta Minerals", "Company")) != r.key("d", _m("Antofagasta plc", "Company"))
    assert r.key("d", _m("Antofagasta Holdings", "Company")) == r.key("d", _m("Antofagasta PLC", "Company"))


# -- and under-merging does not get worse -----------------------------------------------------

def test_a_name_alone_is_the_name_with_its_head_noun_when_both_are_one_kind_of_thing():
    """ "Grasberg" is the document's "Grasberg mine"; not where the document also reads "Cominco" as
    a company (the "Cominco Smelter" is not Cominco), nor a town and the district named after it."""
    r = _resolver(("Grasberg mine", "Mine"), ("Grasberg", "Mine"), ("Cominco Smelter", "Facility"),
                  ("Cominco", "Company"), ("Kolwezi District", "Region"), ("Kolwezi", "Region"))
    assert r.key("d", _m("Grasberg", "Mine")) == r.key("d", _m("Grasberg mine", "Mine")) == "grasberg-mine"
    assert r.key("d", _m("Cominco", "Facility")) == "cominco"
    assert r.key("d", _m("Kolwezi", "Region")) == "kolwezi"
    entity = r.entities()["grasberg-mine"]
    assert entity.label == "Grasberg mine" and "Grasberg" in entity.aliases


def test_company_names_with_legal_forms_and_lexicon_aliases_are_one_entity():
    """ "Glencore" and "Glencore International Inc.", "BHP" and "BHP Billiton", a long name and its
    acronym: one entity each (c7-002 had Glencore twice)."""
    r = _resolver(("Glencore International Inc.", "Company"), ("International Finance Corporation", "Organisation"))
    assert r.key("d", _m("Glencore International Inc.", "Company")) == r.key("d", _m("Glencore", "Company",
                                                                                     "Glencore")) == "glencore"
    assert r.key("d", _m("BHP Billiton", "Company", "BHP")) == r.key("d", _m("BHP", "Company", "BHP")) == "bhp"
    ifc = r.key("d", _m("International Finance Corporation", "Organisation"))
    assert r.key("d", _m("IFC", "Organisation", "International Finance Corporation")) == ifc


def test_a_company_s_first_word_is_not_its_name_where_the_document_names_a_mine_by_it():
    """ "Lumwana" is the short name of "Lumwana Mining Company Limited" unless the document also
    has a "Lumwana mine": then the word alone may be either, and stays itself (c8-011)."""
    company = ("Lumwana Mining Company Limited", "Company")
    assert _resolver(company).key("d", _m("Lumwana", "Company")) == "lumwana-mining"
    assert _resolver(company, ("Lumwana mine", "Mine")).key("d", _m("Lumwana", "Company")) == "lumwana"
