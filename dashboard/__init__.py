"""CCHC Pulse: a live operations dashboard for Ho Chi Minh City's administrative reform."""

from __future__ import annotations

__version__ = "0.1.0"
