"""The HTML view in a real browser: Playwright for Python driving Debian's Chromium.

Every page is opened from disk with all requests routed through a handler that
lets only ``file:`` URLs through, and each test fails on any other request, on
a page error and on any dialog. Screenshots land in ``tests/artifacts/``
(ignored by git). Skipped when Playwright or ``/usr/bin/chromium`` is missing;
Playwright's own browser download is never used.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from rdflib import SKOS, Literal

from kg.view import generate_html, write_html

CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ROOT = Path(__file__).resolve().parent.parent
THREE = [ROOT / "corpus" / "dev" / "texts" / name for name in
         ("c1-001-escondida.txt", "c11-008-boliden.txt", "c12-005-peru-mining-trade-gov.txt")]

_spec = importlib.util.spec_from_file_location("kg_test_graphs", Path(__file__).with_name("test_analysis.py"))
graphs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(graphs)
_spec = importlib.util.spec_from_file_location("kg_test_view", Path(__file__).with_name("test_view.py"))
view_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(view_tests)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


class Opened:
    """A page of the view with what it did: requests that were not file URLs, errors and dialogs."""

    def __init__(self, browser, path: Path, width: int = 1280, height: int = 800, ready: bool = True):
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        if ready:
            self.page.wait_for_selector("body[data-kg-ready]", timeout=30000)

    def _route(self, route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, code: str, arg=None):
        return self.page.evaluate(code, arg)

    def click_canvas(self, x: float, y: float) -> None:
        """Click the point (x, y) of the network's canvas coordinates."""
        dom = self.js("([x, y]) => kgNetwork.canvasToDOM({x, y})", [x, y])
        box = self.page.locator("#kg-network").bounding_box()
        self.page.mouse.click(box["x"] + dom["x"], box["y"] + dom["y"])

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))

    def check_clean(self) -> None:
        assert self.foreign == [], f"requests left the machine: {self.foreign}"
        assert self.errors == [], f"page errors: {self.errors}"
        assert self.dialogs == [], f"dialogs: {self.dialogs}"


@pytest.fixture
def open_view(browser):
    opened = []

    def opener(path: Path, **kw) -> Opened:
        page = Opened(browser, path, **kw)
        opened.append(page)
        return page

    yield opener
    for page in opened:
        try:
            page.check_clean()
        finally:
            page.context.close()


def many_groups_graph():
    """34 entities in 8 separate groups (a star of 10, a chain of 6, ...), with aliases and confidences."""
    sizes = [10, 6, 4, 4, 3, 3, 2, 2]
    entities, facts = {}, []
    classes = ["Country", "Mineral", "Company", "Mine", "Region"]
    for g, size in enumerate(sizes):
        names = [f"g{g}n{i}" for i in range(size)]
        for i, slug in enumerate(names):
            entities[slug] = (f"Entity {g}-{i} Holdings" if i else f"Hub of group {g}", classes[(g + i) % 5], None)
        for i in range(1, size):
            conf = round(0.3 + 0.6 * ((g + i) % 4) / 3, 2)  # 0.3, 0.5, 0.7, 0.9
            head = names[0] if g == 0 else names[i - 1]
            facts.append((head, "supplies", names[i],
                          [(f"Sentence {g}-{i}: {entities[head][0]} supplies {entities[names[i]][0]}.",
                            "doc-a", conf, "asserted")], conf))
    g = graphs.build_graph(entities, facts)
    g.add((graphs.ENT["g1n3"], SKOS.altLabel, Literal("Third Chain Link")))
    return g


@pytest.fixture(scope="module")
def many_html(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("view") / "many.html"
    write_html(many_groups_graph(), path)
    return path


@pytest.fixture(scope="module")
def small_html(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("view") / "small.html"
    write_html(graphs.build_graph(), path)
    return path


def test_seed_view_draws_every_node(seed_dir, seed_graph, open_view):
    view = open_view(seed_dir / "graph.html")
    n = seed_graph.networkx().number_of_nodes()
    assert n >= 8
    assert view.js("document.body.dataset.kgDrawn") == str(n)
    assert len(view.js("Object.keys(kgNetwork.getPositions())")) == n
    # every node is inside the visible canvas at the start
    box = view.page.locator("#kg-network").bounding_box()
    for p in view.js("Object.values(kgNetwork.getPositions()).map(p => kgNetwork.canvasToDOM(p))"):
        assert 0 <= p["x"] <= box["width"] and 0 <= p["y"] <= box["height"]
    view.screenshot("seed-view.png")


def test_three_article_view(nlp, tmp_path, open_view):
    from kg.api import build

    kg = build(THREE)
    path = tmp_path / "three.html"
    path.write_text(kg.html(), encoding="utf-8")
    view = open_view(path)
    title = view.page.title()
    assert title.startswith("3 articles: ") and "Escondida" in title
    assert view.page.locator("header h1").text_content() == title
    view.screenshot("three-articles.png")


def test_labels_readable_at_initial_zoom(many_html, open_view):
    view = open_view(many_html)
    scale = view.js("kgNetwork.getScale()")
    assert view.js("Object.keys(kgNetwork.getPositions()).length") == 34
    # the rendered height of every label (font size x canvas scale) is at least 11 px, and it is drawn
    heights = view.js("Object.values(kgNetwork.body.nodes).filter(n => !n.isCluster)"
                      ".map(n => [n.options.font.size * kgNetwork.getScale(), n.labelModule.visible()])")
    assert len(heights) == 34
    assert all(h >= 11 and drawn for h, drawn in heights), (scale, heights)
    view.screenshot("many-groups.png")


def test_search_focuses_and_selects(many_html, open_view):
    view = open_view(many_html)
    view.page.fill("#kg-search", "third chain link")  # an alias, in other case
    view.page.press("#kg-search", "Enter")
    target = view.js("kgView.search('Third Chain Link')")
    assert view.js("kgNetwork.getSelectedNodes()") == [target]
    view.page.wait_for_timeout(500)  # the focus animation
    pos = view.js(f"kgNetwork.getPositions([{target}])[{target}]")
    centre = view.js("kgNetwork.getViewPosition()")
    assert abs(pos["x"] - centre["x"]) < 5 and abs(pos["y"] - centre["y"]) < 5
    assert view.js("kgNetwork.getScale()") >= 1.0
    assert view.page.locator("#kg-details h2").text_content() == "Entity 1-3 Holdings"
    # neighbours stay bright, the rest is dimmed
    opacity = view.js("Object.fromEntries(Object.values(kgNetwork.body.nodes).map(n => [n.id, n.options.opacity]))")
    assert sum(1 for o in opacity.values() if o == 1) == 3 and min(opacity.values()) < 0.5
    # completion: every name and alias is offered
    options = view.js("Array.from(document.querySelectorAll('#kg-names option')).map(o => o.value)")
    assert "Third Chain Link" in options and "Hub of group 0" in options
    view.page.keyboard.press("Escape")
    assert view.js("kgNetwork.getSelectedNodes()") == []
    assert view.page.locator("#kg-details h2").count() == 0


def test_class_filter_hides_class(small_html, open_view):
    view = open_view(small_html)
    assert len(view.js("Object.keys(kgNetwork.getPositions())")) == 10
    view.page.locator('#kg-legend input[value="Mineral"]').uncheck()
    shown = view.js("Object.keys(kgNetwork.getPositions()).map(Number)")
    classes = view.js("(ids) => ids.map(i => JSON.parse(document.getElementById('kg-data').textContent)"
                      ".nodes.find(n => n.id === i).cls)", shown)
    assert "Mineral" not in classes and len(shown) < 10
    view.page.locator('#kg-legend input[value="Mineral"]').check()
    assert len(view.js("Object.keys(kgNetwork.getPositions())")) == 10


def test_confidence_slider_hides_low_facts(many_html, open_view):
    view = open_view(many_html)
    data = view.js("JSON.parse(document.getElementById('kg-data').textContent).edges")
    assert len(view.js("kgNetwork.body.data.edges.getIds()")) == len(data) == 26
    view.page.locator("#kg-confidence").fill("0.6")
    shown = set(view.js("kgNetwork.body.data.edges.getIds()"))
    assert shown == {e["id"] for e in data if e["confidence"] >= 0.6} and 0 < len(shown) < len(data)
    assert view.page.locator("#kg-confidence-value").text_content() == "0.60"


def test_hedged_toggle_hides_dashed_facts(small_html, open_view):
    view = open_view(small_html)
    data = view.js("JSON.parse(document.getElementById('kg-data').textContent).edges")
    dashed = {e["id"] for e in data if e["dashes"]}
    assert dashed  # the hedged and the planned partnership
    view.page.locator("#kg-hedged").uncheck()
    assert not dashed & set(view.js("kgNetwork.body.data.edges.getIds()"))


def test_click_shows_evidence(small_html, open_view):
    view = open_view(small_html)
    peru = view.js("JSON.parse(document.getElementById('kg-data').textContent).nodes.find(n => n.name === 'Peru')")
    view.click_canvas(peru["x"], peru["y"])
    assert view.js("kgNetwork.getSelectedNodes()") == [peru["id"]]
    details = view.page.locator("#kg-details")
    assert details.locator("h2").text_content() == "Peru"
    text = details.text_content()
    assert "Peru is rich in copper." in text and "Peru mines copper in the Andes." in text
    assert "Peru and its copper" in text and "02-chile.txt" in text and "Wikidata Q419" in text
    assert "hedged" in text and "confidence 0.75" in text
    marks = details.locator("mark").all_text_contents()
    assert "Peru" in marks and "copper" in marks
    # a click on an edge shows that fact's evidence
    edge = view.js("(() => { const d = JSON.parse(document.getElementById('kg-data').textContent);"
                   " return d.edges.find(e => e.label === 'supplies').id; })()")
    mid = view.js(f"kgNetwork.body.edges['{edge}'].edgeType.getPoint(0.5)")
    view.click_canvas(mid["x"], mid["y"])
    assert details.locator("h2").text_content() == "Chile supplies China"
    assert "Chile supplies China." in details.text_content()
    view.page.keyboard.press("Escape")
    assert details.locator("h2").count() == 0


def test_hostile_article_stays_inert(tmp_path, open_view):
    path = tmp_path / "hostile.html"
    write_html(view_tests.hostile_graph(), path, title=view_tests.SCRIPT)
    view = open_view(path)
    assert view.page.title() == view_tests.SCRIPT
    view.js("name => kgView.search(name)", view_tests.IMG)
    assert view.page.locator("#kg-details h2").text_content() == view_tests.IMG
    evil = view.js("JSON.parse(document.getElementById('kg-data').textContent).edges"
                   ".find(e => e.property === 'operates' && e.ev[0][0].startsWith('Evil')).id")
    view.page.wait_for_timeout(500)  # the focus animation
    mid = view.js(f"kgNetwork.body.edges['{evil}'].edgeType.getPoint(0.5)")
    view.click_canvas(mid["x"], mid["y"])
    view.page.mouse.move(10, 10)
    view.page.wait_for_timeout(300)
    assert view_tests.SENTENCE.split(" see ")[0] in view.page.locator("#kg-details").text_content()
    assert view.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert view.js("document.querySelectorAll('script').length") == 3
    assert view.js("document.body.hasAttribute('data-pwned')") is False


def test_communities_group_and_open(many_html, open_view):
    view = open_view(many_html)
    view.page.click("#kg-cluster")
    clusters = view.js("Object.keys(kgNetwork.body.nodes).filter(id => kgNetwork.isCluster(id))")
    assert clusters and view.js("kgNetwork.body.nodeIndices.length") < 34
    assert view.page.locator("#kg-cluster").get_attribute("aria-pressed") == "true"
    cid = max(clusters, key=lambda c: view.js("c => kgNetwork.getNodesInCluster(c).length", c))
    members = view.js("c => kgNetwork.getNodesInCluster(c).length", cid)
    pos = view.js("c => kgNetwork.getPositions([c])[c]", cid)
    dom = view.js("p => kgNetwork.canvasToDOM(p)", pos)
    box = view.page.locator("#kg-network").bounding_box()
    view.page.mouse.dblclick(box["x"] + dom["x"], box["y"] + dom["y"])  # a double-click opens it
    assert cid not in view.js("Object.keys(kgNetwork.body.nodes)")
    assert view.js("kgNetwork.body.nodeIndices.length") >= members
    view.page.click("#kg-cluster")
    assert view.js("kgNetwork.body.nodeIndices.length") == 34


def test_jupyter_frame_draws_the_view(tmp_path, open_view):
    page = generate_html(graphs.build_graph())
    path = tmp_path / "notebook.html"
    path.write_text(f"<!DOCTYPE html><html><body>{page._repr_html_()}</body></html>", encoding="utf-8")
    view = open_view(path, ready=False)
    frame = view.page.frame_locator("iframe")
    frame.locator("body[data-kg-ready]").wait_for(timeout=30000)
    assert frame.locator("body").get_attribute("data-kg-drawn") == "10"


def test_focus_view_opens_on_the_entity(tmp_path, open_view):
    path = tmp_path / "focus.html"
    write_html(graphs.build_graph(), path, focus="Chile", hops=1)
    view = open_view(path)
    chile = view.js("JSON.parse(document.getElementById('kg-data').textContent).focus")
    assert view.js("kgNetwork.getSelectedNodes()") == [chile]
    assert view.page.locator("#kg-details h2").text_content() == "Chile"
    assert "neighbourhood of Chile" in view.page.locator("#kg-note").text_content()
