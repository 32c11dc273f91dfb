"""NDAA FY2019 section 889 entities (OpenSanctions' ``section_889.csv`` source file).

Columns: ``schema,name,aliases,topics,program,authority,reason,report-date,start-date,end-date,
country,notes,source_url``. Each row is a company named in the statute; the prohibition extends to
"any subsidiary or affiliate", which the ownership engine applies through OWNS/CONTROLS edges.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import Node, NodeKind, Record, SourceRef

from .common import country_code, designation, parse_date, source_key, split_multi
from .context import LoadContext
from .format_spec import LoaderFormat, Peek
from .reading import iter_table

DATASET = "us-ndaa-889"
SOURCE = SourceRef(
    id=DATASET,
    title="John S. McCain NDAA for FY2019, section 889 (Pub. L. 115-232), entity list",
    url="https://www.congress.gov/115/plaws/publ232/PLAW-115publ232.pdf",
    grade="A",
)
REQUIRED = ("schema", "name", "aliases", "program", "start-date", "end-date", "country")


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    ctx.dataset = DATASET
    for line, cells in iter_table(ctx, path, REQUIRED):

        def cell(name: str, cells: dict[str, str] = cells) -> str:
            return cells.get(name, "")

        name = cell("name")
        if not name:
            raise ctx.error(line, "name", "empty name")
        if cell("schema") not in ("", "Company", "Organization", "LegalEntity"):
            ctx.skip()
            continue
        node_id = make_id("ndaa889", " ".join(name.split()).casefold())
        url = cell("source_url") or SOURCE.url
        src = SOURCE.model_copy(update={"url": url, "quote": name})
        yield Node(
            id=node_id,
            kind=NodeKind.ORGANIZATION,
            name=name,
            aliases=tuple(a for a in split_multi(cell("aliases")) if a != name),
            country=country_code(cell("country")),
            identifiers=(source_key(DATASET, name),),
            sources=(src,),
        )
        yield designation(
            node_id,
            "us-ndaa-889",
            (src,),
            program=cell("program") or None,
            start=parse_date(cell("start-date")),
            end=parse_date(cell("end-date")),
            note=cell("notes") or None,
        )


def _recognise(peek: Peek) -> bool:
    return {"schema", "name", "program", "authority"} <= peek.header and "889" in peek.text


FORMAT = LoaderFormat(name="ndaa889", records=records, recognise=_recognise)
