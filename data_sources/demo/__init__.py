"""The demo: simulated district and department databases that fill up as the demo clock runs.

`Simulator(directory).build(start)` writes one SQLite file per source with history up to `start`;
`advance(to)` applies what happens up to `to`. `demo_start_default(now)` maps today onto the same moment in 2019.
"""

from __future__ import annotations

from datetime import datetime

from dashboard.core.clock import CITY_TZ
from data_sources.demo.simulator import DemoSource, Simulator, SimulatorError

DEMO_YEAR = 2019

__all__ = ["DemoSource", "Simulator", "SimulatorError", "demo_start_default"]


def demo_start_default(now: datetime) -> datetime:
    """The same month, day and time of day as `now` in Asia/Ho_Chi_Minh, in 2019 (29 February → 28 February)."""
    local = now.astimezone(CITY_TZ)
    day = 28 if (local.month, local.day) == (2, 29) else local.day
    return local.replace(year=DEMO_YEAR, day=day)
