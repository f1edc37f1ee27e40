"""The briefing snapshots from plain data: the archive (every snapshot with its downloads, the request form and the
requests waiting or failed), two snapshots side by side, and what changed from one to another."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.i18n import MISSING, fmt_date, fmt_decimal, fmt_int, fmt_pct, fmt_score, fmt_time, period_label, t
from layouts import shell
from layouts.attrs import Attrs
from layouts.ids import BriefingsIds
from layouts.names import name, unit_name

if TYPE_CHECKING:  # the briefings pages' model, plain data; layouts never load the store or the pages
    from dashboard.pages.briefings import (
        AlertNote,
        Archive,
        ChangesView,
        Comparison,
        Criteria,
        KeyFigures,
        Ranked,
        RequestRow,
        SnapshotRow,
        Unit,
    )

DOWNLOADS = ("pdf", "docx", "xlsx", "html", "csv")  # the formats of a briefing, each named in the catalogue
A_PARAM, B_PARAM = "a", "b"
CHANGES_SUFFIX = "/changes"
CHANGES_PREFIX = f"{shell.BRIEFINGS_PATH}/"  # /briefings/<id>/changes
ARCHIVE_COLUMNS = ("as_of", "period", "version", "by", "hash", "downloads", "changes")
LEAGUE_COLUMNS = ("league.col.rank", "league.col.unit", "league.col.score", "league.col.on_time")


def when(moment: datetime | None, lang: str) -> str:
    """dd/mm/yyyy HH:MM in city time, as the archive writes an as-of."""
    return MISSING if moment is None else f"{fmt_date(moment, lang)} {fmt_time(moment, lang)}"


def period_name(period: str, lang: str) -> str:
    """The period's name; a period no one knows (a request that failed for it) as it was written."""
    try:
        return period_label("league", period, lang)
    except (KeyError, ValueError):
        return period


def download_href(snapshot_id: int, ext: str, lang: str) -> str:
    return f"{shell.BRIEFINGS_PATH}/{snapshot_id}.{ext}?lang={lang}"


def changes_href(snapshot_id: int, lang: str) -> str:
    return f"{shell.BRIEFINGS_PATH}/{snapshot_id}{CHANGES_SUFFIX}?lang={lang}"


def compare_href(a: int | None, b: int | None, lang: str) -> str:
    query: dict[str, Any] = {A_PARAM: a, B_PARAM: b, "lang": lang}
    return f"{shell.BRIEFINGS_PATH}?{urlencode({k: v for k, v in query.items() if v is not None})}"


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]], class_name: str = "") -> dbc.Table:
    header = html.Thead(html.Tr([html.Th(label, scope="col") for label in head]))
    body = html.Tbody(
        [html.Tr([html.Td(cell, **Attrs({"data-label": label})) for label, cell in zip(head, row, strict=True)])
         for row in rows]
    )  # fmt: skip
    return dbc.Table([header, body], size="sm", hover=True, className=f"pulse-briefings {class_name}".strip())


def _section(title: str, children: Any, **kwargs: Any) -> html.Section:
    return html.Section(
        [html.H2(title, className="pulse-section-title"), *children], className="pulse-section", **kwargs
    )


def _downloads(snapshot_id: int, lang: str) -> html.Div:
    links = [
        html.A(label, href=download_href(snapshot_id, ext, lang), className="pulse-chip pulse-download")
        for ext in DOWNLOADS
        for label in (t(f"briefings.download.{ext}", lang),)
    ]
    return html.Div(
        links, className="pulse-chips", role="group", **Attrs({"aria-label": t("briefings.downloads", lang)})
    )


def snapshot_rows(snapshots: Sequence[SnapshotRow], lang: str) -> Component:
    """Every snapshot, newest first: as-of, period, data version, who asked, sha256 prefix, downloads, changes."""
    if not snapshots:
        return html.P(t("briefings.none", lang), className="pulse-empty pulse-muted")
    rows = [
        (
            when(s.as_of, lang),
            period_name(s.period, lang),
            fmt_int(s.data_version, lang),
            name(s.requested_by),
            html.Code(s.short_hash, title=s.content_hash),
            _downloads(s.id, lang),
            dcc.Link(t("briefings.changes.link", lang), href=changes_href(s.id, lang)),
        )
        for s in snapshots
    ]
    return _table([t(f"briefings.col.{c}", lang) for c in ARCHIVE_COLUMNS], rows)


def _request_text(row: RequestRow, lang: str) -> str:
    values = {"id": row.id, "period": period_name(row.period, lang), "by": row.requested_by}
    return t("briefings.request", lang, time=when(row.requested_at, lang), **values)


def request_rows(requests: Sequence[RequestRow], lang: str) -> Component:
    """The requests waiting for the writer, and those that failed with their error."""
    if not requests:
        return html.P(t("briefings.requests.none", lang), className="pulse-muted")
    items = []
    for row in requests:
        state = t("briefings.state.failed" if row.error else "briefings.state.waiting", lang)
        badge = dbc.Badge(state, color="danger" if row.error else "secondary", className="pulse-status")
        error = [html.Div(row.error, className="pulse-error small")] if row.error else []
        items.append(html.Li([_request_text(row, lang), " ", badge, *error], className="pulse-request"))
    return html.Ul(items, className="pulse-requests list-unstyled")


def _ask_form(lang: str, periods: Sequence[str]) -> html.Div:
    options = [{"label": period_name(p, lang), "value": p} for p in periods]
    return html.Div(
        [
            html.Label(t("briefings.ask.period", lang), htmlFor=BriefingsIds.ASK_PERIOD, className="me-2"),
            dbc.RadioItems(id=BriefingsIds.ASK_PERIOD, options=options, value=periods[0], inline=True),
            dbc.Button(t("briefings.ask.button", lang), id=BriefingsIds.ASK, color="primary", size="sm"),
            html.Div(id=BriefingsIds.ASK_STATUS, role="status", className="pulse-muted small"),
            html.P(t("briefings.ask.note", lang), className="pulse-muted small"),
        ],
        className="pulse-briefings-ask",
    )


def picker_options(snapshots: Sequence[SnapshotRow], lang: str) -> list[dict[str, Any]]:
    """The compare picker's choices: each snapshot by its as-of, period and sha256 prefix."""
    return [{"label": t("briefings.option", lang, time=when(s.as_of, lang), period=period_name(s.period, lang),
                        hash=s.short_hash), "value": s.id} for s in snapshots]  # fmt: skip


def _pick(component_id: str, value: int | None, options: list[dict[str, Any]]) -> dcc.Dropdown:
    return dcc.Dropdown(
        id=component_id, options=options, value=value, clearable=False, className="pulse-briefings-pick"
    )


def _picker(snapshots: Sequence[SnapshotRow], lang: str) -> html.Div:
    """Two snapshots to put side by side (the newest and the one before it, to start with) and the link there."""
    options = picker_options(snapshots, lang)
    a, b = (snapshots[1].id if len(snapshots) > 1 else None), (snapshots[0].id if snapshots else None)
    return html.Div(
        [
            html.Label(t("briefings.compare.a", lang), htmlFor=BriefingsIds.PICK_A),
            _pick(BriefingsIds.PICK_A, a, options),
            html.Label(t("briefings.compare.b", lang), htmlFor=BriefingsIds.PICK_B),
            _pick(BriefingsIds.PICK_B, b, options),
            dcc.Link(
                t("briefings.compare.go", lang),
                id=BriefingsIds.COMPARE,
                href=compare_href(a, b, lang),
                className="btn btn-outline-primary btn-sm",
            ),
        ],
        className="pulse-briefings-picker",
    )


def archive_layout(archive: Archive, lang: str, pathname: str, refresh_ms: int, periods: Sequence[str]) -> html.Div:
    """The archive page: ask for a snapshot now (given `periods` to ask for: only to those who make briefings), the
    requests, every snapshot, and two to compare."""
    ask = [_section(t("briefings.ask.title", lang), [_ask_form(lang, periods)])] if periods else []
    body = html.Div(
        [
            dcc.Interval(id=BriefingsIds.INTERVAL, interval=refresh_ms),
            dcc.Store(id=BriefingsIds.SEEN, data=archive.fingerprint()),
            *ask,
            _section(
                t("briefings.requests.title", lang),
                [html.Div(request_rows(archive.requests, lang), id=BriefingsIds.REQUESTS)],
            ),
            _section(
                t("briefings.archive", lang),
                [html.Div(snapshot_rows(archive.snapshots, lang), id=BriefingsIds.ARCHIVE)],
            ),
            _section(t("briefings.compare.title", lang), [_picker(archive.snapshots, lang)]),
        ]
    )
    return shell.page(t("briefings.title", lang), None, lang, pathname, body)


def _number(value: float | None, ratio: bool, lang: str) -> str:
    return fmt_pct(value, lang) if ratio else fmt_decimal(value, lang, 0)


def _signed(value: float | None, ratio: bool, lang: str) -> str:
    if value is None:
        return MISSING
    sign = "+" if value > 0 else ""
    if ratio:
        return sign + t("briefing.html.points", lang, n=fmt_decimal(value * 100, lang))
    return sign + fmt_decimal(value, lang, 0 if float(value).is_integer() else 1)


def _facts(found: SnapshotRow, lang: str) -> html.P:
    values = {"period": period_name(found.period, lang), "time": when(found.as_of, lang)}
    text = t("briefings.snapshot.facts", lang, version=fmt_int(found.data_version, lang), **values)
    return html.P([text, " · sha256 ", html.Code(found.short_hash, title=found.content_hash)], className="pulse-muted")


def _ranked_rows(rows: Sequence[Ranked], lang: str) -> list[tuple[Any, ...]]:
    return [(MISSING if r.rank is None else str(r.rank), _unit(r.unit, lang), fmt_score(r.score, lang),
             fmt_pct(r.on_time, lang)) for r in rows]  # fmt: skip


def key_figures(figures: KeyFigures, lang: str, column_id: str) -> html.Div:
    """One snapshot's column: its facts, the city's figures, each league's top and bottom."""
    found = figures.snapshot
    city = [(t(f"briefing.html.city.{f.name}", lang), _number(f.value, f.ratio, lang)) for f in figures.city]
    parts: list[Any] = [
        html.H2(when(found.as_of, lang), className="pulse-section-title"),
        _facts(found, lang),
        _downloads(found.id, lang),
        html.H3(t("briefing.html.city", lang), className="h6 mt-3"),
        _table([t("briefing.html.col.figure", lang), t("briefing.html.col.value", lang)], city),
    ]
    head = [t(key, lang) for key in LEAGUE_COLUMNS]
    for league in figures.leagues:
        parts.append(html.H3(t(f"league.kind.{league.kind}", lang), className="h6 mt-3"))
        if not league.ranked:
            parts.append(html.P(t("briefing.html.no_scores", lang), className="pulse-muted"))
            continue
        parts += [html.P(t("briefings.league.top", lang, n=len(league.top)), className="small mb-1"),
                  _table(head, _ranked_rows(league.top, lang))]  # fmt: skip
        if league.bottom:
            parts += [html.P(t("briefings.league.bottom", lang, n=len(league.bottom)), className="small mb-1"),
                      _table(head, _ranked_rows(league.bottom, lang))]  # fmt: skip
    return html.Div(parts, id=column_id, className="pulse-briefings-column")


def _unit(unit: Unit, lang: str) -> html.Span:
    return unit_name(unit.name_vi, unit.name_en, lang)


def _units(units: Sequence[Unit], lang: str) -> Component:
    if not units:
        return html.P(t("briefings.changes.nothing", lang), className="pulse-muted")
    return html.Ul([html.Li(_unit(u, lang)) for u in units])


def _criteria(found: Sequence[Criteria], lang: str) -> Component:
    if not found:
        return html.P(t("briefings.changes.nothing", lang), className="pulse-muted")
    items = [
        html.Li([_unit(c.unit, lang), f": {', '.join(t(f'league.criterion.{n}', lang) for n in c.criteria)}"])
        for c in found
    ]
    return html.Ul(items)


def _alert_item(a: AlertNote, lang: str) -> html.Li:
    kind = t(f"briefing.table.alert.{a.kind}", lang)
    parts: list[Component | str] = [_unit(a.unit, lang), f": {kind} (" if a.source else f": {kind}"]
    if a.source:  # the source's name, an identifier: code
        parts += [html.Code(a.source), ")"]
    return html.Li(parts)


def _alerts(found: Sequence[AlertNote], lang: str) -> Component:
    if not found:
        return html.P(t("briefings.changes.nothing", lang), className="pulse-muted")
    return html.Ul([_alert_item(a, lang) for a in found])


def _movement(places: int, lang: str) -> str:
    return t("briefings.places_up" if places > 0 else "briefings.places_down", lang, n=abs(places))


def changes_section(view: ChangesView, lang: str) -> html.Section:
    """What changed from `view.before` to `view.after`: city deltas, rank movement, commitments newly met and
    missed, units newly late and newly stale, alerts opened and closed."""
    head = [t(key, lang) for key in ("briefing.html.col.figure", "briefings.col.before", "briefings.col.after",
                                       "briefing.html.col.change")]  # fmt: skip
    city = [(t(f"briefing.html.city.{f.name}", lang), _number(f.before, f.ratio, lang), _number(f.after, f.ratio, lang),
             _signed(f.change, f.ratio, lang)) for f in view.city]  # fmt: skip
    moved_head = [t(k, lang) for k in ("league.col.unit", "briefing.html.col.league", "briefing.html.col.rank_before",
                                       "briefing.html.col.rank_after", "briefing.html.col.movement")]  # fmt: skip
    moved = [(_unit(m.unit, lang), t(f"league.kind.{m.league}", lang) if m.league else MISSING, str(m.rank_before),
              str(m.rank_after), _movement(m.places_up, lang)) for m in view.moved]  # fmt: skip
    title = t(
        "briefings.changes.from_to", lang, before=when(view.before.as_of, lang), after=when(view.after.as_of, lang)
    )

    def part(key: str, content: Component) -> list[Component]:
        return [html.H3(t(key, lang), className="h6 mt-3"), content]

    nothing = html.P(t("briefings.changes.moved.none", lang), className="pulse-muted")
    return _section(
        title,
        [
            *part("briefing.html.city", _table(head, city)),
            *part("briefings.changes.moved", _table(moved_head, moved) if moved else nothing),
            *part("briefings.changes.met", _criteria(view.met, lang)),
            *part("briefings.changes.missed", _criteria(view.missed, lang)),
            *part("briefings.changes.late", _units(view.newly_late, lang)),
            *part("briefings.changes.stale", _units(view.newly_stale, lang)),
            *part("briefing.html.changes.alerts_opened", _alerts(view.opened, lang)),
            *part("briefing.html.changes.alerts_closed", _alerts(view.closed, lang)),
        ],
        id=BriefingsIds.CHANGES,
    )


def _back(lang: str) -> dcc.Link:
    return dcc.Link(t("briefings.back", lang), href=f"{shell.BRIEFINGS_PATH}?lang={lang}", className="pulse-back")


def compare_layout(comparison: Comparison, lang: str, pathname: str) -> html.Div:
    """Two snapshots side by side, then what changed from a to b."""
    columns = dbc.Row(
        [
            dbc.Col(key_figures(comparison.a, lang, BriefingsIds.COLUMN_A), md=6),
            dbc.Col(key_figures(comparison.b, lang, BriefingsIds.COLUMN_B), md=6),
        ],
        className="pulse-section",
    )
    body = html.Div([_back(lang), columns, changes_section(comparison.changes, lang)])
    return shell.page(t("briefings.compare.title", lang), None, lang, pathname, body)


def changes_layout(found: SnapshotRow, view: ChangesView | None, lang: str, pathname: str) -> html.Div:
    """What changed since the previous snapshot of the same period (or that there is none)."""
    if view is None:
        text = t(
            "briefings.changes.no_previous", lang, period=period_name(found.period, lang), time=when(found.as_of, lang)
        )
        content: Component = html.P(text, id=BriefingsIds.CHANGES, className="pulse-muted")
    else:
        content = changes_section(view, lang)
    body = html.Div([_back(lang), _facts(found, lang), _downloads(found.id, lang), content])
    return shell.page(t("briefings.changes.title", lang), found.as_of, lang, pathname, body)


def not_found(text: str, lang: str, pathname: str) -> html.Div:
    """A snapshot that is not there, or whose body no longer matches its hash: said in words, with the way back."""
    body = html.Div(
        [html.P(text, id=BriefingsIds.NOT_FOUND, className="lead"), _back(lang)], className="pulse-notfound"
    )
    return shell.page(t("briefings.title", lang), None, lang, pathname, body)
