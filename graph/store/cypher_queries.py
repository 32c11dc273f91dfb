"""Every Cypher statement the Cypher store runs, in the subset Neo4j 5 and FalkorDB both accept.

Data statements are shared: ``UNWIND $rows`` batches, ``MERGE`` on indexed keys, ``SET +=`` with
parameter maps, and nothing but parameters for values. Only the schema statements (indexes and
uniqueness constraints) differ by dialect.

The graph layout:

- ``(:Entity {id, kind, name, data})``: one per domain node; ``data`` is the whole record as
  JSON. An edge whose endpoint was never put creates a stub ``(:Entity {id})`` without ``data``,
  which reads skip (the embedded store also keeps such dangling edges).
- ``(:Entity)-[:OWNS {id, data, share}]->(:Entity)``: one relationship type per relation.
- ``(:Lookup {key, node})``: the lookup tables of the embedded store (name keys, tokens,
  identifiers, property names) as indexed rows; see :func:`lookup_key`.
- ``(:Designation {id, entity_id, list_id, data})``, ``(:LoadEntry {id, dataset, loaded_at,
  data})``, ``(:ChangeSet {id, dataset, loaded_at, data})`` (what a load changed) and one
  ``(:StoreMeta {key: 'generation', value, token})`` for :meth:`version`.
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
    (LOOKUP, "node", False),
    (DESIGNATION, "id", True),
    (DESIGNATION, "entity_id", False),
    (LOAD_ENTRY, "id", True),
    (LOAD_ENTRY, "dataset", False),
    (STORE_META, "key", True),
    (CHANGE_SET, "id", True),
    (CHANGE_SET, "dataset", False),
)


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
        if dialect is Dialect.NEO4J:
            name = f"sg_rel_{rel.lower()}_id"
            out.append(f"CREATE INDEX {name} IF NOT EXISTS FOR ()-[r:{rel}]-() ON (r.id)")
        else:
            out.append(f"CREATE INDEX FOR ()-[r:{rel}]-() ON (r.id)")
    return out


# FalkorDB answers this with (label, properties, entity type) rows.
FALKORDB_LIST_INDEXES = (
    "CALL db.indexes() YIELD label, properties, entitytype RETURN label, properties, entitytype"
)


def falkordb_missing_indexes(existing: list[list[Any]]) -> list[str]:
    """The FalkorDB schema statements whose index is not among ``existing`` (db.indexes rows)."""
    have = {(str(label), str(prop)) for label, props, _ in existing for prop in props}
    wanted = [(label, prop) for label, prop, _ in INDEXED]
    wanted += [(relation.value, "id") for relation in Relation]
    statements = schema_statements(Dialect.FALKORDB)
    return [s for key, s in zip(wanted, statements, strict=True) if key not in have]


def lookup_key(table: str, *parts: str) -> str:
    """The ``Lookup.key`` of an entry: table and parts joined by a separator names never hold.

    >>> lookup_key("name", "acme")
    'name\\x1facme'
    """
    return "\x1f".join((table, *parts))


# -- writes -----------------------------------------------------------------------------------

# Run first in every write transaction: on Neo4j the write lock on this node serializes writers,
# and the bumped generation becomes visible together with the data. The random token makes
# every committed write's version unique, even after the store was cleared or a write failed.
BUMP_GENERATION = f"""
MERGE (m:{STORE_META} {{key: 'generation'}})
ON CREATE SET m.value = 0
SET m.value = m.value + 1, m.token = $token
RETURN m.value, m.token
"""

UPSERT_NODES = f"""
UNWIND $rows AS row
MERGE (n:{ENTITY} {{id: row.id}})
SET n += row.props
"""

ADD_LOOKUPS = f"""
UNWIND $rows AS row
CREATE (:{LOOKUP} {{key: row.key, node: row.node}})
"""

REMOVE_LOOKUPS = f"""
UNWIND $rows AS row
MATCH (x:{LOOKUP} {{key: row.key}})
WHERE x.node = row.node
DELETE x
"""


def upsert_edges(relation: Relation) -> str:
    """MERGE edges of one relation; the type comes from the enum, never from input."""
    rel = Relation(relation).value
    return f"""
UNWIND $rows AS row
MERGE (a:{ENTITY} {{id: row.src}})
MERGE (b:{ENTITY} {{id: row.dst}})
MERGE (a)-[r:{rel} {{id: row.id}}]->(b)
SET r += row.props
"""


UPSERT_DESIGNATIONS = f"""
UNWIND $rows AS row
MERGE (d:{DESIGNATION} {{id: row.id}})
SET d += row.props
"""

DELETE_DESIGNATIONS = f"""
UNWIND $ids AS i
MATCH (d:{DESIGNATION} {{id: i}})
DELETE d
"""

UPSERT_LOADS = f"""
UNWIND $rows AS row
MERGE (l:{LOAD_ENTRY} {{id: row.id}})
SET l += row.props
"""

UPSERT_CHANGES = f"""
UNWIND $rows AS row
MERGE (c:{CHANGE_SET} {{id: row.id}})
SET c += row.props
"""


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


# -- reads ------------------------------------------------------------------------------------

GENERATION = f"MATCH (m:{STORE_META} {{key: 'generation'}}) RETURN m.value, m.token"

NODES = f"""
UNWIND $ids AS i
MATCH (n:{ENTITY} {{id: i}})
WHERE n.data IS NOT NULL
RETURN n.id, n.data
"""

EDGES_OUT = f"""
UNWIND $ids AS i
MATCH (:{ENTITY} {{id: i}})-[r]->(:{ENTITY})
WHERE type(r) IN $relations
RETURN r.id, r.data
"""

EDGES_IN = f"""
UNWIND $ids AS i
MATCH (:{ENTITY} {{id: i}})<-[r]-(:{ENTITY})
WHERE type(r) IN $relations
RETURN r.id, r.data
"""


def existing_edges(relation: Relation) -> str:
    """The stored version of edges about to be written, through the relation's id index."""
    rel = Relation(relation).value
    return f"""
UNWIND $ids AS i
MATCH ()-[r:{rel} {{id: i}}]->()
RETURN r.id, r.data
"""


LOOKUP_NODES = f"""
UNWIND $keys AS k
MATCH (x:{LOOKUP} {{key: k}})
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
LOOKUP_KEYS_STARTING = f"""
MATCH (x:{LOOKUP})
WHERE x.key >= $prefix AND x.key < $below AND x.key STARTS WITH $prefix
RETURN DISTINCT x.key
"""

# At most $limit distinct lookup keys that start with a prefix, in key order (the words a typo
# is compared with); parameters from prefix_range, and $limit.
LOOKUP_KEYS_STARTING_LIMITED = f"""
MATCH (x:{LOOKUP})
WHERE x.key >= $prefix AND x.key < $below AND x.key STARTS WITH $prefix
WITH DISTINCT x.key AS key
RETURN key
ORDER BY key
LIMIT $limit
"""

# Node ids of the lookup keys that start with a prefix, in key order; parameters from
# prefix_range, and $limit.
LOOKUP_PREFIX_NODES = f"""
MATCH (x:{LOOKUP})
WHERE x.key >= $prefix AND x.key < $below AND x.key STARTS WITH $prefix
RETURN x.key, x.node
ORDER BY x.key, x.node
LIMIT $limit
"""

# At most $limit node ids per key, the smallest first (as the embedded store's index gives them).
LOOKUP_NODES_LIMITED = f"""
UNWIND $keys AS k
MATCH (x:{LOOKUP} {{key: k}})
WITH k, x.node AS node
ORDER BY node
WITH k, collect(node) AS nodes
RETURN k, nodes[..$limit]
"""


DESIGNATIONS = f"""
UNWIND $ids AS i
MATCH (d:{DESIGNATION} {{entity_id: i}})
RETURN d.entity_id, d.id, d.data
"""

EXISTING_DESIGNATIONS = f"""
UNWIND $ids AS i
MATCH (d:{DESIGNATION} {{id: i}})
RETURN d.id, d.data
"""

COUNT_NODES = f"MATCH (n:{ENTITY}) WHERE n.data IS NOT NULL RETURN count(n)"
COUNT_EDGES = f"MATCH (:{ENTITY})-[r]->(:{ENTITY}) RETURN count(r)"
COUNT_DESIGNATIONS = f"MATCH (d:{DESIGNATION}) RETURN count(d)"

LOADS = f"MATCH (l:{LOAD_ENTRY}) RETURN l.id, l.loaded_at, l.data"
LOADS_OF_DATASET = f"MATCH (l:{LOAD_ENTRY} {{dataset: $dataset}}) RETURN l.id, l.loaded_at, l.data"
# ``loaded_at`` is kept as sortable UTC text, so a range is a string comparison.
CHANGES_SINCE = (
    f"MATCH (c:{CHANGE_SET}) WHERE c.loaded_at >= $since "
    "RETURN c.id, c.loaded_at, c.dataset, c.data"
)
CHANGES_OF_DATASET_SINCE = (
    f"MATCH (c:{CHANGE_SET} {{dataset: $dataset}}) WHERE c.loaded_at >= $since "
    "RETURN c.id, c.loaded_at, c.dataset, c.data"
)

# For iter_records: ids first (small), then records in batches through the id index. Keyset
# pages (WHERE id > $after ORDER BY id LIMIT n) would sort the rest of the graph on every page
# in FalkorDB.
ENTITY_IDS = f"MATCH (n:{ENTITY}) RETURN n.id"
DESIGNATION_IDS = f"MATCH (d:{DESIGNATION}) RETURN d.id"
