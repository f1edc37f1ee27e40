"""The wall's figures (the city gauge and the map) and everything a refresh redraws, from plain data: the wall's
figures, its options, the map's shapes (`dashboard.pages.wall.MapShapes`) and the tile grid. The map is the
cartogram (`layouts.wall_cartogram_map`) unless a boundary file or the tile grid is asked for."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from dashboard.core.geo import TileCell
from dashboard.core.i18n import fmt_int, t
from dashboard.core.vocabulary import DISTRICT, WARD
from layouts import maps, wall_geo
from layouts import wall as wall_layout
from layouts.wall_cartogram import LABELLED_MAX
from layouts.wall_cartogram_map import cartogram_map
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
    """The map figure and its notes for the legend: what kind of map it is, in words, and anything it leaves out
    (labels that would overlap, units without a place). The cartogram unless a boundary map or the tiles are
    drawn; a boundary file that could not be read falls back to the cartogram, and says why."""
    lang = options.lang
    districts = data.local()
    by_code = {u.code: u for u in districts}
    clickable, points = not options.kiosk, data.feedback_points
    look = (options.metric, data.limits, lang, options.theme)
    dots = (t("wall.map.feedback.dots", lang),) if points else ()
    if shapes.kind in ("districts", "wards"):
        level, outlines = (WARD, shapes.outlines) if shapes.kind == "wards" else (DISTRICT, ())
        figure = wall_geo.geo_map(
            shapes.shapes,
            by_code,
            *look,
            level=level,
            outlines=outlines,
            scale=scale,
            clickable=clickable,
            points=points,
        )
        notes = [t("wall.map.kind.boundaries", lang)]
        if shapes.kind == "wards":
            notes.append(t("wall.map.wards", lang, n=len(shapes.shapes)))
        if unlabelled := figure["layout"]["meta"]["unlabelled"]:
            notes.append(t("wall.map.unlabelled", lang, n=fmt_int(unlabelled, lang)))
        return figure, (*notes, *dots)
    if shapes.kind == "tiles":
        if districts and not {c.unit_key for c in cells} & {u.key for u in districts}:
            # The tile grid is of other units (the packaged one: the 24 districts of 2019): a map of empty tiles
            # would say nothing about today's units, so the map says what it needs instead.
            message = t("wall.map.no_tiles", lang, n=len(districts))
            return at_wall_size(maps.message_map(message, lang, options.theme, scale=scale), scale), ()
        tiles = maps.tile_map(cells, {u.key: u for u in districts}, *look, scale=scale, clickable=clickable)
        tiles["layout"]["yaxis"]["scaleratio"] = 1 / TILE_ASPECT
        return at_wall_size(tiles, scale), (t("wall.map.kind.tiles", lang),)
    figure = cartogram_map(districts, data.places, *look, scale=scale, clickable=clickable)
    notes = [kind_note(data, lang)]
    if unplaced := len(districts) - figure["layout"]["meta"]["discs"]:
        notes.append(t("wall.map.unplaced", lang, n=fmt_int(unplaced, lang)))
    if shapes.error:
        notes.append(t("wall.map.boundary_error", lang, error=shapes.error))
    return at_wall_size(figure, scale), tuple(notes)


def kind_note(data: WallData, lang: str) -> str:
    """What the cartogram is, in words: discs of districts near their place, or dots of today's units around their
    former district (or, for those given one, at their own point)."""
    local = {u.key for u in data.local()}
    places = [p for p in data.places if p.key in local]
    if len(places) <= LABELLED_MAX:
        return t("wall.map.kind.cartogram_districts", lang)
    own = sum(1 for p in places if p.own)
    if not own:
        return t("wall.map.kind.cartogram_units", lang)
    return t("wall.map.kind.cartogram_points", lang, own=fmt_int(own, lang), n=fmt_int(len(places), lang))


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
