"""Domain model, store protocol and backends, resolution and ownership engines."""
