"""The weekly briefing pack on a schedule, made by the one writer exactly once, and mailed through an outbox.

`pack_schedule` ("MON 07:00", Asia/Ho_Chi_Minh) gives the due time of each week's pack. At every look (the
writer's job, every 30 s) the latest due time at or before now is found; if that week's pack has no row yet it
is claimed (the unique (pack, period) row), its snapshot is made — late, after a restart that missed the due
time — and one mail per recipient is queued. Mail goes out through `smtp_url`; a failure is retried with
back-off, a mail once accepted by the server is never sent again (its Message-ID is the same on every attempt,
so a receiver can drop a repeat should the writer die between the server's answer and the outbox's update).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import unquote, urlsplit

from dashboard.briefings.render_pdf import briefing_pdf
from dashboard.briefings.report import report
from dashboard.briefings.snapshot import load, take
from dashboard.core.clock import CITY_TZ
from dashboard.core.i18n import fmt_datetime, period_label, t
from dashboard.core.periods import window
from dashboard.services import Services

WEEKLY = "weekly"
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
RETRY_FIRST_S, RETRY_MAX_S = 60.0, 3600.0
SMTP_TIMEOUT_S = 30.0
LOOK_EVERY_S = 30.0  # how often the writer looks at the schedule and the outbox


@dataclass(frozen=True)
class Due:
    at: datetime  # the due instant (aware)
    period_key: str  # the period's first day, the pack's unique key with its name


def last_due(schedule: str, now: datetime) -> datetime:
    """The latest due instant of a weekly `schedule` ("MON 07:00", city time) at or before `now`."""
    day, clock = schedule.split()
    hour, minute = (int(part) for part in clock.split(":"))
    local = now.astimezone(CITY_TZ)
    monday = local.date() - timedelta(days=local.weekday())
    due = datetime.combine(monday + timedelta(days=DAYS.index(day)), time(hour, minute), CITY_TZ)
    return due if due <= now else due - timedelta(days=7)


def due_pack(services: Services, now: datetime) -> Due | None:
    """This week's pack as the schedule has it at `now` (None: no schedule)."""
    schedule = services.settings.pack_schedule
    if not schedule:
        return None
    at = last_due(schedule, now)
    start = window(services.settings.pack_period, at).start.astimezone(CITY_TZ)
    return Due(at, start.date().isoformat())


def make_due_pack(services: Services) -> int | None:
    """Make this week's pack unless it is made (exactly once per period); returns its snapshot id when made now."""
    now = services.clock.now()
    due = due_pack(services, now)
    if due is None:
        return None
    period = services.settings.pack_period
    pack_id = services.store.packs.claim(WEEKLY, due.period_key, period, due.at)
    if pack_id is None:
        return None
    made = take(services, period, now, f"schedule:{WEEKLY}")
    mail = [(to, f"<pack-{WEEKLY}-{due.period_key}-{to}@cchc-pulse>") for to in services.settings.pack_mail_to]
    services.store.packs.made(pack_id, made, services.clock.now(), mail)
    return made


def _message(services: Services, row: dict, pdf: bytes, as_of: datetime, period: str) -> EmailMessage:
    lang = services.settings.language
    message = EmailMessage()
    message["From"] = formataddr(("CCHC Pulse", services.settings.mail_from))
    message["To"] = row["recipient"]
    message["Message-ID"] = row["message_id"]
    message["Subject"] = t("briefing.mail.subject", lang, period=period_label("league", period, lang),
                           time=fmt_datetime(as_of, lang))  # fmt: skip
    message.set_content(t("briefing.mail.body", lang, time=fmt_datetime(as_of, lang)))
    name = f"giao-ban-{as_of.astimezone(CITY_TZ):%Y%m%d-%H%M}-{period}.pdf"
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
    return message


def _smtp(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    port = parts.port or (465 if secure else 25)
    server = (smtplib.SMTP_SSL if secure else smtplib.SMTP)(parts.hostname or "localhost", port, timeout=SMTP_TIMEOUT_S)
    if not secure and port == 587:
        server.starttls()
    if parts.username:
        server.login(unquote(parts.username), unquote(parts.password or ""))
    return server


def send_mail(services: Services) -> int:
    """Send every mail due in the outbox; returns how many were sent. A failure is retried with back-off."""
    url = services.settings.smtp_url
    due = services.store.packs.mail_due(services.clock.now()) if url else []
    sent, rendered = 0, {}
    for row in due:
        now = services.clock.now()
        try:
            if row["snapshot_id"] not in rendered:
                body, meta = load(services, row["snapshot_id"]), services.store.snapshots.meta(row["snapshot_id"])
                assert meta is not None  # `load` found it
                earlier = services.store.snapshots.previous(row["snapshot_id"])  # what changed since the last pack
                made = report(body, meta["content_hash"], load(services, earlier["id"]) if earlier else None)
                pdf = briefing_pdf(made, services.settings.language)
                rendered[row["snapshot_id"]] = (pdf, meta["as_of"], meta["period"])
            message = _message(services, row, *rendered[row["snapshot_id"]])
            with _smtp(str(url)) as server:
                server.send_message(message)
        except Exception as exc:  # the server or the rendering failed: try again later, the others go on
            wait = min(RETRY_FIRST_S * 2 ** row["attempts"], RETRY_MAX_S)
            services.store.packs.mail_failed(row["id"], f"{type(exc).__name__}: {exc}", now + timedelta(seconds=wait))
            continue
        services.store.packs.mail_sent(row["id"], now)
        sent += 1
    return sent


def look(services: Services) -> None:
    """The writer's job: the schedule, then the outbox."""
    make_due_pack(services)
    send_mail(services)
