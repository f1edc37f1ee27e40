"""What the audit log records of real requests — who, what, when, from where — and the admins' page and CSV."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from dashboard.auth import audit
from dashboard.auth.roles import ADMIN, KIOSK_ROLE, LEADER, UNIT_HEAD
from dashboard.core.clock import CITY_TZ
from dashboard.web.app import create_app
from layouts.ids import AuditIds, UnitIds
from tests.signin import PASSWORD, account, accounts_of, anonymous_client, signed_client
from tests.web.test_guard import CALLBACK, download, router


def logged(app, **filters) -> list[tuple]:
    return [
        (e.action, e.actor, e.outcome, e.target, e.client)
        for e in reversed(accounts_of(app).audit.entries(**filters))
        if e.action != audit.USER_CHANGED  # the tests' own accounts
    ]


def test_sign_ins_their_failures_and_sign_outs_name_the_login_and_the_address(app, services):
    account(app, LEADER, login="lanh-dao")
    client = anonymous_client(app)
    client.post("/signin", data={"login": "lanh-dao", "password": "wrong password"})
    client.post("/signin", data={"login": "Lanh-Dao", "password": PASSWORD})
    client.post("/signout")
    assert logged(app) == [
        (audit.SIGN_IN_FAILED, "lanh-dao", audit.FAILED, "", "127.0.0.1"),
        (audit.SIGN_IN, "lanh-dao", audit.OK, "", "127.0.0.1"),
        (audit.SIGN_OUT, "lanh-dao", audit.OK, "", "127.0.0.1"),
    ]
    for _ in range(services.settings.sign_in_attempts):
        client.post("/signin", data={"login": "lanh-dao", "password": "wrong password"})
    client.post("/signin", data={"login": "lanh-dao", "password": PASSWORD})
    assert logged(app)[-1][:3] == (audit.SIGN_IN_LIMITED, "lanh-dao", audit.REFUSED_OUTCOME)


def test_drill_reads_exports_and_refusals_are_logged_and_a_poll_is_not(app):
    head = signed_client(app, UNIT_HEAD, ["quan-1"])
    head.get("/unit/quan-1?list=overdue")
    head.post(CALLBACK, json=router("/unit/quan-1", "?list=overdue"))
    head.get("/unit/quan-1")  # figures only: not a read of dossiers
    head.post(CALLBACK, json=router("/league"))
    head.post(CALLBACK, json=download(UnitIds.DRILL_DOWNLOAD, 2, "/unit/quan-1", "?list=overdue"))
    head.get("/api/v1/dossiers?unit=quan-1")
    head.get("/unit/quan-3?list=overdue")  # not its unit
    head.get("/briefings")  # not its role
    who = "unit-head-quan-1"
    assert logged(app) == [
        (audit.DRILL_READ, who, audit.OK, "/unit/quan-1?list=overdue", "127.0.0.1"),
        (audit.DRILL_READ, who, audit.OK, "/unit/quan-1?list=overdue", "127.0.0.1"),
        (audit.EXPORT, who, audit.OK, "/unit/quan-1?list=overdue", "127.0.0.1"),
        (audit.DRILL_READ, who, audit.OK, "/api/v1/dossiers?unit=quan-1", "127.0.0.1"),
        (audit.REFUSED, who, audit.REFUSED_OUTCOME, "/unit/quan-3?list=overdue", "127.0.0.1"),
        (audit.REFUSED, who, audit.REFUSED_OUTCOME, "/briefings", "127.0.0.1"),
    ]


def test_a_screen_pairing_and_its_token_use(app, services):
    expires = services.accounts.clock.now() + timedelta(days=1)
    token_id, token = services.accounts.issue_token("kiosk", "Tầng 3", KIOSK_ROLE, set(), expires)
    client = anonymous_client(app)
    client.get(f"/wall?token={token}")
    client.get("/wall?token=not-a-token")
    rows = logged(app)
    assert rows[-3:] == [
        (audit.TOKEN_USE, f"token:{token_id}", audit.OK, "Tầng 3", None),
        (audit.KIOSK_PAIRED, f"token:{token_id}", audit.OK, "/wall", "127.0.0.1"),
        (audit.KIOSK_PAIRED, "", audit.REFUSED_OUTCOME, "/wall", "127.0.0.1"),
    ]
    assert all(token not in str(row) for row in rows)  # never the token itself


@pytest.mark.parametrize(("proxies", "client"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_behind_a_trusted_proxy_the_real_client_is_logged(services, proxies, client):
    services.settings = services.settings.model_copy(update={"trusted_proxies": proxies})
    app = create_app(services)
    signed_client(app).get("/unit/quan-1?list=overdue", headers={"X-Forwarded-For": "203.0.113.9"})
    assert logged(app)[-1][4] == client  # a forged header is not believed when no proxy is trusted


def test_the_admins_page_and_csv(app):
    signed_client(app, LEADER).get("/unit/quan-1?list=overdue")
    admin = signed_client(app, ADMIN)
    page = admin.post(CALLBACK, json=router("/audit", "?action=drill_read"))
    assert page.status_code == 200
    body = json.dumps(page.get_json(), ensure_ascii=False)
    assert "Xem danh sách hồ sơ" in body and "/unit/quan-1?list=overdue" in body and AuditIds.CSV in body
    assert signed_client(app, LEADER).post(CALLBACK, json=router("/audit")).status_code == 403
    assert signed_client(app, LEADER).get("/audit.csv").status_code == 403
    today = accounts_of(app).clock.now().astimezone(CITY_TZ).date().isoformat()  # the accounts' real time
    exported = admin.get(f"/audit.csv?since={today}&until={today}")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    lines = exported.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "at,actor_kind,actor,action,outcome,target,client,detail"
    assert any(",leader,drill_read,ok,/unit/quan-1?list=overdue,127.0.0.1," in line for line in lines)
    assert logged(app)[-1][:3] == (audit.EXPORT, "admin", audit.OK)  # the export is itself logged
    assert admin.get("/audit.csv?since=27/11/2019").status_code == 400
