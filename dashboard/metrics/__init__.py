"""Pure formulas: KPIs from counts, ageing, the service index and ranking, league rows, freshness, alert rules.

May import `dashboard.core` only: no store, no pages. Plain data in, plain data out.
"""
