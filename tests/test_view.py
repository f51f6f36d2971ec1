"""Tests of kg.view: an offline, self-contained page where article text stays text."""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph

from kg.view import CLASS_COLOURS, generate_html, write_html

_spec = importlib.util.spec_from_file_location("kg_test_graphs", Path(__file__).with_name("test_analysis.py"))
graphs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(graphs)

IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
SCRIPT = "</script><script>document.body.setAttribute('data-pwned','script')</script>"
SENTENCE = "Evil Corp </script><img src=x onerror=alert(1)> owns Codelco, see https://evil.example/a."


def hostile_graph() -> Graph:
    ents = dict(graphs.ENTITIES)
    ents["evil"] = (IMG, "Company", None)
    ents["evil2"] = (SCRIPT, "Organisation", None)
    ents["odd"] = ("odd\ud800name\x07 \u2028line\u2029sep", "Company", None)
    facts = list(graphs.FACTS) + [
        ("evil", "operates", "codelco", [(SENTENCE, "doc-a", 0.5, "asserted")], 0.5),
        ("evil2", "investsIn", "codelco", [("x & y > z", "doc-a", 0.5, "asserted")], 0.5),
        ("odd", "operates", "codelco", [("odd\x1b sentence\ud800", "doc-b", 0.5, "asserted")], 0.5),
    ]
    return graphs.build_graph(ents, facts)


@pytest.fixture(scope="module")
def page() -> str:
    return generate_html(graphs.build_graph(), title="Minerals https://example.org/")


@pytest.fixture(scope="module")
def hostile_page() -> str:
    return generate_html(hostile_graph())


def page_data(html: str) -> dict:
    m = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', html, re.DOTALL)
    assert m, "data element missing"
    return json.loads(m.group(1))


def evidence_text(page: str, edge: dict) -> str:
    docs = page_data(page)["docs"]
    return "\n".join(f"{sentence} | {docs[doc][0]} | {modality}" for sentence, doc, _, modality in edge["ev"])


def test_no_url_anywhere(page, hostile_page):
    for html in (page, hostile_page):
        assert re.search(r"https?://", html) is None
        assert re.search(r"(?i)<[a-z][^>]*\s(?:src|href)\s*=", html) is None
        assert "<link" not in html and "@import" not in html


def test_page_is_self_contained_with_vis_network(page):
    assert page.startswith("<!DOCTYPE html>")
    assert "vis-network" in page and "new vis.Network(" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<title>Minerals https:&#47;&#47;example.org&#47;</title>" in page


def test_nodes_and_edges(page):
    data = page_data(page)
    by_label = {n["label"]: n for n in data["nodes"]}
    assert set(by_label) >= {"Peru", "copper", "Chile", "electric vehicle batteries"}
    assert by_label["Peru"]["color"] == CLASS_COLOURS["Country"]
    assert by_label["copper"]["color"] == CLASS_COLOURS["Mineral"]
    # sized by PageRank: Chile (the hub) is bigger than Japan (a leaf)
    assert by_label["Chile"]["size"] > by_label["Japan"]["size"]
    labels = {e["label"] for e in data["edges"]}
    assert {"produces", "partners with", "located in", "used in"} <= labels
    assert len({e["id"] for e in data["edges"]}) == len(data["edges"]) == 9
    partner = next(e for e in data["edges"] if e["property"] == "partnersWith")
    assert partner["arrows"] == ""  # symmetric: no arrow head


def test_facts_carry_evidence(page):
    data = page_data(page)
    by_id = {n["id"]: n for n in data["nodes"]}
    edge = next(e for e in data["edges"] if e["label"] == "produces" and e["weight"] == 2)
    assert edge["width"] > 1 and by_id[edge["from"]]["name"] == "Peru" and by_id[edge["to"]]["name"] == "copper"
    text = evidence_text(page, edge)
    assert "Peru is rich in copper." in text and "Peru mines copper in the Andes." in text
    assert "02-chile.txt" in text
    peru = next(n for n in data["nodes"] if n["label"] == "Peru")
    assert peru["wd"] == "Q419"
    app = page.split("<script>")[-1]
    assert "textContent" in app and "innerHTML" not in app and "insertAdjacentHTML" not in app


def test_legend_lists_classes(page):
    legend = re.search(r'<details open id="kg-legend">.*?</details>', page, re.DOTALL).group(0)
    for cls, label in (("Country", "country"), ("Mineral", "mineral"), ("Company", "company"),
                       ("Product", "product or technology")):
        assert f'data-class="{cls}"' in legend and label in legend
        assert CLASS_COLOURS[cls] in legend
    assert "(6)" in legend  # six countries


def test_hostile_names_stay_inert(hostile_page):
    html = hostile_page
    assert "<img" not in html
    assert html.lower().count("</script") == 3  # the three script elements of the page, nothing else
    assert "<script>document" not in html
    data = page_data(html)
    labels = {n["label"] for n in data["nodes"]}
    # canvas labels are clipped to 40 characters; the panel has the whole name
    assert IMG[:39] + "…" in labels and SCRIPT[:39] + "…" in labels
    names = {n["name"] for n in data["nodes"]}
    assert IMG in names and SCRIPT in names
    assert any(SENTENCE in evidence_text(html, e) for e in data["edges"])


def test_bad_characters_do_not_break_the_page(hostile_page):
    hostile_page.encode("utf-8")  # no lone surrogates
    assert "\u2028" not in hostile_page and "\u2029" not in hostile_page
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", hostile_page.split('id="kg-data"')[1])
    odd = next(n for n in page_data(hostile_page)["nodes"] if n["label"].startswith("odd"))
    assert odd["label"] == "oddname line sep"  # line separators are white space


def test_empty_graph():
    html = generate_html(Graph(), title=None)
    assert "No facts in this graph." in html and "<title>kg graph</title>" in html
    assert page_data(html)["nodes"] == []
    assert re.search(r"https?://", html) is None


def test_with_the_rdf_writer():
    rdf = pytest.importorskip("kg.rdf")
    html = generate_html(rdf.to_rdf(rdf.example_result()))
    data = page_data(html)
    assert {n["label"] for n in data["nodes"]} == {"Japan", "Peru", "Chile", "copper", "cobalt"}
    assert {e["label"] for e in data["edges"]} == {"produces", "partners with"}  # cobalt is negated
    assert re.search(r"https?://", html) is None


def test_write_html(tmp_path):
    path = tmp_path / "view" / "graph.html"
    write_html(graphs.build_graph(), path, title="t")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<title>t</title>" in text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_renders_in_headless_chromium(tmp_path):
    path = tmp_path / "graph.html"
    write_html(hostile_graph(), path)
    for attempt, budget in enumerate((5000, 20000)):  # a loaded machine may need more (virtual) time
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / f'profile{attempt}'}", f"--virtual-time-budget={budget}",
               "--window-size=1200,800", "--dump-dom", path.as_uri()]
        dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
        body = re.search(r"<body[^>]*>", dom).group(0)
        if 'data-kg-drawn="13"' in body:
            break
    assert 'data-kg-drawn="13"' in body  # the page's script ran and vis-network drew 13 nodes
    assert "data-pwned" not in body  # no injected handler or script ran
    assert re.search(r'<div id="kg-network".*?<canvas', dom, re.DOTALL)


# --------------------------------------------------------------------------- title, selection, layout

def test_title_names_the_articles(page):
    from kg.view import graph_title

    assert graph_title(graphs.build_graph()) == "2 articles: Peru and its copper, 02-chile.txt"
    one = graphs.build_graph(documents={"doc-a": graphs.DOCUMENTS["doc-a"]})
    assert graph_title(one) == "Peru and its copper"
    html = generate_html(graphs.build_graph())
    assert "<title>2 articles: Peru and its copper, 02-chile.txt</title>" in html
    assert "<h1>2 articles: Peru and its copper, 02-chile.txt</h1>" in html
    assert "<title>Minerals https:&#47;&#47;example.org&#47;</title>" in page  # an explicit title wins


def test_every_node_has_a_position_and_groups_are_packed():
    data = page_data(generate_html(graphs.build_graph()))
    xy = {n["name"]: (n["x"], n["y"]) for n in data["nodes"]}
    assert len(xy) == 10 and len(set(xy.values())) == 10
    assert data["options"]["physics"]["enabled"] is False  # drawn at once from the layout
    # the two groups (eight entities, and the United States with Australia) do not overlap
    main = [p for name, p in xy.items() if name not in ("United States", "Australia")]
    pair = [xy["United States"], xy["Australia"]]

    def box(ps):
        return min(p[0] for p in ps), min(p[1] for p in ps), max(p[0] for p in ps), max(p[1] for p in ps)

    a, b = box(main), box(pair)
    assert a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]


def test_layout_is_compact_for_many_small_groups():
    import networkx as nx

    from kg.view import EDGE_LENGTH, layout

    G = nx.MultiDiGraph()
    for g in range(12):  # twelve separate pairs and triples
        G.add_edges_from([(f"{g}a", f"{g}b"), *([(f"{g}b", f"{g}c")] if g % 2 else [])])
    pos = layout(G)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    # a block about as wide as a window, not a scatter: 30 nodes in roughly 6 x 5 edge lengths
    assert width < 9 * EDGE_LENGTH and height < 7 * EDGE_LENGTH and 0.8 < width / height < 3
    dist = [((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5 for i, p in enumerate(pos.values())
            for q in list(pos.values())[i + 1:]]
    assert min(dist) > 0.5 * EDGE_LENGTH
    assert layout(G) == pos  # the same every time


def test_large_graphs_get_straight_edges_and_lod_labels():
    from kg.view import _options, _rank_fonts

    assert _options(100)["edges"]["smooth"]["enabled"] is True
    assert _options(1000)["edges"]["smooth"] == {"enabled": False}
    nodes = [f"n{i}" for i in range(500)]
    fonts = _rank_fonts(nodes, {n: 1 / (i + 1) for i, n in enumerate(nodes)})
    assert len(fonts) == 20 and fonts["n0"] > fonts["n19"] >= 14 and "n20" not in fonts


def test_max_nodes_keeps_the_top_entities_and_says_so():
    html = generate_html(graphs.build_graph(), max_nodes=4)
    data = page_data(html)
    names = {n["name"] for n in data["nodes"]}
    assert len(names) == 4 and "Chile" in names and "copper" in names  # the two highest PageRanks
    assert all(e["from"] in {n["id"] for n in data["nodes"]} for e in data["edges"])
    note = re.search(r'<p id="kg-note" role="note">(.*?)</p>', html).group(1)
    assert "4 entities" in note and "6 more are left out" in note and "--max-nodes" in note
    assert 'id="kg-empty"' not in html and 'id="kg-note"' not in generate_html(graphs.build_graph())


def test_focus_draws_a_neighbourhood():
    one = page_data(generate_html(graphs.build_graph(), focus="japan", hops=1))
    assert {n["name"] for n in one["nodes"]} == {"Japan", "Peru"}
    assert one["focus"] == next(n["id"] for n in one["nodes"] if n["name"] == "Japan")
    two = page_data(generate_html(graphs.build_graph(), focus="Japan", hops=2))
    assert {n["name"] for n in two["nodes"]} == {"Japan", "Peru", "copper"}


def test_focus_on_an_alias():
    from rdflib import SKOS, Literal

    g = graphs.build_graph()
    g.add((graphs.ENT["peru"], SKOS.altLabel, Literal("Republic of Peru")))
    data = page_data(generate_html(g, focus="republic of peru", hops=1))
    assert {n["name"] for n in data["nodes"]} == {"Peru", "copper", "Japan"}
    peru = next(n for n in data["nodes"] if n["name"] == "Peru")
    assert peru["aliases"] == ["Republic of Peru"]


def test_unknown_focus_is_a_clear_error():
    from kg.errors import InputError

    with pytest.raises(InputError, match=r'--focus "Peruu": no entity of that name.*did you mean "Peru"'):
        generate_html(graphs.build_graph(), focus="Peruu")
    with pytest.raises(InputError, match="--max-nodes 0"):
        generate_html(graphs.build_graph(), max_nodes=0)


def test_cli_view_options(tmp_path, capsys):
    from kg.cli import main

    ttl = tmp_path / "g.ttl"
    graphs.build_graph().serialize(ttl, format="turtle")
    out = tmp_path / "v.html"
    assert main(["view", str(ttl), "-o", str(out), "--title", "Copper <b>", "--focus", "Peru", "--hops", "1"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<title>Copper &lt;b&gt;</title>" in html
    assert {n["name"] for n in page_data(html)["nodes"]} == {"Peru", "copper", "Japan"}
    assert main(["view", str(ttl), "-o", str(out), "--focus", "Atlantis"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and '"Atlantis"' in err[0] and "Traceback" not in err[0]
    assert main(["view", "--help"]) == 0
    helptext = capsys.readouterr().out
    for option in ("--title", "--max-nodes", "--focus", "--hops", "--focus Peru --hops 2"):
        assert option in helptext


def test_jupyter_shows_the_view_inline():
    from kg.api import KnowledgeGraph

    page = generate_html(graphs.build_graph())
    frame = page._repr_html_()
    assert isinstance(page, str) and frame.startswith("<iframe srcdoc=\"&lt;!DOCTYPE html&gt;")
    assert 'sandbox="allow-scripts"' in frame and "<script" not in frame
    kg = KnowledgeGraph(graphs.build_graph())
    assert hasattr(kg.html(), "_repr_html_")
