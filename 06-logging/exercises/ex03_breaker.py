"""A circuit breaker of your own: closed, open, half-open, with a clock you can control.

Write the class `Breaker(fail_max, reset_after, clock)`. `clock` is a function returning the
current time in seconds (like `time.monotonic`); the tests pass their own.

- `state` is `"closed"` at first.
- `call(function)` calls `function()` and returns its result. While closed, each exception
  counts as a failure (and is re-raised); a success resets the count to zero. When the count
  reaches `fail_max`, the breaker opens and remembers when.
- While open, `call` raises `BreakerOpen` at once, without calling `function`, until
  `reset_after` seconds have passed since it opened; then the state is `"half-open"`.
- In half-open, the next call is a trial: success closes the breaker (count back to zero),
  failure opens it again (and the wait starts over).

`errors_resilience.py` uses pybreaker, which works the same way. This breaker is for one thread:
shared by many, it would need a lock around its state (not around the call), and in half-open
it should let one trial through while the others fail at once: part 2b, "Shared by threads",
says how `errors_breaker.SharedBreaker` does that on top of pybreaker.

Check your work with `.venv/bin/course check 06 ex03`; a hint: `.venv/bin/course hint 06 ex03`.
"""

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
        # TODO: keep the failure count, and when the breaker opened

    @property
    def state(self) -> str:
        """Return "closed", "open" or "half-open"."""
        # TODO: open becomes half-open once reset_after seconds have passed
        raise NotImplementedError("TODO: the breaker's state")

    def call(self, function: Callable[[], Result]) -> Result:
        """Call function through the breaker."""
        # TODO: refuse while open; count failures; open at fail_max; close on a trial success
        raise NotImplementedError("TODO: call through the breaker")
