"""The FCC Covered List (Secure and Trusted Communications Networks Act), in the two layouts
OpenSanctions keeps: a 2-column table (``covered_equipment_or_services,
date_of_inclusion_on_covered_list``) and the older ``;``-separated file with ``Entity Name`` and
``Subsidiary Names``.

The table names the producer inside a sentence ("... produced by Hytera Communications
Corporation, to the extent ..."); rows that name a category instead of a producer ("Routers
produced in a foreign country") are skipped. Malformed rows (two entries run together, several
dates in the date column) produce a warning naming the row, never a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import Edge, Node, NodeKind, Record, Relation, SourceRef

from .common import designation, parse_date, source_key, split_multi
from .context import LoadContext
from .format_spec import LoaderFormat, Peek
from .reading import check_header, iter_csv, iter_lines

DATASET = "us-fcc-covered"
SOURCE = SourceRef(
    id=DATASET,
    title="FCC Covered List (Secure and Trusted Communications Networks Act of 2019)",
    url="https://www.fcc.gov/supplychain/coveredlist",
    grade="A",
)
TABLE = ("covered_equipment_or_services", "date_of_inclusion_on_covered_list")
DATA = ("Covered Equipment or Services", "Date of Inclusion on Covered List", "Entity Name")

_BY = re.compile(
    r"(?:produced|provided|supplied)(?: or provided)?(?:, directly or indirectly,)? by "
    r"(?P<name>.+?)(?=,| subject to| or any| and its| including| to the extent|$)"
)
_SUBSIDIARY = re.compile(
    r"and its (?P<wholly>wholly-owned )?subsidiary (?P<name>.+?)(?= subject to|,|$)"
)
_DATE = re.compile(r"[A-Z][a-z]+ \d{1,2}, \d{4}")


def _delimiter(ctx: LoadContext, path: Path) -> str:
    for _, text in iter_lines(ctx, path):
        return ";" if text.count(";") > text.count(",") else ","
    raise ctx.error(None, None, "the file is empty")


def entity_id(name: str) -> str:
    """Both layouts give the same producer the same id."""
    return make_id("fcc", " ".join(name.split()).casefold())


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    ctx.dataset = DATASET
    delimiter = _delimiter(ctx, path)
    rows = iter_csv(ctx, path, delimiter)
    first = next(rows, None)
    if first is None:
        raise ctx.error(None, None, "the file is empty")
    header = [h.strip() for h in first[1]]
    layout = DATA if DATA[0] in header else TABLE
    columns = check_header(ctx, header, layout[:2], delimiter)
    for line, row in rows:
        ctx.count_read()
        if len(row) < 2:
            ctx.warn(line, f"row has {len(row)} column(s), expected at least 2; skipped")
            ctx.skip()
            continue
        text = row[columns[layout[0]]].strip()
        when = row[columns[layout[1]]].strip()
        dates = _DATE.findall(when)
        start = parse_date(dates[0]) if dates else None
        if start is None:
            ctx.warn(line, f"field {layout[1]!r}: {when!r} is not a date")
        elif len(dates) > 1 or _DATE.sub("", when).strip():
            ctx.warn(
                line, f"field {layout[1]!r} holds more than one date ({when!r}); using {start}"
            )
        if '"' in text:
            ctx.warn(line, "two entries run together in one row; only a named producer is kept")
        named = ""
        subsidiaries: list[tuple[str, bool]] = []
        if layout is DATA and len(row) > 2:
            named = row[columns[DATA[2]]].strip()
            sub_col = columns.get("Subsidiary Names")
            if sub_col is not None and sub_col < len(row):
                subsidiaries = [(s, False) for s in split_multi(row[sub_col], ",")]
        match = _BY.search(text)
        if not named and match:
            named = match.group("name").strip().rstrip(".")
        if not named:
            ctx.skip()  # a category of equipment, not a producer
            continue
        sub = _SUBSIDIARY.search(text)
        if sub:
            wholly = bool(sub.group("wholly"))
            name = sub.group("name").strip().rstrip(".")
            subsidiaries = [(s, wholly or w) for s, w in subsidiaries if s != name]
            subsidiaries.append((name, wholly))
        yield from _entry(ctx, named, text, start, subsidiaries)


def _entry(
    ctx: LoadContext,
    name: str,
    text: str,
    start: date | None,
    subsidiaries: list[tuple[str, bool]],
) -> Iterator[Record]:
    src = SOURCE.model_copy(update={"quote": text[:300]})
    node_id = entity_id(name)
    yield Node(
        id=node_id,
        kind=NodeKind.ORGANIZATION,
        name=name,
        identifiers=(source_key(DATASET, name),),
        properties={"fcc_covered_scope": text},
        sources=(src,),
    )
    yield designation(node_id, "us-fcc-covered", (src,), start=start)
    for sub_name, wholly in subsidiaries:
        sub_id = entity_id(sub_name)
        yield Node(
            id=sub_id,
            kind=NodeKind.ORGANIZATION,
            name=sub_name,
            identifiers=(source_key(DATASET, sub_name),),
            sources=(src,),
        )
        yield designation(sub_id, "us-fcc-covered", (src,), start=start)
        yield Edge(
            id=make_id("fcc-sub", node_id, sub_id),
            src=node_id,
            dst=sub_id,
            relation=Relation.OWNS,
            share=100.0 if wholly else None,
            confidence=0.95,
            note="named as subsidiary on the FCC Covered List",
            sources=(src,),
        )


def _recognise(peek: Peek) -> bool:
    return bool(peek.header & {"covered_equipment_or_services", "Covered Equipment or Services"})


FORMAT = LoaderFormat(name="fcc", records=records, recognise=_recognise)
