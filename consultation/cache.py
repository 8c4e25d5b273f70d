"""The Redis cache as the site uses it: a help when Redis answers, never the
reason a request fails when it does not.

When Redis cannot be reached (stopped, frozen, out of memory, cut off), each
operation behaves as on a cache that keeps nothing: reads find nothing, writes
are accepted and forgotten (`add` says it added), and `incr` finds no key
(ValueError, as for a key that expired). The socket timeouts in settings bound
what one operation costs against a frozen Redis; after a failure the process
leaves Redis alone for `pause_after_error` seconds (an OPTIONS entry), so an
outage costs each process one timeout per pause, not one per operation. An
outage is logged once when it starts and once when Redis answers again.

What that means for the site: sessions are kept in the database (settings),
anonymous room pages are drawn afresh (forum.cache), and the rate limits, ours
(forum.ratelimits) and allauth's, are not counted while Redis is out: they fail
open.
"""

import logging
import threading
import time
from dataclasses import dataclass

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

PAUSE_AFTER_ERROR_SECONDS = 5.0


@dataclass
class _Outage:
    """One Redis location's state in this process, shared by its threads."""

    started: float | None = None  # time.monotonic() of the outage's first failure
    retry_at: float = 0.0


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _missing_key(key):
    raise ValueError(f"Key '{key}' not found (the cache is unreachable).")


class _ReusedClient(RedisCacheClient):
    """Django's client makes a redis.Redis for every operation, which builds its
    table of ~170 reply handlers each time: a third of a cached page's cost. One
    per connection pool serves every thread (redis-py's clients are thread-safe)."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        try:
            return self._clients[pool]
        except AttributeError:
            self._clients = {}
        except KeyError:
            pass
        client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    """Django's Redis cache, which answers as an empty cache while Redis cannot be reached."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.pause_after_error = float(options.pop("pause_after_error", PAUSE_AFTER_ERROR_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _ReusedClient
        with _outages_lock:
            self._outage = _outages.setdefault(",".join(self._servers), _Outage())

    def _attempt(self, unreachable, operation, *args):
        """`operation(*args)`, or `unreachable()` when Redis does not answer (or failed a moment ago)."""
        outage = self._outage
        if outage.started is not None and time.monotonic() < outage.retry_at:
            return unreachable()
        try:
            result = operation(*args)
        except redis.RedisError as error:
            self._failed(error)
            return unreachable()
        if outage.started is not None:
            logger.info("The cache answers again, after %.1f s without it.", time.monotonic() - outage.started)
            outage.started = None
        return result

    def _failed(self, error: redis.RedisError) -> None:
        outage, now = self._outage, time.monotonic()
        if outage.started is None:
            outage.started = now
            logger.warning(
                "The cache does not answer (%s: %s): serving without it (pages drawn afresh, rate limits not "
                "counted), asking again every %g s.",
                type(error).__name__,
                error,
                self.pause_after_error,
            )
        outage.retry_at = now + self.pause_after_error

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt(lambda: default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(lambda: False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._attempt(dict, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(lambda: False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        return self._attempt(lambda: _missing_key(key), super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._attempt(lambda: None, super().delete_many, keys, version)

    def clear(self):
        return self._attempt(lambda: False, super().clear)
