"""Tests of the rate limiters: the same contract in-process (fake clock) and in the real Redis server."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis

from llm4retail.api.limits import (
    Bucket,
    InProcessRateLimiter,
    Limit,
    RateLimiter,
    RedisRateLimiter,
    build_rate_limiter,
)
from llm4retail.config import RateLimitSettings
from llm4retail.errors import ConfigError

pytestmark = pytest.mark.unit

REDIS_URL = os.environ.get("LLM4RETAIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SLOW = Limit(per_second=0.001, burst=3)  # no token comes back during a test
FAST = Limit(per_second=4.0, burst=2)  # a token comes back every 250 ms


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _redis(prefix: str) -> RedisRateLimiter:
    limiter = RedisRateLimiter(REDIS_URL, prefix=prefix)
    try:
        limiter._client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is required by the server-mode rate-limit tests but is not reachable at {REDIS_URL} "
                    f"({error}). Start redis-server or set LLM4RETAIL_TEST_REDIS_URL.", pytrace=False)
    return limiter


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A fresh key prefix; its keys are deleted afterwards."""
    prefix = f"llm4retail:test:rate:{uuid.uuid4().hex[:12]}:"
    yield prefix
    limiter = _redis(prefix)
    keys = list(limiter._client.scan_iter(match=prefix + "*"))
    if keys:
        limiter._client.delete(*keys)
    limiter.close()


@pytest.fixture(params=["in_process", "redis"])
def make_limiter(request: pytest.FixtureRequest, redis_prefix: str) -> Iterator[Callable[[], RateLimiter]]:
    """A factory of limiters sharing one set of buckets (two workers of one server, for Redis)."""
    made: list[RateLimiter] = []
    shared = InProcessRateLimiter()

    def make() -> RateLimiter:
        limiter = shared if request.param == "in_process" else _redis(redis_prefix)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        limiter.close()


# --- the contract, on both implementations ----------------------------------------------------------


def test_burst_then_refused_with_retry_after(make_limiter: Callable[[], RateLimiter]) -> None:
    limiter = make_limiter()
    bucket = [Bucket("ip:203.0.113.7", SLOW)]

    decisions = [limiter.hit(bucket) for _ in range(4)]

    assert [decision.allowed for decision in decisions] == [True, True, True, False]
    assert [decision.remaining for decision in decisions] == [2, 1, 0, 0]
    assert all(decision.limit == 3 for decision in decisions)
    assert decisions[3].retry_after == pytest.approx(1000.0, rel=0.01)  # one token: 1 / per_second


def test_callers_have_separate_buckets(make_limiter: Callable[[], RateLimiter]) -> None:
    limiter = make_limiter()
    for _ in range(3):
        limiter.hit([Bucket("key:first", SLOW)])

    assert not limiter.hit([Bucket("key:first", SLOW)]).allowed
    assert limiter.hit([Bucket("key:second", SLOW)]).allowed


def test_a_refused_request_takes_no_token(make_limiter: Callable[[], RateLimiter]) -> None:
    limiter = make_limiter()
    for _ in range(3):
        limiter.hit([Bucket("ip:full", SLOW)])

    refused = limiter.hit([Bucket("key:fresh", SLOW), Bucket("ip:full", SLOW)])

    assert not refused.allowed
    assert limiter.hit([Bucket("key:fresh", SLOW)]).remaining == 2  # untouched by the refused request


def test_a_checked_bucket_is_not_consumed(make_limiter: Callable[[], RateLimiter]) -> None:
    limiter = make_limiter()

    for _ in range(5):
        assert limiter.hit([Bucket(f"key:{uuid.uuid4().hex}", SLOW), Bucket("ip:shared", SLOW, consume=False)]).allowed

    assert limiter.hit([Bucket("ip:shared", SLOW)]).remaining == 2


def test_tokens_come_back_over_time(make_limiter: Callable[[], RateLimiter]) -> None:
    limiter = make_limiter()
    bucket = [Bucket("ip:recovering", FAST)]
    assert [limiter.hit(bucket).allowed for _ in range(3)] == [True, True, False]

    time.sleep(0.3)  # one token's time, with slack

    assert limiter.hit(bucket).allowed


def test_two_workers_share_the_buckets(make_limiter: Callable[[], RateLimiter]) -> None:
    first, second = make_limiter(), make_limiter()
    bucket = [Bucket("ip:198.51.100.1", SLOW)]

    assert [first.hit(bucket).allowed, second.hit(bucket).allowed, first.hit(bucket).allowed] == [True, True, True]

    assert not second.hit(bucket).allowed


def test_concurrent_requests_get_exactly_the_burst(make_limiter: Callable[[], RateLimiter]) -> None:
    limiter = make_limiter()
    burst = Limit(per_second=0.001, burst=25)
    allowed: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            decision = limiter.hit([Bucket("ip:crowd", burst)])
            with lock:
                allowed.append(decision.allowed)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(allowed) == 25 and len(allowed) == 80


# --- in-process specifics ---------------------------------------------------------------------------


def test_in_process_refill_is_exact() -> None:
    clock = FakeClock()
    limiter = InProcessRateLimiter(clock=clock)
    bucket = [Bucket("ip:a", Limit(per_second=2.0, burst=4))]
    assert [limiter.hit(bucket).allowed for _ in range(5)] == [True] * 4 + [False]

    clock.now += 0.49
    assert not limiter.hit(bucket).allowed
    clock.now += 0.01
    decision = limiter.hit(bucket)

    assert decision.allowed and decision.remaining == 0
    assert decision.reset_after == pytest.approx(2.0)  # four tokens at 2/s until full again


def test_in_process_memory_is_bounded() -> None:
    clock = FakeClock()
    limiter = InProcessRateLimiter(max_tracked=100, clock=clock)
    limit = Limit(per_second=1.0, burst=10)

    for index in range(1000):
        limiter.hit([Bucket(f"ip:{index}", limit)])

    assert len(limiter) == 100


def test_in_process_forgets_idle_callers() -> None:
    clock = FakeClock()
    limiter = InProcessRateLimiter(clock=clock)
    limit = Limit(per_second=1.0, burst=10)
    for index in range(50):
        limiter.hit([Bucket(f"ip:{index}", limit)])

    clock.now += 2.0  # each took one token: full again after one second
    for _ in range(20):
        limiter.hit([Bucket("ip:active", limit)])

    assert len(limiter) < 10


def test_limits_are_checked() -> None:
    with pytest.raises(ConfigError, match="per_second > 0 and burst >= 1"):
        Limit(per_second=0.0, burst=3)
    with pytest.raises(ConfigError, match="per_second > 0 and burst >= 1"):
        Limit(per_second=1.0, burst=0)


# --- Redis specifics --------------------------------------------------------------------------------


def test_unreachable_redis_never_refuses_for_itself(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", fallback=InProcessRateLimiter(), timeout_seconds=0.2)
    bucket = [Bucket("ip:203.0.113.9", SLOW)]

    with caplog.at_level(logging.WARNING, logger="llm4retail.api.limits"):
        decisions = [limiter.hit(bucket) for _ in range(4)]

    assert [decision.allowed for decision in decisions] == [True, True, True, False]  # the fallback's limits
    warnings = [record.getMessage() for record in caplog.records if "does not answer" in record.getMessage()]
    assert len(warnings) == 1 and "127.0.0.1:1" in warnings[0]
    limiter.close()


def test_redis_keys_expire_when_the_bucket_is_full_again(redis_prefix: str) -> None:
    limiter = _redis(redis_prefix)
    limiter.hit([Bucket("ip:expiring", FAST)])

    ttl_ms = limiter._client.pttl(redis_prefix + "ip:expiring")

    assert 0 < ttl_ms <= 250  # one token at 4/s
    limiter.close()


def test_build_rate_limiter_follows_the_settings() -> None:
    assert isinstance(build_rate_limiter(RateLimitSettings()), InProcessRateLimiter)
    limiter = build_rate_limiter(RateLimitSettings(redis_url=REDIS_URL))
    assert isinstance(limiter, RedisRateLimiter) and isinstance(limiter.fallback, InProcessRateLimiter)
    limiter.close()
    with pytest.raises(ConfigError, match="not a Redis URL"):
        RedisRateLimiter("redis://:not-a-port:x/0")
