"""Watched inventories: keep an inventory and its verdicts, and after each refresh tell its
owner which rows changed verdict or regimes, and why.

A watch is a folder under the watch root (``SUPPLYGRAPH_WATCH_DIR``): a copy of the inventory
(rows keep their numbers however the original moves on), ``watch.json`` (name, target, webhook,
when it was last checked) and ``rows.jsonl``, one line per row with its verdict, the entity it
resolved to, the regimes covering that entity, the evidence and its sources. A check audits the
copy again with the same bulk engine as ``supplygraph audit``, streams the old and new rows side
by side (memory stays flat), and reports each row whose verdict or regimes differ, with the
reasons: the new or lost evidence path, each regime's own reason, and the facts of the loads
since the last check that touch the row's entity (which list, which listing, which block).

A report goes to a JSON webhook (POST, standard library only), an HTML diff page, and the exit
code of ``supplygraph watch --check``: 0 nothing changed, 3 rows changed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import re
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, ConfigDict

from supplygraph.graph.engine.outlets import WatchRow, watch_row
from supplygraph.graph.engine.resolve import Resolver
from supplygraph.graph.errors import SupplyGraphError
from supplygraph.graph.model.records import ChangeItem, ChangeSet
from supplygraph.graph.store.protocol import GraphView
from supplygraph.loaders.deadline_http import Deadline, open_url

from .columns import ColumnMap
from .readers import MISSING, open_inventory
from .run import Audit, Outcome

EXIT_CHANGED = 3  # `supplygraph watch --check`: some watched row changed verdict or regimes
WEBHOOK_ROWS = 1_000  # rows sent in one webhook body (the count is always complete)
WEBHOOK_TIMEOUT = 15.0  # seconds for one webhook call, whatever the receiver does
WEBHOOK_ATTEMPTS = 3  # tries per check; the report stays in the outbox until one succeeds
WEBHOOK_BACKOFF = (1.0, 3.0)  # seconds to wait before the second and the third try
OUTBOX_LIMIT = 100  # undelivered reports kept per watch (the oldest go first past it)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class WatchError(SupplyGraphError):
    code = "watch_error"


class WatchMeta(BaseModel):
    """``watch.json``: what is watched and how to tell its owner."""

    model_config = ConfigDict(extra="forbid")

    name: str
    inventory: str  # where the original was when it was added
    copy_name: str  # the stored copy, inside the watch's folder
    input_format: str | None = None
    target: str | None = None
    webhook: str | None = None
    created: datetime
    checked: datetime
    rows: int = 0
    # The last webhook failure (None once a delivery succeeds) and the reports still waiting.
    webhook_error: str | None = None
    webhook_pending: int = 0


@dataclass
class RowChange:
    row: int
    line: int
    input: dict[str, str]
    before: WatchRow
    after: WatchRow
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "line": self.line,
            "input": self.input,
            "before": self.before.side(),
            "after": self.after.side(),
            "reasons": self.reasons,
        }


@dataclass
class WatchReport:
    """One check of one watch."""

    name: str
    inventory: str
    target: str
    checked: datetime
    previous_check: datetime
    rows: int
    changes: list[RowChange] = field(default_factory=list)
    loads: list[dict[str, Any]] = field(default_factory=list)  # change sets since the last check
    webhook_error: str | None = None
    webhook_pending: int = 0  # reports not yet taken by the webhook (kept, sent again)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def to_json(self, limit: int | None = None) -> dict[str, Any]:
        rows = self.changes if limit is None else self.changes[:limit]
        return {
            "watch": self.name,
            "inventory": self.inventory,
            "target": self.target,
            "checked": self.checked.isoformat(timespec="seconds"),
            "previous_check": self.previous_check.isoformat(timespec="seconds"),
            "rows": self.rows,
            "changed_rows": len(self.changes),
            "changes": [c.as_dict() for c in rows],
            "changes_listed": len(rows),
            "loads": self.loads,
            "webhook_error": self.webhook_error,
            "webhook_pending": self.webhook_pending,
        }


def row_inputs(mapping: ColumnMap, cells: Sequence[Any]) -> dict[str, str]:
    """The row's query cells under their own column names (what a reader recognises it by)."""
    out: dict[str, str] = {}
    for f, i in mapping.index.items():
        value = cells[i] if i < len(cells) else ""
        if value is not MISSING and value not in (None, ""):
            out[mapping.header(f)] = str(value)
    return out


def _state(outcome: Outcome, mapping: ColumnMap) -> WatchRow:
    inputs = row_inputs(mapping, outcome.cells)
    return watch_row(
        outcome.ordinal, outcome.number, inputs, outcome.result, outcome.derived, outcome.error
    )


class Watches:
    """The watches under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob("*/watch.json"))

    def folder(self, name: str) -> Path:
        """The watch's folder; a name is never a path (``/abs``, ``..``), only a plain name."""
        if not _NAME.match(name):
            raise WatchError(f"{name!r}: a watch name is letters, digits, . _ - (up to 100)")
        return self.root / name

    def meta(self, name: str) -> WatchMeta:
        path = self.folder(name) / "watch.json"
        try:
            return WatchMeta.model_validate_json(path.read_bytes())
        except OSError:
            known = ", ".join(self.names()) or "none"
            raise WatchError(f"no watch named {name!r} (watches: {known})") from None
        except ValueError as exc:  # pydantic's ValidationError: a damaged watch.json
            raise WatchError(f"watch {name!r}: watch.json is damaged ({exc})"[:500]) from None

    @contextlib.contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """Hold the watch's lock: a second check (or a removal) of the same watch meanwhile is
        refused for that watch alone, and other watches go on."""
        folder = self.folder(name)
        if not folder.is_dir():
            self.meta(name)  # names the missing watch
        with (folder / ".lock").open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WatchError(f"watch {name!r} is being checked by another process") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def check_all(
        self, resolver: Resolver, view: GraphView, names: Sequence[str] | None = None
    ) -> tuple[list[WatchReport], dict[str, str]]:
        """Check each watch on its own: one that fails (damaged, locked, unreadable) is named
        in the errors and the others are still checked."""
        reports: list[WatchReport] = []
        errors: dict[str, str] = {}
        for name in self.names() if names is None else names:
            try:
                reports.append(self.check(resolver, view, name))
            except SupplyGraphError as exc:
                errors[name] = exc.message
            except Exception as exc:  # a fault in one watch must not stop the others
                errors[name] = f"unexpected error ({type(exc).__name__}): {exc}"[:500]
        return reports, errors

    def add(
        self,
        resolver: Resolver,
        inventory: Path,
        name: str | None = None,
        webhook: str | None = None,
        target: str | None = None,
        input_format: str | None = None,
    ) -> WatchMeta:
        """Store a copy of ``inventory`` and its current verdicts under ``name`` (default: the
        file's stem); an existing watch of that name is replaced."""
        name = name or re.sub(r"[^A-Za-z0-9._-]", "-", inventory.stem).lstrip(".-") or "inventory"
        if not _NAME.match(name):
            raise WatchError(f"{name!r}: a watch name is letters, digits, . _ - (up to 100)")
        if webhook is not None:
            check_webhook(webhook)
        if not inventory.is_file():
            raise WatchError(f"{inventory}: no such file")
        folder = self.root / name
        staging = self.root / f".{name}.new"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        copy_name = f"inventory{''.join(inventory.suffixes[-1:]) or '.txt'}"
        shutil.copyfile(inventory, staging / copy_name)
        now = datetime.now(UTC)
        meta = WatchMeta(
            name=name,
            inventory=str(inventory.resolve()),
            copy_name=copy_name,
            input_format=input_format,
            target=target,
            webhook=webhook,
            created=now,
            checked=now,
        )
        try:
            audit, states = self._audit(resolver, staging / copy_name, meta)
            meta.rows = _write_rows(staging / "rows.jsonl", states)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        meta.target = audit.run.target.id
        (staging / "watch.json").write_text(meta.model_dump_json(indent=2), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        staging.replace(folder)
        return meta

    def remove(self, name: str) -> None:
        self.meta(name)
        with self.locked(name):
            shutil.rmtree(self.folder(name))

    def _audit(
        self, resolver: Resolver, path: Path, meta: WatchMeta
    ) -> tuple[Audit, Iterator[WatchRow]]:
        inventory = open_inventory(path, meta.input_format)
        audit = Audit(inventory, resolver, meta.target, None)

        def states() -> Iterator[WatchRow]:
            try:
                for batch in audit.batches():
                    for outcome in batch.outcomes():
                        yield _state(outcome, audit.mapping)
            finally:
                inventory.close()

        return audit, states()

    def check(self, resolver: Resolver, view: GraphView, name: str) -> WatchReport:
        """Audit the watch's inventory again and report the rows that changed (and keep the
        new verdicts for the next check)."""
        with self.locked(name):
            return self._check(resolver, view, name)

    def _check(self, resolver: Resolver, view: GraphView, name: str) -> WatchReport:
        meta = self.meta(name)
        if meta.webhook:
            check_webhook(meta.webhook)  # a watch.json edited by hand is checked too
        folder = self.folder(name)
        now = datetime.now(UTC)
        audit, states = self._audit(resolver, folder / meta.copy_name, meta)
        change_sets = view.changes(meta.checked)
        facts = _facts_by_entity(change_sets)
        report = WatchReport(
            name=name,
            inventory=meta.inventory,
            target=audit.run.target.name,
            checked=now,
            previous_check=meta.checked,
            rows=0,
            loads=[_load_summary(c) for c in change_sets],
        )
        explain = _Explainer(resolver, audit.run.day, facts)
        new_rows = folder / "rows.jsonl.new"
        with (folder / "rows.jsonl").open(encoding="utf-8") as old_file:
            old_rows = (WatchRow.from_json(json.loads(line)) for line in old_file)
            kept = _write_rows(new_rows, _compare(old_rows, states, report, explain))
        report.rows = kept
        new_rows.replace(folder / "rows.jsonl")
        meta.checked, meta.rows = now, kept
        if meta.webhook:
            outbox = Outbox(folder / "outbox")
            if report.changed:
                outbox.put(now, report)
            if outbox.pending():
                meta.webhook_error = outbox.deliver(meta.webhook)
            report.webhook_error = meta.webhook_error
            report.webhook_pending = meta.webhook_pending = outbox.pending()
        _write_meta(folder, meta)
        return report


def _write_meta(folder: Path, meta: WatchMeta) -> None:
    staged = folder / "watch.json.new"
    staged.write_text(meta.model_dump_json(indent=2), encoding="utf-8")
    staged.replace(folder / "watch.json")


_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def check_webhook(url: str) -> None:
    """A webhook is an http(s) URL with a host, and no spaces or control characters (a CR LF
    would split the request it is sent in)."""
    if _CONTROL.search(url):
        raise WatchError(f"{url!r}: a webhook URL holds no spaces or control characters")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise WatchError(f"{url!r}: a webhook is an http:// or https:// URL with a host")
    try:
        parsed.port  # noqa: B018  # parsing the port is the check
    except ValueError as exc:
        raise WatchError(f"{url!r}: {exc}") from None


class Outbox:
    """Reports waiting for a webhook, one file each, sent oldest first; a report leaves only
    when the receiver took it (2xx), so a receiver that fails gets it again at the next check."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []

    def pending(self) -> int:
        return len(self.files())

    def put(self, when: datetime, report: WatchReport) -> None:
        self.folder.mkdir(exist_ok=True)
        body = json.dumps(report.to_json(WEBHOOK_ROWS)).encode()
        staged = self.folder / f"{when:%Y%m%dT%H%M%S%f}.json.new"
        staged.write_bytes(body)
        staged.replace(staged.with_suffix(""))
        for old in self.files()[:-OUTBOX_LIMIT]:
            old.unlink(missing_ok=True)

    def deliver(self, url: str) -> str | None:
        """Send every waiting report; the first failure stops (order is kept) and is returned."""
        for path in self.files():
            error = post_body(url, path.read_bytes(), delivery=path.stem)
            if error is not None:
                return error
            path.unlink(missing_ok=True)
        return None


def _compare(
    old: Iterator[WatchRow], new: Iterator[WatchRow], report: WatchReport, explain: _Explainer
) -> Iterator[WatchRow]:
    """The new rows, passed through; each that differs from its old row goes in the report."""
    for after in new:
        before = next(old, None)
        if before is None or before.row != after.row:
            raise WatchError(f"watch {report.name}: the stored rows do not match the inventory")
        if before.verdict != after.verdict or set(before.regimes) != set(after.regimes):
            report.changes.append(
                RowChange(after.row, after.line, after.input, before, after, explain(before, after))
            )
        yield after


class _Explainer:
    """The reasons a row changed: evidence, regimes (each with its own reason) and the facts
    that the loads since the last check stated about the row's entity."""

    def __init__(self, resolver: Resolver, day: date, facts: dict[str, list[str]]) -> None:
        self.resolver = resolver
        self.day = day
        self.facts = facts

    def __call__(self, before: WatchRow, after: WatchRow) -> list[str]:
        reasons: list[str] = []
        reached = ("yes", "possible")
        if before.verdict != after.verdict:
            if after.verdict in reached:
                reasons.append(f"verdict {before.verdict} -> {after.verdict}: {after.evidence}")
            elif before.verdict in reached:
                reasons.append(
                    f"verdict {before.verdict} -> {after.verdict}: the evidence "
                    f"({before.evidence}) no longer holds"
                )
            else:
                reasons.append(f"verdict {before.verdict} -> {after.verdict}")
        gained = [r for r in after.regimes if r not in before.regimes]
        lost = [r for r in before.regimes if r not in after.regimes]
        if gained or lost:
            why = self._regime_reasons(after.entity or before.entity)
            reasons += [f"now covered by {r}: {why.get(r, '')}".rstrip(": ") for r in gained]
            reasons += [f"no longer covered by {r}: {why.get(r, '')}".rstrip(": ") for r in lost]
        for entity in dict.fromkeys(e for e in (before.entity, after.entity) if e):
            reasons += self.facts.get(entity, [])
        return reasons

    def _regime_reasons(self, entity: str | None) -> dict[str, str]:
        if not entity:
            return {}
        return {v.regime: v.reason for v in self.resolver.regimes.verdicts(entity, self.day)}


def _fact(change: ChangeSet, item: ChangeItem) -> str:
    when = f"load of {change.loaded_at:%Y-%m-%d %H:%M}"
    if item.kind == "designation":
        listing = item.list_name or item.list_id or "a list"
        verb = {
            "added": "listed on",
            "removed": "delisted from (end-dated)",
            "changed": "listing changed on",
        }[item.change]
        return f"{change.dataset}: {item.name or item.entity_id} {verb} {listing} ({when})"
    return f"{change.dataset}: {item.name or item.id} {item.change} ({when})"


def _facts_by_entity(change_sets: list[ChangeSet]) -> dict[str, list[str]]:
    facts: dict[str, list[str]] = {}
    for change in reversed(change_sets):  # oldest first
        for item in change.items:
            entity = item.entity_id if item.kind == "designation" else item.id
            if entity:
                facts.setdefault(entity, []).append(_fact(change, item))
    return facts


def _load_summary(change: ChangeSet) -> dict[str, Any]:
    return {
        "dataset": change.dataset,
        "source": change.source,
        "loaded_at": change.loaded_at.isoformat(timespec="seconds"),
        "counts": change.counts,
    }


def _write_rows(path: Path, states: Iterator[WatchRow]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for state in states:
            out.write(json.dumps(asdict(state), ensure_ascii=False) + "\n")
            n += 1
    return n


def post_webhook(url: str, report: WatchReport) -> str | None:
    """POST the report as JSON; the error text when the receiver did not take it, else None."""
    return post_body(url, json.dumps(report.to_json(WEBHOOK_ROWS)).encode())


def post_body(url: str, body: bytes, delivery: str | None = None) -> str | None:
    """POST ``body`` with up to :data:`WEBHOOK_ATTEMPTS` tries and a pause between them; each
    try has one deadline of :data:`WEBHOOK_TIMEOUT` seconds. Redirects are not followed (a 302
    would turn the POST into a GET without the report). The last error, or None."""
    error: str | None = None
    for attempt in range(WEBHOOK_ATTEMPTS):
        if attempt:
            time.sleep(WEBHOOK_BACKOFF[min(attempt, len(WEBHOOK_BACKOFF)) - 1])
        error = _post_once(url, body, delivery)
        if error is None:
            return None
    return f"{error} (after {WEBHOOK_ATTEMPTS} tries; kept to be sent again)"


def _post_once(url: str, body: bytes, delivery: str | None) -> str | None:
    headers = {"Content-Type": "application/json"}
    if delivery:
        headers["X-Supplygraph-Delivery"] = delivery  # the same report sent again: same id
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    deadline = Deadline(WEBHOOK_TIMEOUT)
    try:
        with open_url(request, deadline, follow_redirects=False) as response:
            response.read(1 << 16)
    except Exception as exc:
        if deadline.fired:
            return f"webhook {url}: no answer within {WEBHOOK_TIMEOUT:g} s"
        if isinstance(exc, urllib.error.HTTPError):
            return f"webhook {url}: HTTP {exc.code} {exc.reason}"
        return f"webhook {url}: {getattr(exc, 'reason', None) or exc}"
    finally:
        deadline.cancel()
    if deadline.fired:
        return f"webhook {url}: no answer within {WEBHOOK_TIMEOUT:g} s"
    return None


_ENV = Environment(
    loader=PackageLoader("supplygraph.audit", "templates"),
    autoescape=select_autoescape(default=True),
)


def render_html(reports: list[WatchReport]) -> str:
    """One self-contained page: every checked watch with its changed rows, before and after."""
    from .html import COLOURS, STYLE

    return _ENV.get_template("watch.html").render(
        reports=[r.to_json() for r in reports], style=STYLE, colours=COLOURS
    )
