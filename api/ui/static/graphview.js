/* Shared graph drawing and evidence panel for the supplygraph UI (Cytoscape.js, served locally).
   All text from the data is inserted with textContent, never as HTML. */
(function () {
  "use strict";

  var STATE_TYPES = { state_body: true, public_body: true, state_owned_enterprise: true };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function safeUrl(url) {
    if (!url) { return null; }
    try {
      var u = new URL(url, window.location.href);
      return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null;
    } catch (e) { return null; }
  }

  function shortLabel(name) {
    return name.length > LABEL_CUT ? name.slice(0, LABEL_CUT - 2) + "…" : name;
  }

  // A node's label keeps what tells it apart from its neighbours: "China Electronics
  // Technology Group Corporation" and "China Electronics Technology HIK Group Co., Ltd." cut to
  // one length read the same. So a long name loses its legal form first ("Co., Ltd."), and if
  // it is still long, or not in Latin script, the first short Latin-script alias the data gives
  // (curators list the common name first: CETC, CETHIK, Hikvision) is drawn instead. The full
  // name is in the evidence panel and the Node selector.
  var LABEL_MAX = 30;
  var LABEL_CUT = 48;
  var LEGAL_FORM = new RegExp("[\\s,]*(co\\.?,?\\s*ltd\\.?|company limited|corporation limited|corporation|" +
    "corp\\.?|limited|ltd\\.?|inc\\.?|llc|pty\\.?\\s*ltd\\.?|pvt\\.?\\s*ltd\\.?|private limited|gmbh|" +
    "b\\.v\\.|s\\.a\\.|plc)\\s*$", "i");
  var CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]/;

  function latin(text) { return /[A-Za-z]/.test(text) && !CJK.test(text); }

  function displayName(n) {
    var name = String((n && (n.name || n.id)) || "");
    if (latin(name) && name.length <= LABEL_MAX) { return name; }
    var bare = name.replace(LEGAL_FORM, "");
    if (latin(bare) && bare.length <= LABEL_MAX) { return bare; }
    var alias = ((n && n.aliases) || []).filter(function (a) {
      return latin(a) && a.length <= LABEL_MAX;
    })[0];
    if (alias) { return alias; }
    return shortLabel(bare || name);
  }

  function shareText(x) {
    if (x.share !== null && x.share !== undefined) { return x.share + "%"; }
    var lo = x.share_min, hi = x.share_max;
    if ((lo === null || lo === undefined) && (hi === null || hi === undefined)) { return ""; }
    return (lo === null || lo === undefined ? "?" : lo) + "–" + (hi === null || hi === undefined ? "?" : hi) + "%";
  }

  function nodeClass(n) {
    if (n.kind === "organization" && STATE_TYPES[n.org_type]) { return "state"; }
    return n.kind || "organization";
  }

  // Labels stay readable at any zoom: below READ_PX on screen a label's font grows (up to
  // MAX_LABEL_SCALE times) instead of shrinking into a dot. Style functions read the zoom; the
  // pages call watchZoom(cy) so that they are evaluated again when the zoom changes.
  // 11 px: the smallest size the pages' own small print uses.
  var READ_PX = 11;
  var MAX_LABEL_SCALE = 4;

  function labelScale(ele, base) {
    var zoom = ele.cy().zoom();
    return Math.min(MAX_LABEL_SCALE, Math.max(1, READ_PX / (base * zoom)));
  }

  function fontSize(base) {
    return function (ele) { return base * labelScale(ele, base); };
  }

  function textWidth(base, width) {
    return function (ele) { return width * labelScale(ele, base); };
  }

  function watchZoom(cy) {
    var pending = false;
    cy.on("zoom", function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        cy.style().update();
      });
    });
  }

  // Colours per relation; the legend on the pages uses the same (app.css .sw-e-*).
  var RELATION_COLOURS = {
    OWNS: "#334e68", CONTROLS: "#334e68", OWNS_BRAND: "#23877a", MODEL_OF: "#8c6d1f",
    MANUFACTURES_FOR: "#7048e8", DISTRIBUTES: "#c2255c", ASSIGNED: "#aab4be", SAME_AS: "#9aa5b1",
    UNRELATED_TO: "#2b8a3e"
  };

  var STYLE = [
    { selector: "node", style: {
      "label": "data(label)", "font-size": fontSize(11), "font-family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
      "color": "#1f2933", "text-valign": "bottom", "text-halign": "center", "text-margin-y": 3,
      "text-wrap": "wrap", "text-max-width": textWidth(11, 130),
      "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1,
      "width": 20, "height": 20, "background-color": "#4f6d8a", "border-width": 1.5, "border-color": "#ffffff" } },
    { selector: "node.state", style: { "background-color": "#6b4f8f", "shape": "hexagon", "width": 24, "height": 22 } },
    { selector: "node.brand", style: { "background-color": "#23877a", "shape": "round-rectangle", "width": 22, "height": 16 } },
    { selector: "node.product", style: { "background-color": "#8c6d1f", "shape": "round-tag" } },
    { selector: "node.person", style: { "background-color": "#9b5c2e", "shape": "ellipse" } },
    { selector: "node.identifier", style: { "background-color": "#9aa5b1", "shape": "diamond", "width": 12, "height": 12,
      "font-size": fontSize(9), "text-max-width": textWidth(9, 110), "color": "#52606d" } },
    // A group of identifier leaves drawn as one node ("67 MAC blocks"); a click shows them all.
    { selector: "node.id-group", style: { "background-color": "#9aa5b1", "shape": "round-diamond", "width": 26, "height": 26,
      "border-style": "double", "border-width": 4, "border-color": "#52606d", "font-size": fontSize(11),
      "text-max-width": textWidth(11, 130), "color": "#1f2933" } },
    // A large fan drawn as one node ("11 distributors"); a click opens it.
    { selector: "node.fan-group", style: { "background-color": "#cbd2d9", "shape": "round-rectangle", "width": 34, "height": 22,
      "border-style": "double", "border-width": 4, "border-color": "#52606d", "font-size": fontSize(11),
      "text-max-width": textWidth(11, 130), "color": "#1f2933" } },
    { selector: "node[?designated]", style: { "border-width": 3.5, "border-color": "#c92a2a" } },
    { selector: "node.center", style: { "width": 32, "height": 32, "font-size": fontSize(12), "font-weight": "bold", "background-color": "#16324f" } },
    { selector: "node.expandable", style: { "border-style": "double", "border-width": 4 } },
    { selector: "node.expandable[!designated]", style: { "border-color": "#16324f" } },
    { selector: "node:selected", style: { "overlay-color": "#f59f00", "overlay-opacity": 0.25, "overlay-padding": 5 } },
    // The node picked: an orange ring and a bold label, whatever its other marks.
    { selector: "node.picked", style: { "border-style": "solid", "border-width": 5, "border-color": "#f08c00",
      "font-weight": "bold", "text-background-color": "#fff3bf", "text-background-opacity": 1 } },
    { selector: "node.hidden-kind, node.grouped", style: { "display": "none" } },
    { selector: "edge", style: {
      "width": 1.4, "line-color": "#8796a5", "target-arrow-color": "#8796a5", "target-arrow-shape": "triangle",
      "arrow-scale": 0.8, "curve-style": "bezier", "label": "data(label)", "font-size": fontSize(11), "color": "#3e4c59",
      "text-rotation": "autorotate", "text-background-color": "#ffffff", "text-background-opacity": 0.85,
      "text-background-padding": 1, "min-zoomed-font-size": 7 } }
  ];
  Object.keys(RELATION_COLOURS).forEach(function (rel) {
    STYLE.push({ selector: "edge[relation = '" + rel + "']", style: {
      "line-color": RELATION_COLOURS[rel], "target-arrow-color": RELATION_COLOURS[rel] } });
  });
  STYLE.push(
    { selector: "edge[relation = 'OWNS'], edge[relation = 'CONTROLS']", style: { "width": 2 } },
    { selector: "edge[relation = 'CONTROLS']", style: { "line-style": "dashed", "line-dash-pattern": [6, 3] } },
    { selector: "edge[relation = 'ASSIGNED']", style: { "width": 0.8 } },
    { selector: "edge[relation = 'SAME_AS']", style: { "line-style": "dotted", "target-arrow-shape": "none" } },
    { selector: "edge[relation = 'UNRELATED_TO']", style: { "line-style": "dashed", "target-arrow-shape": "none" } },
    { selector: "edge.grouped", style: { "display": "none" } },
    { selector: "edge[!current]", style: { "opacity": 0.45, "line-style": "dotted" } },
    // Weak evidence (grade C only or low confidence): dashed and orange, like the weak badges.
    { selector: "edge[strength = 'weak']", style: { "line-style": "dashed", "line-dash-pattern": [5, 3],
      "line-color": "#d9480f", "target-arrow-color": "#d9480f", "color": "#d9480f" } },
    { selector: "edge:selected", style: { "line-color": "#f08c00", "target-arrow-color": "#f08c00", "width": 3 } }
  );

  // The layered view ranks nodes by the direction of ownership and control, not by the drawn
  // direction of every edge: "down" puts the edge's source above its target, "up" the target
  // above the source (a model below its brand, a distributor below what it sells), "same" keeps
  // both on one level (linked records of one entity). Lower tiers are placed first; a later
  // edge that would contradict them (an OEM maker that is itself a holding of its customer)
  // is turned to agree, so ownership always wins.
  var RANKING = {
    OWNS: { dir: "down", tier: 0, weight: 4 },
    CONTROLS: { dir: "down", tier: 0, weight: 4 },
    OWNS_BRAND: { dir: "down", tier: 1, weight: 3 },
    MODEL_OF: { dir: "up", tier: 1, weight: 3 },
    MANUFACTURES_FOR: { dir: "down", tier: 2, weight: 1 },
    ASSIGNED: { dir: "down", tier: 2, weight: 1 },
    DISTRIBUTES: { dir: "up", tier: 3, weight: 1 },
    SAME_AS: { dir: "same", tier: 3, weight: 1 }
  };
  var UNRANKED = { dir: "down", tier: 4, weight: 1 };
  var LEAF_ROW = 8;

  function reaches(adj, from, to) {
    var stack = [from], seen = {};
    while (stack.length) {
      var n = stack.pop();
      if (n === to) { return true; }
      if (seen[n]) { continue; }
      seen[n] = true;
      (adj[n] || []).forEach(function (m) { stack.push(m); });
    }
    return false;
  }

  // Positions for `eles` (nodes and the edges among them), owners on top. Nodes linked by
  // SAME_AS share one slot of dagre's graph and are drawn side by side. Returns {id: {x, y}}.
  function layeredPositions(eles, dims, leafRow, maxWidth) {
    var row = leafRow || LEAF_ROW;
    var nodes = eles.nodes(), edges = eles.edges();
    var parent = {};
    function find(id) {
      while (parent[id] !== id) { parent[id] = parent[parent[id]]; id = parent[id]; }
      return id;
    }
    nodes.forEach(function (n) { parent[n.id()] = n.id(); });
    edges.forEach(function (e) {
      if ((RANKING[e.data("relation")] || UNRANKED).dir === "same") {
        var a = find(e.source().id()), b = find(e.target().id());
        if (a !== b) { parent[b] = a; }
      }
    });
    var members = {};
    nodes.forEach(function (n) {
      var root = find(n.id());
      (members[root] = members[root] || []).push(n);
    });
    var GAP = 24;
    var g = new window.dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: "TB", ranker: "network-simplex", nodesep: NODE_GAP, ranksep: RANK_GAP, edgesep: 10 });
    Object.keys(members).forEach(function (root) {
      var w = 0, h = 0;
      members[root].forEach(function (n, i) {
        var d = dims(n);
        w += d.w + (i ? GAP : 0);
        h = Math.max(h, d.h);
      });
      g.setNode(root, { width: w, height: h });
    });
    var sorted = edges.toArray().sort(function (a, b) {
      return (RANKING[a.data("relation")] || UNRANKED).tier - (RANKING[b.data("relation")] || UNRANKED).tier;
    });
    var adj = {}, ranked = [];
    sorted.forEach(function (e) {
      var rule = RANKING[e.data("relation")] || UNRANKED;
      if (rule.dir === "same") { return; }
      var upper = find(e.source().id()), lower = find(e.target().id());
      if (rule.dir === "up") { var t = upper; upper = lower; lower = t; }
      if (upper === lower) { return; }
      // Contradicts what is already placed: lower already sits above upper, so agree with it.
      if (reaches(adj, lower, upper)) { var s = upper; upper = lower; lower = s; }
      (adj[upper] = adj[upper] || []).push(lower);
      ranked.push({ upper: upper, lower: lower, rule: rule, edge: e });
    });
    // A node with many nodes below it (a group's subsidiaries, brands and distributors) would
    // put them all in one row many screens wide. Those whose only tie upward is this node are
    // stacked in rows of LEAF_ROW instead, still below it, kept together by relation.
    var leaves = {}, parents = {};
    ranked.forEach(function (r) { parents[r.lower] = (parents[r.lower] || 0) + 1; });
    ranked.forEach(function (r) {
      if (parents[r.lower] === 1) { (leaves[r.upper] = leaves[r.upper] || []).push(r); }
    });
    var minlen = {};
    Object.keys(leaves).forEach(function (upper) {
      var list = leaves[upper];
      if (list.length <= row) { return; }
      list.sort(function (a, b) {
        return a.rule.tier - b.rule.tier ||
          a.edge.data("relation").localeCompare(b.edge.data("relation")) ||
          String(a.edge.target().data("name")).localeCompare(String(b.edge.target().data("name")));
      });
      list.forEach(function (r, i) { minlen[r.edge.id()] = 1 + Math.floor(i / row); });
    });
    ranked.forEach(function (r) {
      g.setEdge(r.upper, r.lower, { minlen: minlen[r.edge.id()] || 1, weight: r.rule.weight }, r.edge.id());
    });
    window.dagre.layout(g);
    var slots = Object.keys(members).map(function (root) {
      var s = g.node(root), up = 0, down = 0;
      members[root].forEach(function (n) {
        var d = dims(n);
        up = Math.max(up, d.up);
        down = Math.max(down, d.down);
      });
      return { root: root, x: s.x, y: s.y, w: s.width, up: up, down: down };
    });
    stackRanks(slots, maxWidth);
    var out = {};
    slots.forEach(function (slot) {
      var x = slot.x - slot.w / 2;
      members[slot.root].forEach(function (n) {
        var d = dims(n);
        out[n.id()] = { x: x + d.w / 2, y: slot.y };
        x += d.w + GAP;
      });
    });
    return out;
  }

  // Gaps of the rows dagre ranks, in graph units: between labels side by side, between the
  // staggered rows of one rank, and between one rank's lowest label and the next rank's nodes.
  var NODE_GAP = 28;
  var ROW_GAP = 16;
  var RANK_GAP = 70;

  // x for `list` (slots of one rank, left to right) in `k` staggered rows: slot i goes to row
  // i % k, each row's labels side by side with NODE_GAP between them, and each slot a k-th of
  // a step right of the one before, so that a row's nodes sit between those of the row above.
  function stagger(list, k) {
    var xs = [];
    list.forEach(function (s, i) {
      var x = 0;
      if (i > 0) {
        var prev = list[i - 1];
        x = xs[i - 1] + ((prev.w + s.w) / 2 + NODE_GAP) / k;
      }
      if (i >= k) {
        var above = list[i - k];
        x = Math.max(x, xs[i - k] + (above.w + s.w) / 2 + NODE_GAP);
      }
      xs.push(x);
    });
    return xs;
  }

  function span(list, xs) {
    var lo = Infinity, hi = -Infinity;
    list.forEach(function (s, i) {
      lo = Math.min(lo, xs[i] - s.w / 2);
      hi = Math.max(hi, xs[i] + s.w / 2);
    });
    return { lo: lo, hi: hi };
  }

  // dagre puts each rank in one row and centres a node's box, label included, on the rank's
  // line; Cytoscape draws the label below the node. So the ranks are stacked again from their
  // drawn extent (node above its position, label below it), and, given `maxWidth` (the canvas
  // width in graph units at the zoom the labels are sized for), a rank wider than that is
  // packed and, if still too wide, wrapped into staggered rows; every rank is then moved, as a
  // whole, into one band maxWidth wide. Labels are a fixed size on screen when the view is
  // zoomed out, so a row of labels wider than the canvas cannot be fitted by zooming out.
  function stackRanks(slots, maxWidth) {
    var ranks = {};
    slots.forEach(function (s) { (ranks[Math.round(s.y)] = ranks[Math.round(s.y)] || []).push(s); });
    var whole = span(slots, slots.map(function (s) { return s.x; }));
    var wrap = maxWidth && whole.hi - whole.lo > maxWidth;
    var left = (whole.lo + whole.hi - maxWidth) / 2, right = left + maxWidth;
    var bottom = null;
    Object.keys(ranks).map(Number).sort(function (a, b) { return a - b; }).forEach(function (key) {
      var list = ranks[key].sort(function (a, b) { return a.x - b.x; });
      var k = 1;
      if (wrap) {
        var xs = list.map(function (s) { return s.x; });
        var ext = span(list, xs);
        if (ext.hi - ext.lo > maxWidth) {
          for (k = 1; k <= list.length; k++) {
            xs = stagger(list, k);
            ext = span(list, xs);
            if (ext.hi - ext.lo <= maxWidth) { break; }
          }
          k = Math.min(k, list.length);
          // Centred where dagre centred the rank.
          var mid = list.reduce(function (sum, s) { return sum + s.x; }, 0) / list.length;
          var shift = mid - (ext.lo + ext.hi) / 2;
          xs = xs.map(function (x) { return x + shift; });
          ext = { lo: ext.lo + shift, hi: ext.hi + shift };
        }
        var into = ext.lo < left ? left - ext.lo : (ext.hi > right ? Math.max(right - ext.hi, left - ext.lo) : 0);
        list.forEach(function (s, i) { s.x = xs[i] + into; });
      }
      var up = 0, down = 0;
      list.forEach(function (s) { up = Math.max(up, s.up); down = Math.max(down, s.down); });
      var y = bottom === null ? key : bottom + RANK_GAP + up;
      list.forEach(function (s, i) { s.y = y + (i % k) * (up + down + ROW_GAP); });
      bottom = y + (k - 1) * (up + down + ROW_GAP) + down;
    });
  }

  // Run the layered layout on `eles` with Cytoscape's preset layout (so fit and padding work
  // as for any other layout).
  function layered(eles, options) {
    // A node's drawn box, label included, at the zoom the labels are sized for: its width, and
    // how far it reaches above and below the node's position (the label hangs below).
    var dims = function (n) {
      var b = n.boundingBox({ includeLabels: true, includeOverlays: false });
      var y = n.position("y");
      return { w: b.w, h: b.h, up: y - b.y1, down: b.y2 - y };
    };
    // leafRow: how many leaves of one node side by side (a narrow canvas asks for fewer);
    // maxWidth: the widest a row may be, in graph units (none: as wide as dagre makes it).
    var positions = layeredPositions(eles, dims, options && options.leafRow, options && options.maxWidth);
    var rest = Object.assign({}, options || {});
    delete rest.leafRow;
    delete rest.maxWidth;
    return eles.layout(Object.assign({ name: "preset", animate: false, fit: true, padding: 24 }, rest, {
      positions: function (n) { return positions[n.id()]; }
    }));
  }

  function sourcesList(sources) {
    var ul = el("ul", { "class": "sources" });
    (sources || []).forEach(function (s) {
      var li = el("li");
      var url = safeUrl(s.url);
      if (url) {
        li.appendChild(el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, s.title));
      } else {
        li.appendChild(el("span", { "class": "src-title" }, s.title));
      }
      var meta = [];
      if (s.published) { meta.push("published " + s.published); }
      if (s.retrieved) { meta.push("retrieved " + s.retrieved); }
      if (s.grade) { meta.push("grade " + s.grade); }
      if (meta.length) { li.appendChild(el("span", { "class": "meta" }, " " + meta.join(" · "))); }
      if (s.quote) { li.appendChild(el("blockquote", null, s.quote)); }
      ul.appendChild(li);
    });
    return ul;
  }

  function dl(pairs) {
    var d = el("dl", { "class": "kv" });
    pairs.forEach(function (p) {
      if (p[1] === null || p[1] === undefined || p[1] === "") { return; }
      d.appendChild(el("dt", null, p[0]));
      d.appendChild(el("dd", null, p[1]));
    });
    return d;
  }

  function showNode(body, n) {
    body.textContent = "";
    body.appendChild(el("h3", null, n.name));
    body.appendChild(dl([
      ["Kind", n.kind + (n.org_type ? " · " + n.org_type.replace(/_/g, " ") : "")],
      ["Country", n.country],
      ["Aliases", (n.aliases || []).join("; ")],
      ["Identifiers", (n.identifiers || []).map(function (i) { return i.scheme + " " + i.value; }).join("; ")]
    ]));
    if (n.id) {
      body.appendChild(el("p", null)).appendChild(
        el("a", { href: "/ui/entities/" + encodeURIComponent(n.id) }, "Open entity page →"));
    }
    (n.designations || []).forEach(function (d) {
      var box = el("div", { "class": "des" + (d.active ? " active" : "") });
      box.appendChild(el("h4", null, (d.list_name || d.list) + (d.active ? "" : " (ended)")));
      box.appendChild(dl([["Authority", d.authority], ["Program", d.program], ["Citation", d.citation],
        ["From", d.start_date], ["To", d.end_date]]));
      box.appendChild(sourcesList(d.sources));
      body.appendChild(box);
    });
    if (n.sources) {
      body.appendChild(el("h4", null, "Sources (" + n.sources.length + ")"));
      body.appendChild(sourcesList(n.sources));
    }
  }

  function showEdge(body, e, names) {
    body.textContent = "";
    var share = shareText(e);
    body.appendChild(el("h3", null, (names[e.source] || e.source) + " → " + e.relation +
      (share ? " " + share : "") + " → " + (names[e.target] || e.target)));
    body.appendChild(dl([
      ["Valid", (e.valid_from || e.valid_to) ? (e.valid_from || "…") + " – " + (e.valid_to || "") : ""],
      ["Status", e.current === false ? "ended" : ""],
      ["Confidence", e.confidence !== undefined ? Number(e.confidence).toFixed(2) : ""],
      ["Strength", e.strength ? e.strength + (e.weak_reason ? ": " + e.weak_reason : "") : ""],
      ["Reason", e.reason],
      ["Note", e.note]
    ]));
    body.appendChild(el("h4", null, "Sources (" + (e.sources || []).length + ")"));
    body.appendChild(sourcesList(e.sources));
  }

  window.SGGraph = {
    el: el, style: STYLE, shortLabel: shortLabel, displayName: displayName, shareText: shareText, nodeClass: nodeClass,
    showNode: showNode, showEdge: showEdge, sourcesList: sourcesList, layered: layered,
    watchZoom: watchZoom
  };
})();
