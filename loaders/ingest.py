"""Load one source file into a store: detect, parse, link, write, log. Atomic per file.

Everything one file contributes is written inside a single ``with store.writer()``: a file that
turns out to be broken halfway raises :class:`~supplygraph.graph.errors.InvalidRecord` and the whole
transaction is rolled back, so nothing of it is left behind. The load log records the file, its
SHA-256, format, dataset, time, counts and the designations it stated; the next version of the
same dataset is compared with that, and a listing that disappeared gets an end date (the load
date) instead of vanishing.

A load never delists silently: a file that would end more than :data:`SHRINK_LIMIT` of the
listings the last load of its dataset stated (a truncated download reads as a shorter list), or
that is older than that load by its own date, is refused with :class:`LoadRefused` (nothing is
written) unless the caller passes ``allow_shrink`` / ``allow_older``.

Delistings are applied only from a file that shows by its own evidence that it is whole: a
record count that matches, a trailer, a closed JSON document, or a checksum file beside it that
matches (each loader reports what its format carries; loaders/README.md lists them). A file that
cannot show it still adds and updates, but the listings it leaves out stay open ("delistings
withheld") unless the caller passes ``assume_complete``; the load log keeps them among the
listings the next version is compared with, so a later complete file ends them.

A large FtM file is parsed in a second process while this one links and writes
(:mod:`~supplygraph.loaders.pipeline`), when a core is free for it; the records, counts and
errors are the same as parsing in process.

Usage: ``load_file(open_store(url), Path("sdn.csv"))`` returns a :class:`LoadReport`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import TypedDict, Unpack

from supplygraph.graph.errors import InvalidRecord, LoadRefused
from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import ChangeSet, Designation, Fetched, LoadEntry, Record
from supplygraph.graph.store.batches import BATCH, batched
from supplygraph.graph.store.protocol import GraphStore, GraphView, GraphWriter

from .changes import change_set
from .common import Ref
from .context import LoadContext
from .detect import detect_format
from .formats import FORMATS, loader_format
from .linker import Linker
from .pipeline import parallel_records

# Refuse a file that would end more than this share of the previous version's listings, and at
# least SHRINK_MIN of them (on a list of five, one delisting is 20% and ordinary).
SHRINK_LIMIT = 0.10
SHRINK_MIN = 3
# A date derived from the listings (the latest start date) drops when the newest listing is
# removed; only a drop of more than this counts as an older file. A stated date counts exactly.
DERIVED_DATE_SLACK = timedelta(days=31)
# A format that may be parsed in a second process (loaders/pipeline.py; its entry says so)
# is parsed there from this size up while this process links and writes; below it, starting
# the child costs more than the overlap gains.
PIPELINE_MIN_BYTES = 4 << 20


@dataclass
class LoadReport:
    """What one file did to the store, as the CLI prints it and the load log keeps it."""

    file: str
    format: str
    dataset: str
    sha256: str
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    designations_added: list[str] = field(default_factory=list)
    designations_removed: list[str] = field(default_factory=list)
    designations_changed: list[str] = field(default_factory=list)
    # Listings this file leaves out but does not end: it is not shown complete.
    delistings_withheld: list[str] = field(default_factory=list)
    previous_load: str | None = None  # loaded_at of the version this one was compared with
    complete: bool = False  # shown complete by the file's own evidence (or assumed so)
    evidence: str = ""  # how it is shown complete, or why not
    changes: ChangeSet | None = None  # what the load changed in its dataset (also stored)

    def summary(self) -> str:
        c = self.counts
        text = (
            f"{self.file} [{self.format}, dataset {self.dataset}]: read {c['read']:,}, "
            f"added {c['added']:,}, updated {c['updated']:,}, unchanged {c['unchanged']:,}, "
            f"skipped {c['skipped']:,}, warnings {c['warnings']:,}"
        )
        if c.get("linked") or c.get("same_as"):
            text += f"; merged by identifier {c['linked']:,}, SAME_AS links {c['same_as']:,}"
        listed = c.get("designations") or self.designations_removed
        if self.previous_load is not None and listed:
            text += (
                f"; since the load of {self.previous_load}: designations "
                f"+{len(self.designations_added):,} -{len(self.designations_removed):,} "
                f"~{len(self.designations_changed):,}"
            )
        if self.delistings_withheld:
            text += (
                f"; delistings withheld ({len(self.delistings_withheld):,}): file not shown "
                f"complete ({self.evidence}); pass --assume-complete to end them"
            )
        return text


def file_sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _put_linked(writer: GraphWriter, linker: Linker, records: list[Record]) -> None:
    reopened = linker.take_reopened()
    if reopened:
        writer.delete_designations(reopened)
    writer.put(records)
    _flush(writer)


def _flush(writer: GraphWriter) -> None:
    # Backends that buffer writes expose flush(); flushing per batch lets the next batch's
    # lookups (identifiers, names, existing records) see this one, so linking and counting do
    # not depend on the backend's buffer size.
    flush: Callable[[], None] | None = getattr(writer, "flush", None)
    if flush is not None:
        flush()


@dataclass(frozen=True)
class Source:
    """One thing the pipeline loads: a file (or OFAC file set) read by its format's loader, or a
    built-in set (the seed data, the IEEE registry shipped with netaddr)."""

    path: Path  # what the load log names
    format: str
    members: tuple[Path, ...]  # the bytes the checksum covers
    read: Callable[[LoadContext], Iterator[Record | Ref]]
    allow_empty: bool = False
    # Curated and registry records are tied to other entities only by reviewed mappings, so
    # the linker infers no name links for them (identifier links still apply).
    link_names: bool = True


def file_source(path: Path, fmt: str | None = None) -> Source:
    """The :class:`Source` for a file, its format detected unless given."""
    spec = loader_format(fmt or detect_format(path), path)
    members = tuple(spec.member_files(path))
    size = sum(m.stat().st_size for m in members)
    pipelined = spec.second_process and size >= PIPELINE_MIN_BYTES and _spare_core()

    def read(ctx: LoadContext) -> Iterator[Record | Ref]:
        if pipelined:
            return _flat(parallel_records(spec.records, path, ctx))
        return spec.records(path, ctx)

    return Source(
        path=path,
        format=spec.name,
        members=members,
        read=read,
        allow_empty=spec.flags.allow_empty,
        link_names=spec.flags.link_names,
    )


def _spare_core() -> bool:
    """Whether a second core is free for the parsing process. Sending records between two
    processes costs about as much CPU as it moves off this one; with every core busy (the
    load average at or above the cores less one) the two processes only take turns, and the
    load is slower than parsing in process."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) >= 2 and os.getloadavg()[0] <= (cores or 1) - 1


def _flat(batches: Iterator[list[Record | Ref]]) -> Iterator[Record | Ref]:
    try:
        for batch in batches:
            yield from batch
    finally:
        close: Callable[[], None] | None = getattr(batches, "close", None)
        if close is not None:
            close()


@contextmanager
def _closing(items: Iterable[Record | Ref]) -> Iterator[Iterator[Record | Ref]]:
    """``items``, closed on leaving: a reader that holds a parsing process (loaders/pipeline.py)
    ends it at once when the load fails, not when the failure's traceback is freed."""
    iterator = iter(items)
    try:
        yield iterator
    finally:
        close: Callable[[], None] | None = getattr(iterator, "close", None)
        if close is not None:
            close()


class LoadOptions(TypedDict, total=False):
    """What a caller may say about one load (see :func:`load_source`)."""

    today: date | None
    allow_shrink: bool
    allow_older: bool
    assume_complete: bool
    origin: str | None
    fetched: tuple[Fetched, ...]


def load_file(
    store: GraphStore,
    path: Path,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
    **options: Unpack[LoadOptions],
) -> LoadReport:
    """Load one file (or one OFAC file set); see :func:`load_source`."""
    return load_source(store, file_source(path, fmt), progress, **options)


def load_source(
    store: GraphStore,
    source: Source,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
    allow_shrink: bool = False,
    allow_older: bool = False,
    assume_complete: bool = False,
    origin: str | None = None,
    fetched: tuple[Fetched, ...] = (),
) -> LoadReport:
    """Load one source atomically and log it; see the module docstring.

    ``origin`` (a sources-file entry's name) and ``fetched`` say where `supplygraph update`
    downloaded it from; the load log keeps them for the next conditional request. The load's
    change set (what it added, removed and changed against the previous load of its dataset)
    is stored with it.

    Raises :class:`LoadRefused` (and writes nothing) when the source would end many listings
    and ``allow_shrink`` is false, or is older than the last load of its dataset and
    ``allow_older`` is false. Listings the source leaves out are ended only when it is shown
    complete or ``assume_complete`` is true; otherwise they are reported as withheld.
    """
    sha = file_sha256(list(source.members))
    view = store.view()
    ctx = LoadContext(path=source.path, progress=progress, link_names=source.link_names, view=view)
    now = datetime.now(UTC)
    # Every step runs inside the one transaction: a refusal or a broken record keeps nothing.
    with store.writer() as writer, _closing(source.read(ctx)) as records:
        written = _write_records(view, writer, ctx, records)
        if ctx.read == 0 and not source.allow_empty:
            raise ctx.error(None, None, "no records found: the file holds a header only")
        removed = sorted(written.listed_before - written.linker.designation_ids)
        vintage = ctx.published or written.latest_start
        _refuse_if_unsafe(
            ctx, view, written, removed, vintage, allow_shrink=allow_shrink, allow_older=allow_older
        )
        delisting = _delisting(ctx, list(source.members), removed, assume_complete)
        ended = (
            _end_listings(view, writer, delisting.ended, today or now.date())
            if delisting.ended
            else []
        )
        shrink_base = _next_shrink_base(
            written.previous, len(written.linker.designation_ids), allow_shrink
        )
        entry = LoadEntry(
            id=make_id("load", ctx.dataset, sha, now.isoformat()),
            file=str(ctx.path.resolve()),
            sha256=sha,
            format=source.format,
            dataset=ctx.dataset,
            loaded_at=now,
            counts=_counts(ctx, written.linker, len(ended), delisting, shrink_base),
            warnings=tuple(ctx.warnings),
            designation_ids=tuple(sorted(written.linker.designation_ids.union(delisting.withheld))),
            vintage=vintage,
            vintage_stated=ctx.published is not None,
            complete=delisting.complete,
            evidence=delisting.evidence,
            entity_ids=tuple(sorted(written.linker.entity_ids or ())),
            entities_tracked=written.linker.entity_ids is not None,
            source=origin,
            fetched=fetched,
        )
        writer.record_load(entry)
        added, changes = _log_changes(view, writer, entry, written, ended, delisting)
    return LoadReport(
        file=str(ctx.path),
        format=source.format,
        dataset=ctx.dataset,
        sha256=sha,
        counts=entry.counts,
        warnings=list(ctx.warnings),
        designations_added=added,
        designations_removed=delisting.ended,
        designations_changed=list(written.linker.counts.des_changed),
        delistings_withheld=delisting.withheld,
        previous_load=written.previous.loaded_at.isoformat() if written.previous else None,
        complete=delisting.complete,
        evidence=delisting.evidence,
        changes=changes,
    )


@dataclass
class _Written:
    """What reading, linking and writing a source's records leaves for the later steps."""

    linker: Linker
    previous: LoadEntry | None  # the last load of the dataset, compared with
    latest_start: date | None  # the latest listing start: the file's date if it states none

    @property
    def listed_before(self) -> frozenset[str]:
        return frozenset(self.previous.designation_ids) if self.previous else frozenset()


def _write_records(
    view: GraphView, writer: GraphWriter, ctx: LoadContext, records: Iterator[Record | Ref]
) -> _Written:
    """Link and write every record in batches."""
    batches = batched(records, BATCH)
    first = next(batches, [])
    # The dataset is known once the loader has started reading.
    previous = next(iter(view.loads(ctx.dataset)), None) if ctx.dataset else None
    listed_before = frozenset(previous.designation_ids) if previous else frozenset()
    linker = Linker(view, ctx, listed_before)
    latest_start: date | None = None
    for batch in chain([first] if first else [], batches):
        latest_start = _latest_start(batch, latest_start)
        _put_linked(writer, linker, linker.link(batch))
    _put_linked(writer, linker, linker.finish())
    return _Written(linker, previous, latest_start)


def _refuse_if_unsafe(
    ctx: LoadContext,
    view: GraphView,
    written: _Written,
    removed: list[str],
    vintage: date | None,
    *,
    allow_shrink: bool,
    allow_older: bool,
) -> None:
    """Raise :class:`LoadRefused` for a file that would end many listings (at once, or added up
    since the last full version) or is older than the last load of its dataset by its own
    evidence (unless allowed); raised inside the transaction, so nothing of the file is kept."""
    previous = written.previous
    if previous is None:
        return
    older = None if allow_older else _older(ctx, previous, vintage)
    if older is None and not allow_older and removed and ctx.published is None:
        older = _lacks_newer(ctx, view, removed, vintage)
    shrunk = None
    if not allow_shrink:
        shrunk = _shrunk(ctx, previous, len(removed)) or _shrunk_since(
            ctx, previous, set(written.linker.designation_ids)
        )
    if older or shrunk:
        reasons = [r[0] for r in (shrunk, older) if r]
        details = {k: v for r in (shrunk, older) if r for k, v in r[1].items()}
        raise LoadRefused(
            ctx.file, "refused: " + "; and ".join(reasons), {"dataset": ctx.dataset, **details}
        )


@dataclass(frozen=True)
class _Delisting:
    """Which listings the file leaves out are ended, which are withheld, and why."""

    ended: list[str]
    withheld: list[str]  # kept open: the file is not shown complete
    complete: bool  # shown complete by the file's own evidence, or assumed so
    evidence: str


def _delisting(
    ctx: LoadContext, members: list[Path], removed: list[str], assume_complete: bool
) -> _Delisting:
    complete, evidence = _completeness(ctx, members)
    if assume_complete and not complete:
        evidence = f"assumed complete (--assume-complete); {evidence}"
    if removed and not complete and not assume_complete:
        # Kept open, and kept in the log's listings so a complete file can end them later.
        return _Delisting([], removed, False, evidence)
    return _Delisting(removed, [], complete or assume_complete, evidence)


def _counts(
    ctx: LoadContext, linker: Linker, ended: int, delisting: _Delisting, shrink_base: int
) -> dict[str, int]:
    return {
        "read": ctx.read,
        "added": linker.counts.added,
        "updated": linker.counts.updated,
        "unchanged": linker.counts.unchanged,
        "skipped": ctx.skipped,
        "warnings": ctx.warning_count,
        "linked": linker.counts.linked,
        "same_as": linker.counts.same_as,
        "designations": len(linker.designation_ids),
        "designations_ended": ended,
        "delistings_withheld": len(delisting.withheld),
        "shrink_base": shrink_base,
        **ctx.tallies,
    }


def _log_changes(
    view: GraphView,
    writer: GraphWriter,
    entry: LoadEntry,
    written: _Written,
    ended: list[Designation],
    delisting: _Delisting,
) -> tuple[list[str], ChangeSet]:
    """Store the load's change set against the previous load of its dataset; returns the
    listings added and the change set."""
    previous, linker = written.previous, written.linker
    before = written.listed_before
    added = [d for d in linker.counts.des_added if d not in before] if previous else []
    changes = change_set(
        view,
        entry,
        previous,
        linker,
        added,
        ended,
        len(delisting.ended),
        len(delisting.withheld),
    )
    writer.record_changes(changes)
    if previous is not None and previous.entity_ids:
        # Only the newest load of a dataset is diffed against: the older one's entity list
        # would only grow the log.
        writer.record_load(
            previous.model_copy(update={"entity_ids": (), "entities_tracked": False})
        )
    return added, changes


# Checksum files a download may come with, next to the file: NAME.sha256 etc., holding the hex
# digest (alone, or as `sha256sum` writes it, digest then file name).
_CHECKSUMS = {".sha256": "sha256", ".sha512": "sha512", ".sha1": "sha1", ".md5": "md5"}


def _completeness(ctx: LoadContext, members: list[Path]) -> tuple[bool, str]:
    """Whether the file is shown complete, and how (or why not): a checksum file beside every
    member decides (a mismatch is never complete); else what the loader found in the file."""
    found = [_checksum(member) for member in members if member.is_file()]
    wrong = [text for ok, text in filter(None, found) if not ok]
    if wrong:
        return False, "; ".join(wrong)
    if found and all(found):
        return True, "; ".join(text for _, text in filter(None, found))
    return ctx.complete, ctx.evidence


def _checksum(path: Path) -> tuple[bool, str] | None:
    for suffix, algorithm in _CHECKSUMS.items():
        side = path.with_name(path.name + suffix)
        if not side.is_file():
            continue
        words = side.read_text(encoding="utf-8", errors="replace")[:1024].split()
        stated = words[0].lower() if words else ""
        digest = hashlib.new(algorithm)
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        if stated == digest.hexdigest():
            return True, f"{path.name} matches its {algorithm} checksum ({side.name})"
        return False, f"{path.name} does not match its {algorithm} checksum ({side.name})"
    return None


def _latest_start(batch: list[Record | Ref], latest: date | None) -> date | None:
    for item in batch:
        start = item.start_date if isinstance(item, Designation) else None
        if start is not None and (latest is None or start > latest):
            latest = start
    return latest


Refusal = tuple[str, dict[str, object]]  # what to tell, and the same as details


def _shrunk(ctx: LoadContext, last: LoadEntry, ending: int) -> Refusal | None:
    """Whether the file would end many of the listings the last load stated."""
    listed = len(last.designation_ids)
    if ending < SHRINK_MIN or ending <= SHRINK_LIMIT * listed:
        return None
    rows = last.counts.get("read", 0)
    shorter = ""
    if rows > ctx.read:
        shorter = f"; it has {ctx.read:,} records, {rows - ctx.read:,} fewer than that file"
    text = (
        f"this file would end {ending:,} of the {listed:,} listings of dataset "
        f"{ctx.dataset!r} stated by the load of {last.loaded_at:%Y-%m-%d %H:%M} "
        f"({ending / listed:.0%}, more than {SHRINK_LIMIT:.0%}){shorter}. A cut-off download "
        "reads as a shorter list: check the file, and pass --allow-shrink if the list really "
        "shrank"
    )
    return text, {"ending": ending, "listed": listed, "records": ctx.read}


def _shrink_base(last: LoadEntry) -> int:
    """The listing count of the last version accepted as full, that later shrinks are measured
    against (older load logs lack it: their own count is the base)."""
    return int(last.counts.get("shrink_base", len(last.designation_ids)))


def _next_shrink_base(last: LoadEntry | None, listed: int, allow_shrink: bool) -> int:
    """A list that grows (or a shrink the operator allowed) sets a new base; a shrink keeps the
    old one, so that steps each under the threshold add up."""
    if last is None or allow_shrink:
        return listed
    return max(_shrink_base(last), listed)


def _shrunk_since(ctx: LoadContext, last: LoadEntry, current: set[str]) -> Refusal | None:
    """Whether the file has fewer listings than the last full version by more than the limit,
    counting the shrinks accepted since (210 -> 190 -> 172 is refused at the second step)."""
    base = _shrink_base(last)
    drop = base - len(current)
    if drop < SHRINK_MIN or drop <= SHRINK_LIMIT * base:
        return None
    text = (
        f"this file states {len(current):,} listings of dataset {ctx.dataset!r}, {drop:,} "
        f"fewer than the {base:,} of the last full version ({drop / base:.0%}, more than "
        f"{SHRINK_LIMIT:.0%} counting the smaller shrinks loaded since). A stale or cut-off "
        "file reads as a shorter list: check the file, and pass --allow-shrink if the list "
        "really shrank"
    )
    return text, {"listed": len(current), "shrink_base": base}


# A file missing at least this many listings that are newer than its own newest one is an
# older version of the list (a single newest listing may be withdrawn soon after it came).
REPLAY_MIN = 2


def _lacks_newer(
    ctx: LoadContext, view: GraphView, removed: list[str], vintage: date | None
) -> Refusal | None:
    """Whether the listings this file leaves out include several that started after the newest
    listing it has: the evidence of an older copy of the list (a stale mirror), even when its
    dates fall within the slack that a withdrawn newest listing needs."""
    if vintage is None:
        return None
    wanted = set(removed)
    newer = [
        record
        for record in view.iter_records()
        if isinstance(record, Designation)
        and record.id in wanted
        and record.start_date is not None
        and record.start_date > vintage
    ]
    if len(newer) < REPLAY_MIN:
        return None
    newest = max(d.start_date for d in newer if d.start_date is not None)
    text = (
        f"this file is an older version of dataset {ctx.dataset!r}: its newest listing starts "
        f"{vintage.isoformat()}, yet it leaves out {len(newer):,} listings that started after "
        f"that (up to {newest.isoformat()}). Loading it would end them; pass --allow-older to "
        "do so"
    )
    return text, {"vintage": vintage.isoformat(), "newer_listings_missing": len(newer)}


def _older(ctx: LoadContext, last: LoadEntry, vintage: date | None) -> Refusal | None:
    """Whether the file's own date is earlier than that of the last load of its dataset."""
    if vintage is None or last.vintage is None:
        return None
    stated = ctx.published is not None
    slack = timedelta(0) if stated and last.vintage_stated else DERIVED_DATE_SLACK
    if vintage >= last.vintage - slack:
        return None
    how = "publication date" if stated else "latest listing start date"
    days = (last.vintage - vintage).days
    text = (
        f"this file is older than the version of dataset {ctx.dataset!r} loaded on "
        f"{last.loaded_at:%Y-%m-%d %H:%M}: its {how} is {vintage.isoformat()}, {days:,} days "
        f"before that version's {last.vintage.isoformat()}. Loading it would replace newer "
        "listings with older ones; pass --allow-older to do so"
    )
    return text, {"vintage": vintage.isoformat(), "days_older": days}


def _end_listings(
    view: GraphView, writer: GraphWriter, removed: list[str], day: date
) -> list[Designation]:
    """Give every listing the previous version stated, and this one does not, an end date."""
    wanted = set(removed)
    ended: list[Designation] = []
    # The protocol finds designations by entity, not by id; a disappearance is rare enough that
    # one pass over the stored records is acceptable.
    for record in view.iter_records():
        if isinstance(record, Designation) and record.id in wanted and record.end_date is None:
            ended.append(record.model_copy(update={"end_date": day}))
    writer.put(ended)
    return ended


_SUFFIXES = {".csv", ".json", ".jsonl", ".ndjson", ".xml", ".txt"}


def plan(paths: list[Path], fmt: str | None = None) -> list[tuple[Path, str]]:
    """The files to load for ``paths``, each with its format, in a workable order.

    Folders expand to the files in them, unless a format reads the folder as one file set
    (OFAC); a file of a set stands for its set, loaded once; each format's ``load_phase``
    orders the files (GLEIF relationship files after the files describing their endpoints).
    """
    out: dict[tuple[str, Path], tuple[int, int, Path, str]] = {}
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir() and not _reads_folder(path, fmt):
            expanded += sorted(p for p in path.iterdir() if p.suffix.lower() in _SUFFIXES)
        else:
            expanded.append(path)
    for order, path in enumerate(expanded):
        if not path.exists():
            raise InvalidRecord(str(path), None, None, "no such file or folder")
        spec = loader_format(fmt or detect_format(path), path)
        main = spec.member_files(path)[0]
        out.setdefault((spec.name, main.resolve()), (spec.load_phase(path), order, path, spec.name))
    return [(path, name) for _, _, path, name in sorted(out.values())]


def _reads_folder(path: Path, fmt: str | None) -> bool:
    """Whether the given format (or, undetermined, any format) reads ``path`` as one set."""
    if fmt is not None:
        spec = FORMATS.get(fmt)
        return spec is not None and spec.recognise_path(path)
    return any(spec.recognise_path(path) for spec in FORMATS.values())


def parse_only(path: Path, fmt: str | None = None) -> int:
    """Parse a file without storing anything; the bare parse rate the benchmark compares with."""
    spec = loader_format(fmt or detect_format(path), path)
    return sum(1 for _ in spec.records(path, LoadContext(path=path)))
