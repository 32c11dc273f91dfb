/* Resolve page: draw the evidence paths (target on top, what the query matched below). */
(function () {
  "use strict";
  var container = document.getElementById("path-graph");
  var dataEl = document.getElementById("path-data");
  if (!container || !dataEl || !window.cytoscape || !window.SGGraph) { return; }
  var G = window.SGGraph;
  var data = JSON.parse(dataEl.textContent);
  var evidence = document.getElementById("evidence-body");
  var names = {};
  var elements = [];
  data.nodes.forEach(function (n) {
    names[n.id] = n.name;
    // Each node drawn as its kind (brand, product, state body, ...); the target is the centre.
    elements.push({ group: "nodes", data: { id: n.id, name: n.name, label: G.displayName(n), kind: n.kind,
                                            designated: n.designated, raw: n },
                    classes: G.nodeClass(n) + (n.id === data.target ? " center" : "") });
  });
  data.edges.forEach(function (e) {
    var share = G.shareText(e);
    elements.push({ group: "edges", data: {
      id: e.id, source: e.from, target: e.to, relation: e.relation, current: true,
      strength: e.strength || "strong",
      label: e.relation + (share ? " " + share : "") + (e.strength === "weak" ? " (weak)" : ""),
      raw: { source: e.from, target: e.to, relation: e.relation, share: e.share, share_min: e.share_min,
             share_max: e.share_max, valid_from: e.valid_from, valid_to: e.valid_to,
             confidence: e.confidence, strength: e.strength, weak_reason: e.weak_reason,
             reason: e.reason, note: e.note, sources: e.sources } } });
  });
  // maxZoom keeps a two-node path from being blown up to fill the canvas.
  var cy = window.cytoscape({ container: container, style: G.style, elements: elements,
    minZoom: 0.2, maxZoom: 1.3, boxSelectionEnabled: false });
  window.supplygraphGraph = cy;
  G.watchZoom(cy);
  // Ranked like the entity graph: the target (and anything owning it) above, the match below.
  G.layered(cy.elements(), { padding: 30 }).run();
  cy.on("tap", "edge", function (evt) { G.showEdge(evidence, evt.target.data("raw"), names); });
  cy.on("tap", "node", function (evt) {
    var n = evt.target.data("raw");
    evidence.textContent = "";
    evidence.appendChild(G.el("h3", null, n.name));
    evidence.appendChild(G.el("p", null)).appendChild(
      G.el("a", { href: "/ui/entities/" + encodeURIComponent(n.id) }, "Open entity page →"));
  });
  container.setAttribute("data-ready", "true");
})();
