"""The cache shared by pages and the API across workers: Redis when `cache_url` is set, else in-process (SimpleCache).

`attach_cache` is called once by the app factory; callbacks find the cache with `cache_of(app)`. A cache
that fails (Redis down) is logged and bypassed: the page computes the value itself.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask
from flask_caching import Cache

from dashboard.settings import Settings

log = logging.getLogger(__name__)
EXTENSION = "cchc_pulse_cache"
TIMEOUT_S = 120
T = TypeVar("T")


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


def cache_of(app: Any) -> Cache:
    """The cache the app factory attached to `app`."""
    return app.server.extensions[EXTENSION]


def cached(cache: Cache, key: str, compute: Callable[[], T]) -> T:
    """The cached value for `key`, computed and stored on a miss; a failing cache is bypassed."""
    try:
        value = cache.get(key)
    except Exception as exc:  # a cache outage must not take the wall down
        log.warning("cache read of %s failed, computing instead: %s", key, exc)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value)
        except Exception as exc:
            log.warning("cache write of %s failed: %s", key, exc)
    return value
