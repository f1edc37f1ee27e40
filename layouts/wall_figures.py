"""The wall's figures (the city gauge and the map) and everything a refresh redraws, from plain data: the wall's
figures, its options, the map's shapes (`dashboard.pages.wall.MapShapes`) and the tile grid."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from dashboard.core.geo import TileCell
from dashboard.core.i18n import t
from dashboard.core.vocabulary import WARD
from layouts import maps, wall_geo
from layouts import wall as wall_layout
from layouts.wall_gauges import TEXT_PX, city_gauge
from layouts.wall_views import ticker

if TYPE_CHECKING:
    from dashboard.pages.wall import MapShapes, WallData
    from layouts.wall_model import WallOptions

# The map's part of the screen is about 1.6 times as wide as tall, and a district's name at 28 px ("Bình Thạnh")
# is wider than a square tile of a 6 × 6 grid: the tiles are drawn that much wider than tall.
TILE_ASPECT = 1.6
MESSAGE_CHARS = 48  # a line of the map's message at 28 px, well inside the map's width


def map_figure(
    data: WallData, options: WallOptions, shapes: MapShapes, cells: list[TileCell], scale: float
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The map figure and any note about it (a boundary file that could not be read falls back to tiles)."""
    districts = data.local()
    by_code = {u.code: u for u in districts}
    clickable, points = not options.kiosk, data.feedback_points
    look = (options.metric, data.limits, options.lang, options.theme)
    if shapes.kind == "districts":
        return wall_geo.geo_map(shapes.shapes, by_code, *look, scale=scale, clickable=clickable, points=points), ()
    if shapes.kind == "wards":
        figure = wall_geo.geo_map(
            shapes.shapes,
            by_code,
            *look,
            level=WARD,
            outlines=shapes.outlines,
            scale=scale,
            clickable=clickable,
            points=points,
        )
        return figure, (t("wall.map.wards", options.lang, n=len(shapes.shapes)),)
    notes = (t("wall.map.boundary_error", options.lang, error=shapes.error),) if shapes.error else ()
    if districts and not {c.unit_key for c in cells} & {u.key for u in districts}:
        # The tile grid is of other units (the packaged one: the 24 districts of 2019): a map of empty tiles
        # would say nothing about today's units, so the map says what it needs instead.
        message = t("wall.map.no_tiles", options.lang, n=len(districts))
        return at_wall_size(maps.message_map(message, options.lang, options.theme, scale=scale), scale), ()
    tiles = maps.tile_map(cells, {u.key: u for u in districts}, *look, scale=scale, clickable=clickable, points=points)
    tiles["layout"]["yaxis"]["scaleratio"] = 1 / TILE_ASPECT
    return at_wall_size(tiles, scale), notes


def at_wall_size(figure: dict[str, Any], scale: float) -> dict[str, Any]:
    """`layouts.maps`' figure with no text below the wall's smallest (28 px × scale; the briefings draw the same
    figures smaller, for paper): its labels' and annotations' fonts raised where they are below, and an
    annotation's long line broken into lines that fit beside the legend."""
    least = TEXT_PX * scale
    for trace in figure["data"]:
        font = trace.get("textfont")
        if font is not None and font.get("size", least) < least:
            font["size"] = least
    for note in figure["layout"].get("annotations", ()):
        font = note.setdefault("font", {})
        font["size"] = max(font.get("size", least), least)
        if "<br>" not in note["text"]:
            note["text"] = "<br>".join(textwrap.wrap(note["text"], MESSAGE_CHARS, break_on_hyphens=False))
    return figure


def figures(
    data: WallData, options: WallOptions, shapes: MapShapes, cells: list[TileCell], scale: float
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The figures on the page ("gauge" and/or "map") and the map's notes."""
    result: dict[str, Any] = {}
    notes: tuple[str, ...] = ()
    if "summary" in options.views:
        result["gauge"] = city_gauge(data.overview, data.limits, options.lang, options.theme, scale)
    if "map" in options.views:
        result["map"], notes = map_figure(data, options, shapes, cells, scale)
        notes += () if options.kiosk else (t("wall.map.click", options.lang),)
    return result, notes


def redrawn(
    data: WallData, options: WallOptions, shapes: MapShapes, cells: list[TileCell], scale: float, part_names: list[str]
) -> tuple[str, list[Any], list[Any], dict[str, Any], Any]:
    """What a refresh replaces: the header's class, the sources status, the parts asked for, the figures, the
    ticker."""
    shown, notes = figures(data, options, shapes, cells, scale)
    builders = wall_layout.parts(data, options, notes)
    return (
        wall_layout.header_class(data),
        wall_layout.sources_status(data, options.lang),
        [builders[name]() for name in part_names],
        shown,
        ticker(data, options.lang),
    )
