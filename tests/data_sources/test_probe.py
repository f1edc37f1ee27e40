"""`SourceReader.probe` names, on a real SQLite, PostgreSQL and MariaDB source laid out by each shipped profile,
exactly the mapped columns (the key and the cursor included) and the tables that a source no longer has."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from data_sources.profiles import PROFILE_DIR
from data_sources.reader import ProbeProblem, SourceReader
from tests.conftest import PG_ADMIN_URL
from tests.factories import SourceDB, dossier

PROFILES = sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
]

# Per profile, read from its YAML: one column renamed in each stream's table, and the one problem expected for it.
# The dossiers column is the cursor (legacy_sqlite has none: its key, which no field maps); the feedback one is a
# plain mapped column.
RENAMES = {
    "egov_pg": [
        ("application", "modified_at", ProbeProblem("dossiers", "application", "modified_at", "source_updated_at",
                                                    "column modified_at is missing (mapped to source_updated_at)")),
        ("citizen_report", "lng", ProbeProblem("feedback", "citizen_report", "lng", "lon",
                                               "column lng is missing (mapped to lon)")),
    ],
    "hscv_mariadb": [
        ("ho_so", "ngay_cap_nhat", ProbeProblem("dossiers", "ho_so", "ngay_cap_nhat", "source_updated_at",
                                                "column ngay_cap_nhat is missing (mapped to source_updated_at)")),
        ("phan_anh", "vi_do", ProbeProblem("feedback", "phan_anh", "vi_do", "lat",
                                           "column vi_do is missing (mapped to lat)")),
    ],
    "legacy_sqlite": [
        ("HoSo", "id", ProbeProblem("dossiers", "HoSo", "id", None, "column id is missing (the key)")),
        ("PhanAnh", "KinhDo", ProbeProblem("feedback", "PhanAnh", "KinhDo", "lon",
                                           "column KinhDo is missing (mapped to lon)")),
    ],
    "motcua_v1": [
        ("hs_dossier", "updated_at", ProbeProblem("dossiers", "hs_dossier", "updated_at", "source_updated_at",
                                                  "column updated_at is missing (mapped to source_updated_at)")),
        ("pa_feedback", "latitude", ProbeProblem("feedback", "pa_feedback", "latitude", "lat",
                                                 "column latitude is missing (mapped to lat)")),
    ],
}  # fmt: skip
FEEDBACK_TABLES = {"egov_pg": "citizen_report", "hscv_mariadb": "phan_anh", "legacy_sqlite": "PhanAnh",
                   "motcua_v1": "pa_feedback"}  # fmt: skip


@pytest.fixture(params=BACKENDS)
def backend_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'source.sqlite'}"
    return request.getfixturevalue("pg_schema_url" if request.param == "postgresql" else "mariadb_url")


@pytest.fixture
def make_source(backend_url):
    made: list[tuple[SourceDB, SourceReader]] = []

    def make(profile: str) -> tuple[SourceDB, SourceReader]:
        db = SourceDB(backend_url, profile)
        made.append((db, SourceReader(db.url, db.profile, timeout_s=10)))
        return made[-1]

    yield make
    for db, reader in made:
        reader.dispose()
        db.dispose()


def execute(db: SourceDB, *statements: str) -> None:
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def rename(db: SourceDB, table: str, column: str, new: str) -> None:
    q = db.engine.dialect.identifier_preparer.quote
    execute(db, f"ALTER TABLE {q(table)} RENAME COLUMN {q(column)} TO {q(new)}")


@pytest.mark.parametrize("profile", PROFILES)
def test_an_intact_source_has_no_problems(make_source, profile):
    db, reader = make_source(profile)
    db.insert("dossiers", dossier("A1"))
    assert reader.probe() == []


@pytest.mark.parametrize("profile", PROFILES)
def test_a_renamed_cursor_key_or_mapped_column_is_named_with_its_field(make_source, profile):
    db, reader = make_source(profile)
    for table, column, _ in RENAMES[profile]:
        rename(db, table, column, f"{column}_old")
    assert reader.probe() == [problem for _, _, problem in RENAMES[profile]]


@pytest.mark.parametrize("profile", PROFILES)
def test_a_dropped_table_is_one_problem(make_source, profile):
    db, reader = make_source(profile)
    table = FEEDBACK_TABLES[profile]
    execute(db, f"DROP TABLE {db.engine.dialect.identifier_preparer.quote(table)}")
    assert reader.probe() == [
        ProbeProblem("feedback", table, None, None, f"table {table} does not exist", "missing_table")
    ]


def test_several_missing_columns_of_one_table_come_one_each_in_the_profiles_order(make_source):
    db, reader = make_source("motcua_v1")
    rename(db, "hs_dossier", "updated_at", "updated")
    rename(db, "hs_dossier", "status", "state")
    rename(db, "hs_dossier", "dossier_code", "code")
    assert [(p.stream, p.table, p.column, p.field) for p in reader.probe()] == [
        ("dossiers", "hs_dossier", "dossier_code", "native_code"),  # the key, mapped
        ("dossiers", "hs_dossier", "status", "status"),
        ("dossiers", "hs_dossier", "updated_at", "source_updated_at"),  # the cursor, mapped
    ]


def test_an_unmapped_cursor_is_named_as_the_cursor(tmp_path):
    from data_sources.profiles import load_profile

    profile = load_profile("motcua_v1").model_copy(deep=True)
    del profile.streams["feedback"].columns["source_updated_at"]  # the cursor stays: no field maps it now
    db = SourceDB(f"sqlite:///{tmp_path / 's.sqlite'}", profile)
    reader = SourceReader(db.url, profile)
    try:
        rename(db, "pa_feedback", "updated_at", "updated")
        assert reader.probe() == [
            ProbeProblem("feedback", "pa_feedback", "updated_at", None, "column updated_at is missing (the cursor)")
        ]
    finally:
        reader.dispose()
        db.dispose()


@pytest.mark.parametrize(
    ("backend_url", "missing"),
    [
        ("sqlite", False),
        pytest.param("mariadb", False, marks=pytest.mark.mariadb),
        pytest.param("postgresql", True, marks=pytest.mark.postgres),
    ],
    indirect=["backend_url"],
)
def test_a_column_whose_name_changed_only_in_case_is_missing_only_on_postgresql(make_source, missing):
    # SQLite and MariaDB compare column names without regard to case; on PostgreSQL the renamed "UPDATED_AT" is a
    # quoted, case-kept name, which the profile's updated_at (unquoted, folded to lower case) no longer reaches.
    db, reader = make_source("motcua_v1")
    rename(db, "hs_dossier", "updated_at", "UPDATED_AT")
    problems = [(p.stream, p.column, p.field) for p in reader.probe()]
    assert problems == ([("dossiers", "updated_at", "source_updated_at")] if missing else [])
    if not missing:  # and the real read agrees: it works
        assert list(reader.read("dossiers", None, 10)) == []


@pytest.mark.postgres
def test_a_select_that_fails_with_every_column_there_is_unreadable_with_the_databases_error(pg_schema_url):
    db = SourceDB(pg_schema_url, "motcua_v1")
    role = f"probe_{uuid.uuid4().hex[:8]}"
    url = make_url(pg_schema_url)
    schema = str(url.query["options"]).split("=")[-1]
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:  # a reader that may see the catalogue and the schema, and read only the feedback
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        conn.execute(text(f'GRANT SELECT ON "{schema}".pa_feedback TO "{role}"'))
    reader = SourceReader(url.set(username=role).render_as_string(), db.profile, timeout_s=10)
    try:
        assert reader.probe() == [
            ProbeProblem(
                "dossiers",
                "hs_dossier",
                None,
                None,
                "cannot read table hs_dossier: InsufficientPrivilege: permission denied for table hs_dossier",
                "unreadable",
                "InsufficientPrivilege: permission denied for table hs_dossier",
            )
        ]
    finally:
        reader.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()
        db.dispose()


def test_the_probe_opens_a_sqlite_file_read_only_and_an_unreachable_source_raises(tmp_path):
    from data_sources.profiles import load_profile

    missing = tmp_path / "nowhere.sqlite"
    reader = SourceReader(f"sqlite:///{missing}", load_profile("motcua_v1"))
    with pytest.raises(OperationalError, match="unable to open database file"):
        reader.probe()
    assert not missing.exists()
    reader = SourceReader("postgresql+psycopg://reader:hunter2@127.0.0.1:9/x", load_profile("motcua_v1"), 1)
    try:
        with pytest.raises(OperationalError):
            reader.probe()
    finally:
        reader.dispose()
