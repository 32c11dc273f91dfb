"""Does a `no` stay earned on questions beyond the seed? ``false_no_rate`` and the share flagged.

The labelled set (``bench/data/group_names.yaml``, see its README) holds every IEEE assignee and
every US list entry whose name carries a name of one of the five groups, labelled by research
with a source each: ``member`` and ``related`` (part of the group, or a significant stake or joint
venture), ``unclear`` (the name is all that is known), ``unrelated`` and ``control`` (look-alikes
that must not be answered ``yes``).

Each row is asked against its group on a store holding the seed, the IEEE registry and the list
files the set was built from. ``false_no_rate`` is the share of member, related and unclear rows
answered ``no`` (goal 0: a screening tool must not say no where it only knows nothing);
``group_names_flagged`` the share of them answered ``yes`` or ``possible``;
``controls_answered_yes`` counts look-alikes answered ``yes`` (goal 0). The baseline is the same
engine on the same store with the `no` rule switched off (no path means no), in the same run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from supplygraph.graph.engine.resolve import Query, Resolver
from supplygraph.loaders.ingest import load_file
from supplygraph.service import SupplyGraph

from .figures import Figure, not_measured
from .names import find_data

SHOULD_FLAG = frozenset({"member", "related", "unclear"})
MUST_NOT_BE_YES = frozenset({"unrelated", "control"})
# The list files the labelled set was built from, as the loaders read them.
# The two CSL samples are one dataset in two vintages, not a list that shrank or went back in
# time: the second is loaded as such (it ends the first one's listings, not its entities, which
# are what is asked).
LIST_FILES = (
    ("csl-us", "csl_current_format_sample.csv"),
    ("csl-us", "csl_2019_sample.csv"),
    ("ofac-sdn-legacy", "sdn.csv"),  # the loader reads its add/alt/comments files beside it
    ("ofac-nonsdn-cmic", "cons_prim.csv"),
)


@dataclass(frozen=True)
class Row:
    query: dict[str, str]
    group: str
    label: str


def labelled() -> list[Row]:
    text = resources.files("supplygraph.bench").joinpath("data/group_names.yaml").read_text()
    data: Any = yaml.safe_load(text)
    rows = data["rows"] if isinstance(data, dict) else data
    return [
        Row(query={k: str(v) for k, v in r["query"].items()}, group=r["group"], label=r["label"])
        for r in rows
    ]


def _store(work: Path) -> SupplyGraph:
    graph = SupplyGraph.open(f"sqlite:///{work / 'group-names.db'}")
    graph.load_seed()
    graph.load_oui()
    for folder, pattern in LIST_FILES:
        found = find_data(folder)
        if found is not None:
            for path in sorted(found.glob(pattern)):
                load_file(graph.store, path, allow_shrink=True, allow_older=True)
    return graph


def _verdicts(resolver: Resolver, rows: list[Row]) -> list[str]:
    return [resolver.resolve(Query(**r.query), target=r.group).verdict for r in rows]


def run(work: Path) -> list[Figure]:
    rows = labelled()
    if not rows:
        return [not_measured("false_no_rate", "share", "no rule", "0", "the labelled set is empty")]
    start = time.perf_counter()
    graph = _store(work)
    try:
        earned = Resolver(graph.view)
        silent = Resolver(graph.view)
        silent.related.enabled = False
        now, before = _verdicts(earned, rows), _verdicts(silent, rows)
    finally:
        graph.close()
    flag = [i for i, r in enumerate(rows) if r.label in SHOULD_FLAG]
    controls = [i for i, r in enumerate(rows) if r.label in MUST_NOT_BE_YES]
    note = (
        f"{len(flag)} member/related/unclear rows and {len(controls)} look-alikes of "
        f"bench/data/group_names.yaml against seed + IEEE registry + list files; "
        f"{time.perf_counter() - start:.0f} s"
    )

    def share(verdicts: list[str], wanted: set[str]) -> float:
        return sum(verdicts[i] in wanted for i in flag) / len(flag) if flag else 0.0

    def yes_count(verdicts: list[str]) -> float:
        return float(sum(verdicts[i] == "yes" for i in controls))

    return [
        Figure(
            "false_no_rate",
            share(now, {"no"}),
            "share",
            "same engine, no path means no",
            share(before, {"no"}),
            ratio=None,
            goal="0",
            note=note,
        ),
        Figure(
            "group_names_flagged",
            share(now, {"yes", "possible"}),
            "share",
            "same engine, no path means no",
            share(before, {"yes", "possible"}),
            goal="as high as the evidence allows",
            note=note,
        ),
        Figure(
            "controls_answered_yes",
            yes_count(now),
            "rows",
            "same engine, no path means no",
            yes_count(before),
            ratio=None,
            goal="0",
            note=note,
        ),
    ]
