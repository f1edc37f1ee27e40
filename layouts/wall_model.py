"""The wall's options from its URL (no Dash here); its figures are `dashboard.pages.wall.WallData`.

`parse_options` reads ``?views=summary,map&dwell=20&theme=dark&lang=en&map=tiles&metric=overdue_share&kiosk=0``
(map: cartogram, tiles, districts or wards);
an unknown or bad value falls back to the default, so a typo on a kiosk's URL never blanks the wall — and the wall
says which values it ignored (`WallOptions.ignored`), so the typo is seen and fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs

from dashboard.core.geo import MAP_KINDS, MapKind
from dashboard.core.i18n import language

VIEWS = ("summary", "backlog", "map", "districts", "departments", "alerts")
Theme = Literal["dark", "light"]
Metric = Literal["overdue_share", "on_time", "online"]
THEMES: tuple[Theme, ...] = ("dark", "light")
METRICS: tuple[Metric, ...] = ("overdue_share", "on_time", "online")
MIN_DWELL_S, MAX_DWELL_S = 2.0, 3600.0


@dataclass(frozen=True)
class WallOptions:
    """The playlist, dwell, theme, language, map and metric a wall URL asks for."""

    views: tuple[str, ...] = VIEWS
    dwell_s: float = 20.0
    theme: Theme = "dark"
    lang: str = "vi"
    kiosk: bool = True
    map: MapKind | None = None  # None: districts when a boundary file is configured, else the cartogram
    metric: Metric = "overdue_share"
    ignored: tuple[str, ...] = ()  # "name=value" of each value the URL asked for that the wall does not know

    def cache_key(self) -> str:
        return f"{','.join(self.views)}|{self.theme}|{self.lang}|{int(self.kiosk)}|{self.map}|{self.metric}"


def _first(query: dict[str, list[str]], name: str) -> str:
    return (query.get(name) or [""])[0].strip().lower()


def parse_options(search: str | None, default_lang: str = "vi", default_dwell_s: float = 20.0) -> WallOptions:
    """The wall's options from a URL query string; anything unknown takes its default."""
    query = parse_qs((search or "").lstrip("?"))
    asked = [name.strip() for name in _first(query, "views").split(",") if name.strip()]
    views = tuple(dict.fromkeys(name for name in asked if name in VIEWS)) or VIEWS
    try:
        dwell = float(_first(query, "dwell") or default_dwell_s)
    except ValueError:
        dwell = default_dwell_s
    if dwell != dwell:  # NaN
        dwell = default_dwell_s
    theme = _first(query, "theme")
    map_kind = _first(query, "map")
    metric = _first(query, "metric")
    ignored = [f"views={name}" for name in asked if name not in VIEWS]
    for name, value, known in (("theme", theme, THEMES), ("map", map_kind, MAP_KINDS), ("metric", metric, METRICS)):
        if value and value not in known:
            ignored.append(f"{name}={value}")
    asked_dwell = _first(query, "dwell")
    if asked_dwell and not (_is_number(asked_dwell) and MIN_DWELL_S <= float(asked_dwell) <= MAX_DWELL_S):
        ignored.append(f"dwell={asked_dwell}")  # (a number out of range is brought into it)
    return WallOptions(
        views=views,
        dwell_s=min(max(dwell, MIN_DWELL_S), MAX_DWELL_S),
        theme=theme if theme in THEMES else "dark",
        lang=language(_first(query, "lang") or None, default_lang),
        kiosk=_first(query, "kiosk") not in ("0", "false", "no"),
        map=map_kind if map_kind in MAP_KINDS else None,
        metric=metric if metric in METRICS else "overdue_share",
        ignored=tuple(value[:40] for value in ignored[:5]),
    )


def _is_number(text: str) -> bool:
    try:
        return float(text) == float(text)  # (NaN is not)
    except ValueError:
        return False


def kiosk_requested(search: str | None) -> bool:
    """True for ``?kiosk=1`` (or true/yes) on any page: hide the navigation."""
    return _first(parse_qs((search or "").lstrip("?")), "kiosk") in ("1", "true", "yes")
