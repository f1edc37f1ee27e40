"""The briefings pages: the archive at /briefings (its request form, its refresh and its compare picker), two
snapshots side by side at /briefings?a=<id>&b=<id>, and what changed at /briefings/<id>/changes.

The model comes from `dashboard.pages.briefings` (what the store says) and `dashboard.briefings.archive` (what the
bodies say, with the renderings' own `report` and `changes`). The web only files requests; the writer takes them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from dash import Dash, Input, Output, State, no_update
from dash.development.base_component import Component

from dashboard.auth.context import current_principal
from dashboard.auth.roles import MAKE_BRIEFING, allowed
from dashboard.briefings import archive as bodies
from dashboard.core.cache import Cache
from dashboard.core.errors import ParameterError, StoreError
from dashboard.core.i18n import lang_from_search, t
from dashboard.core.paging import whole_number
from dashboard.pages import briefings as model
from dashboard.services import Services
from layouts import briefings as briefings_layout
from layouts import shell
from layouts.ids import BriefingsIds, ShellIds

CHANGES_PREFIX = briefings_layout.CHANGES_PREFIX


def snapshot_ids(search: str | None) -> tuple[int, int] | None:
    """The two snapshots of `?a=<id>&b=<id>` (None unless both are whole numbers)."""
    values = parse_qs((search or "").lstrip("?"))
    a, b = ((values.get(name) or [""])[0] for name in (briefings_layout.A_PARAM, briefings_layout.B_PARAM))
    first, second = whole_number(a), whole_number(b)
    return (first, second) if first is not None and second is not None else None


def page(services: Services, _cache: Cache, lang: str, pathname: str, search: str | None) -> Component:
    """The archive, or two snapshots side by side when the address names them."""
    pair = snapshot_ids(search)
    if pair is None:
        refresh_ms = services.settings.refresh_ms
        may_ask = allowed(current_principal(), MAKE_BRIEFING)  # the guard refuses the others' asks anyway
        periods = model.PERIODS_TO_ASK if may_ask else ()
        return briefings_layout.archive_layout(model.archive(services), lang, pathname, refresh_ms, periods)
    try:
        comparison = bodies.compare(services, *pair)
    except StoreError as error:
        return briefings_layout.not_found(str(error), lang, pathname)
    if comparison is None:
        return briefings_layout.not_found(t("briefings.missing", lang, id=" / ".join(map(str, pair))), lang, pathname)
    return briefings_layout.compare_layout(comparison, lang, pathname)


def changes_page(services: Services, _cache: Cache, lang: str, pathname: str, _search: str | None) -> Component:
    """What changed since the previous snapshot of the same period, at /briefings/<id>/changes."""
    name = pathname[len(CHANGES_PREFIX) :]
    number = name.removesuffix(briefings_layout.CHANGES_SUFFIX)
    snapshot_id = whole_number(number)
    if number == name or snapshot_id is None:
        return shell.not_found(pathname, lang)
    try:
        found = bodies.since_previous(services, snapshot_id)
    except StoreError as error:
        return briefings_layout.not_found(str(error), lang, pathname)
    if found is None:
        return briefings_layout.not_found(t("briefings.missing", lang, id=number), lang, pathname)
    return briefings_layout.changes_layout(*found, lang, pathname)


def ask(services: Services, period: str | None, search: str | None) -> tuple[str, Any]:
    """File a request for a snapshot of `period` now (never a snapshot: the writer makes it); the answer in words
    and the requests as they now are."""
    lang = lang_from_search(search, services.settings.language)
    try:
        request_id, filed = model.ask(services, period or "")
    except ParameterError:
        return t("briefings.ask.bad_period", lang), no_update
    key = "briefings.ask.filed" if filed else "briefings.ask.already"
    answer = t(key, lang, id=request_id, period=briefings_layout.period_name(period or "", lang))
    return answer, briefings_layout.request_rows(model.archive(services).requests, lang)


def refresh(services: Services, seen: list[Any] | None, search: str | None) -> tuple[Any, ...]:
    """The snapshots, the requests, the pickers' choices and the key; `no_update` for all when nothing changed."""
    archive = model.archive(services)
    if archive.fingerprint() == seen:
        return (no_update,) * 5
    lang = lang_from_search(search, services.settings.language)
    options = briefings_layout.picker_options(archive.snapshots, lang)
    rows = briefings_layout.snapshot_rows(archive.snapshots, lang)
    return rows, briefings_layout.request_rows(archive.requests, lang), options, options, archive.fingerprint()


def register(app: Dash, services: Services) -> None:
    """The request form, the refresh (driven by the page's `dcc.Interval`) and the compare link."""

    @app.callback(
        Output(BriefingsIds.ASK_STATUS, "children"),
        Output(BriefingsIds.REQUESTS, "children"),
        Input(BriefingsIds.ASK, "n_clicks"),
        State(BriefingsIds.ASK_PERIOD, "value"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def ask_for_snapshot(_n_clicks: int, period: str | None, search: str | None) -> tuple[str, Any]:
        return ask(services, period, search)

    @app.callback(
        Output(BriefingsIds.ARCHIVE, "children"),
        Output(BriefingsIds.REQUESTS, "children", allow_duplicate=True),
        Output(BriefingsIds.PICK_A, "options"),
        Output(BriefingsIds.PICK_B, "options"),
        Output(BriefingsIds.SEEN, "data"),
        Input(BriefingsIds.INTERVAL, "n_intervals"),
        State(BriefingsIds.SEEN, "data"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def refresh_archive(_n_intervals: int, seen: list[Any] | None, search: str | None) -> tuple[Any, ...]:
        return refresh(services, seen, search)

    @app.callback(
        Output(BriefingsIds.COMPARE, "href"),
        Input(BriefingsIds.PICK_A, "value"),
        Input(BriefingsIds.PICK_B, "value"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def compare_link(a: int | None, b: int | None, search: str | None) -> str:
        return briefings_layout.compare_href(a, b, lang_from_search(search, services.settings.language))
