"""The tables `dashboard/store/schema.py` describes are the tables the Alembic migrations build, on each database.

Alembic's own autogenerate comparison (`compare_metadata`) checks tables, columns (type, nullability, server
default), indexes (name, columns, uniqueness), unique constraints and foreign keys. It does not compare two
things the store relies on, so they are compared here as the database reports them:

- a partial index's WHERE (`ix_dossiers_open_unit_due`): the metadata's condition is created once as a scratch
  index and read back, so both sides are in the database's own spelling (PostgreSQL rewrites `NOT IN (…)`);
- primary keys (the upserts' conflict targets).

`UTCDateTime` is compared through its implementation type, `DateTime(timezone=True)`: on PostgreSQL a column
that lost its time zone is caught; SQLite keeps no time zone, so there the type is only DATETIME.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    false,
    inspect,
    literal_column,
)
from sqlalchemy.schema import CreateIndex, DefaultClause, DropIndex

from dashboard.store import Store
from dashboard.store.schema import metadata

SCRATCH_INDEX = "zz_schema_test_predicate"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated(request, tmp_path):
    """A store on each database, migrated to head (the PostgreSQL one in a fresh schema on its search_path)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        url = request.getfixturevalue("pg_schema_url")
    store = Store(url)
    store.migrate()
    yield store
    store.dispose()


# --- the comparison ---------------------------------------------------------------------------------------


def _alembic_differences(connection: Connection, target: MetaData) -> list[tuple]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "compare_server_default": True, "target_metadata": target},
    )
    differences: list[tuple] = []
    for difference in compare_metadata(context, target):
        # Column modifications come grouped in a list per column; the others are single tuples.
        differences.extend(difference if isinstance(difference, list) else [difference])
    return differences


def _unwrapped(sql: str) -> str:
    """Without parentheses around the whole condition (SQLAlchemy writes them, the migration did not)."""
    while sql.startswith("(") and sql.endswith(")"):
        depth, quoted = 0, False
        for position, char in enumerate(sql):
            quoted = quoted != (char == "'")
            depth += 0 if quoted else (char == "(") - (char == ")")
            if depth == 0 and position < len(sql) - 1:
                return sql  # the first parenthesis closes before the end: (a) AND (b)
        sql = sql[1:-1].strip()
    return sql


def _predicate(index_options: dict, dialect: str) -> str | None:
    """A partial index's WHERE, white space collapsed and outer parentheses dropped (None: not partial)."""
    where = index_options.get(f"{dialect}_where")
    return None if where is None else _unwrapped(" ".join(str(where).split()))


def _reflected_indexes(connection: Connection, table: str) -> dict[str, dict]:
    return {ix["name"]: ix for ix in inspect(connection).get_indexes(table)}


def _metadata_predicate(connection: Connection, index: Index) -> str | None:
    """The WHERE of a metadata index as the database keeps it: created under a scratch name, read back, dropped."""
    dialect = connection.dialect.name
    if index.dialect_options[dialect].get("where") is None:
        return None
    copy = next(ix for ix in index.table.to_metadata(MetaData()).indexes if ix.name == index.name)
    copy.name = SCRATCH_INDEX
    if connection.in_transaction():
        connection.rollback()  # the reads so far (autobegun); the scratch index gets a transaction of its own
    with connection.begin():
        connection.execute(CreateIndex(copy))
        try:
            reflected = _reflected_indexes(connection, index.table.name)[SCRATCH_INDEX]
        finally:
            connection.execute(DropIndex(copy))
    return _predicate(reflected.get("dialect_options", {}), dialect)


def _other_differences(connection: Connection, target: MetaData) -> list[str]:
    """What alembic does not compare: partial-index predicates and primary keys."""
    inspector = inspect(connection)
    built = set(inspector.get_table_names())
    dialect = connection.dialect.name
    found = []
    for table in target.sorted_tables:
        if table.name not in built:
            continue  # alembic reports the table itself
        reflected = _reflected_indexes(connection, table.name)
        for index in sorted(table.indexes, key=lambda ix: ix.name or ""):
            if index.name not in reflected:
                continue  # alembic reports the index itself
            migrations = _predicate(reflected[index.name].get("dialect_options", {}), dialect)
            ours = _metadata_predicate(connection, index)
            if ours != migrations:
                found.append(
                    f"partial index {index.name} on {table.name}: migrations WHERE {migrations!r}, "
                    f"schema.py WHERE {ours!r}"
                )
        pk = inspector.get_pk_constraint(table.name)
        migrations_pk = (pk.get("name"), list(pk.get("constrained_columns") or []))
        ours_pk = (table.primary_key.name, [column.name for column in table.primary_key.columns])
        if migrations_pk != ours_pk:
            found.append(f"primary key of {table.name}: migrations {migrations_pk}, schema.py {ours_pk}")
    return found


def _default(value) -> str:
    if isinstance(value, DefaultClause):
        value = value.arg
    return "none" if value is None or value is False else str(getattr(value, "text", value))


def _index(index: Index) -> str:
    columns = ", ".join(str(getattr(e, "name", e)) for e in index.expressions)
    return f"{'unique ' if index.unique else ''}index {index.name} on {index.table.name} ({columns})"


def _describe(difference: tuple) -> str:
    """One alembic difference in words: `add_*` is in schema.py only, `remove_*` built by the migrations only."""
    kind = difference[0]
    side = "in schema.py, not built by the migrations" if kind.startswith("add_") else ""
    side = side or ("built by the migrations, not in schema.py" if kind.startswith("remove_") else "")
    if kind in ("add_table", "remove_table"):
        return f"table {difference[1].name}: {side}"
    if kind in ("add_column", "remove_column"):
        _, _, table, column = difference
        return f"column {table}.{column.name} {column.type!r}: {side}"
    if kind in ("add_index", "remove_index"):
        return f"{_index(difference[1])}: {side}"
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        constraint = difference[1]
        columns = ", ".join(column.name for column in constraint.columns)
        return f"{type(constraint).__name__} {constraint.name} on {constraint.table.name} ({columns}): {side}"
    if kind in ("modify_type", "modify_nullable", "modify_default", "modify_comment"):
        _, _, table, column, _existing, migrations, ours = difference
        what = kind.removeprefix("modify_")
        if what == "type":
            migrations, ours = repr(migrations), repr(ours)
        elif what == "default":
            migrations, ours = _default(migrations), _default(ours)
        return f"column {table}.{column} {what}: migrations {migrations}, schema.py {ours}"
    return repr(difference)


def schema_differences(connection: Connection, target: MetaData) -> list[str]:
    """Every way `target` differs from the schema the connection's database holds, in words."""
    return [_describe(d) for d in _alembic_differences(connection, target)] + _other_differences(connection, target)


# --- the tests --------------------------------------------------------------------------------------------


def test_schema_py_is_what_the_migrations_build(migrated):
    with migrated.engine.connect() as connection:
        # The inspected schema is the store's own (on PostgreSQL: the fresh schema the search_path names).
        built = set(inspect(connection).get_table_names())
        expected = set(metadata.tables) | {"alembic_version"}
        assert built == expected, f"tables only on one side: {sorted(built ^ expected)}"
        differences = schema_differences(connection, metadata)
    assert not differences, "schema.py and the migrations differ:\n  " + "\n  ".join(differences)


def _drop_index(md: MetaData, table: str, name: str) -> Index:
    index = next(ix for ix in md.tables[table].indexes if ix.name == name)
    md.tables[table].indexes.discard(index)
    return index


def _change_open_predicate(md: MetaData) -> None:
    index = _drop_index(md, "dossiers", "ix_dossiers_open_unit_due")
    fewer = md.tables["dossiers"].c.status.not_in([literal_column("'completed'")])
    Index(index.name, *index.expressions, sqlite_where=fewer, postgresql_where=fewer)


def _drop_open_predicate(md: MetaData) -> None:
    index = _drop_index(md, "dossiers", "ix_dossiers_open_unit_due")
    Index(index.name, *index.expressions)


def _drop_unique(md: MetaData) -> None:
    table = md.tables["dossiers"]
    table.constraints.discard(next(c for c in table.constraints if c.name == "uq_dossiers_source_native_code"))


def _shorten_primary_key(md: MetaData) -> None:
    table = md.tables["roll_open"]
    table.c.apology.primary_key = False
    table.append_constraint(PrimaryKeyConstraint("unit_key", "due_at", name=table.primary_key.name))


def _add_column(md: MetaData) -> None:
    md.tables["units"].append_column(Column("extra", Integer))


def _set_type(table: str, column: str, type_) -> Callable[[MetaData], None]:
    def change(md: MetaData) -> None:
        md.tables[table].c[column].type = type_

    return change


def _drift(dialect: str) -> dict[str, tuple[Callable[[MetaData], object], str]]:
    """Changes to a copy of the metadata, each with the start of the difference it must be reported as."""

    def no_default(md):
        md.tables["dossiers"].c.counted.server_default = None

    def other_default(md):
        md.tables["dossiers"].c.counted.server_default = DefaultClause(false())

    def nullable(md):
        md.tables["dossiers"].c.rating.nullable = False

    def drop_table(md):
        md.remove(md.tables["roll_open"])

    return {
        "a column added": (_add_column, "column units.extra"),
        "String(64) became String(32)": (_set_type("units", "key", String(32)), "column units.key type"),
        "Text became String(200)": (_set_type("pull_log", "error", String(200)), "column pull_log.error type"),
        "UTCDateTime became Date": (_set_type("dossiers", "received_at", Date()), "column dossiers.received_at type"),
        "nullable changed": (nullable, "column dossiers.rating nullable"),
        "server default dropped": (no_default, "column dossiers.counted default"),
        "server default changed": (other_default, "column dossiers.counted default"),
        "a named index dropped": (
            lambda md: _drop_index(md, "roll_processing", "ix_roll_processing_day_cover"),
            "index ix_roll_processing_day_cover",
        ),
        "a conventionally named index dropped": (
            lambda md: _drop_index(md, "dossiers", "ix_dossiers_unit_key_completed_at"),
            "index ix_dossiers_unit_key_completed_at",
        ),
        "the partial index dropped": (
            lambda md: _drop_index(md, "dossiers", "ix_dossiers_open_unit_due"),
            "index ix_dossiers_open_unit_due",
        ),
        "the partial index's WHERE changed": (_change_open_predicate, "partial index ix_dossiers_open_unit_due"),
        "the partial index no longer partial": (_drop_open_predicate, "partial index ix_dossiers_open_unit_due"),
        "a unique constraint dropped": (_drop_unique, "UniqueConstraint uq_dossiers_source_native_code"),
        "a primary key column dropped": (_shorten_primary_key, "primary key of roll_open"),
        "a table dropped": (drop_table, "table roll_open"),
        "a String column became Text": (_set_type("dossiers", "status", Text()), "column dossiers.status type"),
    } | (
        {}  # SQLite keeps no time zone: a naive DateTime and UTCDateTime are both DATETIME there
        if dialect == "sqlite"
        else {
            "UTCDateTime lost its time zone": (
                _set_type("feedback", "answered_at", DateTime()),
                "column feedback.answered_at type",
            )
        }
    )


def _copy(md: MetaData) -> MetaData:
    copy = MetaData(naming_convention=md.naming_convention)
    for table in md.sorted_tables:
        table.to_metadata(copy)
    return copy


def test_the_comparison_sees_a_drift(migrated):
    """The equality above is not vacuous: each change to a copy of the metadata is reported (the real one is
    left alone)."""
    missed = {}
    with migrated.engine.connect() as connection:
        assert schema_differences(connection, _copy(metadata)) == schema_differences(connection, metadata)
        for name, (change, expected) in _drift(connection.dialect.name).items():
            drifted = _copy(metadata)
            change(drifted)
            differences = schema_differences(connection, drifted)
            if not any(d.startswith(expected) for d in differences):
                missed[name] = differences
    assert not missed, f"drift not reported: {missed}"
