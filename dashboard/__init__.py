"""CCHC Pulse: a live operations dashboard for Ho Chi Minh City's administrative reform (cải cách hành chính).

Folders follow the data path — core → store → ingest → metrics → pages → web — and each imports only what lies
upstream of it; `cli.py`, `services.py` and `demo.py` wire them together.
"""

from __future__ import annotations

__version__ = "0.1.0"
