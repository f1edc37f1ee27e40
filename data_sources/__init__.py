"""Everything that knows the outside databases: schema profiles, the incremental reader, row mapping, the demo.

Imports only `dashboard.core`; nothing here writes to the central store (`dashboard.ingest` does).
"""
