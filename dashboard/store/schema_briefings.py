"""The briefings' tables: frozen snapshots and the requests for them, scheduled packs and their mail outbox — on
the store's one metadata (`dashboard.store.schema`, which imports this module)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text, UniqueConstraint

from dashboard.store.schema import UTCDateTime, metadata

# Frozen snapshots (data, never recomputed) and the requests the one writer carries out.
snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),  # sha256 of the canonical JSON body
    Column("period", String(32), nullable=False),
    Column("as_of", UTCDateTime, nullable=False),
    Column("data_version", Integer, nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("body", Text, nullable=False),  # the canonical JSON (sorted keys), exactly what was hashed
)
Index("ix_snapshots_as_of", snapshots.c.as_of)
snapshot_requests = Table(
    "snapshot_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("period", String(32), nullable=False),
    Column("as_of", UTCDateTime),  # None: when the writer carries it out
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("done_at", UTCDateTime),
    Column("snapshot_id", Integer),
    Column("error", Text),
)
Index("ix_snapshot_requests_pending", snapshot_requests.c.done_at)
# A scheduled pack: one row per (pack, period) — the unique key is what makes it exactly once, however often the
# writer restarts or looks; `snapshot_id` stays NULL while it is being made (a writer that died making it
# leaves it for the next one).
packs = Table(
    "packs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pack", String(40), nullable=False),  # e.g. weekly
    Column("period_key", String(40), nullable=False),  # the period's first day, e.g. 2026-11-23 for a week
    Column("period", String(32), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("made_at", UTCDateTime),
    Column("snapshot_id", Integer),
    UniqueConstraint("pack", "period_key"),
)
# Each mail of a pack, once per recipient; sent once, retried with back-off on failure.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pack_id", Integer, nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("message_id", String(200), nullable=False),  # the same on every attempt: a receiver drops a repeat
    Column("created_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
    UniqueConstraint("pack_id", "recipient"),
)
Index("ix_outbox_pending", outbox.c.sent_at, outbox.c.next_attempt_at)
# The wall's alerts as the one writer observed them: when each began (first seen), until when, how bad at worst.
# An alert is open while `closed_at` is null; one open row per (kind, unit, source) at most.
alert_ledger = Table(
    "alert_ledger",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("unit_key", String(64), nullable=False),
    Column("source", String(64), nullable=False),  # "" for an alert about a unit, not a source
    Column("severity", String(8), nullable=False),  # now: warn or alarm
    Column("worst", String(8), nullable=False),  # the worst it has been
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
)
Index("ix_alert_ledger_open", alert_ledger.c.closed_at, alert_ledger.c.kind, alert_ledger.c.unit_key)
