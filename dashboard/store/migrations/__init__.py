"""Alembic migrations of the central store; `Store.migrate()` runs them."""
