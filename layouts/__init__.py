"""Pure builders: components and figures from plain data; no database, no callbacks, no globals."""
