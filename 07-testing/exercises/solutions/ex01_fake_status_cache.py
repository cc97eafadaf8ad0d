"""A fake of the Redis status cache, held to the real one's contract: the reference solution."""

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
        self.entries: dict[str, tuple[str, float]] = {}

    def remember(self, reference: str, status: str) -> None:
        """Cache an order's status for ttl_ms milliseconds."""
        # like SET ... PX: a new value replaces the old one and restarts the time to live
        self.entries[reference] = (status, self.clock() + self.ttl_ms)

    def status(self, reference: str) -> str | None:
        """Return the cached status, or None when it is not cached (or expired)."""
        entry = self.entries.get(reference)
        if entry is None:
            return None
        status, expires_at = entry
        if self.clock() >= expires_at:  # Redis drops a key once its time to live is over
            del self.entries[reference]
            return None
        return status

    def is_paid(self, reference: str) -> bool:
        """Return True if the cached status is 'paid'."""
        return self.status(reference) == "paid"
