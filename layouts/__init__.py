"""Pure builders: components and figures from plain data; no database, no callbacks, no globals.

May import `dashboard.core` and `dashboard.metrics`; page models (`dashboard.pages`) only as types, never the store.
"""
