"""Stores: the protocol, the embedded SQLite store, the Cypher store (Neo4j, FalkorDB), and what
writes into any of them (merging, batches, migration)."""
