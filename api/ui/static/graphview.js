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
    return name.length > 34 ? name.slice(0, 32) + "…" : name;
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

  var STYLE = [
    { selector: "node", style: {
      "label": "data(label)", "font-size": 11, "font-family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
      "color": "#1f2933", "text-valign": "bottom", "text-halign": "center", "text-margin-y": 3,
      "text-wrap": "wrap", "text-max-width": 130, "min-zoomed-font-size": 4,
      "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1,
      "width": 20, "height": 20, "background-color": "#4f6d8a", "border-width": 1.5, "border-color": "#ffffff" } },
    { selector: "node.state", style: { "background-color": "#6b4f8f", "shape": "hexagon", "width": 24, "height": 22 } },
    { selector: "node.brand", style: { "background-color": "#23877a", "shape": "round-rectangle", "width": 22, "height": 16 } },
    { selector: "node.product", style: { "background-color": "#8c6d1f", "shape": "round-tag" } },
    { selector: "node.person", style: { "background-color": "#9b5c2e" } },
    { selector: "node.identifier", style: { "background-color": "#9aa5b1", "shape": "diamond", "width": 10, "height": 10,
      "font-size": 8, "color": "#52606d", "min-zoomed-font-size": 9 } },
    { selector: "node[?designated]", style: { "border-width": 3.5, "border-color": "#c92a2a" } },
    { selector: "node.center", style: { "width": 32, "height": 32, "font-size": 12, "font-weight": "bold", "background-color": "#16324f" } },
    { selector: "node.expandable", style: { "border-style": "double", "border-width": 4 } },
    { selector: "node.expandable[!designated]", style: { "border-color": "#16324f" } },
    { selector: "node:selected", style: { "overlay-color": "#f59f00", "overlay-opacity": 0.25, "overlay-padding": 5 } },
    { selector: "node.hidden-kind", style: { "display": "none" } },
    { selector: "edge", style: {
      "width": 1.4, "line-color": "#8796a5", "target-arrow-color": "#8796a5", "target-arrow-shape": "triangle",
      "arrow-scale": 0.8, "curve-style": "bezier", "label": "data(label)", "font-size": 8, "color": "#3e4c59",
      "text-rotation": "autorotate", "text-background-color": "#ffffff", "text-background-opacity": 0.85,
      "text-background-padding": 1, "min-zoomed-font-size": 7 } },
    { selector: "edge[relation = 'OWNS'], edge[relation = 'CONTROLS']", style: { "width": 2, "line-color": "#334e68", "target-arrow-color": "#334e68" } },
    { selector: "edge[relation = 'CONTROLS']", style: { "line-style": "dashed", "line-dash-pattern": [6, 3] } },
    { selector: "edge[relation = 'OWNS_BRAND']", style: { "line-color": "#23877a", "target-arrow-color": "#23877a" } },
    { selector: "edge[relation = 'MANUFACTURES_FOR'], edge[relation = 'DISTRIBUTES']", style: { "line-color": "#d9480f", "target-arrow-color": "#d9480f" } },
    { selector: "edge[relation = 'ASSIGNED']", style: { "width": 0.8, "line-color": "#c5ced6", "target-arrow-color": "#c5ced6", "font-size": 7, "min-zoomed-font-size": 9 } },
    { selector: "edge[relation = 'SAME_AS']", style: { "line-style": "dotted", "line-color": "#9aa5b1", "target-arrow-shape": "none" } },
    { selector: "edge[!current]", style: { "opacity": 0.45, "line-style": "dotted" } },
    // Weak evidence (grade C only or low confidence): dashed and orange, like the weak badges.
    { selector: "edge[strength = 'weak']", style: { "line-style": "dashed", "line-dash-pattern": [5, 3],
      "line-color": "#d9480f", "target-arrow-color": "#d9480f", "color": "#d9480f" } },
    { selector: "edge:selected", style: { "line-color": "#f08c00", "target-arrow-color": "#f08c00", "width": 3 } }
  ];

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
    el: el, style: STYLE, shortLabel: shortLabel, shareText: shareText, nodeClass: nodeClass,
    showNode: showNode, showEdge: showEdge, sourcesList: sourcesList
  };
})();
