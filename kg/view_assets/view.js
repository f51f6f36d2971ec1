/* kg graph view: the vis Network, search, filters, details and community groups.
 *
 * Article text (names, sentences, titles, sources) is data: it is read from the
 * JSON element "kg-data" and only ever put into the page with textContent,
 * never parsed as markup. The positions come precomputed from Python, so the
 * first frame is drawn at once and physics stays off.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var container = document.getElementById("kg-network");
  if (!container || data.nodes.length === 0) { return; }

  var MIN_SCALE = 0.8;          /* 14 px labels x 0.8 = 11.2 px on screen */
  var MAX_START_SCALE = 1.5;    /* a tiny graph does not open blown up */
  var LARGE = 400;              /* above this many nodes only the top labels are readable at the start */
  var LARGE_SCALE = 0.5;        /* start zoom of a large graph (its top labels are drawn larger) */
  var EDGES_AT_ONCE = 1500;     /* more edges than this are added in a second task */
  var EV_SHOWN = 4;             /* evidence sentences listed per fact before "and N more" */
  var nodeThreshold = data.options.nodes.scaling.label.drawThreshold;
  var edgeThreshold = data.options.edges.scaling.label.drawThreshold;

  /* ------------------------------------------------------------------ indexes */
  var byId = {};
  var factsOf = {};
  var edgeById = {};
  var nameIndex = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; factsOf[n.id] = []; });
  data.edges.forEach(function (e) {
    edgeById[e.id] = e;
    factsOf[e.from].push(e);
    if (e.to !== e.from) { factsOf[e.to].push(e); }
  });
  data.nodes.slice().sort(function (a, b) { return b.pr - a.pr; }).forEach(function (n) {
    [n.name].concat(n.aliases).forEach(function (name) {
      var key = name.toLowerCase();
      if (!(key in nameIndex)) { nameIndex[key] = n.id; }
    });
  });

  /* ------------------------------------------------------------------ DOM helpers (text only) */
  /* Tooltips are strings: vis-network shows them with innerText, as text. */
  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function $(id) { return document.getElementById(id); }
  function fmt(x) { return (x === null || x === undefined) ? "" : Number(x).toFixed(2); }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function factText(e) { return byId[e.from].name + " " + e.label + " " + byId[e.to].name; }

  /* ------------------------------------------------------------------ filters */
  var state = { classes: {}, props: {}, minConf: 0, hedged: true, single: true };
  data.nodes.forEach(function (n) { state.classes[n.cls] = true; });
  data.edges.forEach(function (e) { state.props[e.property] = true; });
  var edgeShown = {};
  var nodeShown = {};

  function computeVisibility() {
    data.edges.forEach(function (e) {
      edgeShown[e.id] = state.props[e.property] === true && e.confidence >= state.minConf - 1e-9 &&
        (state.hedged || !e.dashes) && (state.single || e.sources > 1) &&
        state.classes[byId[e.from].cls] === true && state.classes[byId[e.to].cls] === true;
    });
    data.nodes.forEach(function (n) {
      var facts = factsOf[n.id];
      nodeShown[n.id] = state.classes[n.cls] === true &&
        (facts.length === 0 || facts.some(function (e) { return edgeShown[e.id]; }));
    });
  }
  computeVisibility();

  /* ------------------------------------------------------------------ the network */
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    var item = { id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, color: n.color,
                 title: n.name + "\n" + data.classes[n.cls] + " · " + plural(factsOf[n.id].length, "fact") +
                        "\nClick for the evidence." };
    if (n.font) { item.font = n.font; item.scaling = n.scaling; }
    return item;
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var title = factText(e) + "\nconfidence " + fmt(e.confidence) + " · " + e.modality + " · " +
      plural(e.ev.length, "sentence") + (e.ev.length ? "\n“" + e.ev[0][0] + "”" : "");
    return { id: e.id, from: e.from, to: e.to, label: e.label, width: e.width, arrows: e.arrows,
             dashes: e.dashes, title: title };
  }));
  var nodesView = new vis.DataView(nodes, { filter: function (item) { return nodeShown[item.id]; } });
  /* A large graph gets its edges in a second task, so that building the network never
     blocks the page for long: nodes first (drawn at once), edges right after. */
  var edgesIn = data.edges.length <= EDGES_AT_ONCE;
  var edgesView = new vis.DataView(edges, { filter: function (item) { return edgesIn && edgeShown[item.id]; } });
  var network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, data.options);
  window.kgNetwork = network;

  /* ------------------------------------------------------------------ start view */
  function bounds(list) {
    var b = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
    list.forEach(function (n) {
      b.left = Math.min(b.left, n.x - n.size - 40); b.right = Math.max(b.right, n.x + n.size + 40);
      b.top = Math.min(b.top, n.y - n.size - 20); b.bottom = Math.max(b.bottom, n.y + n.size + 40);
    });
    return b;
  }
  function fitScale(b, w, h) {
    return Math.min(w / Math.max(b.right - b.left, 1), h / Math.max(b.bottom - b.top, 1));
  }
  /* The start view is computed from the precomputed positions, before the first frame
     (network.fit() would need a drawn frame, and a second full draw). */
  function startView() {
    var w = container.clientWidth;
    var h = container.clientHeight;
    var all = bounds(data.nodes);
    var scale = fitScale(all, w, h);
    var first = data.focus !== null && data.focus !== undefined ? byId[data.focus] : null;
    if (scale >= MIN_SCALE) {
      network.moveTo({ position: { x: (all.left + all.right) / 2, y: (all.top + all.bottom) / 2 },
                       scale: Math.min(scale, MAX_START_SCALE) });
      return;
    }
    var g = bounds(data.nodes.filter(function (n) { return n.comp === 0; }));
    if (!first && fitScale(g, w, h) >= MIN_SCALE) {
      /* the largest group fits readably: start at the top left, where the largest groups are packed */
      network.moveTo({ position: { x: Math.min(all.left + w / 2 / MIN_SCALE, (all.left + all.right) / 2),
                                   y: Math.min(all.top + h / 2 / MIN_SCALE, (all.top + all.bottom) / 2) },
                       scale: MIN_SCALE });
      return;
    }
    /* a large group: open on its most central entity (or the focus); zoom out for the rest */
    var top = first || data.nodes.reduce(function (a, n) { return n.pr > a.pr ? n : a; });
    network.moveTo({ position: { x: top.x, y: top.y },
                     scale: Math.max(scale, data.nodes.length > LARGE && !first ? LARGE_SCALE : MIN_SCALE) });
  }
  startView();
  function whenDrawn() {
    network.once("afterDrawing", function () {
      if (data.focus !== null && data.focus !== undefined) {  /* kg view --focus: its details at once */
        network.selectNodes([data.focus]);
        showNode(data.focus);
      }
      document.body.setAttribute("data-kg-drawn", String(nodesView.length));
      document.body.setAttribute("data-kg-ready", "1");
    });
  }
  if (edgesIn) {
    whenDrawn();
  } else {
    setTimeout(function () { edgesIn = true; edgesView.refresh(); whenDrawn(); }, 0);
  }

  /* ------------------------------------------------------------------ labels on hover (small graphs) */
  /* Every DataSet update makes vis-network revisit all nodes and edges, so on a large
     graph the view changes labels only in batches, on a click or a search. */
  var hoverLabels = data.nodes.length <= LARGE;
  function nodeLabel(id, on) {
    return { id: id, scaling: { label: { drawThreshold: on ? 1 : (byId[id].font ? 5 : nodeThreshold) } } };
  }
  function edgeLabel(id, on) {
    return { id: id, scaling: { label: { drawThreshold: on ? 1 : edgeThreshold } } };
  }
  network.on("hoverNode", function (p) {
    if (hoverLabels && byId[p.node] && !pinned.nodes[p.node]) { nodes.update(nodeLabel(p.node, true)); }
  });
  network.on("blurNode", function (p) {
    if (hoverLabels && byId[p.node] && !pinned.nodes[p.node]) { nodes.update(nodeLabel(p.node, false)); }
  });
  network.on("hoverEdge", function (p) {
    if (hoverLabels && edgeById[p.edge] && !pinned.edges[p.edge]) { edges.update(edgeLabel(p.edge, true)); }
  });
  network.on("blurEdge", function (p) {
    if (hoverLabels && edgeById[p.edge] && !pinned.edges[p.edge]) { edges.update(edgeLabel(p.edge, false)); }
  });

  /* ------------------------------------------------------------------ selection and highlight */
  var DIM = 0.22;
  var pinned = { nodes: {}, edges: {}, dim: false };  /* what the selection brightens and labels */
  function pin(nodeIds, edgeIds, dim) {
    var nodeSet = {};
    var edgeSet = {};
    nodeIds.forEach(function (id) { nodeSet[id] = true; });
    edgeIds.forEach(function (id) { edgeSet[id] = true; });
    if (dim !== pinned.dim) { network.setOptions({ nodes: { opacity: dim ? DIM : 1 } }); }
    var nodeUpdates = [];
    Object.keys(pinned.nodes).forEach(function (k) {
      if (!nodeSet[k]) { var u = nodeLabel(Number(k), false); u.opacity = dim ? DIM : 1; nodeUpdates.push(u); }
    });
    nodeIds.forEach(function (id) { var u = nodeLabel(id, true); u.opacity = 1; nodeUpdates.push(u); });
    var edgeUpdates = Object.keys(pinned.edges).filter(function (k) { return !edgeSet[k]; })
      .map(function (k) { return edgeLabel(k, false); })
      .concat(edgeIds.map(function (k) { return edgeLabel(k, true); }));
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
    pinned = { nodes: nodeSet, edges: edgeSet, dim: dim };
  }
  function undim() { pin([], [], false); }
  function highlight(id) {
    var near = {};
    near[id] = true;
    var shown = factsOf[id].filter(function (e) { return edgeShown[e.id]; });
    shown.forEach(function (e) { near[e.from] = near[e.to] = true; });
    pin(Object.keys(near).map(Number), shown.map(function (e) { return e.id; }), true);
  }

  function openClusterOf(id) {
    var path = network.clustering.findNode(id);
    for (var i = 0; i < path.length - 1; i++) { openGroup(path[i]); }
  }

  function select(id, focus) {
    var n = byId[id];
    if (!n) { return false; }
    if (!nodeShown[id]) {
      message(n.name + " is hidden by the filters (class " + data.classes[n.cls] + ").");
      showNode(id);
      return false;
    }
    openClusterOf(id);
    network.selectNodes([id]);
    highlight(id);
    showNode(id);
    if (focus) {
      network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 300, easingFunction: "easeInOutQuad" } });
    }
    return true;
  }

  function clearAll() {
    network.unselectAll();
    undim();
    var details = $("kg-details");
    details.textContent = "";
    details.appendChild(el("p", "kg-hint", "Click an entity or a fact for its evidence; Esc clears."));
    message("");
  }

  /* ------------------------------------------------------------------ details */
  function marked(sentence, a, b) {
    var box = el("span", "kg-sentence");
    var low = sentence.toLowerCase();
    var spans = [];
    [a, b].forEach(function (n) {
      var names = [n.name].concat(n.aliases).sort(function (x, y) { return y.length - x.length; });
      for (var i = 0; i < names.length; i++) {
        var at = names[i] ? low.indexOf(names[i].toLowerCase()) : -1;
        if (at >= 0) { spans.push([at, at + names[i].length]); return; }
      }
    });
    spans.sort(function (x, y) { return x[0] - y[0]; });
    var pos = 0;
    box.appendChild(document.createTextNode("“"));
    spans.forEach(function (s) {
      if (s[0] < pos) { return; }
      box.appendChild(document.createTextNode(sentence.slice(pos, s[0])));
      box.appendChild(el("mark", "", sentence.slice(s[0], s[1])));
      pos = s[1];
    });
    box.appendChild(document.createTextNode(sentence.slice(pos) + "”"));
    return box;
  }

  function evidenceList(e, limit) {
    var frag = document.createDocumentFragment();
    e.ev.slice(0, limit).forEach(function (ev) {
      var row = el("div", "kg-ev");
      row.appendChild(marked(ev[0], byId[e.from], byId[e.to]));
      var doc = data.docs[ev[1]] || ["", ""];
      var meta = [doc[0] || "unknown document"];
      if (doc[1]) { meta.push(doc[1]); }
      var more = [ev[3]];
      if (ev[2] !== null && ev[2] !== undefined) { more.unshift("confidence " + fmt(ev[2])); }
      row.appendChild(el("span", "kg-src", "— " + meta.join(" · ") + " (" + more.join(", ") + ")"));
      frag.appendChild(row);
    });
    if (e.ev.length > limit) { frag.appendChild(el("p", "kg-hint", "… and " + plural(e.ev.length - limit, "more sentence"))); }
    return frag;
  }

  function entityLink(n) {
    var a = el("span", "kg-entity-link", n.name);
    a.setAttribute("role", "link");
    a.tabIndex = 0;
    a.addEventListener("click", function () { select(n.id, true); });
    a.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { select(n.id, true); } });
    return a;
  }

  function factLine(e, here) {
    var line = el("div", "kg-fact" + (e.dashes ? " kg-hedged" : ""));
    [[e.from, byId[e.from]], [null, " " + e.label + " "], [e.to, byId[e.to]]].forEach(function (part) {
      if (part[0] === null) { line.appendChild(document.createTextNode(part[1])); }
      else if (part[0] === here) { line.appendChild(document.createTextNode(part[1].name)); }
      else { line.appendChild(entityLink(part[1])); }
    });
    return line;
  }

  function factMeta(e) {
    return el("div", "kg-meta", "confidence " + fmt(e.confidence) + " · " + e.modality + " · " +
      plural(e.ev.length, "sentence") + " from " + plural(e.sources, "source") +
      (edgeShown[e.id] ? "" : " · hidden by the filters"));
  }

  function showNode(id) {
    var n = byId[id];
    var box = $("kg-details");
    box.textContent = "";
    box.appendChild(el("h2", "", n.name));
    var meta = data.classes[n.cls] + (n.wd ? " · Wikidata " + n.wd : "") + " · PageRank " + n.pr.toFixed(4);
    box.appendChild(el("p", "kg-meta", meta));
    if (n.aliases.length) { box.appendChild(el("p", "kg-meta", "Also called: " + n.aliases.join(", "))); }
    var groups = {};
    factsOf[id].forEach(function (e) { (groups[e.label] = groups[e.label] || []).push(e); });
    var labels = Object.keys(groups).sort();
    if (!labels.length) { box.appendChild(el("p", "kg-hint", "This entity has no facts.")); }
    labels.forEach(function (label) {
      box.appendChild(el("h3", "", label + " (" + groups[label].length + ")"));
      groups[label].sort(function (a, b) { return b.ev.length - a.ev.length; }).forEach(function (e) {
        box.appendChild(factLine(e, id));
        box.appendChild(factMeta(e));
        box.appendChild(evidenceList(e, EV_SHOWN));
      });
    });
  }

  function showEdge(edgeId) {
    var e = edgeById[edgeId];
    if (!e) { return; }
    pin([e.from, e.to], [e.id], false);
    var box = $("kg-details");
    box.textContent = "";
    box.appendChild(el("h2", "", factText(e)));
    box.appendChild(factLine(e, null));
    box.appendChild(factMeta(e));
    box.appendChild(evidenceList(e, e.ev.length));
  }

  function showCluster(clusterId) {
    var members = network.getNodesInCluster(clusterId).map(function (i) { return byId[i]; }).filter(Boolean);
    members.sort(function (a, b) { return b.pr - a.pr; });
    var box = $("kg-details");
    box.textContent = "";
    box.appendChild(el("h2", "", "Community of " + plural(members.length, "entity")));
    box.appendChild(el("p", "kg-hint", "Double-click the group to open it."));
    var list = el("p", "kg-meta");
    members.slice(0, 40).forEach(function (n, i) {
      if (i) { list.appendChild(document.createTextNode(", ")); }
      list.appendChild(entityLink(n));
    });
    if (members.length > 40) { list.appendChild(document.createTextNode(" …")); }
    box.appendChild(list);
  }

  network.on("click", function (p) {
    if (p.nodes.length) {
      if (network.isCluster(p.nodes[0])) { showCluster(p.nodes[0]); } else { select(p.nodes[0], false); }
    } else if (p.edges.length && edgeById[p.edges[0]]) {
      showEdge(p.edges[0]);
    } else {
      clearAll();
    }
  });
  network.on("doubleClick", function (p) {
    if (p.nodes.length && network.isCluster(p.nodes[0])) { openGroup(p.nodes[0]); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { clearAll(); }
  });

  /* ------------------------------------------------------------------ search */
  function message(text) { $("kg-search-msg").textContent = text; }
  var names = $("kg-names");
  data.nodes.slice().sort(function (a, b) { return b.pr - a.pr; }).forEach(function (n) {
    [n.name].concat(n.aliases).forEach(function (name, i) {
      var opt = document.createElement("option");
      opt.value = name;
      if (i) { opt.label = "→ " + n.name; }
      names.appendChild(opt);
    });
  });
  function find(text) {
    var q = text.trim().toLowerCase();
    if (!q) { return null; }
    if (q in nameIndex) { return nameIndex[q]; }
    var best = null;
    var keys = Object.keys(nameIndex);
    [function (k) { return k.indexOf(q) === 0; }, function (k) { return k.indexOf(q) >= 0; }].some(function (test) {
      keys.forEach(function (k) {
        if (test(k) && (best === null || byId[nameIndex[k]].pr > byId[best].pr)) { best = nameIndex[k]; }
      });
      return best !== null;
    });
    return best;
  }
  function search(text) {
    var id = find(text);
    if (id === null) {
      message(text.trim() ? "No entity is called “" + text.trim() + "”." : "");
      return null;
    }
    message("");
    select(id, true);
    return id;
  }
  var box = $("kg-search");
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); search(box.value); }
  });
  box.addEventListener("input", function (ev) {
    /* a pick from the completion list */
    if (!ev.inputType || ev.inputType === "insertReplacementText") {
      if (box.value.trim().toLowerCase() in nameIndex) { search(box.value); }
    }
  });

  /* ------------------------------------------------------------------ filter controls */
  var clustered = false;
  function applyFilters() {
    var again = clustered;
    if (clustered) { uncluster(); }
    computeVisibility();
    nodesView.refresh();
    edgesView.refresh();
    if (again) { clusterAll(); }
    document.body.setAttribute("data-kg-drawn", String(nodesView.length));
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), function (input) {
    input.addEventListener("change", function () {
      var set = input.getAttribute("data-filter") === "class" ? state.classes : state.props;
      set[input.value] = input.checked;
      applyFilters();
    });
  });
  var slider = $("kg-confidence");
  slider.addEventListener("input", function () {
    state.minConf = Number(slider.value);
    $("kg-confidence-value").textContent = fmt(state.minConf);
    applyFilters();
  });
  $("kg-hedged").addEventListener("change", function (ev) { state.hedged = ev.target.checked; applyFilters(); });
  $("kg-single").addEventListener("change", function (ev) { state.single = ev.target.checked; applyFilters(); });
  $("kg-fit").addEventListener("click", function () { network.fit({ animation: { duration: 300 } }); });

  /* ------------------------------------------------------------------ communities */
  var clusterIds = [];
  function clusterAll() {
    var groups = {};
    data.nodes.forEach(function (n) {
      if (nodeShown[n.id]) { (groups[n.comm] = groups[n.comm] || []).push(n); }
    });
    Object.keys(groups).forEach(function (c) {
      var members = groups[c];
      if (members.length < 3) { return; }
      var top = members.slice().sort(function (a, b) { return b.pr - a.pr; })[0];
      var cid = "community-" + c;
      var comm = Number(c);
      network.clustering.cluster({
        joinCondition: function (o) { var n = byId[o.id]; return n !== undefined && n.comm === comm; },
        clusterNodeProperties: {
          id: cid, label: top.label + " +" + (members.length - 1), shape: "dot", color: top.color,
          size: Math.min(70, 14 + 4 * Math.sqrt(members.length)), borderWidth: 3,
          font: { size: 16 }, scaling: { label: { drawThreshold: 1 } },
          title: "Community of " + plural(members.length, "entity") + "\naround " + top.name +
                 "; double-click to open"
        }
      }, false);
      clusterIds.push(cid);
    });
    dataChanged();
    clustered = true;
  }
  /* Many groups are made or opened without vis-network revisiting the whole graph after
     each one (refreshData = false); it is told once at the end. */
  function dataChanged() { network.body.emitter.emit("_dataChanged"); }
  function openGroup(cid, refresh) {
    var at = clusterIds.indexOf(cid);
    if (at >= 0) {
      clusterIds.splice(at, 1);
      network.clustering.openCluster(cid, {}, refresh !== false);
    }
  }
  function uncluster() {
    clusterIds.slice().forEach(function (cid) { openGroup(cid, false); });
    dataChanged();
    clustered = false;
  }
  var clusterButton = $("kg-cluster");
  clusterButton.addEventListener("click", function () {
    undim();
    if (clustered) { uncluster(); } else { clusterAll(); }
    clusterButton.setAttribute("aria-pressed", String(clustered));
    clusterButton.textContent = clustered ? "Open all groups" : "Group communities";
  });

  window.kgView = { search: search, select: select, clear: clearAll, nodes: nodes, edges: edges,
                    visibleNodes: function () { return nodesView.getIds(); },
                    visibleEdges: function () { return edgesView.getIds(); } };
})();
