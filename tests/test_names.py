"""Names kept whole: the first words of a name the small NER split off, a lexicon name written
with a typographic apostrophe, a company named after the place it works in (issue 7)."""
from __future__ import annotations

import pytest

from kg.model import Document


def names(nlp, text: str) -> dict[str, str]:
    """The entities of ``text`` (name -> class) once kg has fixed the mentions of the document."""
    from kg.extract.run import prepared_pieces
    from kg.ontology import load_ontology

    out = {}
    for _, _, doc, _, _ in prepared_pieces([Document.from_text(text)], nlp, load_ontology()):
        out.update({e.text: e.label_ for e in doc.ents})
    return out


@pytest.mark.parametrize("text, name, cls", [
    # a number word the parser reads as the name's first word
    ("The company also owns an interest in the Two Rivers mine and the Marula mine.", "Two Rivers mine", "Mine"),
    # a first word the NER labelled as something else and the typer dropped
    ("The ore is milled off site at the nearby Humboldt Mill, a former iron-ore milling site.", "Humboldt Mill",
     "Facility"),
    # a year and an ordinal before an event's name
    ("The 2023 BRICS summit was held in Johannesburg.", "2023 BRICS summit", "Event"),
    ("In 2010 Brazil attended the 2nd BRIC summit as a host.", "2nd BRIC summit", "Event"),
    # a name joined to a site's name by a hyphen
    ("The Manono-Kitotolo mine is a former tin and coltan mine.", "Manono-Kitotolo mine", "Mine"),
])
def test_a_name_gets_back_the_first_words_the_ner_split_off(nlp, text, name, cls):
    found = names(nlp, text)
    assert found.get(name) == cls, found


def test_a_person_gets_back_an_initial_but_not_a_title(nlp):
    found = names(nlp, "In 1978 J David Lowell proposed an exploration program, joined by Representative Rob Wittman.")
    assert found.get("J David Lowell") == "Person", found
    assert found.get("Rob Wittman") == "Person", found  # "Representative" is a title, not a name


def test_a_determiner_or_a_country_is_not_taken_into_a_name(nlp):
    found = names(nlp, "The Two Rivers mine is run by PT Freeport Indonesia, a Chinese company.")
    assert "Two Rivers mine" in found, found
    # the country ends the company's name (a subsidiary's), not a place name taken over
    assert found.get("PT Freeport Indonesia") == "Company" and "Indonesia" not in found, found
    assert not any(n.startswith(("The ", "Chinese ")) for n in found), found


def test_a_lexicon_name_with_a_typographic_apostrophe_is_that_name(nlp):
    from kg.pipeline import load_pipeline

    for apostrophe in ("'", "\u2019"):
        doc = load_pipeline()(f"Exports to the People{apostrophe}s Republic of China grew.")
        # the whole name is China (its "Republic of China" alone would be another country, Taiwan)
        assert [(e.text, e.ent_id_) for e in doc.ents] == [(f"People{apostrophe}s Republic of China", "China")]


def test_a_company_named_after_the_country_it_works_in_is_not_the_country(nlp):
    found = names(nlp, "Impala Canada was formed in 2019.")
    assert "Impala Canada" in found and "Canada" not in found, found
    found = names(nlp, "The plant is in Capel in Western Australia.")  # a place is still a place
    assert found and all(cls in ("Country", "Region", "Place") for cls in found.values()), found


@pytest.mark.parametrize("text, name", [
    ("The office will lend $107 million to Syrah Technologies, LLC to build a plant.", "Syrah Technologies, LLC"),
    ("The company was owned by Resource Capital Funds, Traxys North America LLC and Carint Group LLC.",
     "Traxys North America LLC"),
])
def test_a_legal_form_after_a_name_ends_the_company_s_name(nlp, text, name):
    found = names(nlp, text)
    assert found.get(name) == "Company", found
    assert not {n for n in found if n.strip(",. ") in ("LLC", "Inc", "Ltd")}, found  # no company of its own


def test_a_legal_form_that_starts_the_next_name_stays_there(nlp):
    found = names(nlp, "The smelter is owned by Tsingshan, PT Vale Indonesia and Huayou Cobalt.")
    assert "Tsingshan" in found and any(n.startswith("PT Vale") for n in found), found


def test_a_place_in_common_words_or_a_direction_alone_is_no_name(nlp):
    found = names(nlp, "The mine is in Madagascar, off the east coast of Africa. From the Yukon in the East "
                       "to the Kuskokwim River in the West, we work with Western Australia.")
    assert not {n for n in found if n.lower() in ("east coast", "east", "west")}, found
    assert {"Madagascar", "Kuskokwim River", "Western Australia"} <= set(found), found


def test_a_quoted_name_keeps_its_first_word(nlp):
    found = names(nlp, 'The line is known as the "Great Uhuru Railway" in Tanzania. The Uhuru Railway was built by China.')
    assert found.get("Great Uhuru Railway") == "Facility", found


@pytest.mark.parametrize("text, name, cls, gone", [
    ("On Monday, President Ursula von der Leyen and the minister signed a memorandum on raw materials.",
     "Ursula von der Leyen", "Person", "Leyen"),
    ("The company operates the largest zinc mine of the world in Rampura Agucha, Rajasthan.",
     "Rampura Agucha", None, "Agucha"),
])
def test_a_name_the_ner_cut_in_two_is_one_name(nlp, text, name, cls, gone):
    found = names(nlp, text)
    assert name in found and (cls is None or found[name] == cls), found
    assert gone not in found, found


def test_a_title_s_country_and_the_person_after_it_stay_two_names(nlp):
    found = names(nlp, "The Crown Prince of Saudi Arabia Mohammed bin Salman was invited by Secretary of State "
                       "Marco Rubio to the talks.")
    assert found.get("Saudi Arabia") == "Country" and found.get("Mohammed bin Salman") == "Person", found
    assert found.get("Marco Rubio") == "Person", found


@pytest.mark.parametrize("text, codes, kept", [
    ("As of 2018, Tenke Fungurume Mining has paid over $2.5 billion (USD) in taxes.", {"USD"},
     "Tenke Fungurume Mining"),
    ("Hindustan Zinc Limited (NSE: HINDZINC, BSE: 500188) is a producer of zinc and lead.",
     {"HINDZINC", "BSE", "NSE", "500188"}, "Hindustan Zinc Limited"),
    ("OZ Minerals (ASX: OZL) is a mining company based in Adelaide, Australia.", {"OZL", "ASX"}, "OZ Minerals"),
])
def test_a_currency_or_a_stock_listing_in_brackets_is_no_name(nlp, text, codes, kept):
    found = names(nlp, text)
    assert not codes & set(found), found
    assert kept in found, found  # the company the brackets follow is still a name


def test_an_acronym_in_brackets_is_still_a_name(nlp):
    found = names(nlp, "Hindustan Zinc Limited (HZL) mines zinc. HZL also produces silver.")
    assert "HZL" in found, found


# -- a page whose subject is named in its title ---------------------------------------------
def facts_of(nlp, text: str, title: str, extractor: str = "hybrid") -> set[tuple[str, str, str]]:
    from kg.extract.run import extract

    ents, facts = extract([Document.from_text(text, title=title)], nlp=nlp, extractor=extractor)
    return {(ents[f.subject].label, f.predicate, ents[f.object].label) for f in facts}


ATTENDED = "Delegations from the following countries attended: Chile, Peru, Japan and Canada."


def test_an_event_named_only_in_the_title_is_the_subject(nlp):
    from kg.extract.mentions import title_subject
    from kg.ontology import load_ontology

    text = f"{ATTENDED}\n\nArgentina also attended the Ministerial, which ended with a joint statement."
    doc = nlp(text)
    subject = title_subject(doc, "2027 Lithium Ministerial", load_ontology())
    assert (subject.text, subject.cls) == ("2027 Lithium Ministerial", "Event")
    facts = facts_of(nlp, text, "2027 Lithium Ministerial", "rules")
    # the list's countries, and "the Ministerial" refers to it
    assert {(c, "attends", "2027 Lithium Ministerial") for c in ("Chile", "Peru", "Japan", "Canada", "Argentina")
            } <= facts, facts
    # the title's "Lithium" is part of the event's name, not the page's subject
    assert not {f for f in facts if f[0] == "lithium" or f[2] == "lithium" and f[1] == "attends"}, facts


def test_a_title_event_the_body_writes_out_is_the_subject(nlp):
    title = "2026 Critical Minerals Ministerial"
    text = (f"Secretary Rubio hosted representatives of 54 countries at the {title}.\n\n{ATTENDED}\n\n"
            "The meeting agreed to build new sources of supply.")
    facts = facts_of(nlp, text, title)
    assert {(c, "attends", title) for c in ("Chile", "Peru", "Japan", "Canada")} <= facts, facts


def test_the_bodys_own_name_of_the_title_stays_the_subject(nlp):
    """ "Tenke Fungurume Mining SA" on the page "Tenke Fungurume Mine", "Forum on China-Africa
    Cooperation" written out in the body: the title names nothing the body does not."""
    from kg.extract.mentions import title_subject
    from kg.ontology import load_ontology

    onto = load_ontology()
    doc = nlp("Tenke Fungurume Mining SA (TFM) is one of the largest copper and cobalt producers in Congo.")
    assert title_subject(doc, "Tenke Fungurume Mine", onto) is None
    doc = nlp("The Forum on China-Africa Cooperation is an official forum between China and African states.")
    assert title_subject(doc, "Forum on China-Africa Cooperation", onto) is None
    doc = nlp(ATTENDED)  # a title with a subtitle, a headline, a company: not a name to take
    assert title_subject(doc, "Cigar Lake Uranium Mine Project: Panel Report", onto) is None
    assert title_subject(doc, "Japan and Peru Forge Game-Changing Partnership for Critical Minerals", onto) is None
    assert title_subject(doc, "Pilbara Minerals", onto) is None
    assert title_subject(doc, "Minerals Security Partnership Forum", onto).cls == "Event"


def test_a_possessive_before_the_head_word_stays_in_the_name(nlp):
    """ "the APEC Economic Leaders' Meeting" read as one organisation by the NER is one event's
    name; "Terrafame's Sotkamo mine" is still an owner and a mine."""
    from spacy.tokens import Span

    typer = nlp.get_pipe("kg_entity_typer")
    with nlp.select_pipes(disable=["kg_entity_typer"]):
        doc = nlp("Leaders met at the APEC Economic Leaders' Meeting and at Terrafame's Sotkamo mine.")
    words = [t.text for t in doc]
    a, b = words.index("APEC"), words.index("Meeting") + 1
    c, d = words.index("Terrafame"), words.index("mine") + 1
    doc.ents = [Span(doc, a, b, label="ORG"), Span(doc, c, d, label="ORG")]
    names = {e.text: e.label_ for e in typer(doc).ents}
    assert names.get("APEC Economic Leaders' Meeting") == "Event", names
    assert "Sotkamo mine" in names and "Terrafame" in names, names


# -- a part word before a place the lexicon knows; "The" inside a name ------------------------
@pytest.mark.parametrize("text, name", [
    # the NER found only "Australia" (the lexicon's country) after the part word
    ("The plant started processing ilmenite near Capel in Western Australia. It was listed on the exchange.",
     "Western Australia"),
])
def test_a_capitalised_part_word_and_a_lexicon_place_are_a_region(nlp, text, name):
    found = names(nlp, text)
    assert found.get(name) == "Region", found
    assert "Australia" not in found and "America" not in found, found


def test_a_part_word_before_a_demonym_makes_no_name_of_the_adjective(nlp):
    """"Western Australian" would name a region by its adjective, apart from "Western Australia"."""
    found = names(nlp, "As part of the deal, the Western Australian state government made land available.")
    assert "Western Australian" not in found, found


def test_a_direction_in_lower_case_or_a_longer_name_is_not_a_region(nlp):
    from spacy.tokens import Span

    from kg.extract.mentions import places_with_a_part_word
    from kg.ontology import load_ontology

    found = names(nlp, "Most of the copper comes from mines in northern Chile, near Antofagasta.")
    assert found.get("Chile") == "Country", found
    # a name that goes on after the place is not the region ("North American Aerospace ...")
    doc = nlp.make_doc("The command is run with North American Aerospace Defense Command staff.")
    doc.ents = [Span(doc, 6, 7, label="Country", span_id="United States")]
    for t in doc:
        t.is_sent_start = t.i == 0
    places_with_a_part_word(doc, load_ontology())
    assert [e.text for e in doc.ents] == ["American"]


def test_a_capitalised_the_in_mid_sentence_is_part_of_the_name(nlp):
    found = names(nlp, "The licence is held by a subsidiary of The Metals Company, which is based in Vancouver.")
    assert found.get("The Metals Company") == "Company", found
    found = names(nlp, "The Metals Company is based in Vancouver.")  # a sentence's own "The" is not
    assert "The Metals Company" not in found, found


def test_a_bracket_after_the_pages_name_keeps_its_definition(nlp):
    """ "Qoyllur (/.../; Qoy for short) is the largest open pit copper mine ...": the bracket
    leaves the parse without a subject; the name is still the page's subject, typed by its
    definition, and "the mine" refers to it."""
    title = "Qoyllur"
    text = ("Qoyllur (/kɔɪˈjʊər/ koy-YOOR; referred to as Qoy for short) is the largest open pit copper mine "
            "in terms of excavated volume in the world. It is located in the north of Chile.\n\n"
            "The mine is now owned and operated by Codelco, a Chilean state enterprise.")
    facts = facts_of(nlp, text, title)
    assert {("Qoyllur", "produces", "copper"), ("Qoyllur", "locatedIn", "Chile"),
            ("Codelco", "operates", "Qoyllur")} <= facts, facts


def test_a_lexicon_word_that_is_never_a_verb_is_a_name_whatever_its_tag(nlp):
    # the small model tags "tungsten" VBN (its ending); no English verb is spelt so, so it is the metal
    doc = nlp("In addition, production has become concentrated (for example, tungsten and antimony in China).")
    assert ("tungsten", "Mineral") in [(e.text, e.label_) for e in doc.ents]
    assert ("Tungsten", "Mineral") in [(e.text, e.label_) for e in nlp("Tungsten is rare.").ents]
    # a word that may be a verb is left to the tagger: the verb "lead" is no metal
    assert not [e for e in nlp("She will lead the delegation to Lima.").ents if e.text == "lead"]


def test_without_a_lemmatizer_every_lexicon_word_may_be_a_verb():
    import spacy

    from kg.components.lexicon_ruler import _verb_lemmas

    assert _verb_lemmas(spacy.blank("en")) is None


@pytest.mark.parametrize("text, name", [
    ("Australia is the largest producer of opal and mines rubies, sapphires and jade.", "opal"),
    ("The main minerals mined in the country are diamonds, rutile, limestone and limonite.", "limonite"),
    ("The deposits are mostly in lignite mines, and coking coal is shipped to the smelter.", "coking coal"),
])
def test_gemstones_rocks_and_kinds_of_coal_are_minerals(nlp, text, name):
    assert names(nlp, text).get(name) == "Mineral"


def test_a_mineral_word_that_starts_a_person_s_or_a_place_s_name_is_no_mineral(nlp):
    # (a mineral word that ends a name still names what a firm is named after: "Kamoto Copper is 75
    # percent owned by Glencore", in test_rule_families)
    found = names(nlp, "Ruby Smith said the firm mines limestone near the Salt Lake City office.")
    assert found.get("limestone") == "Mineral", found
    assert not {"Ruby", "Salt"} & set(found), found


@pytest.mark.parametrize("text, name, cls, gone", [
    # the statistical NER reads the site's own name as a person or an organisation
    ("Zijin Mining acquired the Buritica gold mine from Continental Gold.", "Buritica gold mine", "Mine", "Buritica"),
    ("Barrick sold its stake in the Lumwana copper mine to a fund.", "Lumwana copper mine", "Mine", "Lumwana"),
    ("Teck owns the Quebrada Blanca project in Chile.", "Quebrada Blanca project", "Facility", "Quebrada"),
])
def test_a_site_named_by_a_weak_ner_name_and_its_head_word_is_one_name(nlp, text, name, cls, gone):
    got = names(nlp, text)
    assert got.get(name) == cls and gone not in got


def test_a_known_company_before_a_site_word_stays_the_company(nlp):
    # the plant of a company the lexicon knows is not named for it
    got = names(nlp, "Lynas opened the Lynas refining plant in Kalgoorlie in 2024.")
    assert got.get("Lynas") == "Company" and "Lynas refining plant" not in got
