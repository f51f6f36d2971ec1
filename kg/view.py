"""An interactive HTML view of a kg graph: one self-contained page that works offline.

The page is a small template of this module into which the vis-network
library shipped inside the pyvis package and the page's own script and style
(``kg/view_assets/``) are inlined. Nothing is loaded over the network: the
page has no ``src`` or ``href`` attributes, a Content-Security-Policy that
forbids all fetches, and no ``http://`` or ``https://`` substring at all.

The layout is computed here, in Python, so the browser draws the graph at
once without running a physics simulation: each connected group of
entities is laid out by a force-directed method and the groups are packed
side by side, largest first. Large graphs are cut down to the entities with
the highest PageRank (``max_nodes``) or to the neighbourhood of one entity
(``focus`` and ``hops``).

Article text is untrusted. It reaches the page only as JSON inside a
``<script type="application/json">`` element, with ``<``, ``>``, ``&``, ``/``
and the line separators escaped, and the page's script builds every element
that shows it with ``textContent``, so an entity called
``<img src=x onerror=...>`` shows as text and never as markup.

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

import difflib
import functools
import hashlib
import html
import importlib.util
import json
import math
import os
import re
from collections.abc import Hashable
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import rdflib
from rdflib import RDF, SKOS
from rdflib.namespace import DCTERMS
from scipy.spatial import cKDTree

from .analysis import (
    _best_literal,
    _document_name,
    _first,
    _multi,
    _n,
    _one_line,
    _undirected,
    clean_text,
    communities,
    entity_graph,
)
from .atomic import atomic_write
from .errors import InputError, KGError
from .ontology import KGO, load_ontology

__all__ = [
    "CLASS_COLOURS",
    "DEFAULT_MAX_NODES",
    "GraphView",
    "generate_html",
    "graph_title",
    "layout",
    "select_entities",
    "write_html",
]

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

DEFAULT_MAX_NODES = 2000  # entities drawn unless told otherwise (kg view --max-nodes)
MAX_LABEL = 40  # characters of a node label drawn on the canvas (the panel has it all)
MAX_SENTENCE = 600  # characters of an evidence sentence carried into the page
MAX_TITLE = 160  # characters of the page title
EDGE_LENGTH = 140.0  # typical length of an edge of the precomputed layout, in canvas pixels
NODE_SPACING = 70.0  # most nodes are at least this far from their nearest neighbour
CURVED_EDGES_UP_TO = 300  # nodes; larger graphs get straight edges (much faster to draw)
FONT_SIZE = 14  # canvas font size of a node label; 14 px x the initial zoom (>= 0.8) is >= 11 px

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
<style>@@APP_CSS@@</style>
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


# --------------------------------------------------------------------------- inlined code

@functools.lru_cache(maxsize=1)
def _vis_library() -> tuple[str, str]:
    """The vis-network JavaScript and CSS shipped with pyvis, escaped for inlining."""
    spec = importlib.util.find_spec("pyvis")  # found, not imported (importing pyvis imports IPython)
    if spec is None or spec.origin is None:
        raise KGError("pyvis is not installed; install kg's dependencies (pip install pyvis)")
    base = Path(spec.origin).resolve().parent
    for folder in (base / "lib" / f"vis-{VIS_VERSION}", base / "templates" / "lib" / f"vis-{VIS_VERSION}"):
        js, css = folder / "vis-network.min.js", folder / "vis-network.css"
        if js.is_file() and css.is_file():
            return (_escape_inline(js.read_text(encoding="utf-8")),
                    _escape_inline(css.read_text(encoding="utf-8")))
    raise KGError(f"pyvis at {base} has no vis-network {VIS_VERSION}; reinstall pyvis 0.3.2")


@functools.lru_cache(maxsize=1)
def _app_assets() -> tuple[str, str]:
    """The page's own script and style (``kg/view_assets/view.js`` and ``view.css``)."""
    folder = resources.files("kg") / "view_assets"
    try:
        return (_escape_inline((folder / "view.js").read_text(encoding="utf-8")),
                _escape_inline((folder / "view.css").read_text(encoding="utf-8")))
    except OSError as exc:
        raise KGError(f"kg/view_assets: {exc}; the kg installation is incomplete, reinstall kg") from exc


# --------------------------------------------------------------------------- what the page shows

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


def _documents(graph: rdflib.Graph) -> list[tuple[str, str, str]]:
    """``(name, source, sort key)`` of every document, in the order of their file names."""
    titles, file_names, sources = (_multi(graph, p) for p in (DCTERMS.title, KGO.fileName, DCTERMS.source))
    docs = []
    for doc in {str(d) for d in graph.subjects(RDF.type, KGO.Document)}:
        name = _document_name(doc, titles, file_names, sources)
        source = _one_line(str(_first(sources.get(doc)) or ""))
        key = _best_literal(file_names.get(doc)) or name
        docs.append((name, source, f"{key}\x00{doc}"))
    docs.sort(key=lambda d: d[2])
    return docs


def graph_title(graph: rdflib.Graph) -> str:
    """What a view of ``graph`` is about: the title of its single document, or "N articles: ...".

    Examples
    --------
    >>> g = rdflib.Graph()
    >>> for i, t in enumerate(["Peru mines", "Chile smelts", "Japan buys", "Zinc"]):
    ...     _ = g.add((rdflib.URIRef(f"urn:d{i}"), RDF.type, KGO.Document))
    ...     _ = g.add((rdflib.URIRef(f"urn:d{i}"), DCTERMS.title, rdflib.Literal(t)))
    >>> graph_title(g)
    '4 articles: Chile smelts, Japan buys, Peru mines, …'
    >>> graph_title(rdflib.Graph())
    'kg graph'
    """
    names = [name for name, _, _ in _documents(graph)]
    if not names:
        return "kg graph"
    if len(names) == 1:
        return _clip(names[0], MAX_TITLE)
    shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
    return _clip(f"{len(names)} articles: {shown}", MAX_TITLE)


def _aliases(graph: rdflib.Graph, node: str, label: str) -> list[str]:
    names = {_one_line(o) for o in graph.objects(rdflib.URIRef(node), SKOS.altLabel)}
    return sorted(n for n in names if n and n != label)


def _fact_modalities(graph: rdflib.Graph) -> dict[tuple[str, str, str], str]:
    """``kgo:modality`` of each fact node, keyed by (subject, predicate, object) strings."""
    out = {}
    for fact in graph.subjects(RDF.type, KGO.Fact):
        spo = (graph.value(fact, RDF.subject), graph.value(fact, RDF.predicate), graph.value(fact, RDF.object))
        modality = graph.value(fact, KGO.modality)
        if None not in spo and modality is not None:
            out[tuple(map(str, spo))] = str(modality)
    return out


def _pagerank(G: nx.MultiDiGraph) -> dict[Hashable, float]:
    """Evidence-weighted PageRank of the undirected projection, as in :func:`kg.analysis.centrality`."""
    U = _undirected(G)
    if U.number_of_edges() == 0:
        return {n: 1.0 / max(1, U.number_of_nodes()) for n in U}
    return nx.pagerank(U, weight="weight")


def _find_entity(G: nx.MultiDiGraph, graph: rdflib.Graph, name: str) -> str:
    """The node of ``G`` called ``name`` (label or alias, ignoring case)."""
    wanted = _one_line(name).casefold()
    names: dict[str, str] = {}
    for node in sorted(G, key=lambda n: (-G.degree(n), str(n))):
        label = G.nodes[node]["label"]
        for alias in [label, *_aliases(graph, node, label)]:
            names.setdefault(alias.casefold(), node)
    if wanted in names:
        return names[wanted]
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.6)
    hint = ("did you mean " + ", ".join(f'"{G.nodes[names[c]]["label"]}"' for c in close) + "?"
            if close else "give the name or an alias of an entity as the view or kg analyze shows it")
    raise InputError(f'--focus "{_clip(name, 80)}": no entity of that name in the graph; {hint}')


def select_entities(G: nx.MultiDiGraph, pagerank: dict[Hashable, float], *, max_nodes: int = DEFAULT_MAX_NODES,
                    focus: Hashable | None = None, hops: int = 2) -> list[Hashable]:
    """The entities a view draws: the neighbourhood of ``focus``, then the top ``max_nodes`` by PageRank.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The entity graph.
    pagerank : dict
        PageRank of every node of ``G``.
    max_nodes : int
        At most this many entities (the focus entity is always kept).
    focus : node of G, optional
        Keep only the entities at most ``hops`` facts away from it (either direction).
    hops : int
        Radius of the neighbourhood of ``focus``.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("x", "y")])
    >>> pr = {"a": .1, "b": .3, "c": .3, "d": .1, "x": .1, "y": .1}
    >>> select_entities(G, pr, focus="a", hops=2), select_entities(G, pr, max_nodes=2)
    (['a', 'b', 'c'], ['b', 'c'])
    """
    nodes = list(G)
    if focus is not None:
        near = nx.single_source_shortest_path_length(G.to_undirected(as_view=True), focus, cutoff=hops)
        nodes = [n for n in nodes if n in near]
    if len(nodes) > max_nodes:
        ranked = sorted(nodes, key=lambda n: (n != focus, -pagerank.get(n, 0.0), str(n)))
        keep = set(ranked[:max(1, max_nodes)])
        nodes = [n for n in nodes if n in keep]
    return nodes


# --------------------------------------------------------------------------- layout

def _force_layout(n: int, edges: np.ndarray, seed: int, iterations: int = 80) -> np.ndarray:
    """Fruchterman-Reingold positions of one connected group, with an ideal edge length of 1.

    Repulsion is only felt within three edge lengths (neighbours found with a
    k-d tree), so one step costs about as much as the edges and nearby pairs,
    not n²; a mild pull to the centre keeps the group round.
    """
    rng = np.random.default_rng(seed)
    radius = math.sqrt(n) * 0.9
    angle, r = rng.uniform(0, 2 * math.pi, n), radius * np.sqrt(rng.uniform(0, 1, n))
    pos = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    step = radius / 4
    for _ in range(iterations):
        disp = np.zeros_like(pos)
        pairs = cKDTree(pos).query_pairs(3.0, output_type="ndarray")
        if len(pairs):
            i, j = pairs[:, 0], pairs[:, 1]
            delta = pos[i] - pos[j]
            dist2 = np.maximum((delta ** 2).sum(axis=1), 1e-4)
            push = delta / dist2[:, None]  # magnitude 1/d along the unit vector
            np.add.at(disp, i, push)
            np.subtract.at(disp, j, push)
        if len(edges):
            u, v = edges[:, 0], edges[:, 1]
            delta = pos[u] - pos[v]
            dist = np.sqrt(np.maximum((delta ** 2).sum(axis=1), 1e-8))
            pull = delta * dist[:, None]  # magnitude d² along the unit vector
            np.subtract.at(disp, u, pull)
            np.add.at(disp, v, pull)
        disp -= pos * (0.4 / radius)
        length = np.maximum(np.sqrt((disp ** 2).sum(axis=1)), 1e-9)
        pos += disp * (np.minimum(length, step) / length)[:, None]
        step = max(step * 0.93, 0.02)
    return pos


def _group_layout(U: nx.Graph, group: list, seed: int) -> dict[Hashable, tuple[float, float]]:
    """Positions of one connected group, centred on 0, in canvas pixels."""
    if len(group) == 1:
        return {group[0]: (0.0, 0.0)}
    if len(group) == 2:
        return {group[0]: (-EDGE_LENGTH / 2, 0.0), group[1]: (EDGE_LENGTH / 2, 0.0)}
    index = {node: i for i, node in enumerate(group)}
    edges = np.array([(index[u], index[v]) for u, v in U.subgraph(group).edges()], dtype=int).reshape(-1, 2)
    pos = _force_layout(len(group), edges, seed)
    lengths = np.sqrt(((pos[edges[:, 0]] - pos[edges[:, 1]]) ** 2).sum(axis=1))
    # edges of a typical length, and room for labels in the crowded middle of a hub-heavy group
    nearest = cKDTree(pos).query(pos, k=2)[0][:, 1]
    scale = max(EDGE_LENGTH / max(float(np.median(lengths)), 1e-6),
                NODE_SPACING / max(float(np.percentile(nearest, 10)), 1e-6))
    pos = (pos - pos.mean(axis=0)) * scale
    return {node: (float(x), float(y)) for node, (x, y) in zip(group, pos)}


def layout(G: nx.MultiDiGraph, *, seed: int = 7) -> dict[Hashable, tuple[float, float]]:
    """Canvas positions of the nodes of ``G``: each connected group laid out, the groups packed in rows.

    Groups are placed largest first, left to right in rows about one and a
    half times as wide as the whole is tall (a landscape window), so a graph of many small groups opens as a compact
    block rather than a scatter. The same graph always gets the same layout.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("x", "y")])
    >>> pos = layout(G)
    >>> sorted(pos) == ["a", "b", "c", "x", "y"] and pos == layout(G)
    True
    """
    U = nx.Graph(G.to_undirected(as_view=True))
    U.remove_edges_from(list(nx.selfloop_edges(U)))
    groups = sorted((sorted(c, key=str) for c in nx.connected_components(U)), key=lambda c: (-len(c), str(c[0])))
    placed = []
    for group in groups:
        pos = _group_layout(U, group, seed)
        xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
        pad = EDGE_LENGTH * 0.4
        placed.append((pos, min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad))
    area = sum(w * h for _, _, _, w, h in placed)
    row_width = max(max((w for *_, w, _ in placed), default=0.0), math.sqrt(area * 1.5))  # rows for a landscape window
    out: dict[Hashable, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for pos, left, top, w, h in placed:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for node, (px, py) in pos.items():
            out[node] = (round(px - left + x, 1), round(py - top + y, 1))
        x, row_height = x + w, max(row_height, h)
    if out:
        cx = (min(p[0] for p in out.values()) + max(p[0] for p in out.values())) / 2
        cy = (min(p[1] for p in out.values()) + max(p[1] for p in out.values())) / 2
        out = {n: (round(px - cx, 1), round(py - cy, 1)) for n, (px, py) in out.items()}
    return out


# --------------------------------------------------------------------------- page data

def _edge_width(weight: int) -> float:
    """Line width of an edge: 1 for one sentence, thicker (logarithmically) for more."""
    return round(1 + 1.5 * math.log2(max(1, weight)), 2)


def _options(n_nodes: int) -> dict[str, Any]:
    curved = n_nodes <= CURVED_EDGES_UP_TO
    return {
        "nodes": {"shape": "dot", "borderWidth": 1,
                  "font": {"size": FONT_SIZE, "strokeWidth": 3, "strokeColor": "#ffffff"},
                  # labels of minor entities appear once zoomed in to where they are readable
                  "scaling": {"label": {"drawThreshold": 11 if n_nodes > 60 else 5, "maxVisible": 30}}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "color": {"color": "#9aa5b1", "highlight": "#34495e", "hover": "#34495e"},
            # edge labels show when zoomed in, and on hover or selection (view.js lowers the threshold)
            "font": {"size": 12, "color": "#444444", "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"},
            "scaling": {"label": {"drawThreshold": 19}},
            "smooth": {"enabled": True, "type": "continuous", "roundness": 0.3} if curved else {"enabled": False},
        },
        "physics": {"enabled": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": n_nodes > 300,
                        "hideEdgesOnZoom": n_nodes > 1000, "navigationButtons": False, "keyboard": False,
                        "multiselect": False},
        "layout": {"randomSeed": 7, "improvedLayout": False},
    }


def _rank_fonts(nodes: list, pagerank: dict) -> dict[Hashable, int]:
    """Larger, always-drawn labels for the top entities by PageRank (level of detail).

    Graphs of up to 60 entities draw every label; larger ones draw the labels
    of the top 4% (at least 12) at any zoom, the others once zoomed in to where
    they are readable (``drawThreshold`` in :func:`_options`).
    """
    if len(nodes) <= 60:
        return {}
    top = sorted(nodes, key=lambda n: (-pagerank.get(n, 0.0), str(n)))[:max(12, len(nodes) // 25)]
    boost = min(2.0, math.sqrt(len(nodes) / 300))
    return {n: round(FONT_SIZE + 10 * max(boost, 0.4) * (1 - i / len(top))) for i, n in enumerate(top)}


def _node_sizes(nodes: list, pagerank: dict) -> dict[Hashable, float]:
    ranks = {n: pagerank.get(n, 0.0) for n in nodes}
    if not ranks:
        return {}
    lo, hi = min(ranks.values()), max(ranks.values())
    if hi - lo < 1e-12:
        return {n: 16.0 for n in ranks}
    return {n: round(10 + 24 * math.sqrt((r - lo) / (hi - lo)), 1) for n, r in ranks.items()}


def _page_data(graph: rdflib.Graph, G: nx.MultiDiGraph, cent: dict, nodes: list) -> dict[str, Any]:
    """Everything view.js needs: nodes with positions, facts with evidence, documents, options."""
    H = G.subgraph(nodes)
    pagerank = {n: c.get("pagerank", 0.0) for n, c in cent.items()}
    pos = layout(H)
    sizes = _node_sizes(nodes, pagerank)
    fonts = _rank_fonts(nodes, pagerank)
    community = {n: i for i, group in enumerate(communities(H)) for n in group}
    component = {n: i for i, group in enumerate(sorted(nx.weakly_connected_components(H), key=len, reverse=True))
                 for n in group}
    docs = _documents(graph)
    doc_index = {name: i for i, (name, _, _) in enumerate(docs)}
    ids = {n: i for i, n in enumerate(nodes)}
    out_nodes = []
    for n in nodes:
        attrs = G.nodes[n]
        label = attrs.get("label") or str(n)
        item = {"id": ids[n], "label": _clip(label, MAX_LABEL), "name": label, "cls": attrs["cls"],
                "color": _class_colour(attrs["cls"]), "size": sizes.get(n, 16.0), "x": pos[n][0], "y": pos[n][1],
                "comm": community.get(n, 0), "comp": component.get(n, 0),
                "pr": round(pagerank.get(n, 0.0), 5), "aliases": _aliases(graph, n, label),
                "wd": attrs.get("wikidata") or ""}
        if n in fonts:
            item["font"] = {"size": fonts[n]}
            item["scaling"] = {"label": {"drawThreshold": 5}}
        out_nodes.append(item)
    modalities = _fact_modalities(graph)
    symmetric = {p for p, spec in load_ontology().properties.items() if spec.symmetric}
    out_edges = []
    for i, (u, v, key, data) in enumerate(H.edges(keys=True, data=True)):
        evidence = data.get("evidence", [])
        mods = {ev.get("modality") or "asserted" for ev in evidence}
        modality = modalities.get((u, data.get("predicate", ""), v)) or (
            "asserted" if "asserted" in mods or not mods else min(mods))
        for ev in evidence:
            doc_index.setdefault(ev.get("source") or "", len(docs))
            if len(docs) < len(doc_index):
                docs.append((ev.get("source") or "", "", ""))
        out_edges.append({
            "id": f"e{i}", "from": ids[u], "to": ids[v], "label": _property_label(key), "property": key,
            "weight": data.get("weight", 1), "width": _edge_width(data.get("weight", 1)),
            "arrows": "" if key in symmetric else "to", "confidence": round(float(data.get("confidence", 1.0)), 3),
            "modality": modality, "dashes": modality in ("hedged", "planned"),
            "sources": len({ev.get("source") or "" for ev in evidence}) or 1,
            "ev": [[_clip(clean_text(ev.get("sentence")), MAX_SENTENCE), doc_index[ev.get("source") or ""],
                    ev.get("confidence"), ev.get("modality") or "asserted"] for ev in evidence],
        })
    return {"nodes": out_nodes, "edges": out_edges, "docs": [[name, source] for name, source, _ in docs],
            "classes": {c: _class_label(c) for c in sorted({G.nodes[n]["cls"] for n in nodes})},
            "options": _options(len(nodes))}


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


# --------------------------------------------------------------------------- the side panel

def _checkbox_list(kind: str, counts: dict[str, int], label, swatch=None) -> str:
    items = []
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        dot = f'<span class="kg-swatch" style="background:{swatch(key)}"></span>' if swatch else ""
        items.append(f'<li data-{kind}="{_html_text(key)}"><label><input type="checkbox" checked '
                     f'data-filter="{kind}" value="{_html_text(key)}">{dot}{_html_text(label(key))} '
                     f'<span class="kg-count">({n})</span></label></li>')
    return f'<ul class="kg-checks">{"".join(items)}</ul>'


def _panel(H: nx.MultiDiGraph, note: str) -> str:
    classes: dict[str, int] = {}
    for _, cls in H.nodes(data="cls"):
        classes[cls] = classes.get(cls, 0) + 1
    props: dict[str, int] = {}
    for _, _, key in H.edges(keys=True):
        props[key] = props.get(key, 0) + 1
    note_html = f'<p id="kg-note" role="note">{_html_text(note)}</p>' if note else ""
    return (
        '<aside id="kg-panel" aria-label="Search, filters and details">'
        '<div class="kg-search"><label for="kg-search">Find an entity</label>'
        '<input id="kg-search" type="search" list="kg-names" autocomplete="off" '
        'placeholder="name or alias, then Enter" spellcheck="false"><datalist id="kg-names"></datalist>'
        '<p id="kg-search-msg" class="kg-hint" aria-live="polite"></p></div>'
        f"{note_html}"
        '<div class="kg-buttons"><button id="kg-fit" type="button">Fit all</button>'
        '<button id="kg-cluster" type="button" aria-pressed="false">Group communities</button></div>'
        '<section id="kg-details" aria-live="polite"><p class="kg-hint">Click an entity or a fact for its '
        "evidence; Esc clears. Hover for a summary; double-click a community to open it.</p></section>"
        '<details open id="kg-legend"><summary>Entity classes</summary>'
        f"{_checkbox_list('class', classes, _class_label, _class_colour)}"
        '<p class="kg-hint">Size: PageRank. Untick a class to hide it.</p></details>'
        '<details open id="kg-props"><summary>Facts</summary>'
        '<div class="kg-slider"><label for="kg-confidence">Minimum confidence '
        '<output id="kg-confidence-value">0.00</output></label>'
        '<input id="kg-confidence" type="range" min="0" max="1" step="0.05" value="0"></div>'
        '<label class="kg-toggle"><input id="kg-hedged" type="checkbox" checked> hedged or planned facts '
        '(dashed)</label>'
        '<label class="kg-toggle"><input id="kg-single" type="checkbox" checked> facts from one source only</label>'
        f"{_checkbox_list('property', props, _property_label)}</details>"
        "</aside>"
    )


# --------------------------------------------------------------------------- the page

class GraphView(str):
    """The HTML page of a view (a ``str``) that Jupyter shows inline, in a sandboxed frame.

    Examples
    --------
    >>> v = GraphView("<!DOCTYPE html><p>x</p>")
    >>> v.startswith("<!DOCTYPE") and v._repr_html_().startswith("<iframe")
    True
    """

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(str(self), quote=True)}" title="kg graph view" '
                'style="width:100%;height:640px;border:1px solid #ddd" '
                'sandbox="allow-scripts"></iframe>')


def generate_html(graph: rdflib.Graph, *, title: str | None = None,
                  G: nx.MultiDiGraph | None = None,
                  centrality: dict[Hashable, dict[str, float]] | None = None,
                  max_nodes: int = DEFAULT_MAX_NODES, focus: str | None = None, hops: int = 2) -> GraphView:
    """A self-contained, offline HTML page that draws the entities and facts of ``graph``.

    Nodes are coloured by class and sized by PageRank; edges are labelled
    with their property (dashed when hedged or planned). A side panel finds
    an entity by name or alias, filters by class, property, confidence,
    modality and number of sources, and lists the evidence sentences of the
    clicked entity or fact. The vis Network is ``window.kgNetwork``.

    Parameters
    ----------
    graph : rdflib.Graph
        A graph in the layout of ``docs/architecture.md``.
    title : str, optional
        Title of the page; by default :func:`graph_title` (the title of the
        single document, or "N articles: first titles, ...").
    G : networkx.MultiDiGraph, optional
        :func:`kg.analysis.entity_graph` of ``graph``, when the caller has
        it already (it is then not computed again; it must be of ``graph``).
    centrality : dict, optional
        :func:`kg.analysis.centrality` of ``G``, likewise (e.g.
        ``Analysis.centrality``).
    max_nodes : int
        Draw at most this many entities, those with the highest PageRank;
        the page says how many were left out.
    focus : str, optional
        Name or alias of an entity: draw only its neighbourhood.
    hops : int
        With ``focus``: how many facts away from it an entity may be.

    Returns
    -------
    GraphView
        The HTML page (a ``str``). It loads nothing from the network and
        contains no ``http://`` or ``https://`` substring.

    Raises
    ------
    kg.errors.InputError
        When ``focus`` names no entity, or ``max_nodes`` or ``hops`` is not positive.

    Examples
    --------
    >>> page = generate_html(rdflib.Graph())
    >>> "No facts in this graph." in page and '<div id="kg-network">' not in page
    True
    """
    if max_nodes < 1:
        raise InputError(f"--max-nodes {max_nodes}: must be at least 1 (the default is {DEFAULT_MAX_NODES})")
    if hops < 0:
        raise InputError(f"--hops {hops}: must be 0 or more (the default is 2)")
    if G is None:
        G = entity_graph(graph)
    if centrality is None:  # PageRank is all the view needs (betweenness would cost far more)
        centrality = {n: {"pagerank": r} for n, r in _pagerank(G).items()}
    title_text = clean_text(title if title is not None else graph_title(graph)) or "kg graph"
    focus_node = _find_entity(G, graph, focus) if focus is not None else None
    pagerank = {n: c.get("pagerank", 0.0) for n, c in centrality.items()}
    nodes = select_entities(G, pagerank, max_nodes=max_nodes, focus=focus_node, hops=hops)
    H = G.subgraph(nodes)
    notes = []
    if focus_node is not None:
        notes.append(f"The neighbourhood of {G.nodes[focus_node]['label']} ({_n(hops, 'hop')}): "
                     f"{_n(len(nodes), 'entity')} of {G.number_of_nodes()}.")
    reachable = G.number_of_nodes() if focus_node is None else len(
        nx.single_source_shortest_path_length(G.to_undirected(as_view=True), focus_node, cutoff=hops))
    left_out = reachable - len(nodes)
    if left_out > 0:
        notes.append(f"Showing the {_n(len(nodes), 'entity')} with the highest PageRank; {left_out:,} more "
                     f"are left out. Draw more with kg view SOURCE --max-nodes N, or one part with --focus NAME.")
    vis_js, vis_css = _vis_library()
    app_js, app_css = _app_assets()
    if nodes:
        data = _clean(_page_data(graph, G, centrality, nodes))
        data["focus"] = nodes.index(focus_node) if focus_node is not None else None
        body = '<div id="kg-network"></div>' + _panel(H, " ".join(notes))
    else:
        data = {"nodes": [], "edges": [], "options": {}}
        body = '<div id="kg-empty">No facts in this graph.</div>'
    docs = G.graph.get("documents", 0)
    summary = (f"{_n(G.number_of_nodes(), 'entity')} · {_n(G.number_of_edges(), 'fact')}"
               + (f" · {_n(docs, 'document')}" if docs else "")
               + (f" · {len(nodes):,} drawn" if len(nodes) < G.number_of_nodes() else ""))
    parts = {
        "CSP": _CSP,
        "VIS_VERSION": VIS_VERSION,
        "TITLE": _html_text(title_text),
        "SUMMARY": _html_text(summary),
        "VIS_CSS": vis_css,
        "VIS_JS": vis_js,
        "APP_CSS": app_css,
        "APP_JS": app_js,
        "BODY": body,
        "DATA": _json_for_script(data),
    }
    return GraphView(re.sub(r"@@([A-Z_]+)@@", lambda m: parts[m.group(1)], _PAGE))


def write_html(graph: rdflib.Graph, path: str | os.PathLike, **kw: Any) -> None:
    """Write :func:`generate_html` of ``graph`` to ``path`` (UTF-8, atomically); ``kw`` go to it."""
    atomic_write(path, str(generate_html(graph, **kw)))
