"""Alerts a leader can act on: since when each is open (the writer's ledger, not the current minute), in the order
to act, acknowledged by the owner unit's staff or a leader (who, when), stepping back on the wall but still counted."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from dashboard.auth import audit
from dashboard.auth.roles import LEADER, UNIT_HEAD
from dashboard.core.cache import cache_of
from dashboard.core.vocabulary import CITY_KEY
from dashboard.pages import wall_alerts
from dashboard.pages.wall import current_key, wall_data
from dashboard.store.schema import alert_ledger
from layouts import wall_views
from tests.conftest import START
from tests.factories import dossier
from tests.signin import accounts_of, signed_client
from tests.web.test_guard import CALLBACK, router


@pytest.fixture
def overdue(services, source_db, pull):
    """Quận 1 with two open dossiers, both overdue since 24/11: 100 % of its backlog (an alarm, the city's too)."""
    source_db.insert("dossiers", dossier("A", received=START - timedelta(days=8), days=3), dossier("B", days=30))
    pull()
    wall_alerts.observe(services)  # the writer sees them at 09:00
    services.clock.advance(timedelta(hours=2, minutes=15))
    pull()  # (the source stays fresh: no stale-source alert)
    wall_alerts.observe(services)  # and again at 11:15


def open_alerts(services):
    return {(row["kind"], row["unit_key"]): row for row in services.store.alerts.open_alerts().values()}


def test_the_ledger_knows_since_when_and_the_wall_says_it(app, services, overdue):
    ledger = open_alerts(services)
    assert set(ledger) == {("overdue_share", "quan-1"), ("overdue_share", CITY_KEY)}
    assert ledger[("overdue_share", "quan-1")]["first_seen"] == START
    _key, data = wall_data(services, cache_of(app), current_key(services, 1.0))
    assert [(a.unit_key, a.at) for a in data.alerts] == [(CITY_KEY, START), ("quan-1", START)]
    assert wall_views.since_text(data.alerts[1], data.as_of, "vi") == "từ 09:00 · 2 giờ 15 phút"
    assert wall_views.since_text(data.alerts[1], data.as_of + timedelta(days=1), "en") == (
        "since 09:00 27/11/2019 · 1 d 2 h"
    )


def test_the_owner_unit_or_a_leader_acknowledges_once_and_it_steps_back(app, services, overdue):
    ids = {unit: row["id"] for (_kind, unit), row in open_alerts(services).items()}
    other = signed_client(app, UNIT_HEAD, ["quan-3"])
    refused = other.post(f"/alerts/{ids['quan-1']}/ack", data={"lang": "vi"})
    assert (refused.status_code, refused.headers["Location"]) == (303, "/alerts?lang=vi&done=not_allowed")
    head = signed_client(app, UNIT_HEAD, ["quan-1"])
    assert head.post(f"/alerts/{ids[CITY_KEY]}/ack").headers["Location"].endswith("done=not_allowed")  # the city's
    assert head.post(f"/alerts/{ids['quan-1']}/ack").headers["Location"].endswith("done=acknowledged")
    assert head.post(f"/alerts/{ids['quan-1']}/ack").headers["Location"].endswith("done=already")
    assert head.post("/alerts/99999/ack").headers["Location"].endswith("done=not_open")
    assert head.post(f"/alerts/{ids['quan-1']}/ack", headers={"Origin": "http://evil.example"}).status_code == 403
    rows = [(e.actor, e.outcome, e.detail) for e in reversed(accounts_of(app).audit.entries(action=audit.ALERT_ACKED))]
    assert rows == [
        ("unit-head-quan-3", audit.REFUSED_OUTCOME, "not_allowed"),
        ("unit-head-quan-1", audit.REFUSED_OUTCOME, "not_allowed"),
        ("unit-head-quan-1", audit.OK, "acknowledged"),
        ("unit-head-quan-1", audit.OK, "already"),
        ("unit-head-quan-1", audit.REFUSED_OUTCOME, "not_open"),
    ]
    services.clock.advance(timedelta(minutes=1))  # the wall's next minute
    _key, data = wall_data(services, cache_of(app), current_key(services, 1.0))
    assert [(a.unit_key, a.acknowledged_by) for a in data.alerts] == [
        (CITY_KEY, None),
        ("quan-1", "Thử nghiệm unit-head-quan-1"),
    ]
    assert wall_views.alert_counts(data, "vi") == "2 cảnh báo · 2 báo động · 1 đã xác nhận"
    ticker = json.dumps(wall_views.ticker(data, "vi"), default=lambda c: c.to_plotly_json(), ensure_ascii=False)
    assert "Toàn thành phố" in ticker and "Quận 1:" not in ticker and "· 1 cảnh báo đã xác nhận" in ticker


def test_the_alerts_page_offers_the_button_only_where_the_viewer_may_use_it(app, services, overdue):
    def page(client) -> str:
        return json.dumps(client.post(CALLBACK, json=router("/alerts")).get_json(), ensure_ascii=False)

    leader, head = page(signed_client(app, LEADER)), page(signed_client(app, UNIT_HEAD, ["quan-1"]))
    assert leader.count("btn-outline-primary") == 2  # both alerts
    assert head.count("btn-outline-primary") == 1 and "Chưa xác nhận" in head  # its own unit's only
    assert "từ 09:00 · 2 giờ 15 phút" in leader and "Đơn vị chịu trách nhiệm" in leader


def test_an_alert_that_ends_closes_in_the_ledger(app, services, source_db, pull, overdue):
    now = services.clock.now()
    source_db.update("dossiers", dossier("A", received=START - timedelta(days=8), days=3, status="completed",
                                          completed=now, updated=now))  # fmt: skip
    pull()
    wall_alerts.observe(services)  # quận 1: 0 of 1 open overdue — the alerts end
    assert open_alerts(services) == {}
    with services.store.engine.connect() as conn:
        c = alert_ledger.c
        closed = conn.execute(select(c.unit_key, c.first_seen, c.closed_at).order_by(c.unit_key)).all()
    assert [(u, c) for u, _f, c in closed] == [(CITY_KEY, now), ("quan-1", now)]
