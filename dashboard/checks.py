"""What `check` and `verify` say, line by line: each source reached and its mapped columns probed, what the store
knows of its pulls, who holds the writer lease, the working-day calendar's unconfirmed years; every rollup against
a recount, each source reconciled."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from dashboard.core.clock import SystemClock, city_time
from dashboard.core.errors import CalendarError
from dashboard.core.i18n import fmt_datetime, fmt_int, fmt_lag, t
from dashboard.core.settings import Settings
from dashboard.core.workdays import WorkCalendar
from dashboard.ingest.pull import plain_error
from dashboard.ingest.reconcile import reconcile
from dashboard.ingest.sources_file import SourceConfig
from dashboard.pages import freshness
from dashboard.services import Services
from dashboard.store import Store
from dashboard.store.verify import verify
from data_sources.profiles import Profile
from data_sources.reader import ProbeProblem, SourceReader


def problem_text(problem: ProbeProblem, profile: Profile, secret: str | None, lang: str) -> str:
    """One missing table or column in words (any password in a database error hidden)."""
    names = {"stream": problem.stream, "table": problem.table, "column": problem.column}
    if problem.kind == "missing_table":
        return t("check.missing_table", lang, **names)
    if problem.kind == "unreadable":
        error = problem.error or ""
        return t("check.unreadable", lang, **names, error=error.replace(secret, "***") if secret else error)
    if problem.field:
        return t("check.missing_column", lang, **names, field=problem.field)
    is_key = problem.column == profile.streams[problem.stream].key
    return t("check.missing_key" if is_key else "check.missing_cursor", lang, **names)


def source_lines(settings: Settings, sources: list[SourceConfig]) -> Iterator[tuple[bool, list[str]]]:
    """Per source: (OK?, its lines) — OK only when it is reached and every mapped column is there."""
    health = stored_health(settings, sources)
    lang = settings.language
    for source in sources:
        profile = source.load_profile()
        reader = SourceReader(source.url, profile, timeout_s=min(settings.pull_timeout_s, 10))
        head = f"{source.name:<28} {source.profile:<14}"
        try:
            reader.source_now()
            lines = [f"FAIL  {head} {problem_text(p, profile, source.password, lang)}" for p in reader.probe()]
        except Exception as exc:  # a source out of reach is this source's line, never the end of `check`
            lines = [f"FAIL  {head} {plain_error(exc, source.password)}"]
        finally:
            reader.dispose()
        ok = not lines
        yield ok, (lines or [f"OK    {head} {source.safe_url}"]) + health.get(source.name, [])


def stored_health(settings: Settings, sources: Iterable[SourceConfig]) -> dict[str, list[str]]:
    """Per source, what the store knows of its pulls (nothing when the store has not been created yet)."""
    store = Store(settings.resolved_store_url)
    try:
        if not store.is_migrated():
            return {}
        now, lang = SystemClock().now(), settings.language
        lines: dict[str, list[str]] = {}
        for item in freshness.source_freshness(store, sources, now, settings.stale_factor):
            if item.last_good_pull_at is None and item.last_error is None:
                continue
            out = [
                t(
                    "check.state",
                    lang,
                    last=fmt_datetime(item.last_good_pull_at, lang),
                    lag=fmt_lag(item.lag, lang),
                    rows=fmt_int(item.rows_total, lang),
                    seen=fmt_int(item.rows_seen, lang),
                    rejected=fmt_int(item.rejected_count, lang),
                )
                if item.last_good_pull_at
                else t("check.never", lang)
            ]
            if item.last_error:
                kind = t(f"error.{item.error_kind}", lang)
                out.append(t("check.error", lang, kind=kind, error=item.last_error))
            if item.next_retry_at:
                out.append(
                    t("check.retry", lang, time=fmt_datetime(item.next_retry_at, lang), n=item.consecutive_failures)
                )
            lines[item.name] = out
        return lines
    finally:
        store.dispose()


def writer_line(settings: Settings) -> str:
    """Who holds the store's writer lease, with its token and expiry; or that nobody writes."""
    lang = settings.language
    store = Store(settings.resolved_store_url)
    try:
        state = store.writer() if store.is_migrated() else None
    finally:
        store.dispose()
    if state is None or state.holder is None or state.expires_at is None:
        return t("sourcespage.writer.none", lang)
    if not state.held_at(SystemClock().now()):
        return t("sourcespage.writer.expired", lang, holder=state.holder, expires=fmt_datetime(state.expires_at, lang))
    renewed, expires = fmt_datetime(state.renewed_at, lang), fmt_datetime(state.expires_at, lang)
    return t(
        "sourcespage.writer",
        lang,
        holder=state.holder,
        token=fmt_int(state.token, lang),
        renewed=renewed,
        expires=expires,
    )


def calendar_lines(settings: Settings, now: datetime | None = None) -> list[str]:
    """A warning naming last, this and next year (by `now`, the system clock by default) when the working-day
    calendar has no government decision for them; nothing when it has one for each. A holiday file that does not
    load is said too."""
    lang = settings.language
    try:
        calendar = WorkCalendar.from_yaml(settings.holidays_file)
    except CalendarError as exc:
        return [t("check.calendar_error", lang, error=str(exc))]
    year = city_time(now or SystemClock().now()).year
    unconfirmed = calendar.unconfirmed_years(year - 1, year + 1)
    if not unconfirmed:
        return []
    file = settings.holidays_file or "dashboard/data/holidays.yaml"
    return [t("check.calendar_unconfirmed", lang, years=", ".join(map(str, unconfirmed)), file=file)]


def rollup_lines(store: Store) -> Iterator[tuple[bool, str]]:
    """Per rollup table: OK with its row count, or DIFF with the rows that differ from a recount (first ones)."""
    for check in verify(store.engine):
        if check.ok:
            yield True, f"OK    {check.table:<22} {check.rows:,} rows equal a recount from the raw rows"
            continue
        yield (
            False,
            f"DIFF  {check.table:<22} {check.only_kept:,} rows kept that a recount does not give, "
            f"{check.only_recounted:,} recounted rows not kept (rebuild-rollups mends it)",
        )
        for label, rows in (("kept", check.examples_kept), ("recount", check.examples_recounted)):
            for row in rows:
                yield False, f"      {label:<8} {tuple(str(v) for v in row)}"


def reconciliation_lines(services: Services, since: datetime) -> Iterator[tuple[bool, str]]:
    """Per source and stream: rows at the source in the window, stored, rejected, missing (lost) and gone."""
    for source in services.sources:
        try:
            found = reconcile(services.store, source, since, services.settings.chunk_size)
        except Exception as exc:  # out of reach: this source's line
            yield False, f"FAIL  {source.name:<28} {plain_error(exc, source.password)}"
            continue
        for item in found:
            head = f"{'OK' if item.ok else 'LOST':<5} {item.source + '/' + item.stream:<28}"
            window = f"since {item.since:%d/%m/%Y %H:%M}" if item.since else "all rows"
            text = (
                f"{head} {window}: {item.at_source:,} at the source, {item.stored:,} stored, "
                f"{item.rejected:,} rejected, {len(item.missing):,} missing, {len(item.gone):,} gone at the source"
            )
            if item.duplicated:
                text += f", {item.duplicated:,} native ids twice at the source"
            yield item.ok, text
            if item.missing:
                yield False, f"      missing: {', '.join(item.missing[:10])}" + (" …" if len(item.missing) > 10 else "")
