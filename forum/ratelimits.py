"""Rate limits counted in Django's cache, so every app process shares them
(Redis in production; the local-memory cache holds per process only).

Fixed windows: each key gets one counter per window of `period` seconds,
created with `cache.add` and bumped with `cache.incr`, both atomic on Redis
and on the local-memory cache. A burst may reach twice the limit across a
window boundary; that is the price of one cache round trip per check.

While the cache cannot be reached the limits fail open: consultation.cache
answers `add` as a cache that keeps nothing, so every use counts as the
first of its window, and logs the outage.

    wait = ratelimits.hit(ratelimits.user_key("report", request.user), limit=10, period=3600)
    if wait is not None:
        ...  # answer 429 with Retry-After: wait
"""

import math
import time

from django.conf import settings
from django.core.cache import cache

KEY_PREFIX = "ratelimit"


def user_key(action: str, user) -> str:
    """The key that counts one person's uses of one action, e.g. user_key("post-comment", user)."""
    return f"{action}:user:{user.pk}"


def hit(key: str, *, limit: int, period: int) -> int | None:
    """Count one use under the key: None while within `limit` uses per `period`
    seconds, otherwise the whole seconds to wait until the window ends."""
    if limit < 1 or period < 1:
        raise ValueError("limit and period must be at least 1")
    now = time.time()
    window = int(now // period)
    counter = f"{KEY_PREFIX}:{key}:{period}:{window}"
    # The window index is in the key, so a counter that outlives its window
    # by a little (cache expiry is approximate) is never read again.
    if cache.add(counter, 1, timeout=period):
        count = 1
    else:
        try:
            count = cache.incr(counter)
        except ValueError:
            # Expired between add() and incr(): this use starts a fresh counter.
            cache.add(counter, 1, timeout=period)
            count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * period - now))


class RateLimited(Exception):
    """An action refused for now; `retry_after` says in how many seconds to try again."""

    def __init__(self, retry_after: int):
        super().__init__(f"Rate limited; retry after {retry_after} seconds")
        self.retry_after = retry_after


def check(action: str, user) -> None:
    """Count one use of an action limited in settings.FORUM_RATE_LIMITS
    ({action: [(limit, period in seconds), …]}); raise RateLimited when over."""
    for limit, period in settings.FORUM_RATE_LIMITS.get(action, ()):
        wait = hit(user_key(action, user), limit=limit, period=period)
        if wait is not None:
            raise RateLimited(wait)
