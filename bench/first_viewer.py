"""First-viewer benchmark: what the first viewer of a new data version waits for, on each page's path.

    python bench/first_viewer.py [--store-url URL] [--as-of ISO] [--runs 5]

For the leagues (districts, departments), a unit's tile, the home page's figures and the API's KPIs, it times in
the same run:
- on the request: the page's figures computed for the viewer (what every first viewer waited for before);
- first viewer now: a new key (the next minute; a new data version takes the same path) asked for through the page's
  cached path — it answers with the newest value already computed and computes the new one in the background, once;
- background: that computation, off the request path;
and prints each first viewer's time with its ratio to the computation on the request. Target: ≤ 50 ms. Without
--store-url it uses bench/out's 10M-dossier store when present, else builds a small demo store (and says so).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.wall_refresh import BIG_STORE, demo_store, fresh_cache, median_ms, say, sources_of  # noqa: E402
from dashboard.core.cache import background_for  # noqa: E402
from dashboard.core.clock import CITY_TZ, FixedClock  # noqa: E402
from dashboard.core.settings import Settings  # noqa: E402
from dashboard.core.vocabulary import DEFAULT_PERIOD, DEPARTMENT, DISTRICT  # noqa: E402
from dashboard.pages import api, league, overview, unit, wall  # noqa: E402
from dashboard.pages.common import current_key  # noqa: E402
from dashboard.services import Services  # noqa: E402

TARGET_MS = 50.0


def cases(services: Services, tile_key: str) -> dict[str, tuple]:
    """Per page: (computed on the request, the first viewer's cached path given a cache and a key)."""
    period = DEFAULT_PERIOD
    query = unit.TileQuery(tile_key, period)

    def on_request_tile():
        return unit.unit_view(services, unit.city_context(services, period, services.clock.now()), query)

    def on_request_overview():
        return overview.overview_view(services, wall.compute(services, services.clock.now()), period)

    return {
        "league, districts": (
            lambda: league.league_view(services, "district", period),
            lambda cache, key: league.league_keyed(services, cache, key, "district", period),
        ),
        "league, departments": (
            lambda: league.league_view(services, "department", period),
            lambda cache, key: league.league_keyed(services, cache, key, "department", period),
        ),
        "unit tile": (on_request_tile, lambda cache, key: unit.tile_keyed(services, cache, key, query)),
        "home page": (on_request_overview, lambda cache, _key: overview.overview_data(services, cache, period)),
        "API /kpis": (
            lambda: api.kpis_view(services, period),
            lambda cache, key: api.kpis_data(services, cache, key, period),
        ),
    }


def first_viewer(services: Services, clock: FixedClock, cached_path, runs: int) -> tuple[float, float]:
    """(the first viewer of a new key, the background computation it started), medians over `runs` new keys."""
    cache = fresh_cache()
    cached_path(cache, current_key(services))  # a value exists: what any running system has
    background_for(cache).wait()
    firsts, backgrounds = [], []
    for _ in range(runs):
        clock.advance(timedelta(minutes=1))
        began = time.perf_counter()
        cached_path(cache, current_key(services))
        firsts.append((time.perf_counter() - began) * 1000)
        background_for(cache).wait()
        backgrounds.append((time.perf_counter() - began) * 1000)
    return statistics.median(firsts), statistics.median(backgrounds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store-url", help="SQLAlchemy URL of an existing store (default: bench/out's 10M store)")
    parser.add_argument("--as-of", help="the instant to look from (default: 2019-11-27 15:00 in the city)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (median; default 5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        as_of = datetime.fromisoformat(args.as_of) if args.as_of else datetime(2019, 11, 27, 15, tzinfo=CITY_TZ)
        url = args.store_url or (f"sqlite:///{BIG_STORE}" if BIG_STORE.exists() else None)
        if url is None:
            url, as_of = demo_store(Path(folder))
        clock = FixedClock(as_of)
        services = Services.build(Settings(store_url=url, data_dir=Path(folder)), clock)
        services.sources = sources_of(services)
        units = [u for u in services.store.units() if u["kind"] in (DISTRICT, DEPARTMENT)]
        tile_key = next(u["key"] for u in units if u["kind"] == DISTRICT)
        say(f"store {url.split('/')[-1]}, as of {as_of:%Y-%m-%d %H:%M}, tile {tile_key}")
        say(f"{'page':<22} {'on the request':>15} {'first viewer':>13} {'ratio':>7} {'background':>11}  target")
        worst = 0.0
        for name, (on_request, cached_path) in cases(services, tile_key).items():
            before = median_ms(on_request, args.runs)
            now, background = first_viewer(services, clock, cached_path, args.runs)
            worst = max(worst, now)
            say(
                f"{name:<22} {before:>12.1f} ms {now:>10.1f} ms {now / before:>7.3f} {background:>8.1f} ms  ≤ {TARGET_MS:g} ms"
            )
        say(f"slowest first viewer: {worst:.1f} ms ({'within' if worst <= TARGET_MS else 'over'} the target)")
        services.store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
