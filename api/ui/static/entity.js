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
  var names = {};
  var truncated = false;

  var cy = window.cytoscape({
    container: container, style: G.style, elements: [],
    minZoom: 0.1, maxZoom: 4, boxSelectionEnabled: false
  });
  // Tests and power users reach the graph from the console.
  window.supplygraphGraph = cy;

  function setStatus(text) { statusLine.textContent = text; }

  function hiddenCount(node) {
    var degree = node.data("degree") || 0;
    return Math.max(0, degree - node.connectedEdges().length);
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
    cy.nodes().forEach(refreshNode);
    applyIdentFilter();
    return added;
  }

  function applyIdentFilter() {
    cy.nodes(".identifier").toggleClass("hidden-kind", !identBox.checked);
  }

  function layoutOptions(randomize) {
    var name = layoutSel.value;
    var visible = cy.elements().not(".hidden-kind");
    if (name === "breadthfirst") {
      var roots = visible.nodes().filter(function (n) {
        return n.incomers("edge[relation != 'SAME_AS']").not(".hidden-kind").length === 0;
      });
      return { name: "breadthfirst", directed: true, roots: roots.length ? roots : undefined,
               spacingFactor: 0.9, animate: false, fit: true, padding: 24, nodeDimensionsIncludeLabels: true };
    }
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

  // Labels must stay legible: a large neighbourhood is not shrunk below READABLE_ZOOM to fit;
  // the view centres on the node of interest instead, and "Fit" shows the whole picture.
  var READABLE_ZOOM = 0.85;

  function runLayout(randomize, focus) {
    cy.elements().not(".hidden-kind").layout(layoutOptions(randomize)).run();
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
    var n = cy.nodes().length, e = cy.edges().length;
    var des = cy.nodes("[?designated]").length;
    setStatus(n + " nodes · " + e + " edges · " + des + " designated" +
      (truncated ? " · large neighbourhood: some identifier leaves are not shown" : "") +
      " — click a node to expand it and see its sources");
    rebuildNodeSelect();
  }

  function rebuildNodeSelect() {
    var current = nodeSel.value;
    var opts = cy.nodes().map(function (n) { return n; }).sort(function (a, b) {
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

  function load(depth) {
    setStatus("Loading…");
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
      })
      .catch(function (err) { setStatus("Could not load the graph: " + err.message); });
  }

  function expand(node) {
    if (!node || node.empty()) { return Promise.resolve(); }
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
  document.getElementById("g-fit").addEventListener("click", function () { cy.fit(undefined, 24); });
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
    else if (ev.key === "0") { cy.fit(undefined, 24); }
    else { handled = false; }
    if (handled) { ev.preventDefault(); }
  });

  load(depthSel.value).then(function () {
    var center = cy.getElementById(centerId);
    if (center.nonempty()) { showNode(center); }
    container.setAttribute("data-ready", "true");
  });
})();
