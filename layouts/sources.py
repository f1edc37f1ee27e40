"""The sources page: a summary line, each source's health, and the rejected-rows browser, from plain data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.i18n import MISSING, fmt_datetime, fmt_int, fmt_lag, t
from layouts import shell
from layouts.attrs import Attrs
from layouts.ids import SourcesIds
from layouts.names import name, name_lang
from layouts.overview import STATUS_LOOK, labelled_cell, last_good_text, source_table, unit_name

if TYPE_CHECKING:  # plain data from the pages; layouts never touch the store
    from dashboard.core.writer import LeaseState
    from dashboard.metrics.freshness import FreshnessStatus, SourceFreshness
    from dashboard.pages.sources import RejectedPage, RejectedRow

SOURCE_PARAM = "source"
PAGE_PARAM = "page"
PROBLEMS: tuple[FreshnessStatus, ...] = ("error", "stale", "never", "slow")
COLUMNS = (
    "sources.col.source",
    "sources.col.unit",
    "sources.col.profile",
    "sources.col.status",
    "sources.col.last_good",
    "sources.col.lag",
    "sources.col.rows",
    "sources.col.error",
    "sources.col.retry",
    "sources.col.rejected",
)
REJECTED_COLUMNS = (
    "rejected.col.time",
    "sources.col.source",
    "rejected.col.stream",
    "rejected.col.key",
    "rejected.col.field",
    "rejected.col.reason",
)


def rejected_href(lang: str, source: str | None = None, page: int = 1) -> str:
    """The sources page's address showing the rejected rows of `source` (all when None) at `page`."""
    query: dict[str, Any] = {"lang": lang}
    if source:
        query[SOURCE_PARAM] = source
    if page > 1:
        query[PAGE_PARAM] = page
    return f"{shell.SOURCES_PATH}?{urlencode(query)}"


def status_badge(status: str, lang: str) -> dbc.Badge:
    """The status in words on its colour: never colour alone."""
    key, color, text_color = STATUS_LOOK[status]
    return dbc.Badge(t(key, lang), color=color, text_color=text_color, className="pulse-status")


def writer_line(writer: LeaseState | None, now: datetime, lang: str) -> html.Span:
    """Who writes the data path: the lease's holder, token and expiry; a warning when nobody does."""
    if writer is None or writer.holder is None or writer.expires_at is None:
        return html.Span(t("sourcespage.writer.none", lang), className="pulse-summary-note pulse-writer is-none")
    if not writer.held_at(now):
        text = t(
            "sourcespage.writer.expired", lang, holder=writer.holder, expires=fmt_datetime(writer.expires_at, lang)
        )
        return html.Span(text, className="pulse-summary-note pulse-writer is-expired")
    text = t(
        "sourcespage.writer",
        lang,
        holder=writer.holder,
        token=fmt_int(writer.token, lang),
        renewed=fmt_datetime(writer.renewed_at, lang),
        expires=fmt_datetime(writer.expires_at, lang),
    )
    return html.Span(text, className="pulse-summary-note pulse-writer")


def calendar_warning(unconfirmed: Sequence[int], lang: str) -> dbc.Alert | None:
    """A warning naming the years (last, this, next) whose working-day calendar no government decision confirms:
    their days off are only an estimate. None when every one of them is confirmed."""
    if not unconfirmed:
        return None
    text = t("sourcespage.calendar_unconfirmed", lang, years=", ".join(str(year) for year in unconfirmed))
    return dbc.Alert(text, color="warning", className="pulse-calendar-warning")


def summary(
    sources: Sequence[SourceFreshness], lang: str, writer: LeaseState | None = None, now: datetime | None = None
) -> list[Component]:
    """ "Nguồn cập nhật đúng hạn: 22 / 24", a badge per kind of problem with its count, the rejected rows in all, and who
    writes (when `now` is given)."""
    counts = Counter(source.status for source in sources)
    ok = t("sourcespage.summary", lang, ok=fmt_int(counts["ok"], lang), total=fmt_int(len(sources), lang))
    problems = [
        html.Span([status_badge(status, lang), " ", fmt_int(counts[status], lang)], className="pulse-summary-count")
        for status in PROBLEMS
        if counts[status]
    ]
    rejected = sum(source.rejected_count for source in sources)
    return [
        html.Span(ok, className="pulse-summary-main"),
        *problems,
        html.Span(t("sourcespage.rejected_total", lang, n=fmt_int(rejected, lang)), className="pulse-summary-note"),
        *([writer_line(writer, now, lang)] if now is not None else []),
    ]


def _error_cell(source: SourceFreshness, lang: str) -> Any:
    if not source.error_kind:
        return MISSING
    words = html.Div(t(f"error.{source.error_kind}", lang), className="pulse-error-words")
    if not source.last_error:  # its text withheld: for the sources' admins only
        return html.Div([words])
    return html.Div([words, html.Div(source.last_error, title=source.last_error, className="pulse-error small")])


def _retry_cell(source: SourceFreshness, lang: str) -> Any:
    if source.next_retry_at is None:
        return MISSING
    failures = t("sources.failures", lang, n=fmt_int(source.consecutive_failures, lang))
    return html.Div(
        [html.Div(fmt_datetime(source.next_retry_at, lang)), html.Div(failures, className="pulse-muted small")]
    )


def _rejected_cell(source: SourceFreshness, lang: str) -> Component | str:
    count = fmt_int(source.rejected_count, lang)
    if not source.rejected_count:
        return count
    return dcc.Link(
        count,
        href=rejected_href(lang, source.name),
        title=t("sources.rejected_link", lang, n=count, source=source.name),
        className="pulse-rejected-link",
    )


def _rows_cell(source: SourceFreshness, lang: str) -> html.Div:
    """The rows the store holds for the source, and below them the rows read to get them (re-reads included)."""
    seen = t("sources.rows_seen", lang, n=fmt_int(source.rows_seen, lang))
    return html.Div([html.Div(fmt_int(source.rows_total, lang)), html.Div(seen, className="pulse-muted small")])


def _source_values(source: SourceFreshness, lang: str) -> tuple[Any, ...]:
    return (
        html.Code(source.name, title=source.backend or None),  # never its address: admins only (docs/security.md)
        name(unit_name(source, lang), name_lang(lang)),
        html.Code(source.profile),
        status_badge(source.status, lang),
        last_good_text(source, lang),
        fmt_lag(source.lag, lang),
        _rows_cell(source, lang),
        _error_cell(source, lang),
        _retry_cell(source, lang),
        _rejected_cell(source, lang),
    )


def sources_table(sources: Sequence[SourceFreshness], lang: str) -> Component:
    """One row per configured source: where it stands, its last error in plain words, and its rejected rows."""
    return source_table(sources, COLUMNS, _source_values, lang, "pulse-sources-full")


def table_area(
    sources: Sequence[SourceFreshness], lang: str, unlisted: Mapping[str, Sequence[tuple[str, int]]] | None = None
) -> list[Component]:
    """The sources table, then, for each source whose dossiers carry procedures the catalogue does not list
    (accepted by its profile), a warning naming the codes (`SourcesView.unlisted`)."""
    return [sources_table(sources, lang), *unlisted_notes(unlisted, lang)]


UNLISTED_CODES_SHOWN = 10


def unlisted_notes(unlisted: Mapping[str, Sequence[tuple[str, int]]] | None, lang: str) -> list[Component]:
    notes = []
    for source, codes in sorted((unlisted or {}).items()):
        shown = ", ".join(f"{code} ({fmt_int(n, lang)})" for code, n in codes[:UNLISTED_CODES_SHOWN])
        more = t("sources.unlisted.more", lang, n=fmt_int(len(codes) - UNLISTED_CODES_SHOWN, lang))
        text = t(
            "sources.unlisted",
            lang,
            source=source,
            n=fmt_int(sum(n for _code, n in codes), lang),
            codes=shown + (more if len(codes) > UNLISTED_CODES_SHOWN else ""),
        )
        notes.append(dbc.Alert(text, color="warning", className="pulse-unlisted small mt-2 mb-0"))
    return notes


def _filter(rejected: RejectedPage, lang: str) -> html.Nav:
    choices: list[tuple[str | None, str, int]] = [(None, t("rejected.all", lang), sum(rejected.counts.values()))]
    names = sorted(set(rejected.counts) | ({rejected.source} if rejected.source else set()))
    choices += [(name, name, rejected.counts.get(name, 0)) for name in names]
    links = [
        dcc.Link(
            [label, html.Span(fmt_int(count, lang), className="pulse-chip-count")],
            href=rejected_href(lang, name),
            className="pulse-chip" + (" is-current" if name == rejected.source else ""),
        )
        for name, label, count in choices
    ]
    return html.Nav(links, className="pulse-chips", **Attrs({"aria-label": t("rejected.filter", lang)}))


def _raw_value(value: Any, lang: str) -> html.Dd:
    if value is None:
        return html.Dd(t("rejected.null", lang), className="is-null")
    return html.Dd(str(value))


def raw_table(row: RejectedRow, lang: str) -> html.Dl:
    """The source row as read: column → value, the column behind the rejected field marked."""
    pairs = [
        html.Div(
            [html.Dt(column), _raw_value(value, lang)],
            className="pulse-raw-pair" + (" is-rejected" if column == row.raw_column else ""),
        )
        for column, value in row.raw
    ]
    return html.Dl(pairs, className="pulse-raw", **Attrs({"aria-label": t("rejected.raw", lang)}))


def _rejected_rows(row: RejectedRow, lang: str, raw_withheld: bool = False) -> list[html.Tr]:
    values = (
        fmt_datetime(row.rejected_at, lang),
        html.Code(row.source),
        t(f"stream.{row.stream}", lang),
        html.Code(row.native_key or MISSING),
        html.Code(row.field or MISSING),
        html.Span(row.reason, className="pulse-reason"),
    )
    main = html.Tr(
        [labelled_cell(value, t(key, lang)) for key, value in zip(REJECTED_COLUMNS, values, strict=True)],
        className="pulse-rejected-row",
    )
    shown = (
        html.P(t("rejected.raw_withheld", lang), className="pulse-empty small")
        if raw_withheld
        else raw_table(row, lang)
    )
    raw = html.Tr(html.Td(shown, colSpan=len(REJECTED_COLUMNS)), className="pulse-raw-row")
    return [main, raw]


def _page_link(label: str, page: int, enabled: bool, link_id: str, rejected: RejectedPage, lang: str) -> Component:
    if not enabled:
        return html.Span(label, className="pulse-page-link is-disabled", **Attrs({"aria-disabled": "true"}))
    return dcc.Link(label, href=rejected_href(lang, rejected.source, page), id=link_id, className="pulse-page-link")


def _pager(rejected: RejectedPage, lang: str) -> html.Nav | None:
    if rejected.pages <= 1:
        return None
    page = rejected.page
    return html.Nav(
        [
            _page_link(t("rejected.prev", lang), page - 1, page > 1, SourcesIds.REJECTED_PREV, rejected, lang),
            html.Span(t("rejected.page", lang, page=fmt_int(page, lang), pages=fmt_int(rejected.pages, lang))),
            _page_link(
                t("rejected.next", lang), page + 1, page < rejected.pages, SourcesIds.REJECTED_NEXT, rejected, lang
            ),
        ],
        className="pulse-pager",
        **Attrs({"aria-label": t("rejected.pages", lang)}),
    )


def rejected_browser(rejected: RejectedPage, lang: str) -> list[Component]:
    """The source filter, one page of rejected rows (time, stream, key, field, reason, raw values) and the pager."""
    parts: list[Component] = [_filter(rejected, lang)]
    if not rejected.rows:
        key = "rejected.empty_source" if rejected.source else "rejected.empty"
        parts.append(html.P(t(key, lang, source=rejected.source), className="text-body-secondary pulse-empty"))
        return parts
    first = (rejected.page - 1) * rejected.page_size + 1
    last = first + len(rejected.rows) - 1
    span = t(
        "rejected.range",
        lang,
        first=fmt_int(first, lang),
        last=fmt_int(last, lang),
        total=fmt_int(rejected.total, lang),
    )
    head = html.Thead(html.Tr([html.Th(t(key, lang), scope="col") for key in REJECTED_COLUMNS]))
    body = html.Tbody([tr for row in rejected.rows for tr in _rejected_rows(row, lang, rejected.raw_withheld)])
    rest: list[Component | None] = [
        html.P(span, className="pulse-range"),
        dbc.Table([head, body], className="pulse-rejected align-middle mb-0"),
        _pager(rejected, lang),
    ]
    return parts + [part for part in rest if part is not None]


def layout(
    sources: Sequence[SourceFreshness],
    rejected: RejectedPage,
    as_of: datetime,
    lang: str,
    pathname: str,
    refresh_ms: int,
    seen: list,
    writer: LeaseState | None = None,
    wall_time: datetime | None = None,
    calendar_unconfirmed: Sequence[int] = (),
    unlisted: Mapping[str, Sequence[tuple[str, int]]] | None = None,
) -> html.Div:
    """The whole page; the rejected rows come into view when the address picks a source or a page. A warning heads
    it when a year of `calendar_unconfirmed` (`SourcesView.calendar_unconfirmed`) has no holiday decision."""
    warning = calendar_warning(calendar_unconfirmed, lang)
    body = html.Div(
        [
            *([warning] if warning is not None else []),
            dcc.Interval(id=SourcesIds.INTERVAL, interval=refresh_ms),
            dcc.Store(id=SourcesIds.SEEN, data=seen),
            dcc.Store(id=SourcesIds.FOCUS, data=rejected.source is not None or rejected.page > 1),
            dcc.Store(id=SourcesIds.FOCUSED),
            html.Section(
                summary(sources, lang, writer, wall_time),
                id=SourcesIds.SUMMARY,
                className="pulse-section pulse-summary",
                **Attrs({"aria-label": t("sourcespage.summary.label", lang)}),
            ),
            html.Section(
                [
                    html.H2(t("sourcespage.table", lang), className="pulse-section-title"),
                    html.Div(table_area(sources, lang, unlisted), id=SourcesIds.TABLE, className="pulse-panel"),
                ],
                className="pulse-section",
            ),
            html.Section(
                [
                    html.H2(t("rejected.title", lang), className="pulse-section-title"),
                    html.Div(rejected_browser(rejected, lang), id=SourcesIds.REJECTED, className="pulse-panel"),
                ],
                id=SourcesIds.REJECTED_SECTION,
                className="pulse-section",
            ),
        ]
    )
    return shell.page(t("sourcespage.title", lang), as_of, lang, pathname, body)
