"""A circuit breaker of your own: the reference solution."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")


class BreakerOpen(Exception):
    """Raised instead of calling the function while the breaker is open."""


class Breaker:
    """A circuit breaker that opens after fail_max failures in a row."""

    def __init__(self, fail_max: int, reset_after: float, clock: Callable[[], float]) -> None:
        self.fail_max, self.reset_after, self.clock = fail_max, reset_after, clock
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def state(self) -> str:
        """Return "closed", "open" or "half-open"."""
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.reset_after:
            return "half-open"
        return "open"

    def call(self, function: Callable[[], Result]) -> Result:
        """Call function through the breaker."""
        state = self.state
        if state == "open":
            raise BreakerOpen("the breaker is open")
        try:
            result = function()
        except Exception:
            self.failures += 1
            if state == "half-open" or self.failures >= self.fail_max:
                self.opened_at = self.clock()  # (re)open: the wait starts over
            raise
        self.failures, self.opened_at = 0, None
        return result
