"""A fake of the Redis status cache, held to the same contract as the real one.

`orders_cache.OrderStatusCache` keeps each order's status in Redis for `ttl_ms` milliseconds.
Write `FakeStatusCache`, a fake with the same three methods that keeps statuses in a dict, so
unit tests need no Redis, and so that the SAME checks pass against it and against the real
cache on a real Redis (`course check 07 ex01` runs them on both):
- `remember(reference, status)` stores the status; remembering again replaces it and starts
  its time to live again;
- `status(reference)` returns the status as a str, or None when it was never remembered or
  its time to live has passed (once more than `ttl_ms` milliseconds have passed since
  `remember`, it is gone);
- `is_paid(reference)` returns True only when the status is "paid".
The fake must not wait for real time to pass: it reads the time from `clock`, a function
that returns the current time in milliseconds, so a test can move time on instantly. No
Redis, fakeredis or sleeping inside: a dict and the clock are all it needs.

`orders_cache.py` has the real cache; `part1-doubles.md` explains fakes and contracts.
Check your work with `.venv/bin/course check 07 ex01`; a hint: `.venv/bin/course hint 07 ex01`.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def monotonic_ms() -> float:
    """Return a clock reading in milliseconds (the default clock)."""
    return time.monotonic() * 1000


class FakeStatusCache:
    """Order statuses in a dict, each with the clock reading at which it expires."""

    def __init__(self, *, ttl_ms: int = 60_000, clock: Callable[[], float] = monotonic_ms) -> None:
        self.ttl_ms = ttl_ms
        self.clock = clock
        # TODO: a dict from reference to (status, expiry time in clock milliseconds)

    def remember(self, reference: str, status: str) -> None:
        """Cache an order's status for ttl_ms milliseconds."""
        raise NotImplementedError("TODO: store the status with the moment it expires")

    def status(self, reference: str) -> str | None:
        """Return the cached status, or None when it is not cached (or expired)."""
        raise NotImplementedError("TODO: return the status unless its time has passed")

    def is_paid(self, reference: str) -> bool:
        """Return True if the cached status is 'paid'."""
        raise NotImplementedError("TODO: is the status 'paid'?")
