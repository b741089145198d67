/* kg graph view. Reads the JSON data block written by kg/viz/html.py and draws it with vis-network.
 *
 * Safety rule for this file: text from the data (labels, sentences, headlines) only ever reaches
 * the page through textContent / text nodes; no data goes through innerHTML, and links are made
 * only from http(s) addresses. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var container = document.getElementById("kg-network");
  var NBSP = "\u202f";

  // ---------------------------------------------------------------- helpers

  function $(id) { return document.getElementById(id); }

  /** Element with attributes and children; strings become text nodes, never markup. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === undefined || value === null || value === false) return;
        if (key === "text") node.textContent = String(value);
        else if (key === "class") node.className = value;
        else if (key === "onclick") node.addEventListener("click", value);
        else node.setAttribute(key, value === true ? "" : String(value));
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      node.append(child);
    }
    return node;
  }

  /** Accent-, case- and spacing-insensitive form for search. */
  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[\s\-\u2010-\u2015_'\u2019.,;:!?()"\u00ab\u00bb]+/g, " ").trim();
  }

  function percent(value) {
    return Math.round(value * 100) + NBSP + "%";
  }

  function safeHref(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  // ---------------------------------------------------------------- indexes

  var typeById = {};
  data.types.forEach(function (t) { typeById[t.id] = t; });
  var relationById = {};
  data.relations.forEach(function (r) { relationById[r.id] = r; });
  var nodeById = {};
  data.nodes.forEach(function (n) { nodeById[n.id] = n; });
  var edgeById = {};
  var incident = {};  // node id -> edges (asserted or not) touching it
  data.nodes.forEach(function (n) { incident[n.id] = []; });
  data.edges.forEach(function (e) {
    edgeById[e.id] = e;
    incident[e.from].push(e);
    if (e.to !== e.from) incident[e.to].push(e);
  });
  var drawn = data.edges.filter(function (e) { return e.asserted; });
  var large = Boolean(data.layout && data.layout.fixed);
  var showEdgeLabels = drawn.length <= 1500;

  // ---------------------------------------------------------------- network

  function nodeItem(n) {
    var type = typeById[n.type];
    var item = {
      id: n.id,
      label: n.label,
      shape: type.shape,
      size: Math.min(48, 9 + 4 * Math.sqrt(n.degree)),
      color: { background: type.color, border: type.color,
               highlight: { background: type.color, border: "#111111" },
               hover: { background: type.color, border: "#111111" } },
      borderWidth: 1,
      borderWidthSelected: 3,
    };
    if (large) { item.x = n.x; item.y = n.y; }
    return item;
  }

  // Parallel edges between the same two nodes are bent apart so each one stays clickable.
  var parallel = {};
  function edgeItem(e) {
    var pair = e.from < e.to ? e.from + "\u0000" + e.to : e.to + "\u0000" + e.from;
    var rank = parallel[pair] = (parallel[pair] === undefined ? 0 : parallel[pair] + 1);
    var item = {
      id: e.id,
      from: e.from,
      to: e.to,
      arrows: e.directed ? "to" : "",
      width: e.confidence === null ? 1.5 : 0.8 + 2 * e.confidence,
      smooth: rank === 0 ? false : {
        enabled: true,
        type: rank % 2 ? "curvedCW" : "curvedCCW",
        roundness: 0.2 * Math.ceil(rank / 2),
      },
    };
    if (showEdgeLabels) item.label = relationById[e.relation].label;
    return item;
  }

  var nodes = new vis.DataSet(data.nodes.map(nodeItem));
  var edges = new vis.DataSet(drawn.map(edgeItem));
  var physicsInput = $("kg-physics");
  physicsInput.checked = !large;

  var options = {
    autoResize: true,
    layout: { randomSeed: 7, improvedLayout: !large && data.nodes.length <= 300 },
    nodes: { font: { size: 13, face: "system-ui, sans-serif", color: "#1f2328" } },
    edges: {
      color: { color: "#9aa4ae", highlight: "#0b5cad", hover: "#0b5cad", inherit: false },
      font: { size: 10, color: "#4a525b", strokeWidth: 3, strokeColor: "#ffffff", align: "horizontal" },
      arrows: { to: { scaleFactor: 0.6 } },
      selectionWidth: 2,
    },
    physics: large ? { enabled: false } : {
      enabled: true,
      solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -60, springLength: 110, springConstant: 0.06, avoidOverlap: 0.4 },
      stabilization: { enabled: true, iterations: 250, updateInterval: 50, fit: true },
    },
    interaction: {
      hover: !large,
      tooltipDelay: 200,
      hideEdgesOnDrag: large,
      hideEdgesOnZoom: large,
      navigationButtons: false,
      keyboard: false,
      multiselect: false,
    },
  };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);

  // A white background under the drawing, so that the exported PNG is not transparent.
  network.on("beforeDrawing", function (ctx) {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
  });

  var view = window.kgView = {
    network: network,
    nodes: nodes,
    edges: edges,
    data: data,
    ready: false,
    readyAt: null,
    selected: null,
    focus: focusNode,
    showEdge: showEdge,
    showNode: showNode,
  };

  network.once("afterDrawing", function () {
    view.ready = true;
    view.readyAt = performance.now();
    document.documentElement.setAttribute("data-kg-ready", "true");
  });
  if (!large) {
    // After the capped stabilisation the layout stays still until the user turns physics on.
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      physicsInput.checked = false;
    });
  }

  // ---------------------------------------------------------------- filters

  var typeOn = {};
  var relationOn = {};
  var minConfidence = 0;
  var ego = null;  // Set of node ids, or null for the whole graph
  var nodeHidden = {};
  var edgeHidden = {};

  function applyFilters() {
    var nodeUpdates = [];
    var visibleNodes = 0;
    data.nodes.forEach(function (n) {
      var hidden = !typeOn[n.type] || (ego !== null && !ego.has(n.id));
      if (hidden !== Boolean(nodeHidden[n.id])) nodeUpdates.push({ id: n.id, hidden: hidden });
      nodeHidden[n.id] = hidden;
      if (!hidden) visibleNodes++;
    });
    var edgeUpdates = [];
    var visibleEdges = 0;
    drawn.forEach(function (e) {
      var hidden = !relationOn[e.relation] || nodeHidden[e.from] || nodeHidden[e.to] ||
        (e.confidence !== null && e.confidence < minConfidence - 1e-9);
      if (hidden !== Boolean(edgeHidden[e.id])) edgeUpdates.push({ id: e.id, hidden: hidden });
      edgeHidden[e.id] = hidden;
      if (!hidden) visibleEdges++;
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    $("kg-status").textContent = visibleNodes + " / " + data.nodes.length + " entités, " +
      visibleEdges + " / " + drawn.length + " relations";
  }

  function swatch(type) {
    return el("span", { class: "kg-swatch kg-shape-" + type.shape, style: "background:" + type.color });
  }

  function legendEntry(list, id, label, count, on, decoration) {
    var input = el("input", { type: "checkbox", checked: true, "data-id": id });
    input.addEventListener("change", function () { on[id] = input.checked; applyFilters(); });
    on[id] = true;
    list.append(el("li", null, el("label", null, input, decoration, el("span", { text: label }),
      el("span", { class: "kg-count", text: count }))));
  }

  data.types.forEach(function (t) {
    legendEntry($("kg-types"), t.id, t.label, t.count, typeOn, swatch(t));
  });
  data.relations.forEach(function (r) {
    // Relations read only as negated or planned have nothing to filter on the canvas.
    if (!r.count) { relationOn[r.id] = true; return; }
    legendEntry($("kg-relations"), r.id, r.label, r.count, relationOn,
      el("span", { class: "kg-arrow", text: r.directed ? "→" : "↔", title: r.directed ? "orientée" : "symétrique" }));
  });

  var slider = $("kg-confidence");
  slider.addEventListener("input", function () {
    minConfidence = Number(slider.value);
    $("kg-confidence-value").textContent = percent(minConfidence);
    applyFilters();
  });

  function neighbourhood(id, depth) {
    var seen = new Set([id]);
    var frontier = [id];
    for (var d = 0; d < depth; d++) {
      var next = [];
      frontier.forEach(function (current) {
        incident[current].forEach(function (e) {
          if (!e.asserted || !relationOn[e.relation]) return;
          var other = e.from === current ? e.to : e.from;
          if (!seen.has(other)) { seen.add(other); next.push(other); }
        });
      });
      frontier = next;
    }
    return seen;
  }

  $("kg-ego").addEventListener("click", function () {
    if (!view.selected) return;
    ego = neighbourhood(view.selected, Number($("kg-ego-depth").value));
    applyFilters();
    network.fit({ nodes: Array.from(ego), animation: false });
  });
  $("kg-ego-depth").addEventListener("change", function () {
    if (ego !== null && view.selected) $("kg-ego").click();
  });
  $("kg-reset").addEventListener("click", function () {
    ego = null;
    Object.keys(typeOn).forEach(function (k) { typeOn[k] = true; });
    Object.keys(relationOn).forEach(function (k) { relationOn[k] = true; });
    document.querySelectorAll(".kg-legend input").forEach(function (i) { i.checked = true; });
    slider.value = "0";
    slider.dispatchEvent(new Event("input"));
    network.fit({ animation: false });
  });
  $("kg-fit").addEventListener("click", function () { network.fit({ animation: false }); });
  physicsInput.addEventListener("change", function () {
    network.setOptions({ physics: { enabled: physicsInput.checked } });
  });

  // ---------------------------------------------------------------- export

  $("kg-export").addEventListener("click", function () {
    var canvas = container.querySelector("canvas");
    if (!canvas) return;
    var link = el("a", { download: "graph.png", class: "kg-visually-hidden" });
    link.href = canvas.toDataURL("image/png");
    document.body.append(link);
    link.click();
    link.remove();
  });

  // ---------------------------------------------------------------- panel

  var panel = $("kg-panel");
  var panelBody = $("kg-panel-body");

  function openPanel(children) {
    panelBody.replaceChildren.apply(panelBody, children);
    panel.hidden = false;
  }

  function closePanel() {
    panel.hidden = true;
    panelBody.replaceChildren();
  }
  $("kg-panel-close").addEventListener("click", function () {
    closePanel();
    network.unselectAll();
    select(null);
  });

  function select(id) {
    view.selected = id;
    $("kg-ego").disabled = !id;
  }

  var MODALITY = { negated: "démenti", planned: "envisagé" };

  function sourceLine(indexes) {
    var parts = [];
    indexes.forEach(function (i) {
      var s = data.sources[i];
      if (!s) return;
      var full = s.headline || s.file || s.id;
      // Some articles have no real headline and their first paragraph stands in for one.
      var text = full.length > 140 ? full.slice(0, 137) + "…" : full;
      var href = safeHref(s.url);
      var title = href ? el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: text, title: full })
                       : el("span", { text: text, title: full });
      var details = [s.file && s.headline ? s.file : null, s.date].filter(Boolean).join(", ");
      parts.push(el("div", null, title, details ? el("span", { text: " (" + details + ")" }) : null));
    });
    return parts.length ? el("div", { class: "kg-source" }, ...parts) : null;
  }

  function evidenceBlock(row) {
    return el("div", { class: "kg-evidence" },
      row.sentence ? el("blockquote", { text: row.sentence }) : null,
      row.confidence !== undefined ? el("div", { class: "kg-small", text: "Confiance : " + percent(row.confidence) }) : null,
      sourceLine(row.sources || []));
  }

  function edgeTitle(e) {
    var relation = relationById[e.relation];
    return nodeById[e.from].label + (e.directed ? " → " : " ↔ ") + relation.label +
      (e.directed ? " → " : " ↔ ") + nodeById[e.to].label;
  }

  function showEdge(id) {
    var e = edgeById[id];
    if (!e) return;
    var relation = relationById[e.relation];
    var rows = [
      el("div", { class: "kg-badge", text: "Relation" + (e.asserted ? "" : " (" + (MODALITY[e.modality] || e.modality) + ")") }),
      el("h3", { text: edgeTitle(e) }),
      el("dl", null,
        el("dt", { text: "De" }), el("dd", null, factButton(nodeById[e.from].label, function () { focusNode(e.from); })),
        el("dt", { text: "Relation" }), el("dd", { text: relation.label }),
        el("dt", { text: "Vers" }), el("dd", null, factButton(nodeById[e.to].label, function () { focusNode(e.to); })),
        el("dt", { text: "Confiance" }), el("dd", { text: e.confidence === null ? "—" : percent(e.confidence) })),
      el("h4", { text: e.evidence.length > 1 ? "Preuves (" + e.evidence.length + ")" : "Preuve" }),
    ];
    if (!e.evidence.length) rows.push(el("p", { class: "kg-muted", text: "Aucune phrase source dans le graphe." }));
    e.evidence.forEach(function (row) { rows.push(evidenceBlock(row)); });
    openPanel(rows);
    view.panel = { kind: "edge", id: id };
  }

  function factButton(text, action) {
    return el("button", { type: "button", class: "kg-fact", text: text, onclick: action });
  }

  function showNode(id) {
    var n = nodeById[id];
    if (!n) return;
    var type = typeById[n.type];
    var rows = [
      el("div", { class: "kg-badge" }, swatch(type), el("span", { text: type.label })),
      el("h3", { text: n.label }),
    ];
    if (n.aliases.length) {
      rows.push(el("h4", { text: "Aussi appelé" }), el("p", { text: n.aliases.join(" · ") }));
    }
    if (n.attributes.length) {
      var list = el("dl");
      n.attributes.forEach(function (a) {
        var value = el("dd", null, el("span", { text: a.value }));
        if (a.confidence !== undefined) value.append(el("span", { class: "kg-muted kg-small", text: " · " + percent(a.confidence) }));
        list.append(el("dt", { text: a.label }), value);
      });
      rows.push(el("h4", { text: "Attributs" }), list);
      n.attributes.forEach(function (a) {
        a.evidence.forEach(function (row) {
          if (row.sentence) rows.push(evidenceBlock(row));
        });
      });
    }
    if (n.links.length) {
      var links = el("ul");
      n.links.forEach(function (link) {
        var href = safeHref(link.href);
        if (href) links.append(el("li", null, el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: link.label }),
          el("span", { class: "kg-muted kg-small", text: " " + href })));
      });
      rows.push(el("h4", { text: "Liens" }), links);
    }
    var facts = incident[id].slice().sort(function (a, b) {
      return (b.asserted - a.asserted) || edgeTitle(a).localeCompare(edgeTitle(b), "fr");
    });
    rows.push(el("h4", { text: "Faits (" + facts.length + ")" }));
    if (facts.length) {
      var ul = el("ul");
      facts.forEach(function (e) {
        var label = edgeTitle(e) + (e.asserted ? "" : " (" + (MODALITY[e.modality] || e.modality) + ")");
        ul.append(el("li", null, factButton(label, function () {
          if (e.asserted) { network.selectEdges([e.id]); }
          showEdge(e.id);
        })));
      });
      rows.push(ul);
    } else {
      rows.push(el("p", { class: "kg-muted", text: "Aucune relation." }));
    }
    openPanel(rows);
    view.panel = { kind: "node", id: id };
  }

  network.on("click", function (params) {
    if (params.nodes.length) {
      select(params.nodes[0]);
      showNode(params.nodes[0]);
    } else if (params.edges.length) {
      select(null);
      showEdge(params.edges[0]);
    } else {
      select(null);
      closePanel();
    }
  });

  // ---------------------------------------------------------------- search

  var searchIndex = data.nodes.map(function (n) {
    return { id: n.id, keys: [n.label].concat(n.aliases).map(fold) };
  });
  var searchInput = $("kg-search");
  var results = $("kg-search-results");

  function search(text) {
    var query = fold(text);
    if (!query) return [];
    var scored = [];
    searchIndex.forEach(function (entry) {
      var best = 3;
      entry.keys.forEach(function (key) {
        if (key === query) best = 0;
        else if (best > 1 && key.startsWith(query)) best = 1;
        else if (best > 2 && key.indexOf(query) >= 0) best = 2;
      });
      if (best < 3) scored.push({ id: entry.id, score: best, degree: nodeById[entry.id].degree });
    });
    scored.sort(function (a, b) {
      return a.score - b.score || b.degree - a.degree ||
        nodeById[a.id].label.localeCompare(nodeById[b.id].label, "fr");
    });
    return scored.slice(0, 12).map(function (s) { return s.id; });
  }

  function focusNode(id) {
    var n = nodeById[id];
    if (!n) return false;
    if (nodeHidden[id]) {
      // The user asked for this node: lift whatever hides it.
      ego = null;
      typeOn[n.type] = true;
      var box = document.querySelector('#kg-types input[data-id="' + CSS.escape(n.type) + '"]');
      if (box) box.checked = true;
      applyFilters();
    }
    // The panel first: opening it narrows the canvas, and the focus must centre in what is left.
    select(id);
    showNode(id);
    network.redraw();
    network.selectNodes([id], false);
    // Animating means redrawing every frame, which a large graph cannot afford.
    var animation = large ? false : { duration: 300, easingFunction: "easeInOutQuad" };
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: animation });
    view.focused = id;
    return true;
  }
  view.search = search;

  function renderResults(ids) {
    results.replaceChildren();
    ids.forEach(function (id) {
      var n = nodeById[id];
      var type = typeById[n.type];
      var button = el("button", { type: "button", role: "option", "data-id": id }, swatch(type), el("span", { text: n.label }));
      button.addEventListener("click", function () { hideResults(); focusNode(id); });
      results.append(el("li", null, button));
    });
    results.hidden = ids.length === 0;
  }
  function hideResults() { results.hidden = true; }

  searchInput.addEventListener("input", function () { renderResults(search(searchInput.value)); });
  searchInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var ids = search(searchInput.value);
      if (ids.length) { hideResults(); focusNode(ids[0]); }
      event.preventDefault();
    } else if (event.key === "Escape") {
      hideResults();
    } else if (event.key === "ArrowDown" && !results.hidden) {
      var first = results.querySelector("button");
      if (first) { first.focus(); event.preventDefault(); }
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".kg-search")) hideResults();
  });

  applyFilters();
})();
