"""`supplygraph update`: fetch the sources a sources file names and load those that changed.

For each source, in the file's order: its URLs are fetched (:mod:`.fetch`) with the validators
the load log kept from the source's previous load, so an unchanged file costs a 304; a file
whose SHA-256 equals that load's is not loaded again either. A changed source is loaded by
:func:`~supplygraph.loaders.ingest.load_file`, the one load path (one transaction, the shrink
and age refusals, the change set), with the source's name and each URL's validators kept in its
load-log entry. A source that fails (download, refusal, broken file) changes nothing and the
next source is tried.

Sources files are YAML (the shipped defaults, ``sources.default.yaml`` beside this module, say
every key)::

    include_defaults: true     # optional: the shipped sources first
    sources:
      - name: my-list
        url: https://example.org/list.ftm.json
        format: ftm
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from supplygraph.graph.errors import InvalidSources, LoadRefused, SupplyGraphError
from supplygraph.graph.model.records import Fetched, LoadEntry
from supplygraph.graph.store.protocol import GraphStore

from .fetch import fetch, member_name
from .formats import FORMATS
from .ingest import LoadReport, file_sha256, load_file

DEFAULT_SOURCES = Path(__file__).with_name("sources.default.yaml")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$", re.I)
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS |= {"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}


def parse_size(value: int | str) -> int:
    """Bytes from ``1048576``, ``"500 MB"`` or ``"2 GiB"``.

    >>> parse_size("2 GiB"), parse_size("500 MB"), parse_size(10)
    (2147483648, 500000000, 10)
    """
    if isinstance(value, int):
        return value
    found = _SIZE.match(value)
    if found is None:
        raise ValueError(f"not a size: {value!r} (say e.g. 500 MB or 2 GiB)")
    return int(float(found.group(1)) * _UNITS[(found.group(2) or "").lower()])


class SourceSpec(BaseModel):
    """One entry of a sources file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    url: str | None = None
    files: dict[str, str] = Field(default_factory=dict)
    format: str | None = None
    dataset: str | None = None
    enabled: bool = True
    max_bytes: int = 1 << 30
    timeout: float = Field(default=300.0, gt=0)

    @field_validator("max_bytes", mode="before")
    @classmethod
    def _size(cls, value: int | str) -> int:
        return parse_size(value)

    @field_validator("format")
    @classmethod
    def _format(cls, value: str | None) -> str | None:
        if value is not None and value not in FORMATS:
            raise ValueError(f"unknown format {value!r}; use one of {', '.join(FORMATS)}")
        return value

    @model_validator(mode="after")
    def _one_way(self) -> SourceSpec:
        if (self.url is None) == (not self.files):
            raise ValueError("give either url (one file) or files (name: url, a set of files)")
        for name in self.files:
            if member_name(name) != name:
                raise ValueError(
                    f"files: {name!r} must be a plain file name (letters, digits, '._ -', "
                    "at most 120 characters)"
                )
        for url in self.urls().values():
            if urlparse(url).scheme not in ("http", "https"):
                raise ValueError(f"{url!r}: only http and https URLs")
        return self

    def urls(self) -> dict[str, str]:
        """File name -> URL, in the order the set lists them."""
        if self.url is not None:
            # The URL's last segment names the file (its suffix helps detect the format)
            # unless it is not a plain short name: then the source's own name does.
            name = member_name(Path(urlparse(self.url).path).name) or f"{self.name}.download"
            return {name: self.url}
        return dict(self.files)


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    include_defaults: bool = False
    sources: list[SourceSpec] = Field(default_factory=list)


def read_sources(path: Path | None = None) -> list[SourceSpec]:
    """The sources of ``path`` (the shipped defaults when None), checked; names are unique."""
    where = path or DEFAULT_SOURCES
    try:
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
        parsed = SourcesFile.model_validate(data or {})
    except OSError as exc:
        raise InvalidSources(f"{where}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise InvalidSources(f"{where}: not YAML: {exc}") from None
    except RecursionError:
        # PyYAML builds nested collections recursively; 20,000 levels exceed the stack.
        raise InvalidSources(f"{where}: not a sources file: nested too deeply") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = "/".join(str(p) for p in first["loc"])
        raise InvalidSources(f"{where}: {loc}: {first['msg']}", {"file": str(where)}) from None
    specs = list(parsed.sources)
    if path is not None and parsed.include_defaults:
        specs = read_sources(None) + specs
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise InvalidSources(f"{where}: source {spec.name!r} is named twice")
        seen.add(spec.name)
    return specs


def mirrored(url: str, mirror: str | None) -> str:
    """``url`` as a mirror serves it: ``{mirror}/{host}/{path}`` (query kept).

    >>> mirrored("https://standards-oui.ieee.org/oui/oui.csv", "http://127.0.0.1:8080/m")
    'http://127.0.0.1:8080/m/standards-oui.ieee.org/oui/oui.csv'
    """
    if not mirror:
        return url
    parsed = urlparse(url)
    query = f"?{parsed.query}" if parsed.query else ""
    return f"{mirror.rstrip('/')}/{parsed.netloc}{parsed.path}{query}"


Status = Literal["loaded", "unchanged", "failed"]


@dataclass
class SourceOutcome:
    """What an update did with one source."""

    name: str
    status: Status
    reason: str  # "not modified (304)", "same SHA-256 as the load of ...", the error, ...
    report: LoadReport | None = None
    bytes: int = 0
    error_code: str | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"source": self.name, "status": self.status, "reason": self.reason}
        out["bytes"] = self.bytes
        if self.error_code:
            out["error"] = self.error_code
        if self.report is not None:
            out |= {
                "dataset": self.report.dataset,
                "sha256": self.report.sha256,
                "counts": self.report.counts,
            }
            if self.report.changes is not None:
                out["changes"] = self.report.changes.counts
        return out


@dataclass
class UpdateReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def loaded(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "loaded"]

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def previous_load(entries: Iterable[LoadEntry], name: str) -> LoadEntry | None:
    """The newest load-log entry that source ``name`` loaded (entries come newest first)."""
    return next((e for e in entries if e.source == name), None)


# One update at a time per process: the scheduled refresh and a manual run would otherwise
# fetch the same files twice (the store itself serializes their writes).
_RUNNING = threading.Lock()


def update(
    store: GraphStore,
    specs: list[SourceSpec],
    only: Iterable[str] = (),
    mirror: str | None = None,
    allow_shrink: bool = False,
    allow_older: bool = False,
    workdir: Path | None = None,
    assume_complete: bool = False,
    on_outcome: Callable[[SourceOutcome], None] | None = None,
    on_start: Callable[[str], None] | None = None,
) -> UpdateReport:
    """Fetch and load every enabled source (or those named in ``only``, enabled or not).

    ``on_start`` is told each source's name before it is fetched and ``on_outcome`` its
    outcome after (the scheduled refresh logs both). Download folders that a killed update
    left behind are removed first.
    """
    wanted = list(only)
    known = {s.name for s in specs}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise InvalidSources(
            f"no source named {', '.join(map(repr, unknown))}; the sources are "
            f"{', '.join(sorted(known))}"
        )
    chosen = [s for s in specs if (s.name in wanted if wanted else s.enabled)]
    report = UpdateReport()
    with _RUNNING:
        remove_stale_folders(workdir)
        entries = store.view().loads()
        for spec in chosen:
            if on_start is not None:
                on_start(spec.name)
            last = previous_load(entries, spec.name)
            outcome = _one(
                store, spec, last, mirror, (allow_shrink, allow_older, assume_complete), workdir
            )
            report.outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    return report


def _one(
    store: GraphStore,
    spec: SourceSpec,
    previous: LoadEntry | None,
    mirror: str | None,
    flags: tuple[bool, bool, bool],
    workdir: Path | None,
) -> SourceOutcome:
    folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-", dir=workdir))
    try:
        return _fetch_and_load(store, spec, previous, mirror, flags, folder)
    except SupplyGraphError as exc:
        return SourceOutcome(spec.name, "failed", exc.message, error_code=exc.code)
    except (Exception, RecursionError) as exc:
        # A fault no check foresaw is still this source's failure: the next source runs, and
        # the scheduled refresh comes again. The type names the fault without a traceback.
        return SourceOutcome(
            spec.name,
            "failed",
            f"unexpected error ({type(exc).__name__}): {exc}"[:2000],
            error_code="source_failed",
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Download folders are named after the process that made them, so that the next update can
# tell the folders of a killed run (kill -9 leaves them: nothing runs to remove them) from
# those of an update still running in another process.
FOLDER_PREFIX = "supplygraph-update-"


def remove_stale_folders(workdir: Path | None = None) -> list[Path]:
    """Remove the download folders of updates whose process is gone; returns them."""
    base = workdir or Path(tempfile.gettempdir())
    removed: list[Path] = []
    for folder in base.glob(f"{FOLDER_PREFIX}*"):
        pid_text = folder.name.removeprefix(FOLDER_PREFIX).split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)) or not folder.is_dir():
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, and not ours to judge
    return True


def _fetch_and_load(
    store: GraphStore,
    spec: SourceSpec,
    previous: LoadEntry | None,
    mirror: str | None,
    flags: tuple[bool, bool, bool],
    folder: Path,
) -> SourceOutcome:
    """``flags``: allow_shrink, allow_older, assume_complete, as for `supplygraph load`."""
    allow_shrink, allow_older, assume_complete = flags
    urls = {name: mirrored(url, mirror) for name, url in spec.urls().items()}
    before = {f.url: f for f in previous.fetched} if previous else {}
    downloads = {
        name: fetch(url, folder / name, before.get(url), spec.max_bytes, spec.timeout)
        for name, url in urls.items()
    }
    if all(d.not_modified for d in downloads.values()):
        return SourceOutcome(spec.name, "unchanged", "not modified (HTTP 304)")
    for name, d in list(downloads.items()):
        if d.not_modified:
            # One file of a set changed: the set loads whole, so fetch the others again.
            downloads[name] = fetch(urls[name], folder / name, None, spec.max_bytes, spec.timeout)
    fetched = tuple(d.fetched for d in downloads.values() if d.fetched is not None)
    size = sum(f.bytes for f in fetched)
    if previous is not None and not allow_older:
        _refuse_if_served_older(spec, previous, fetched)
    paths = [d.path for d in downloads.values() if d.path is not None]
    main = paths[0] if spec.url is not None else folder
    fmt = spec.format
    if fmt is not None:
        members = FORMATS[fmt].member_files(main)
    else:
        from .detect import detect_format

        members = FORMATS[detect_format(main)].member_files(main)
    if previous is not None and file_sha256(members) == previous.sha256:
        return SourceOutcome(
            spec.name,
            "unchanged",
            f"same SHA-256 as the load of {previous.loaded_at:%Y-%m-%d %H:%M}",
            bytes=size,
        )
    report = load_file(
        store,
        main,
        fmt,
        allow_shrink=allow_shrink,
        allow_older=allow_older,
        assume_complete=assume_complete,
        origin=spec.name,
        fetched=fetched,
    )
    reason = "loaded"
    if report.delistings_withheld:
        reason = (
            f"loaded; {len(report.delistings_withheld):,} delistings withheld: {report.evidence}"
        )
    if spec.dataset and report.dataset != spec.dataset:
        reason += f"; as dataset {report.dataset!r}, not {spec.dataset!r} as the sources say"
    return SourceOutcome(spec.name, "loaded", reason, report, size)


def _refuse_if_served_older(
    spec: SourceSpec, previous: LoadEntry, fetched: tuple[Fetched, ...]
) -> None:
    """Refuse a file whose ``Last-Modified`` is earlier than that of the file the previous
    load took from the same place: a stale mirror or cache serving an older list.

    Files are matched by URL, or by position in a set when the URLs changed (a new mirror).
    """
    before = previous.fetched
    by_url = {f.url: f for f in before}
    for position, now in enumerate(fetched):
        then = by_url.get(now.url)
        if then is None and len(before) == len(fetched):
            then = before[position]
        if then is None:
            continue
        new_date, old_date = _http_date(now.last_modified), _http_date(then.last_modified)
        if new_date is None or old_date is None or new_date >= old_date:
            continue
        days = (old_date - new_date).total_seconds() / 86400
        raise LoadRefused(
            now.url,
            f"refused: the server says this file was last modified {now.last_modified}, "
            f"{days:,.1f} days before the file of the load of "
            f"{previous.loaded_at:%Y-%m-%d %H:%M} ({then.last_modified}). A stale mirror or "
            "cache serves an older list; pass --allow-older to load it",
            {"source": spec.name, "last_modified": now.last_modified},
        )


def _http_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        found = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL = 60.0


def parse_interval(text: str) -> float:
    """Seconds from ``24h``, ``90m``, ``1d`` or ``3600s``; at least a minute.

    >>> parse_interval("24h"), parse_interval("90m")
    (86400.0, 5400.0)
    """
    found = _INTERVAL.match(text)
    if found is None:
        raise InvalidSources(f"{text!r} is not an interval: say e.g. 24h, 90m, 1d")
    seconds = float(found.group(1)) * _SECONDS[found.group(2)]
    if seconds < MIN_INTERVAL:
        raise InvalidSources(f"{text!r}: refresh at most once a minute")
    return seconds


class Refresher:
    """Runs ``job`` every ``every`` seconds on a daemon thread, the first run one interval after
    the start; a failing run is reported through ``log`` and the next one still comes.

    The job loads through the ordinary load path, one transaction per source, so the readers
    of the store (the service's requests, on other threads) see the old graph until the commit
    and the new one after it, never a part.
    """

    def __init__(self, every: float, job: Callable[[], str], log: Callable[[str], None]) -> None:
        self.every = every
        self.job = job
        self.log = log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="supplygraph-refresh", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.log(self.job())
            except Exception as exc:  # a failed refresh must not end the loop
                self.log(f"failed: {exc}")
