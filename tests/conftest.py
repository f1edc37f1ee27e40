"""Shared fixtures: a fixed clock, test settings, stores on SQLite and PostgreSQL, and the CI skip rule.

Tests that need PostgreSQL, MariaDB, Redis or Chromium skip with a one-line reason on a machine without
them, except under CI=true, where such a skip is reported as a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from dashboard.core.clock import CITY_TZ, FixedClock
from dashboard.core.reference import load_procedures, load_units
from dashboard.core.settings import Settings
from dashboard.ingest.pull import Ingestor
from dashboard.ingest.sources_file import SourceConfig
from dashboard.services import Services
from dashboard.store import Store
from dashboard.web.app import create_app

# Every app a test builds signs sessions with this key (`serve` and `create_app` refuse to run without one).
os.environ.setdefault("CCHC_SESSION_SECRET", "tests-only-session-secret-0123456789abcdef")
PG_ADMIN_URL = os.environ.get("CCHC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MARIADB_URL = os.environ.get("CCHC_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4")
START = datetime(2019, 11, 27, 9, 0, tzinfo=CITY_TZ)
# The shared reference files (units, conversion table, boundaries): read from here, never copied into the project.
REFERENCE_DATA = Path(
    os.environ.get("CCHC_TEST_REFERENCE_DIR", Path(__file__).resolve().parents[1].parent / "shared" / "data")
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which needs every server and the browser: {reason}"


def pytest_setup_options():
    """dash.testing hook: headless Chromium that makes no background calls (the machine is offline)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--disable-extensions",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    return options


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need_server(name: str, port: int) -> None:
    if not reachable("127.0.0.1", port):
        pytest.skip(f"{name} is not running on 127.0.0.1:{port}")


@pytest.fixture
def reference_data() -> Path:
    """The folder of the shared reference files (CCHC_TEST_REFERENCE_DIR, default ../shared/data)."""
    if not REFERENCE_DATA.is_dir():
        pytest.skip(f"the reference data folder {REFERENCE_DATA} is not there (set CCHC_TEST_REFERENCE_DIR)")
    return REFERENCE_DATA


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, safety_lag_s=0, chunk_size=3, retry_base_s=30, retry_max_s=600)


def _seeded(store: Store) -> Store:
    store.migrate()
    store.seed_reference(load_units(), load_procedures())
    assert store.hold_lease("tests").acquire()  # this process is the store's one writer
    return store


@pytest.fixture
def sqlite_store(tmp_path):
    store = _seeded(Store(f"sqlite:///{tmp_path / 'store.sqlite'}"))
    yield store
    store.dispose()


@pytest.fixture
def pg_schema_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    need_server("PostgreSQL", 5432)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """The central store on each supported database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        url = request.getfixturevalue("pg_schema_url")
    store = _seeded(Store(url))
    yield store
    store.dispose()


@pytest.fixture
def chromium():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("headless Chromium (packages chromium, chromium-driver) is not installed")


@pytest.fixture
def redis_url() -> str:
    """The local Redis (database 0); tests namespace their keys."""
    need_server("Redis", 6379)
    return "redis://127.0.0.1:6379/0"


@pytest.fixture
def mariadb_url():
    """A MariaDB URL of a fresh database, dropped afterwards."""
    need_server("MariaDB", 3306)
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(MARIADB_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    yield MARIADB_URL.replace("/test?", f"/{name}?")
    with admin.begin() as conn:
        conn.execute(text(f"DROP DATABASE `{name}`"))
    admin.dispose()


# --- an app over a temporary SQLite store, a fixed clock and one SQLite source database (unit quan-1) ---
@pytest.fixture
def source_db(tmp_path):
    from tests.factories import SourceDB  # (factories import this module's START)

    db = SourceDB(f"sqlite:///{tmp_path / 'quan-1.sqlite'}")
    yield db
    db.dispose()


@pytest.fixture
def services(settings, clock, source_db):
    source = SourceConfig(name="quan-1", unit="quan-1", url=source_db.url, profile="motcua_v1", interval=60)
    built = Services.build(settings, clock)
    assert built.store.hold_lease("tests").acquire()
    built.sources = [source]
    yield built
    built.store.dispose()


@pytest.fixture
def app(services):
    return create_app(services)


@pytest.fixture
def eager_app(services):
    """The app with the data version read at every poll (for tests that change the data and poll at once)."""
    services.settings = services.settings.model_copy(update={"version_check_ms": 0})
    return create_app(services)


@pytest.fixture
def pull(services):
    """Pull the one source into the store, as the ingest process would."""
    ingestor = Ingestor(services.store, services.clock, services.settings)
    return lambda: ingestor.pull(services.sources[0])
