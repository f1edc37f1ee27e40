"""The central store's tables (SQLAlchemy Core): the one description of our database the code reads and writes.

The tables are created and evolved only by the Alembic migrations in `dashboard/store/migrations/`; this
module is the one description the code reads and writes through (the coded columns' values are
`dashboard.core.vocabulary`). Timestamps are `UTCDateTime`: stored in UTC and
always handed back time-zone aware.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.sql import true

from dashboard.core.rules import open_sql
from dashboard.core.sqltypes import UTCDateTime  # (the migrations name it dashboard.store.schema.UTCDateTime)

metadata: MetaData = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

units = Table(
    "units",
    metadata,
    Column("key", String(64), primary_key=True),  # stable over time: quan-2 and tp-thu-duc share code 769
    Column("code", String(32), nullable=False),  # GSO code for districts and wards, slug for departments
    Column("kind", String(24), nullable=False),  # city, district, department, central_agency, ward
    Column("name_vi", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("short_name_vi", String(100), nullable=False),
    Column("parent_key", String(64)),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("lat", Float),
    Column("lon", Float),
    Column("ranked", Boolean, nullable=False, default=True),
    Column("former_province", String(16)),  # the province(s) a 2025 unit came from: 79, 74 (Bình Dương), 77 (BR–VT)
    Column("predecessors", Text),  # what it was formed from: keys or old codes; "~" marks a unit merged in part
    Column("origin", Text),  # the old districts it came from, as "province:district" GSO codes
    Column("aliases", Text),  # other codes it is written under (another official list's code for it), ";"-separated
)

procedures = Table(
    "procedures",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name_vi", String(300), nullable=False),
    Column("name_en", String(300), nullable=False),
    Column("field_vi", String(120), nullable=False),
    Column("field_en", String(120), nullable=False),
    Column("level", String(24), nullable=False),  # district or department
    Column("statutory_time", Float, nullable=False),
    Column("statutory_unit", String(8), nullable=False),  # day (working days) or hour (office hours)
    Column("online_type", String(16), nullable=False),  # none, partial, full
)

dossiers = Table(
    "dossiers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("native_code", String(100), nullable=False),
    Column("unit_key", String(64), nullable=False),
    Column("procedure_code", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("due_original_at", UTCDateTime, nullable=False),
    Column("due_current_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime),
    Column("status", String(24), nullable=False),
    Column("supplement_requests", Integer, nullable=False, default=0),
    Column("apology_at", UTCDateTime),
    Column("apology_new_due_at", UTCDateTime),
    Column("rating", String(16)),
    Column("source_updated_at", UTCDateTime),
    Column("ingested_at", UTCDateTime, nullable=False),
    # False when another source already holds this dossier (liên thông): counted once, for the receiving unit.
    Column("counted", Boolean, nullable=False, default=True, server_default=true()),
    Column("processing_half_days", Integer),  # working half-days from receipt to completion (core/workdays.py)
    # A procedure the catalogue does not list, accepted by the source's profile (`unknown_procedures: accept`):
    # its code is kept, and its statutory time is the one the source's own original due implies.
    Column("procedure_listed", Boolean, nullable=False, default=True, server_default=true()),
    Column("statutory_days_source", Float),
    UniqueConstraint("source", "native_code"),
    Index(None, "native_code"),
    Index(None, "received_at"),
    Index(None, "completed_at"),
    Index(None, "unit_key", "received_at"),
    Index(None, "unit_key", "completed_at"),  # one unit's completions in a window: its tile, lists, partial days
    # No index leads with status: every filter on it is an IN over several of seven values, and such an index
    # led SQLite away from the completed_at range (a full read of the completed rows at 10 million).
)


# A unit's open dossiers by due (the overdue lists): about 1 % of the rows, so a partial index; no other
# query can use it, so it cannot lead the planner away from the indexes the KPIs rely on.
Index(
    "ix_dossiers_open_unit_due",
    dossiers.c.unit_key,
    dossiers.c.due_original_at,
    sqlite_where=open_sql(dossiers.c),
    postgresql_where=open_sql(dossiers.c),
)

# Dossiers of procedures the catalogue does not list, per source and code (the /sources flag): rare, so partial.
Index(
    "ix_dossiers_unlisted",
    dossiers.c.source,
    dossiers.c.procedure_code,
    sqlite_where=dossiers.c.procedure_listed.is_(False),
    postgresql_where=dossiers.c.procedure_listed.is_(False),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("native_id", String(100), nullable=False),
    Column("unit_key", String(64), nullable=False),
    Column("category", String(120), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime),
    Column("answered_at", UTCDateTime),
    Column("status", String(16), nullable=False),
    Column("rating", String(16)),
    Column("lat", Float),
    Column("lon", Float),
    Column("source_updated_at", UTCDateTime),
    Column("ingested_at", UTCDateTime, nullable=False),
    UniqueConstraint("source", "native_id"),
    Index(None, "unit_key", "received_at"),
    Index(None, "received_at"),
    Index(None, "answered_at"),
)

source_state = Table(
    "source_state",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("stream", String(16), primary_key=True),
    Column("cursor_definition", String(200), nullable=False),  # a change resets the watermark
    Column("watermark", UTCDateTime),
    Column("last_key", String(200)),  # for sources read by increasing key (no updated-at column)
    Column("last_good_pull_at", UTCDateTime),
    Column("last_attempt_at", UTCDateTime),
    Column("last_error", Text),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("next_retry_at", UTCDateTime),
    Column("rows_total", Integer, nullable=False, default=0),  # distinct rows the store holds for the stream
    Column("rows_seen", Integer, nullable=False, default=0, server_default="0"),  # rows read, re-reads included
    Column("last_outcome", String(16)),  # ok, slow (timed out after progress, resuming), error
)

pull_log = Table(
    "pull_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("stream", String(16), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("outcome", String(16), nullable=False),  # ok, error, missed
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_stored", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("watermark_before", UTCDateTime),
    Column("watermark_after", UTCDateTime),
    Column("error", Text),
    Index(None, "source", "started_at"),
)

rejected_rows = Table(
    "rejected_rows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("stream", String(16), nullable=False),
    Column("native_key", String(200)),
    Column("field", String(64)),
    Column("reason", Text, nullable=False),
    Column("raw", Text, nullable=False),  # JSON of the source row as read
    Column("rejected_at", UTCDateTime, nullable=False),
    Column("replayed_at", UTCDateTime),
    Index(None, "source", "stream", "native_key"),
)

data_version = Table(
    "data_version",
    metadata,
    Column("id", Integer, primary_key=True),  # a single row, id = 1
    Column("version", Integer, nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
)

# The one writer (see dashboard/store/lease.py): a single row each, id = 1. Every data-path write locks the lease
# row (its fence); renewals touch only the heartbeat row, so they never queue behind those writes.
writer_lease = Table(
    "writer_lease",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("holder", String(200)),  # host:pid:nonce of the process that may write the data path; None: nobody
    Column("token", Integer, nullable=False, default=0),  # the fencing token, raised at every acquisition
    Column("acquired_at", UTCDateTime),
)

writer_heartbeat = Table(
    "writer_heartbeat",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("token", Integer, nullable=False, default=0),  # the token the last renewal was made with
    Column("renewed_at", UTCDateTime),
    Column("expires_at", UTCDateTime),  # a standby may take over from this instant unless it is renewed
)

# --- Rollups, maintained at ingest from each row's old and new contribution (see dashboard/store/contributions.py) ---
# Days are calendar days in Asia/Ho_Chi_Minh. Only counted dossiers contribute (liên thông: once).

roll_dossier_day = Table(
    "roll_dossier_day",
    metadata,
    Column("unit_key", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("received", Integer, nullable=False, default=0),  # by received day
    Column("received_online", Integer, nullable=False, default=0),  # online_partial + online_full
    Column("received_online_full", Integer, nullable=False, default=0),
    Column("completed", Integer, nullable=False, default=0),  # completed or refused, by completion day
    Column("completed_on_time", Integer, nullable=False, default=0),
    Column("completed_after_due", Integer, nullable=False, default=0),  # completed after the original due
    Column("completed_after_due_apology", Integer, nullable=False, default=0),  # … with an apology
    Column("rated", Integer, nullable=False, default=0),  # completed dossiers with a citizen rating
    Column("satisfied", Integer, nullable=False, default=0),
    Column("closed", Integer, nullable=False, default=0),  # every closure (incl. withdrawn, cancelled)
    Column("statutory_days", Float, nullable=False, default=0),  # sum over completed, for the mean
    Index(None, "day"),  # every unit over a day range
)

roll_dossier_detail = Table(
    "roll_dossier_detail",
    metadata,
    Column("unit_key", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("procedure_code", String(64), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("received", Integer, nullable=False, default=0),
    Column("completed", Integer, nullable=False, default=0),
    Column("completed_on_time", Integer, nullable=False, default=0),
)

roll_processing = Table(
    "roll_processing",
    metadata,
    Column("unit_key", String(64), primary_key=True),
    Column("day", Date, primary_key=True),  # completion day
    Column("half_days", Integer, primary_key=True),  # processing time in working half-days
    Column("n", Integer, nullable=False, default=0),
    Index("ix_roll_processing_day_cover", "day", "unit_key", "half_days", "n"),  # every unit over a day range
)

# The same histogram per Monday-to-Sunday week: a long period reads its whole weeks here and only its
# leftover days from roll_processing (a 30-day period: about 14 day-or-week rows per unit and bin, not 30).
roll_processing_week = Table(
    "roll_processing_week",
    metadata,
    Column("unit_key", String(64), primary_key=True),
    Column("week", Date, primary_key=True),  # the Monday of the completion day's week
    Column("half_days", Integer, primary_key=True),
    Column("n", Integer, nullable=False, default=0),
    Index("ix_roll_processing_week_cover", "week", "unit_key", "half_days", "n"),
)

roll_open = Table(
    "roll_open",
    metadata,
    Column("unit_key", String(64), primary_key=True),
    Column("due_at", UTCDateTime, primary_key=True),  # the original due instant (few distinct values)
    Column("apology", Boolean, primary_key=True),
    Column("n", Integer, nullable=False, default=0),
)

roll_feedback_day = Table(
    "roll_feedback_day",
    metadata,
    Column("unit_key", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("received", Integer, nullable=False, default=0),  # by received day
    Column("answered", Integer, nullable=False, default=0),  # by answer day
    Column("answered_on_time", Integer, nullable=False, default=0),
    Column("rated", Integer, nullable=False, default=0),
    Column("satisfied", Integer, nullable=False, default=0),
    Index(None, "day"),
)

roll_feedback_open = Table(
    "roll_feedback_open",
    metadata,
    Column("unit_key", String(64), primary_key=True),
    Column("due_at", UTCDateTime, primary_key=True),  # far future when the source gives no due date
    Column("n", Integer, nullable=False, default=0),
)

# Every rollup table, in the order a rebuild fills them.
ROLLUP_TABLES = (
    roll_dossier_day,
    roll_dossier_detail,
    roll_processing,
    roll_processing_week,
    roll_open,
    roll_feedback_day,
    roll_feedback_open,
)


# The briefings' tables (snapshots, their requests, packs, the outbox) in a module of their own, on this metadata.
from dashboard.store.schema_briefings import alert_ledger, outbox, packs, snapshot_requests, snapshots  # noqa: E402

__all__ = ["alert_ledger", "outbox", "packs", "snapshot_requests", "snapshots"]
