"""One model per page — overview, league, unit tile, wall, sources, the API's views: asks the store for counts
and applies `dashboard.metrics`, the only layer that does both. Never imports web, callbacks or layouts."""
