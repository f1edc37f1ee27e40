"""The audit log on each database: entries in, newest first, filtered, CSV with inert cells, a retention that only
removes what is older, and a table that refuses any change to an entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DatabaseError

from dashboard.auth import audit
from dashboard.auth.roles import KIOSK_ROLE, LEADER, UNIT_HEAD
from dashboard.auth.schema import audit as audit_table
from tests.auth.test_store import PASSWORD, accounts, url  # noqa: F401  (the fixtures on SQLite and PostgreSQL)


def test_account_and_token_changes_are_logged_with_who_made_them(accounts, clock):  # noqa: F811
    accounts.actor = ("cli", "cli:operator")
    accounts.add_user("an", "Nguyễn Văn An", UNIT_HEAD, {"quan-1"}, PASSWORD)
    clock.advance(timedelta(minutes=1))
    accounts.set_role("an", LEADER, set())
    accounts.disable_user("an")
    token_id, token = accounts.issue_token("kiosk", "Tầng 3", KIOSK_ROLE, set(), clock.now() + timedelta(days=2))
    accounts.verify_token(token)
    accounts.verify_token(token)  # the same minute: its use is logged once
    accounts.revoke_token(token_id)
    rows = [(e.action, e.actor_kind, e.actor, e.target, e.detail) for e in accounts.audit.entries()]
    assert rows == [
        (audit.TOKEN_CHANGED, "cli", "cli:operator", f"token:{token_id}", "revoked"),
        (audit.TOKEN_USE, "kiosk", f"token:{token_id}", "Tầng 3", ""),
        (audit.TOKEN_CHANGED, "cli", "cli:operator", f"token:{token_id} Tầng 3",
         "issued kiosk as kiosk, expires 2019-11-29T09:01:00+07:00"),
        (audit.USER_CHANGED, "cli", "cli:operator", "an", "disabled"),
        (audit.USER_CHANGED, "cli", "cli:operator", "an", "role leader"),
        (audit.USER_CHANGED, "cli", "cli:operator", "an", "added as unit_head for quan-1"),
    ]  # fmt: skip
    assert accounts.audit.count(action=audit.USER_CHANGED) == 3 and accounts.audit.count(actor="cli:operator") == 5
    assert [e.action for e in accounts.audit.entries(limit=2, offset=1)] == [audit.TOKEN_USE, audit.TOKEN_CHANGED]


def test_an_entry_cannot_be_changed_in_the_database(accounts):  # noqa: F811
    accounts.audit.record(audit.SIGN_IN, ("user", "an"), client="10.0.0.7")
    with pytest.raises(DatabaseError, match="append-only"), accounts.engine.begin() as conn:
        conn.execute(update(audit_table).values(actor="someone else"))
    assert [e.actor for e in accounts.audit.entries()] == ["an"]


def test_the_retention_removes_only_older_entries_and_says_so(accounts, clock):  # noqa: F811
    accounts.audit.record(audit.SIGN_IN, ("user", "old"))
    clock.advance(timedelta(days=10))
    accounts.audit.record(audit.SIGN_IN, ("user", "new"))
    clock.advance(timedelta(days=1))
    assert accounts.audit.purge(retention_days=11) == 0  # exactly 11 days old: kept
    assert accounts.audit.purge(retention_days=10) == 1
    entries = accounts.audit.entries()
    assert [(e.action, e.actor) for e in entries] == [(audit.AUDIT_PURGED, "retention"), (audit.SIGN_IN, "new")]
    assert entries[0].detail == "1 entries older than 10 days"


def test_the_csv_is_in_city_time_with_inert_cells(accounts, clock):  # noqa: F811
    accounts.audit.record(audit.SIGN_IN_FAILED, ("user", "=cmd|' /C calc'!A0"), outcome=audit.FAILED, client="1.2.3.4")
    accounts.audit.record(audit.DRILL_READ, ("user", "an"), target="/unit/quan-1?list=overdue")
    lines = list(accounts.audit.csv_lines())
    assert lines == [
        "at,actor_kind,actor,action,outcome,target,client,detail\r\n",
        "2019-11-27T09:00:00+07:00,user,'=cmd|' /C calc'!A0,sign_in_failed,failed,,1.2.3.4,\r\n",
        "2019-11-27T09:00:00+07:00,user,an,drill_read,ok,/unit/quan-1?list=overdue,,\r\n",
    ]
    assert len(list(accounts.audit.csv_lines(since=clock.now() + timedelta(seconds=1)))) == 1  # the header only
