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

import json
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, ConfigDict

from supplygraph.graph.engine.resolve import Resolver
from supplygraph.graph.errors import SupplyGraphError
from supplygraph.graph.model.records import ChangeItem, ChangeSet
from supplygraph.graph.store.protocol import GraphView

from .columns import ColumnMap
from .readers import MISSING, open_inventory
from .run import Audit, Outcome

EXIT_CHANGED = 3  # `supplygraph watch --check`: some watched row changed verdict or regimes
WEBHOOK_ROWS = 1_000  # rows sent in one webhook body (the count is always complete)
WEBHOOK_TIMEOUT = 15.0
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


@dataclass(frozen=True)
class RowState:
    """One row's answer, as kept between checks."""

    row: int
    line: int
    input: dict[str, str]
    verdict: str
    entity: str | None = None
    entity_name: str | None = None
    regimes: tuple[str, ...] = ()
    evidence: str = ""
    sources: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RowState:
        return cls(**{**data, "regimes": tuple(data["regimes"]), "sources": tuple(data["sources"])})


@dataclass
class RowChange:
    row: int
    line: int
    input: dict[str, str]
    before: RowState
    after: RowState
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        def side(s: RowState) -> dict[str, Any]:
            keep = ("verdict", "entity", "entity_name", "regimes", "evidence", "sources")
            return {k: v for k, v in asdict(s).items() if k in keep}

        return {
            "row": self.row,
            "line": self.line,
            "input": self.input,
            "before": side(self.before),
            "after": side(self.after),
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
        }


def row_inputs(mapping: ColumnMap, cells: Sequence[Any]) -> dict[str, str]:
    """The row's query cells under their own column names (what a reader recognises it by)."""
    out: dict[str, str] = {}
    for f, i in mapping.index.items():
        value = cells[i] if i < len(cells) else ""
        if value is not MISSING and value not in (None, ""):
            out[mapping.header(f)] = str(value)
    return out


def _state(outcome: Outcome, mapping: ColumnMap) -> RowState:
    result = outcome.result
    answer = result.answer
    inputs = row_inputs(mapping, outcome.cells)
    if answer is None:
        return RowState(
            outcome.ordinal, outcome.number, inputs, "error", evidence=outcome.error or ""
        )
    name = answer.best.match.name if answer.best is not None else None
    if name is None and answer.entity is not None:
        name = next((m.name for m in result.matched if m.id == answer.entity), None)
    regimes = tuple(r for r in (outcome.regimes or "").split("; ") if r)
    return RowState(
        outcome.ordinal,
        outcome.number,
        inputs,
        answer.verdict,
        answer.entity,
        name,
        regimes,
        answer.evidence,
        outcome.sources,
    )


class Watches:
    """The watches under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob("*/watch.json"))

    def meta(self, name: str) -> WatchMeta:
        path = self.root / name / "watch.json"
        try:
            return WatchMeta.model_validate_json(path.read_bytes())
        except OSError:
            known = ", ".join(self.names()) or "none"
            raise WatchError(f"no watch named {name!r} (watches: {known})") from None

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
        if webhook is not None and not webhook.startswith(("http://", "https://")):
            raise WatchError(f"{webhook!r}: a webhook is an http:// or https:// URL")
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
        shutil.rmtree(self.root / name)

    def _audit(
        self, resolver: Resolver, path: Path, meta: WatchMeta
    ) -> tuple[Audit, Iterator[RowState]]:
        inventory = open_inventory(path, meta.input_format)
        audit = Audit(inventory, resolver, meta.target, None)

        def states() -> Iterator[RowState]:
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
        meta = self.meta(name)
        folder = self.root / name
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
            old_rows = (RowState.from_json(json.loads(line)) for line in old_file)
            kept = _write_rows(new_rows, _compare(old_rows, states, report, explain))
        report.rows = kept
        new_rows.replace(folder / "rows.jsonl")
        meta.checked, meta.rows = now, kept
        (folder / "watch.json").write_text(meta.model_dump_json(indent=2), encoding="utf-8")
        if report.changed and meta.webhook:
            report.webhook_error = post_webhook(meta.webhook, report)
        return report


def _compare(
    old: Iterator[RowState], new: Iterator[RowState], report: WatchReport, explain: _Explainer
) -> Iterator[RowState]:
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

    def __call__(self, before: RowState, after: RowState) -> list[str]:
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


def _write_rows(path: Path, states: Iterator[RowState]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for state in states:
            out.write(json.dumps(asdict(state), ensure_ascii=False) + "\n")
            n += 1
    return n


def post_webhook(url: str, report: WatchReport) -> str | None:
    """POST the report as JSON; the error text when the receiver did not take it, else None."""
    body = json.dumps(report.to_json(WEBHOOK_ROWS)).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
            response.read(1 << 16)
    except urllib.error.HTTPError as exc:
        return f"webhook {url}: HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        return f"webhook {url}: {getattr(exc, 'reason', None) or exc}"
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
