"""The cache backends: Redis across web workers when `cache_url` is set, else in-process (SimpleCache).

Values are stored as tagged JSON (`dashboard.core.codec`), never pickled, in both backends: anyone who can write
to the Redis can at worst plant a value that is refused and recomputed, never one that runs code in the web
process. Keys start with the `cache_prefix` setting and a hash of the store URL, so two deployments sharing a
Redis never read each other's entries. A password and TLS go in the URL (`rediss://:password@host:6380/0`).
`attach_cache` is called once by the app factory; pages use the interface of `dashboard.core.cache`.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from cachelib.serializers import BaseRedisSerializer
from flask import Flask
from flask_caching import Cache

from dashboard.core import codec
from dashboard.core.cache import EXTENSION
from dashboard.core.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT_S = 120


class JsonSerializer(BaseRedisSerializer):
    """cachelib's serializer interface over `dashboard.core.codec`: JSON in, JSON out; a stored value that is not
    ours reads as a miss (and is logged), never as an object."""

    def dumps(self, value: Any, protocol: int = 0) -> bytes:
        return codec.dumps(value)

    def loads(self, value: bytes | None) -> Any:
        if value is None:
            return None
        try:
            return codec.loads(value)
        except codec.CodecError as exc:
            log.warning("cache: refusing a stored value that is not CCHC Pulse's: %s", exc)
            return None


def key_prefix(settings: Settings) -> str:
    """`<cache_prefix>:<hash of the store URL>:` — what every key of this deployment starts with."""
    namespace = hashlib.sha256(settings.resolved_store_url.encode()).hexdigest()[:12]
    return f"{settings.cache_prefix}:{namespace}:"


def attach_cache(server: Flask, settings: Settings) -> Cache:
    """A cache for `server`, namespaced by the prefix setting and the store URL, storing JSON only."""
    config: dict[str, Any] = {"CACHE_KEY_PREFIX": key_prefix(settings), "CACHE_DEFAULT_TIMEOUT": TIMEOUT_S}
    if settings.cache_url:
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=settings.cache_url)
    else:
        config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=200)
    cache = Cache(server, config=config)
    cache.cache.serializer = JsonSerializer()  # type: ignore[assignment]  # cachelib types it per backend
    server.extensions[EXTENSION] = cache
    return cache
