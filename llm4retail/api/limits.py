"""Rate limiters: a token bucket per caller, in-process (one worker) or in Redis (every worker and machine).

Both implementations run the same algorithm, GCRA (the generic cell rate algorithm): a token
bucket stored as one number per caller, the *theoretical arrival time* `tat`. A request is let
through when, after it, the bucket would hold at most `burst` requests' worth of debt, that is
when `max(tat, now) + interval - now <= burst * interval` (`interval = 1 / per_second`); `tat`
then advances by `interval`. A caller idle for `burst * interval` seconds is back to a full
bucket, so its entry can be forgotten: memory is bounded by the callers active in that window.

Example:
    >>> limiter = InProcessRateLimiter()
    >>> limiter.hit([Bucket("ip:203.0.113.7", Limit(per_second=1.0, burst=2))]).allowed
    True
"""

from __future__ import annotations

import logging
import math
import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from llm4retail.config import RateLimitSettings
from llm4retail.errors import ConfigError

logger = logging.getLogger(__name__)

# Float slack in the comparisons, so that exactly `burst` requests fit however the intervals round.
_EPSILON = 1e-9


@dataclass(frozen=True)
class Limit:
    """A token bucket: `burst` requests at once, refilled at `per_second`."""

    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if not self.per_second > 0 or self.burst < 1:
            raise ConfigError(f"a rate limit needs per_second > 0 and burst >= 1, got {self.per_second} and {self.burst}")

    @property
    def interval(self) -> float:
        """Seconds one request's token takes to come back."""
        return 1.0 / self.per_second


@dataclass(frozen=True)
class Bucket:
    """One bucket a request meets: a caller's key (e.g. `ip:203.0.113.7`), its limit, and whether the
    request takes a token from it (`consume`) or only needs it not to be empty."""

    key: str
    limit: Limit
    consume: bool = True


@dataclass(frozen=True)
class Decision:
    """The answer to one request.

    Attributes:
        allowed: let the request through.
        limit: the burst of the tightest bucket (the `RateLimit-Limit` header).
        remaining: requests that bucket still allows at once (0 when refused).
        retry_after: seconds until a refused request would be allowed (0 when allowed).
        reset_after: seconds until that bucket is full again.
    """

    allowed: bool
    limit: int
    remaining: int
    retry_after: float
    reset_after: float


def _step(tat: float | None, now: float, limit: Limit) -> tuple[float, float]:
    """GCRA for one bucket: (its `tat` after one more request, seconds that request must wait or 0)."""
    new_tat = max(tat if tat is not None else now, now) + limit.interval
    over = new_tat - now - limit.burst * limit.interval
    return new_tat, (over if over > _EPSILON else 0.0)


def _decide(buckets: Sequence[Bucket], tats: Sequence[float | None], now: float) -> tuple[Decision, list[float | None]]:
    """The decision over every bucket (allowed only if each has room) and the `tat` to store for each
    (None: leave it as it is)."""
    steps = [_step(tat, now, bucket.limit) for tat, bucket in zip(tats, buckets, strict=True)]
    waits = [wait for _, wait in steps]
    if any(waits):
        worst = max(range(len(buckets)), key=waits.__getitem__)
        tat = tats[worst]
        reset = max((tat if tat is not None else now) - now, 0.0)
        return Decision(False, buckets[worst].limit.burst, 0, waits[worst], reset), [None] * len(buckets)
    new_tats = [new_tat if bucket.consume else None for (new_tat, _), bucket in zip(steps, buckets)]
    # The figures reported are those of the tightest bucket the request takes a token from.
    counted = [(index, bucket) for index, bucket in enumerate(buckets) if bucket.consume] or list(enumerate(buckets))
    left = {index: int(bucket.limit.burst - (steps[index][0] - now) / bucket.limit.interval + _EPSILON)
            for index, bucket in counted}
    tightest = min(left, key=left.__getitem__)
    reset = max(steps[index][0] - now for index in left)
    return Decision(True, buckets[tightest].limit.burst, max(left[tightest], 0), 0.0, reset), new_tats


class RateLimiter(ABC):
    """Counts requests per caller; `hit` decides one request against all its buckets at once.

    A request is allowed only if every bucket it meets has room; it then takes a token from each
    bucket marked `consume`. A refused request takes nothing.
    """

    blocking: bool = False
    """True when `hit` does network I/O (the middleware then calls it from a worker thread)."""

    @abstractmethod
    def hit(self, buckets: Sequence[Bucket]) -> Decision:
        """Count one request against `buckets` if each allows it.

        Args:
            buckets: at least one.

        Returns:
            The decision, with the figures of the tightest bucket.
        """

    def close(self) -> None:  # noqa: B027 -- optional hook: only limiters holding connections override it
        """Release connections (nothing to do in-process)."""


class InProcessRateLimiter(RateLimiter):
    """Buckets in this process's memory: exact for one worker; with N workers each counts its own.

    Args:
        max_tracked: callers kept; beyond it the least recently seen are forgotten (a full bucket).
        clock: seconds, monotonic (tests pass a fake one).
    """

    def __init__(self, *, max_tracked: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        if max_tracked < 1:
            raise ConfigError(f"max_tracked must be at least 1, got {max_tracked}")
        self.max_tracked = max_tracked
        self._clock = clock
        self._tats: OrderedDict[str, float] = OrderedDict()  # least recently seen first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._tats)

    def hit(self, buckets: Sequence[Bucket]) -> Decision:
        with self._lock:
            now = self._clock()
            decision, new_tats = _decide(buckets, [self._tats.get(bucket.key) for bucket in buckets], now)
            for bucket, new_tat in zip(buckets, new_tats):
                if new_tat is not None:
                    self._tats[bucket.key] = new_tat
                    self._tats.move_to_end(bucket.key)
            self._forget(now)
        return decision

    def _forget(self, now: float) -> None:
        """Drop idle callers from the old end (a few per call) and any beyond `max_tracked`."""
        for _ in range(4):
            oldest = next(iter(self._tats.items()), None)
            if oldest is None or oldest[1] > now:
                break
            del self._tats[oldest[0]]
        while len(self._tats) > self.max_tracked:
            self._tats.popitem(last=False)


# The same GCRA step as `_decide`, atomically over every key, on the Redis server's clock (so workers on
# several machines agree). ARGV holds interval, burst and consume (1/0) per key. Lua numbers turned into
# Redis replies are truncated to integers, hence milliseconds.
_GCRA_SCRIPT = """
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local epsilon = 1e-9
local new_tats = {}
local worst, worst_limit, worst_reset = 0, 0, 0
local remaining, limit, reset = nil, 0, 0
local checked_left, checked_limit, checked_reset = nil, 0, 0
for i = 1, #KEYS do
  local interval = tonumber(ARGV[3 * i - 2])
  local burst = tonumber(ARGV[3 * i - 1])
  local consume = ARGV[3 * i] == '1'
  local tat = tonumber(redis.call('GET', KEYS[i]) or '') or now
  if tat < now then tat = now end
  local new_tat = tat + interval
  local over = new_tat - now - burst * interval
  if over > epsilon then
    if over > worst then worst, worst_limit, worst_reset = over, burst, tat - now end
  else
    local left = math.floor(burst - (new_tat - now) / interval + epsilon)
    if consume then
      new_tats[i] = new_tat
      if remaining == nil or left < remaining then remaining, limit = left, burst end
      if new_tat - now > reset then reset = new_tat - now end
    else
      if checked_left == nil or left < checked_left then checked_left, checked_limit = left, burst end
      if new_tat - now > checked_reset then checked_reset = new_tat - now end
    end
  end
end
if worst > 0 then
  return {0, worst_limit, 0, math.ceil(worst * 1000), math.ceil(worst_reset * 1000)}
end
for i = 1, #KEYS do
  if new_tats[i] then
    redis.call('SET', KEYS[i], string.format('%.6f', new_tats[i]), 'PX', math.max(1, math.ceil((new_tats[i] - now) * 1000)))
  end
end
if remaining == nil then remaining, limit, reset = checked_left, checked_limit, checked_reset end
return {1, limit, math.max(remaining, 0), 0, math.ceil(reset * 1000)}
"""


class RedisRateLimiter(RateLimiter):
    """Buckets in Redis, shared by every worker and machine (server mode): one Lua script per request.

    When Redis does not answer, requests are never refused for it: this worker falls back to
    its own in-process buckets, logs a warning (at most once a minute) and tries Redis again
    after `retry_seconds`.

    Args:
        url: e.g. `redis://127.0.0.1:6379/0`.
        prefix: prefix of every key (`<prefix><caller key>`).
        fallback: the buckets used while Redis is unreachable.
        timeout_seconds: connect and command timeout; a request waits at most this long on Redis.
        retry_seconds: how long to skip Redis after a failure.

    Raises:
        ConfigError: the URL is not a Redis URL.
    """

    blocking = True

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "llm4retail:rate:",
        fallback: RateLimiter | None = None,
        timeout_seconds: float = 0.5,
        retry_seconds: float = 5.0,
    ) -> None:
        import redis

        try:
            self._client = redis.Redis.from_url(
                url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
            )
        except ValueError as error:
            raise ConfigError(f"rate-limit URL '{url}' is not a Redis URL (redis://host:port/db): {error}") from error
        self.url = url
        self.prefix = prefix
        self.fallback = fallback or InProcessRateLimiter()
        self.retry_seconds = retry_seconds
        self._script = self._client.register_script(_GCRA_SCRIPT)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError,)  # unreachable, timed out, or refusing
        self._down_until = 0.0
        self._warned_at = -math.inf

    def hit(self, buckets: Sequence[Bucket]) -> Decision:
        if time.monotonic() < self._down_until:
            return self.fallback.hit(buckets)
        arguments: list[Any] = []
        for bucket in buckets:
            arguments += [repr(bucket.limit.interval), bucket.limit.burst, int(bucket.consume)]
        try:
            reply = self._script(keys=[self.prefix + bucket.key for bucket in buckets], args=arguments)
        except self._errors as error:
            self._went_down(error)
            return self.fallback.hit(buckets)
        allowed, limit, remaining, retry_ms, reset_ms = (int(value) for value in reply)
        return Decision(bool(allowed), limit, remaining, retry_ms / 1000, reset_ms / 1000)

    def _went_down(self, error: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + self.retry_seconds
        if now - self._warned_at >= 60:
            self._warned_at = now
            logger.warning(
                "rate limits: Redis at %s does not answer (%s); this worker counts requests in-process "
                "until it does (limits per worker, not shared)", self.url, error,
            )

    def close(self) -> None:
        self._client.close()


def build_rate_limiter(settings: RateLimitSettings) -> RateLimiter:
    """The limiter the settings ask for: Redis when `redis_url` is set, else in-process."""
    in_process = InProcessRateLimiter(max_tracked=settings.max_tracked)
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, prefix=settings.redis_prefix, fallback=in_process)
    return in_process
