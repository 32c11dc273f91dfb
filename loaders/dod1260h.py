"""DoD section 1260H list of "Chinese military companies" (OpenSanctions' ``sanctions.csv``).

Columns: ``Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url``.
The file holds several list vintages; each row is one entity on one vintage, so each row gives a
designation starting on that vintage's date. ``Parent Name`` becomes an OWNS edge from the parent,
reported on that vintage's date, with the share left unknown: the list names a parent, not a stake.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import Edge, Node, NodeKind, Record, Relation, SourceRef

from .common import designation, parse_date, source_key, split_multi
from .context import LoadContext
from .format_spec import LoaderFormat, Peek
from .reading import iter_table

DATASET = "us-dod-1260h"
SOURCE = SourceRef(
    id=DATASET,
    title="US Department of Defense, entities identified as Chinese military companies "
    "(NDAA FY2021 section 1260H)",
    url="https://www.defense.gov/News/Releases/",
    grade="A",
)
REQUIRED = ("Name", "Clean Name", "Alias", "Parent Name", "Start date", "End date")


def entity_id(name: str) -> str:
    return make_id("1260h", " ".join(name.split()).casefold())


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    ctx.dataset = DATASET
    for line, cells in iter_table(ctx, path, REQUIRED):

        def cell(name: str, cells: dict[str, str] = cells) -> str:
            return cells.get(name, "")

        raw_name = cell("Name")
        name = cell("Clean Name") or raw_name
        if not name:
            raise ctx.error(line, "Name", "empty name")
        start_text = cell("Start date")
        start = parse_date(start_text)
        if start_text and start is None:
            raise ctx.error(line, "Start date", f"{start_text!r} is not a date (YYYY-MM-DD)")
        url = cell("Source Url") or SOURCE.url
        src = SOURCE.model_copy(update={"url": url, "quote": raw_name})
        node_id = entity_id(name)
        aliases = split_multi(cell("Alias")) + split_multi(cell("Previous Name"))
        yield Node(
            id=node_id,
            kind=NodeKind.ORGANIZATION,
            name=name,
            aliases=tuple(a for a in dict.fromkeys(aliases) if a != name),
            identifiers=(source_key(DATASET, name),),
            sources=(src,),
        )
        yield designation(
            node_id,
            "us-dod-1260h",
            (src,),
            start=start,
            end=parse_date(cell("End date")),
            note=cell("Note") or None,
        )
        parent = cell("Parent Name")
        if parent and parent.casefold() != name.casefold():
            parent_id = entity_id(parent)
            psrc = src.model_copy(update={"quote": f"{raw_name} - parent: {parent}"})
            yield Node(
                id=parent_id,
                kind=NodeKind.ORGANIZATION,
                name=parent,
                identifiers=(source_key(DATASET, parent),),
                sources=(psrc,),
            )
            yield Edge(
                id=make_id("1260h-parent", parent_id, node_id, start),
                src=parent_id,
                dst=node_id,
                relation=Relation.OWNS,
                reported_on=start,
                confidence=0.9,
                note="named as parent on the 1260H list of this date; share not stated",
                sources=(psrc,),
            )


def _recognise(peek: Peek) -> bool:
    return {"Clean Name", "Parent Name"} <= peek.header


FORMAT = LoaderFormat(name="1260h", records=records, recognise=_recognise)
