/* Entity page: the interactive neighbourhood graph. Clicking a node shows its evidence and
   expands it; clicking an edge shows its evidence. Facts are also in the HTML below. */
(function () {
  "use strict";
  var section = document.getElementById("graph-section");
  var container = document.getElementById("graph");
  if (!section || !container || !window.cytoscape || !window.SGGraph) { return; }
  var G = window.SGGraph;
  var api = section.getAttribute("data-graph-api");
  var centerId = section.getAttribute("data-entity");
  var evidence = document.getElementById("evidence-body");
  var statusLine = document.getElementById("g-status");
  var depthSel = document.getElementById("g-depth");
  var layoutSel = document.getElementById("g-layout");
  var identBox = document.getElementById("g-idents");
  var nodeSel = document.getElementById("g-node");
  var groupBox = document.getElementById("g-group");
  var exportNote = document.getElementById("exports-depth");
  var names = {};
  var truncated = false;
  // Identifier groups the reader opened; they stay open until the graph is loaded again.
  var openGroups = {};

  var cy = window.cytoscape({
    container: container, style: G.style, elements: [],
    minZoom: 0.1, maxZoom: 4, boxSelectionEnabled: false
  });
  // Tests and power users reach the graph from the console.
  window.supplygraphGraph = cy;
  G.watchZoom(cy);

  function setStatus(text) { statusLine.textContent = text; }

  function hiddenCount(node) {
    var degree = node.data("degree") || 0;
    return Math.max(0, degree - node.connectedEdges().not(".group-edge").length);
  }

  function refreshNode(node) {
    var hidden = hiddenCount(node);
    node.data("label", G.displayName(node.data("raw")) + (hidden ? "  +" + hidden : ""));
    node.toggleClass("expandable", hidden > 0);
  }

  function merge(data, anchor) {
    var added = cy.collection();
    var touching = {};
    data.edges.forEach(function (e) {
      touching[e.source] = (touching[e.source] || 0) + 1;
      touching[e.target] = (touching[e.target] || 0) + 1;
    });
    var origin = anchor ? anchor.position() : { x: 0, y: 0 };
    var baseDepth = anchor ? anchor.data("depth") : 0;
    data.nodes.forEach(function (n) {
      names[n.id] = n.name;
      var degree = n.hidden_edges + (touching[n.id] || 0);
      var existing = cy.getElementById(n.id);
      if (existing.nonempty()) {
        existing.data("degree", Math.max(existing.data("degree") || 0, degree));
        return;
      }
      var node = cy.add({
        group: "nodes",
        data: { id: n.id, name: n.name, label: n.name, kind: n.kind, designated: n.designated,
                depth: baseDepth + n.depth, degree: degree, raw: n },
        position: { x: origin.x + (Math.random() - 0.5) * 60, y: origin.y + (Math.random() - 0.5) * 60 },
        classes: G.nodeClass(n) + (n.id === centerId ? " center" : "")
      });
      added = added.union(node);
    });
    data.edges.forEach(function (e) {
      if (cy.getElementById(e.id).nonempty()) { return; }
      added = added.union(cy.add({ group: "edges", data: {
        id: e.id, source: e.source, target: e.target, label: e.label, relation: e.relation,
        current: e.current, strength: e.strength || "strong", raw: e } }));
    });
    truncated = truncated || data.truncated;
    cy.nodes().not(".group").forEach(refreshNode);
    regroup();
    applyIdentFilter();
    return added;
  }

  function applyIdentFilter() {
    cy.nodes(".identifier").toggleClass("hidden-kind", !identBox.checked);
  }

  // Large fans are drawn as one node ("11 distributors", "67 MAC blocks"); a click opens them.
  // A fan is the nodes whose only tie towards the centre is one relation to one node (the
  // anchor) in one direction: Hikvision's distributors, its holdings, an IEEE record's MAC
  // blocks. A node with any other tie towards the centre stays on its own, and what is reached
  // only through grouped nodes is hidden with them. Identifier leaves are grouped from
  // IDENT_MIN; other fans from the size the current level allows: none at level 0, and smaller
  // fans at each level the opening view needs to fit the canvas (see openingLayout).
  var IDENT_MIN = 3;
  var FAN_LEVELS = [0, 9, 5, 3];
  var level = 0;
  var CATEGORIES = {
    oui: ["MAC block", "MAC blocks"], oui28: ["MAC block", "MAC blocks"], oui36: ["MAC block", "MAC blocks"],
    fcc_grantee: ["FCC grantee code", "FCC grantee codes"]
  };
  // (relation, the anchor is the edge's source) -> what the members are to the anchor.
  var FAN_NOUNS = {
    "DISTRIBUTES|in": "distributors", "DISTRIBUTES|out": "makers and brands it distributes",
    "OWNS|out": "holdings", "OWNS|in": "owners", "CONTROLS|out": "controlled entities",
    "CONTROLS|in": "controllers", "OWNS_BRAND|out": "brands", "OWNS_BRAND|in": "brand owners",
    "MODEL_OF|in": "models", "MODEL_OF|out": "brands", "MANUFACTURES_FOR|out": "OEM customers",
    "MANUFACTURES_FOR|in": "OEM makers", "SAME_AS|out": "linked records", "SAME_AS|in": "linked records",
    "ASSIGNED|out": "identifiers"
  };

  function category(node) {
    var raw = node.data("raw") || {};
    var scheme = (raw.identifiers && raw.identifiers[0] && raw.identifiers[0].scheme) ||
      (raw.properties && raw.properties.scheme) || "";
    return CATEGORIES[scheme] ? scheme.replace(/\d+$/, "") : "other";
  }

  function fanLabel(b) {
    if (b.cat && b.cat !== "other") {
      var names = CATEGORIES[b.cat] || CATEGORIES[b.cat + "28"];
      return b.leaves.length + " " + names[1];
    }
    var noun = FAN_NOUNS[b.rel + "|" + (b.out ? "out" : "in")] || (b.rel.toLowerCase() + " ties");
    return b.leaves.length + " " + noun;
  }

  function depthOf(n) { return n.data("depth") || 0; }

  function fanBuckets(fanMin) {
    var buckets = {};
    cy.nodes().not(".group").forEach(function (leaf) {
      if (leaf.id() === centerId) { return; }
      var d = depthOf(leaf);
      var inward = leaf.connectedEdges().filter(function (e) {
        var other = e.source().id() === leaf.id() ? e.target() : e.source();
        return other.id() !== leaf.id() && depthOf(other) <= d;
      });
      if (inward.length !== 1) { return; }
      var edge = inward[0];
      var out = edge.target().id() === leaf.id();
      var anchor = out ? edge.source() : edge.target();
      if (depthOf(anchor) >= d) { return; }
      var rel = edge.data("relation");
      var ident = rel === "ASSIGNED" && leaf.hasClass("identifier");
      var min = ident ? IDENT_MIN : fanMin;
      if (!min) { return; }
      var key = anchor.id() + "|" + rel + "|" + (out ? "out" : "in") + (ident ? "|" + category(leaf) : "");
      (buckets[key] = buckets[key] || { key: key, anchor: anchor, rel: rel, out: out,
        cat: ident ? category(leaf) : null, min: min, leaves: [] }).leaves.push(leaf);
    });
    return buckets;
  }

  function regroup() {
    cy.remove(".group");
    cy.elements(".grouped").removeClass("grouped");
    if (!groupBox.checked) { return; }
    var buckets = fanBuckets(FAN_LEVELS[level]);
    var inGroup = {}, made = [];
    Object.keys(buckets).sort().forEach(function (key) {
      var b = buckets[key];
      if (b.leaves.length < b.min || openGroups[key]) { return; }
      b.leaves.forEach(function (leaf) { inGroup[leaf.id()] = true; });
      made.push(b);
    });
    if (!made.length) { return; }
    // Whatever the centre reaches only through grouped nodes goes with them.
    var reached = {}, stack = [centerId];
    while (stack.length) {
      var id = stack.pop();
      if (reached[id] || inGroup[id]) { continue; }
      reached[id] = true;
      cy.getElementById(id).neighborhood("node").forEach(function (m) { stack.push(m.id()); });
    }
    if (cy.getElementById(centerId).empty()) { return; }
    cy.nodes().forEach(function (n) {
      if (!reached[n.id()]) { n.addClass("grouped"); n.connectedEdges().addClass("grouped"); }
    });
    made.forEach(function (b) {
      if (!reached[b.anchor.id()]) { return; }
      var groupId = "group:" + b.key;
      var label = fanLabel(b);
      var pos = b.leaves[0].position();
      var ident = b.cat !== null;
      cy.add({ group: "nodes", classes: "group " + (ident ? "identifier id-group" : "fan-group"),
               data: { id: groupId, name: label + " of " + G.displayName(b.anchor.data("raw")), label: label,
                       kind: "group", group: b.key, count: b.leaves.length, depth: depthOf(b.leaves[0]),
                       members: b.leaves.map(function (l) { return l.id(); }) },
               position: { x: pos.x, y: pos.y } });
      var source = b.out ? b.anchor.id() : groupId, target = b.out ? groupId : b.anchor.id();
      cy.add({ group: "edges", classes: "group-edge",
               data: { id: "edge:" + groupId, source: source, target: target, relation: b.rel,
                       label: b.rel + " ×" + b.leaves.length, current: true, strength: "strong" } });
    });
  }

  function groupMembers(group) {
    return cy.collection(group.data("members").map(function (id) { return cy.getElementById(id); }));
  }

  function showGroup(group) {
    evidence.textContent = "";
    evidence.appendChild(G.el("h3", null, group.data("name")));
    evidence.appendChild(G.el("p", { "class": "muted" }, "Drawn as one node; click it (or Expand) to draw each one."));
    var ul = G.el("ul", { "class": "plain" });
    groupMembers(group).sort(function (a, b) { return a.data("name").localeCompare(b.data("name")); }).forEach(function (n) {
      ul.appendChild(G.el("li")).appendChild(
        G.el("a", { href: "/ui/entities/" + encodeURIComponent(n.id()) }, n.data("name")));
    });
    evidence.appendChild(ul);
  }

  function openGroup(group) {
    var key = group.data("group");
    var anchor = cy.getElementById(key.split("|")[0]);
    openGroups[key] = true;
    regroup();
    applyIdentFilter();
    relayout(anchor);
    describe();
    container.setAttribute("data-opened-group", key);
  }

  function visible() {
    var nodes = cy.nodes().not(".hidden-kind, .grouped");
    return nodes.union(nodes.edgesWith(nodes).not(".grouped"));
  }

  function layoutOptions(randomize) {
    var name = layoutSel.value;
    if (name === "concentric") {
      var max = 0;
      cy.nodes().forEach(function (n) { max = Math.max(max, n.data("depth")); });
      return { name: "concentric", concentric: function (n) { return max - n.data("depth"); },
               levelWidth: function () { return 1; }, minNodeSpacing: 18, animate: false, fit: true,
               padding: 24, nodeDimensionsIncludeLabels: true };
    }
    return { name: "cose", animate: false, randomize: randomize, fit: true, padding: 24,
             nodeDimensionsIncludeLabels: true, idealEdgeLength: function (e) {
               return e.data("relation") === "ASSIGNED" ? 12 : 60; },
             nodeRepulsion: function (n) { return n.hasClass("identifier") ? 1500 : 40000; },
             nodeOverlap: 8, edgeElasticity: function (e) {
               return e.data("relation") === "ASSIGNED" ? 400 : 100; },
             gravity: 1.2, numIter: 2500, componentSpacing: 60, nestingFactor: 1.2 };
  }

  // After opening or a change, the whole graph is fitted to the canvas. Labels grow as the view
  // zooms out (graphview.js), so placing and fitting are repeated at the zoom the fit arrives at:
  // the positions then leave room for labels of the size they are drawn at.
  var FIT_PADDING = 24;
  var MAX_OPEN_ZOOM = 1.5;
  // The opening view groups smaller fans, level by level, until the graph fits the canvas at
  // MIN_OPEN_ZOOM or more; after opening, a change that would shrink the graph further keeps
  // READABLE_ZOOM and centres on the node picked ("Fit" still shows it all).
  var MIN_OPEN_ZOOM = 0.6;
  var READABLE_ZOOM = 0.85;

  function fitAll() {
    var eles = visible();
    for (var i = 0; i < 4; i++) {
      var before = cy.zoom();
      cy.fit(eles, FIT_PADDING);
      cy.style().update();
      if (Math.abs(cy.zoom() - before) < 0.005) { break; }
    }
    if (cy.zoom() > MAX_OPEN_ZOOM) {
      // A handful of nodes: do not blow them up to fill the canvas.
      cy.zoom(MAX_OPEN_ZOOM);
      cy.style().update();
      cy.center(eles);
    }
  }

  function place(randomize) {
    var eles = visible();
    if (layoutSel.value === "layered") {
      // As many leaves of one node side by side as the canvas has room for at the size their
      // labels are drawn (about 170 px each), so that a fan becomes rows, not a band; and no
      // row wider than the canvas at this zoom (a wider one is wrapped into staggered rows).
      G.layered(eles, { fit: false, leafRow: Math.max(3, Math.floor(cy.width() / 170)),
                        maxWidth: (cy.width() - 2 * FIT_PADDING) / cy.zoom() }).run();
    } else {
      eles.layout(Object.assign(layoutOptions(randomize), { fit: false })).run();
    }
  }

  function placeAndFit(randomize) {
    cy.zoom(1);
    cy.style().update();
    place(randomize);
    fitAll();
    var first = cy.zoom();
    if (first >= 1) { return; }
    if (layoutSel.value === "layered") {
      // Placed again with the labels at the size the fitted zoom draws them, its rows no wider
      // than the canvas, until a fit no longer zooms out (which would grow the labels past
      // the room left for them).
      for (var pass = 0; pass < 6; pass++) {
        var placedAt = cy.zoom();
        place(false);
        fitAll();
        if (cy.zoom() >= placedAt - 0.005) { break; }
      }
      return;
    }
    // Placed again with the labels at the size this zoom draws them; kept only when it still
    // fits at about the same zoom (a wide graph would otherwise widen at every pass).
    var saved = {};
    visible().nodes().forEach(function (n) { saved[n.id()] = Object.assign({}, n.position()); });
    place(false);
    fitAll();
    if (cy.zoom() < first * 0.9) {
      visible().nodes().forEach(function (n) { if (saved[n.id()]) { n.position(saved[n.id()]); } });
      fitAll();
    }
  }

  function openingLayout(depth) {
    var first = Number(depth) >= 2 ? 1 : 0;
    for (level = first; level < FAN_LEVELS.length; level++) {
      regroup();
      applyIdentFilter();
      placeAndFit(true);
      if (cy.zoom() >= MIN_OPEN_ZOOM - 0.001) { break; }
    }
    level = Math.min(level, FAN_LEVELS.length - 1);
    container.setAttribute("data-group-level", String(level));
  }

  // Placed again after a change: fitted when it fits at a readable zoom, else centred on
  // `focus` at READABLE_ZOOM.
  function relayout(focus, randomize) {
    placeAndFit(randomize);
    if (cy.zoom() < READABLE_ZOOM && focus && focus.nonempty() && focus.visible()) {
      cy.zoom(READABLE_ZOOM);
      cy.style().update();
      centreOn(focus);
    }
  }

  function describe() {
    var n = cy.nodes().not(".group").length, e = cy.edges().not(".group-edge").length;
    var des = cy.nodes("[?designated]").length;
    var groups = cy.nodes(".group").length;
    setStatus(n + " nodes · " + e + " edges · " + des + " designated" +
      (groups ? " · " + groups + " group" + (groups === 1 ? "" : "s") + " (click to open)" : "") +
      (truncated ? " · large neighbourhood: some identifier leaves are not shown" : "") +
      " — click a node to expand it and see its sources");
    rebuildNodeSelect();
  }

  function rebuildNodeSelect() {
    var current = nodeSel.value;
    var opts = cy.nodes().not(".grouped").map(function (n) { return n; }).sort(function (a, b) {
      return a.data("name").localeCompare(b.data("name"));
    });
    nodeSel.textContent = "";
    nodeSel.appendChild(G.el("option", { value: "" }, "(choose a node)"));
    opts.forEach(function (n) {
      var hidden = hiddenCount(n);
      var o = G.el("option", { value: n.id() }, n.data("name") + " (" + n.data("kind") +
        (hidden ? ", +" + hidden + " more" : "") + ")");
      nodeSel.appendChild(o);
    });
    nodeSel.value = current;
  }

  // The export links write the depth that is drawn.
  function syncExports(depth) {
    document.querySelectorAll("a[data-export]").forEach(function (a) {
      var url = new URL(a.getAttribute("href"), window.location.href);
      url.searchParams.set("depth", depth);
      a.setAttribute("href", url.pathname + url.search);
    });
    if (exportNote) { exportNote.textContent = depth + (depth === "1" ? " hop" : " hops"); }
  }

  function load(depth) {
    setStatus("Loading…");
    syncExports(depth);
    openGroups = {};
    return fetch(api + "?depth=" + encodeURIComponent(depth), { headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (data) {
        cy.elements().remove();
        truncated = false;
        cy.batch(function () { merge(data, null); });
        openingLayout(depth);
        describe();
        // Tests wait for this: the graph drawn is the one of this depth.
        container.setAttribute("data-depth", depth);
      })
      .catch(function (err) { setStatus("Could not load the graph: " + err.message); });
  }

  function expand(node) {
    if (!node || node.empty()) { return Promise.resolve(); }
    if (node.hasClass("group")) {
      openGroup(node);
      return Promise.resolve();
    }
    if (hiddenCount(node) === 0) {
      setStatus(node.data("name") + " has no further neighbours in the data.");
      return Promise.resolve();
    }
    setStatus("Expanding " + node.data("name") + "…");
    var url = "/v1/entities/" + encodeURIComponent(node.id()) + "/graph?depth=1";
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (data) {
        var added;
        cy.batch(function () { added = merge(data, node); });
        relayout(node);
        describe();
        container.setAttribute("data-expanded", node.id());
        return added;
      })
      .catch(function (err) { setStatus("Could not expand: " + err.message); });
  }

  function showNode(node) {
    if (node.hasClass("group")) { showGroup(node); return; }
    G.showNode(evidence, node.data("raw"));
  }

  // The node itself at the centre (cy.center would centre its box, label included).
  function centreOn(node) {
    var p = node.position(), z = cy.zoom();
    cy.pan({ x: cy.width() / 2 - p.x * z, y: cy.height() / 2 - p.y * z });
  }

  // The node picked (a click or the Node selector) is highlighted and drawn at the centre of
  // the canvas; it stays highlighted until another is picked.
  function pick(node) {
    cy.nodes(".picked").removeClass("picked");
    cy.elements().unselect();
    if (!node || node.empty() || node.removed()) { return; }
    node.addClass("picked");
    node.select();
    if (node.visible()) { centreOn(node); }
    container.setAttribute("data-picked", node.id());
  }

  cy.on("tap", "node", function (evt) {
    var node = evt.target;
    showNode(node);
    if (node.hasClass("group")) { expand(node); return; }
    nodeSel.value = node.id();
    pick(node);
    expand(node).then(function () { pick(node); });
  });
  cy.on("tap", "edge", function (evt) {
    G.showEdge(evidence, evt.target.data("raw"), names);
  });

  depthSel.addEventListener("change", function () { load(depthSel.value); });
  function pickedNode() { return cy.nodes(".picked").first(); }

  layoutSel.addEventListener("change", function () { relayout(pickedNode(), true); });
  identBox.addEventListener("change", function () { applyIdentFilter(); relayout(pickedNode()); });
  groupBox.addEventListener("change", function () {
    openGroups = {};
    regroup();
    applyIdentFilter();
    relayout(pickedNode());
    describe();
  });
  document.getElementById("g-fit").addEventListener("click", fitAll);
  nodeSel.addEventListener("change", function () {
    var node = cy.getElementById(nodeSel.value);
    if (node.empty()) { return; }
    pick(node);
    showNode(node);
  });
  document.getElementById("g-expand").addEventListener("click", function () {
    var node = cy.getElementById(nodeSel.value);
    if (node.empty()) { node = cy.nodes(":selected").first(); }
    if (node.empty()) { setStatus("Choose a node to expand first."); return; }
    expand(node);
  });
  // Keyboard: + and - zoom, arrow keys pan, 0 fits, while the graph has focus.
  container.addEventListener("keydown", function (ev) {
    var step = 40, handled = true;
    if (ev.key === "+" || ev.key === "=") { cy.zoom({ level: cy.zoom() * 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); }
    else if (ev.key === "-") { cy.zoom({ level: cy.zoom() / 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); }
    else if (ev.key === "ArrowLeft") { cy.panBy({ x: step, y: 0 }); }
    else if (ev.key === "ArrowRight") { cy.panBy({ x: -step, y: 0 }); }
    else if (ev.key === "ArrowUp") { cy.panBy({ x: 0, y: step }); }
    else if (ev.key === "ArrowDown") { cy.panBy({ x: 0, y: -step }); }
    else if (ev.key === "0") { fitAll(); }
    else { handled = false; }
    if (handled) { ev.preventDefault(); }
  });

  load(depthSel.value).then(function () {
    var center = cy.getElementById(centerId);
    if (center.nonempty()) { showNode(center); }
    container.setAttribute("data-ready", "true");
  });
})();
