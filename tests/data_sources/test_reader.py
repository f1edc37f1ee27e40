"""Connection options of the source reader: timeouts that keep the URL's own options."""

from __future__ import annotations

from data_sources.reader import connect_args


def test_postgresql_timeouts_keep_the_urls_search_path():
    args = connect_args("postgresql+psycopg://u@h/db?options=-csearch_path%3Ddemo_q1", 1.5)
    assert args == {"connect_timeout": 2, "options": "-csearch_path=demo_q1 -c statement_timeout=1500"}


def test_mariadb_sessions_read_timestamps_as_utc_with_bounded_waits():
    args = connect_args("mysql+pymysql://u@h/db", 1)
    assert args == {
        "connect_timeout": 1,
        "read_timeout": 1,
        "write_timeout": 1,
        "init_command": "SET time_zone = '+00:00'",
    }
