"""Briefings: frozen snapshots of the city's figures and what changed between two of them."""
