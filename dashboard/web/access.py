"""What each request needs, written once: a page's path and query, a Dash callback, an API call or a download →
the actions (and the unit) `dashboard.auth.roles.allowed` must grant. Anything this table does not name is refused.

`page_needs` serves both a page's first load and every callback (a callback is checked against the page address it
carries, plus the callback's own action: a list export needs drill-through, asking for a snapshot needs briefings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, unquote

from dashboard.auth import audit, roles
from dashboard.auth.roles import Principal, allowed
from layouts import audit as audit_layout
from layouts import shell
from layouts import unit as unit_layout
from layouts import wall as wall_layout
from layouts.briefings import CHANGES_PREFIX
from layouts.ids import BriefingsIds, HomeIds, LeagueIds, OverviewIds, ShellIds, SourcesIds, UnitIds, WallIds


@dataclass(frozen=True)
class Need:
    """One of `actions` must be allowed (for `unit`, when the action is about one unit)."""

    actions: frozenset[str]
    unit: str | None = None

    @classmethod
    def of(cls, *actions: str, unit: str | None = None) -> Need:
        return cls(frozenset(actions), unit)

    def met_by(self, principal: Principal) -> bool:
        return any(allowed(principal, action, self.unit) for action in self.actions)


FIGURES = Need.of(roles.VIEW_FIGURES)
PAGES: Mapping[str, tuple[Need, ...]] = MappingProxyType(
    {
        shell.OVERVIEW_PATH: (FIGURES,),
        shell.LEAGUE_PATH: (FIGURES,),
        shell.SOURCES_PATH: (Need.of(roles.VIEW_FIGURES, roles.ADMIN_SOURCES),),  # freshness, or managing them
        wall_layout.WALL_PATH: (Need.of(roles.VIEW_WALL),),
        shell.BRIEFINGS_PATH: (Need.of(roles.READ_BRIEFING),),
        audit_layout.AUDIT_PATH: (Need.of(roles.VIEW_AUDIT),),
        shell.ALERTS_PATH: (FIGURES,),
    }
)
# A callback's own action beyond its page's: by a component its output writes.
CALLBACK_ACTIONS: Mapping[str, str] = MappingProxyType(
    {
        UnitIds.DOWNLOAD: roles.VIEW_TILE_DETAIL,  # the tile's workbook
        UnitIds.DRILL_DOWNLOAD: roles.VIEW_DRILL,  # every row of a drill-through list
        BriefingsIds.ASK_STATUS: roles.MAKE_BRIEFING,  # ask the writer for a snapshot
    }
)
API_FIGURES = (Need.of(roles.READ_API), FIGURES)
# What the audit log records of an allowed callback, by a component its output writes (drill-through reads are
# recorded by `drills`).
AUDITED: Mapping[str, str] = MappingProxyType(
    {
        UnitIds.DOWNLOAD: audit.EXPORT,
        UnitIds.DRILL_DOWNLOAD: audit.EXPORT,
        LeagueIds.DOWNLOAD: audit.EXPORT,
        BriefingsIds.ASK_STATUS: audit.SNAPSHOT_ASKED,
    }
)


def unit_of(pathname: str) -> str:
    """The unit key of a /unit/<key> address, as written in it."""
    return unquote(pathname[len(unit_layout.UNIT_PATH) :]).strip("/")


def page_needs(pathname: str | None, search: str | None) -> tuple[Need, ...]:
    """What showing this address needs; an unknown address needs the figures (its page only says "not found")."""
    path = pathname or "/"
    if path in PAGES:
        return PAGES[path]
    if path.startswith(CHANGES_PREFIX):
        return PAGES[shell.BRIEFINGS_PATH]
    if path.startswith(unit_layout.UNIT_PATH):
        asked = parse_qs((search or "").lstrip("?"))
        if asked.get(unit_layout.LIST_PARAM):  # a drill-through list of individual dossiers or feedback
            return FIGURES, Need.of(roles.VIEW_DRILL, unit=unit_of(path))
        return (FIGURES,)
    return (FIGURES,)


def may_open(principal: Principal, path: str) -> bool:
    """Whether `principal` may open the page at `path` (the header shows only those links)."""
    return all(need.met_by(principal) for need in page_needs(path, None))


def callback_needs(output: str, pathname: str | None, search: str | None) -> tuple[Need, ...]:
    """A callback's needs: its page's, plus its own action (for the page's unit, on a unit page)."""
    needs = page_needs(pathname, search)
    own = next((CALLBACK_ACTIONS[i] for i in output_ids(output) if i in CALLBACK_ACTIONS), None)
    if own is None:
        return needs
    path = pathname or "/"
    unit = unit_of(path) if path.startswith(unit_layout.UNIT_PATH) else None
    return (*needs, Need.of(own, unit=unit))


def drills(needs: tuple[Need, ...]) -> bool:
    """Whether the request reads individual dossiers or feedback (the audit log records it)."""
    return any(roles.VIEW_DRILL in need.actions for need in needs)


def audited(output: str, needs: tuple[Need, ...]) -> str | None:
    """What the audit log records of an allowed callback: an export, a snapshot asked for, the page of a drill-through
    list (its refreshes are not recorded again), or nothing."""
    own = next((AUDITED[i] for i in output_ids(output) if i in AUDITED), None)
    if own:
        return own
    return audit.DRILL_READ if output.startswith(f"{ShellIds.PAGE}.") and drills(needs) else None


def api_needs(endpoint: str, args: Mapping[str, str]) -> tuple[Need, ...]:
    """An API call's needs: the figures, or drill-through for the unit a list of dossiers is asked for."""
    if endpoint == "dossiers":
        return Need.of(roles.READ_API), Need.of(roles.VIEW_DRILL, unit=args.get("unit") or "")
    return API_FIGURES


DOWNLOAD_NEEDS = (Need.of(roles.READ_BRIEFING),)  # /briefings/<id>.<ext>
METRICS_NEEDS = (Need.of(roles.READ_API),)
AUDIT_CSV_NEEDS = (Need.of(roles.VIEW_AUDIT),)  # /audit.csv
# POST /alerts/<id>/ack: the figures' viewers; whether the alert's unit is theirs is checked by the action itself
ACK_NEEDS = (FIGURES,)  # /metrics: an operator's API token, or a signed-in reader


# A callback that reads no path is its outputs' page's: the page whose ids it writes (never the unit tile's, whose
# callbacks must read the path to know the unit).
OWNERS: Mapping[str, str] = MappingProxyType(
    {
        **{str(i): shell.OVERVIEW_PATH for i in OverviewIds},
        **{str(i): shell.OVERVIEW_PATH for i in HomeIds},
        **{str(i): shell.SOURCES_PATH for i in SourcesIds},
        **{str(i): shell.LEAGUE_PATH for i in LeagueIds},
        **{str(i): wall_layout.WALL_PATH for i in WallIds},
        **{str(i): shell.BRIEFINGS_PATH for i in BriefingsIds},
    }
)


def output_ids(output: str) -> list[str]:
    """The component ids of Dash's `output` string ("id.prop" or "..id.prop...id.prop..")."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [part.rsplit(".", 1)[0] for part in parts]


def owner_page(output: str) -> str | None:
    return next((OWNERS[i] for i in output_ids(output) if i in OWNERS), None)


def location_of(
    spec: Mapping[str, Any], body: Mapping[str, Any], output: str = ""
) -> tuple[str | None, str | None] | None:
    """The page address a callback request carries, read by position exactly as Dash passes its arguments (ids the
    client writes into its request are not trusted), else its outputs' page; None when it has neither."""
    declared = [*spec.get("inputs", []), *spec.get("state", [])]
    sent = [*(body.get("inputs") or []), *(body.get("state") or [])]
    found: dict[str, Any] = {}
    for position, item in enumerate(declared):
        if item.get("id") == ShellIds.LOCATION and item.get("property") in ("pathname", "search"):
            value = sent[position] if position < len(sent) else None
            found[item["property"]] = value.get("value") if isinstance(value, dict) else None
    if "pathname" not in found:
        owner = owner_page(output)
        if owner is None:
            return None
        found["pathname"] = owner
    pathname, search = found.get("pathname"), found.get("search")
    return (
        pathname if isinstance(pathname, str) else None,
        search if isinstance(search, str) else None,
    )
