"""Name matching: quality on real lists, and the cost of a cold name on a large store.

``name_recall_at_1`` and ``name_false_match_rate`` are measured on a labelled set built from a
real list: the OFAC SDN files are loaded into a fresh store, and every name and alias of every
entry (from ``alt.csv`` and the remarks' a.k.a.s) is queried as listed, with its words in reverse
order, and with one typo (two inner letters of its longest word swapped); the entry must come
first. Names shared by several entries are left out (no single right answer). The negatives are
names the store does not hold: the OFAC non-SDN consolidated list, the CSL rows of other lists,
and the known traps (Hikari, Hikma, "Dahua Electronics Corporation", ...); any match at all is a
false match. Each figure stands next to the same figure for the earlier whole-string matcher
(:mod:`.names_baseline`) on the same queries in the same run.

``resolve_cold_name_p99``: a store holding the seed, the OFAC SDN and CSL files and a synthetic
FtM file of companies with varied names (a city, one or two coined words, a trade word, a legal
form; a fifth with an alias), queried with names as people type them (partial, reordered, one
typo, or absent), every query a name not asked before; next to an SQLite FTS5 query over the
same names (all query words, best 10 by rank), which only retrieves and does not judge. The same
store serves the HTTP cold-name figure (:mod:`.http`), asked every name of the lists once.
"""

from __future__ import annotations

import csv
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from supplygraph.graph.engine.resolve import Query
from supplygraph.graph.match.matcher import match_name
from supplygraph.graph.model.normalize import name_keys
from supplygraph.graph.model.records import Node, NodeKind
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import GraphView
from supplygraph.loaders.ingest import load_file
from supplygraph.service import SupplyGraph

from . import name_scores, names_baseline
from .figures import Figure, percentile
from .ingest import COUNTRIES

# Where the real files are: the repository's test data, else the shared folder beside it.
# Where the bench finds the real list files it takes names from: SUPPLYGRAPH_BENCH_DATA when
# set, else the checkout's test data (or the shared data folder beside it).
DATA_DIRS = tuple(
    Path(p)
    for p in (os.environ.get("SUPPLYGRAPH_BENCH_DATA", ""), "tests/data", "../shared/data")
    if p
)
TRAPS = (
    "Hikari",
    "Hikma Pharmaceuticals",
    "Dahua Electronics Corporation",
    "Dahua Hotel",
    "Zhejiang Uniview Technologies",
    "Honeywell International",
    "Hikvision Digital Technology",
    "Zhejiang Dahua Technology",
)


def find_data(folder: str) -> Path | None:
    for base in DATA_DIRS:
        if (base / folder).is_dir():
            return base / folder
    return None


@dataclass(frozen=True)
class Labelled:
    query: str
    expected: str
    variant: str


def _typo(text: str) -> str | None:
    words = text.split()
    longest = max(words, key=len, default="")
    if len(longest) < 6 or not longest.isalpha():
        return None
    i = len(longest) // 2
    swapped = longest[: i - 1] + longest[i] + longest[i - 1] + longest[i + 1 :]
    if swapped == longest:
        return None
    return text.replace(longest, swapped, 1)


# Words registers spell in full and people abbreviate when they type (the reverse of
# match/typed.py's table, for the words where the abbreviation is the usual one).
TYPED_ABBREVIATIONS = {
    "international": "Intl",
    "corporation": "Corp",
    "company": "Co",
    "limited": "Ltd",
    "manufacturing": "Mfg",
    "electronics": "Elec",
    "engineering": "Eng",
    "services": "Svcs",
    "holdings": "Hldgs",
    "industries": "Inds",
    "investment": "Invt",
    "management": "Mgmt",
    "technology": "Tech",
    "development": "Dev",
}


def _abbreviated(text: str) -> str | None:
    """The name with its first abbreviable word typed short ("International" -> "Intl")."""
    words = text.split()
    for i, word in enumerate(words):
        short = TYPED_ABBREVIATIONS.get(word.strip(",.").lower())
        if short is not None:
            return " ".join([*words[:i], short + word[len(word.rstrip(",.")) :], *words[i + 1 :]])
    return None


def _typo_inside_long(text: str) -> str | None:
    """In a name of four words or more, one typo in a word that is not the longest."""
    words = text.split()
    if len(words) < 4:
        return None
    longest = max(words, key=len)
    inner = [w for w in words if w != longest and len(w) >= 6 and w.isalpha()]
    if not inner:
        return None
    word = inner[0]
    i = len(word) // 2
    swapped = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return None if swapped == word else text.replace(word, swapped, 1)


def positives(view: GraphView, limit: int, seed: int = 3) -> list[Labelled]:
    """Every unambiguous name of every listed entity: as listed, reordered, with a typo, with
    a word abbreviated as people type it, and (in long names) with a typo inside."""
    owners: dict[str, set[str]] = {}
    named: list[tuple[str, str]] = []
    for record in view.iter_records():
        if isinstance(record, Node) and record.kind in (NodeKind.ORGANIZATION, NodeKind.PERSON):
            for name in record.names:
                named.append((record.id, name))
                for key in name_keys(name):
                    owners.setdefault(key, set()).add(record.id)
    out: list[Labelled] = []
    for node_id, name in named:
        if any(len(owners[k]) > 1 for k in name_keys(name)):
            continue
        out.append(Labelled(name, node_id, "as listed"))
        words = name.replace(",", " ").split()
        if len(words) > 1:
            out.append(Labelled(" ".join(reversed(words)), node_id, "word order"))
        typo = _typo(name)
        if typo:
            out.append(Labelled(typo, node_id, "one typo"))
        short = _abbreviated(name)
        if short:
            out.append(Labelled(short, node_id, "abbreviated"))
        inside = _typo_inside_long(name)
        if inside:
            out.append(Labelled(inside, node_id, "typo in a long name"))
    rng = random.Random(seed)
    rng.shuffle(out)
    return out[:limit]


def _csv_names(path: Path, column: int, keep: Callable[[list[str]], bool]) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        for row in csv.reader(f):
            if len(row) > column and keep(row):
                yield row[column].strip()


def negatives(view: GraphView, limit: int) -> list[str]:
    """Names from other lists that the store does not hold, plus the traps."""
    found: list[str] = list(TRAPS)
    cons = find_data("ofac-nonsdn-cmic")
    if cons is not None:
        found += _csv_names(cons / "cons_prim.csv", 1, lambda row: row[0].strip().isdigit())
    csl = find_data("csl-us")
    if csl is not None:
        for path in sorted(csl.glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    if "Specially Designated" not in (row.get("source") or ""):
                        found.append((row.get("name") or "").split(";")[0].strip())
    names = [n for n in dict.fromkeys(found) if n and n != "-0-"]
    held = view.find_by_name_key({k for n in names for k in name_keys(n)})
    return [n for n in names if not any(k in held for k in name_keys(n))][:limit]


# ``name_score_us`` times the scorers on the candidates of this many labelled and unheld names.
SCORED_QUERIES = 700
SCORED_UNHELD = 300


@dataclass
class Quality:
    recall: float
    false_rate: float
    p50_us: float
    p99_us: float
    by_variant: dict[str, float]


def quality(
    labelled: list[Labelled], unheld: list[str], top: Callable[[str], str | None]
) -> Quality:
    """Recall@1 over the labelled names, false matches over the unheld ones, per-query cost."""
    times: list[float] = []
    right: dict[str, list[bool]] = {}
    for item in labelled:
        start = time.perf_counter()
        hit = top(item.query)
        times.append((time.perf_counter() - start) * 1e6)
        right.setdefault(item.variant, []).append(hit == item.expected)
    false = 0
    for name in unheld:
        start = time.perf_counter()
        false += top(name) is not None
        times.append((time.perf_counter() - start) * 1e6)
    every = [ok for oks in right.values() for ok in oks]
    return Quality(
        recall=sum(every) / max(len(every), 1),
        false_rate=false / max(len(unheld), 1),
        p50_us=percentile(times, 50),
        p99_us=percentile(times, 99),
        by_variant={v: sum(oks) / len(oks) for v, oks in sorted(right.items())},
    )


def quality_figures(work: Path, quick: bool) -> list[Figure]:
    sdn = find_data("ofac-sdn-legacy")
    if sdn is None:
        return []
    store = open_store(f"sqlite:///{work / 'names-sdn.db'}")
    try:
        load_file(store, sdn / "sdn.csv")
        view = store.view()
        labelled = positives(view, 3000 if quick else 20_000)
        unheld = negatives(view, 2000)

        def current(text: str) -> str | None:
            found = match_name(view, text, limit=1)
            return found[0].id if found else None

        def earlier(text: str) -> str | None:
            found = names_baseline.match_ids(view, text, limit=1)
            return found[0][0] if found else None

        now = quality(labelled, unheld, current)
        before = quality(labelled, unheld, earlier)
        scoring = name_scores.figure(
            view, [item.query for item in labelled[:SCORED_QUERIES]] + unheld[:SCORED_UNHELD]
        )
    finally:
        store.close()
    size = f"{len(labelled)} labelled names of the OFAC SDN list, {len(unheld)} unheld names"
    variants = ", ".join(
        f"{v} {now.by_variant[v]:.3f} (was {before.by_variant.get(v, 0):.3f})"
        for v in now.by_variant
    )
    return [
        Figure(
            "name_recall_at_1",
            now.recall,
            "share",
            "earlier whole-string matcher, same queries",
            before.recall,
            goal=">= 0.985",
            note=f"{size}; by variant: {variants}",
        ),
        Figure(
            "name_false_match_rate",
            now.false_rate,
            "share",
            "earlier whole-string matcher, same queries",
            before.false_rate,
            goal="<= 0.005",
            note=f"{len(unheld)} names the store does not hold (OFAC non-SDN, CSL, traps)",
        ),
        Figure(
            "name_match_p99_sdn",
            now.p99_us,
            "us",
            "earlier whole-string matcher p99",
            before.p99_us,
            note=f"p50 {now.p50_us:.0f} us (earlier {before.p50_us:.0f} us); uncached",
        ),
        scoring,
    ]


# -- a large store of varied synthetic names ------------------------------------------------
_PLACES = [
    "Shenzhen",
    "Hangzhou",
    "Shanghai",
    "Beijing",
    "Guangzhou",
    "Ningbo",
    "Suzhou",
    "Wuhan",
    "Chengdu",
    "Xiamen",
    "Dalian",
    "Qingdao",
    "Tianjin",
    "Nanjing",
    "Hefei",
    "Zhejiang",
    "Jiangsu",
    "Guangdong",
    "Hong",
    "Kong",
    "Taipei",
    "Seoul",
    "Osaka",
    "Singapore",
    "Dubai",
    "Istanbul",
    "Moscow",
    "Tehran",
    "Minsk",
    "Almaty",
    "Karachi",
]
_SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mo",
    "an",
    "vel",
    "ix",
    "or",
    "da",
    "hu",
    "ze",
    "ta",
    "lin",
    "qi",
    "shen",
    "bo",
    "ra",
    "ne",
    "su",
    "li",
    "po",
    "kor",
    "tan",
    "mer",
    "vi",
    "zen",
    "lo",
    "fa",
    "gu",
    "ha",
    "ji",
    "ko",
    "ma",
    "na",
    "pe",
    "si",
    "tu",
    "wa",
    "xe",
    "yo",
]
_TRADES = [
    "Electronics",
    "Technology",
    "Trading",
    "Industrial",
    "Logistics",
    "Shipping",
    "Petroleum",
    "Chemical",
    "Optical",
    "Security",
    "Systems",
    "Machinery",
    "Networks",
    "Semiconductor",
    "Materials",
    "Engineering",
    "Pharmaceutical",
    "Imaging",
    "Telecom",
    "Holdings",
    "Investment",
]
_LEGAL = ("Co., Ltd.", "Limited", "LLC", "Inc.", "JSC", "GmbH", "Corporation", "Group Co., Ltd.")


def _coined(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4)))).title()


def iter_synthetic_names(n: int, seed: int = 11) -> Iterator[str]:
    """``n`` varied company names: a city (mostly), one or two coined words, a trade, a form."""
    rng = random.Random(seed)
    for _ in range(n):
        words = [rng.choice(_PLACES)] if rng.random() < 0.7 else []
        words.append(_coined(rng))
        if rng.random() < 0.3:
            words.append(_coined(rng))
        words.append(rng.choice(_TRADES))
        words.append(rng.choice(_LEGAL))
        yield " ".join(words)


def synthetic_names(n: int, seed: int = 11) -> list[str]:
    return list(iter_synthetic_names(n, seed))


def write_varied_ftm(path: Path, names: list[str], seed: int = 13) -> Path:
    """FtM Company lines for ``names`` (a fifth with an alias, as registries list former
    names), streamed to ``path``."""
    rng = random.Random(seed)
    with path.open("wb") as out:
        for i, name in enumerate(names):
            props: dict[str, list[str]] = {
                "name": [name],
                "country": [rng.choice(COUNTRIES)],
                "registrationNumber": [f"SYN{i:09d}"],
            }
            if rng.random() < 0.2:
                props["alias"] = [f"{_coined(rng)} {rng.choice(_TRADES)} {rng.choice(_LEGAL)}"]
            entity = {"id": f"syn-{i}", "schema": "Company", "properties": props}
            out.write(orjson.dumps(entity | {"datasets": ["bench-synthetic"]}) + b"\n")
    return path


def list_names(seed: int = 14) -> list[str]:
    """Every name and alias of the OFAC SDN and CSL files, one per normalized spelling, in a
    fixed shuffled order (so that any stretch of the list mixes lists and kinds of names)."""
    found: list[str] = []
    sdn = find_data("ofac-sdn-legacy")
    if sdn is not None:
        found += _csv_names(sdn / "sdn.csv", 1, lambda row: row[0].strip().isdigit())
        found += _csv_names(sdn / "alt.csv", 3, lambda row: row[0].strip().isdigit())
    csl = find_data("csl-us")
    if csl is not None:
        for path in sorted(csl.glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    found += (row.get("name") or "").split(";")[:1]
                    found += (row.get("alt_names") or "").split(";")
    spellings: dict[str, str] = {}
    for name in found:
        name = name.strip()
        if name and name != "-0-":
            spellings.setdefault(" ".join(name.casefold().split()), name)
    names = list(spellings.values())
    random.Random(seed).shuffle(names)
    return names


@dataclass
class ColdStore:
    """The large store the cold figures ask: lists, seed and synthetic companies."""

    url: str
    synthetic: list[str]
    listed: list[str]
    build_s: float


def build_cold_store(work: Path, entities: int) -> ColdStore:
    """A store holding the seed, the OFAC SDN and CSL files and ``entities`` synthetic
    companies with varied names (an FtM file), each loaded through the loaders as a user would.
    """
    names = synthetic_names(entities)
    url = f"sqlite:///{work / 'names-large.db'}"
    start = time.perf_counter()
    graph = SupplyGraph.open(url)
    try:
        graph.load_seed()  # the default target and its group, as in any real store
        sdn = find_data("ofac-sdn-legacy")
        if sdn is not None:
            load_file(graph.store, sdn / "sdn.csv")
        csl = find_data("csl-us")
        # The CSL samples are different vintages of one list: the later may be shorter.
        for path in sorted(csl.glob("*.csv")) if csl is not None else []:
            load_file(graph.store, path, allow_shrink=True, allow_older=True)
        ftm_file = write_varied_ftm(work / "varied.ftm.json", names)
        load_file(graph.store, ftm_file, fmt="ftm")
    finally:
        graph.close()
    return ColdStore(url, names, list_names(), time.perf_counter() - start)


def typed_queries(names: list[str], n: int, seed: int = 12) -> list[str]:
    """Distinct queries as people type them: partial, reordered, one typo, or unknown."""
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        words = rng.choice(names).split()
        roll = rng.random()
        if roll < 0.3:
            text = " ".join(words[1:3])  # the city and legal form dropped
        elif roll < 0.5:
            text = " ".join(reversed(words))
        elif roll < 0.7:
            text = _typo(" ".join(words)) or " ".join(words)
        elif roll < 0.85:
            text = " ".join(words)
        else:
            text = f"{rng.choice(_PLACES)} {_coined(rng)} {rng.choice(_TRADES)}"
        out[text] = None
    return list(out)


def _fts_store(path: Path, names: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE names USING fts5(name)")
    conn.executemany("INSERT INTO names(name) VALUES (?)", ((n,) for n in names))
    conn.commit()
    return conn


def _fts_query(text: str) -> str:
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
    return " ".join(f'"{w}"' for w in words) or '""'


def cold_figures(work: Path, cold: ColdStore, queries: int) -> list[Figure]:
    """``resolve_cold_name_p99``: typed names never asked before, next to FTS5 over them."""
    fts = _fts_store(work / "names-fts.db", cold.synthetic + cold.listed)
    graph = SupplyGraph.open(cold.url)
    try:
        asked = typed_queries(cold.synthetic, queries)
        ours: list[float] = []
        resolver = graph.resolver
        for text in asked:
            t0 = time.perf_counter()
            resolver.resolve(Query(name=text))
            ours.append((time.perf_counter() - t0) * 1e3)
        theirs: list[float] = []
        for text in asked:
            t0 = time.perf_counter()
            fts.execute(
                "SELECT rowid FROM names WHERE names MATCH ? ORDER BY rank LIMIT 10",
                (_fts_query(text),),
            ).fetchall()
            theirs.append((time.perf_counter() - t0) * 1e3)
    finally:
        fts.close()
        graph.close()
    return [
        Figure(
            "resolve_cold_name_p99",
            percentile(ours, 99),
            "ms",
            "SQLite FTS5 query over the same names, p99",
            percentile(theirs, 99),
            goal="<= 3x the FTS5 query",
            note=(
                f"{len(cold.synthetic):,} synthetic companies with the OFAC SDN, CSL and seed "
                f"(store built in {cold.build_s:.0f} s), {len(asked):,} distinct typed names; "
                f"p50 {percentile(ours, 50):.2f} ms vs FTS5 {percentile(theirs, 50):.2f} ms; "
                "whole resolve (match, paths, regimes)"
            ),
        )
    ]


def run(work: Path, quick: bool) -> tuple[list[Figure], ColdStore]:
    """The name figures, and the large store (for the HTTP cold-name figure)."""
    figures = quality_figures(work, quick)
    cold = build_cold_store(work, 100_000 if quick else 1_000_000)
    figures += cold_figures(work, cold, 500 if quick else 2000)
    return figures, cold
