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
    node.data("label", G.shortLabel(node.data("name")) + (hidden ? "  +" + hidden : ""));
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
    cy.nodes().not(".id-group").forEach(refreshNode);
    regroup();
    applyIdentFilter();
    return added;
  }

  function applyIdentFilter() {
    cy.nodes(".identifier").toggleClass("hidden-kind", !identBox.checked);
  }

  // Identifier leaves (MAC blocks, FCC grantee codes) of one holder are drawn as one node when
  // there are GROUP_MIN or more of them: an IEEE assignee can hold dozens, and drawn one by one
  // they bury the ownership picture. A leaf with any other tie stays on its own.
  var GROUP_MIN = 3;
  var CATEGORIES = {
    oui: ["MAC block", "MAC blocks"], oui28: ["MAC block", "MAC blocks"], oui36: ["MAC block", "MAC blocks"],
    fcc_grantee: ["FCC grantee code", "FCC grantee codes"]
  };

  function category(node) {
    var raw = node.data("raw") || {};
    var scheme = (raw.identifiers && raw.identifiers[0] && raw.identifiers[0].scheme) ||
      (raw.properties && raw.properties.scheme) || "";
    return CATEGORIES[scheme] ? scheme.replace(/\d+$/, "") : "other";
  }

  function plural(cat, n) {
    var names = CATEGORIES[cat] || CATEGORIES[cat + "28"] || ["identifier", "identifiers"];
    return n + " " + (n === 1 ? names[0] : names[1]);
  }

  function regroup() {
    cy.remove(".id-group");
    cy.elements(".grouped").removeClass("grouped");
    if (!groupBox.checked) { return; }
    var buckets = {};
    cy.nodes(".identifier").forEach(function (leaf) {
      if (leaf.id() === centerId) { return; }
      var edges = leaf.connectedEdges();
      if (edges.length !== 1 || edges[0].data("relation") !== "ASSIGNED" || edges[0].target().id() !== leaf.id()) { return; }
      var holder = edges[0].source();
      var key = holder.id() + "|" + category(leaf);
      (buckets[key] = buckets[key] || { holder: holder, cat: category(leaf), leaves: [] }).leaves.push(leaf);
    });
    Object.keys(buckets).forEach(function (key) {
      var b = buckets[key];
      if (b.leaves.length < GROUP_MIN || openGroups[key]) { return; }
      var groupId = "group:" + key;
      var label = plural(b.cat, b.leaves.length);
      var pos = b.leaves[0].position();
      cy.add({ group: "nodes", classes: "identifier id-group",
               data: { id: groupId, name: label + " of " + b.holder.data("name"), label: label, kind: "group",
                       group: key, count: b.leaves.length, depth: b.leaves[0].data("depth") },
               position: { x: pos.x, y: pos.y } });
      cy.add({ group: "edges", classes: "group-edge",
               data: { id: "edge:" + groupId, source: b.holder.id(), target: groupId, relation: "ASSIGNED",
                       label: "ASSIGNED ×" + b.leaves.length, current: true, strength: "strong" } });
      b.leaves.forEach(function (leaf) { leaf.addClass("grouped"); leaf.connectedEdges().addClass("grouped"); });
    });
  }

  function groupMembers(group) {
    var key = group.data("group");
    var holderId = key.slice(0, key.lastIndexOf("|"));
    return cy.getElementById(holderId).outgoers("edge[relation = 'ASSIGNED']").targets(".grouped").filter(function (n) {
      return category(n) === key.slice(key.lastIndexOf("|") + 1);
    });
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
    var holder = cy.getElementById(key.slice(0, key.lastIndexOf("|")));
    openGroups[key] = true;
    regroup();
    applyIdentFilter();
    runLayout(false, holder);
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

  // A large neighbourhood is not shrunk below READABLE_ZOOM to fit: the view centres on the
  // node of interest instead, and "Fit" shows the whole picture (labels grow as it zooms out).
  var READABLE_ZOOM = 0.85;

  function runLayout(randomize, focus) {
    var eles = visible();
    if (layoutSel.value === "layered") {
      G.layered(eles).run();
    } else {
      eles.layout(layoutOptions(randomize)).run();
    }
    if (cy.zoom() > 1.5) {
      // A handful of nodes: do not blow them up to fill the canvas.
      cy.zoom(1.5);
      cy.center();
    } else if (cy.zoom() < READABLE_ZOOM) {
      var target = focus && focus.nonempty() ? focus : cy.getElementById(centerId);
      cy.zoom(READABLE_ZOOM);
      if (target.nonempty()) { cy.center(target); }
    }
  }

  function describe() {
    var n = cy.nodes().not(".id-group").length, e = cy.edges().not(".group-edge").length;
    var des = cy.nodes("[?designated]").length;
    var groups = cy.nodes(".id-group").length;
    setStatus(n + " nodes · " + e + " edges · " + des + " designated" +
      (groups ? " · " + groups + " identifier group" + (groups === 1 ? "" : "s") + " (click to open)" : "") +
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
        runLayout(true);
        describe();
        // Tests wait for this: the graph drawn is the one of this depth.
        container.setAttribute("data-depth", depth);
      })
      .catch(function (err) { setStatus("Could not load the graph: " + err.message); });
  }

  function expand(node) {
    if (!node || node.empty()) { return Promise.resolve(); }
    if (node.hasClass("id-group")) {
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
        runLayout(false, node);
        describe();
        container.setAttribute("data-expanded", node.id());
        return added;
      })
      .catch(function (err) { setStatus("Could not expand: " + err.message); });
  }

  function showNode(node) {
    if (node.hasClass("id-group")) { showGroup(node); return; }
    G.showNode(evidence, node.data("raw"));
  }

  cy.on("tap", "node", function (evt) {
    var node = evt.target;
    showNode(node);
    nodeSel.value = node.id();
    expand(node);
  });
  cy.on("tap", "edge", function (evt) {
    G.showEdge(evidence, evt.target.data("raw"), names);
  });

  depthSel.addEventListener("change", function () { load(depthSel.value); });
  layoutSel.addEventListener("change", function () { runLayout(true); });
  identBox.addEventListener("change", function () { applyIdentFilter(); runLayout(false); });
  groupBox.addEventListener("change", function () {
    openGroups = {};
    regroup();
    applyIdentFilter();
    runLayout(false);
    describe();
  });
  document.getElementById("g-fit").addEventListener("click", function () { cy.fit(visible(), 24); });
  nodeSel.addEventListener("change", function () {
    var node = cy.getElementById(nodeSel.value);
    if (node.empty()) { return; }
    cy.elements().unselect();
    node.select();
    cy.animate({ center: { eles: node }, duration: 200 });
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
    else if (ev.key === "0") { cy.fit(visible(), 24); }
    else { handled = false; }
    if (handled) { ev.preventDefault(); }
  });

  load(depthSel.value).then(function () {
    var center = cy.getElementById(centerId);
    if (center.nonempty()) { showNode(center); }
    container.setAttribute("data-ready", "true");
  });
})();
