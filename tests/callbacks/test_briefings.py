"""The briefings pages, called directly: the archive lists every snapshot with its hash prefix and downloads; asking
files a request and never a snapshot (the writer makes it); two snapshots side by side with what changed from a
to b; what changed since the previous snapshot of the same period; unknown or changed snapshots are said so."""

from __future__ import annotations

from datetime import timedelta

from dash import no_update
from sqlalchemy import func, select, update

from callbacks.routing import route
from dashboard.briefings.snapshot import carry_out_requests, take
from dashboard.core.cache import cache_of
from dashboard.ingest.pull import Ingestor
from dashboard.store.schema import snapshots
from layouts.ids import BriefingsIds, NotFoundIds, ShellIds
from tests.briefings import conftest as briefing_city
from tests.callbacks.test_overview import registered
from tests.factories import SourceDB, dossier
from tests.layouts.test_overview import texts

briefing = briefing_city.briefing  # (services, snapshot id, body, report) of the small city, as of 27/11/2019 15:00
AS_OF, DAY, HOUR = briefing_city.AS_OF, briefing_city.DAY, timedelta(hours=1)
LATER = AS_OF + DAY
RECEIVED = AS_OF - 10 * DAY
FORMATS = ("pdf", "docx", "xlsx", "html", "csv")


def _late(code: str, unit: str, procedure: str = "HT-KH", **extra) -> dict:
    completed = RECEIVED + 5 * DAY
    return dossier(code, unit=unit, received=RECEIVED, days=3, status="completed", completed=completed,
                   updated=LATER - 3 * HOUR, procedure=procedure, **extra)  # fmt: skip


def later_snapshot(services) -> int:
    """A day later: Quận 1 has 3 dossiers overdue and 15 more late (it drops to second), Quận 3 resolved its 3
    overdue ones (it rises to first) but its source was last pulled 2 hours before the as-of (stale), and Sở Tư
    pháp took 4 online dossiers (its online commitment met) and one late (its on-time commitment missed)."""
    new = {
        "quan-1": [dossier(f"QUAN-1-N{i}", unit="760", received=RECEIVED, days=3, updated=LATER - 3 * HOUR)
                   for i in range(3)] + [_late(f"QUAN-1-M{i}", "760") for i in range(15)],
        "quan-3": [dossier(f"QUAN-3-O{i}", unit="770", received=RECEIVED, days=3, status="completed",
                           completed=LATER - 3 * HOUR, updated=LATER - 3 * HOUR) for i in range(3)],
        "tu-phap": [_late("TU-PHAP-L9", "so-tu-phap", "TP-LLTP")]
                   + [dossier(f"TU-PHAP-W{i}", unit="so-tu-phap", received=RECEIVED, days=5, status="completed",
                              completed=RECEIVED + 2 * DAY, updated=LATER - 3 * HOUR, procedure="TP-LLTP",
                              channel="online_full") for i in range(4)],
    }  # fmt: skip
    ingestor = Ingestor(services.store, services.clock, services.settings, services.calendar)
    for source in services.sources:
        db = SourceDB(source.url)  # the source's tables afresh: only the new rows (the store keeps the old)
        db.insert("dossiers", *new[source.name])
        db.engine.dispose()
    for at, names in ((LATER - 2 * HOUR, {"quan-3"}), (LATER, {"quan-1", "tu-phap"})):
        services.clock.set(at)
        for source in services.sources:
            if source.name in names:
                ingestor.pull(source)
    return take(services, "30d", LATER, "test")


def hrefs(component) -> list[str]:
    return [node.href for node in [component, *component._traverse()] if getattr(node, "href", None)]


def snapshot_count(services) -> int:
    with services.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(snapshots)).scalar_one()


def test_the_archive_lists_every_snapshot_newest_first_with_its_hash_prefix_and_downloads(app, briefing):
    services, made, _body, report = briefing
    later = later_snapshot(services)
    page = route(services, cache_of(app), "/briefings", "?lang=vi")
    archive = texts(page[BriefingsIds.ARCHIVE])
    assert "28/11/2019 15:00" in archive and "27/11/2019 15:00" in archive
    assert archive.index("28/11/2019 15:00") < archive.index("27/11/2019 15:00")  # newest first
    assert report.content_hash[:12] in archive and "30 ngày" in archive and "test" in archive
    assert str(services.store.snapshots.list()[1]["data_version"]) in archive
    links = hrefs(page[BriefingsIds.ARCHIVE])
    for snapshot_id in (made, later):
        assert [f"/briefings/{snapshot_id}.{ext}?lang=vi" for ext in FORMATS] == [
            link for link in links if link.startswith(f"/briefings/{snapshot_id}.")
        ]
        assert f"/briefings/{snapshot_id}/changes?lang=vi" in links
    assert "is-current" in page[ShellIds.NAV_BRIEFINGS].className
    assert page[BriefingsIds.COMPARE].href == f"/briefings?a={made}&b={later}&lang=vi"  # the two newest, to start


def test_asking_files_a_request_and_never_writes_a_snapshot(app, briefing):
    services, _made, _body, _report = briefing
    before = snapshot_count(services)
    services.store.lease.release()  # the web holds no writer lease: filing a request does not need it
    ask = registered(app, BriefingsIds.ASK_STATUS)
    status, requests = ask(1, "lw", "?lang=vi")
    [pending] = services.store.snapshots.pending()
    assert status == f"Đã gửi yêu cầu số {pending['id']} (Tuần trước)."
    assert (pending["period"], pending["requested_by"], pending["as_of"]) == ("lw", "web", None)
    assert "đang chờ" in texts(requests) and snapshot_count(services) == before
    again, _requests = ask(2, "lw", "?lang=en")
    assert again == f"Request {pending['id']} (Last week) is already waiting: none filed."
    assert len(services.store.snapshots.pending()) == 1
    assert ask(3, "fortnight", "?lang=vi")[1] is no_update  # only the periods offered; nothing filed
    assert len(services.store.snapshots.pending()) == 1 and snapshot_count(services) == before
    assert services.store.hold_lease("tests").acquire()
    [made] = carry_out_requests(services)  # the writer's job makes it
    assert snapshot_count(services) == before + 1 and services.store.snapshots.pending() == []
    assert next(s for s in services.store.snapshots.list() if s["id"] == made)["requested_by"] == "web"


def test_the_requests_waiting_and_failed_are_listed_with_their_state_and_error(app, briefing):
    services, _made, _body, _report = briefing
    services.store.snapshots.request("fortnight", "cli:lan", services.clock.now())
    carry_out_requests(services)  # closed with its error
    services.store.snapshots.request("7d", "web", services.clock.now())
    page = route(services, cache_of(app), "/briefings", "?lang=en")
    shown = " ".join(" ".join(texts(page[BriefingsIds.REQUESTS])).split())
    assert "Request 2 · 7 days · web · at 27/11/2019 15:00 waiting" in shown
    assert (
        "Request 1 · fortnight · cli:lan · at 27/11/2019 15:00 failed ParameterError: unknown period 'fortnight'"
        in shown
    )
    assert shown.index("Request 2") < shown.index("Request 1")  # newest first


def test_the_refresh_answers_only_when_a_snapshot_or_a_request_changed(app, briefing):
    services, _made, _body, _report = briefing
    page = route(services, cache_of(app), "/briefings", "?lang=vi")
    refresh = registered(app, BriefingsIds.ARCHIVE)
    seen = page[BriefingsIds.SEEN].data
    assert refresh(1, seen, "?lang=vi") == (no_update,) * 5
    later_snapshot(services)
    rows, _requests, options, _same, key = refresh(2, seen, "?lang=vi")
    assert key != seen and "28/11/2019 15:00" in texts(rows) and len(options) == 2


def test_two_snapshots_side_by_side_show_both_as_ofs_their_key_figures_and_what_changed(app, briefing):
    services, made, _body, report = briefing
    later = later_snapshot(services)
    page = route(services, cache_of(app), "/briefings", f"?a={made}&b={later}&lang=vi")
    a, b = texts(page[BriefingsIds.COLUMN_A]), texts(page[BriefingsIds.COLUMN_B])
    assert a[0] == "27/11/2019 15:00" and b[0] == "28/11/2019 15:00"
    assert report.content_hash[:12] in a and "Quận, huyện" in a and "Sở, ban, ngành" in a
    assert a[a.index("2 đơn vị đứng đầu") :][5:9] == ["1", "Quận 1", "42,86", "90,0%"]  # after the header row
    assert b[b.index("2 đơn vị đứng đầu") :][5:7] == ["1", "Quận 3"]
    changed = " | ".join(texts(page[BriefingsIds.CHANGES]))
    assert "Thay đổi từ bản chụp lúc 27/11/2019 15:00 đến bản chụp lúc 28/11/2019 15:00" in changed
    assert "Giải quyết đúng hạn | 78,3% | 47,8% | -30,4 điểm %" in changed  # the city
    assert (
        "Quận 3 | Quận, huyện | 2 | 1 | lên 1 bậc" in changed
        and "Quận 1 | Quận, huyện | 1 | 2 | xuống 1 bậc" in changed
    )
    # each unit's name is its own element (layouts.names): " | " joins it to what follows
    assert "Sở Tư pháp | : Trực tuyến" in changed and "Sở Tư pháp | : Đúng hạn" in changed  # newly met, missed
    late = changed.index("Đơn vị mới có hồ sơ quá hạn")
    stale = changed.index("Đơn vị có nguồn mới mất cập nhật")
    assert changed[late:stale] == "Đơn vị mới có hồ sơ quá hạn | Quận 1 | "
    opened, closed = changed.index("Cảnh báo mới"), changed.index("Cảnh báo đã hết")
    assert "Quận 3" in changed[stale:opened]
    assert (
        "Quận 1 | : Tỷ lệ quá hạn" in changed[opened:closed]
        and "Quận 3 | : Nguồn dữ liệu cũ ( | quan-3 | )" in changed[opened:closed]
    )
    assert changed[closed:] == "Cảnh báo đã hết | Quận 3 | : Tỷ lệ quá hạn"


def test_what_changed_since_the_previous_snapshot_of_the_same_period(app, briefing):
    services, made, _body, _report = briefing
    later = later_snapshot(services)
    take(services, "7d", LATER - HOUR, "test")  # another period in between: not the previous one
    page = route(services, cache_of(app), f"/briefings/{later}/changes", "?lang=en")
    changed = " | ".join(texts(page[BriefingsIds.CHANGES]))
    assert changed.startswith("What changed from the snapshot of 27/11/2019 15:00 to that of 28/11/2019 15:00")
    assert "District 3 | Districts | 2 | 1 | up 1" in changed
    assert page[ShellIds.AS_OF].children == "Data as of 15:00 28/11/2019"
    assert f"/briefings/{later}.pdf?lang=en" in hrefs(page)
    first = route(services, cache_of(app), f"/briefings/{made}/changes", "?lang=en")
    assert first[BriefingsIds.CHANGES].children == (
        "No snapshot of the period “30 days” before the one of 27/11/2019 15:00: nothing to compare with yet."
    )


def test_an_unknown_snapshot_or_page_under_briefings_is_not_found(app, briefing):
    services, made, _body, _report = briefing
    unknown = route(services, cache_of(app), "/briefings/999/changes", "?lang=en")
    assert unknown[BriefingsIds.NOT_FOUND].children == "No snapshot 999."
    for path in ("/briefings/abc/changes", f"/briefings/{made}/other", f"/briefings/{made}"):
        page = route(services, cache_of(app), path, "?lang=en")
        assert texts(page[NotFoundIds.TEXT]) == [f"There is no page at {path}."]


def test_unknown_or_changed_snapshots_side_by_side_are_said_so(app, briefing):
    services, made, _body, report = briefing
    missing = route(services, cache_of(app), "/briefings", f"?a={made}&b=999&lang=en")
    assert missing[BriefingsIds.NOT_FOUND].children == f"No snapshot {made} / 999."
    with services.store.engine.begin() as conn:  # tampered with behind our back
        conn.execute(update(snapshots).values(body=snapshots.c.body + " "))
    for address, search in (("/briefings", f"?a={made}&b={made}"), (f"/briefings/{made}/changes", "")):
        page = route(services, cache_of(app), address, search)
        assert f"does not match its hash {report.content_hash[:12]}" in page[BriefingsIds.NOT_FOUND].children
