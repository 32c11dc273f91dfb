"""Every Cypher statement the Cypher store runs, in the subset Neo4j 5 and FalkorDB both accept.

Data statements are shared: ``UNWIND $rows`` batches, ``MERGE`` on indexed keys, ``SET +=`` with
parameter maps, and nothing but parameters for values. Only the schema statements (indexes and
uniqueness constraints) differ by dialect.

The graph layout:

- ``(:Entity {id, kind, name, data})``: one per domain node; ``data`` is the whole record as
  JSON. An edge whose endpoint was never put creates a stub ``(:Entity {id})`` without ``data``,
  which reads skip (the embedded store also keeps such dangling edges).
- ``(:Entity)-[:OWNS {id, data, share, valid_from, valid_to}]->(:Entity)``: one relationship
  type per relation; the dates are ISO text, for the walks' filters by day.
- ``(:Lookup {key, node})``: the lookup tables of the embedded store (name keys, tokens,
  identifiers, the indexed property names of
  ``protocol.INDEXED_PROPERTIES``) as indexed rows; see :func:`lookup_key`.
- ``(:Designation {id, entity_id, list_id, data})``, ``(:LoadEntry {id, dataset, loaded_at,
  data})``, ``(:ChangeSet {id, dataset, loaded_at, data})`` (what a load changed) and one
  ``(:StoreMeta {key: 'generation', value, token, committed, writer, lease_until})``: the
  version, the commit marker and the writer lock.

Loads are versioned, so a load can be written in many small transactions and still become
visible all at once. Every load takes the next sequence number ``seq``; ``StoreMeta.committed``
is the newest committed one, and every read sees the graph as of ``at`` (``committed``, or the
open load's own ``seq`` for the loader's reads):

- a record (entity, relationship, designation, load-log row) has two slots: the committed
  ``data`` and a pending ``p_data`` written by load ``p_seq``. A reader takes ``p_data`` when
  ``p_seq <= at``, else ``data`` (:func:`visible`); ``null`` means absent (a stub, or deleted).
  A load that writes a record again first folds a committed ``p_data`` into ``data``, so the
  slots never need a promotion pass. ``share`` and the dates (relationships) are kept the
  same way.
- a ``Lookup`` row is visible from load ``since`` until load ``until`` (exclusive); a load
  removing one sets ``until``.
- an ``Entity`` created by a load carries ``born``: what a failed load created is found again.

What a failed or killed load wrote (``p_seq``, ``since``, ``born`` or ``until`` above
``committed``) is invisible and is removed by the next writer before it starts
(:data:`CLEANUP`), with the rows a committed load superseded.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from supplygraph.graph.model.records import Relation


class Dialect(StrEnum):
    NEO4J = "neo4j"
    FALKORDB = "falkordb"


ENTITY = "Entity"
LOOKUP = "Lookup"
DESIGNATION = "Designation"
LOAD_ENTRY = "LoadEntry"
STORE_META = "StoreMeta"
CHANGE_SET = "ChangeSet"
LABELS = (ENTITY, LOOKUP, DESIGNATION, LOAD_ENTRY, STORE_META, CHANGE_SET)

# (label, property, unique): what every lookup below is keyed on.
INDEXED: tuple[tuple[str, str, bool], ...] = (
    (ENTITY, "id", True),
    (LOOKUP, "key", False),
    (DESIGNATION, "id", True),
    (DESIGNATION, "entity_id", False),
    (LOAD_ENTRY, "id", True),
    (LOAD_ENTRY, "dataset", False),
    (STORE_META, "key", True),
    (CHANGE_SET, "id", True),
    (CHANGE_SET, "dataset", False),
    # Found again by the clean-up after a failed load (range scans on load numbers).
    (ENTITY, "p_seq", False),
    (ENTITY, "born", False),
    (LOOKUP, "since", False),
    (LOOKUP, "until", False),
    (DESIGNATION, "p_seq", False),
    (LOAD_ENTRY, "p_seq", False),
    (CHANGE_SET, "p_seq", False),
)
# Indexes earlier versions created that no query uses any more: each cost every load a write per
# row (``Lookup.node``: lookups seek by key only). Neo4j drops them on open; on FalkorDB an
# unused index stays until the graph is rebuilt (a load copies it as it is).
RETIRED_NEO4J_INDEXES = ("sg_lookup_node",)

# Relationship properties indexed on every relation type: the id (merges), the load number.
REL_INDEXED = ("id", "p_seq")


def schema_statements(dialect: Dialect) -> list[str]:
    """Index and constraint statements; each is safe to run again on an existing schema.

    FalkorDB has no ``IF NOT EXISTS``: its executor runs only the statements of
    :func:`falkordb_missing_indexes`.
    """
    out: list[str] = []
    for label, prop, unique in INDEXED:
        name = f"sg_{label.lower()}_{prop}"
        if dialect is Dialect.NEO4J:
            if unique:
                out.append(
                    f"CREATE CONSTRAINT {name} IF NOT EXISTS "
                    f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
                )
            else:
                out.append(f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})")
        else:
            # Uniqueness on FalkorDB comes from MERGE under the store's single-writer lock.
            out.append(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})")
    # Edges are looked up by id before a merge: one relationship index per relation type.
    for relation in Relation:
        rel = relation.value
        for prop in REL_INDEXED:
            if dialect is Dialect.NEO4J:
                name = f"sg_rel_{rel.lower()}_{prop}"
                out.append(f"CREATE INDEX {name} IF NOT EXISTS FOR ()-[r:{rel}]-() ON (r.{prop})")
            else:
                out.append(f"CREATE INDEX FOR ()-[r:{rel}]-() ON (r.{prop})")
    return out


# FalkorDB answers this with (label, properties, entity type) rows.
FALKORDB_LIST_INDEXES = (
    "CALL db.indexes() YIELD label, properties, entitytype RETURN label, properties, entitytype"
)


def falkordb_missing_indexes(existing: list[list[Any]]) -> list[str]:
    """The FalkorDB schema statements whose index is not among ``existing`` (db.indexes rows)."""
    have = {(str(label), str(prop)) for label, props, _ in existing for prop in props}
    wanted = [(label, prop) for label, prop, _ in INDEXED]
    wanted += [(relation.value, prop) for relation in Relation for prop in REL_INDEXED]
    statements = schema_statements(Dialect.FALKORDB)
    return [s for key, s in zip(wanted, statements, strict=True) if key not in have]


def lookup_key(table: str, *parts: str) -> str:
    """The ``Lookup.key`` of an entry: table and parts joined by a separator names never hold.

    >>> lookup_key("name", "acme")
    'name\\x1facme'
    """
    return "\x1f".join((table, *parts))


# -- versions ---------------------------------------------------------------------------------

# Opens every read: ``at`` is the load the read sees up to, ``$at`` when given (the loader's own
# reads), else the commit marker. One query reads the marker and the data together.
AT = f"""
OPTIONAL MATCH (sg_meta:{STORE_META} {{key: 'generation'}})
WITH coalesce($at, sg_meta.committed, 0) AS at
"""


def visible(var: str, prop: str = "data") -> str:
    """The value of a two-slot property as of ``at`` (see the module docstring)."""
    return f"CASE WHEN {var}.p_seq <= at THEN {var}.p_{prop} ELSE {var}.{prop} END"


def lookup_visible(var: str) -> str:
    """Whether a ``Lookup`` row is visible as of ``at`` (rows older than versions count as 0)."""
    return f"coalesce({var}.since, 0) <= at AND coalesce({var}.until, at + 1) > at"


def _fold_and_write(var: str, props: tuple[str, ...], values: str) -> str:
    """SET clauses that fold a committed pending slot into the committed one, then write the
    pending slot of load ``$seq`` (``values`` names the map holding the new values)."""
    fold = ", ".join(
        f"{var}.{p} = CASE WHEN fold THEN {var}.p_{p} ELSE {var}.{p} END" for p in props
    )
    write = ", ".join(f"{var}.p_{p} = {values}.{p}" for p in props)
    return f"""
WITH {var}, row, coalesce({var}.p_seq <= $committed, false) AS fold
SET {fold}
SET {write}, {var}.p_seq = $seq
"""


# -- the writer lock and the commit marker ----------------------------------------------------

# Take the writer lock when it is free, expired or already ours: the first SET takes the node's
# write lock on Neo4j, so the check after it reads the latest committed holder (two writers
# cannot both pass). Returns the commit marker when the lock was taken, no row otherwise.
ACQUIRE_WRITER = f"""
MERGE (m:{STORE_META} {{key: 'generation'}})
ON CREATE SET m.value = 0, m.committed = 0
SET m.probe = $token
WITH m, timestamp() AS now
WHERE m.writer IS NULL OR m.lease_until < now OR m.writer = $token
SET m.writer = $token, m.lease_until = now + $lease
RETURN coalesce(m.committed, 0)
"""

# Opens every batch of a load: renews the lease, and returns no row once the lock is lost
# (another writer took it over after the lease ran out), so nothing of the batch is written.
RENEW_WRITER = f"""
MATCH (m:{STORE_META} {{key: 'generation'}})
WHERE m.writer = $token
SET m.lease_until = timestamp() + $lease
RETURN m.committed
"""

# The load becomes visible: one small transaction moves the commit marker to its number.
COMMIT_LOAD = f"""
MATCH (m:{STORE_META} {{key: 'generation'}})
WHERE m.writer = $token
SET m.committed = $seq, m.value = coalesce(m.value, 0) + 1, m.token = $version,
    m.writer = null, m.lease_until = null
RETURN m.committed
"""

RELEASE_WRITER = f"""
MATCH (m:{STORE_META} {{key: 'generation'}})
WHERE m.writer = $token
SET m.writer = null, m.lease_until = null
RETURN m.committed
"""

# Whether a writer holds a lease now (the store checks before cleaning up on open).
WRITER_BUSY = f"""
MATCH (m:{STORE_META} {{key: 'generation'}})
RETURN m.writer IS NOT NULL AND m.lease_until >= timestamp()
"""

# Relationship properties kept in two slots: the record, and what queries filter on (validity
# dates as ISO text, which orders as the dates do).
EDGE_VERSIONED = ("data", "share", "valid_from", "valid_to")

# -- writes (run inside a load: $seq is its number, $committed the marker it started from) ----

# The node's new lookup rows (``row.add``) are created in the same statement: one round trip
# and one pass over the batch instead of two.
UPSERT_NODES = f"""
UNWIND $rows AS row
MERGE (n:{ENTITY} {{id: row.id}})
ON CREATE SET n.born = $seq
SET n += row.props
{_fold_and_write("n", ("data",), "row")}
FOREACH (k IN row.add | CREATE (:{LOOKUP} {{key: k, node: row.id, since: $seq}}))
"""

REMOVE_LOOKUPS = f"""
UNWIND $rows AS row
MATCH (x:{LOOKUP} {{key: row.key}})
WHERE x.node = row.node AND x.until IS NULL
SET x.until = $seq
"""


# An edge batch's two ends: found, or created as stubs (a record may name a node never put).
EDGE_ENDS = f"""
UNWIND $rows AS row
MERGE (a:{ENTITY} {{id: row.src}})
ON CREATE SET a.born = $seq
MERGE (b:{ENTITY} {{id: row.dst}})
ON CREATE SET b.born = $seq"""


def upsert_edges(relation: Relation) -> str:
    """MERGE edges of one relation; the type comes from the enum, never from input."""
    rel = Relation(relation).value
    return f"""{EDGE_ENDS}
MERGE (a)-[r:{rel} {{id: row.id}}]->(b)
{_fold_and_write("r", EDGE_VERSIONED, "row")}"""


def create_edges(relation: Relation) -> str:
    """Create edges of one relation that the store does not hold (the writer read their ids
    back and found none, under the single-writer lock): no MERGE of the relationship, which
    would read every edge between its two ends first (all of a hub's, for a fund with
    thousands of holdings). What the new edge holds is what :func:`upsert_edges` leaves on an
    edge it creates: the pending slot only."""
    rel = Relation(relation).value
    pending = ", ".join(f"p_{p}: row.{p}" for p in EDGE_VERSIONED)
    return f"""{EDGE_ENDS}
CREATE (a)-[:{rel} {{id: row.id, {pending}, p_seq: $seq}}]->(b)"""


UPSERT_DESIGNATIONS = f"""
UNWIND $rows AS row
MERGE (d:{DESIGNATION} {{id: row.id}})
SET d += row.props
{_fold_and_write("d", ("data",), "row")}"""

# A deletion is a pending empty slot: readers stop seeing the designation at commit.
DELETE_DESIGNATIONS = f"""
UNWIND $ids AS i
MATCH (d:{DESIGNATION} {{id: i}})
WITH d, {{data: null}} AS row
{_fold_and_write("d", ("data",), "row")}"""

UPSERT_LOADS = f"""
UNWIND $rows AS row
MERGE (l:{LOAD_ENTRY} {{id: row.id}})
SET l += row.props
{_fold_and_write("l", ("data",), "row")}"""

UPSERT_CHANGES = f"""
UNWIND $rows AS row
MERGE (c:{CHANGE_SET} {{id: row.id}})
SET c += row.props
{_fold_and_write("c", ("data",), "row")}"""


def delete_some(label: str) -> str:
    """Delete up to ``$limit`` nodes of a store label (with their relationships)."""
    if label not in LABELS:
        raise ValueError(f"not a store label: {label!r}")
    return f"""
MATCH (n:{label})
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*)
"""


# -- clean-up: what failed loads left, and what committed loads superseded ---------------------

VERSIONED_LABELS = (ENTITY, DESIGNATION, LOAD_ENTRY, CHANGE_SET)


def _cleanup_statements() -> list[str]:
    """Statements that each remove or reset up to ``$limit`` leftovers and return how many;
    the writer runs each until it returns 0, every run its own small transaction."""
    out = [
        # Entities a failed load created go with their relationships (all from that load too).
        f"""
MATCH (n:{ENTITY}) WHERE n.born > $committed
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*)
"""
    ]
    for label in VERSIONED_LABELS:
        # A node a failed load created has no committed slot: it goes (entity stubs are kept,
        # the statement above removed those the failed load created).
        drop = "" if label == ENTITY else "WITH n WHERE n.data IS NULL\nDETACH DELETE n\n"
        out.append(f"""
MATCH (n:{label}) WHERE n.p_seq > $committed
WITH n LIMIT $limit
SET n.p_data = null, n.p_seq = null
{drop}RETURN count(*)
""")
    for relation in Relation:
        slots = ", ".join(f"r.p_{p} = null" for p in EDGE_VERSIONED)
        out.append(f"""
MATCH ()-[r:{relation.value}]->() WHERE r.p_seq > $committed
WITH r LIMIT $limit
SET {slots}, r.p_seq = null
WITH r WHERE r.data IS NULL
DELETE r
RETURN count(*)
""")
    out += [
        f"""
MATCH (x:{LOOKUP}) WHERE x.since > $committed
WITH x LIMIT $limit
DELETE x
RETURN count(*)
""",
        f"""
MATCH (x:{LOOKUP}) WHERE x.until > $committed
WITH x LIMIT $limit
SET x.until = null
RETURN count(*)
""",
        # Superseded by a committed load: invisible to every reader from then on.
        f"""
MATCH (x:{LOOKUP}) WHERE x.until <= $committed
WITH x LIMIT $limit
DELETE x
RETURN count(*)
""",
        # Deleted designations whose deletion committed.
        f"""
MATCH (d:{DESIGNATION}) WHERE d.p_seq <= $committed AND d.p_data IS NULL
WITH d LIMIT $limit
DETACH DELETE d
RETURN count(*)
""",
    ]
    return out


CLEANUP = tuple(_cleanup_statements())

# Counts of whatever loads left above the commit marker: empty unless a load is open or one
# failed and no writer has cleaned up since (the tests check it).
LEFTOVERS = tuple(
    f"""
MATCH (m:{STORE_META} {{key: 'generation'}})
MATCH {pattern} WHERE {condition}
RETURN count(*)
"""
    for pattern, condition in (
        (f"(n:{ENTITY})", "n.born > m.committed OR n.p_seq > m.committed"),
        (f"(n:{LOOKUP})", "n.since > m.committed OR n.until > m.committed"),
        (f"(n:{DESIGNATION})", "n.p_seq > m.committed"),
        (f"(n:{LOAD_ENTRY})", "n.p_seq > m.committed"),
        (f"(n:{CHANGE_SET})", "n.p_seq > m.committed"),
        (f"(:{ENTITY})-[n]->(:{ENTITY})", "n.p_seq > m.committed"),
    )
)


# -- reads (each opens with AT) ---------------------------------------------------------------

GENERATION = f"MATCH (m:{STORE_META} {{key: 'generation'}}) RETURN m.committed, m.token"

NODES = f"""{AT}
UNWIND $ids AS i
MATCH (n:{ENTITY} {{id: i}})
WITH n, {visible("n")} AS data
WHERE data IS NOT NULL
RETURN n.id, data
"""

EDGES_OUT = f"""{AT}
UNWIND $ids AS i
MATCH (:{ENTITY} {{id: i}})-[r]->(:{ENTITY})
WHERE type(r) IN $relations
WITH r, {visible("r")} AS data
WHERE data IS NOT NULL
RETURN r.id, data
"""

EDGES_IN = f"""{AT}
UNWIND $ids AS i
MATCH (:{ENTITY} {{id: i}})<-[r]-(:{ENTITY})
WHERE type(r) IN $relations
WITH r, {visible("r")} AS data
WHERE data IS NOT NULL
RETURN r.id, data
"""


def existing_edges(relation: Relation) -> str:
    """The stored version of edges about to be written, through the relation's id index."""
    rel = Relation(relation).value
    return f"""{AT}
UNWIND $ids AS i
MATCH ()-[r:{rel} {{id: i}}]->()
WITH r, {visible("r")} AS data
WHERE data IS NOT NULL
RETURN r.id, data
"""


EDGES_BOTH = f"""{AT}
UNWIND $ids AS i
MATCH (:{ENTITY} {{id: i}})-[r]-(:{ENTITY})
WHERE type(r) IN $relations
WITH DISTINCT r, at
WITH r, {visible("r")} AS data
WHERE data IS NOT NULL
RETURN r.id, data
"""

# A walk step: the relations it follows and the way it follows them ("in", "out", "both").
Step = tuple[str, list[Relation]]
_ARROWS = {"in": ("<-", "-"), "out": ("-", "->"), "both": ("-", "-")}


def _types(relations: list[Relation]) -> str:
    return "|".join(Relation(r).value for r in sorted(relations))


def _in_force(var: str) -> str:
    """Whether the visible version of edge ``var`` is in force on ``$day`` (always, when
    ``$day`` is null). An edge written before its dates were kept as properties has none, and
    counts as in force: the walk checks the record's own dates anyway."""
    since, until = visible(var, "valid_from"), visible(var, "valid_to")
    return f"coalesce({since} <= $day, true) AND coalesce({until} > $day, true)"


def _edge_rows(with_nodes: bool) -> str:
    """The end of a neighbourhood query: one row per visible edge ``r`` in force on ``$day``
    (id, record).

    ``with_nodes`` returns instead one row holding those edges (as [id, record] pairs) and the
    nodes at their ends, each once (as [id, visible record or ``null`` for a stub]), so that a
    walk needs no second read for the nodes it reached; a hub met on every edge of a wide
    neighbourhood is sent once, not once per edge. ``$limit`` counts edges either way; an
    empty neighbourhood gives no row."""
    kept = f"""WITH DISTINCT r, at
WITH r, at, {visible("r")} AS data
WHERE data IS NOT NULL AND {_in_force("r")}
"""
    if not with_nodes:
        return f"""{kept}RETURN r.id, data
LIMIT $limit
"""
    return f"""{kept}WITH r, at, data
LIMIT $limit
WITH at, collect([r.id, data]) AS edges,
     collect(DISTINCT startNode(r)) + collect(DISTINCT endNode(r)) AS ends
RETURN edges, [n IN ends | [n.id, {visible("n")}]]
"""


def edges_within(
    relations: list[Relation], direction: str, hops: int, with_nodes: bool = False
) -> str:
    """Every visible edge of ``relations`` a walk of ``hops`` levels from ``$ids`` could read,
    in one query: a variable-length pattern finds the nodes within ``hops - 1`` steps (any
    version: a superset, the walk drops what it cannot use), then their edges as of ``at``
    (and their ends, see :func:`_edge_rows`).
    Types come from the enum and the bound is a whole number, never input text."""
    if hops < 1:
        raise ValueError("hops must be at least 1")
    types = _types(relations)
    left, right = _ARROWS[direction]
    return f"""{AT}
UNWIND $ids AS i
MATCH (:{ENTITY} {{id: i}}){left}[:{types}*0..{hops - 1}]{right}(x:{ENTITY})
WITH DISTINCT x, at
MATCH (x){left}[r:{types}]{right}(:{ENTITY})
{_edge_rows(with_nodes)}"""


def _follows(step: Step) -> str:
    """Whether relationship ``w``, met at node ``a``, is one the step walks (Neo4j only: it
    needs a quantified path pattern)."""
    direction, relations = step
    types = ", ".join(f"'{Relation(r).value}'" for r in sorted(relations))
    side = {"in": " AND endNode(w) = a", "out": " AND startNode(w) = a", "both": ""}[direction]
    return f"(type(w) IN [{types}]{side})"


def edges_along(steps: list[Step], hops: int, with_nodes: bool = False) -> str:
    """:func:`edges_within` for a walk whose steps follow some relations one way and others
    the other way (upward: owners in, models out), in one Neo4j query.

    The quantified path pattern's condition names the node the step starts from, so Neo4j
    plans it as a pruning breadth-first expansion that checks each relationship as it goes (a
    plain reachability search, linear in what it reaches). Under ``SHORTEST`` the same pattern
    enumerates paths instead, which grows with the depth."""
    if hops < 1:
        raise ValueError("hops must be at least 1")
    everything = sorted({r for _, rels in steps for r in rels})
    if hops == 1:
        reach = f"MATCH (x:{ENTITY} {{id: i}})"
    else:
        follows = " OR ".join(_follows(s) for s in steps)
        reach = (
            f"MATCH (:{ENTITY} {{id: i}}) ((a:{ENTITY})-[w:{_types(everything)}]-(b:{ENTITY})"
            f" WHERE {follows}){{0,{hops - 1}}} (x:{ENTITY})"
        )
    gathered: list[str] = []
    lists: list[str] = []
    for n, (direction, relations) in enumerate(steps):
        left, right = _ARROWS[direction]
        carried = ", ".join(["x", "at", *lists])
        gathered.append(
            f"OPTIONAL MATCH (x){left}[r{n}:{_types(relations)}]{right}(:{ENTITY})\n"
            f"WITH {carried}, collect(r{n}) AS e{n}"
        )
        lists.append(f"e{n}")
    newline = "\n"
    return f"""{AT}
UNWIND $ids AS i
{reach}
WITH DISTINCT x, at
{newline.join(gathered)}
UNWIND {" + ".join(lists)} AS r
{_edge_rows(with_nodes)}"""


LOOKUP_NODES = f"""{AT}
UNWIND $keys AS k
MATCH (x:{LOOKUP} {{key: k}})
WHERE {lookup_visible("x")}
RETURN k, x.node
"""


def prefix_range(prefix: str) -> dict[str, str]:
    """Parameters ``$prefix`` and ``$below`` bounding every string that starts with ``prefix``.

    ``STARTS WITH`` alone makes FalkorDB scan every ``Lookup`` node; a range on the indexed key
    is an index seek on both servers, and ``STARTS WITH`` then keeps the exact matches. The
    upper bound raises the last character that orders the same in code points and in UTF-16
    (surrogates, U+FFFF and U+10FFFF are stepped over), so no match falls outside the range
    whichever order a server compares strings in.

    >>> prefix_range("hik")
    {'prefix': 'hik', 'below': 'hil'}
    >>> prefix_range("a\uffff")["below"]
    'b'
    """
    stem = prefix
    while stem and not _steps_safely(stem[-1]):
        stem = stem[:-1]
    if not stem:
        raise ValueError(f"no range bounds the prefix {prefix!r}")
    return {"prefix": prefix, "below": stem[:-1] + chr(ord(stem[-1]) + 1)}


def _steps_safely(char: str) -> bool:
    code = ord(char)
    return code < 0xD7FF or 0xE000 <= code < 0xFFFF or 0x10000 <= code < 0x10FFFF


# Identifier lookup keys that start with a prefix (the MAC sub-block schemes); parameters from
# prefix_range.
LOOKUP_KEYS_STARTING = f"""{AT}
MATCH (x:{LOOKUP})
WHERE x.key >= $prefix AND x.key < $below AND x.key STARTS WITH $prefix AND {lookup_visible("x")}
RETURN DISTINCT x.key
"""

# At most $limit distinct lookup keys that start with a prefix, in key order (the words a typo
# is compared with); parameters from prefix_range, and $limit.
LOOKUP_KEYS_STARTING_LIMITED = f"""{AT}
MATCH (x:{LOOKUP})
WHERE x.key >= $prefix AND x.key < $below AND x.key STARTS WITH $prefix AND {lookup_visible("x")}
WITH DISTINCT x.key AS key
RETURN key
ORDER BY key
LIMIT $limit
"""

# Node ids of the lookup keys that start with a prefix, in key order; parameters from
# prefix_range, and $limit.
LOOKUP_PREFIX_NODES = f"""{AT}
MATCH (x:{LOOKUP})
WHERE x.key >= $prefix AND x.key < $below AND x.key STARTS WITH $prefix AND {lookup_visible("x")}
RETURN x.key, x.node
ORDER BY x.key, x.node
LIMIT $limit
"""

# At most $limit node ids per key, the smallest first (as the embedded store's index gives them).
LOOKUP_NODES_LIMITED = f"""{AT}
UNWIND $keys AS k
MATCH (x:{LOOKUP} {{key: k}})
WHERE {lookup_visible("x")}
WITH k, x.node AS node
ORDER BY node
WITH k, collect(node) AS nodes
RETURN k, nodes[..$limit]
"""


DESIGNATIONS = f"""{AT}
UNWIND $ids AS i
MATCH (d:{DESIGNATION} {{entity_id: i}})
WITH d, {visible("d")} AS data
WHERE data IS NOT NULL
RETURN d.entity_id, d.id, data
"""

EXISTING_DESIGNATIONS = f"""{AT}
UNWIND $ids AS i
MATCH (d:{DESIGNATION} {{id: i}})
WITH d, {visible("d")} AS data
WHERE data IS NOT NULL
RETURN d.id, data
"""

COUNT_NODES = f"""{AT}
MATCH (n:{ENTITY})
WHERE {visible("n")} IS NOT NULL
RETURN count(n)
"""
COUNT_EDGES = f"""{AT}
MATCH (:{ENTITY})-[r]->(:{ENTITY})
WHERE {visible("r")} IS NOT NULL
RETURN count(r)
"""
COUNT_DESIGNATIONS = f"""{AT}
MATCH (d:{DESIGNATION})
WHERE {visible("d")} IS NOT NULL
RETURN count(d)
"""

LOADS = f"""{AT}
MATCH (l:{LOAD_ENTRY})
WITH l, {visible("l")} AS data
WHERE data IS NOT NULL
RETURN l.id, l.loaded_at, data
"""
LOADS_OF_DATASET = f"""{AT}
MATCH (l:{LOAD_ENTRY} {{dataset: $dataset}})
WITH l, {visible("l")} AS data
WHERE data IS NOT NULL
RETURN l.id, l.loaded_at, data
"""
# ``loaded_at`` is kept as sortable UTC text, so a range is a string comparison.
CHANGES_SINCE = f"""{AT}
MATCH (c:{CHANGE_SET})
WHERE c.loaded_at >= $since
WITH c, {visible("c")} AS data
WHERE data IS NOT NULL
RETURN c.id, c.loaded_at, c.dataset, data
"""
CHANGES_OF_DATASET_SINCE = f"""{AT}
MATCH (c:{CHANGE_SET} {{dataset: $dataset}})
WHERE c.loaded_at >= $since
WITH c, {visible("c")} AS data
WHERE data IS NOT NULL
RETURN c.id, c.loaded_at, c.dataset, data
"""

# For iter_records: ids first (small), then records in batches through the id index. Keyset
# pages (WHERE id > $after ORDER BY id LIMIT n) would sort the rest of the graph on every page
# in FalkorDB. Stubs count (an edge may dangle), but not what an open load created.
ENTITY_IDS = f"""{AT}
MATCH (n:{ENTITY})
WHERE coalesce(n.born, 0) <= at
RETURN n.id
"""
DESIGNATION_IDS = f"""{AT}
MATCH (d:{DESIGNATION})
WHERE {visible("d")} IS NOT NULL
RETURN d.id
"""
