"""The HTML audit report: one self-contained page that opens offline.

Summary counts, small charts drawn as inline SVG, the rows that resolve to the target (``yes``)
or possibly do (``possible``: the evidence has a weak link, named) with their evidence and
numbered sources, the suppliers that distribute the target group's products, the rows that could
not be read, and a few filters written in plain inline JavaScript. Nothing is loaded from the
network; every value from the inventory is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .run import Summary

COLOURS = {
    "yes": "#b42318",
    "possible": "#d9480f",
    "no": "#2f7d32",
    "unknown": "#8d6e00",
    "error": "#6b7280",
}
VERDICT_LABELS = {
    "yes": "Resolve to the target",
    "possible": "Possibly the target (weak link)",
    "no": "Known, not the target",
    "unknown": "Not identified",
    "error": "Rows with errors",
}
FIELD_LABELS = {
    "mac": "MAC address",
    "fcc_id": "FCC ID",
    "brand": "Brand / manufacturer",
    "model": "Model number",
    "name": "Company / supplier",
}
ACCENT = "#1f4e79"


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _pct(n: int, total: int) -> str:
    return f"{100.0 * n / total:.1f}%" if total else "0%"


def bar_chart(items: list[tuple[str, int, str]], width: int = 440) -> str:
    """Horizontal bars with labels and values, as inline SVG."""
    if not items:
        return '<p class="muted">Nothing to chart.</p>'
    label_w, value_w, row_h = 200, 70, 26
    bar_w = width - label_w - value_w
    top = max(v for _, v, _ in items) or 1
    height = row_h * len(items) + 6
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="bar chart" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value, colour) in enumerate(items):
        y = 3 + i * row_h
        w = max(2.0, bar_w * value / top) if value else 0.0
        short = label if len(label) <= 25 else label[:24] + "\u2026"
        parts.append(
            f"<g><title>{_e(label)}: {value:,}</title>"
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" class="lbl">{_e(short)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 9}" rx="3" '
            f'fill="{colour}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" class="val">{value:,}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def column_chart(items: list[tuple[str, int]], colour: str, width: int = 440) -> str:
    """Vertical columns (a histogram), as inline SVG."""
    if not items:
        return '<p class="muted">Nothing to chart.</p>'
    height, base, pad = 150, 122, 14
    slot = (width - 2 * pad) / len(items)
    top = max(v for _, v in items) or 1
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="histogram" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" stroke="#c8ccd2"/>',
    ]
    for i, (label, value) in enumerate(items):
        h = (base - 24) * value / top
        x = pad + i * slot + slot * 0.18
        w = slot * 0.64
        parts.append(
            f"<g><title>confidence {_e(label)}: {value:,} rows</title>"
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" rx="3" '
            f'fill="{colour}"/>'
            f'<text x="{x + w / 2:.1f}" y="{base - h - 6:.1f}" text-anchor="middle" '
            f'class="val">{value:,}</text>'
            f'<text x="{x + w / 2:.1f}" y="{base + 18}" text-anchor="middle" class="lbl">'
            f"{_e(label)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _share_bar(verdicts: dict[str, int], total: int) -> str:
    """One stacked bar of the verdict shares."""
    if not total:
        return ""
    parts = [
        '<svg viewBox="0 0 1000 26" width="100%" preserveAspectRatio="none" role="img" '
        'aria-label="verdict shares" xmlns="http://www.w3.org/2000/svg">'
    ]
    x = 0.0
    for verdict, n in verdicts.items():
        w = 1000.0 * n / total
        if w > 0:
            parts.append(
                f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="26" fill="{COLOURS[verdict]}">'
                f"<title>{_e(verdict)}: {n:,} ({_pct(n, total)})</title></rect>"
            )
        x += w
    parts.append("</svg>")
    return "".join(parts)


def _link(url: str | None, text: str) -> str:
    if url and url.startswith(("https://", "http://")):
        return f'<a href="{_e(url)}" rel="noreferrer">{_e(text)}</a>'
    return _e(text)


def _cards(data: dict[str, Any]) -> str:
    total = data["rows"]
    cards = []
    for verdict, n in data["verdicts"].items():
        cards.append(
            f'<div class="card" style="border-top-color:{COLOURS[verdict]}">'
            f'<div class="num" style="color:{COLOURS[verdict]}">{n:,}</div>'
            f'<div class="what">{_e(VERDICT_LABELS[verdict])}</div>'
            f'<div class="muted">{_e(verdict)} · {_pct(n, total)} of {total:,} rows</div></div>'
        )
    return '<section class="cards">' + "".join(cards) + "</section>"


def _charts(data: dict[str, Any]) -> str:
    verdicts = [(VERDICT_LABELS[k], v, COLOURS[k]) for k, v in data["verdicts"].items()]
    fields = [(FIELD_LABELS.get(k, k), v, ACCENT) for k, v in data["yes_by_field"].items()]
    matches = [(k, v, COLOURS["yes"]) for k, v in data["yes_by_match"].items()]
    conf = list(data["yes_by_confidence"].items())
    boxes = [
        ("Rows by verdict", bar_chart(verdicts)),
        ("Target rows: which field proved it", bar_chart(fields)),
        ("Target rows: confidence of the evidence", column_chart(conf, COLOURS["yes"])),
        ("Target rows: most frequent matches", bar_chart(matches)),
    ]
    regimes = [(k, r["rows"], "#5b3f8c") for k, r in data["regimes"].items()]
    boxes.append(("Rows covered, by regulation", bar_chart(regimes)))
    return (
        '<section class="grid">'
        + "".join(
            f'<figure class="box"><figcaption>{_e(t)}</figcaption>{svg}</figure>'
            for t, svg in boxes
        )
        + "</section>"
    )


def _refs(sources: list[str], numbers: dict[str, int]) -> str:
    return " ".join(
        f'<a href="#src-{numbers[s]}">[{numbers[s]}]</a>' for s in sources if s in numbers
    )


def _target_table(data: dict[str, Any], numbers: dict[str, int]) -> str:
    """The yes and possible rows in input order, with a verdict filter."""
    rows = sorted([*data["yes_rows"], *data["possible_rows"]], key=lambda r: r["row"])
    totals = {v: data["verdicts"][v] for v in ("yes", "possible")}
    inputs = list(data["columns"].values())
    head = "".join(f"<th>{_e(c)}</th>" for c in inputs)
    out = [
        f'<section id="target"><h2>Devices that resolve to {_e(data["target"]["name"])} '
        f'<span class="muted">(yes {totals["yes"]:,} · possible {totals["possible"]:,})</span>'
        "</h2>"
    ]
    for verdict, listed in (("yes", data["yes_rows"]), ("possible", data["possible_rows"])):
        if totals[verdict] > len(listed):
            out.append(
                f'<p class="note">The first {len(listed):,} of {totals[verdict]:,} {verdict} '
                "rows are listed here; the CSV, XLSX or JSON output of the same audit has every "
                "row.</p>"
            )
    fields = sorted({r["field"] for r in rows})
    options = "".join(
        f'<option value="{_e(f)}">{_e(FIELD_LABELS.get(f, f))}</option>' for f in fields
    )
    out.append(
        '<div class="filters"><label>Search <input id="q" type="search" '
        'placeholder="MAC, brand, model, evidence..."></label>'
        '<label>Verdict <select id="verdict"><option value="">yes and possible</option>'
        '<option value="yes">yes</option><option value="possible">possible</option>'
        "</select></label>"
        f'<label>Proved by <select id="field"><option value="">any field</option>{options}'
        "</select></label>"
        '<label>Confidence at least <select id="conf"><option value="0">any</option>'
        '<option value="0.5">0.50</option><option value="0.75">0.75</option>'
        '<option value="0.99">1.00</option></select></label>'
        '<span id="shown" class="muted"></span></div>'
    )
    out.append(
        '<table id="target-rows"><thead><tr><th>Row</th>'
        f"{head}<th>Verdict</th><th>Confidence</th><th>Evidence</th><th>Weak link</th>"
        "<th>Regulations</th><th>Sources</th></tr></thead><tbody>"
    )
    for r in rows:
        cells = "".join(f"<td>{_e(r['input'].get(c, ''))}</td>" for c in inputs)
        regimes = f"<td>{_e(r['regimes'])}</td>"
        conf = r["confidence"]
        strength = "strong" if conf >= 0.75 else "medium" if conf >= 0.5 else "weak"
        verdict = r["verdict"]
        out.append(
            f'<tr data-verdict="{_e(verdict)}" data-field="{_e(r["field"])}" data-conf="{conf}">'
            f"<td>{r['row']:,}</td>{cells}"
            f'<td><span class="pill v-{_e(verdict)}">{_e(verdict)}</span></td>'
            f'<td><span class="pill {strength}">{conf:.2f}</span></td>'
            f'<td class="ev">{_e(r["evidence"])}</td><td class="ev">{_e(r.get("weak_link", ""))}'
            f'</td>{regimes}<td class="refs">{_refs(r["sources"], numbers)}</td></tr>'
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def _distributors(data: dict[str, Any], numbers: dict[str, int]) -> str:
    """Suppliers that distribute the target group's products (rows answered `no`)."""
    found = data["distributors"]
    if not found:
        return ""
    body = "".join(
        f"<tr><td>{_e(d['name'])}</td><td>{_e('; '.join(d['distributes']))}</td>"
        f'<td>{d["rows"]:,}</td><td class="refs">{_refs(d["sources"], numbers)}</td></tr>'
        for d in found
    )
    return (
        f'<section id="distributors"><h2>Suppliers that distribute '
        f'{_e(data["target"]["name"])} products <span class="muted">'
        f"({data['distributor_rows']:,} rows)</span></h2>"
        '<p class="note">A distributor is not the maker: these rows are <b>no</b>, but the '
        "supplier sells the target group's brands or products.</p>"
        '<table id="distributor-rows"><thead><tr><th>Supplier</th><th>Distributes</th>'
        f"<th>Rows</th><th>Sources</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


def _errors(data: dict[str, Any]) -> str:
    rows = data["error_rows"]
    if not rows:
        return ""
    n = data["verdicts"]["error"]
    body = "".join(f"<tr><td>{r['row']:,}</td><td>{_e(r['error'])}</td></tr>" for r in rows)
    more = (
        f'<p class="note">The first {len(rows):,} of {n:,} are listed.</p>' if n > len(rows) else ""
    )
    return (
        f'<section id="errors"><h2>Rows that could not be resolved <span class="muted">'
        f"({n:,})</span></h2>{more}<table><thead><tr><th>Row</th><th>Problem</th></tr></thead>"
        f"<tbody>{body}</tbody></table></section>"
    )


def _sources(data: dict[str, Any], numbers: dict[str, int]) -> str:
    items = []
    for key, n in numbers.items():
        s = data["sources"][key]
        grade = f' <span class="pill grade">grade {_e(s["grade"])}</span>' if s.get("grade") else ""
        quote = f"<blockquote>{_e(s['quote'])}</blockquote>" if s.get("quote") else ""
        items.append(f'<li id="src-{n}">{_link(s.get("url"), s["title"])}{grade}{quote}</li>')
    if not items:
        return ""
    return f'<section id="sources"><h2>Sources</h2><ol>{"".join(items)}</ol></section>'


STYLE = """
:root{--ink:#1d2330;--muted:#5f6b7a;--line:#e2e5ea;--bg:#f6f7f9}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:28px 28px 60px}
header{border-bottom:3px solid #1f4e79;margin-bottom:18px;padding-bottom:12px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:30px 0 10px}
.sub,.muted{color:var(--muted)}.sub{margin:0}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:12px;margin:16px 0 10px}
.card{background:#fff;border:1px solid var(--line);border-top:4px solid;border-radius:6px;
padding:12px 14px}.num{font-size:28px;font-weight:700}.what{font-weight:600}
.share{margin:6px 0 4px;border-radius:4px;overflow:hidden;border:1px solid var(--line)}
.grid{display:grid;grid-template-columns:repeat(2,1fr);gap:12px;align-items:start}
.box{background:#fff;border:1px solid var(--line);border-radius:6px;margin:0;padding:12px}
figcaption{font-weight:600;margin-bottom:6px}
svg .lbl{font-size:12px;fill:#3b4452}svg .val{font-size:12px;fill:#1d2330;font-weight:600}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);
font-size:13px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);
vertical-align:top}th{background:#eef1f5;position:sticky;top:0}
td.ev{max-width:420px}td.refs a{margin-right:3px}
.pill{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;font-weight:600}
.strong{background:#fde8e7;color:#b42318}.medium{background:#fff3dc;color:#8a5a00}
.weak{background:#eef1f5;color:#3b4452}.grade{background:#eef1f5;color:#3b4452;margin-left:6px}
.v-yes{background:#b42318;color:#fff}.v-possible{background:#d9480f;color:#fff}
.filters{display:flex;flex-wrap:wrap;gap:14px;align-items:center;margin:8px 0 10px}
.filters input,.filters select{font:inherit;padding:4px 6px;border:1px solid #c8ccd2;
border-radius:4px}.filters input{width:260px}
.note{background:#fff8e6;border-left:3px solid #b7791f;padding:6px 10px}
blockquote{margin:2px 0 8px 0;color:var(--muted);font-style:italic}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}
dt{color:var(--muted)}dd{margin:0}
footer{margin-top:34px;color:var(--muted);font-size:12px}
@media print{body{background:#fff}.filters{display:none}th{position:static}
.grid{grid-template-columns:1fr 1fr}section{break-inside:avoid-page}}
"""

SCRIPT = """
(function(){
var q=document.getElementById('q'),f=document.getElementById('field'),
c=document.getElementById('conf'),v=document.getElementById('verdict'),
shown=document.getElementById('shown');
if(!q){return;}
var rows=Array.prototype.slice.call(document.querySelectorAll('#target-rows tbody tr'));
function apply(){var text=q.value.trim().toLowerCase(),field=f.value,verdict=v.value,
min=parseFloat(c.value)||0,n=0;
rows.forEach(function(r){var ok=(!field||r.dataset.field===field)&&
(!verdict||r.dataset.verdict===verdict)&&parseFloat(r.dataset.conf)>=min&&
(!text||r.textContent.toLowerCase().indexOf(text)>=0);
r.style.display=ok?'':'none';if(ok){n++;}});
shown.textContent='showing '+n.toLocaleString()+' of '+rows.length.toLocaleString();}
q.addEventListener('input',apply);f.addEventListener('change',apply);
v.addEventListener('change',apply);c.addEventListener('change',apply);apply();})();
"""


def render(summary: Summary) -> str:
    """The whole report as one HTML document."""
    data = summary.to_json()
    numbers = {key: n for n, key in enumerate(data["sources"], 1)}
    target = data["target"]
    mapped = "".join(
        f"<dt>{_e(FIELD_LABELS.get(f, f))}</dt><dd>column “{_e(c)}”</dd>"
        for f, c in data["columns"].items()
    )
    total = data["rows"]
    yes, possible = data["verdicts"]["yes"], data["verdicts"]["possible"]
    headline = (
        f"{yes:,} of {total:,} rows ({_pct(yes, total)}) resolve to {target['name'].rstrip('.')}"
        f"; {possible:,} more ({_pct(possible, total)}) possibly do, on weak evidence."
        if total
        else "The inventory has no rows."
    )
    return "".join(
        [
            '<!doctype html><html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width,initial-scale=1">',
            f"<title>Installation audit: {_e(data['inventory'])}</title>",
            f"<style>{STYLE}</style></head><body><main>",
            "<header><h1>Installation audit</h1>",
            f'<p class="sub">Inventory <b>{_e(data["inventory"])}</b> ({_e(data["format"])}) · '
            f"target <b>{_e(target['name'])}</b> · facts as of {_e(data['as_of'])} · "
            f"generated {_e(data['generated'])} · {total:,} rows in {data['seconds']:.1f} s</p>",
            "</header>",
            f'<p style="font-size:16px;margin:8px 0"><b>{_e(headline)}</b></p>',
            f'<div class="share">{_share_bar(data["verdicts"], total)}</div>',
            _cards(data),
            _charts(data),
            _target_table(data, numbers),
            _distributors(data, numbers),
            _errors(data),
            _sources(data, numbers),
            '<section id="method"><h2>How to read this report</h2><dl>',
            f"<dt>yes</dt><dd>An evidence path runs from {_e(target['name'])} down to what the "
            "row resolved to: it is the target, is owned or controlled by it, is its brand, is "
            "made for it (OEM), or carries an identifier assigned to it (MAC block, FCC grantee "
            "code), and every link of that path is strong.</dd>",
            "<dt>possible</dt><dd>The best path reaches the target but rests on a weak link "
            "(only grade C sources, a confidence below the threshold, or a model number that "
            "only fits a model-number family); the row names the link and why it is weak.</dd>",
            "<dt>no</dt><dd>The row resolved to known entities, none of them reached from the "
            "target (an owner of the target is not the target). A supplier that distributes "
            "the target group's products is <b>no</b> too, with what it distributes.</dd>",
            "<dt>unknown</dt><dd>Nothing known matched: the row needs a manual check.</dd>",
            "<dt>confidence</dt><dd>The match score times the weakest link of the best path: "
            "registry facts about 1.0, press reports 0.7 to 0.85, model-number families 0.4 or "
            "less.</dd>",
            f"<dt>columns used</dt><dd><dl>{mapped}</dl></dd></dl></section>",
            f"<footer>supplygraph audit report for {_e(data['inventory'])}. Every path step cites "
            "its sources above; the full row-by-row results are in the CSV, XLSX or JSON output "
            "of the same audit.</footer>",
            f"</main><script>{SCRIPT}</script></body></html>\n",
        ]
    )
