"""Checks of the bundled lexicon (ontologies/lexicon.ttl); fast, no spaCy."""
from __future__ import annotations

import re
from collections import defaultdict

import pytest
from rdflib import RDF, RDFS, Graph

from kg.ontology import KGL, ONTOLOGY_DIR, load_ontology

QID = re.compile(r"^Q[1-9][0-9]*$")

# Every chemical symbol: none may be an alias of anything (they collide with
# words and abbreviations: "Co", "In", "As", "US", "Be", "No").
CHEMICAL_SYMBOLS = frozenset("""
H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn
Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La
Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po
At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg
Cn Nh Fl Mc Lv Ts Og
""".split())


@pytest.fixture(scope="module")
def onto():
    return load_ontology()


@pytest.fixture(scope="module")
def lexicon(onto):
    return onto.lexicon


@pytest.fixture(scope="module")
def by_label(lexicon):
    return {e.label: e for e in lexicon}


def test_lexicon_loads_and_is_full(lexicon):
    assert len(lexicon) > 400


def test_every_entry_class_exists(onto, lexicon):
    for e in lexicon:
        assert e.cls in onto.classes, f"{e.label}: unknown class {e.cls}"


def test_every_subject_is_typed_and_has_one_label():
    g = Graph()
    g.parse(ONTOLOGY_DIR / "lexicon.ttl", format="turtle")
    subjects = {s for s in g.subjects() if str(s).startswith(str(KGL))}
    assert subjects
    for s in subjects:
        types = list(g.objects(s, RDF.type))
        labels = [str(o) for o in g.objects(s, RDFS.label)]
        assert len(types) == 1, f"{s}: {len(types)} rdf:type"
        assert len(labels) == 1, f"{s}: {len(labels)} rdfs:label"
        assert labels[0].strip() == labels[0] and labels[0], f"{s}: bad label {labels[0]!r}"


def test_labels_are_unique(lexicon):
    seen = defaultdict(list)
    for e in lexicon:
        seen[e.label.casefold()].append(e.cls)
    assert not {k: v for k, v in seen.items() if len(v) > 1}


def test_no_surface_form_on_two_entries(lexicon):
    owners = defaultdict(set)
    for e in lexicon:
        for form in e.surface_forms:
            owners[form.casefold()].add(e.label)
    clashes = {form: sorted(labels) for form, labels in owners.items() if len(labels) > 1}
    assert not clashes, f"surface forms on several entries: {clashes}"


def test_surface_forms_are_clean(lexicon):
    for e in lexicon:
        for form in e.surface_forms:
            assert form and form == form.strip(), f"{e.label}: {form!r}"
            assert "  " not in form, f"{e.label}: {form!r}"


def test_wikidata_ids_are_well_formed_and_distinct(lexicon):
    owners = defaultdict(list)
    for e in lexicon:
        if e.wikidata is not None:
            assert QID.match(e.wikidata), f"{e.label}: {e.wikidata!r}"
            owners[e.wikidata].append(e.label)
    assert not {q: ls for q, ls in owners.items() if len(ls) > 1}


@pytest.mark.parametrize("label, qid", [
    ("Japan", "Q17"),
    ("China", "Q148"),
    ("United States", "Q30"),
    ("Peru", "Q419"),
    ("copper", "Q753"),
    ("zinc", "Q758"),
    ("lithium", "Q568"),
    ("cobalt", "Q740"),
    ("Democratic Republic of the Congo", "Q974"),
    ("Republic of the Congo", "Q971"),
    ("South Korea", "Q884"),
    ("United Kingdom", "Q145"),
    ("European Union", "Q458"),
    ("Asia-Pacific Economic Cooperation", "Q47417"),
])
def test_well_known_wikidata_ids(by_label, label, qid):
    assert by_label[label].wikidata == qid


def test_countries(lexicon, by_label):
    countries = [e for e in lexicon if e.cls == "Country"]
    # 193 UN members, the Holy See, Palestine, Taiwan, Kosovo and the EU
    assert len(countries) == 198
    for e in countries:
        assert e.label and e.label[0].isupper(), e.label
        assert e.wikidata, f"{e.label}: no Wikidata id"
    assert by_label["Hong Kong"].cls == "Region"
    assert by_label["European Union"].cls == "Country"
    assert "EU" in by_label["European Union"].aliases


@pytest.mark.parametrize("label, forms", [
    ("United States", {"United States of America", "USA", "U.S.", "US", "America", "American"}),
    ("South Korea", {"Republic of Korea", "Korea", "South Korean"}),
    ("Democratic Republic of the Congo", {"DRC", "DR Congo", "Democratic Republic of Congo", "Congo-Kinshasa", "Congolese"}),
    ("Republic of the Congo", {"Congo-Brazzaville"}),
    ("United Kingdom", {"UK", "Britain", "Great Britain", "British"}),
    ("China", {"PRC", "People's Republic of China", "mainland China", "Chinese"}),
    ("Niger", {"Nigerien"}),
    ("Nigeria", {"Nigerian"}),
    ("aluminum", {"aluminium"}),
    ("United States Geological Survey", {"USGS", "U.S. Geological Survey"}),
    ("U.S. Department of Defense", {"Pentagon", "DoD", "Defense Department"}),
    ("rare earths", {"REE", "rare earth elements", "rare-earth element"}),
    ("electric vehicle batteries", {"EV batteries", "EV battery"}),
])
def test_expected_aliases(by_label, label, forms):
    assert forms <= set(by_label[label].surface_forms)


def test_no_ambiguous_demonyms(lexicon):
    demonyms = {d for e in lexicon for d in e.demonyms}
    assert not demonyms & {"Dominican", "Korean", "Polish", "Central African", "European"}


def test_minerals_have_no_symbol_aliases(lexicon):
    for e in lexicon:
        if e.cls != "Mineral":
            continue
        for form in e.surface_forms:
            assert len(form) > 2, f"{e.label}: short alias {form!r}"
        assert e.label == e.label.lower(), f"mineral labels are lower-case: {e.label}"


def test_no_chemical_symbol_anywhere(lexicon):
    for e in lexicon:
        for form in e.surface_forms:
            assert form not in CHEMICAL_SYMBOLS, f"{e.label}: {form!r}"


def test_classes_are_populated(lexicon):
    counts = defaultdict(int)
    for e in lexicon:
        counts[e.cls] += 1
    assert counts["Mineral"] >= 80
    assert counts["Product"] >= 40
    assert counts["Company"] >= 40
    assert counts["GovernmentBody"] + counts["Alliance"] + counts["Organisation"] >= 40
    assert counts["Person"] == 0


@pytest.mark.parametrize("broader, narrower", [
    ("critical minerals", "critical raw materials"),  # the EU's list is not the US one
    ("critical minerals", "strategic minerals"),
    ("critical minerals", "critical materials"),
    ("permanent magnets", "neodymium magnets"),  # a kind is not its genus
    ("permanent magnets", "rare-earth magnets"),
    ("electronics", "consumer electronics"),
    ("energy storage", "battery storage"),
    ("coal", "thermal coal"),
])
def test_a_kind_or_another_list_is_not_an_alias(by_label, broader, narrower):
    assert broader in by_label and narrower in by_label
    assert narrower not in by_label[broader].aliases
