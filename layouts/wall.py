"""The kiosk wall at /wall: a full-screen frame (header, rotating views, alert ticker) from plain data.

All views are in the page at once, stacked; a client-side callback shows one at a time, so rotating never
reloads or re-renders anything. The refresh callback fills the parts (`parts`) and the figures (`figures`)
only when the data version or the minute changed; the clock ticks client-side.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import dash_ag_grid as dag
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.clock import city_time
from dashboard.core.i18n import fmt_date, fmt_int, t
from dashboard.core.vocabulary import DEPARTMENT, WARD
from layouts import names, wall_gauges, wall_views
from layouts.attrs import Attrs
from layouts.ids import WallIds
from layouts.league_kiosk import kiosk_grid
from layouts.unit import UNIT_PATH
from layouts.wall_model import kiosk_requested

if TYPE_CHECKING:
    from dashboard.pages.wall import WallData
    from layouts.wall_model import WallOptions

# The parts of each view that a refresh replaces (pattern-matching ids {"type": VIEW_BODY, "part": name}).
WALL_PATH = "/wall"
VIEW_PARTS = {
    "summary": ("kpis", "gauge-text"),
    "backlog": ("meters",),
    "map": ("map-legend",),
    "districts": ("districts",),
    "departments": ("departments",),
    "alerts": ("alerts",),
}
VIEW_GRAPHS = {"summary": ("gauge",), "map": ("map",)}


def body_id(part: str) -> dict[str, str]:
    return {"type": WallIds.VIEW_BODY, "part": part}


def graph_id(name: str) -> dict[str, str]:
    return {"type": WallIds.GRAPH, "name": name}


def view_id(view: str) -> dict[str, str]:
    return {"type": WallIds.VIEW, "view": view}


def parts(data: WallData, options: WallOptions, map_notes: tuple[str, ...] = ()) -> dict[str, Callable[[], Any]]:
    """Builders of every refreshable part, by name (called only for the parts on the page)."""
    lang = options.lang
    return {
        "kpis": lambda: wall_views.kpi_tiles(data, lang),
        "gauge-text": lambda: wall_gauges.city_gauge_text(data.overview, data.limits, lang),
        "meters": lambda: wall_gauges.district_meters(data.local(), data.limits, lang, areas_of(data)),
        "map-legend": lambda: wall_views.map_legend(data, options.metric, lang, options.theme, map_notes),
        "districts": lambda: wall_views.league_view(data.local(), lang),
        "departments": lambda: wall_views.league_view(data.of_kind(DEPARTMENT), lang),
        "alerts": lambda: wall_views.alerts_view(data, lang),
    } | {f"period-{view}": lambda: wall_views.period_line(data, lang) for view in options.views}


def areas_of(data: WallData) -> dict[str, str]:
    """Each placed local unit's area (its former province), for counting the units a view does not name."""
    return {place.key: place.area for place in data.places}


def times(data: WallData, now: datetime) -> dict[str, Any]:
    """What the client-side clock needs: the server's now and the data's last change, in epoch ms, and the
    city's UTC offset in minutes."""
    offset = city_time(now).utcoffset()
    return {
        "now": int(now.timestamp() * 1000),
        "changed": int(data.changed_at.timestamp() * 1000) if data.changed_at else None,
        "offset": int(offset.total_seconds() // 60) if offset else 0,
    }


def texts(lang: str) -> dict[str, str]:
    """The "updated N ago" templates for the client-side clock ({n} is filled there), and where a unit's page is."""
    updated = {unit: t(f"wall.updated.{unit}", lang, n="{n}") for unit in ("seconds", "minutes", "hours")}
    return updated | {"never": t("wall.updated.never", lang), "unit_path": UNIT_PATH}


def updated_text(data: WallData, now: datetime, lang: str) -> str:
    """ "cập nhật N giây trước" at render time (the client keeps it counting)."""
    if data.changed_at is None:
        return t("wall.updated.never", lang)
    seconds = max(int((now - data.changed_at).total_seconds()), 0)
    if seconds < 120:
        return t("wall.updated.seconds", lang, n=fmt_int(seconds, lang))
    if seconds < 2 * 3600:
        return t("wall.updated.minutes", lang, n=fmt_int(seconds // 60, lang))
    return t("wall.updated.hours", lang, n=fmt_int(seconds // 3600, lang))


def sources_status(data: WallData, lang: str) -> list[Component]:
    """ "nguồn cập nhật đúng hạn: X / Y", and a warning in words when a source is stale."""
    status: list[Component] = [
        html.Span(
            t("wall.sources", lang, ok=fmt_int(data.sources_ok, lang), total=fmt_int(data.sources_total, lang)),
            className="wall-sources-count",
        )
    ]
    if data.stale_sources:
        status.append(
            html.Span([wall_gauges.LEVEL_ICON["warn"], " ", t("wall.sources.stale", lang)], className="wall-stale-flag")
        )
    return status


def header_class(data: WallData) -> str:
    return "wall-header is-stale" if data.stale_sources else "wall-header"


def _header(data: WallData, options: WallOptions, now: datetime) -> html.Header:
    lang = options.lang
    local = city_time(now)
    return html.Header(
        [
            html.Div(
                [
                    html.Span(t("app.name", lang), className="wall-brand"),
                    html.H1(t("wall.title", lang), className="wall-title"),
                ],
                className="wall-heading",
            ),
            html.Div(
                [
                    html.Div(sources_status(data, lang), id=WallIds.SOURCES, className="wall-sources"),
                    html.Div(updated_text(data, now, lang), id=WallIds.UPDATED, className="wall-updated"),
                ],
                className="wall-status",
            ),
            html.Div(
                [
                    html.Div(local.strftime("%H:%M:%S"), id=WallIds.CLOCK, className="wall-clock"),
                    html.Div(fmt_date(now, lang), id=WallIds.DATE, className="wall-date"),
                ],
                className="wall-time",
            ),
        ],
        id=WallIds.HEADER,
        className=header_class(data),
    )


def _graph(name: str, figure: dict[str, Any], options: WallOptions) -> dcc.Graph:
    clickable = name == "map" and not options.kiosk
    config: dcc.Graph.Config = {
        "displayModeBar": False,
        "responsive": True,
        "staticPlot": not clickable,
        "scrollZoom": False,
    }
    return dcc.Graph(id=graph_id(name), figure=figure, config=config, className=f"wall-graph wall-graph-{name}")


# Views about the city's local units: named for its districts until 30/06/2025, its wards and communes since.
LOCAL_VIEWS = ("backlog", "map", "districts")


def view_title(view: str, data: WallData, lang: str) -> str:
    local = data.local()
    if view in LOCAL_VIEWS and local and local[0].kind == WARD:
        return t(f"wall.view.{view}.ward", lang)
    return t(f"wall.view.{view}", lang)


def _view(
    view: str, position: int, data: WallData, options: WallOptions, built: dict[str, Any], figures: dict
) -> html.Section:
    lang = options.lang
    name = view_title(view, data, lang)
    title = html.Div(
        [
            html.H2(name, className="wall-view-title"),
            html.Span(f"{position + 1} / {len(options.views)}", className="wall-view-position"),
            html.Span(wall_views.period_line(data, lang), id=body_id(f"period-{view}"), className="wall-view-period"),
        ],
        className="wall-view-head",
    )
    bodies = {
        part: html.Div(built[part], id=body_id(part), className=f"wall-part wall-part-{part}")
        for part in VIEW_PARTS[view]
    }
    graphs = {name: _graph(name, figures[name], options) for name in VIEW_GRAPHS.get(view, ())}
    if view == "summary":
        gauge_title = html.H3(t("wall.gauge.title", lang), className="wall-gauge-title")
        gauge = html.Div([gauge_title, graphs["gauge"], bodies["gauge-text"]], className="wall-gauge-block")
        content = [gauge, bodies["kpis"]]
    elif view == "map":
        # A cartogram says how wide it is for its height: its block takes that width, the legend the rest.
        aspect = ((figures["map"].get("layout") or {}).get("meta") or {}).get("aspect")
        style = {"aspectRatio": f"{aspect}"} if aspect else None
        # The map's labels are units' names and their figures: its block marks them as names (layouts.names).
        block = html.Div(
            graphs["map"],
            className=f"wall-map-block {names.NAME_CLASS}",
            style=style,
            lang=names.name_lang(lang),
            **Attrs({"data-name": "map"}),
        )
        content = [block, bodies["map-legend"]]
        kind = " has-aspect" if aspect else ""
        return _section(view, position, title, content, name, kind)
    else:
        content = list(bodies.values())
    return _section(view, position, title, content, name)


def _section(view: str, position: int, title: Any, content: list, name: str, kind: str = "") -> html.Section:
    return html.Section(
        [title, html.Div(content, className=f"wall-view-content wall-content-{view}{kind}")],
        id=view_id(view),
        className="wall-view is-active" if position == 0 else "wall-view",
        **Attrs({"aria-label": name, "data-view": view}),
    )


def _ignored(options: WallOptions) -> html.Div:
    """What the address asked for that the wall does not know (it shows its defaults instead)."""
    return html.Div(
        t("wall.ignored", options.lang, what=", ".join(options.ignored)), className="wall-notice", role="status"
    )


def layout(
    data: WallData,
    options: WallOptions,
    now: datetime,
    figures: dict[str, Any],
    refresh_ms: int,
    seen: list[Any],
    map_notes: tuple[str, ...] = (),
) -> html.Div:
    """The whole wall; `figures` holds the "gauge" and "map" figures, `seen` the key of what it shows."""
    builders = parts(data, options, map_notes)
    wanted = {part for view in options.views for part in VIEW_PARTS[view]}
    built = {part: builders[part]() for part in wanted}
    views = [_view(view, i, data, options, built, figures) for i, view in enumerate(options.views)]
    theme = f"theme-{options.theme}"
    return html.Div(
        [
            dcc.Interval(id=WallIds.POLL, interval=refresh_ms),
            dcc.Interval(id=WallIds.TICK, interval=1000),
            dcc.Interval(id=WallIds.ROTATE, interval=int(options.dwell_s * 1000), disabled=len(options.views) < 2),
            dcc.Store(id=WallIds.SEEN, data=seen),
            dcc.Store(id=WallIds.TIMES, data=times(data, now)),
            dcc.Store(id=WallIds.TEXTS, data=texts(options.lang)),
            dcc.Store(id=WallIds.SCALE, data=seen[-1] if seen else 1.0),
            dcc.Store(id=WallIds.GO),
            _header(data, options, now),
            *([_ignored(options)] if options.ignored else []),
            html.Main(views, id=WallIds.VIEWS, className="wall-views"),
            html.Footer(wall_views.ticker(data, options.lang), id=WallIds.TICKER, className="wall-ticker"),
        ],
        id=WallIds.ROOT,
        className=f"wall {theme}" + ("" if options.kiosk else " is-interactive"),
    )


def kiosk_frame(page: Component, search: str | None) -> Component:
    """Any page with ``?kiosk=1``: the same page in a frame whose CSS ("kiosk display mode" in assets/pulse.css)
    hides the navigation and the controls that need a mouse and sets every text for reading from 5 m; long tables
    show the rows that fit one screen, and how many more there are. A league grid is cut to fit here."""
    if not kiosk_requested(search):
        return page
    for component in list(page._traverse()):  # noqa: SLF001  (Dash's own walk over a layout, before it changes)
        children = getattr(component, "children", None)
        if isinstance(children, list):
            component.children = [kiosk_grid(c) if isinstance(c, dag.AgGrid) else c for c in children]
        elif isinstance(children, dag.AgGrid):
            component.children = kiosk_grid(children)
    return html.Div(page, className="pulse-kiosk")
