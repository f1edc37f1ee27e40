"""What the wall is given: its options from the URL, and the plain figures of one refresh (no Dash here).

`parse_options` reads ``?views=summary,map&dwell=20&theme=dark&lang=en&map=tiles&metric=overdue_share&kiosk=0``;
an unknown or bad value falls back to the default, so a typo on a kiosk's URL never blanks the wall.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal
from urllib.parse import parse_qs

from dashboard.core.i18n import language
from dashboard.metrics.alerts import Alert, Level, level_above

if TYPE_CHECKING:
    from dashboard.metrics.kpis import Backlog, CityOverview, Ratio

VIEWS = ("summary", "backlog", "map", "districts", "departments", "alerts")
THEMES = ("dark", "light")
MAPS = ("tiles", "districts", "wards")
METRICS = ("overdue_share", "on_time", "online")
MIN_DWELL_S, MAX_DWELL_S = 2.0, 3600.0
Theme = Literal["dark", "light"]
MapKind = Literal["tiles", "districts", "wards"]
Metric = Literal["overdue_share", "on_time", "online"]
UnitLevel = Literal["ok", "warn", "alarm", "stale", "none"]


@dataclass(frozen=True)
class WallOptions:
    """The playlist, dwell, theme, language, map and metric a wall URL asks for."""

    views: tuple[str, ...] = VIEWS
    dwell_s: float = 20.0
    theme: Theme = "dark"
    lang: str = "vi"
    kiosk: bool = True
    map: MapKind | None = None  # None: districts when a boundary file is configured, else tiles
    metric: Metric = "overdue_share"

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
    return WallOptions(
        views=views,
        dwell_s=min(max(dwell, MIN_DWELL_S), MAX_DWELL_S),
        theme=theme if theme in THEMES else "dark",  # type: ignore[arg-type]
        lang=language(_first(query, "lang") or None, default_lang),
        kiosk=_first(query, "kiosk") not in ("0", "false", "no"),
        map=map_kind if map_kind in MAPS else None,  # type: ignore[arg-type]
        metric=metric if metric in METRICS else "overdue_share",  # type: ignore[arg-type]
    )


def kiosk_requested(search: str | None) -> bool:
    """True for ``?kiosk=1`` (or true/yes) on any page: hide the navigation."""
    return _first(parse_qs((search or "").lstrip("?")), "kiosk") in ("1", "true", "yes")


@dataclass(frozen=True)
class Limits:
    """The thresholds the wall colours and alerts by (from the settings)."""

    overdue_warn: float = 0.05
    overdue_alarm: float = 0.10
    online_target: float = 0.3
    new_late_warn: int = 5
    new_late_alarm: int = 20


@dataclass(frozen=True)
class UnitStatus:
    """One district or department on the wall: its backlog, rates, rank and freshness."""

    key: str
    kind: str
    code: str
    name_vi: str
    name_en: str
    short_name_vi: str
    backlog: Backlog
    on_time: Ratio
    online: Ratio
    score: float | None
    rank: int | None
    stale: bool  # any of its sources is stale
    data_as_of: datetime | None  # its oldest last good pull; None when never pulled or no source
    new_late: int = 0  # open dossiers that fell overdue in the last 24 hours

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def label(self, lang: str) -> str:
        """A short name for small spaces: "Quận 1", "Gò Vấp" (District 1, Go Vap); departments: the name."""
        if self.kind != "district":
            return self.name(lang)
        if lang == "en":
            return self.name_en.removesuffix(" District")
        return self.name_vi if self.short_name_vi.isdigit() else self.short_name_vi

    @property
    def overdue_share(self) -> float | None:
        """overdue ÷ in progress; None without a backlog."""
        return self.backlog.overdue / self.backlog.in_progress if self.backlog.in_progress else None

    def level(self, limits: Limits) -> UnitLevel:
        """stale first, then none (no backlog), else the overdue share's level."""
        if self.stale:
            return "stale"
        share = self.overdue_share
        if share is None:
            return "none"
        found: Level = level_above(share, limits.overdue_warn, limits.overdue_alarm)
        return found


@dataclass(frozen=True)
class FeedbackPoint:
    lat: float
    lon: float
    unit_key: str


@dataclass(frozen=True)
class WallData:
    """Everything one refresh of the wall shows, computed once per data version and minute."""

    as_of: datetime
    version: int
    changed_at: datetime | None
    overview: CityOverview
    satisfaction: Ratio
    units: tuple[UnitStatus, ...]
    sources_ok: int
    sources_total: int
    stale_sources: int
    alerts: tuple[Alert, ...]
    limits: Limits
    unit_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (vi, en), every unit
    feedback_points: tuple[FeedbackPoint, ...] = ()

    def of_kind(self, kind: str) -> list[UnitStatus]:
        return [unit for unit in self.units if unit.kind == kind]

    def unit_name(self, key: str, lang: str) -> str:
        vi, en = self.unit_names.get(key, (key, key))
        return en if lang == "en" else vi
