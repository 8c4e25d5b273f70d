from types import SimpleNamespace

import pytest
from django.core.cache import cache

from forum import ratelimits
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """The limiter's view of the time, set by the test (seconds since the epoch)."""
    fake = SimpleNamespace(now=1_000_040.0)  # 20 s into a minute
    monkeypatch.setattr(ratelimits, "time", SimpleNamespace(time=lambda: fake.now))
    return fake


def test_uses_within_the_limit_are_allowed_and_the_next_is_told_how_long_to_wait(clock):
    assert [ratelimits.hit("report:user:1", limit=3, period=60) for _ in range(3)] == [None, None, None]

    assert ratelimits.hit("report:user:1", limit=3, period=60) == 40
    clock.now += 10.5
    assert ratelimits.hit("report:user:1", limit=3, period=60) == 30


def test_the_wait_is_always_at_least_one_second(clock):
    clock.now = 119.6  # 0.4 s before the window ends
    ratelimits.hit("edit:user:1", limit=1, period=60)

    assert ratelimits.hit("edit:user:1", limit=1, period=60) == 1


def test_keys_are_counted_apart(clock):
    assert ratelimits.hit("report:user:1", limit=1, period=60) is None
    assert ratelimits.hit("report:user:1", limit=1, period=60) is not None

    assert ratelimits.hit("report:user:2", limit=1, period=60) is None
    assert ratelimits.hit("post:user:1", limit=1, period=60) is None


def test_the_same_key_with_another_period_is_another_limit(clock):
    assert ratelimits.hit("post:user:1", limit=1, period=60) is None
    assert ratelimits.hit("post:user:1", limit=1, period=60) is not None

    assert ratelimits.hit("post:user:1", limit=5, period=3600) is None


def test_a_new_window_starts_a_new_count(clock):
    clock.now = 600.0
    for _ in range(2):
        ratelimits.hit("post:user:1", limit=2, period=60)
    assert ratelimits.hit("post:user:1", limit=2, period=60) == 60

    clock.now = 659.9
    assert ratelimits.hit("post:user:1", limit=2, period=60) == 1
    clock.now = 660.0
    assert ratelimits.hit("post:user:1", limit=2, period=60) is None
    assert ratelimits.hit("post:user:1", limit=2, period=60) is None
    assert ratelimits.hit("post:user:1", limit=2, period=60) == 60


def test_a_counter_that_expired_from_the_cache_counts_again_from_one(clock):
    assert ratelimits.hit("post:user:1", limit=1, period=60) is None
    cache.clear()

    assert ratelimits.hit("post:user:1", limit=1, period=60) is None


def test_a_counter_expiring_between_add_and_incr_counts_this_use_as_the_first(clock, monkeypatch):
    assert ratelimits.hit("post:user:1", limit=1, period=60) is None

    def expire_then_incr(key):
        cache.delete(key)
        return cache.incr(key)

    monkeypatch.setattr(ratelimits, "cache", SimpleNamespace(add=cache.add, incr=expire_then_incr))
    assert ratelimits.hit("post:user:1", limit=1, period=60) is None

    monkeypatch.setattr(ratelimits, "cache", cache)
    assert ratelimits.hit("post:user:1", limit=1, period=60) == 40


def test_counts_hold_in_the_real_cache_across_real_time():
    # No fake clock: the counter lives in Django's cache for the window.
    results = [ratelimits.hit("flag:user:1", limit=2, period=3600) for _ in range(3)]

    assert results[:2] == [None, None]
    assert 1 <= results[2] <= 3600


@pytest.mark.parametrize("limit, period", [(0, 60), (5, 0)])
def test_a_limit_or_period_below_one_is_refused(limit, period):
    with pytest.raises(ValueError):
        ratelimits.hit("post:user:1", limit=limit, period=period)


def test_user_keys_name_the_action_and_the_person(db):
    ada, bea = factories.make_user("Ada"), factories.make_user("Bea")

    assert ratelimits.user_key("report", ada) == ratelimits.user_key("report", ada)
    assert ratelimits.user_key("report", ada) != ratelimits.user_key("report", bea)
    assert ratelimits.user_key("report", ada) != ratelimits.user_key("post", ada)
