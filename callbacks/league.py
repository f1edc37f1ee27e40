"""The league page: render `dashboard.pages.league`'s model for the address, refresh it when the data version or the minute changes, filter the
grid as the viewer types, and export it (CSV in the browser, XLSX from the server); an export of a filtered grid
says so in its file name (and the XLSX in its title row)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from dash import Dash, Input, Output, Patch, State, dcc, no_update
from dash.development.base_component import Component

from dashboard.core.cache import Cache, cache_of
from dashboard.core.i18n import lang_from_search
from dashboard.core.vocabulary import DEFAULT_KIND, DEFAULT_PERIOD, LEAGUE_KINDS
from dashboard.pages.common import current_key, page_as_of, period_or_default
from dashboard.pages.league import default_kind, league_data, league_keyed
from dashboard.services import Services
from layouts import league as league_layout
from layouts import shell
from layouts.ids import LeagueIds, ShellIds
from layouts.league_grid import KIND_PARAM, PERIOD_PARAM, grid_rows
from layouts.league_xlsx import filtered_name, league_workbook, shown_order

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CSV = "function(n) { return n ? true : window.dash_clientside.no_update; }"


def league_query(search: str | None, default: str = DEFAULT_KIND) -> tuple[str, str]:
    """The kind and period of the address; the defaults (`default`, 30 days) for missing or unknown values."""
    values = parse_qs((search or "").lstrip("?"))
    kind = (values.get(KIND_PARAM) or [""])[0]
    period = (values.get(PERIOD_PARAM) or [""])[0]
    return kind if kind in LEAGUE_KINDS else default, period_or_default(period, DEFAULT_PERIOD)


def asked(services: Services, search: str | None) -> tuple[str, str, datetime | None]:
    """The address's kind, period and as-of; without a kind, the first league of today (no districts since 2025);
    without a valid `as_of`, now."""
    now = services.clock.now()
    return (*league_query(search, default_kind(services.store, now)), page_as_of(search, now))


def page(services: Services, cache: Cache, lang: str, pathname: str, search: str | None) -> Component:
    """The whole league page for the kind and period in the address."""
    key, view = league_keyed(services, cache, current_key(services), *asked(services, search))
    return league_layout.layout(view, lang, pathname, services.settings.refresh_ms, key)


def refresh(services: Services, cache: Cache, seen: list[Any] | None, search: str | None) -> tuple[Any, ...]:
    """New as-of text, summary, grid rows and key; `no_update` for all when the key has not changed — or when the
    new key's league is still computed in the background and the one shown is the newest so far."""
    key = current_key(services)
    if key == seen:
        return (no_update,) * 4
    key, view = league_keyed(services, cache, key, *asked(services, search))
    if key == seen:
        return (no_update,) * 4
    lang = lang_from_search(search, services.settings.language)
    rows = grid_rows(view.rows, lang, view.period)
    return shell.as_of_text(view.as_of, lang), league_layout.summary(view, lang), rows, key


def export_xlsx(
    services: Services, cache: Cache, shown: list[dict] | None, search: str | None, text: str | None = None
) -> dict[str, Any]:
    """The league as an Excel file, the rows in the order and filter the grid shows; `text`: the search box's."""
    view = league_data(services, cache, current_key(services), *asked(services, search))
    order = shown_order(shown, len(view.rows))  # rebuilt from the server's rows, capped: never the client's
    content = league_workbook(view, lang_from_search(search, services.settings.language), order, text)
    name = filtered_name(league_layout.export_name(view), text)
    return dcc.send_bytes(content, f"{name}.xlsx", type=XLSX_TYPE)


def csv_file_name(services: Services, cache: Cache, text: str | None, search: str | None) -> Patch:
    """The browser CSV's file name for the search box's `text`: "…-loc-quan-1.csv" when it filters the grid."""
    view = league_data(services, cache, current_key(services), *asked(services, search))
    params = Patch()
    params["fileName"] = f"{filtered_name(league_layout.export_name(view), text)}.csv"
    return params


def quick_filter(text: str | None) -> Patch:
    """Show only the rows with `text` somewhere in them (AG Grid's quick filter)."""
    options = Patch()
    options["quickFilterText"] = text or ""
    return options


def register(app: Dash, services: Services) -> None:
    """The refresh (driven by the page's `dcc.Interval`), the search box and the two exports."""
    cache = cache_of(app)

    @app.callback(
        Output(ShellIds.AS_OF, "children", allow_duplicate=True),  # other pages' refreshes write it too
        Output(LeagueIds.SUMMARY, "children"),
        Output(LeagueIds.GRID, "rowData"),
        Output(LeagueIds.SEEN, "data"),
        Input(LeagueIds.INTERVAL, "n_intervals"),
        State(LeagueIds.SEEN, "data"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def refresh_league(_n_intervals: int, seen: list[Any] | None, search: str | None) -> tuple[Any, ...]:
        return refresh(services, cache, seen, search)

    @app.callback(
        Output(LeagueIds.DOWNLOAD, "data"),
        Input(LeagueIds.XLSX, "n_clicks"),
        State(LeagueIds.GRID, "virtualRowData"),
        State(ShellIds.LOCATION, "search"),
        State(LeagueIds.SEARCH, "value"),
        prevent_initial_call=True,
    )
    def download_xlsx(
        _n_clicks: int, shown: list[dict] | None, search: str | None, text: str | None = None
    ) -> dict[str, Any]:
        return export_xlsx(services, cache, shown, search, text)

    @app.callback(
        Output(LeagueIds.GRID, "csvExportParams"),
        Input(LeagueIds.SEARCH, "value"),
        State(ShellIds.LOCATION, "search"),
        prevent_initial_call=True,
    )
    def name_csv(text: str | None, search: str | None) -> Patch:
        return csv_file_name(services, cache, text, search)

    app.callback(
        Output(LeagueIds.GRID, "dashGridOptions"), Input(LeagueIds.SEARCH, "value"), prevent_initial_call=True
    )(quick_filter)
    app.clientside_callback(
        EXPORT_CSV,
        Output(LeagueIds.GRID, "exportDataAsCsv"),
        Input(LeagueIds.CSV, "n_clicks"),
        prevent_initial_call=True,
    )
