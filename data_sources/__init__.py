"""Everything that knows the outside databases: schema profiles, source adapters, the demo simulator.

Nothing here writes to the central store; `dashboard.ingest` does that with what these modules read.
"""
