"""An interactive HTML view of a kg graph: one self-contained page that works offline.

pyvis builds the node and edge data; the page itself is a small template of
this module into which the vis-network library shipped inside the pyvis
package is inlined. Nothing is loaded over the network: the page has no
``src`` or ``href`` attributes, a Content-Security-Policy that forbids all
fetches, and no ``http://`` or ``https://`` substring at all.

Article text is untrusted. It reaches the page only as JSON inside a
``<script type="application/json">`` element, with ``<``, ``>``, ``&``, ``/``
and the line separators escaped, and tooltips are built with
``textContent``, so an entity called ``<img src=x onerror=...>`` shows as
text and never as markup.

Examples
--------
>>> import rdflib
>>> from kg.ontology import KGO
>>> g = rdflib.Graph()
>>> _ = g.add((rdflib.URIRef("urn:x:peru"), KGO.produces, rdflib.URIRef("urn:x:copper")))
>>> page = generate_html(g, title="Peru")
>>> page.startswith("<!DOCTYPE html>"), "://" in page
(True, False)
"""
from __future__ import annotations

import functools
import hashlib
import html
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Hashable

import networkx as nx
import rdflib

from .analysis import _n, centrality, clean_text, entity_graph
from .atomic import atomic_write
from .errors import KGError
from .ontology import load_ontology

__all__ = ["generate_html", "write_html", "CLASS_COLOURS"]

VIS_VERSION = "9.1.2"

#: Colour of each ontology class in the view; other classes get a colour from ``_SPARE_COLOURS``.
CLASS_COLOURS = {
    "Country": "#4e79a7",
    "Region": "#76b7b2",
    "Place": "#a0cbe8",
    "Organisation": "#f28e2b",
    "GovernmentBody": "#ffbe7d",
    "Alliance": "#b07aa1",
    "Company": "#e15759",
    "Person": "#59a14f",
    "Facility": "#9c755f",
    "Mine": "#7f5539",
    "Event": "#edc948",
    "Mineral": "#d37295",
    "Product": "#8cd17d",
    "Entity": "#bab0ac",
}
_SPARE_COLOURS = ("#499894", "#86bcb6", "#f1ce63", "#fabfd2", "#d4a6c8", "#9d7660", "#79706e")

MAX_LABEL = 40  # characters of a node label drawn on the canvas (the tooltip has it all)
MAX_SENTENCE = 320  # characters of an evidence sentence in a tooltip
MAX_TIP_EVIDENCE = 8  # evidence sentences listed in one tooltip

_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="@@CSP@@">
<meta name="generator" content="kg (vis-network @@VIS_VERSION@@ via pyvis)">
<title>@@TITLE@@</title>
<style>@@VIS_CSS@@</style>
<style>
html, body { margin: 0; height: 100%; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; }
body { display: flex; flex-direction: column; }
header { padding: 8px 16px; border-bottom: 1px solid #ddd; background: #fafafa; }
header h1 { margin: 0; font-size: 20px; font-weight: 600; }
header p { margin: 2px 0 0; font-size: 13px; color: #555; }
main { position: relative; flex: 1; min-height: 400px; }
#kg-network { position: absolute; inset: 0; }
#kg-empty { padding: 40px; font-size: 16px; color: #666; }
#kg-legend { position: absolute; top: 12px; left: 12px; background: rgba(255,255,255,0.93);
  border: 1px solid #ccc; border-radius: 6px; padding: 8px 12px; font-size: 13px; z-index: 5;
  box-shadow: 0 1px 4px rgba(0,0,0,0.12); max-height: calc(100% - 40px); overflow: auto; }
#kg-legend h2 { font-size: 13px; margin: 0 0 6px; }
#kg-legend ul { list-style: none; margin: 0; padding: 0; }
#kg-legend li { display: flex; align-items: center; gap: 6px; margin: 2px 0; white-space: nowrap; }
#kg-legend .kg-swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%;
  border: 1px solid rgba(0,0,0,0.25); }
#kg-legend .kg-count { color: #777; }
#kg-legend .kg-hint { margin: 6px 0 0; color: #777; font-size: 12px; }
div.vis-tooltip { max-width: 520px; white-space: normal; padding: 0; border-radius: 4px;
  background: #fffef4; border: 1px solid #aaa; box-shadow: 2px 2px 8px rgba(0,0,0,0.2); }
.kg-tip { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; padding: 6px 8px; font-size: 12px; line-height: 1.35; white-space: pre-wrap; overflow-wrap: anywhere; }
.kg-tip-head { font-weight: 600; font-size: 13px; }
.kg-tip-meta { color: #555; }
.kg-tip-fact { margin-top: 5px; font-weight: 600; }
.kg-tip-sentence { margin-top: 2px; }
.kg-tip-source { color: #666; font-style: italic; }
</style>
</head>
<body>
<header><h1>@@TITLE@@</h1><p>@@SUMMARY@@</p></header>
<main>@@BODY@@</main>
<script id="kg-data" type="application/json">@@DATA@@</script>
<script>@@VIS_JS@@</script>
<script>@@APP_JS@@</script>
</body>
</html>
"""

# The page's own script. Tooltips are DOM elements filled with textContent,
# so the text of articles is never parsed as HTML.
_APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var container = document.getElementById("kg-network");
  if (!container || data.nodes.length === 0) { return; }

  function tooltip(rows) {
    var box = document.createElement("div");
    box.className = "kg-tip";
    rows.forEach(function (row) {
      var line = document.createElement("div");
      line.className = "kg-tip-" + row[0];
      line.textContent = row[1];
      box.appendChild(line);
    });
    return box;
  }
  data.nodes.forEach(function (n) { n.title = tooltip(n.tip); delete n.tip; });
  data.edges.forEach(function (e) { e.title = tooltip(e.tip); delete e.tip; });

  var network = new vis.Network(
    container,
    { nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges) },
    data.options
  );
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: { enabled: false } });
    network.fit();
  });
  network.once("afterDrawing", function () {
    document.body.setAttribute("data-kg-drawn", String(data.nodes.length));
  });
})();
"""


# --------------------------------------------------------------------------- escaping

def _escape_inline(code: str) -> str:
    """Make library code safe to inline in ``<script>``/``<style>`` with no URL in it.

    ``://`` becomes ``:\\/\\/``, which means the same inside JavaScript string
    and regex literals and CSS strings, and is inert in comments; ``</``
    before ``script``/``style`` and ``<!--`` cannot end or confuse the element.
    """
    code = code.replace("://", ":\\/\\/")
    code = re.sub(r"</(?=(?:script|style)\b)", r"<\\/", code, flags=re.IGNORECASE)
    return code.replace("<!--", "<\\!--")


def _json_for_script(value: Any) -> str:
    """JSON that can sit inside a ``<script>`` element and holds no URL substring."""
    text = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("/", "\\/"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _html_text(text: Any) -> str:
    """Escaped HTML text with ``/`` as an entity, so that no URL appears in the markup."""
    return html.escape(clean_text(text), quote=True).replace("/", "&#47;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- vis-network

@functools.lru_cache(maxsize=1)
def _vis_library() -> tuple[str, str]:
    """The vis-network JavaScript and CSS shipped with pyvis, escaped for inlining."""
    import pyvis

    base = Path(pyvis.__file__).resolve().parent
    for folder in (base / "lib" / f"vis-{VIS_VERSION}", base / "templates" / "lib" / f"vis-{VIS_VERSION}"):
        js, css = folder / "vis-network.min.js", folder / "vis-network.css"
        if js.is_file() and css.is_file():
            return (_escape_inline(js.read_text(encoding="utf-8")),
                    _escape_inline(css.read_text(encoding="utf-8")))
    raise KGError(f"pyvis at {base} has no vis-network {VIS_VERSION}; reinstall pyvis 0.3.2")


def _class_colour(cls: str) -> str:
    if cls in CLASS_COLOURS:
        return CLASS_COLOURS[cls]
    digest = int(hashlib.sha1(cls.encode("utf-8", "replace")).hexdigest(), 16)
    return _SPARE_COLOURS[digest % len(_SPARE_COLOURS)]


def _class_label(cls: str) -> str:
    spec = load_ontology().classes.get(cls)
    return spec.label if spec else cls


def _property_label(prop: str) -> str:
    spec = load_ontology().properties.get(prop)
    return spec.label if spec else prop


def _evidence_rows(evidence: list[dict], limit: int) -> list[list[str]]:
    rows = []
    for ev in evidence[:limit]:
        rows.append(["sentence", "“" + _clip(clean_text(ev.get("sentence")), MAX_SENTENCE) + "”"])
        meta = [clean_text(ev.get("modality") or "")]
        if ev.get("confidence") is not None:
            meta.append(f"{ev['confidence']:.2f}")
        source = clean_text(ev.get("source") or "unknown source")
        rows.append(["source", f"— {source} ({', '.join(m for m in meta if m)})"])
    if len(evidence) > limit:
        rows.append(["meta", f"… and {_n(len(evidence) - limit, 'more sentence')}"])
    return rows


def _fact_text(G: nx.MultiDiGraph, u: str, v: str, key: str) -> str:
    return f"{G.nodes[u]['label']} {_property_label(key)} {G.nodes[v]['label']}"


def _edge_tip(G: nx.MultiDiGraph, u: str, v: str, key: str, data: dict) -> list[list[str]]:
    n = len(data.get("evidence", ()))
    rows = [["head", _fact_text(G, u, v, key)],
            ["meta", f"confidence {data.get('confidence', 1.0):.2f} · {_n(n, 'sentence')}"]]
    return rows + _evidence_rows(data.get("evidence", []), MAX_TIP_EVIDENCE)


def _node_tip(G: nx.MultiDiGraph, node: str, cent: dict) -> list[list[str]]:
    attrs = G.nodes[node]
    meta = _class_label(attrs["cls"])
    if attrs.get("wikidata"):
        meta += f" · Wikidata {attrs['wikidata']}"
    rows = [["head", attrs["label"]], ["meta", meta],
            ["meta", f"PageRank {cent.get('pagerank', 0.0):.4f} · {_n(G.degree(node), 'fact')}"]]
    budget = MAX_TIP_EVIDENCE
    edges = sorted([*G.out_edges(node, keys=True, data=True), *(e for e in G.in_edges(node, keys=True, data=True) if e[0] != node)],
                   key=lambda e: (-e[3].get("weight", 1), e[2], str(e[0]), str(e[1])))
    for shown, (u, v, key, data) in enumerate(edges):
        if budget <= 0:
            rows.append(["meta", f"… and {_n(len(edges) - shown, 'more fact')}"])
            break
        rows.append(["fact", _fact_text(G, u, v, key)])
        evidence = data.get("evidence", [])
        rows += _evidence_rows(evidence, min(2, budget))
        budget -= max(1, min(2, len(evidence)))
    return rows


def _node_sizes(cent: dict[str, dict]) -> dict[str, float]:
    ranks = {n: c["pagerank"] for n, c in cent.items()}
    if not ranks:
        return {}
    lo, hi = min(ranks.values()), max(ranks.values())
    if hi - lo < 1e-12:
        return {n: 20.0 for n in ranks}
    return {n: round(12 + 30 * math.sqrt((r - lo) / (hi - lo)), 2) for n, r in ranks.items()}


def _edge_width(weight: int) -> float:
    """Line width of an edge: 1 for one sentence, thicker (logarithmically) for more."""
    return round(1 + 1.5 * math.log2(max(1, weight)), 2)


def _options(n_nodes: int) -> dict[str, Any]:
    # the view zooms out to fit a large graph; larger fonts keep the names readable at that zoom
    scale = max(1.0, math.sqrt(n_nodes / 30))
    return {
        "nodes": {"shape": "dot", "borderWidth": 1,
                  "font": {"size": round(14 * scale), "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "color": {"color": "#9aa5b1", "highlight": "#34495e", "hover": "#34495e"},
            "font": {"size": round(11 * scale), "color": "#444444", "strokeWidth": 3, "strokeColor": "#ffffff",
                     "align": "middle"},
            "smooth": {"enabled": True, "type": "dynamic"},
        },
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -9000, "springLength": 170, "springConstant": 0.03,
                          "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": 400 if n_nodes < 500 else 150, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n_nodes > 300,
                        "navigationButtons": False, "keyboard": False},
        "layout": {"randomSeed": 7, "improvedLayout": n_nodes <= 150},
    }


def _network_data(G: nx.MultiDiGraph, cent: dict | None = None) -> dict[str, Any]:
    """Nodes, edges and options for vis-network, built with pyvis."""
    from pyvis.network import Network

    if cent is None:
        cent = centrality(G)
    sizes = _node_sizes(cent)
    net = Network(directed=True)
    for node, attrs in G.nodes(data=True):
        label = attrs.get("label") or str(node)
        net.add_node(
            str(node), label=_clip(label, MAX_LABEL), shape="dot", color=_class_colour(attrs["cls"]),
            size=sizes.get(node, 20.0), cls=attrs["cls"], tip=_node_tip(G, node, cent.get(node, {})),
        )
    symmetric = {n for n, spec in load_ontology().properties.items() if spec.symmetric}
    for i, (u, v, key, data) in enumerate(G.edges(keys=True, data=True)):
        net.add_edge(
            str(u), str(v), id=f"e{i}", label=_property_label(key), property=key,
            weight=data.get("weight", 1), width=_edge_width(data.get("weight", 1)), arrows="" if key in symmetric else "to",
            tip=_edge_tip(G, u, v, key, data),
        )
    return {"nodes": net.nodes, "edges": net.edges, "options": _options(G.number_of_nodes())}


def _clean(value: Any) -> Any:
    """``value`` with every string cleaned for JSON (no lone surrogates or control characters)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _legend(G: nx.MultiDiGraph) -> str:
    counts: dict[str, int] = {}
    for _, cls in G.nodes(data="cls"):
        counts[cls] = counts.get(cls, 0) + 1
    items = "".join(
        f'<li data-class="{_html_text(cls)}"><span class="kg-swatch" style="background:{_class_colour(cls)}">'
        f'</span>{_html_text(_class_label(cls))} <span class="kg-count">({n})</span></li>'
        for cls, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return ('<aside id="kg-legend" aria-label="Legend"><h2>Entity classes</h2>'
            f"<ul>{items}</ul><p class=\"kg-hint\">Size: PageRank. Hover a node or an edge for its evidence.</p>"
            "</aside>")


def generate_html(graph: rdflib.Graph, *, title: str | None = "kg graph",
                  G: nx.MultiDiGraph | None = None,
                  centrality: dict[Hashable, dict[str, float]] | None = None) -> str:
    """A self-contained, offline HTML page that draws the entities and facts of ``graph``.

    Nodes are coloured by class (with a legend) and sized by PageRank;
    edges are labelled with their property. Hovering a node or an edge
    shows, as plain text, the sentences that support its facts and their
    sources.

    Parameters
    ----------
    graph : rdflib.Graph
        A graph in the layout of ``docs/architecture.md``.
    title : str, optional
        Title of the page (default ``"kg graph"``).
    G : networkx.MultiDiGraph, optional
        :func:`kg.analysis.entity_graph` of ``graph``, when the caller has
        it already (it is then not computed again; it must be of ``graph``).
    centrality : dict, optional
        :func:`kg.analysis.centrality` of ``G``, likewise (e.g.
        ``Analysis.centrality``).

    Returns
    -------
    str
        The HTML page. It loads nothing from the network and contains no
        ``http://`` or ``https://`` substring.

    Examples
    --------
    >>> page = generate_html(rdflib.Graph())
    >>> "No facts" in page and "<canvas" not in page
    True
    """
    if G is None:
        G = entity_graph(graph)
    title_text = clean_text(title if title is not None else "kg graph") or "kg graph"
    vis_js, vis_css = _vis_library()
    if G.number_of_nodes():
        data = _clean(_network_data(G, centrality))
        body = '<div id="kg-network"></div>' + _legend(G)
    else:
        data = {"nodes": [], "edges": [], "options": {}}
        body = '<div id="kg-empty">No facts in this graph.</div>'
    docs = G.graph.get("documents", 0)
    summary = (f"{_n(G.number_of_nodes(), 'entity')} · {_n(G.number_of_edges(), 'fact')}"
               + (f" · {_n(docs, 'document')}" if docs else ""))
    parts = {
        "CSP": _CSP,
        "VIS_VERSION": VIS_VERSION,
        "TITLE": _html_text(title_text),
        "SUMMARY": _html_text(summary),
        "VIS_CSS": vis_css,
        "VIS_JS": vis_js,
        "APP_JS": _APP_JS,
        "BODY": body,
        "DATA": _json_for_script(data),
    }
    return re.sub(r"@@([A-Z_]+)@@", lambda m: parts[m.group(1)], _PAGE)


def write_html(graph: rdflib.Graph, path: str | os.PathLike, *, title: str | None = "kg graph") -> None:
    """Write :func:`generate_html` of ``graph`` to ``path`` (UTF-8, atomically)."""
    atomic_write(path, generate_html(graph, title=title))
