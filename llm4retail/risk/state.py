"""Per-customer feature state for real-time scoring: in-process by default, Redis in server mode.

A `CustomerState` holds what the velocity features need (payment count and sum, the
payments of the last 24 hours, the currencies, devices and countries seen). Scoring a
payment reads the customer's state, computes the features and writes the updated state
back in one atomic step (`StateStore.transact`), so that concurrent API workers sharing
one Redis server see every payment exactly once.

Example:
    >>> store = MemoryStateStore()
    >>> features = store.transact("c1", lambda state: state.observe(seconds=0.0, amount=20.0, currency="EUR"))
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from llm4retail.errors import ConfigError, StoreUnavailableError
from llm4retail.risk.features import DAY_SECONDS, HOUR_SECONDS

Result = TypeVar("Result")
MAX_KEPT_IDS = 50  # devices / countries / currencies remembered per customer
NAN = float("nan")


@dataclass
class CustomerState:
    """What the velocity features of one customer need, updated payment by payment.

    Attributes:
        n_payments: payments seen.
        amount_sum: their total amount.
        last_seconds: Unix time of the latest one.
        recent: (seconds, amount) of the payments within 24 hours of the latest.
        currencies / devices / countries: identifiers seen, most recent last.
    """

    n_payments: int = 0
    amount_sum: float = 0.0
    last_seconds: float | None = None
    recent: list[tuple[float, float]] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)

    def features(
        self, *, seconds: float, amount: float, currency: str | None, device_id: str | None = None,
        country: str | None = None,
    ) -> dict[str, float]:
        """The history features of a new payment (same definitions as `features.history_features`)."""
        count = self.n_payments
        mean = self.amount_sum / count if count else NAN
        hour_start, day_start = seconds - HOUR_SECONDS, seconds - DAY_SECONDS
        in_day = [amount_seen for time, amount_seen in self.recent if time >= day_start]
        return {
            "customer_payments_before": float(count),
            "amount_vs_customer_mean": amount / mean if count and mean > 0 else NAN,
            "customer_count_1h": float(sum(1 for time, _ in self.recent if time >= hour_start)),
            "customer_count_24h": float(len(in_day)),
            "customer_amount_24h": float(sum(in_day)),
            "seconds_since_previous": seconds - self.last_seconds if self.last_seconds is not None else NAN,
            "new_currency": _is_new(currency or "", self.currencies) if count else NAN,
            "new_device": _is_new(device_id, self.devices) if count and device_id else NAN,
            "new_country": _is_new(country, self.countries) if count and country else NAN,
        }

    def observe(
        self, *, seconds: float, amount: float, currency: str | None, device_id: str | None = None,
        country: str | None = None,
    ) -> tuple[dict[str, float], CustomerState]:
        """The features of a new payment and the state after it."""
        features = self.features(seconds=seconds, amount=amount, currency=currency, device_id=device_id, country=country)
        latest = max(seconds, self.last_seconds) if self.last_seconds is not None else seconds
        recent = [(time, value) for time, value in self.recent if time >= latest - DAY_SECONDS]
        recent.append((seconds, amount))
        updated = CustomerState(
            n_payments=self.n_payments + 1,
            amount_sum=self.amount_sum + amount,
            last_seconds=latest,
            recent=recent,
            currencies=_remember(self.currencies, currency or ""),
            devices=_remember(self.devices, device_id),
            countries=_remember(self.countries, country),
        )
        return features, updated

    def to_json(self) -> str:
        """Compact JSON (the Redis value)."""
        return json.dumps(
            {"n": self.n_payments, "s": self.amount_sum, "l": self.last_seconds, "r": self.recent,
             "c": self.currencies, "d": self.devices, "k": self.countries},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes | None) -> CustomerState:
        """The state written by `to_json` (a fresh one for None)."""
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            n_payments=int(data["n"]), amount_sum=float(data["s"]), last_seconds=data["l"],
            recent=[(float(time), float(value)) for time, value in data["r"]],
            currencies=list(data["c"]), devices=list(data["d"]), countries=list(data["k"]),
        )


def _is_new(value: str | None, seen: list[str]) -> float:
    return float(value not in seen)


def _remember(seen: list[str], value: str | None) -> list[str]:
    if value is None:
        return list(seen)
    kept = [item for item in seen if item != value]
    kept.append(value)
    return kept[-MAX_KEPT_IDS:]


class StateStore(ABC):
    """Where per-customer state lives between payments."""

    @abstractmethod
    def transact(self, customer_id: str, update: Callable[[CustomerState], tuple[Result, CustomerState]]) -> Result:
        """Atomically read the customer's state, apply `update` and store the new state.

        Returns:
            The first element of what `update` returned.
        """

    @abstractmethod
    def get(self, customer_id: str) -> CustomerState:
        """The customer's current state (a fresh one if unknown), without changing it."""

    @abstractmethod
    def put_many(self, states: dict[str, CustomerState]) -> None:
        """Replace the state of many customers at once (replaying history)."""

    @abstractmethod
    def claim(self, marker: str) -> bool:
        """Set `marker` once: True for the first caller, False when it was already set.

        Used so that one history replay happens per model even with several workers.
        """

    @abstractmethod
    def clear(self) -> None:
        """Forget every customer and marker."""


class MemoryStateStore(StateStore):
    """State in this process (the default; one API worker)."""

    def __init__(self) -> None:
        self._states: dict[str, CustomerState] = {}
        self._markers: set[str] = set()
        self._lock = threading.Lock()

    def transact(self, customer_id: str, update: Callable[[CustomerState], tuple[Result, CustomerState]]) -> Result:
        with self._lock:
            result, state = update(self._states.get(customer_id) or CustomerState())
            self._states[customer_id] = state
        return result

    def get(self, customer_id: str) -> CustomerState:
        with self._lock:
            return self._states.get(customer_id) or CustomerState()

    def put_many(self, states: dict[str, CustomerState]) -> None:
        with self._lock:
            self._states.update(states)

    def claim(self, marker: str) -> bool:
        with self._lock:
            if marker in self._markers:
                return False
            self._markers.add(marker)
            return True

    def clear(self) -> None:
        with self._lock:
            self._states.clear()
            self._markers.clear()


# Compare-and-set: write the new state only if the key still holds what was read.
_COMPARE_AND_SET = """
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
  return 1
end
return 0
"""
MAX_ATTEMPTS = 50


class RedisStateStore(StateStore):
    """State in Redis, shared by every worker and server.

    An update is optimistic: GET the state, compute, then a server-side compare-and-set
    (one Lua script) stores the new state only if nobody changed it meanwhile, else the
    update is retried on the fresh value. That is two round trips per payment, against
    four for WATCH/GET/MULTI/EXEC.

    Args:
        url: e.g. `redis://127.0.0.1:6379/0`.
        prefix: key prefix; each customer is one string key `<prefix>customer:<id>`.
        ttl_seconds: a customer's state expires after this long without payments.

    Raises:
        ConfigError: the URL is malformed.
        StoreUnavailableError: the server does not answer.
    """

    def __init__(self, url: str, *, prefix: str = "llm4retail:risk:", ttl_seconds: int = 400 * DAY_SECONDS) -> None:
        import redis

        try:
            self._client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        except ValueError as error:
            raise ConfigError(f"risk state URL '{url}' is not a Redis URL (redis://host:port/db): {error}") from error
        if ttl_seconds <= 0:
            raise ConfigError(f"ttl_seconds must be greater than 0, got {ttl_seconds}")
        self.url = url
        self.prefix = prefix
        self.ttl_seconds = int(ttl_seconds)
        self._errors: tuple[type[Exception], ...] = (redis.ConnectionError, redis.TimeoutError)
        self._call(self._client.ping)
        self._compare_and_set = self._client.register_script(_COMPARE_AND_SET)

    def _key(self, customer_id: str) -> str:
        return f"{self.prefix}customer:{customer_id}"

    def _call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except self._errors as error:
            raise StoreUnavailableError(f"cannot reach the risk state Redis at {self.url}: {error}") from error

    def transact(self, customer_id: str, update: Callable[[CustomerState], tuple[Result, CustomerState]]) -> Result:
        key = self._key(customer_id)
        for _ in range(MAX_ATTEMPTS):
            raw = self._call(self._client.get, key)
            result, state = update(CustomerState.from_json(raw))
            stored = self._call(self._compare_and_set, keys=[key], args=[raw or b"", state.to_json(), self.ttl_seconds])
            if stored:
                return result
        raise StoreUnavailableError(f"customer {customer_id!r}: state kept changing during {MAX_ATTEMPTS} update attempts")

    def get(self, customer_id: str) -> CustomerState:
        return CustomerState.from_json(self._call(self._client.get, self._key(customer_id)))

    def put_many(self, states: dict[str, CustomerState]) -> None:
        items = list(states.items())
        for start in range(0, len(items), 1000):
            pipe = self._client.pipeline(transaction=False)
            for customer_id, state in items[start : start + 1000]:
                pipe.set(self._key(customer_id), state.to_json(), ex=self.ttl_seconds)
            self._call(pipe.execute)

    def claim(self, marker: str) -> bool:
        return bool(self._call(self._client.set, f"{self.prefix}marker:{marker}", "1", nx=True, ex=self.ttl_seconds))

    def clear(self) -> None:
        keys = list(self._call(self._client.scan_iter, match=f"{self.prefix}*", count=1000))
        for start in range(0, len(keys), 1000):
            self._call(self._client.delete, *keys[start : start + 1000])
