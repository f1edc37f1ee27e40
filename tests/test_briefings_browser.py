"""In headless Chromium: the briefings archive lists the snapshot with its downloads; asking for a snapshot files a
request the page shows as waiting (no snapshot is written); when the writer has made it, the page shows it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dashboard.auth.roles import BRIEFING_STAFF
from dashboard.briefings.snapshot import carry_out_requests
from dashboard.store.schema import snapshots
from dashboard.web.app import create_app
from layouts.ids import BriefingsIds
from tests.briefings import conftest as briefing_city
from tests.signin import start_signed_in

pytestmark = pytest.mark.browser
briefing = briefing_city.briefing


def count(services) -> int:
    with services.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(snapshots)).scalar_one()


def test_ask_for_a_snapshot_and_see_it_made(chromium, dash_duo, briefing):
    services, made, _body, report = briefing
    services.settings = services.settings.model_copy(update={"refresh_ms": 500})
    start_signed_in(dash_duo, create_app(services), BRIEFING_STAFF, path="/briefings")  # who makes briefings
    dash_duo.wait_for_contains_text(f"#{BriefingsIds.ARCHIVE}", report.content_hash[:12], timeout=10)
    links = [a.get_attribute("href") for a in dash_duo.find_elements(f"#{BriefingsIds.ARCHIVE} a.pulse-download")]
    assert [link.removeprefix(dash_duo.server_url) for link in links] == [
        f"/briefings/{made}.{ext}?lang=vi" for ext in ("pdf", "docx", "xlsx", "html", "csv")
    ]

    dash_duo.find_element(f"#{BriefingsIds.ASK}").click()  # the first period, last week
    dash_duo.wait_for_text_to_equal(f"#{BriefingsIds.ASK_STATUS}", "Đã gửi yêu cầu số 1 (Tuần trước).", timeout=10)
    assert "đang chờ" in dash_duo.find_element(f"#{BriefingsIds.REQUESTS}").text
    assert count(services) == 1  # only a request: the writer makes snapshots

    assert len(carry_out_requests(services)) == 1  # the writer's job
    dash_duo.wait_for_contains_text(f"#{BriefingsIds.ARCHIVE}", "Tuần trước", timeout=10)
    dash_duo.wait_for_contains_text(f"#{BriefingsIds.REQUESTS}", "Không có yêu cầu nào", timeout=10)
    assert dash_duo.get_logs() == []
