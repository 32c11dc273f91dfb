/* Search page: results as you type, from GET /v1/search. The form still works without it. */
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("result-status");
  if (!input || !list || !window.fetch) { return; }
  var api = list.getAttribute("data-search-api");
  var timer = null, seq = 0;
  // The same words as api/ui/wording.py gives the server-rendered results.
  var SCHEMES = {
    oui: "IEEE MAC block (MA-L)", oui28: "IEEE MAC block (MA-M)", oui36: "IEEE MAC block (MA-S)",
    fcc_grantee: "FCC grantee code", lei: "LEI", uscc: "Chinese unified social credit code",
    isin: "ISIN", ticker: "stock ticker", registry: "company registry number",
    source_key: "record key in a source"
  };

  function matchedOn(key) {
    var at = key.indexOf(":");
    var scheme = at < 0 ? "" : key.slice(0, at), value = key.slice(at + 1);
    if (scheme === "prefix") { return "the beginning of the name “" + value + "”"; }
    if (/^oui(28|36)?$/.test(scheme)) { return SCHEMES[scheme] + " " + value.match(/.{1,2}/g).join("-"); }
    if (Object.prototype.hasOwnProperty.call(SCHEMES, scheme)) { return SCHEMES[scheme] + " " + value; }
    return "the name “" + key + "”";
  }

  function render(hits, q) {
    list.textContent = "";
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/ui/entities/" + encodeURIComponent(h.id);
      var name = document.createElement("span"); name.className = "r-name"; name.textContent = h.name;
      var kind = document.createElement("span"); kind.className = "badge kind-" + h.kind; kind.textContent = h.kind;
      var match = document.createElement("span"); match.className = "r-match"; match.textContent = matchedOn(h.matched_on);
      a.appendChild(name); a.appendChild(document.createTextNode(" ")); a.appendChild(kind); a.appendChild(match);
      li.appendChild(a);
      // Registry records of the same entity (its IEEE MAC registry record, ...) under it.
      if (h.also && h.also.length) {
        var ul = document.createElement("ul"); ul.className = "r-also";
        h.also.forEach(function (r) {
          var item = document.createElement("li");
          item.appendChild(document.createTextNode("also as "));
          var link = document.createElement("a");
          link.href = "/ui/entities/" + encodeURIComponent(r.id);
          link.textContent = r.name;
          item.appendChild(link);
          var note = document.createElement("span"); note.className = "muted";
          note.textContent = " linked record · " + matchedOn(r.matched_on);
          item.appendChild(note);
          ul.appendChild(item);
        });
        li.appendChild(ul);
      }
      list.appendChild(li);
    });
    status.textContent = hits.length + " result" + (hits.length === 1 ? "" : "s") + " for “" + q + "”";
  }

  function search() {
    var q = input.value.trim();
    var mine = ++seq;
    if (!q) { list.textContent = ""; status.textContent = ""; return; }
    fetch(api + "?limit=20&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (hits) { if (mine === seq) { render(hits, q); } })
      .catch(function () { if (mine === seq) { status.textContent = "Search failed; press Enter to retry."; } });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  // Down arrow moves from the box into the results; up/down move between them.
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") {
      var first = list.querySelector("a");
      if (first) { ev.preventDefault(); first.focus(); }
    }
  });
  list.addEventListener("keydown", function (ev) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var i = links.indexOf(document.activeElement);
    if (i < 0) { return; }
    if (ev.key === "ArrowDown" && i + 1 < links.length) { ev.preventDefault(); links[i + 1].focus(); }
    if (ev.key === "ArrowUp") { ev.preventDefault(); (i === 0 ? input : links[i - 1]).focus(); }
  });
})();
