"""Comparisons with the previous period only when the store's data covers it (`core.periods.covered`), over a real
store: the home page's headlines, the league's previous ranks and movement, the tile's movement, in words too.

At START (Wed 27/11/2019 09:00) over 30 days (29/10 – 27/11), the previous period being 29/09 – 29/10:
- Quận 1 (760): before, Q1-BEFORE on time and online (score 100, rank 1); now, Q1-LATE late at the counter and
  Q1-OPEN at the counter (score 0, rank 2): ▼1.
- Quận 3 (770): before, Q3-BEFORE late at the counter (rank 2); now, Q3-NOW on time and online (rank 1): ▲1.
- Online: now 1 of 3 received, before 1 of 2.
The store's data begins 13/10 (inside the previous period) unless HISTORY, received 01/08, is there too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from dashboard.core.clock import CITY_TZ
from dashboard.metrics.kpis import Ratio
from dashboard.pages import wall as wall_pages
from dashboard.pages.league import league_view
from dashboard.pages.overview import overview_view
from dashboard.pages.unit import city_context
from layouts import home_parts, league_grid, league_xlsx
from layouts import league as league_layout
from layouts import overview as overview_layout
from tests.conftest import START
from tests.factories import counting_every_dossier, dossier

DAY = timedelta(days=1)


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2019, month, day, hour, tzinfo=CITY_TZ)


def done(code: str, unit: str, received: datetime, late: bool = False, online: bool = False) -> dict:
    """Due 5 days after receipt; completed after 1 day, or late after 7."""
    completed = received + (7 if late else 1) * DAY
    channel = "online_full" if online else "counter"
    return dossier(code, unit=unit, received=received, status="completed", completed=completed, channel=channel)


HISTORY = done("HISTORY", "760", at(8, 1))  # received and completed long before both periods
ROWS = (
    done("Q1-BEFORE", "760", at(10, 13), online=True),
    done("Q3-BEFORE", "770", at(10, 14), late=True),
    done("Q1-LATE", "760", at(11, 11), late=True),
    dossier("Q1-OPEN", unit="760", received=at(11, 25), days=10),
    done("Q3-NOW", "770", at(11, 12), online=True),
)


@pytest.fixture
def city(services, source_db, pull):
    """(services, insert-and-pull): the rows above, pulled at START; ranked with a minimum count of 1."""
    services.index_config = counting_every_dossier(services.index_config)

    def pulled(*rows: dict):
        source_db.insert("dossiers", *rows)
        pull()
        return services

    return pulled


def test_a_store_whose_data_begins_inside_the_previous_period_compares_nothing_with_it(city):
    services = city(*ROWS)
    assert services.store.series.history_start() == date(2019, 10, 13)
    home = overview_view(services, wall_pages.compute(services, START), "30d")
    online = home.headline("online")
    assert (online.ratio, online.change, online.data_from) == (Ratio(1, 3), None, date(2019, 10, 13))
    assert [(h.name, h.data_from) for h in home.headlines if h.change is None] == [
        ("on_time", date(2019, 10, 13)),
        ("online", date(2019, 10, 13)),
        ("satisfaction", date(2019, 10, 13)),  # nothing rated either
    ]
    assert home_parts.change_text(online, "vi") == ("", "chưa đủ số liệu kỳ trước", "none")
    assert home_parts.change_text(online, "en")[1] == "not enough data for the previous period"
    line = overview_layout.period_line(home, "vi")  # the cards say what, the period line from which day
    assert "; chưa so sánh với kỳ trước " in line and line.endswith(": số liệu chỉ có từ 13/10/2019")
    assert home.headline("in_progress").change is not None  # the instant against yesterday: still compared

    league = league_view(services, "district", "30d", START)
    assert (league.previous_covered, league.history_start) == (False, date(2019, 10, 13))
    ranked = [(r.unit_key, r.rank, r.previous_rank, r.movement, r.data_from) for r in league.rows if r.rank]
    assert ranked == [("quan-3", 1, None, None, date(2019, 10, 13)), ("quan-1", 2, None, None, date(2019, 10, 13))]
    cells = league_grid.grid_rows(league.rows, "vi")[0]
    assert (cells["movement_text"], cells["movement_class"]) == ("—", "is-na")  # not "mới": no unit is new
    assert cells["movement_title"] == "Chưa đủ số liệu kỳ trước (số liệu từ 13/10/2019): chưa so sánh hạng"
    words = " ".join(part.children for part in league_layout.summary(league, "vi"))
    assert "Chưa đủ số liệu kỳ trước (số liệu từ 13/10/2019) nên chưa so sánh hạng." in words
    assert league_xlsx.values(league.rows[0], [], "vi")[:3] == [1, None, None]  # rank, previous rank, movement

    tile = city_context(services, "30d", START)
    assert (tile.movements["quan-1"], tile.movements["quan-3"], tile.data_from) == (None, None, date(2019, 10, 13))


def test_a_store_whose_data_begins_before_the_previous_period_compares_with_it(city):
    services = city(HISTORY, *ROWS)
    assert services.store.series.history_start() == date(2019, 8, 1)
    home = overview_view(services, wall_pages.compute(services, START), "30d")
    online = home.headline("online")
    assert (online.ratio, online.change.before, online.change.verdict, online.data_from) == (
        Ratio(1, 3),
        0.5,
        "worse",
        None,
    )
    assert home.headline("on_time").change.before == 0.5  # Q1-BEFORE on time, Q3-BEFORE late
    assert home_parts.change_text(online, "vi")[1] == "kém hơn kỳ trước (50,0%)"

    league = league_view(services, "district", "30d", START)
    assert (league.previous_covered, league.history_start) == (True, date(2019, 8, 1))
    ranked = [(r.unit_key, r.rank, r.previous_rank, r.movement, r.data_from) for r in league.rows if r.rank]
    assert ranked == [("quan-3", 1, 2, 1, None), ("quan-1", 2, 1, -1, None)]
    assert league_grid.grid_rows(league.rows, "vi")[0]["movement_text"] == "▲1"
    assert "chưa so sánh hạng" not in " ".join(part.children for part in league_layout.summary(league, "vi"))

    tile = city_context(services, "30d", START)
    assert (tile.movements["quan-1"], tile.movements["quan-3"], tile.data_from) == (-1, 1, None)
