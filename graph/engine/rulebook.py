"""The rule calendar (``seed_data/rules.yaml``): regimes, the lists they count, when they apply.

Dates and citations live in the data file, so an extension of a suspension or a new rule is a
data change, not a code change. The file is validated as a whole: a cite to an unknown source or
a malformed date refuses it with the file, entry and field named.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.model.citations import Cite, CuratedSource, source_refs
from supplygraph.graph.model.records import SourceRef

RULES_FILE = "rules.yaml"

RegimeKind = Literal["ownership_50", "listing", "affiliates", "ica_order"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True)


class Period(_Strict):
    """A half-open span of days: ``from`` is the first day, ``to`` the first day after it."""

    start: date = Field(alias="from")
    end: date | None = Field(default=None, alias="to")
    citation: str | None = None
    note: str | None = None
    sources: list[Cite] = []

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


class Regime(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    name: str
    authority: str
    kind: RegimeKind
    lists: dict[str, str] = Field(min_length=1)  # designation list id -> short label
    threshold: float = Field(default=50.0, gt=0, le=100)
    covered_as: str = "covered"
    products_of: list[str] = []
    scope: str | None = None
    in_force: list[Period] = []
    suspended: list[Period] = []
    sources: list[Cite] = []
    note: str | None = None

    def status(
        self, day: date
    ) -> tuple[Literal["in_force", "not_in_force", "suspended"], Period | None]:
        """Whether the regime applies on ``day``; with the period that says so.

        A regime without ``in_force`` periods applies whenever its lists do (listings carry their
        own start and end dates).
        """
        current = next((p for p in self.in_force if p.covers(day)), None)
        if self.in_force and current is None:
            return "not_in_force", min(self.in_force, key=lambda p: abs((p.start - day).days))
        pause = next((p for p in self.suspended if p.covers(day)), None)
        if pause is not None:
            return "suspended", pause
        return "in_force", current


class RuleBook(_Strict):
    sources: list[CuratedSource] = []
    regimes: list[Regime] = []
    # Every verdict cites its rule's sources: built once per list of cites, not per verdict.
    _refs: dict[tuple[Cite, ...], tuple[SourceRef, ...]] = PrivateAttr(default_factory=dict)

    def source_refs(self, cites: list[Cite]) -> list[SourceRef]:
        """Cites as the SourceRef values every answer carries."""
        key = tuple(cites)
        refs = self._refs.get(key)
        if refs is None:
            refs = self._refs[key] = source_refs({s.id: s for s in self.sources}, cites)
        return list(refs)


def _check(path: str, book: RuleBook) -> None:
    known = {s.id for s in book.sources}
    seen: set[str] = set()
    for r in book.regimes:
        if r.id in seen:
            raise InvalidRecord(path, f"regimes/{r.id}", "id", "regime id used twice")
        seen.add(r.id)
        periods = [("in_force", p) for p in r.in_force] + [("suspended", p) for p in r.suspended]
        cites = [("sources", c) for c in r.sources]
        cites += [(f"{name}.sources", c) for name, p in periods for c in p.sources]
        for fieldname, c in cites:
            if c.source not in known:
                raise InvalidRecord(
                    path, f"regimes/{r.id}", fieldname, f"unknown source {c.source!r}"
                )
        for name, p in periods:
            if p.end is not None and p.end <= p.start:
                raise InvalidRecord(path, f"regimes/{r.id}", name, "period ends before it starts")
        if r.kind == "ica_order" and not r.products_of:
            raise InvalidRecord(path, f"regimes/{r.id}", "products_of", "an ica_order needs it")


def read_rules(path: Path | None = None) -> RuleBook:
    """Parse and check a rule calendar; the built-in one when ``path`` is not given."""
    where = path or Path(str(resources.files("supplygraph.seed_data").joinpath(RULES_FILE)))
    try:
        raw: Any = yaml.safe_load(where.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InvalidRecord(str(where), line, None, f"not valid YAML: {exc}") from exc
    try:
        book = RuleBook.model_validate(raw or {})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        entry = "/".join(loc[:2]) if len(loc) >= 2 else (loc[0] if loc else None)
        raise InvalidRecord(str(where), entry, ".".join(loc[2:]) or None, err["msg"]) from exc
    _check(str(where), book)
    return book


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    """The built-in calendar, read once per process."""
    return read_rules()
