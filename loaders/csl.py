"""The US Consolidated Screening List (trade.gov): CSV (current header with ``_id`` and the 2019
header without it) and the JSON export (``{"results": [...]}``).

Each row is one listing: the ``source`` names the list (mapped onto our vocabulary), multi-value
fields (``alt_names``, ``addresses``, ``ids``, ``programs``) are ``;``-separated in the CSV. The
``ids`` column is written "Type, Number, Country" in current files and "Country, Number, Type" in
2019 ones, so identifiers are recognised by their label wherever it stands.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import Identifier, IdScheme, Node, NodeKind, Record, SourceRef

from .common import (
    country_code,
    designation,
    parse_date,
    source_key,
    split_multi,
    strong_identifier,
    unique,
)
from .context import LoadContext
from .format_spec import LoaderFormat, Peek
from .reading import JsonLayout, check_header, iter_csv, iter_json_items, json_completeness
from .vocabulary import OTHER, csl_list_id

DATASET = "us-csl"
SOURCE = SourceRef(
    id=DATASET,
    title="US Consolidated Screening List (International Trade Administration)",
    url="https://www.trade.gov/consolidated-screening-list",
    grade="A",
)
REQUIRED = ("source", "name", "type", "programs", "addresses", "alt_names", "ids")
COLUMNS = (
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "remarks",
    "source_list_url",
    "alt_names",
    "ids",
)

_LABELS: tuple[tuple[re.Pattern[str], IdScheme], ...] = (
    (re.compile(r"unified social credit code", re.I), IdScheme.USCC),
    (re.compile(r"^isin$", re.I), IdScheme.ISIN),
    (re.compile(r"legal entity number|^lei$", re.I), IdScheme.LEI),
)
_TICKER = re.compile(r"^equity ticker$", re.I)
_EFFECTIVE = re.compile(r"^effective date \(([^)]+)\)$", re.I)


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    ctx.dataset = DATASET
    if path.suffix.lower() == ".json":
        # The API's answers state how many results the search has ("total"): a page of them
        # is not the whole list.
        layout = JsonLayout(keep=("total",))
        for line, item in iter_json_items(ctx, path, keys=("results",), layout=layout):
            ctx.count_read()
            if not isinstance(item, dict):
                raise ctx.error(line, None, "expected a JSON object per listing")
            yield from _listing(ctx, line, _from_json(item))
        json_completeness(ctx, layout, "total")
        return
    rows = iter_csv(ctx, path)
    first = next(rows, None)
    if first is None:
        raise ctx.error(None, None, "the file is empty")
    columns = check_header(ctx, first[1], REQUIRED)
    for line, row in rows:
        ctx.count_read()
        if len(row) != len(columns):
            names = list(columns)
            missing = names[min(len(row), len(names) - 1)]
            raise ctx.error(
                line, missing, f"expected {len(columns)} columns, found {len(row)} (truncated?)"
            )
        cells = {c: row[columns[c]].strip() if c in columns else "" for c in COLUMNS}
        yield from _listing(ctx, line, cells)


def _from_json(item: dict[str, Any]) -> dict[str, str]:
    """The JSON export's lists and objects, flattened into the CSV's cell strings."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            return "; ".join(text(v) for v in value if v)
        if isinstance(value, dict):
            address = ("address", "city", "state", "postal_code", "country")
            keys = address if any(k in value for k in address) else ("type", "number", "country")
            return ", ".join(str(value[k]) for k in keys if value.get(k))
        return str(value).strip()

    cells = {c: text(item.get(c)) for c in COLUMNS}
    cells["_id"] = text(item.get("_id") or item.get("id"))
    return cells


def _identifiers(ctx: LoadContext, line: int, ids: str) -> tuple[list[Identifier], dict[str, date]]:
    found: list[Identifier] = []
    effective: dict[str, date] = {}
    for entry in split_multi(ids):
        parts = [p.strip() for p in entry.split(",") if p.strip()]
        for i, part in enumerate(parts):
            others = parts[:i] + parts[i + 1 :]
            for pattern, scheme in _LABELS:
                if pattern.search(part):
                    for value in others:
                        ident = strong_identifier(scheme, value, ctx, line)
                        if ident is not None:
                            found.append(ident)
                            break
            if _TICKER.match(part) and others:
                found.append(Identifier(scheme=IdScheme.TICKER, value=others[0].split()[0]))
            match = _EFFECTIVE.match(part)
            if match:
                day = next((d for d in map(parse_date, others) if d is not None), None)
                if day is not None:
                    effective[match.group(1).upper()] = day
    return found, effective


def _listing(ctx: LoadContext, line: int, cells: dict[str, str]) -> Iterator[Record]:
    name = cells["name"]
    if not name:
        raise ctx.error(line, "name", "empty name")
    source = cells["source"]
    list_id = csl_list_id(source)
    if list_id is None:
        ctx.warn(line, f"unknown CSL source {source!r}: recorded as {OTHER}")
        list_id = OTHER
    kind_text = cells["type"].lower()
    if kind_text == "vessel":
        ctx.skip()
        return
    key = cells["entity_number"] or name
    node_id = make_id("csl", list_id, key)
    idents, effective = _identifiers(ctx, line, cells["ids"])
    idents.insert(0, source_key(DATASET, cells["_id"] or f"{list_id}:{key}"))
    addresses = split_multi(cells["addresses"])
    country = next((c for c in (country_code(a.rsplit(",", 1)[-1]) for a in addresses) if c), None)
    src = SOURCE.model_copy(update={"url": cells["source_list_url"] or SOURCE.url, "quote": name})
    props: dict[str, object] = {"csl_source": source}
    if addresses:
        props["addresses"] = addresses
    if cells["remarks"]:
        props["csl_remarks"] = cells["remarks"]
    aliases = [a for a in split_multi(cells["alt_names"]) if a != name]
    yield Node(
        id=node_id,
        kind=NodeKind.PERSON if kind_text == "individual" else NodeKind.ORGANIZATION,
        name=name,
        aliases=unique(a.removeprefix("and ").strip() for a in aliases),
        country=country,
        identifiers=tuple(dict.fromkeys(idents)),
        properties=props,
        sources=(src,),
    )
    start = parse_date(cells["start_date"])
    if start is None and list_id == "us-ofac-ns-cmic":
        start = effective.get("CMIC")
    yield designation(
        node_id,
        list_id,
        (src,),
        program=cells["programs"] or None,
        start=start,
        end=parse_date(cells["end_date"]),
        citation=cells["federal_register_notice"] or None,
    )


def _recognise(peek: Peek) -> bool:
    if peek.is_json and '"results"' in peek.head and '"source"' in peek.head:
        return True
    return {"source", "name", "alt_names", "ids"} <= peek.header


FORMAT = LoaderFormat(name="csl", records=records, recognise=_recognise)
