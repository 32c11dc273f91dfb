"""The domain model: records and their ids, identifiers, MAC blocks, citations, link strength.

Nothing here reads or writes a store; every other part of ``graph/`` builds on these records.
"""
