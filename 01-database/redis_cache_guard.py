"""What keeps a cache outage from becoming a database outage: a circuit breaker and single-flight.

When Redis is down, a naive cache-aside waits for the Redis timeout on every request and then
sends every read to the database; the stampede lock lived in Redis, so it is gone too. That is
how a cache outage takes the database down. Two small guards stop it:

- `CircuitBreaker`: after a few Redis failures in a row, stop calling Redis for a cool-down
  period (no timeout to wait for), then let one call through to see if it is back.
- `SingleFlight`: inside one process, concurrent loads of the same key share one call to the
  loader, so a miss storm costs the database one query per process, not one per request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class CircuitBreaker:
    """Closed (call Redis), open (skip it for `cooldown_seconds`), then half-open (try once)."""

    def __init__(
        self,
        *,
        failure_threshold: int = 3,
        cooldown_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.cooldown_seconds = cooldown_seconds
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self._lock = threading.Lock()

    def allows_call(self) -> bool:
        """Return True when Redis should be tried now (closed, or half-open after the cool-down)."""
        with self._lock:
            if self.opened_at is None:
                return True
            if self.clock() - self.opened_at >= self.cooldown_seconds:
                # half-open: let this one call probe; a failure re-opens for a new cool-down
                self.opened_at = self.clock()
                return True
            return False

    def record_success(self) -> None:
        """Close the circuit: Redis answered."""
        with self._lock:
            self.failures, self.opened_at = 0, None

    def record_failure(self) -> None:
        """Count a failure; open the circuit once there are `failure_threshold` in a row."""
        with self._lock:
            self.failures += 1
            if self.failures >= self.failure_threshold:
                self.opened_at = self.clock()

    @property
    def is_open(self) -> bool:
        """True while calls are being skipped."""
        return self.opened_at is not None


class SingleFlight:
    """Run at most one loader per key at a time in this process; the others wait for its result."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight: dict[str, _Call] = {}

    def do(self, key: str, loader: Callable[[], Any]) -> Any:
        """Return `loader()`, sharing one call among the threads that ask for `key` at once."""
        with self._lock:
            call = self._in_flight.get(key)
            leader = call is None
            if leader:
                call = self._in_flight[key] = _Call()
            else:
                call.waiters += 1
        if not leader:
            return call.wait()
        try:
            call.result = loader()
        except BaseException as error:
            call.error = error
            raise
        finally:
            with self._lock:
                del self._in_flight[key]
            call.done.set()
        return call.result

    def waiters(self, key: str) -> int:
        """Return how many threads are waiting for the loader call of `key` in flight."""
        with self._lock:
            call = self._in_flight.get(key)
            return call.waiters if call else 0


class _Call:
    """One loader call in flight, and its outcome for the threads waiting on it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.waiters = 0

    def wait(self) -> Any:
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.result
