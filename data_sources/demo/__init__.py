"""The demo: simulated district and department databases that fill up as the demo clock runs.

`Simulator(directory).build(start)` writes one SQLite file per source with history up to `start`;
`advance(to)` applies what happens up to `to`. Two eras: "2019" (the README's default: the 24 districts and the
departments of 2019, today's date and time mapped onto 2019, `demo_start_default`) and "2025" (the 168 wards,
communes and special zone and the departments of today, on today's date and the real calendar).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from dashboard.core.clock import CITY_TZ
from data_sources.demo.simulator import DemoSource, Simulator, SimulatorError

DEMO_YEAR = 2019
Era = Literal["2019", "2025"]
ERAS: tuple[Era, ...] = ("2019", "2025")
DEFAULT_ERA: Era = "2019"

__all__ = ["ERAS", "DemoSource", "Era", "Simulator", "SimulatorError", "demo_start_default", "units_on"]


def demo_start_default(now: datetime, era: Era = DEFAULT_ERA) -> datetime:
    """Where the demo clock starts: for 2019, the same month, day and time of day as `now` in Asia/Ho_Chi_Minh, in
    2019 (29 February → 28 February); for 2025, `now` itself (today's city, on the real date)."""
    local = now.astimezone(CITY_TZ)
    if era == "2025":
        return local.replace(microsecond=0)
    day = 28 if (local.month, local.day) == (2, 29) else local.day
    return local.replace(year=DEMO_YEAR, day=day)


def units_on(era: Era, start: datetime | None = None) -> date:
    """The day whose units the demo simulates: 1 January 2019 (the 24 districts), or the start's own day."""
    if era == "2019":
        return date(DEMO_YEAR, 1, 1)
    if start is None:
        raise ValueError(f"the {era} demo needs its start, to know which units exist")
    return start.astimezone(CITY_TZ).date()
