"""OFAC legacy CSV sets: the SDN list (sdn/add/alt/sdn_comments) and the consolidated non-SDN
list (cons_prim/cons_add/cons_alt/cons_comments).

The files have no header, use ``-0-`` for empty and are joined on ``ent_num``. The remarks hold
what matters most here: USCC, ISIN, equity ticker, LEI, a.k.a. names and the CMIC effective and
listing dates. The comments file continues remarks that did not fit in the main file.

The side files (addresses, aliases, comments) are read into memory keyed by ``ent_num``: they are
bounded by the size of the list itself (tens of thousands of entries), not by what a user feeds in.
Vessels and aircraft are counted as skipped: supplygraph is about organizations and people.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import (
    Identifier,
    IdScheme,
    Node,
    NodeKind,
    OrgType,
    Record,
    SourceRef,
)

from .common import country_code, designation, parse_date, source_key, strong_identifier, unique
from .context import LoadContext
from .format_spec import LoaderFormat
from .reading import iter_csv
from .vocabulary import ofac_cons_list_ids

EMPTY = "-0-"

SETS = {
    "sdn": ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"),
    "cons": ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
}
DATASETS = {"sdn": "us-ofac-sdn", "cons": "us-ofac-cons"}
SOURCES = {
    "sdn": SourceRef(
        id="us-ofac-sdn",
        title="OFAC Specially Designated Nationals list (legacy CSV files)",
        url="https://ofac.treasury.gov/specially-designated-nationals-list-data-formats-data-schemas",
        grade="A",
    ),
    "cons": SourceRef(
        id="us-ofac-cons",
        title="OFAC Consolidated Sanctions List, non-SDN (legacy CSV files)",
        url="https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
        grade="A",
    ),
}
MAIN_COLUMNS = (
    "ent_num",
    "name",
    "type",
    "program",
    "title",
    "call_sign",
    "vess_type",
    "tonnage",
    "grt",
    "vess_flag",
    "vess_owner",
    "remarks",
)


def node_id(ent_num: str) -> str:
    """SDN and consolidated entries share one numbering, so an entry keeps its id if it moves."""
    return make_id("ofac", ent_num)


def set_file(folder: Path, name: str) -> Path:
    """``folder/name``, matching the name without regard to case (downloads say SDN.CSV)."""
    exact = folder / name
    if exact.is_file() or not folder.is_dir():
        return exact
    return next((p for p in folder.iterdir() if p.name.lower() == name), exact)


def find_set(path: Path) -> tuple[str, Path] | None:
    """Which set a path belongs to ("sdn" or "cons") and the folder holding it."""
    folder = path if path.is_dir() else path.parent
    name = path.name.lower()
    for kind, files in SETS.items():
        if name in files or (path.is_dir() and set_file(folder, files[0]).is_file()):
            return kind, folder
    return None


def member_files(path: Path) -> list[Path]:
    """The files of the set, main file first; missing side files are allowed."""
    found = find_set(path)
    if found is None:
        return [path]
    kind, folder = found
    return [set_file(folder, f) for f in SETS[kind] if set_file(folder, f).is_file()]


def dataset_of(path: Path) -> str:
    found = find_set(path)
    return DATASETS[found[0]] if found else "us-ofac"


def _clean(value: str) -> str:
    value = value.strip()
    return "" if value == EMPTY else value


def _side_table(path: Path, width: int) -> dict[str, list[list[str]]]:
    table: dict[str, list[list[str]]] = {}
    if not path.is_file():
        return table
    side = LoadContext(path=path)
    for line, row in iter_csv(side, path):
        if len(row) != width:
            raise side.error(
                line, "ent_num", f"expected {width} columns, found {len(row)} (truncated?)"
            )
        if not row[0].strip().isdigit():
            raise side.error(line, "ent_num", f"{row[0]!r} is not an entry number")
        table.setdefault(row[0].strip(), []).append([_clean(c) for c in row])
    return table


# Remarks: "Unified Social Credit Code (USCC) 91330000733796106P (China)", "ISIN CNE100000PM8",
# "Equity Ticker 002415 CN", "Legal Entity Number 2534...", "a.k.a. 'CETC'".
_USCC = re.compile(r"Unified Social Credit Code \(USCC\) ([0-9A-Z]{18})")
_ISIN = re.compile(r"\bISIN ([A-Z]{2}[0-9A-Z]{9}[0-9])\b")
_TICKER = re.compile(r"Equity Ticker ([0-9A-Z.\-]+)(?: ([A-Z]{2}))?")
_LEI = re.compile(r"Legal Entity Number ([0-9A-Z]{20})\b")
_AKA = re.compile(r"\b[af]\.k\.a\. '([^']+)'")
_EFFECTIVE = re.compile(r"Effective Date \(([^)]+)\):? (\d{1,2} [A-Z][a-z]{2} \d{4})")
_LISTING = re.compile(r"Listing Date \(([^)]+)\):? (\d{1,2} [A-Z][a-z]{2} \d{4})")
_TARGET = re.compile(r"Target Type ([A-Za-z\- ]+?)(?:;|\.$|$)")


@dataclass
class Remarks:
    """What the remarks of one entry state."""

    uscc: list[str] = field(default_factory=list)
    isin: list[str] = field(default_factory=list)
    ticker: list[str] = field(default_factory=list)
    lei: list[str] = field(default_factory=list)
    aka: list[str] = field(default_factory=list)
    effective: dict[str, date] = field(default_factory=dict)  # by program, e.g. "CMIC"
    listing: dict[str, date] = field(default_factory=dict)
    target_type: str | None = None


def _dates(pattern: re.Pattern[str], remarks: str) -> dict[str, date]:
    found: dict[str, date] = {}
    for program, text in pattern.findall(remarks):
        day = parse_date(text)
        if day is not None:
            found.setdefault(program, day)
    return found


def parse_remarks(remarks: str) -> Remarks:
    """Identifiers, aliases and dates from an OFAC remarks field.

    >>> r = parse_remarks("Equity Ticker 002415 CN; ISIN CNE100000PM8; "
    ...     "Effective Date (CMIC) 02 Aug 2021; Unified Social Credit Code (USCC) "
    ...     "91330000733796106P (China).")
    >>> r.uscc, r.isin, r.ticker, r.effective["CMIC"]
    (['91330000733796106P'], ['CNE100000PM8'], ['002415'], datetime.date(2021, 8, 2))
    """
    target = _TARGET.search(remarks)
    return Remarks(
        uscc=_USCC.findall(remarks),
        isin=_ISIN.findall(remarks),
        ticker=[t for t, _ in _TICKER.findall(remarks)],
        lei=_LEI.findall(remarks),
        aka=_AKA.findall(remarks),
        effective=_dates(_EFFECTIVE, remarks),
        listing=_dates(_LISTING, remarks),
        target_type=target.group(1).strip() if target else None,
    )


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    found = find_set(path)
    if found is None:
        raise ctx.error(None, None, "not an OFAC legacy file (expected sdn.csv or cons_prim.csv)")
    kind, folder = found
    main, add_name, alt_name, comments_name = SETS[kind]
    ctx.path = set_file(folder, main)
    ctx.dataset = DATASETS[kind]
    src = SOURCES[kind]
    addresses = _side_table(set_file(folder, add_name), 6)
    aliases = _side_table(set_file(folder, alt_name), 5)
    comments = _side_table(set_file(folder, comments_name), 2)
    for line, row in iter_csv(ctx, ctx.path):
        ctx.count_read()
        if len(row) != len(MAIN_COLUMNS):
            field = MAIN_COLUMNS[min(len(row), len(MAIN_COLUMNS) - 1)]
            raise ctx.error(line, field, f"expected {len(MAIN_COLUMNS)} columns, found {len(row)}")
        cells = dict(zip(MAIN_COLUMNS, (_clean(c) for c in row), strict=True))
        ent_num = cells["ent_num"]
        if not ent_num.isdigit():
            raise ctx.error(line, "ent_num", f"{row[0]!r} is not an entry number")
        if not cells["name"]:
            raise ctx.error(line, "name", "empty name")
        sdn_type = cells["type"].lower()
        if sdn_type in ("vessel", "aircraft"):
            ctx.skip()
            continue
        yield from _entry(ctx, line, kind, src, cells, addresses, aliases, comments)
    _completeness(ctx, ctx.path)


# OFAC writes its legacy CSV files with a DOS end-of-file mark (0x1A) as the last byte; a
# download cut short ends before it. The main file holds every listing; the side files only add
# addresses, aliases and remarks to them, so the main file's mark is the evidence.
_EOF_MARK = b"\x1a"


def _completeness(ctx: LoadContext, main: Path) -> None:
    with main.open("rb") as fh:
        fh.seek(max(0, main.stat().st_size - 64))
        tail = fh.read().rstrip(b" \t\r\n")
    if tail.endswith(_EOF_MARK):
        ctx.completeness(True, f"{main.name} ends with OFAC's end-of-file mark (0x1A)")
    else:
        ctx.completeness(
            False,
            f"{main.name} does not end with the end-of-file mark (0x1A) OFAC writes after the "
            "last row: the file may be cut short",
        )


def _entry(
    ctx: LoadContext,
    line: int,
    kind: str,
    src: SourceRef,
    cells: dict[str, str],
    addresses: dict[str, list[list[str]]],
    aliases: dict[str, list[list[str]]],
    comments: dict[str, list[list[str]]],
) -> Iterator[Record]:
    ent_num = cells["ent_num"]
    remarks = cells["remarks"] + "".join(c[1] for c in comments.get(ent_num, []))
    info = parse_remarks(remarks)
    person = cells["type"].lower() == "individual"
    idents: list[Identifier] = [source_key(ctx.dataset, ent_num)]
    for scheme, values in (
        (IdScheme.USCC, info.uscc),
        (IdScheme.ISIN, info.isin),
        (IdScheme.LEI, info.lei),
    ):
        for value in values:
            ident = strong_identifier(scheme, value, ctx, line)
            if ident is not None:
                idents.append(ident)
    for ticker in info.ticker:
        idents.append(Identifier(scheme=IdScheme.TICKER, value=ticker))
    addr_lines = [", ".join(p for p in a[2:5] if p) for a in addresses.get(ent_num, [])]
    countries = [country_code(a[4]) for a in addresses.get(ent_num, []) if a[4]]
    names = [a[3] for a in aliases.get(ent_num, []) if a[3]]
    names += info.aka
    target = info.target_type
    props: dict[str, object] = {"ofac_ent_num": int(ent_num)}
    if addr_lines:
        props["addresses"] = [a for a in addr_lines if a]
    if remarks:
        props["ofac_remarks"] = remarks
    entity = node_id(ent_num)
    yield Node(
        id=entity,
        kind=NodeKind.PERSON if person else NodeKind.ORGANIZATION,
        name=cells["name"],
        aliases=tuple(a for a in unique(names) if a != cells["name"]),
        country=next((c for c in countries if c), None),
        org_type=OrgType.STATE_OWNED_ENTERPRISE
        if not person and target == "State-Owned Enterprise"
        else None,
        identifiers=unique_idents(idents),
        properties=props,
        sources=(src.model_copy(update={"quote": cells["name"]}),),
    )
    programs = [p.strip() for p in cells["program"].strip("[]").split("] [") if p.strip()]
    list_ids = ["us-ofac-sdn"] if kind == "sdn" else ofac_cons_list_ids(programs)
    effective, listing = info.effective, info.listing
    for list_id in list_ids:
        start = effective.get("CMIC") if list_id == "us-ofac-ns-cmic" else None
        notes = [f"{k} listing date {v.isoformat()}" for k, v in listing.items()]
        yield designation(
            entity,
            list_id,
            (src.model_copy(update={"quote": f"{cells['name']} [{cells['program']}]"}),),
            program="; ".join(programs) or None,
            start=start,
            citation=f"OFAC ent_num {ent_num}",
            note="; ".join(notes) or None,
        )


def unique_idents(idents: list[Identifier]) -> tuple[Identifier, ...]:
    return tuple(dict.fromkeys(idents))


def _names_a_set(path: Path) -> bool:
    return find_set(path) is not None


# A set is recognised by its file names (or a folder holding one), before anything is read.
FORMAT = LoaderFormat(
    name="ofac", records=records, recognise_path=_names_a_set, member_files=member_files
)
