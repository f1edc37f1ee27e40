"""The weekly pack on a schedule (Monday 07:00 in the city): made by the one writer exactly once per week, across
restarts, late after a restart that missed it, never by a standby; and its mail sent through the outbox to a real
local SMTP server (aiosmtpd), once per recipient, retried with back-off when the server is down."""

from __future__ import annotations

import socket
import time
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from dashboard.briefings.schedule import last_due, make_due_pack, send_mail
from dashboard.core.clock import CITY_TZ, FixedClock
from dashboard.core.errors import LeaseError
from dashboard.services import Services
from tests.briefings.conftest import AS_OF


def city(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=CITY_TZ)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (city(2019, 12, 2, 6, 59), city(2019, 11, 25, 7)),  # Monday before 07:00: last week's
        (city(2019, 12, 2, 7, 0), city(2019, 12, 2, 7)),  # at 07:00 sharp: this week's
        (city(2019, 12, 8, 23, 59), city(2019, 12, 2, 7)),  # Sunday night
        (datetime.fromisoformat("2019-12-01T23:59:00+00:00"), city(2019, 11, 25, 7)),  # 06:59 Monday in the city
        (datetime.fromisoformat("2019-12-02T00:00:00+00:00"), city(2019, 12, 2, 7)),  # 07:00 Monday in the city
        (datetime.fromisoformat("2019-12-01T23:59:00-05:00"), city(2019, 12, 2, 7)),  # 11:59 Monday in the city
    ],
)
def test_the_due_time_is_in_the_citys_time_zone(now, due):
    assert last_due("MON 07:00", now) == due


def packs_of(services: Services) -> list[tuple[str, datetime, datetime | None]]:
    return [(p["period_key"], p["due_at"], p["made_at"]) for p in services.store.packs.all_packs()]


def test_the_pack_is_made_once_a_week_across_restarts_late_when_missed_never_by_a_standby(briefing):
    services, *_ = briefing
    clock: FixedClock = services.clock  # type: ignore[assignment]
    clock.set(city(2019, 12, 1, 23, 0))  # Sunday night: the last due was Monday 25/11, and nothing was made then
    first = make_due_pack(services)
    assert first is not None and make_due_pack(services) is None  # made once, late; looking again makes nothing
    assert packs_of(services) == [("2019-11-18", city(2019, 11, 25, 7), city(2019, 12, 1, 23))]
    clock.set(city(2019, 12, 2, 6, 59))
    assert make_due_pack(services) is None
    clock.set(city(2019, 12, 2, 7, 0))
    made = make_due_pack(services)
    assert made is not None and services.store.snapshots.list()[0]["requested_by"] == "schedule:weekly"
    clock.set(city(2019, 12, 2, 7, 5))
    assert make_due_pack(services) is None
    restarted = Services.build(services.settings, FixedClock(city(2019, 12, 3, 10)))  # a new writer process
    restarted.store.lease = services.store.lease  # …that holds the lease
    assert make_due_pack(restarted) is None
    standby = Services.build(services.settings, FixedClock(city(2019, 12, 10, 9)))  # no lease: a standby
    with pytest.raises(LeaseError):
        make_due_pack(standby)
    clock.set(city(2019, 12, 10, 9))  # the writer was down on Monday 09/12 07:00: made late, once
    assert make_due_pack(services) is not None and make_due_pack(services) is None
    assert packs_of(services)[-2:] == [
        ("2019-11-25", city(2019, 12, 2, 7), city(2019, 12, 2, 7)),
        ("2019-12-02", city(2019, 12, 9, 7), city(2019, 12, 10, 9)),
    ]
    restarted.store.dispose()
    standby.store.dispose()


def test_a_pack_whose_writer_died_while_making_it_is_made_by_the_next(briefing):
    services, *_ = briefing
    services.clock.set(city(2019, 12, 2, 8))  # type: ignore[attr-defined]
    claimed = services.store.packs.claim("weekly", "2019-11-25", "lw", city(2019, 12, 2, 7))  # …and then it died
    assert claimed is not None
    assert make_due_pack(services) is not None
    [pack] = services.store.packs.all_packs()
    assert (pack["id"], pack["period_key"], pack["snapshot_id"] is not None) == (claimed, "2019-11-25", True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def mailed(briefing):
    services, *_ = briefing
    port = free_port()
    services.settings = services.settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{port}", "pack_mail_to": ["lanh.dao@tphcm.gov.vn", "van.phong@x.vn"]}
    )
    return services, port


def test_each_mail_is_sent_once_to_a_real_smtp_server_with_the_pdf(mailed):
    services, port = mailed
    inbox, server = Inbox(), None
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        services.clock.set(city(2019, 12, 2, 7, 1))  # type: ignore[attr-defined]
        assert make_due_pack(services) is not None
        assert send_mail(services) == 2 and send_mail(services) == 0
    finally:
        server.stop()
    assert sorted(m["To"] for m in inbox.messages) == ["lanh.dao@tphcm.gov.vn", "van.phong@x.vn"]
    message = inbox.messages[0]
    assert message["Subject"] == "Giao ban CCHC: Tuần trước, số liệu lúc 07:01 02/12/2019"
    [attachment] = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert attachment.get_filename() == "giao-ban-20191202-0701-lw.pdf"
    assert attachment.get_payload(decode=True).startswith(b"%PDF")
    assert {m["sent_at"] for m in services.store.packs.all_mail()} == {city(2019, 12, 2, 7, 1)}


def test_a_mail_the_server_refuses_is_retried_with_back_off_and_sent_once(mailed):
    services, port = mailed
    clock: FixedClock = services.clock  # type: ignore[assignment]
    clock.set(city(2019, 12, 2, 7, 1))
    assert make_due_pack(services) is not None
    assert send_mail(services) == 0  # nobody listens on the port yet
    rows = services.store.packs.all_mail()
    assert [(r["attempts"], r["sent_at"], r["next_attempt_at"]) for r in rows] == [
        (1, None, city(2019, 12, 2, 7, 2))
    ] * 2  # fmt: skip
    assert "ConnectionRefusedError" in rows[0]["last_error"]
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        clock.set(city(2019, 12, 2, 7, 1, 30))
        assert send_mail(services) == 0  # not before its next attempt
        clock.set(city(2019, 12, 2, 7, 2))
        assert send_mail(services) == 2
        clock.set(city(2019, 12, 2, 8, 0))
        assert send_mail(services) == 0
        time.sleep(0.2)
    finally:
        server.stop()
    assert len(inbox.messages) == 2
    assert [(r["attempts"], r["sent_at"]) for r in services.store.packs.all_mail()] == [
        (2, city(2019, 12, 2, 7, 2))
    ] * 2


def test_no_schedule_no_pack(briefing):
    services, *_ = briefing
    services.settings = services.settings.model_copy(update={"pack_schedule": ""})
    services.clock.set(AS_OF + timedelta(days=7))  # type: ignore[attr-defined]
    assert make_due_pack(services) is None and services.store.packs.all_packs() == []
