"""The cache backends: Redis across web workers when `cache_url` is set, else in-process (SimpleCache).

`attach_cache` is called once by the app factory; pages use the interface of `dashboard.core.cache`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask
from flask_caching import Cache

from dashboard.core.cache import EXTENSION
from dashboard.core.settings import Settings

TIMEOUT_S = 120


def attach_cache(server: Flask, settings: Settings) -> Cache:
    """A cache for `server`, namespaced by the store URL so two stores never share entries."""
    namespace = hashlib.sha256(settings.resolved_store_url.encode()).hexdigest()[:12]
    config: dict[str, Any] = {"CACHE_KEY_PREFIX": f"cchc-pulse:{namespace}:", "CACHE_DEFAULT_TIMEOUT": TIMEOUT_S}
    if settings.cache_url:
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=settings.cache_url)
    else:
        config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=200)
    cache = Cache(server, config=config)
    server.extensions[EXTENSION] = cache
    return cache
