"""The unit tile: read the address, ask `dashboard.pages.unit` for the tile's model, hand it to `layouts.unit`,
refresh when the data version or the minute changes, and send the tile's workbook or a whole list's CSV or workbook
(`dashboard.pages.unit_export` reads every row of the list, `layouts.unit_exports` and `layouts.unit_xlsx` write)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote

from dash import Dash, Input, Output, State, ctx, dcc, no_update
from dash.development.base_component import Component

from callbacks.polls import request_value, request_values
from dashboard.auth.context import current_principal
from dashboard.auth.roles import VIEW_DRILL, VIEW_TILE_DETAIL, allowed
from dashboard.core.cache import NO_CLOCK, UNCHANGED, Cache, cache_of
from dashboard.core.i18n import lang_from_search
from dashboard.core.paging import page_asked
from dashboard.core.vocabulary import DEFAULT_PERIOD, DOSSIER_FILTERS, FEEDBACK_LISTS
from dashboard.pages.common import current_key, page_as_of, period_or_default
from dashboard.pages.unit import TileQuery, UnitView, shown_tile_key, tile_data, tile_keyed, without_lists
from dashboard.pages.unit_export import whole_list
from dashboard.services import Services
from layouts import shell, unit_exports, unit_xlsx
from layouts import unit as unit_layout
from layouts.ids import ShellIds, UnitIds

SCROLL_TO_LIST = f"""function(focus) {{
    if (focus) {{
        window.requestAnimationFrame(function() {{
            var list = document.getElementById("{UnitIds.DRILL}");
            if (list) {{ list.scrollIntoView({{block: "start"}}); }}
        }});
    }}
    return window.dash_clientside.no_update;
}}"""


def tile_query(pathname: str | None, search: str | None, now: datetime | None = None) -> TileQuery:
    """The unit key (as written in the path), a known period (else 30d), a known dossier filter (else none), a page,
    and (given `now`) a valid past `as_of` (else now)."""
    key = unquote((pathname or "")[len(unit_layout.UNIT_PATH) :]).strip("/")
    values = parse_qs((search or "").lstrip("?"))

    def first(name: str) -> str:
        return (values.get(name) or [""])[0]

    period, list_name, page = (
        first(p) for p in (unit_layout.PERIOD_PARAM, unit_layout.LIST_PARAM, unit_layout.PAGE_PARAM)
    )
    return TileQuery(
        key=key,
        period=period_or_default(period, DEFAULT_PERIOD),
        list_name=list_name if list_name in DOSSIER_FILTERS or list_name in FEEDBACK_LISTS else None,
        page=page_asked(page),
        as_of=page_as_of(search, now) if now else None,
    )


def for_viewer(view: UnitView | None) -> UnitView | None:
    """The tile as the request's principal may see it: without individual dossiers unless the unit is its own (or
    its role sees every unit's)."""
    viewer, key = current_principal(), view.unit["key"] if view else None
    if view is None or (allowed(viewer, VIEW_DRILL, key) and allowed(viewer, VIEW_TILE_DETAIL, key)):
        return view
    return without_lists(view)


def page(services: Services, cache: Cache, lang: str, pathname: str, search: str | None) -> Component:
    """The whole tile for the address, or a not-found page naming the key."""
    query = tile_query(pathname, search, services.clock.now())
    key, found = tile_keyed(services, cache, current_key(services), query)
    view = for_viewer(found)
    if view is None:
        return unit_layout.not_found(query.key, lang, pathname)
    return unit_layout.layout(view, lang, pathname, services.settings.refresh_ms, key)


def refresh(
    services: Services, cache: Cache, seen: list[Any] | None, pathname: str | None, search: str | None
) -> tuple[Any, ...]:
    """New as-of text, every refreshed part and key; `no_update` for all when the key has not changed — or when the
    new key's tile is still computed in the background and the one shown is the newest so far."""
    key, view = current_key(services), None
    if key != seen:
        key, view = tile_keyed(services, cache, key, tile_query(pathname, search, services.clock.now()))
    view = None if key == seen else for_viewer(view)
    if view is None:
        return (no_update,) * (len(unit_layout.REFRESHED) + 2)
    lang = lang_from_search(search, services.settings.language)
    return (shell.as_of_text(view.as_of, lang), *unit_layout.refreshed(view, lang), key)


def ready_matches(body: dict[str, Any]) -> bool:
    """A request of the tile's refresh (`register`): its interval as input, the key it shows as state."""
    return UnitIds.INTERVAL in request_values(body, "inputs") and UnitIds.SEEN in request_values(body, "state")


def ready_identity(services: Services, cache: Cache) -> Callable[[dict[str, Any]], str | None]:
    """What a tile refresh's answer depends on — the key it will show (`pages.unit.shown_tile_key`), the address
    and what the viewer may see (`for_viewer`: its kind, role and units; not who it is) — or `UNCHANGED` when the
    tile shows it already. So the unit heads and leaders on a tile cost one answer a key, however many."""

    def identity(body: dict[str, Any]) -> str | None:
        seen, key = request_values(body, "state").get(UnitIds.SEEN), current_key(services)
        if key == seen:
            return UNCHANGED
        pathname = request_value(body, "state", ShellIds.LOCATION, "pathname")
        search = request_value(body, "state", ShellIds.LOCATION, "search")
        shown = shown_tile_key(services, cache, key, tile_query(pathname, search, services.clock.now()))
        if shown is None:
            return None
        if shown == seen:  # it shows the newest so far while the next is computed: nothing to send
            return UNCHANGED
        viewer = current_principal()
        return json.dumps([shown, pathname, search, viewer.kind, viewer.role, sorted(viewer.units)])

    return identity


def ready_stamp(identity: str, answer: dict[str, Any]) -> int | None:
    """`NO_CLOCK` (final, no server clock in it) when a refresh's answer shows the key the identity names."""
    shown = answer.get("response", {}).get(UnitIds.SEEN, {}).get("data")
    return NO_CLOCK if shown is not None and shown == json.loads(identity)[0] else None


def export_tile(services: Services, cache: Cache, pathname: str | None, search: str | None) -> Any:
    """The tile the address shows as an Excel workbook: its KPIs, commitments, trend, ageing and late procedures."""
    view = tile_data(services, cache, current_key(services), tile_query(pathname, search, services.clock.now()))
    if view is None:
        return no_update
    content = unit_xlsx.tile_workbook(view, lang_from_search(search, services.settings.language))
    return dcc.send_bytes(content, f"{unit_exports.tile_file_name(view)}.xlsx", type=unit_exports.XLSX_TYPE)


def export_list(services: Services, pathname: str | None, search: str | None, as_csv: bool) -> Any:
    """Every row of the list the address opens (all its pages), as CSV or as an Excel workbook."""
    listed = whole_list(services, tile_query(pathname, search, services.clock.now()))
    if listed is None:
        return no_update
    lang, name = lang_from_search(search, services.settings.language), unit_exports.list_file_name(listed)
    if as_csv:
        return dcc.send_bytes(unit_exports.list_csv(listed, lang), f"{name}.csv", type=unit_exports.CSV_TYPE)
    return dcc.send_bytes(unit_exports.list_workbook(listed, lang), f"{name}.xlsx", type=unit_exports.XLSX_TYPE)


def register(app: Dash, services: Services) -> None:
    """The refresh callback, driven by the tile's `dcc.Interval`, the scroll to an opened list and the downloads."""
    cache = cache_of(app)
    parts = [Output(i, "figure" if i in unit_layout.FIGURES else "children") for i in unit_layout.REFRESHED]

    @app.callback(
        Output(ShellIds.AS_OF, "children", allow_duplicate=True),  # other pages' refreshes write it too
        *parts,
        Output(UnitIds.SEEN, "data"),
        Input(UnitIds.INTERVAL, "n_intervals"),
        State(UnitIds.SEEN, "data"),
        State(ShellIds.LOCATION, "pathname"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def refresh_unit(_n: int, seen: list[Any] | None, pathname: str | None, search: str | None) -> tuple[Any, ...]:
        return refresh(services, cache, seen, pathname, search)

    app.clientside_callback(SCROLL_TO_LIST, Output(UnitIds.FOCUSED, "data"), Input(UnitIds.FOCUS, "data"))

    @app.callback(
        Output(UnitIds.DOWNLOAD, "data"),
        Input(UnitIds.XLSX, "n_clicks"),
        State(ShellIds.LOCATION, "pathname"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def download_tile(_n: int, pathname: str | None, search: str | None) -> Any:
        return export_tile(services, cache, pathname, search)

    @app.callback(
        Output(UnitIds.DRILL_DOWNLOAD, "data"),
        Input(UnitIds.DRILL_CSV, "n_clicks"),
        Input(UnitIds.DRILL_XLSX, "n_clicks"),
        State(ShellIds.LOCATION, "pathname"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def download_list(_csv: int, _xlsx: int, pathname: str | None, search: str | None) -> Any:
        return export_list(services, pathname, search, ctx.triggered_id == UnitIds.DRILL_CSV)
