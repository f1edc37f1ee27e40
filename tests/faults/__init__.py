"""The fault-injection suite (marker `faults`; it runs in CI with every other test): real servers, real processes,
and each test ends reconciled by native id — 0 lost, 0 duplicated — and verified (every rollup = its recount).

The issue's table, row by row, and the test that re-runs it:

| what was done | test |
|---|---|
| two `ingest` processes started at once on one PostgreSQL store | test_writers::test_two_writers_started_at_once… |
| the writer killed (SIGKILL) in the middle of a pull; the standby takes over | test_writers::test_the_writer_killed_mid_pull… |
| a writer frozen inside a transaction | tests/store/test_lease.py::test_a_writer_frozen_inside_a_transaction… |
| one dossier with an unreadable date (text or an integer in a DATETIME column) | test_rows::test_one_unreadable_date… |
| poison values of each SQL type, on SQLite, PostgreSQL and MariaDB; 10,000 bad rows of 25 kinds | tests/data_sources/test_poison.py |
| rows with an empty cursor (`updated_at` NULL) | test_rows::test_rows_with_no_cursor… |
| a PostgreSQL source transaction open for 150 s | tests/ingest/test_boundary.py::test_a_postgres_transaction_open_for_150_s… |
| a SQLite source row written with a timestamp 300 s old | tests/ingest/test_boundary.py (the default lag; the sweep beyond it) |
| nothing changing at any source | tests/ingest/test_pull.py::test_nothing_changing_at_the_source… |
| the row counts on /sources and in `check` | tests/ingest/test_pull.py (rows held, read), test_writers (held after a take-over) |
| a mapped column renamed at a source | test_store_and_sources::test_a_source_schema_drifting… |
| a first load longer than the pull time-out | tests/ingest/test_pull.py::test_a_pull_that_runs_out_of_time… |
| duplicate native ids within one source | test_rows::test_a_native_id_sent_twice… |
| the cache in Redis | tests/web/test_cache.py::test_redis_holds_json_only… |
| `ingest --once` where every row was rejected | tests/dashboard/test_cli.py::test_ingest_once_fails_naming… |
| a source down or hanging (a listener that never answers) | tests/ingest/test_faults.py |
| the store's connections terminated mid-pull | test_store_and_sources::test_the_stores_connections_terminated… |
"""
