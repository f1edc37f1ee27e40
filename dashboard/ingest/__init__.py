"""The one writer: the sources file, the pull (map, validate, upsert, advance the watermark) and its scheduler.

May import `dashboard.core`, `dashboard.store` and `data_sources`; never metrics, pages or web.
"""
