"""The domain model: nodes, edges and designations, each carrying its sources.

Records are plain typed values. Ids are derived from content (see
:mod:`supplygraph.graph.model.ids`), so loading the same file twice yields the same ids and changes
nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class NodeKind(StrEnum):
    ORGANIZATION = "organization"
    PERSON = "person"
    BRAND = "brand"
    PRODUCT = "product"
    IDENTIFIER = "identifier"


class OrgType(StrEnum):
    COMPANY = "company"
    STATE_BODY = "state_body"
    STATE_OWNED_ENTERPRISE = "state_owned_enterprise"
    RESEARCH_INSTITUTE = "research_institute"
    PUBLIC_BODY = "public_body"


class Relation(StrEnum):
    OWNS = "OWNS"
    CONTROLS = "CONTROLS"
    OWNS_BRAND = "OWNS_BRAND"
    MANUFACTURES_FOR = "MANUFACTURES_FOR"
    DISTRIBUTES = "DISTRIBUTES"
    ASSIGNED = "ASSIGNED"
    MODEL_OF = "MODEL_OF"
    SAME_AS = "SAME_AS"
    # A sourced statement that a company is not part of a group (a denial, a registry naming
    # other owners): never followed by a walk; it turns name affinity back into a `no`.
    UNRELATED_TO = "UNRELATED_TO"


# Edge.reason of an OWNS edge whose stake is a joint venture's.
JOINT_VENTURE = "joint venture"

# The relations a verdict follows, by the side that is "above" (owner, maker, assignee). In these
# the edge's source is above its target; DISTRIBUTES is never evidence (a reseller is not owned).
SOURCE_ABOVE = frozenset(
    {
        Relation.OWNS,
        Relation.CONTROLS,
        Relation.OWNS_BRAND,
        Relation.MANUFACTURES_FOR,
        Relation.ASSIGNED,
        Relation.SAME_AS,
    }
)
# In these the target is above: a product is MODEL_OF its brand. SAME_AS is in both sets.
TARGET_ABOVE = frozenset({Relation.MODEL_OF, Relation.SAME_AS})


class IdScheme(StrEnum):
    """Identifier kinds. Those in :data:`ASSIGNABLE` become nodes of their own."""

    OUI = "oui"  # IEEE MA-L, 24-bit prefix, 6 hex digits
    OUI28 = "oui28"  # IEEE MA-M, 7 hex digits
    OUI36 = "oui36"  # IEEE MA-S / IAB, 9 hex digits
    FCC_GRANTEE = "fcc_grantee"
    LEI = "lei"
    USCC = "uscc"  # Chinese unified social credit code
    ISIN = "isin"
    TICKER = "ticker"
    REGISTRY = "registry"  # a national company-registry number, value "CC:number"
    SOURCE_KEY = "source_key"  # a record's key in a source dataset, value "dataset:key"


ASSIGNABLE: frozenset[IdScheme] = frozenset(
    {IdScheme.OUI, IdScheme.OUI28, IdScheme.OUI36, IdScheme.FCC_GRANTEE}
)

Grade = Literal["A", "B", "C"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceRef(_Record):
    """Where a fact comes from: a document or dataset, and for curated facts a short quote."""

    id: str = Field(description="The source's id.", examples=["hik-bis-rule-2019-22210"])
    title: str = Field(
        description="The document or dataset.",
        examples=["Federal Register 2019-22210: Addition of Certain Entities to the Entity List"],
    )
    url: str | None = Field(
        default=None,
        description="Where to read it.",
        examples=["https://www.federalregister.gov/d/2019-22210"],
    )
    published: date | None = Field(
        default=None, description="When it was published.", examples=["2019-10-09"]
    )
    retrieved: date | None = Field(
        default=None, description="When it was read for this data.", examples=["2025-06-30"]
    )
    grade: Grade | None = Field(
        default=None,
        description="A: primary (registries, official lists, filings); B: reputable press and "
        "research; C: hints. Links on grade C alone are weak.",
        examples=["A"],
    )
    quote: str | None = Field(
        default=None,
        description="For curated facts, the words in the source that state it.",
        examples=["Hangzhou Hikvision Digital Technology Co., Ltd."],
    )


class Identifier(_Record):
    scheme: IdScheme
    value: str


class Node(_Record):
    id: str
    kind: NodeKind
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    org_type: OrgType | None = None
    identifiers: tuple[Identifier, ...] = ()
    # Free-form facts that do not deserve a column: a product's model pattern, an identifier
    # node's scheme and value, a source record's address.
    properties: dict[str, Any] = Field(default_factory=dict)
    sources: tuple[SourceRef, ...] = Field(min_length=1)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class Edge(_Record):
    """A directed, typed fact between two nodes.

    Direction: OWNS/CONTROLS owner -> owned; OWNS_BRAND organization -> brand;
    MANUFACTURES_FOR OEM maker -> brand or organization; DISTRIBUTES distributor -> brand;
    ASSIGNED organization -> identifier; MODEL_OF product -> brand; SAME_AS either way.
    ``valid_to`` is exclusive: a company sold on 2022-11-24 is no longer owned that day.
    """

    id: str
    src: str
    dst: str
    relation: Relation
    share: float | None = Field(default=None, ge=0, le=100)
    share_min: float | None = Field(default=None, ge=0, le=100)
    share_max: float | None = Field(default=None, ge=0, le=100)
    valid_from: date | None = None
    valid_to: date | None = None
    reported_on: date | None = None
    confidence: float = Field(default=1.0, ge=0, le=1)
    # SAME_AS: why the records were linked; OWNS: "joint venture" when the stake is one.
    reason: str | None = None
    note: str | None = None
    sources: tuple[SourceRef, ...] = Field(min_length=1)

    def active_on(self, day: date | None) -> bool:
        if day is None:
            return True
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_to is not None and day >= self.valid_to)

    @property
    def share_bounds(self) -> tuple[float | None, float | None]:
        """(low, high) in percent; exact shares give equal bounds, unknown gives (None, None)."""
        if self.share is not None:
            return self.share, self.share
        return self.share_min, self.share_max


class Designation(_Record):
    """An entity's listing on a list or measure (BIS Entity List, NS-CMIC, ...)."""

    id: str
    entity_id: str
    list_id: str
    list_name: str | None = None
    authority: str | None = None
    program: str | None = None
    citation: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    note: str | None = None
    sources: tuple[SourceRef, ...] = Field(min_length=1)

    def active_on(self, day: date | None) -> bool:
        if day is None:
            return True
        if self.start_date is not None and day < self.start_date:
            return False
        return not (self.end_date is not None and day >= self.end_date)


class Fetched(_Record):
    """One downloaded URL of a load: what a conditional request sends next time."""

    url: str
    sha256: str
    bytes: int
    etag: str | None = None
    last_modified: str | None = None


class LoadEntry(_Record):
    """One file loaded into a store: the load log behind `supplygraph sources`."""

    id: str
    file: str
    sha256: str
    format: str
    dataset: str
    loaded_at: datetime
    # read / added / updated / skipped / warnings, as the loader counted them
    counts: dict[str, int] = Field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # The designations this file stated, and those it left out but did not end (it was not
    # shown complete): the next version of the same dataset is diffed against them, and a
    # listing that disappeared gets an end date instead of vanishing.
    designation_ids: tuple[str, ...] = ()
    # The file's own date: its publication date where it states one, else the latest start date
    # of its listings. A file older than the last load of its dataset is refused by default.
    vintage: date | None = None
    vintage_stated: bool = False  # True: a publication date; False: derived from the listings
    # Whether the file showed by its own evidence that it is whole (only then did it end the
    # listings it left out), and how, or why not. None: logged before this was recorded.
    complete: bool | None = None
    evidence: str | None = None
    # The entities (node ids) this file stated, kept on the newest load of a dataset only (the
    # next load diffs against them, then clears them here) and only up to a bound.
    entity_ids: tuple[str, ...] = ()
    entities_tracked: bool = False  # False: too many to keep, or a load from before they were
    # Where the file came from when `supplygraph update` fetched it: the source's name in the
    # sources file and, per URL, the validators the next conditional request sends.
    source: str | None = None
    fetched: tuple[Fetched, ...] = ()


ChangeKind = Literal["entity", "designation"]
Change = Literal["added", "removed", "changed"]


class ChangeItem(_Record):
    """One entity or listing that a load added, removed (a delisting: end-dated) or changed."""

    kind: ChangeKind = Field(description="entity or designation (a listing).", examples=["entity"])
    change: Change = Field(description="added, removed or changed.", examples=["added"])
    id: str = Field(description="The entity's or listing's id.", examples=["hikvision"])
    # the entity's name (for a listing: the listed entity's)
    name: str | None = Field(
        default=None,
        description="The entity's name (for a listing, the listed entity's).",
        examples=["Hangzhou Hikvision Digital Technology Co., Ltd."],
    )
    entity_kind: str | None = Field(
        default=None, description="organization, person, brand, ...", examples=["organization"]
    )
    entity_id: str | None = Field(
        default=None, description="A listing's entity.", examples=["hikvision"]
    )
    list_id: str | None = Field(
        default=None, description="A listing's list.", examples=["us-bis-entity-list"]
    )
    list_name: str | None = Field(
        default=None, description="That list's name.", examples=["BIS Entity List"]
    )


class ChangeSet(_Record):
    """What one load changed in its dataset, against the previous load of that dataset.

    ``counts`` is complete (``entities_added``, ``designations_removed``, ...); ``items`` lists
    at most a bounded number and ``truncated`` says when more changed. The first load of a
    dataset has no previous one: its counts say what it brought, its items are empty.
    """

    id: str = Field(description="The load's id.", examples=["load-2025-06-30-01"])
    dataset: str = Field(description="The dataset loaded.", examples=["ieee-registry"])
    loaded_at: datetime = Field(
        description="When the load finished (UTC).", examples=["2025-06-30T04:00:00Z"]
    )
    file: str = Field(description="The file's name.", examples=["oui.txt"])
    sha256: str = Field(
        description="SHA-256 of the file.",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )
    source: str | None = Field(
        default=None, description="Where the file came from, when known.", examples=[None]
    )
    previous_load: str | None = Field(
        default=None, description="The load compared with; null for a first load.", examples=[None]
    )
    previous_loaded_at: datetime | None = Field(
        default=None, description="When that load finished.", examples=[None]
    )
    counts: dict[str, int] = Field(
        default_factory=dict,
        description="How many were added, removed and changed, by kind.",
        examples=[{"entities_added": 3, "designations_removed": 1}],
    )
    items: tuple[ChangeItem, ...] = Field(
        default=(), description="What changed, one by one (bounded; see `truncated`)."
    )
    truncated: bool = Field(
        default=False, description="Whether more changed than `items` lists.", examples=[False]
    )


Record = Node | Edge | Designation


def utc_text(moment: datetime) -> str:
    """A time as UTC text that sorts as the time does (a naive time counts as UTC): stores
    keep change sets under it, so a range of times is a range of strings.

    >>> utc_text(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    '2026-03-01T12:00:00.000000'
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")
